// Dynamics 365 model-driven app: form OnLoad handler (pass the execution context). Opens the asistente
// side pane (Xrm.App.sidePanes, minimum width 300 px) with the web resource asistente_sidebar.html for the
// record on the form.
/* global Xrm */
var Asistente = window.Asistente || {};
Asistente.openSidePane = async function (executionContext) {
  var form = executionContext.getFormContext();
  var recordId = form.data.entity.getId().replace(/[{}]/g, "").toLowerCase();
  var paneId = "asistente";
  var pane = Xrm.App.sidePanes.getPane(paneId);
  if (!pane) {
    pane = await Xrm.App.sidePanes.createPane({
      title: "Asistente", paneId: paneId, canClose: true, width: 380, alwaysRender: true,
    });
  }
  await pane.navigate({ pageType: "webresource", webresourceName: "asistente_sidebar.html", data: recordId });
  pane.select();
};
window.Asistente = Asistente;
