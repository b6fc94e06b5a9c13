// Test countdown: shows the time the server said was left and, when it runs out, reloads the question so
// the server (the only clock that counts) finishes the test and shows the result. Counting from the
// page's own start survives a phone going to sleep; without JavaScript the server still ends the test.
(function () {
  "use strict";
  var timer = document.querySelector("[data-test-timer]");
  if (!timer) { return; }
  var remaining = parseInt(timer.dataset.remainingSeconds, 10);
  if (isNaN(remaining)) { return; }
  var started = Date.now();
  // One second of grace, so the page never asks before the server's deadline has passed.
  var leaveAt = started + (remaining + 1) * 1000;
  var handle = null;

  function show(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    timer.textContent = minutes + ":" + (rest < 10 ? "0" : "") + rest;
    timer.setAttribute("datetime", "PT" + seconds + "S");
    if (seconds <= 60) { timer.classList.add("text-danger"); }
  }

  function tick() {
    var now = Date.now();
    show(Math.max(0, remaining - Math.floor((now - started) / 1000)));
    if (now >= leaveAt) {
      window.clearInterval(handle);
      window.location.assign(timer.dataset.timeoutUrl);
    }
  }

  handle = window.setInterval(tick, 1000);
  tick();
})();
