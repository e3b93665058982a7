// Live preview for the lesson editor: the server renders and sanitises the Markdown as the
// trainer types. Without this script the Preview button does the same with a page reload.
(function () {
  "use strict";
  var form = document.querySelector("form[data-preview-url]");
  var preview = document.getElementById("lesson-preview");
  var body = form ? form.querySelector("textarea[name=body]") : null;
  if (!form || !preview || !body || !window.fetch) { return; }

  var token = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var latest = 0;

  function refresh() {
    var data = new FormData();
    data.append("body", body.value);
    if (token) { data.append("csrf_token", token.value); }
    var request = ++latest;
    fetch(form.dataset.previewUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      // Only the newest answer counts; the HTML comes from the server's sanitiser.
      if (html !== null && request === latest) { preview.innerHTML = html; }
    }).catch(function () { /* the Preview button still works */ });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  });
}());
