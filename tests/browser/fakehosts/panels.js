// The sidebar's panels against canned answers shaped exactly as API.md describes them (a test double of the
// service, to check the panels' rendering and the calls they make before those operations are merged).
const service = new URLSearchParams(location.search).get("service");
await import(`${service}/plugins/core/asistente-sidebar.js`);
const el = document.querySelector("asistente-sidebar");
window.sent = [];
const CARD = {
  id: "d-1", externalId: "CANNED-1", fullName: "Rosa Elena Quispe Mamani", language: "es", jurisdiction: "PE",
  timezone: "America/Lima", localTime: "2026-12-07T10:15:00-05:00",
  accounts: [{ id: "a-1", externalId: "A-1", product: "préstamo personal", creditor: "Caja Andina", currency: "PEN",
    balance: "4820.50", minimumDue: "310.00", daysPastDue: 62, dueDate: "2026-10-06", inLitigation: false, disputed: false, timeBarred: false }],
  totals: [{ currency: "PEN", balance: "4820.50" }], maxDaysPastDue: 62, segment: { code: "MID-LOW-FAIR", label: "Mora media / Mid" },
  risk: { level: "MEDIUM" }, openPromises: [],
  contactNow: [{ channel: "CALL", allowed: false, codes: ["CONTACT_HOURS"], nextAllowedAt: "2026-12-07T13:00:00Z" }],
};
const SUGGESTIONS = {
  category: "ALREADY_PAID", confidence: 0.91, alternatives: [{ category: "DISPUTE", confidence: 0.05 }],
  suggestions: [
    { id: "s-1", text: "Gracias por avisarme. ¿Me indica la fecha y el número de operación para ubicar su pago?", rationale: "Verificar antes de insistir / Verify before insisting", register: "USTED", technique: "VERIFY" },
    { id: "s-2", text: "Reviso ahora mismo si su pago ya se aplicó a la cuenta.", rationale: "Empatía / Empathy", register: "USTED", technique: "EMPATHY" },
  ],
  nextSteps: [{ kind: "REQUEST_PROOF", message: "Pida el comprobante / Ask for the receipt" }], auditId: "audit-sugg-1",
};
const answers = {
  AsistenteCard: () => ({ data: { debtorByExternalId: CARD } }),
  AsistenteSuggest: () => ({ data: { suggestResponses: SUGGESTIONS } }),
  AsistenteFeedback: (v) => ({ data: { recordSuggestionFeedback: { auditId: v.auditId, feedback: { id: "f-1", action: v.action } } } }),
  AsistenteDraft: () => ({ data: { draftMessage: { text: "Estimada Rosa: le recordamos su saldo de S/ 4,820.50.", subject: null,
    generator: "TEMPLATE", auditId: "audit-draft-1", compliance: { compliant: true, violations: [], warnings: [] } } } }),
  AsistenteEndCall: (v) => ({ data: { endCall: { callId: v.callId, summary: "La deudora dice que pagó; prometió enviar el comprobante.",
    disposition: "DISPUTE", reasons: ["Dice que ya pagó / Says she already paid"], objections: ["ALREADY_PAID"],
    alerts: [{ code: "THREAT_OF_ARREST", message: "Amenaza de arresto / Threat of arrest" }], promise: null, auditId: "audit-end-1" } } }),
};
el.transport = async (query, variables) => {
  const name = (query.match(/(query|mutation|subscription)\s+(\w+)/) || [])[2];
  window.sent.push({ name, variables });
  if (!answers[name]) return { errors: [{ message: `Cannot query field for ${name}`, extensions: { code: "BAD_INPUT" } }] };
  return answers[name](variables);
};
let sink = null;
el.subscribe = (query, variables, s) => { window.subscribed = { query, variables }; sink = s; return () => { window.stopped = true; }; };
window.emit = (ev) => sink.next({ data: { callAssist: ev } });
window.sidebarReady = true;
