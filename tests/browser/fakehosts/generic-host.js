// A CRM page that embeds the hosted sidebar without a token in the URL and hands it the session (minted by
// its backend) when the page says it is ready: the postMessage handshake of plugins/generic/README.md.
const q = new URLSearchParams(location.search);
const service = q.get("service");
const frame = document.getElementById("side");
window.messages = [];
window.addEventListener("message", (event) => {
  if (event.origin !== service || event.source !== frame.contentWindow) return;
  window.messages.push(event.data.type);
  if (event.data.type === "asistente:ready") {
    frame.contentWindow.postMessage({ type: "asistente:session", token: q.get("token") }, service);
  }
});
frame.src = `${service}/sidebar.html?recordId=${encodeURIComponent(q.get("record"))}&lang=es`;
