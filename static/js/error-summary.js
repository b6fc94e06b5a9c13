// The error summary (templates/_error_summary.html) takes the focus when the page opens, so a screen reader
// reads "Ada masalah" and its list first and a keyboard user starts at the links to the fields at fault.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
