// Draw every <canvas data-chart="<json_script id>"> with Chart.js (served from static/vendor).
// Colours come from portal.css, defined once: a chart of states (cfg.states: verification statuses...) paints each
// slice with its state's colour (--state-<value>, the same as the badge of that state); other charts take the
// series colours --series-1..--series-10 in order.
(function () {
  const css = getComputedStyle(document.documentElement);
  const colour = function (name) { return css.getPropertyValue(name).trim(); };
  const palette = [];
  for (let i = 1; i <= 10; i++) { palette.push(colour("--series-" + i)); }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const cfg = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    const round = cfg.type === "doughnut" || cfg.type === "pie";
    const line = cfg.type === "line";
    const states = cfg.states ? cfg.states.map(function (s) { return colour("--state-" + s) || colour("--series-10"); })
                              : null;
    cfg.datasets.forEach(function (ds, i) {
      ds.backgroundColor = states || (round ? palette : palette[i % palette.length]);
      if (line) { ds.borderColor = palette[i % palette.length]; ds.spanGaps = true; }
    });
    canvas.setAttribute("role", "img");  // a picture of the table below it, which carries the figures
    new Chart(canvas, {
      type: cfg.type,
      data: {labels: cfg.labels, datasets: cfg.datasets},
      options: {responsive: true, maintainAspectRatio: false, animation: false,
                plugins: {legend: {display: round || cfg.datasets.length > 1, position: "bottom"}}},
    });
  });
})();
