// Print views: a button with data-print opens the print dialog (no inline script: the CSP forbids it).
document.addEventListener("click", function (event) {
  var target = event.target.closest("[data-print]");
  if (!target) return;
  event.preventDefault();
  window.print();
});
