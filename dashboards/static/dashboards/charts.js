// Draw every <canvas data-chart="<json_script id>"> with Chart.js (served from static/vendor).
(function () {
  const palette = ["#0d6efd", "#198754", "#ffc107", "#dc3545", "#6f42c1", "#20c997", "#fd7e14", "#6c757d",
                   "#0dcaf0", "#d63384", "#adb5bd", "#198754", "#6610f2"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const cfg = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const round = cfg.type === "doughnut" || cfg.type === "pie";
    const line = cfg.type === "line";
    cfg.datasets.forEach(function (ds, i) {
      ds.backgroundColor = round ? palette : palette[i % palette.length];
      if (line) { ds.borderColor = palette[i % palette.length]; ds.spanGaps = true; }
    });
    new Chart(canvas, {
      type: cfg.type,
      data: {labels: cfg.labels, datasets: cfg.datasets},
      options: {responsive: true, maintainAspectRatio: false, animation: false,
                plugins: {legend: {display: round || cfg.datasets.length > 1, position: "bottom"}}},
    });
  });
})();
