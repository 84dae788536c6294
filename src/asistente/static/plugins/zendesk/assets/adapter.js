// Zendesk (ZAF v2) adapter. Zendesk POSTed its signed app JWT with this page's first request; the service
// verified it and injected a short-lived agent session (#asistente-boot). The record id comes from the ZAF
// client; every GraphQL call goes through client.request (Zendesk's proxy, domainWhitelist).
import "/plugins/core/asistente-sidebar.js";
import { asGraphQLBody, TransportError } from "/plugins/core/transport.js";

const boot = JSON.parse(document.getElementById("asistente-boot").textContent);
const client = globalThis.ZAFClient.init();
const sidebar = document.querySelector("asistente-sidebar");
const graphqlUrl = new URL("/graphql", location.href).toString();

async function transport(query, variables) {
  try {
    const res = await client.request({
      url: graphqlUrl,
      type: "POST",
      contentType: "application/json",
      headers: { Authorization: `Bearer ${boot.token}` },
      data: JSON.stringify({ query, variables: variables || {} }),
      httpCompleteResponse: true,
    });
    return asGraphQLBody(res.status || 200, res.responseJSON || res.responseText);
  } catch (err) {
    if (err && err.status) return asGraphQLBody(err.status, err.responseJSON || err.responseText);
    throw new TransportError(String((err && err.statusText) || err), { network: true });
  }
}

async function start() {
  const meta = await client.metadata();
  const field = (meta.settings && meta.settings.record_field) || "ticket.requester.externalId";
  const data = await client.get([field, "currentUser.locale"]);
  const locale = String(data["currentUser.locale"] || "es");
  sidebar.setAttribute("lang", locale.startsWith("en") ? "en" : "es");
  sidebar.setAttribute("record-id", String(data[field] || ""));
  sidebar.transport = transport;
  client.invoke("resize", { width: "100%", height: "640px" });
  client.on("ticket.requester.id.changed", async () => {
    const again = await client.get(field);
    sidebar.setAttribute("record-id", String(again[field] || ""));
  });
}
start();
