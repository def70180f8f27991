// Draws the dashboard's charts from the JSON the page carries. Values are labelled and series
// carry patterns (ECharts aria decals), so the charts read without colour; tables sit below.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var charts = JSON.parse(document.getElementById("chart-data").textContent);
  var palette = ["#1d4e89", "#c8702a", "#3d8b5a", "#7a4fa0"];
  var instances = [];

  function num(v) { return v === null ? null : Number(v); }

  // The value on the bar, with % for shares and the submission state where the chart has one.
  function labelFor(chart, p) {
    if (p.value === null || p.value === undefined || (chart.key === "labour" && p.value === 0)) { return ""; }
    var text = String(p.value) + (chart.unit === "%" ? "%" : "");
    var state = chart.extra && chart.extra["报送状态"];
    return state ? text + "（" + state[p.dataIndex] + "）" : text;
  }

  function option(chart) {
    var names = Object.keys(chart.series);
    var stacked = chart.key === "labour";
    return {
      color: palette,
      aria: { enabled: true, decal: { show: true } },
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: names },
      // Room on the right for the longest bar's label (the completeness bars carry their state too).
      grid: { left: 8, right: chart.key === "completeness" ? 128 : 64, top: 32, bottom: 8, containLabel: true },
      // A share of filled rows never runs past 100%; counts get whole-number ticks.
      xAxis: { type: "value", name: chart.unit === "%" ? "" : chart.unit, nameLocation: "end", splitNumber: 4,
               max: chart.key === "completeness" ? 100 : undefined,
               minInterval: ["人", "个", "次", "项", "家", "人次"].indexOf(chart.unit) >= 0 ? 1 : 0,
               axisLabel: { hideOverlap: true } },
      // Category names are cut to the room a 1024 px screen leaves, never drawn over each other.
      yAxis: { type: "category", data: chart.labels, inverse: true,
               axisLabel: { width: Math.min(chart.key === "compare" ? 360 : 200, Math.max(96, window.innerWidth / 5)),
                            overflow: "truncate", hideOverlap: true } },
      series: names.map(function (name) {
        return {
          name: name, type: "bar", stack: stacked ? "total" : undefined,
          data: chart.series[name].map(num),
          label: { show: true, position: stacked ? "inside" : "right",
                   formatter: function (p) { return labelFor(chart, p); } }
        };
      })
    };
  }

  function draw(id, chart) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    var height = Math.max(220, 40 + chart.labels.length * (Object.keys(chart.series).length > 1 ? 46 : 30));
    el.style.height = height + "px";
    var inst = echarts.init(el, null, { renderer: "svg" });
    inst.setOption(option(chart));
    instances.push(inst);
    return inst;
  }

  var keyCharts = {};
  charts.forEach(function (chart) {
    if (chart.key.indexOf("key-") === 0) { keyCharts[chart.key] = chart; return; }
    draw("chart-" + chart.key, chart);
  });
  var select = document.getElementById("key-select");
  if (select) {
    var keyInstance = null;
    var show = function () {
      var chart = keyCharts[select.value];
      if (!chart) { return; }
      if (keyInstance) { keyInstance.setOption(option(chart), true); } else { keyInstance = draw("chart-keyrows", chart); }
    };
    select.addEventListener("change", show);
    show();
  }
  window.addEventListener("resize", function () { instances.forEach(function (i) { i.resize(); }); });
})();
