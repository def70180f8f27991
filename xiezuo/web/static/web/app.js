// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy can forbid
// inline scripts and event-handler attributes.
(function () {
  "use strict";
  // A form with data-confirm asks before it is sent (deleting a ledger record).
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!(form instanceof HTMLFormElement)) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); return; }
    // Enter in a cell of the statistics table commits it like leaving the field: one save,
    // through htmx. Only the cell forms (hx-post) are held back: a row comment or a reply on the
    // same table submits as usual.
    if (form.closest("#stat-table") && form.hasAttribute("hx-post")) {
      e.preventDefault();
      if (document.activeElement) { document.activeElement.blur(); }
    }
  });
})();
