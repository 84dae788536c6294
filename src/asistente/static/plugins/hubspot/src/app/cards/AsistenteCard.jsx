// HubSpot app card (developer platform 2025.2). hubspot.fetch signs the request (X-HubSpot-Signature-v3);
// the service verifies it with the app's client secret, refuses it after five minutes or a second time,
// and mints a session bound to the signed record id. The card then opens the hosted sidebar in an iframe.
import React, { useState } from "react";
import { Button, ErrorState, Text, hubspot } from "@hubspot/ui-extensions";

const SERVICE = "https://ASISTENTE_HOST";
const TENANT = "TENANT";

hubspot.extend(({ context, actions }) => <AsistenteCard context={context} actions={actions} />);

function AsistenteCard({ context, actions }) {
  const [error, setError] = useState(null);
  const lang = String(context.user.locale || "es").startsWith("en") ? "en" : "es";
  const open = async () => {
    setError(null);
    try {
      const res = await hubspot.fetch(`${SERVICE}/hosts/${TENANT}/hubspot/session`, {
        method: "POST",
        body: { recordId: String(context.crm.objectId), lang },
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body.errors ? body.errors[0].message : `HTTP ${res.status}`);
      actions.openIframeModal({ uri: `${SERVICE}${body.sidebarUrl}`, height: 900, width: 420, title: "Asistente" });
    } catch (e) {
      setError(String(e.message || e));
    }
  };
  return (
    <>
      <Text>{lang === "en" ? "Debtor card, answers, plans and drafts." : "Ficha, respuestas, planes y borradores."}</Text>
      <Button onClick={open}>{lang === "en" ? "Open assistant" : "Abrir asistente"}</Button>
      {error && <ErrorState title={lang === "en" ? "Could not open" : "No se pudo abrir"}><Text>{error}</Text></ErrorState>}
    </>
  );
}
