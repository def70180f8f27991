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

// A column copied from Excel and pasted into a cell of the statistics table fills that cell and
// the cells below it, one line each; every cell is saved and checked on its own (one change event
// each, the same path as typing). A single value pastes as usual.
(function () {
  "use strict";
  document.addEventListener("paste", function (e) {
    var field = e.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) { return; }
    if (field.name !== "value" || !field.closest("#stat-table")) { return; }
    var text = (e.clipboardData || window.clipboardData).getData("text");
    var lines = text.replace(/\r\n?/g, "\n").split("\n");
    if (lines.length && lines[lines.length - 1] === "") { lines.pop(); }
    if (lines.length < 2) { return; }
    e.preventDefault();
    var fields = Array.prototype.slice.call(document.querySelectorAll("#stat-table [name=value]"))
      .filter(function (f) { return !f.disabled && !f.readOnly; });
    var start = fields.indexOf(field);
    lines.forEach(function (line, i) {
      var target = fields[start + i];
      if (!target) { return; }
      target.value = line.split("\t")[0].trim();
      target.dispatchEvent(new Event("change", { bubbles: true }));
    });
    var filled = Math.min(lines.length, fields.length - start);
    var status = document.getElementById("messages");
    if (status) {
      status.textContent = "已粘贴 " + filled + " 个单元格，逐个保存并校验" +
        (filled < lines.length ? "（表格末尾之后的 " + (lines.length - filled) + " 行未粘贴）" : "");
    }
  });
})();
