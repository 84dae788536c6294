// The hosted sidebar page (/sidebar.html?recordId=...&lang=es[&callId=...]) for hosts that show an iframe
// (HubSpot cards, Twilio Flex CRM container, Dynamics side pane, any CRM). The agent session comes from:
//   1. the URL fragment #token=... (set by the integrator's backend or a host endpoint of the service; a
//      fragment is never sent to a server) - removed from the address bar once read;
//   2. a <script id="asistente-boot"> JSON the service injected after verifying the host's proof;
//   3. otherwise a postMessage handshake with the parent page: the page posts {type: "asistente:ready"} and
//      accepts {type: "asistente:session", token} from its parent window only.
// The session is short-lived and bound to the record; the page never holds an API key.
import "./asistente-sidebar.js";
import { fetchTransport, wsSubscriber, wsUrlFor } from "./transport.js";

const params = new URLSearchParams(location.search);
const fragment = new URLSearchParams(location.hash.slice(1));
const bootNode = document.getElementById("asistente-boot");
const boot = bootNode ? JSON.parse(bootNode.textContent) : {};
let token = fragment.get("token") || boot.token || null;
if (fragment.get("token")) history.replaceState(null, "", location.pathname + location.search);

const lang = params.get("lang") || boot.lang || (navigator.language || "es").slice(0, 2);
document.documentElement.lang = lang === "en" ? "en" : "es";
const sidebar = document.querySelector("asistente-sidebar");
sidebar.setAttribute("lang", lang === "en" ? "en" : "es");
const record = params.get("recordId") || boot.recordId;
const debtor = params.get("debtorId") || (!record && boot.debtorId) || null;
if (record) sidebar.setAttribute("record-id", record);
else if (debtor) sidebar.setAttribute("debtor-id", debtor);
if (params.get("callId")) sidebar.setAttribute("call-id", params.get("callId"));

const graphqlUrl = new URL("/graphql", location.href).toString();
function start() {
  sidebar.subscribe = wsSubscriber({ url: wsUrlFor(graphqlUrl), token: () => token });
  sidebar.transport = fetchTransport({ url: graphqlUrl, token: () => token });
}

window.addEventListener("message", (event) => {
  if (event.source !== window.parent || !event.data || typeof event.data !== "object") return;
  if (event.data.type === "asistente:session" && typeof event.data.token === "string") {
    const first = !token;
    token = event.data.token;
    if (first) start();
    else sidebar.reload();
  } else if (event.data.type === "asistente:call") {
    sidebar.followCall(event.data.callId || null);
  }
});
sidebar.addEventListener("asistente:session-expired", () => {
  if (window.parent !== window) window.parent.postMessage({ type: "asistente:session-expired" }, "*");
});

if (token) start();
else if (window.parent !== window) window.parent.postMessage({ type: "asistente:ready", recordId: record }, "*");
else sidebar.transport = fetchTransport({ url: graphqlUrl, token: () => token });
