// Portal behaviour without inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
});
// A partial refresh after the session ended: the session clock shows the note (static/js/session.js).
document.addEventListener("htmx:responseError", function (event) {
  if (event.detail.xhr && event.detail.xhr.status === 401) {
    var ended = document.getElementById("session-ended");
    if (ended) { ended.hidden = false; }
  }
});

// The expert's score form: the weighted total (Σ weight × score) follows what is typed. Exact: every
// weight and score has at most two decimals, so the sum is taken in hundredths × hundredths.
function portalRunningTotal(form) {
  var output = form.querySelector("[data-total-output]");
  if (!output) { return; }
  var units = 0;
  form.querySelectorAll("input[data-weight]").forEach(function (input) {
    var text = input.value.trim();
    if (!/^\d+(\.\d{1,2})?$/.test(text)) { return; }
    units += Math.round(parseFloat(input.dataset.weight) * 100) * Math.round(parseFloat(text) * 100);
  });
  var whole = Math.floor(units / 10000);
  var rest = String(units % 10000).padStart(4, "0").replace(/0+$/, "");
  output.textContent = rest ? whole + "." + rest : String(whole);
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-running-total]").forEach(function (form) {
    form.addEventListener("input", function () { portalRunningTotal(form); });
    portalRunningTotal(form);
  });
});
