// Freshdesk (FDK platform 3.0) adapter. Every call leaves through a request template (config/requests.json)
// run by Freshworks' proxy: `asistenteSession` injects the secure iparam INTEGRATOR key to mint an agent
// session bound to the ticket's record; `asistenteGraphql` sends that session. The browser holds only the
// short-lived, record-bound session, never the key.
// The core is loaded from the service itself (add it to the app's assets if your CSP forbids that):
const SERVICE = document.querySelector('meta[name="asistente-service"]');

const SESSION = `mutation($agent: String!, $name: String, $record: String!) {
  createAgentSession(agentId: $agent, name: $name, recordId: $record) { token expiresAt debtorId } }`;

function parse(response) {
  const text = response && (response.response !== undefined ? response.response : response);
  return typeof text === "string" ? JSON.parse(text) : text;
}

async function start() {
  const client = await globalThis.app.initialized();
  const [{ ticket }, { loggedInUser }, iparams] = await Promise.all([
    client.data.get("ticket"), client.data.get("loggedInUser"), client.iparams.get("service_host"),
  ]);
  const base = SERVICE ? SERVICE.content : `https://${iparams.service_host}`;
  await import(`${base}/plugins/core/asistente-sidebar.js`);
  const { asGraphQLBody, TransportError } = await import(`${base}/plugins/core/transport.js`);
  const record = String((ticket.custom_fields && ticket.custom_fields.cf_debtor_record) || ticket.requester_id || "");
  const sidebar = document.querySelector("asistente-sidebar");
  const lang = String(loggedInUser.contact && loggedInUser.contact.language || "es").startsWith("en") ? "en" : "es";
  sidebar.setAttribute("lang", lang);

  const invoke = async (name, context, body) => {
    try {
      const res = await client.request.invokeTemplate(name, { context, body: JSON.stringify(body) });
      return asGraphQLBody(res.status || 200, parse(res));
    } catch (err) {
      if (err && err.status && err.status < 500) return asGraphQLBody(err.status, parse(err));
      throw new TransportError(String((err && err.message) || err), { network: !(err && err.status), status: err && err.status });
    }
  };

  let session = null;
  const mint = async () => {
    const body = await invoke("asistenteSession", {}, {
      query: SESSION,
      variables: { agent: `freshdesk:${loggedInUser.id}`, name: loggedInUser.contact && loggedInUser.contact.name, record },
    });
    if (!body.data || !body.data.createAgentSession) return body;
    session = body.data.createAgentSession.token;
    return null;
  };
  sidebar.setAttribute("record-id", record);
  sidebar.transport = async (query, variables) => {
    if (!session) {
      const failed = await mint();
      if (failed) return failed;
    }
    return invoke("asistenteGraphql", { session }, { query, variables: variables || {} });
  };
  sidebar.addEventListener("asistente:session-expired", () => { session = null; });
}
start();
