// Saves each quiz step without a page reload; without this script the forms post as usual.
(function () {
  "use strict";

  function say(text) {
    var status = document.querySelector(".save-status");
    if (status) { status.textContent = text; }
  }

  // A dialogue goes on in place: the next customer line replaces the form that answered.
  function refresh() {
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.querySelector(".quiz-item");
        var here = document.querySelector(".quiz-item");
        if (!fresh || !here) { window.location.reload(); return; }
        here.replaceWith(fresh);
        bind(fresh);
        var next = fresh.querySelector("input[type=radio]") || document.querySelector(".pager a:last-child");
        if (next) { next.focus(); }
      })
      .catch(function () { window.location.reload(); });
  }

  function saved(form) {
    var stepTwo = document.getElementById("step-2");
    if (form.dataset.autosave === "turn") {
      refresh();
    } else if (form.dataset.autosave === "market" && stepTwo) {
      stepTwo.hidden = false;
      var status = document.querySelector(".save-status");
      say(status ? status.dataset.saved : "");
      var first = stepTwo.querySelector("input[type=radio]");
      if (first) { first.focus(); }
    } else {
      var next = document.querySelector(".pager a:last-child");
      if (next) { window.location.href = next.href; } else { say("✓"); }
    }
  }

  function bind(root) {
    root.querySelectorAll("form[data-autosave]").forEach(function (form) {
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
          // The server refused (e.g. time is up): let the normal post show why.
          if (!result.ok) { form.submit(); return; }
          saved(form);
        }).catch(function () { form.submit(); });
      });
    });
  }

  bind(document);
}());
