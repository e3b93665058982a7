// Saves each quiz step without a page reload; without this script the forms post as usual.
(function () {
  "use strict";

  function say(text) {
    var status = document.querySelector(".save-status");
    if (status) { status.textContent = text; }
  }

  // Bring a part of the item into view and put the keyboard there: below the situation
  // where a phone keeps it pinned (then as tall as the margin), else at the top.
  function show(target, focus) {
    var situation = document.querySelector(".quiz-item .situation");
    if (situation && getComputedStyle(situation).position === "sticky") {
      target.style.scrollMarginTop = (situation.offsetHeight + 8) + "px";
      // A long situation scrolls inside its block: the keyboard must reach it too.
      if (situation.scrollHeight > situation.clientHeight) { situation.tabIndex = 0; }
    }
    target.scrollIntoView({ block: "start" });
    if (focus) { focus.focus({ preventScroll: true }); }
  }

  // The item as the server now shows it (a dialogue's next line, or an answer's feedback),
  // swapped in place with the question numbers and the pager.
  function refresh() {
    fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var parts = [".quiz-item", ".item-nav", ".pager"];
        if (!page.querySelector(".quiz-item") || !document.querySelector(".quiz-item")) {
          window.location.reload();
          return;
        }
        parts.forEach(function (selector) {
          var fresh = page.querySelector(selector);
          var here = document.querySelector(selector);
          if (fresh && here) { here.replaceWith(fresh); }
        });
        var item = document.querySelector(".quiz-item");
        bind(item);
        centreCurrentNumber();
        var feedback = item.querySelector("#feedback");
        var radio = item.querySelector("input[type=radio]");
        if (feedback) { show(feedback, feedback); }
        else if (radio) { radio.focus(); }
        else { document.querySelector(".pager a:last-child").focus(); }
      })
      .catch(function () { window.location.reload(); });
  }

  function saved(form, body) {
    var stepTwo = document.getElementById("step-2");
    var next = body.next ? new URL(body.next, window.location.href) : null;
    if (form.dataset.autosave === "market" && stepTwo) {
      stepTwo.hidden = false;
      var status = document.querySelector(".save-status");
      say(status ? status.dataset.saved : "");
      show(stepTwo, stepTwo.querySelector("input[type=radio]:checked") ||
        stepTwo.querySelector("input[type=radio]"));
    } else if (form.dataset.autosave === "turn" ||
               (next && next.pathname === window.location.pathname)) {
      refresh();
    } else if (next) {
      window.location.href = next.href;
    } else {
      say("✓");
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
          saved(form, result.body);
        }).catch(function () { form.submit(); });
      });
    });
  }

  // On a phone the question numbers scroll sideways in one row: centre the current one.
  function centreCurrentNumber() {
    var current = document.querySelector('.item-nav [aria-current="step"]');
    var row = current && current.closest("ol");
    if (row && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
    }
  }

  bind(document);
  centreCurrentNumber();
}());
