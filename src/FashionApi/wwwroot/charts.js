// The page's charts (Chart.js, vendored in lib/): one look for every bar chart over the ten classes, one for a
// job's per-epoch curves.
import { percent } from "./api.js";

export const COLORS = { blue: "#2457c5", green: "#1e7a3c", red: "#b3261e", ink: "#1c2330" };

// Axis and legend text as dark as the page's muted text (Chart.js's default grey is below 4.5:1 on white).
Chart.defaults.color = "#4a5262";

/** Writes each bar's value at its end (inside the bar when it reaches the right edge): readable without hovering. */
const valueLabels = {
  id: "valueLabels",
  afterDatasetsDraw(chart, _, options) {
    if (!options.format) return;
    const { ctx, chartArea } = chart;
    const dataset = chart.data.datasets[0];
    ctx.save();
    ctx.font = "600 12px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    chart.valueLabels = []; // what was written, for anyone checking (canvas text cannot be read back)
    chart.getDatasetMeta(0).data.forEach((bar, i) => {
      const value = dataset.data[i];
      if (value == null) return;
      const text = options.format(value);
      chart.valueLabels.push(text);
      const width = ctx.measureText(text).width;
      const outside = bar.x + 6 + width <= chartArea.right;
      ctx.fillStyle = outside ? COLORS.ink : "#fff";
      ctx.textAlign = outside ? "left" : "right";
      ctx.fillText(text, outside ? bar.x + 6 : bar.x - 6, bar.y);
    });
    ctx.restore();
  },
};

/** A horizontal bar per class, 0–100 %, each bar's value written on it. */
export function classBars(canvas, classes, { label, digits = 1, animate = true }) {
  return new Chart(canvas, {
    type: "bar",
    plugins: [valueLabels],
    data: { labels: classes, datasets: [{ label, data: new Array(classes.length).fill(null), backgroundColor: COLORS.blue }] },
    options: {
      indexAxis: "y", maintainAspectRatio: false, animation: animate ? { duration: 200 } : false,
      scales: { x: { min: 0, max: 1, ticks: { callback: v => percent(v, 0) } }, y: { ticks: { color: COLORS.ink } } },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: c => percent(c.parsed.x, digits + 1) } },
        valueLabels: { format: v => percent(v, digits) },
      },
    },
  });
}

/** Sets the bars' values (null hides them); the bar at `highlight` is drawn green. */
export function setBars(chart, values, highlight = -1) {
  const dataset = chart.data.datasets[0];
  dataset.data = values;
  dataset.backgroundColor = values.map((_, i) => i === highlight ? COLORS.green : COLORS.blue);
  chart.update();
}

/**
 * Loss, train and test accuracy of each finished epoch. Not animated: an animated new point rises from the bottom of
 * the chart, which looks like a collapse of accuracy while a job runs.
 */
export function epochCurves(canvas) {
  return new Chart(canvas, {
    type: "line",
    data: {
      labels: [],
      datasets: [
        { key: "loss", label: "Loss", data: [], yAxisID: "loss", borderColor: COLORS.red, backgroundColor: COLORS.red },
        { key: "trainAccuracy", label: "Train accuracy", data: [], yAxisID: "accuracy", borderColor: COLORS.blue, backgroundColor: COLORS.blue, borderDash: [6, 3] },
        { key: "testAccuracy", label: "Test accuracy", data: [], yAxisID: "accuracy", borderColor: COLORS.green, backgroundColor: COLORS.green },
      ],
    },
    options: {
      maintainAspectRatio: false, animation: false,
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: { callbacks: { label: c => `${c.dataset.label}: ${c.dataset.key === "loss" ? c.parsed.y.toFixed(4) : percent(c.parsed.y, 2)}` } },
      },
      scales: {
        x: { title: { display: true, text: "Epoch (finished)" } },
        loss: { position: "left", beginAtZero: true, title: { display: true, text: "Loss" } },
        // Fitted to the values (with some room), so that the differences between epochs can be seen.
        accuracy: { position: "right", max: 1, grace: "10%", grid: { drawOnChartArea: false },
          title: { display: true, text: "Accuracy" }, ticks: { callback: v => percent(v, 0) } },
      },
    },
  });
}

/** Replaces the curves with a job's history (its finished epochs). */
export function setEpochs(chart, history) {
  chart.data.labels = history.map(e => e.epoch);
  for (const dataset of chart.data.datasets) dataset.data = history.map(e => e[dataset.key]);
  chart.update();
}

/** Adds one finished epoch (ignored when it is drawn already, e.g. after a snapshot that included it). */
export function addEpoch(chart, epoch) {
  if (chart.data.labels.includes(epoch.epoch)) return;
  chart.data.labels.push(epoch.epoch);
  for (const dataset of chart.data.datasets) dataset.data.push(epoch[dataset.key]);
  chart.update();
}
