// Transports for <asistente-sidebar>. A transport is `(query, variables) => Promise<body>` where body is
// the GraphQL response ({data, errors}); it rejects only when the service cannot be reached. Adapters
// provide their own (Zendesk client.request, Freshdesk invokeTemplate...); these are the direct ones.

/** A GraphQL-over-HTTP error that carries the HTTP status when the body is not GraphQL. */
export class TransportError extends Error {
  constructor(message, { status = 0, network = false } = {}) {
    super(message);
    this.status = status;
    this.network = network;
  }
}

/** Normalise whatever a host returned into a GraphQL body, or throw a TransportError. */
export function asGraphQLBody(status, text) {
  let body = null;
  if (typeof text === "string") {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  } else if (text && typeof text === "object") {
    body = text;
  }
  if (body && (body.data !== undefined || Array.isArray(body.errors))) return body;
  if (status === 401) {
    return { data: null, errors: [{ message: "unauthenticated", extensions: { code: "UNAUTHENTICATED" } }] };
  }
  throw new TransportError(`HTTP ${status}`, { status });
}

/**
 * fetch() against the service. `token` is a string or a function returning the current agent session
 * token (never an API key: the browser only ever holds a short-lived, record-bound session).
 */
export function fetchTransport({ url, token, fetchImpl }) {
  const doFetch = fetchImpl || ((...a) => globalThis.fetch(...a));
  return async (query, variables) => {
    const current = typeof token === "function" ? await token() : token;
    let res;
    try {
      res = await doFetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          ...(current ? { authorization: `Bearer ${current}` } : {}),
        },
        body: JSON.stringify({ query, variables: variables || {} }),
      });
    } catch (e) {
      throw new TransportError(String(e && e.message ? e.message : e), { network: true });
    }
    return asGraphQLBody(res.status, await res.text());
  };
}

/** The WebSocket URL of a service's /graphql endpoint. */
export function wsUrlFor(httpUrl) {
  const u = new URL(httpUrl, globalThis.location ? globalThis.location.href : undefined);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  return u.toString();
}

/**
 * A subscription over graphql-transport-ws: `subscribe(query, variables, {next, error, complete})`
 * returns a function that stops it. One socket per subscription (a sidebar follows one call at a time).
 */
export function wsSubscriber({ url, token, WebSocketImpl }) {
  const WS = WebSocketImpl || globalThis.WebSocket;
  return (query, variables, sink) => {
    let closed = false;
    const ws = new WS(url, "graphql-transport-ws");
    const id = "1";
    ws.onopen = async () => {
      const current = typeof token === "function" ? await token() : token;
      ws.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${current}` } }));
    };
    ws.onmessage = (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === "connection_ack") {
        ws.send(JSON.stringify({ id, type: "subscribe", payload: { query, variables: variables || {} } }));
      } else if (msg.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
      } else if (msg.type === "next" && msg.id === id) {
        sink.next(msg.payload);
      } else if (msg.type === "error" && msg.id === id) {
        sink.error({ errors: msg.payload });
      } else if (msg.type === "complete" && msg.id === id) {
        closed = true;
        sink.complete && sink.complete();
        ws.close(1000);
      }
    };
    ws.onclose = (ev) => {
      if (closed) return;
      closed = true;
      if (ev.code === 4403 || ev.code === 4401) {
        sink.error({ errors: [{ message: ev.reason, extensions: { code: "UNAUTHENTICATED" } }] });
      } else if (ev.code !== 1000) {
        sink.error({ network: true, message: ev.reason || `closed ${ev.code}` });
      } else {
        sink.complete && sink.complete();
      }
    };
    ws.onerror = () => {};
    return () => {
      if (closed) return;
      closed = true;
      try {
        ws.send(JSON.stringify({ id, type: "complete" }));
      } catch {
        /* already closing */
      }
      ws.close(1000);
    };
  };
}
