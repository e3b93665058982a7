// Sends the browser's time zone with the sign-in form, to offer it to a new account.
(function () {
  "use strict";
  var zone = window.Intl && Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) { return; }
  document.querySelectorAll("input[name=time_zone]").forEach(function (input) {
    input.value = zone;
  });
}());
