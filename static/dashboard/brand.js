/* Brand view: daily visitors (bars) and conversion (line, right axis) of the brand and of the
 * chosen store. Plain JavaScript; Chart.js is served from node_modules (no CDN). */
(function () {
  "use strict";
  var canvas = document.getElementById("chart-brand");
  var dataNode = document.getElementById("brand-chart-data");
  var labelNode = document.getElementById("brand-chart-labels");
  if (!canvas || !dataNode || !labelNode || !window.Chart) { return; }
  var data = JSON.parse(dataNode.textContent);
  var labels = JSON.parse(labelNode.textContent);
  Chart.defaults.locale = document.documentElement.lang || "en";
  Chart.defaults.maintainAspectRatio = false;
  var datasets = [
    { type: "bar", label: labels.visitors, data: data.brand_visitors, yAxisID: "y", backgroundColor: "#9ab7d3" },
    { type: "line", label: labels.conversion, data: data.brand_conversion, yAxisID: "y2", borderColor: "#b3261e",
      backgroundColor: "#b3261e", spanGaps: false }
  ];
  if (data.store_visitors) {
    datasets.push({ type: "bar", label: labels.store_visitors, data: data.store_visitors, yAxisID: "y",
      backgroundColor: "#2f5d8a" });
    datasets.push({ type: "line", label: labels.store_conversion, data: data.store_conversion, yAxisID: "y2",
      borderColor: "#f07b3f", backgroundColor: "#f07b3f", borderDash: [6, 3], spanGaps: false });
  }
  new Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: {
      animation: false,
      scales: {
        y: { beginAtZero: true, position: "left" },
        y2: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false },
              ticks: { callback: function (value) { return value + " %"; } } }
      }
    }
  });
})();
