// Support console: live fragments over server-sent events, and logged reveal of hidden personal data.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";

  function refresh(el) {
    var url = el.getAttribute("data-live-fragment");
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 401) { window.location = "/login"; return null; }
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        var waiting = r.headers.get("X-Queue-Waiting");
        if (waiting !== null) { setCount(waiting); }
        var status = r.headers.get("X-Ticket-Status");
        var badge = document.getElementById("ticket-status");
        if (status && badge && badge.textContent !== status) { badge.textContent = status; }
        return r.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        var atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        el.innerHTML = html; // server-rendered fragment: every value is escaped by the template engine
        if (atBottom) { el.scrollTop = el.scrollHeight; }
      });
  }

  function setCount(n) {
    var count = document.getElementById("queue-count");
    if (count) { count.textContent = Number(n) > 0 ? "(" + Number(n) + ")" : ""; }
  }

  function refreshAll() {
    var els = document.querySelectorAll("[data-live-fragment]");
    for (var i = 0; i < els.length; i++) { refresh(els[i]).catch(function () {}); }
    if (!els.length) {
      fetch("/fragments/queue", { credentials: "same-origin" }).then(function (r) {
        if (r.ok) { setCount(r.headers.get("X-Queue-Waiting") || 0); }
      }).catch(function () {});
    }
  }

  function connect() {
    if (!window.EventSource || !document.querySelector(".topbar")) { return; }
    var state = document.getElementById("live-state");
    var source = new EventSource("/events");
    source.addEventListener("hello", function () {
      if (state) { state.textContent = "Live: new tickets appear here without reloading."; }
      refreshAll();
    });
    source.addEventListener("change", refreshAll);
    source.onerror = function () {
      if (state) { state.textContent = "Connection lost; reconnecting…"; }
    };
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.pii") : null;
    if (!button) { return; }
    button.disabled = true;
    fetch(button.getAttribute("data-reveal-url"), {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify({ index: Number(button.getAttribute("data-index")) })
    }).then(function (r) {
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return r.json();
    }).then(function (data) {
      var span = document.createElement("span");
      span.className = "pii-revealed";
      span.textContent = data.value;
      span.title = "Revealed (" + data.kind + "); this was logged";
      button.replaceWith(span);
    }).catch(function () {
      button.disabled = false;
      button.title = "Could not reveal; try again";
    });
  });

  var messages = document.getElementById("messages");
  if (messages) { messages.scrollTop = messages.scrollHeight; }
  connect();
})();
