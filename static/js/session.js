// The session clock (security/): a warning shortly before the idle time-out, with a button to keep
// working; typing or clicking counts as activity (at most one request a minute). When the session
// has ended, a note says that what is typed is kept on submit. No inline script (the CSP forbids it).
(function () {
  "use strict";
  var body = document.body;
  var url = body.getAttribute("data-session-clock");
  if (!url) { return; }
  var warning = document.getElementById("session-warning");
  var ended = document.getElementById("session-ended");
  var minutes = document.getElementById("session-minutes");
  var timer = null;
  var lastPing = Date.now();

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function show(element, visible) { if (element) { element.hidden = !visible; } }

  function schedule(state) {
    window.clearTimeout(timer);
    if (!state || !state.signed_in || state.seconds_left <= 0) {
      show(warning, false);
      show(ended, true);
      return;
    }
    show(ended, false);
    var untilWarning = state.seconds_left - state.warning_seconds;
    if (untilWarning > 0) {
      show(warning, false);
      timer = window.setTimeout(check, untilWarning * 1000);
    } else {
      if (minutes) { minutes.textContent = String(Math.max(1, Math.ceil(state.seconds_left / 60))); }
      show(warning, true);
      timer = window.setTimeout(check, Math.min(state.seconds_left, 30) * 1000 + 500);
    }
  }

  function answer(response) {
    if (response.status === 401) { return { signed_in: false }; }
    return response.json();
  }

  function check() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(answer).then(schedule).catch(function () { timer = window.setTimeout(check, 30000); });
  }

  function keepAlive() {
    lastPing = Date.now();
    fetch(url, { method: "POST", credentials: "same-origin",
                 headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() } })
      .then(answer).then(schedule).catch(function () {});
  }

  ["keydown", "input", "pointerdown"].forEach(function (name) {
    document.addEventListener(name, function () {
      if (Date.now() - lastPing > 60000 && (!ended || ended.hidden)) { keepAlive(); }
    }, { passive: true });
  });
  var button = document.getElementById("session-continue");
  if (button) { button.addEventListener("click", keepAlive); }

  schedule({ signed_in: true, seconds_left: Number(body.getAttribute("data-session-seconds-left")),
             warning_seconds: Number(body.getAttribute("data-session-warning-seconds")) });
})();
