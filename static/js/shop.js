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
})();
