// graphql-http's server audit suite (GraphQL over HTTP) against a running server.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql [bearer-credential]
// Prints one JSON line per audit and a summary; exits 1 when any audit is not "ok".
import { auditServer } from 'graphql-http';

const url = process.argv[2] || 'http://127.0.0.1:8000/graphql';
const credential = process.argv[3] || process.env.AUDIT_AUTHORIZATION || '';

const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers || {});
  if (credential && !headers.has('authorization')) headers.set('authorization', `Bearer ${credential}`);
  return fetch(input, { ...init, headers });
};

const results = await auditServer({ url, fetchFn });
let ok = 0;
for (const r of results) {
  if (r.status === 'ok') ok += 1;
  const line = { id: r.id, name: r.name, status: r.status };
  if (r.status !== 'ok') {
    line.reason = r.reason;
    try {
      line.responseStatus = r.response.status;
      line.responseBody = (await r.response.text()).slice(0, 300);
    } catch (e) {
      line.responseBody = `(unreadable: ${e})`;
    }
  }
  console.log(JSON.stringify(line));
}
console.log(JSON.stringify({ summary: { ok, total: results.length } }));
process.exit(ok === results.length ? 0 : 1);
