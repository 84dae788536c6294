// Twilio Flex plugin: the CRM container shows the asistente sidebar for the selected task. The plugin sends
// the agent's Flex token (manager.store...ssoTokenPayload.token) and the task's record id to the service,
// which validates the token with Twilio (POST /v1/Accounts/{AccountSid}/Tokens/validate) and mints a
// short-lived agent session bound to that record.
import { FlexPlugin } from "@twilio/flex-plugin";

const SERVICE = process.env.FLEX_APP_ASISTENTE_ORIGIN; // e.g. https://asistente.example.com
const TENANT = process.env.FLEX_APP_ASISTENTE_TENANT;

export default class AsistentePlugin extends FlexPlugin {
  constructor() {
    super("AsistentePlugin");
  }

  async init(flex, manager) {
    const sessions = new Map(); // task sid -> sidebar URL
    const lang = String(manager.configuration.language || "es").startsWith("en") ? "en" : "es";

    const sidebarFor = async (task) => {
      const recordId = task.attributes.debtorRecordId || task.attributes.crmid;
      if (!recordId) return null;
      if (!sessions.has(task.sid)) {
        const token = manager.store.getState().flex.session.ssoTokenPayload.token;
        const res = await fetch(`${SERVICE}/hosts/${TENANT}/flex/session`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ token, recordId, lang }),
        });
        if (!res.ok) return null;
        const body = await res.json();
        const callId = task.attributes.call_sid ? `&callId=${encodeURIComponent(task.attributes.call_sid)}` : "";
        sessions.set(task.sid, `${SERVICE}${body.sidebarUrl.replace("#", `${callId}#`)}`);
      }
      return sessions.get(task.sid);
    };

    flex.CRMContainer.defaultProps.uriCallback = (task) =>
      task ? sidebarFor(task).then((url) => url || "about:blank") : "about:blank";
    manager.events.addListener("taskCompleted", (task) => sessions.delete(task.sid));
  }
}
