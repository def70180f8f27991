// Hide findings below the chosen confidence (and un-highlight their quotes); link list and text.
(function () {
  var select = document.getElementById("min-confidence");
  var list = document.getElementById("findings");
  if (!select || !list) return;
  function apply() {
    var min = parseFloat(select.value || "0");
    var shown = {};
    list.querySelectorAll("li[data-confidence]").forEach(function (li) {
      var ok = parseFloat(li.dataset.confidence) >= min;
      li.hidden = !ok;
      if (ok) shown[li.id] = true;
    });
    document.querySelectorAll("#report-text mark").forEach(function (m) {
      var ids = (m.dataset.findings || "").split(" ");
      m.classList.toggle("dimmed", !ids.some(function (id) { return shown[id]; }));
    });
  }
  select.addEventListener("change", apply);
  document.querySelectorAll("#report-text mark").forEach(function (m) {
    m.addEventListener("click", function () {
      var first = (m.dataset.findings || "").split(" ")[0];
      var li = first && document.getElementById(first);
      if (li) li.scrollIntoView({ block: "nearest" });
    });
  });
  apply();
})();
