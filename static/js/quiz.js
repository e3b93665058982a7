// Saves each quiz step without a page reload; without this script the forms post as usual.
(function () {
  "use strict";
  var status = document.querySelector(".save-status");
  var stepTwo = document.getElementById("step-2");

  function say(text) {
    if (status) { status.textContent = text; }
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) {
          // The server refused (e.g. time is up): let the normal post show why.
          form.submit();
          return;
        }
        if (form.dataset.autosave === "market" && stepTwo) {
          stepTwo.hidden = false;
          say(status ? status.dataset.saved : "");
          var first = stepTwo.querySelector("input");
          if (first) { first.focus(); }
        } else {
          var next = document.querySelector(".pager a:last-child");
          if (next) { window.location.href = next.href; } else { say("✓"); }
        }
      }).catch(function () { form.submit(); });
    });
  });
}());
