// Dashboard charts (ECharts, served from static/) and bar widths, drawn again after every HTMX swap.
(function () {
  const charts = [];

  function drawBars(root) {
    root.querySelectorAll(".w-pct[data-pct]").forEach((bar) => {
      bar.style.width = Math.max(0, Math.min(100, Number(bar.dataset.pct) || 0)) + "%";
    });
  }

  function line(el, labels, series) {
    const chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      grid: { left: 36, right: 12, top: 28, bottom: 24 },
      tooltip: { trigger: "axis" },
      legend: { top: 0, textStyle: { fontSize: 11 } },
      xAxis: { type: "category", data: labels, axisLabel: { fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 10 } },
      series: series.map((s) => ({ type: "line", name: s.name, data: s.data, smooth: false, symbolSize: 5 })),
    });
    charts.push(chart);
  }

  function draw(root) {
    drawBars(root);
    const data = document.getElementById("dashboard-charts");
    if (!data || !window.echarts) return;
    const payload = JSON.parse(data.textContent);
    while (charts.length) charts.pop().dispose();
    const progress = root.querySelector('[data-chart="progress"]');
    if (progress && payload.progress.months.length) {
      line(progress, payload.progress.months, ["signed", "installed", "accepted"].map((key) => ({
        name: progress.dataset["labels" + key[0].toUpperCase() + key.slice(1)],
        data: payload.progress[key],
      })));
    }
    const trend = root.querySelector('[data-chart="trend"]');
    if (trend) line(trend, payload.trend.weeks, [{ name: trend.dataset.labelsAgreed, data: payload.trend.agreed }]);
  }

  document.addEventListener("DOMContentLoaded", () => draw(document));
  // htmx keeps a copy of the page for back/forward: the charts leave it (a drawing cannot be restored from
  // markup) and are drawn again after the restore (dashboard_filters.js sets the dropdowns).
  document.addEventListener("htmx:beforeHistorySave", () => {
    while (charts.length) charts.pop().dispose();
  });
  document.addEventListener("htmx:historyRestore", () => draw(document));
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target && event.detail.target.closest && document.getElementById("dashboard-body")) draw(document);
  });
  window.addEventListener("resize", () => charts.forEach((c) => c.resize()));
})();
