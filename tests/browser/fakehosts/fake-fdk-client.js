// A fake FDK client (what {{{appclient}}} loads): app.initialized() and a client with data.get,
// iparams.get (non-secure only) and request.invokeTemplate, run by the fake host's server-side proxy.
(function () {
  const q = new URLSearchParams(location.search);
  const record = q.get("record");
  window.invoked = [];
  const client = {
    data: {
      async get(name) {
        if (name === "ticket") return { ticket: { id: 202, requester_id: 9001, custom_fields: { cf_debtor_record: record } } };
        if (name === "loggedInUser") return { loggedInUser: { id: 31, contact: { name: "Laura Gómez", language: q.get("lang") || "es" } } };
        throw new Error(`unknown data ${name}`);
      },
    },
    iparams: {
      async get() { return { service_host: "configured-in-the-installation" }; },
    },
    request: {
      async invokeTemplate(name, options) {
        window.invoked.push(name);
        const res = await fetch("/fake-fdk/invoke", {
          method: "POST", headers: { "content-type": "application/json" },
          body: JSON.stringify({ name, context: options.context || {}, body: options.body || "" }),
        });
        const out = await res.json();
        if (out.status >= 400) throw out;
        return out;
      },
    },
  };
  window.app = { initialized: async () => client };
})();
