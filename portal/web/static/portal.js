// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to the first field with an error, so keyboard and screen-reader users land there.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
    // Prevent double submission of a form (a second click while the first is on its way).
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function () {
        setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  });
})();
