// Small enhancements only; every page works without this file.
(function () {
  "use strict";
  // Keep the filter panel open beside the results on wide screens.
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia && window.matchMedia("(min-width: 60em)").matches) {
    filters.open = true;
  }
  // Submit the sort choice as soon as it changes.
  var sort = document.getElementById("f-sort");
  if (sort && sort.form) {
    sort.addEventListener("change", function () { sort.form.submit(); });
  }
  // Checkout: the page is re-rendered on the server when a select or choice changes, by pressing the
  // form's own "Perbarui pilihan" button (named in data-refresh); without JavaScript the shopper presses it.
  document.documentElement.classList.add("js");
  Array.prototype.forEach.call(document.querySelectorAll("[data-refresh]"), function (input) {
    input.addEventListener("change", function () {
      var button = document.getElementById(input.getAttribute("data-refresh"));
      if (!button || !input.form) { return; }
      if (input.form.requestSubmit) { input.form.requestSubmit(button); } else { button.click(); }
    });
  });
  // Print buttons (the Content-Security-Policy forbids inline onclick handlers).
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  // Forms that must not be sent twice (the counter's sale): disable the button once sent.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-submit-once]"), function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
    });
  });
})();
