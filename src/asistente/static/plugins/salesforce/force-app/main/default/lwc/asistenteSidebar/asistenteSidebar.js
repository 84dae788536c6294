// Salesforce record page: Apex (running as the user, server side) mints a record-bound agent session
// through a Named Credential that holds the asistente INTEGRATOR key; the component shows the hosted
// sidebar page with that short-lived session. The key never reaches the browser.
import { LightningElement, api } from "lwc";
import mintSession from "@salesforce/apex/AsistenteSession.mint";
import LANG from "@salesforce/i18n/lang";

export default class AsistenteSidebar extends LightningElement {
    @api recordId;
    @api serviceOrigin;
    @api height = 720;
    src;
    error;

    get frameStyle() {
        return `border:0;height:${this.height}px`;
    }

    async connectedCallback() {
        try {
            const session = await mintSession({ recordId: this.recordId });
            const lang = String(LANG || "es").startsWith("en") ? "en" : "es";
            const query = new URLSearchParams({ recordId: session.recordId, lang });
            this.src = `${this.serviceOrigin}/sidebar.html?${query}#token=${encodeURIComponent(session.token)}`;
        } catch (e) {
            this.error = (e && e.body && e.body.message) || "No se pudo abrir el asistente.";
        }
    }
}
