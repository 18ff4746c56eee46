/* liqcascade report: draws each chart of the page's JSON (id "report-data") with the inlined
   Apache ECharts. Formatters follow the report's conventions: USD with k/M/B, prices with
   thousands separators, signed percentages for price moves, ratios with ×. Exposes
   window.liqReport = {charts, ready} for the headless-browser test. */
(function () {
  "use strict";
  function scaled(x) {
    var a = Math.abs(x);
    if (a >= 1e9) return [x / 1e9, "B"];
    if (a >= 1e6) return [x / 1e6, "M"];
    if (a >= 1e3) return [x / 1e3, "k"];
    return [x, ""];
  }
  var fmt = {
    usd: function (x) {
      if (x === null || x === undefined || !isFinite(x)) return x === Infinity ? "∞" : "–";
      var s = scaled(+x);
      return "$" + s[0].toFixed(2) + s[1];
    },
    price: function (x) {
      if (x === null || x === undefined || !isFinite(x)) return "–";
      x = +x;
      return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en-US") : x.toFixed(Math.abs(x) >= 1 ? 2 : 4);
    },
    pct: function (x) { return (x >= 0 ? "+" : "") + (+x).toFixed(2) + "%"; },
    ratio: function (x) { return isFinite(x) ? (+x).toFixed(2) + "×" : "∞"; }
  };
  function axisFmt(unit) {
    if (unit === "usd") return function (x) { var s = scaled(x); return "$" + (+s[0].toFixed(2)) + s[1]; };
    return fmt[unit];
  }
  function fixAxes(axes) {
    if (!axes) return;
    (Array.isArray(axes) ? axes : [axes]).forEach(function (a) {
      if (a.unit && fmt[a.unit]) { a.axisLabel = Object.assign({}, a.axisLabel || {}, { formatter: axisFmt(a.unit) }); }
    });
  }
  function itemTip(unit) {
    var f = fmt[unit] || fmt.usd;
    return function (p) {
      var d = p.data || {};
      var v = Array.isArray(p.value) ? p.value : [p.value];
      var head = "<b>" + (p.seriesName || "") + "</b><br>";
      if (p.seriesType === "heatmap") {
        return head + p.name + " · " + f(v[2]);
      }
      if (p.seriesType === "scatter") {
        return head + "t = " + v[0] + " s · mark " + fmt.price(v[1]) + "<br>notional " + fmt.usd(v[2]) + " in " + v[3] + " events";
      }
      var s = head + p.name + ": " + f(v[v.length - 1]);
      if (d.ci) s += "<br>95% interval " + f(d.ci[0]) + " – " + (d.ci[1] === null ? "∞" : f(d.ci[1]));
      if (d.setting !== undefined) s += "<br>setting " + d.setting + " → second-order " + fmt.usd(d.level);
      return s;
    };
  }
  function errorBars(spec, chart) {
    var top = 0;
    spec.intervals.forEach(function (e) { if (e[2] !== null && isFinite(e[2])) top = Math.max(top, e[2]); });
    return {
      name: "95% interval", type: "custom", z: 5, silent: true,
      data: spec.intervals.map(function (e) { return [e[0], e[1], (e[2] === null || !isFinite(e[2])) ? top * 1.15 : e[2], (e[2] === null || !isFinite(e[2])) ? 1 : 0]; }),
      renderItem: function (params, api) {
        var lo = api.coord([api.value(0), api.value(1)]), hi = api.coord([api.value(0), api.value(2)]);
        var w = 6, open = api.value(3) === 1;
        var kids = [
          { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style: { stroke: "#1e1e1e", lineWidth: 1.5, lineDash: open ? [4, 3] : null } },
          { type: "line", shape: { x1: lo[0] - w, y1: lo[1], x2: lo[0] + w, y2: lo[1] }, style: { stroke: "#1e1e1e", lineWidth: 1.5 } }
        ];
        if (!open) kids.push({ type: "line", shape: { x1: hi[0] - w, y1: hi[1], x2: hi[0] + w, y2: hi[1] }, style: { stroke: "#1e1e1e", lineWidth: 1.5 } });
        return { type: "group", children: kids };
      }
    };
  }
  var node = document.getElementById("report-data");
  var specs = node ? JSON.parse(node.textContent) : [];
  var charts = {};
  specs.forEach(function (spec) {
    var el = document.getElementById("chart-" + spec.id);
    if (!el || typeof echarts === "undefined") return;
    var o = spec.option;
    fixAxes(o.xAxis); fixAxes(o.yAxis);
    o.tooltip = o.tooltip || {};
    if (o.tooltip.trigger === "item") o.tooltip.formatter = itemTip(spec.unit);
    else o.tooltip.valueFormatter = fmt[spec.unit] || fmt.usd;
    if (o.visualMap) (Array.isArray(o.visualMap) ? o.visualMap : [o.visualMap]).forEach(function (v) { v.formatter = axisFmt("usd"); });
    var chart = echarts.init(el, null, { renderer: "canvas" });
    if (spec.intervals && spec.intervals.length) o.series.push(errorBars(spec, chart));
    chart.setOption(o);
    charts[spec.id] = chart;
  });
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  window.liqReport = { charts: charts, ready: Object.keys(charts).length, fmt: fmt };
})();
