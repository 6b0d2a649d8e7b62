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
})();
