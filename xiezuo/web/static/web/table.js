// The county's table: Enter in a cell commits it like leaving the field (one save, through htmx).
// Only the cell forms are held back; every other form on the page (a row comment, a reply)
// submits as usual.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.closest("#stat-table") && form.hasAttribute("hx-post")) {
      e.preventDefault();
      if (document.activeElement) { document.activeElement.blur(); }
    }
  });
})();
