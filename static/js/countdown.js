// Counts down to a timed attempt's end; without this script the page states the end time.
(function () {
  "use strict";
  var box = document.querySelector("[data-deadline]");
  var shown = box ? box.querySelector(".countdown") : null;
  if (!shown) { return; }
  // The server's clock decides; this corrects for a browser clock that is off.
  var skew = Date.parse(box.dataset.now) - Date.now();
  var end = Date.parse(box.dataset.deadline);

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var left = Math.max(0, Math.round((end - Date.now() - skew) / 1000));
    var hours = Math.floor(left / 3600);
    var minutes = Math.floor(left / 60) % 60;
    var clock = (hours ? hours + ":" + two(minutes) : minutes) + ":" + two(left % 60);
    shown.textContent = shown.dataset.left.replace("{time}", clock);
    shown.hidden = false;
    // Time is up: a moment later the server has graded the attempt and shows the result.
    window.setTimeout(left ? tick : function () { window.location.reload(); }, left ? 1000 : 2000);
  }
  tick();
}());
