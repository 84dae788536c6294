// Zoho CRM widget. Zoho has no signed context: on PageLoad the widget sends the record id and the Zoho
// user to the integrator's backend (session_url) through ZOHO.CRM.HTTP (Zoho's server side); the backend
// verifies the user with the CRM API, calls createAgentSession(agentId, recordId) with its INTEGRATOR key
// and answers {sidebarUrl}. The widget then shows the hosted sidebar, bound to this record.
/* global ZOHO */
ZOHO.embeddedApp.on("PageLoad", async function (data) {
  var recordId = Array.isArray(data.EntityId) ? data.EntityId[0] : data.EntityId;
  var error = document.getElementById("error");
  try {
    var user = (await ZOHO.CRM.CONFIG.getCurrentUser()).users[0];
    var lang = String(user.locale || "es").indexOf("en") === 0 ? "en" : "es";
    var service = await ZOHO.CRM.API.getOrgVariable("service_origin");
    var sessionUrl = await ZOHO.CRM.API.getOrgVariable("session_url");
    var res = await ZOHO.CRM.HTTP.post({
      url: sessionUrl.Success.Content,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ module: data.Entity, recordId: recordId, zohoUserId: user.id, lang: lang }),
    });
    var body = typeof res === "string" ? JSON.parse(res) : res;
    var frame = document.getElementById("frame");
    frame.src = service.Success.Content + body.sidebarUrl;
    frame.hidden = false;
  } catch (e) {
    error.textContent = "No se pudo abrir el asistente / Could not open the assistant: " + (e && e.message ? e.message : e);
    error.hidden = false;
  }
});
ZOHO.embeddedApp.init();
