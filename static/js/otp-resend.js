// "Kirim ulang" on the OTP page: off, with a countdown, until the server's wait between codes has passed
// (settings.OTP_RESEND_AFTER). Without JavaScript the button stays on and the server refuses an early resend
// with the seconds left, so this only saves a pointless tap.
(function () {
  "use strict";
  var form = document.querySelector("[data-resend]");
  if (!form) { return; }
  var wait = parseInt(form.dataset.resendWait, 10);
  if (isNaN(wait) || wait <= 0) { return; }
  var button = form.querySelector("button");
  var note = form.querySelector("[data-resend-note]");
  var label = button.textContent;
  var until = Date.now() + wait * 1000;
  button.disabled = true;

  function tick() {
    var left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      window.clearInterval(handle);
      button.disabled = false;
      button.textContent = label;
      if (note) { note.textContent = ""; }
      return;
    }
    button.textContent = label + " (" + left + ")";
  }

  var handle = window.setInterval(tick, 1000);
  tick();
})();
