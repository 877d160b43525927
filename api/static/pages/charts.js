// The charts of mandato's pages, drawn by Observable Plot (bundled) from the JSON each page embeds
// beside its figure; the table next to each chart holds the same numbers for those who cannot see it.
(function () {
  "use strict";
  function draw(box) {
    var data = JSON.parse(box.parentElement.querySelector("script.chart-data").textContent);
    var width = Math.max(280, Math.min(box.clientWidth || 640, 960));
    var chart;
    if (box.dataset.chart === "cumulative") {
      data.forEach(function (d) { d.date = new Date(d.date); });
      chart = Plot.plot({
        width: width, height: 260, marginLeft: 48,
        x: { type: "utc", label: null }, y: { label: box.dataset.label, grid: true, domain: [0, data.length] },
        marks: [Plot.areaY(data, { x: "date", y: "parties", curve: "step-after", fill: "#cfe0f3" }),
                Plot.lineY(data, { x: "date", y: "parties", curve: "step-after", stroke: "#1d4e89" }),
                Plot.dot(data, { x: "date", y: "parties", fill: "#1d4e89", r: 2.5 }), Plot.ruleY([0])]
      });
    } else if (box.dataset.chart === "progress") {
      var names = { programmed: box.dataset.programmed, executed: box.dataset.executed };
      data.forEach(function (d) { d.measure = names[d.measure] || d.measure; });
      chart = Plot.plot({
        width: width, height: 260, marginLeft: 48, color: { legend: true, range: ["#9bb7d4", "#1d4e89"] },
        fx: { label: null }, x: { axis: null }, y: { label: "%", grid: true, domain: [0, 100] },
        marks: [Plot.barY(data, { fx: "period", x: "measure", y: "percent", fill: "measure" }), Plot.ruleY([0])]
      });
    }
    if (chart) {
      // One image for assistive technology, named by the figure's caption; the table beside it
      // holds the numbers (Plot's own labels on inner groups are not allowed there).
      chart.querySelectorAll("[aria-label], [aria-description]").forEach(function (e) {
        e.removeAttribute("aria-label"); e.removeAttribute("aria-description");
      });
      chart.setAttribute("role", "img");
      chart.setAttribute("aria-label", box.parentElement.querySelector("figcaption").textContent);
      box.replaceChildren(chart);
    }
  }
  document.querySelectorAll("[data-chart]").forEach(draw);
})();
