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
