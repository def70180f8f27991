// Progress charts: key rows against time on a county's page, rates by unit on an area's page.
// Values are labelled and series carry patterns (ECharts aria decals); tables sit below.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var palette = ["#1d4e89", "#c8702a", "#3d8b5a", "#7a4fa0", "#a33b3b", "#4f7f8f"];
  var instances = [];
  function num(v) { return v === null || v === undefined ? null : Number(v); }
  function init(id, height) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    el.style.height = height + "px";
    var inst = echarts.init(el, null, { renderer: "svg" });
    instances.push(inst);
    return inst;
  }

  var curveNode = document.getElementById("curve-data");
  if (curveNode) {
    var curve = JSON.parse(curveNode.textContent);
    var inst = init("chart-curve", 360);
    if (inst && curve.days.length) {
      inst.setOption({
        color: palette, animation: false, aria: { enabled: true, decal: { show: true } },
        tooltip: { trigger: "axis" }, legend: { top: 0, type: "scroll" },
        grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: curve.days.map(function (d) { return d.slice(5); }) },
        yAxis: { type: "value", splitNumber: 4 },  // the unit is in each series name
        series: curve.series.map(function (s, i) {
          return { name: s.name, type: "line", data: s.values.map(num), symbol: ["circle", "rect", "triangle", "diamond"][i % 4],
                   symbolSize: 7, label: { show: true, position: "top", fontSize: 10,
                   formatter: function (p) { return p.dataIndex === curve.days.length - 1 || p.dataIndex % 3 === 2 ? p.value : ""; } } };
        })
      });
    }
  }

  var ratesNode = document.getElementById("rates-data");
  if (ratesNode) {
    var rates = JSON.parse(ratesNode.textContent);
    var names = Object.keys(rates.series);
    var r = init("chart-rates", Math.max(240, 60 + rates.labels.length * 64));
    if (r) {
      r.setOption({
        color: palette, animation: false, aria: { enabled: true, decal: { show: true } },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } }, legend: { top: 0, data: names },
        grid: { left: 8, right: 56, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value", name: "%", max: 100, splitNumber: 4 },
        yAxis: { type: "category", data: rates.labels, inverse: true },
        series: names.map(function (name) {
          return { name: name, type: "bar", data: rates.series[name].map(num),
                   label: { show: true, position: "right", formatter: function (p) { return p.value === null ? "" : p.value + "%"; } } };
        })
      });
    }
  }
  window.addEventListener("resize", function () { instances.forEach(function (i) { i.resize(); }); });
})();
