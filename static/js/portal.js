// Small behaviours every page shares. No inline scripts anywhere: the Content-Security-Policy allows only
// files served by the portal itself (script-src 'self').
(function () {
  "use strict";

  // The language switcher submits as soon as a language is chosen; without JavaScript it has a button.
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // A signed-in session ends after some idle minutes (prakerja.middleware.SessionPolicyMiddleware), and only
  // requests count as activity. So that typing a long form is not lost: a person who has typed or clicked
  // since the last request is kept signed in quietly; one who has not is warned two minutes before the end.
  var warning = document.getElementById("session-warning");
  if (!warning) { return; }
  var idle = parseInt(warning.dataset.idleSeconds, 10) * 1000;
  var notice = 120 * 1000;
  var lastRequest = Date.now();
  var lastInteraction = 0;
  var timer = null;

  ["keydown", "input", "pointerdown", "change"].forEach(function (type) {
    document.addEventListener(type, function () { lastInteraction = Date.now(); }, { passive: true, capture: true });
  });

  function show(state) {
    warning.hidden = false;
    warning.querySelectorAll("[data-session-state]").forEach(function (part) {
      part.hidden = part.dataset.sessionState !== state;
    });
    warning.querySelector("[data-session-keepalive]").hidden = state === "ended";
  }

  function keepAlive() {
    return fetch(warning.dataset.keepaliveUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.status !== 204) { show("ended"); return; }
        lastRequest = Date.now();
        warning.hidden = true;
        schedule();
      })
      .catch(function () { schedule(); });  // offline for a moment: try again at the next check
  }

  function check() {
    if (lastInteraction > lastRequest) { keepAlive(); return; }
    show("expiring");
    timer = setTimeout(function () { show("ended"); }, notice);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(idle - notice - (Date.now() - lastRequest), 1000));
  }

  warning.querySelector("[data-session-keepalive]").addEventListener("click", function () {
    clearTimeout(timer);
    keepAlive();
  });
  schedule();
})();
