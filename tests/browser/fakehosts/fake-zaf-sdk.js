// A fake ZAF SDK (served in place of static.zdassets.com's): ZAFClient.init() and a client whose calls go
// to the parent frame over postMessage, as the real SDK does.
(function () {
  let seq = 0;
  const pending = new Map();
  const parentOrigin = new URLSearchParams(location.search).get("origin");
  window.addEventListener("message", (e) => {
    if (e.origin !== parentOrigin || !e.data || e.data.zaf !== 1) return;
    const p = pending.get(e.data.id);
    if (!p) return;
    pending.delete(e.data.id);
    if (e.data.error) p.reject(e.data.error); else p.resolve(e.data.result);
  });
  const call = (method, ...args) => new Promise((resolve, reject) => {
    const id = ++seq;
    pending.set(id, { resolve, reject });
    window.parent.postMessage({ zaf: 1, id, method, args }, parentOrigin);
  });
  window.ZAFClient = {
    init() {
      return {
        get: (paths) => call("get", paths),
        metadata: () => call("metadata"),
        invoke: (...a) => call("invoke", ...a),
        on: () => {},
        request: (options) => call("request", options),
      };
    },
  };
})();
