// One bar chart from the JSON the page carries (#bar-data: title, units, series), drawn with the
// ECharts the app serves itself. Labels are shown on the bars and long unit names are truncated,
// so nothing overlaps at 1024 px; the table below the chart carries every figure.
(function () {
  "use strict";
  var el = document.getElementById("bar-chart");
  var source = document.getElementById("bar-data");
  if (!el || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var height = Math.max(220, 60 + data.units.length * (data.series.length > 1 ? 44 : 28));
  el.style.height = height + "px";
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    color: ["#8da9c4", "#1d4e89", "#c8702a"],
    aria: { enabled: true, decal: { show: true } },
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, data: data.series.map(function (s) { return s.name; }) },
    grid: { left: 8, right: 64, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", splitNumber: 4, axisLabel: { hideOverlap: true } },
    yAxis: { type: "category", data: data.units, inverse: true,
             axisLabel: { width: 140, overflow: "truncate" } },
    series: data.series.map(function (s) {
      return { name: s.name, type: "bar", data: s.data,
               label: { show: true, position: "right" } };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
