// The demo CRM: a work queue, a record view and the sidebar. Its "backend" (/demo/session) mints a
// record-bound agent session for the record on screen, as an integrator's backend does with
// createAgentSession(recordId); the page never holds an API key.
import "/plugins/core/asistente-sidebar.js";
import { fetchTransport, wsSubscriber, wsUrlFor } from "/plugins/core/transport.js";

const graphqlUrl = new URL("/graphql", location.href).toString();
const queue = document.getElementById("queue");
const side = document.getElementById("side");
const langSelect = document.getElementById("lang");
let state = { liveCall: false, token: null, sidebar: null, record: null };

const PUSH = `mutation DemoPush($input: PushTranscriptInput!) { pushTranscript(input: $input) { seq kind } }`;

async function loadQueue() {
  const res = await fetch("/demo/queue");
  const data = await res.json();
  state.liveCall = Boolean(data.liveCall);
  queue.textContent = "";
  for (const d of data.debtors) {
    const li = document.createElement("li");
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.record = d.recordId;
    b.textContent = `${d.fullName} · ${d.jurisdiction || ""}`;
    b.addEventListener("click", () => openRecord(d));
    li.append(b);
    queue.append(li);
  }
  const wanted = new URLSearchParams(location.search).get("record");
  const first = data.debtors.find((d) => d.recordId === wanted);
  if (first) openRecord(first);
}

async function session(recordId) {
  const res = await fetch("/demo/session", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ recordId }),
  });
  const body = await res.json();
  if (!res.ok) throw new Error(body.errors ? body.errors[0].message : `HTTP ${res.status}`);
  return body.token;
}

async function openRecord(d) {
  state.record = d;
  for (const b of queue.querySelectorAll("button")) b.setAttribute("aria-current", String(b.dataset.record === d.recordId));
  document.getElementById("record-h").textContent = d.fullName;
  const fields = document.getElementById("record-fields");
  fields.textContent = "";
  for (const [k, v] of [["Registro", d.recordId], ["Jurisdicción", d.jurisdiction], ["Idioma", d.language]]) {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.textContent = v || "—";
    fields.append(dt, dd);
  }
  history.replaceState(null, "", `/demo?record=${encodeURIComponent(d.recordId)}`);
  state.token = await session(d.recordId);
  const sb = document.createElement("asistente-sidebar");
  sb.setAttribute("lang", langSelect.value);
  sb.setAttribute("record-id", d.recordId);
  sb.subscribe = wsSubscriber({ url: wsUrlFor(graphqlUrl), token: () => state.token });
  sb.transport = fetchTransport({ url: graphqlUrl, token: () => state.token });
  side.textContent = "";
  side.append(sb);
  state.sidebar = sb;
  document.getElementById("replay-box").hidden = !state.liveCall;
  document.getElementById("replay-note").hidden = state.liveCall;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function replay() {
  const sb = state.sidebar;
  if (!sb || !sb.debtor) return;
  const button = document.getElementById("replay");
  const status = document.getElementById("replay-status");
  button.disabled = true;
  try {
    const script = await (await fetch("/demo/assets/sample-call.json")).json();
    const callId = crypto.randomUUID();
    sb.followCall(callId);
    await sleep(600); // let the subscription start before the first line
    const transport = fetchTransport({ url: graphqlUrl, token: () => state.token });
    for (const [i, line] of script.lines.entries()) {
      status.textContent = `Línea ${i + 1} de ${script.lines.length}…`;
      const body = await transport(PUSH, { input: { callId, debtorId: sb.debtor.id, speaker: line.speaker, text: line.text } });
      if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
      await sleep(700);
    }
    await sb.endCall();
    status.textContent = "Llamada terminada.";
  } catch (e) {
    status.textContent = `No se pudo reproducir la llamada: ${e.message}`;
  } finally {
    button.disabled = false;
  }
}

langSelect.addEventListener("change", () => { if (state.sidebar) state.sidebar.setAttribute("lang", langSelect.value); });
document.getElementById("replay").addEventListener("click", replay);
loadQueue();
