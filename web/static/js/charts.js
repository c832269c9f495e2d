// Draws every <div data-chart="…"> with Apache ECharts (vendored, loaded on first need) from the
// JSON in its data-chart attribute: {kind: bar|line|pie,
// categories: [...], series: [{name, percent, data: [...]}]}. The table next to each chart holds
// the same figures, for screen readers and print. A static file (strict CSP): no inline code,
// tooltips drawn in the canvas (no inline styles). Runs on load and after htmx swaps.
(function () {
  "use strict";

  var script = document.currentScript;
  var source = script ? script.getAttribute("data-echarts") : null;
  var loading = null;
  var drawn = [];

  function library() {
    if (window.echarts) return Promise.resolve(window.echarts);
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = source;
      tag.onload = function () { resolve(window.echarts); };
      tag.onerror = reject;
      document.head.appendChild(tag);
    });
    return loading;
  }

  function percentLabel(value) {
    return value === null || value === undefined ? "—" : value + "%";
  }

  function option(data) {
    var percent = data.series.some(function (s) { return s.percent; });
    var base = {
      animation: false,
      tooltip: { trigger: data.kind === "pie" ? "item" : "axis", renderMode: "richText" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true }
    };
    if (data.kind === "pie") {
      base.series = [{
        type: "pie",
        radius: ["35%", "65%"],
        top: 24,
        name: data.series[0].name,
        label: { formatter: "{b}：{d}%" },
        data: data.categories.map(function (name, i) { return { name: name, value: data.series[0].data[i] }; })
      }];
      return base;
    }
    base.xAxis = { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 8 ? 45 : 0 } };
    base.yAxis = { type: "value", axisLabel: percent ? { formatter: "{value}%" } : {} };
    base.series = data.series.map(function (s) {
      return {
        type: data.kind,
        name: s.name,
        data: s.data,
        tooltip: s.percent ? { valueFormatter: percentLabel } : {}
      };
    });
    return base;
  }

  function draw(box) {
    if (box.getAttribute("data-chart-drawn")) return;
    var data;
    try {
      data = JSON.parse(box.getAttribute("data-chart"));
    } catch (e) {
      return;
    }
    if (!data || !data.series) return;
    box.setAttribute("data-chart-drawn", "1");
    library().then(function (echarts) {
      var chart = echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(option(data));
      drawn.push(chart);
    });
  }

  function drawAll() {
    document.querySelectorAll("[data-chart]").forEach(draw);
  }

  var pending = null;
  window.addEventListener("resize", function () {
    if (pending !== null) return;
    pending = window.setTimeout(function () {
      pending = null;
      drawn.forEach(function (chart) { chart.resize(); });
    }, 150);
  });
  // Printing: redraw at the printed width so the chart is not cut off.
  window.addEventListener("beforeprint", function () { drawn.forEach(function (chart) { chart.resize(); }); });
  document.addEventListener("htmx:afterSettle", drawAll);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
