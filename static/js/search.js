// Suggestions under the search box as the shopper types (an ARIA combobox with a listbox), from
// GET /api/search/suggest. Progressive enhancement only: without this file the search form submits
// as usual, and Enter without a chosen suggestion still does.
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var form = input && input.form;
  var endpoint = form && form.getAttribute("data-suggest");
  if (!endpoint || !window.fetch) { return; }

  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", form.getAttribute("data-suggest-label") || "");
  list.hidden = true;
  form.appendChild(list);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  var options = [], active = -1, timer = null, asked = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function choose(index) {
    active = index;
    options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function show(suggestions) {
    list.textContent = "";
    options = suggestions.map(function (suggestion, i) {
      var option = document.createElement("li");
      option.id = "site-search-suggestion-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = suggestion.name;
      option.setAttribute("data-url", suggestion.url);
      // mousedown, not click: the input's blur would close the list before a click lands.
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.assign(suggestion.url);
      });
      list.appendChild(option);
      return option;
    });
    if (!options.length) { close(); return; }
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    choose(-1);
  }

  function ask() {
    var q = input.value.trim();
    if (q.length < 2) { asked = q; close(); return; }
    if (q === asked) { return; }
    asked = q;
    fetch(endpoint + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (suggestions) { if (q === input.value.trim()) { show(suggestions); } })
      .catch(close);
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (list.hidden) {
      if (event.key === "ArrowDown" && options.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      return;
    }
    if (event.key === "ArrowDown") { event.preventDefault(); choose((active + 1) % options.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); choose(active <= 0 ? options.length - 1 : active - 1); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(options[active].getAttribute("data-url"));
    }
  });
  input.addEventListener("blur", close);
})();
