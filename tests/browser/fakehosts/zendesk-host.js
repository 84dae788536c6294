// The parent side of a fake ZAF: launches the app with its signed JWT, answers the app's client calls
// (get, metadata, invoke, request) over postMessage. request() is Zendesk's proxy: the host makes the call.
const q = new URLSearchParams(location.search);
const service = q.get("service");
const ticket = { "ticket.requester.externalId": q.get("record"), "currentUser.locale": q.get("locale") || "es-MX" };
const form = document.getElementById("launch");
form.action = `${service}/hosts/demo/zendesk?origin=${encodeURIComponent(location.origin)}&app_guid=fake-guid`;
document.getElementById("token").value = q.get("jwt");
window.calls = [];
window.addEventListener("message", async (event) => {
  if (event.origin !== service || !event.data || event.data.zaf !== 1) return;
  const { id, method, args } = event.data;
  window.calls.push(method);
  let result = null, error = null;
  try {
    if (method === "get") {
      const paths = Array.isArray(args[0]) ? args[0] : [args[0]];
      result = Object.fromEntries(paths.map((p) => [p, ticket[p]]));
    } else if (method === "metadata") {
      result = { settings: { record_field: "ticket.requester.externalId" }, installationId: 77 };
    } else if (method === "invoke" || method === "on") {
      result = {};
    } else if (method === "request") {
      const o = args[0];
      const res = await fetch(o.url, {
        method: o.type || "GET", headers: { ...(o.headers || {}), "content-type": o.contentType || "application/json" }, body: o.data,
      });
      const text = await res.text();
      result = { status: res.status, responseText: text };
      if (!res.ok) { error = result; result = null; }
    }
  } catch (e) {
    error = { status: 0, statusText: String(e) };
  }
  event.source.postMessage({ zaf: 1, id, result, error }, event.origin);
});
form.submit();
