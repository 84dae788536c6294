// <asistente-sidebar>: the agent's panel inside any CRM. Framework-free custom element, Shadow DOM,
// plain ES module (no build step). The host gives it:
//   attributes  record-id (the CRM record = the debtor's externalId) or debtor-id, lang (es | en),
//               call-id (follow a live call), utterance-max (default 2000)
//   properties  transport: (query, variables) => Promise<GraphQL body>   (required)
//               subscribe: (query, variables, {next, error, complete}) => stop   (live call; optional)
// Events (bubbling, composed): asistente:loaded {debtor}, asistente:error {key, message, panel},
// asistente:session-expired, asistente:copied {text}.
// Money and dates are shown in the debtor's locale (language + country of jurisdiction) and time zone;
// the interface text follows `lang` (the agent's language).

import { textFor } from "./i18n.js";

const CARD_FIELDS = `id externalId fullName language jurisdiction timezone localTime
  accounts { id externalId product creditor currency balance minimumDue daysPastDue dueDate inLitigation disputed timeBarred }
  totals { currency balance }
  maxDaysPastDue segment { code label } risk { level }
  openPromises { amount currency dueDate }
  contactNow { channel allowed codes nextAllowedAt }`;
export const QUERIES = {
  cardByRecord: `query AsistenteCard($id: String!) { debtorByExternalId(externalId: $id) { ${CARD_FIELDS} } }`,
  cardById: `query AsistenteCardById($id: ID!) { debtor(id: $id) { ${CARD_FIELDS} } }`,
  validate: `query AsistenteValidate($input: AgreementInput!) { validateAgreement(input: $input) {
    valid violations { ruleId code message field } warnings { ruleId code message field }
    schedule { number dueDate amount } currency totalToPay discountAmount discountPercent
    requiresApproval approvalRole auditId
    counterOffer { kind accountIds firstPaymentDate downPayment installments frequency settlementAmount
      installmentAmount totalToPay discountAmount notes schedule { number dueDate amount } } } }`,
  create: `mutation AsistenteCreate($input: AgreementInput!) { createAgreement(input: $input) {
    agreement { id status currency totalToPay installmentCount } auditId } }`,
  suggest: `query AsistenteSuggest($input: SuggestInput!) { suggestResponses(input: $input) {
    category confidence alternatives { category confidence }
    suggestions { id text rationale register technique } nextSteps { kind message } auditId } }`,
  feedback: `mutation AsistenteFeedback($auditId: ID!, $action: FeedbackAction!, $finalText: String) {
    recordSuggestionFeedback(auditId: $auditId, action: $action, finalText: $finalText) { auditId feedback { id action } } }`,
  draft: `query AsistenteDraft($input: DraftInput!) { draftMessage(input: $input) {
    text subject generator auditId compliance { compliant violations { code message } warnings { code message } } } }`,
  callAssist: `subscription AsistenteCall($callId: ID!) { callAssist(callId: $callId) {
    callId seq at kind speaker text auditId
    suggestions { category confidence suggestions { id text rationale } nextSteps { kind message } auditId }
    compliance { compliant violations { code message } warnings { code message } } } }`,
  endCall: `mutation AsistenteEndCall($callId: ID!) { endCall(callId: $callId) {
    callId summary disposition reasons objections alerts { code message } promise { amount currency dueDate } auditId } }`,
};

const DRAFT_CHANNELS = ["SMS", "WHATSAPP", "EMAIL", "LETTER", "VOICEMAIL", "CALL"];
const PURPOSES = [
  "REMINDER", "FIRST_NOTICE", "PAYMENT_PLAN_CONFIRMATION", "PROMISE_CONFIRMATION", "SETTLEMENT_OFFER",
  "PAYMENT_RECEIVED", "CALL_SCRIPT_OPENING", "VOICEMAIL",
];

/** A GraphQL answer with errors and no usable data. */
export class GraphQLFailure extends Error {
  constructor(errors) {
    super((errors && errors[0] && errors[0].message) || "GraphQL error");
    this.errors = errors || [];
    this.code = (this.errors[0] && this.errors[0].extensions && this.errors[0].extensions.code) || null;
  }
}

/** What went wrong, as a key of the UI text's `errors` table plus the service's own detail. */
export function classify(err) {
  if (err && err.network) return { key: "network" };
  if (err instanceof GraphQLFailure) {
    const msg = err.message || "";
    if (/Cannot query field|Unknown type|Unknown argument/.test(msg)) return { key: "unavailable" };
    switch (err.code) {
      case "UNAUTHENTICATED": return { key: "expired" };
      case "NOT_FOUND": return { key: "notFound" };
      case "FORBIDDEN": return { key: "forbidden", detail: msg };
      case "RATE_LIMITED": return { key: "rateLimited" };
      case "BAD_INPUT": return { key: "badInput", detail: msg };
      default: return { key: "generic", detail: msg };
    }
  }
  if (err && err.status === 401) return { key: "expired" };
  if (err && err.status) return { key: "generic", detail: `HTTP ${err.status}` };
  return { key: "network" };
}

/** Append children, skipping null/false (native append would print "null"). */
function put(node, ...children) {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  return put(node, ...children);
}

const STYLE = `
:host { display: block; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1f;
  background: #fff; min-width: 0; max-width: 100%; }
* { box-sizing: border-box; }
.root { padding: 8px; display: grid; gap: 8px; }
h1 { font-size: 16px; margin: 0; }
h2 { font-size: 15px; margin: 0; display: inline; }
h3 { font-size: 15px; margin: 0 0 4px; }
section, details { border: 1px solid #c4c7c5; border-radius: 8px; padding: 8px; min-width: 0; }
summary { cursor: pointer; padding: 2px 0; }
summary:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible {
  outline: 3px solid #0b57d0; outline-offset: 2px; }
dl { display: grid; grid-template-columns: minmax(0, auto) minmax(0, 1fr); gap: 2px 8px; margin: 4px 0; }
dt { color: #444746; } dd { margin: 0; overflow-wrap: anywhere; font-weight: 600; }
ul { margin: 4px 0; padding-left: 18px; } li { margin: 2px 0; overflow-wrap: anywhere; }
label { display: block; margin-top: 6px; color: #1b1b1f; }
input, select, textarea { width: 100%; font: inherit; padding: 6px; border: 1px solid #747775; border-radius: 6px;
  color: #1b1b1f; background: #fff; }
textarea { min-height: 64px; resize: vertical; }
fieldset { border: 1px solid #c4c7c5; border-radius: 6px; margin: 6px 0 0; padding: 4px 8px; min-width: 0; }
fieldset label { display: flex; gap: 6px; align-items: baseline; margin: 2px 0; }
fieldset input { width: auto; }
button { font: inherit; padding: 6px 10px; border-radius: 6px; border: 1px solid #0b57d0; background: #0b57d0;
  color: #fff; cursor: pointer; margin: 6px 6px 0 0; min-height: 32px; }
button.secondary { background: #fff; color: #0b57d0; }
button[disabled] { background: #e3e3e3; border-color: #c4c7c5; color: #444746; cursor: not-allowed; }
.ok { color: #146c2e; } .bad { color: #b3261e; } .muted { color: #444746; }
.badge { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; border: 1px solid currentColor; }
.error { background: #fce8e6; color: #8c1d18; border: 1px solid #b3261e; border-radius: 6px; padding: 6px; }
.error:empty, .status:empty { display: none; }
.status { color: #146c2e; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 2px 4px; border-bottom: 1px solid #e3e3e3; }
td.num, th.num { text-align: right; }
.suggestion { border-left: 3px solid #0b57d0; padding: 4px 8px; margin: 6px 0; }
.event { border-left: 3px solid #c4c7c5; padding: 2px 8px; margin: 6px 0; }
.event.alert { border-color: #b3261e; } .event.reminder { border-color: #8c5000; }
.row { display: flex; flex-wrap: wrap; gap: 0 6px; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;

export class AsistenteSidebar extends HTMLElement {
  static get observedAttributes() {
    return ["record-id", "debtor-id", "lang", "call-id"];
  }

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
    this._transport = null;
    this._subscribe = null;
    this.debtor = null;
    this._loadSeq = 0;
    this._stopCall = null;
    this._callEvents = [];
    this._lastValidation = null;
    this._lastInput = null;
  }

  get transport() { return this._transport; }
  set transport(fn) {
    this._transport = fn;
    if (this.isConnected) this.reload();
  }
  get subscribe() { return this._subscribe; }
  set subscribe(fn) {
    this._subscribe = fn;
    if (this.isConnected) this._renderLive();
  }
  get lang() { return (this.getAttribute("lang") || "es").slice(0, 2); }
  get t() { return textFor(this.lang); }

  connectedCallback() {
    this._renderShell();
    this.reload();
  }

  disconnectedCallback() {
    if (this._stopCall) this._stopCall();
    this._stopCall = null;
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (oldValue === newValue || !this.shadowRoot.firstChild) return;
    if (name === "lang") {
      const kept = this._formValues();
      this._renderShell();
      this._restoreForm(kept);
      if (this.debtor) this._renderDebtor();
    } else if (name === "call-id") {
      this.followCall(newValue);
    } else {
      this.reload();
    }
  }

  // ------------------------------------------------------------------ plumbing
  async _gql(query, variables) {
    if (!this._transport) throw Object.assign(new Error("no transport"), { network: true });
    let body;
    try {
      body = await this._transport(query, variables);
    } catch (e) {
      if (e instanceof GraphQLFailure) throw e;
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { network: e && e.status ? false : true });
    }
    if (!body || (body.errors && body.errors.length && !body.data)) throw new GraphQLFailure(body && body.errors);
    if (body.errors && body.errors.length) {
      // Partial data: the root field that failed is null.
      const anyNull = Object.values(body.data || {}).some((v) => v === null);
      if (anyNull) throw new GraphQLFailure(body.errors);
    }
    return body.data;
  }

  _$(sel) { return this.shadowRoot.querySelector(sel); }

  /** Service messages written "Spanish / English": the agent's half. */
  pick(message) {
    if (typeof message !== "string") return message;
    const parts = message.split(" / ");
    if (parts.length !== 2) return message;
    return this.lang === "en" ? parts[1] : parts[0];
  }

  _fail(panel, err) {
    const info = classify(err);
    const t = this.t;
    let message = t.errors[info.key] || t.errors.generic;
    if (info.key === "badInput" && info.detail) message = `${message}: ${this.pick(info.detail)}`;
    // A draft refused by the contact rules (opted-out channel, cease-contact...) says why.
    if (info.key === "forbidden" && panel === "draft" && info.detail) message = `${t.errors.draftRefused}: ${this.pick(info.detail)}`;
    const box = this._$(`#${panel}-error`);
    if (box) box.textContent = message;
    this._status(panel, "");
    this.dispatchEvent(new CustomEvent("asistente:error", {
      detail: { key: info.key, message, panel }, bubbles: true, composed: true,
    }));
    if (info.key === "expired") {
      this.dispatchEvent(new CustomEvent("asistente:session-expired", { bubbles: true, composed: true }));
    }
    return info;
  }

  _clear(panel) {
    const box = this._$(`#${panel}-error`);
    if (box) box.textContent = "";
  }

  _status(panel, text) {
    const box = this._$(`#${panel}-status`);
    if (box) box.textContent = text;
  }

  _busy(button, busy) {
    if (!button) return;
    button.disabled = busy;
    button.setAttribute("aria-busy", busy ? "true" : "false");
  }

  /** The debtor's locale: their language and the country of their jurisdiction (es-MX, en-US...). */
  get locale() {
    const d = this.debtor;
    if (!d) return this.lang;
    const country = (d.jurisdiction || "").slice(0, 2).toUpperCase();
    const tag = country ? `${d.language || "es"}-${country}` : d.language || "es";
    try {
      return Intl.getCanonicalLocales(tag)[0];
    } catch {
      return d.language || "es";
    }
  }

  money(amount, currency) {
    if (amount === null || amount === undefined || amount === "") return "";
    const n = Number(amount);
    if (!Number.isFinite(n)) return `${amount} ${currency || ""}`.trim();
    try {
      return new Intl.NumberFormat(this.locale, { style: "currency", currency }).format(n);
    } catch {
      return `${amount} ${currency || ""}`.trim();
    }
  }

  dateTime(iso) {
    if (!iso) return "";
    const opts = { dateStyle: "medium", timeStyle: "short" };
    if (this.debtor && this.debtor.timezone) opts.timeZone = this.debtor.timezone;
    try {
      return new Intl.DateTimeFormat(this.locale, opts).format(new Date(iso));
    } catch {
      return iso;
    }
  }

  date(isoDate) {
    if (!isoDate) return "";
    try {
      return new Intl.DateTimeFormat(this.locale, { dateStyle: "medium", timeZone: "UTC" })
        .format(new Date(`${isoDate}T12:00:00Z`));
    } catch {
      return isoDate;
    }
  }

  // ------------------------------------------------------------------ shell
  _renderShell() {
    const t = this.t;
    const root = this.shadowRoot;
    root.textContent = "";
    root.append(el("style", {}, STYLE));
    const opt = (value, label, selected) => el("option", { value, selected }, label);
    root.append(
      el("div", { class: "root", lang: this.lang },
        el("h1", {}, t.title),
        el("section", { id: "card", "aria-labelledby": "card-h" },
          el("h2", { id: "card-h" }, t.card),
          el("div", { id: "card-error", class: "error", role: "alert" }),
          el("div", { id: "card-body", "aria-live": "polite" }, t.loading)),
        el("details", { id: "plan", open: true },
          el("summary", {}, el("h2", {}, t.plan)),
          el("form", { id: "plan-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); this.validatePlan(); } },
            el("fieldset", { id: "plan-accounts" }, el("legend", {}, t.accounts)),
            el("label", { for: "plan-kind" }, t.kind),
            el("select", { id: "plan-kind", onchange: () => this._syncPlanFields() },
              ...["INSTALLMENTS", "SINGLE_PAYMENT", "SETTLEMENT"].map((k) => opt(k, t.kinds[k]))),
            el("div", { class: "f-installments" },
              el("label", { for: "plan-down" }, t.downPayment),
              el("input", { id: "plan-down", inputmode: "decimal", autocomplete: "off" }),
              el("label", { for: "plan-n" }, t.installments),
              el("input", { id: "plan-n", type: "number", min: "1", max: "120", inputmode: "numeric" }),
              el("label", { for: "plan-amount" }, t.installmentAmount),
              el("input", { id: "plan-amount", inputmode: "decimal", autocomplete: "off" }),
              el("label", { for: "plan-freq" }, t.frequency),
              el("select", { id: "plan-freq" },
                ...["MONTHLY", "BIWEEKLY", "WEEKLY"].map((k) => opt(k, t.frequencies[k])))),
            el("div", { class: "f-settlement", hidden: true },
              el("label", { for: "plan-settle" }, t.settlementAmount),
              el("input", { id: "plan-settle", inputmode: "decimal", autocomplete: "off" })),
            el("label", { for: "plan-first" }, t.firstPaymentDate),
            el("input", { id: "plan-first", type: "date" }),
            el("div", { class: "row" },
              el("button", { id: "plan-validate", type: "submit" }, t.validate),
              el("button", { id: "plan-create", type: "button", class: "secondary", disabled: true,
                onclick: () => this.createPlan() }, t.create))),
          el("div", { id: "plan-error", class: "error", role: "alert" }),
          el("div", { id: "plan-status", class: "status", role: "status" }),
          el("div", { id: "plan-result" })),
        el("details", { id: "obj", open: true },
          el("summary", {}, el("h2", {}, t.objections)),
          el("form", { novalidate: true, onsubmit: (e) => { e.preventDefault(); this.suggest(); } },
            el("label", { for: "obj-text" }, t.utterance),
            el("textarea", { id: "obj-text", rows: "3" }),
            el("button", { id: "obj-suggest", type: "submit" }, t.suggest)),
          el("div", { id: "obj-error", class: "error", role: "alert" }),
          el("div", { id: "obj-status", class: "status", role: "status" }),
          el("div", { id: "obj-result" })),
        el("details", { id: "draft" },
          el("summary", {}, el("h2", {}, t.drafts)),
          el("form", { novalidate: true, onsubmit: (e) => { e.preventDefault(); this.draft(); } },
            el("label", { for: "draft-channel" }, t.channelLabel),
            el("select", { id: "draft-channel" }, ...DRAFT_CHANNELS.map((c) => opt(c, t.channel[c]))),
            el("label", { for: "draft-purpose" }, t.purpose),
            el("select", { id: "draft-purpose" }, ...PURPOSES.map((p) => opt(p, t.purposes[p]))),
            el("button", { id: "draft-go", type: "submit" }, t.draft)),
          el("div", { id: "draft-error", class: "error", role: "alert" }),
          el("div", { id: "draft-status", class: "status", role: "status" }),
          el("div", { id: "draft-result" })),
        el("details", { id: "live", open: true },
          el("summary", {}, el("h2", {}, t.live)),
          el("div", { id: "live-error", class: "error", role: "alert" }),
          el("div", { id: "live-status", class: "status", role: "status" }),
          el("div", { id: "live-body" }))),
    );
    this._renderLive();
  }

  _formValues() {
    const out = {};
    for (const node of this.shadowRoot.querySelectorAll("input[id], select[id], textarea[id]")) {
      out[node.id] = node.type === "checkbox" ? node.checked : node.value;
    }
    for (const node of this.shadowRoot.querySelectorAll("input[type=checkbox][data-account]")) {
      out[`acc:${node.dataset.account}`] = node.checked;
    }
    return out;
  }

  _restoreForm(values) {
    for (const [id, v] of Object.entries(values)) {
      if (id.startsWith("acc:")) continue;
      const node = this.shadowRoot.getElementById(id);
      if (!node) continue;
      if (node.type === "checkbox") node.checked = v;
      else node.value = v;
    }
    this._keptAccounts = values;
    this._syncPlanFields();
  }

  // ------------------------------------------------------------------ card
  async reload() {
    const t = this.t;
    const seq = ++this._loadSeq;
    const recordId = this.getAttribute("record-id");
    const debtorId = this.getAttribute("debtor-id");
    if (!this.shadowRoot.firstChild) return;
    this._clear("card");
    if (!this._transport) return;
    if (!recordId && !debtorId) {
      this._$("#card-body").textContent = "";
      this._$("#card-error").textContent = t.errors.noRecord;
      return;
    }
    this._$("#card-body").textContent = t.loading;
    const key = debtorId ? `id:${debtorId}` : `record:${recordId}`;
    if (this._loadedKey && this._loadedKey !== key) this._forgetDebtor();
    this._loadedKey = key;
    try {
      const data = debtorId
        ? await this._gql(QUERIES.cardById, { id: debtorId })
        : await this._gql(QUERIES.cardByRecord, { id: recordId });
      if (seq !== this._loadSeq) return;
      this.debtor = data.debtor || data.debtorByExternalId;
      this._renderDebtor();
      this.dispatchEvent(new CustomEvent("asistente:loaded", {
        detail: { debtor: this.debtor }, bubbles: true, composed: true,
      }));
      if (this.getAttribute("call-id")) this.followCall(this.getAttribute("call-id"));
    } catch (e) {
      if (seq !== this._loadSeq) return;
      this.debtor = null;
      this._$("#card-body").textContent = "";
      this._fail("card", e);
    }
  }

  /** Another record: results shown for the previous debtor go (what the agent typed stays). */
  _forgetDebtor() {
    this.debtor = null;
    this._lastValidation = null;
    this._keptAccounts = {};
    for (const id of ["plan-result", "obj-result", "draft-result", "plan-status", "obj-status", "draft-status"]) {
      const node = this._$(`#${id}`);
      if (node) node.textContent = "";
    }
    for (const n of [...this.shadowRoot.querySelectorAll("#plan-accounts label")]) n.remove();
    const create = this._$("#plan-create");
    if (create) create.disabled = true;
    if (this._stopCall) this._stopCall();
    this._stopCall = null;
    this._callEvents = [];
  }

  _renderDebtor() {
    const d = this.debtor;
    const t = this.t;
    const body = this._$("#card-body");
    body.textContent = "";
    const totals = (d.totals || []).map((x) => this.money(x.balance, x.currency)).join(" · ");
    put(body, 
      el("h3", {}, d.fullName),
      el("dl", {},
        el("dt", {}, t.totalBalance), el("dd", { id: "card-total" }, totals),
        el("dt", {}, t.daysPastDue), el("dd", { id: "card-dpd" }, t.days(d.maxDaysPastDue)),
        el("dt", {}, t.localTime),
        el("dd", { id: "card-local" }, d.localTime ? `${this.dateTime(d.localTime)} (${d.timezone})` : "—"),
        el("dt", {}, t.segment), el("dd", {}, d.segment ? this.pick(d.segment.label) || d.segment.code : ""),
        el("dt", {}, t.risk), el("dd", {}, d.risk ? d.risk.level : "")),
      el("h3", {}, t.contactNow),
      el("ul", { id: "card-contact" }, ...(d.contactNow || []).map((c) => el("li", {},
        el("strong", {}, `${t.channel[c.channel] || c.channel}: `),
        el("span", { class: c.allowed ? "ok" : "bad" }, c.allowed ? t.allowed : t.notAllowed),
        c.allowed ? null : el("span", { class: "muted" },
          ` — ${c.nextAllowedAt ? t.nextAllowed(this.dateTime(c.nextAllowedAt)) : t.noNext}`),
      ))),
      el("h3", {}, t.accountsTitle),
      el("ul", { id: "card-accounts" }, ...(d.accounts || []).map((a) => el("li", {},
        `${a.product}${a.creditor ? ` (${a.creditor})` : ""}: `,
        el("strong", {}, this.money(a.balance, a.currency)),
        ` · ${t.days(a.daysPastDue)}`,
        a.minimumDue ? ` · ${t.minimumDue} ${this.money(a.minimumDue, a.currency)}` : "",
        ...["inLitigation", "disputed", "timeBarred"].filter((f) => a[f]).map((f) => [" ", el("span", { class: "badge bad" }, t.flags[f])]),
      ))),
      (d.openPromises || []).length
        ? el("div", {}, el("h3", {}, t.openPromises), el("ul", {}, ...d.openPromises.map((p) =>
          el("li", {}, `${this.money(p.amount, p.currency)} — ${this.date(p.dueDate)}`))))
        : null,
    );
    this._renderPlanAccounts();
  }

  // ------------------------------------------------------------------ plan
  _renderPlanAccounts() {
    const d = this.debtor;
    const box = this._$("#plan-accounts");
    if (!box || !d) return;
    const kept = this._keptAccounts || {};
    for (const n of [...box.querySelectorAll("label")]) n.remove();
    const firstCurrency = d.accounts.length ? d.accounts[0].currency : null;
    d.accounts.forEach((a, i) => {
      const id = `plan-acc-${i}`;
      const checked = `acc:${a.id}` in kept ? kept[`acc:${a.id}`] : a.currency === firstCurrency;
      put(box, el("label", { for: id },
        el("input", { type: "checkbox", id, "data-account": a.id, checked }),
        `${a.product} — ${this.money(a.balance, a.currency)}`));
    });
    const first = this._$("#plan-first");
    if (first && !first.value && d.localTime) {
      const today = new Date(`${d.localTime.slice(0, 10)}T00:00:00Z`);
      today.setUTCDate(today.getUTCDate() + 3);
      first.value = today.toISOString().slice(0, 10);
    }
    this._syncPlanFields();
  }

  _syncPlanFields() {
    const kind = this._$("#plan-kind");
    if (!kind) return;
    this._$(".f-installments").hidden = kind.value !== "INSTALLMENTS";
    this._$(".f-settlement").hidden = kind.value !== "SETTLEMENT";
  }

  _planInput() {
    const v = (id) => {
      const raw = (this._$(`#${id}`).value || "").trim().replace(/\s/g, "");
      return raw && !raw.includes(".") && /^\d+,\d{1,2}$/.test(raw) ? raw.replace(",", ".") : raw.replace(/,/g, "");
    };
    const kind = this._$("#plan-kind").value;
    const accountIds = [...this.shadowRoot.querySelectorAll("input[data-account]")]
      .filter((n) => n.checked).map((n) => n.dataset.account);
    const input = { debtorId: this.debtor.id, accountIds, kind, firstPaymentDate: this._$("#plan-first").value || null };
    if (kind === "INSTALLMENTS") {
      if (v("plan-down")) input.downPayment = v("plan-down");
      if (v("plan-n")) input.installments = Number(v("plan-n"));
      if (v("plan-amount")) input.installmentAmount = v("plan-amount");
      input.frequency = this._$("#plan-freq").value;
    } else if (kind === "SETTLEMENT") {
      if (v("plan-settle")) input.settlementAmount = v("plan-settle");
    }
    return input;
  }

  async validatePlan() {
    const t = this.t;
    if (!this.debtor) return;
    this._clear("plan");
    const input = this._planInput();
    if (!input.accountIds.length) {
      this._$("#plan-error").textContent = t.errors.noAccounts;
      return;
    }
    const btn = this._$("#plan-validate");
    this._busy(btn, true);
    try {
      const data = await this._gql(QUERIES.validate, { input });
      this._lastValidation = data.validateAgreement;
      this._lastInput = input;
      this._renderValidation();
    } catch (e) {
      this._fail("plan", e);
    } finally {
      this._busy(btn, false);
    }
  }

  _renderValidation() {
    const v = this._lastValidation;
    const t = this.t;
    const box = this._$("#plan-result");
    box.textContent = "";
    const cur = v.currency;
    const issues = (title, list, cls) => list.length
      ? [el("h3", {}, title), el("ul", { class: cls }, ...list.map((i) => el("li", { "data-code": i.code }, this.pick(i.message))))]
      : [];
    const schedule = (rows) => el("table", {},
      el("caption", { class: "visually-hidden" }, t.schedule),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t.number), el("th", { scope: "col" }, t.dueDate),
        el("th", { scope: "col", class: "num" }, t.amount))),
      el("tbody", {}, ...rows.map((r) => el("tr", {}, el("td", {}, String(r.number)), el("td", {}, this.date(r.dueDate)),
        el("td", { class: "num" }, this.money(r.amount, cur))))));
    put(box, 
      el("p", { id: "plan-verdict", class: v.valid ? "ok" : "bad" }, v.valid ? t.valid : t.invalid),
      v.requiresApproval ? el("p", {}, t.requiresApproval(v.approvalRole || "")) : null,
      ...issues(t.violations, v.violations, "bad"),
      ...issues(t.warnings, v.warnings, ""),
      v.totalToPay ? el("p", {}, `${t.totalToPay}: `, el("strong", {}, this.money(v.totalToPay, cur)),
        Number(v.discountAmount || 0) > 0 ? ` · ${t.discount}: ${this.money(v.discountAmount, cur)}` : "") : null,
      v.schedule.length
        ? el("details", { id: "plan-schedule", open: v.schedule.length <= 13 },
          el("summary", {}, el("h3", { style: "display:inline" }, `${t.schedule} (${v.schedule.length})`)), schedule(v.schedule))
        : null,
    );
    const co = v.counterOffer;
    if (co) {
      put(box, el("section", { id: "plan-counter", "aria-labelledby": "plan-counter-h" },
        el("h3", { id: "plan-counter-h" }, t.counterOffer),
        el("p", {}, t.kinds[co.kind] || co.kind,
          co.installments ? ` · ${co.installments} × ${t.frequencies[co.frequency] || co.frequency || ""}` : "",
          co.downPayment ? ` · ${t.downPayment}: ${this.money(co.downPayment, cur)}` : "",
          co.settlementAmount ? ` · ${this.money(co.settlementAmount, cur)}` : "",
          co.totalToPay ? ` · ${t.totalToPay}: ${this.money(co.totalToPay, cur)}` : ""),
        co.notes && co.notes.length ? el("ul", {}, ...co.notes.map((n) => el("li", {}, this.pick(n)))) : null,
        co.schedule && co.schedule.length ? schedule(co.schedule) : null,
        el("button", { type: "button", class: "secondary", id: "plan-use-counter", onclick: () => this.useCounterOffer() },
          t.useCounterOffer)));
    }
    this._$("#plan-create").disabled = !v.valid;
  }

  useCounterOffer() {
    const co = this._lastValidation && this._lastValidation.counterOffer;
    if (!co) return;
    this._$("#plan-kind").value = co.kind;
    this._$("#plan-down").value = co.downPayment || "";
    this._$("#plan-n").value = co.installments || "";
    this._$("#plan-amount").value = co.installmentAmount || "";
    if (co.frequency) this._$("#plan-freq").value = co.frequency;
    this._$("#plan-settle").value = co.settlementAmount || "";
    this._$("#plan-first").value = co.firstPaymentDate;
    for (const n of this.shadowRoot.querySelectorAll("input[data-account]")) {
      n.checked = co.accountIds.includes(n.dataset.account);
    }
    this._syncPlanFields();
    this.validatePlan();
  }

  async createPlan() {
    const t = this.t;
    if (!this._lastValidation || !this._lastValidation.valid) return;
    this._clear("plan");
    const btn = this._$("#plan-create");
    this._busy(btn, true);
    try {
      const data = await this._gql(QUERIES.create, { input: this._planInput() });
      const a = data.createAgreement.agreement;
      this._status("plan", t.created(a.status));
      this._lastValidation = null;
    } catch (e) {
      this._fail("plan", e);
      btn.disabled = false;
    } finally {
      btn.setAttribute("aria-busy", "false");
      if (!this._lastValidation) btn.disabled = true;
    }
  }

  // ------------------------------------------------------------------ objections
  get utteranceMax() {
    return Number(this.getAttribute("utterance-max")) || 2000;
  }

  async suggest() {
    const t = this.t;
    this._clear("obj");
    const text = this._$("#obj-text").value;
    if (!text.trim()) {
      this._$("#obj-error").textContent = t.errors.empty;
      return;
    }
    if (text.length > this.utteranceMax) {
      this._$("#obj-error").textContent = t.errors.tooLong(this.utteranceMax, text.length);
      return;
    }
    if (!this.debtor) return;
    const btn = this._$("#obj-suggest");
    this._busy(btn, true);
    try {
      const input = { debtorId: this.debtor.id, utterance: text };
      if (this.getAttribute("call-id")) input.callId = this.getAttribute("call-id");
      const data = await this._gql(QUERIES.suggest, { input });
      this._renderSuggestions(this._$("#obj-result"), data.suggestResponses, "obj");
    } catch (e) {
      this._fail("obj", e);
    } finally {
      this._busy(btn, false);
    }
  }

  _renderSuggestions(box, r, panel) {
    const t = this.t;
    box.textContent = "";
    const pct = Math.round((r.confidence || 0) * 100);
    put(box, 
      el("p", {}, `${t.category}: `, el("strong", { "data-category": r.category }, t.categories[r.category] || r.category),
        el("span", { class: "muted" }, ` (${pct} % ${t.confidence})`)),
      el("h3", {}, t.suggestions),
      el("ol", { class: "suggestions" }, ...(r.suggestions || []).map((s, i) => this._suggestionItem(s, i, r.auditId, panel))),
      (r.nextSteps || []).length
        ? el("div", {}, el("h3", {}, t.nextSteps), el("ul", {}, ...r.nextSteps.map((n) => el("li", { "data-kind": n.kind }, this.pick(n.message)))))
        : null,
    );
  }

  _suggestionItem(s, i, auditId, panel) {
    const t = this.t;
    const li = el("li", { class: "suggestion", "data-id": s.id });
    const textId = `${panel}-s-${i}`;
    put(li, 
      el("p", { id: textId }, s.text),
      s.rationale ? el("p", { class: "muted" }, this.pick(s.rationale)) : null,
      el("div", { class: "row" },
        el("button", { type: "button", class: "secondary copy", "aria-describedby": textId, onclick: () => this.copy(s.text, panel) }, t.copy),
        auditId ? el("button", { type: "button", class: "secondary used", "aria-describedby": textId,
          onclick: () => this.feedback(auditId, "USED", s.text, panel) }, t.used) : null,
        auditId ? el("button", { type: "button", class: "secondary edited", "aria-describedby": textId,
          onclick: () => this._editFeedback(li, auditId, s.text, panel, i) }, t.edited) : null,
        auditId ? el("button", { type: "button", class: "secondary discarded", "aria-describedby": textId,
          onclick: () => this.feedback(auditId, "DISCARDED", null, panel) }, t.discarded) : null),
    );
    return li;
  }

  _editFeedback(li, auditId, text, panel, i) {
    const t = this.t;
    if (li.querySelector("textarea")) return;
    const id = `${panel}-edit-${i}`;
    const area = el("textarea", { id }, text);
    put(li, el("label", { for: id }, t.finalText), area,
      el("button", { type: "button", class: "save-edit", onclick: () => this.feedback(auditId, "EDITED", area.value, panel) }, t.sendFeedback));
    area.focus();
  }

  async feedback(auditId, action, finalText, panel = "obj") {
    this._clear(panel);
    try {
      await this._gql(QUERIES.feedback, { auditId, action, finalText: finalText || null });
      this._status(panel, this.t.feedbackSaved);
    } catch (e) {
      this._fail(panel, e);
    }
  }

  async copy(text, panel) {
    let ok = false;
    try {
      await navigator.clipboard.writeText(text);
      ok = true;
    } catch {
      const area = el("textarea", { "aria-hidden": "true", style: "position:fixed;left:-9999px" }, text);
      this.shadowRoot.append(area);
      area.select();
      try { ok = document.execCommand("copy"); } catch { ok = false; }
      area.remove();
    }
    this._status(panel, ok ? this.t.copied : "");
    this.dispatchEvent(new CustomEvent("asistente:copied", { detail: { text, ok }, bubbles: true, composed: true }));
  }

  // ------------------------------------------------------------------ drafts
  async draft() {
    const t = this.t;
    if (!this.debtor) return;
    this._clear("draft");
    const btn = this._$("#draft-go");
    this._busy(btn, true);
    try {
      const input = {
        debtorId: this.debtor.id,
        channel: this._$("#draft-channel").value,
        purpose: this._$("#draft-purpose").value,
        language: this.debtor.language,
      };
      const data = await this._gql(QUERIES.draft, { input });
      const d = data.draftMessage;
      const box = this._$("#draft-result");
      box.textContent = "";
      const c = d.compliance;
      put(box, 
        el("p", { id: "draft-verdict", class: c.compliant ? "ok" : "bad" }, c.compliant ? t.compliant : t.notCompliant),
        c.violations.length ? el("ul", { class: "bad" }, ...c.violations.map((v) => el("li", { "data-code": v.code }, this.pick(v.message)))) : null,
        c.warnings.length ? el("ul", {}, ...c.warnings.map((v) => el("li", { "data-code": v.code }, this.pick(v.message)))) : null,
        d.subject ? el("p", {}, `${t.subject}: `, el("strong", {}, d.subject)) : null,
        el("p", { id: "draft-text", style: "white-space: pre-wrap" }, d.text),
        el("button", { type: "button", class: "secondary copy", onclick: () => this.copy(d.subject ? `${d.subject}\n\n${d.text}` : d.text, "draft") }, t.copy),
      );
    } catch (e) {
      this._fail("draft", e);
    } finally {
      this._busy(btn, false);
    }
  }

  // ------------------------------------------------------------------ live call
  _renderLive() {
    const body = this._$("#live-body");
    if (!body) return;
    const t = this.t;
    body.textContent = "";
    if (!this._subscribe) {
      put(body, el("p", { class: "muted" }, t.liveUnavailable));
      return;
    }
    const callId = this.getAttribute("call-id");
    if (!callId) {
      put(body, el("p", { class: "muted", id: "live-idle" }, t.noCall));
      return;
    }
    put(body, el("p", { class: "muted" }, t.following), el("ol", { id: "live-events", "aria-live": "polite" }),
      el("button", { type: "button", id: "live-end", onclick: () => this.endCall() }, t.endCall),
      el("div", { id: "live-summary" }));
    for (const ev of this._callEvents) this._appendCallEvent(ev);
  }

  /** Follow a live call (also set by the call-id attribute). */
  followCall(callId) {
    if (this._stopCall) this._stopCall();
    this._stopCall = null;
    this._callEvents = [];
    if (callId !== this.getAttribute("call-id")) {
      if (callId) this.setAttribute("call-id", callId);
      else this.removeAttribute("call-id");
      return; // attributeChangedCallback calls back here
    }
    this._renderLive();
    if (!callId || !this._subscribe || !this.debtor) return;
    this._clear("live");
    this._stopCall = this._subscribe(QUERIES.callAssist, { callId }, {
      next: (payload) => {
        if (payload.errors && payload.errors.length && !payload.data) {
          this._fail("live", new GraphQLFailure(payload.errors));
          return;
        }
        const ev = payload.data && payload.data.callAssist;
        if (!ev) return;
        this._callEvents.push(ev);
        this._appendCallEvent(ev);
      },
      error: (err) => {
        this._fail("live", err && err.errors ? new GraphQLFailure(err.errors) : { network: true });
      },
      complete: () => {},
    });
  }

  _appendCallEvent(ev) {
    const t = this.t;
    const list = this._$("#live-events");
    if (!list) return;
    const who = ev.speaker === "DEBTOR" ? t.debtorSaid : t.agentSaid;
    const li = el("li", { class: "event", "data-kind": ev.kind, "data-seq": ev.seq });
    if (ev.kind === "SUGGESTIONS") {
      put(li, el("p", {}, el("strong", {}, `${who}: `), ev.text || ""));
      if (ev.suggestions) {
        const box = el("div");
        this._renderSuggestions(box, ev.suggestions, `live-${ev.seq}`);
        put(li, box);
      }
    } else if (ev.kind === "COMPLIANCE_ALERT") {
      li.classList.add("alert");
      put(li, el("p", {}, el("strong", { class: "bad" }, `${t.alert} — `), `${who}: ${ev.text || ""}`),
        el("ul", {}, ...((ev.compliance && ev.compliance.violations) || []).map((v) => el("li", { "data-code": v.code }, this.pick(v.message)))));
    } else if (ev.kind === "DISCLOSURE_REMINDER") {
      li.classList.add("reminder");
      put(li, el("p", {}, el("strong", {}, `${t.reminder}: `), ev.text || ""),
        el("ul", {}, ...((ev.compliance && [...ev.compliance.violations, ...ev.compliance.warnings]) || []).map((v) => el("li", { "data-code": v.code }, this.pick(v.message)))));
    } else if (ev.kind === "CALL_ENDED") {
      put(li, el("p", {}, el("strong", {}, t.callEnded)));
    } else {
      put(li, el("p", {}, ev.text || ev.kind));
    }
    put(list, li);
  }

  /** End the followed call and show its summary and wrap-up. */
  async endCall() {
    const t = this.t;
    const callId = this.getAttribute("call-id");
    if (!callId) return null;
    this._clear("live");
    const btn = this._$("#live-end");
    this._busy(btn, true);
    try {
      const data = await this._gql(QUERIES.endCall, { callId });
      const s = data.endCall;
      const box = this._$("#live-summary");
      box.textContent = "";
      put(box, el("section", { id: "live-wrapup", "aria-labelledby": "live-wrapup-h" },
        el("h3", { id: "live-wrapup-h" }, t.summary),
        el("p", {}, s.summary),
        el("dl", {},
          el("dt", {}, t.disposition), el("dd", { "data-disposition": s.disposition }, s.disposition),
          s.promise ? el("dt", {}, t.promise) : null,
          s.promise ? el("dd", {}, `${this.money(s.promise.amount, s.promise.currency)} — ${this.date(s.promise.dueDate)}`) : null),
        s.reasons.length ? el("div", {}, el("h3", {}, t.reasons), el("ul", {}, ...s.reasons.map((r) => el("li", {}, r)))) : null,
        s.alerts.length ? el("div", {}, el("h3", {}, t.alert), el("ul", { class: "bad" }, ...s.alerts.map((a) => el("li", { "data-code": a.code }, this.pick(a.message))))) : null));
      return s;
    } catch (e) {
      this._fail("live", e);
      return null;
    } finally {
      this._busy(btn, false);
    }
  }
}

if (!customElements.get("asistente-sidebar")) customElements.define("asistente-sidebar", AsistenteSidebar);
