// Metrics page: reloads the server-rendered Live section every 15 seconds while the tab is visible.
(function () {
  "use strict";
  var EVERY_MS = 15000;
  var section = document.querySelector("[data-live-metrics]");
  if (!section || !window.fetch) { return; }

  function reload() {
    if (document.hidden) { return; }
    fetch(section.getAttribute("data-live-metrics"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.redirected || r.status === 401) { window.location = "/login"; return null; }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.text();
      })
      .then(function (html) {
        if (html !== null) { section.innerHTML = html; } // server-rendered: every value escaped by the template engine
      })
      .catch(function () { /* keep the last figures; the next tick tries again */ });
  }

  window.setInterval(reload, EVERY_MS);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) { reload(); } });
})();
