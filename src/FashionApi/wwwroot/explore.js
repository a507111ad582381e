// Explore: the test set as a grid with true and predicted labels (GET /samples), the active model's confusion matrix
// (GET /model) whose cells filter the grid, and its accuracy per class.
import { api, el, showError, percent, modelChanged, CLASS_NAMES } from "./api.js";

const PAGE_SIZE = 60;
const state = { trueLabel: "", predictedLabel: "", mistakes: false, page: 1, pages: 1 };
let perClassChart;
let modelVersion;
let loading;

export function start() {
  const trueClass = document.getElementById("true-class");
  const predictedClass = document.getElementById("predicted-class");
  for (const [i, name] of CLASS_NAMES.entries()) {
    trueClass.append(el("option", { value: i }, name));
    predictedClass.append(el("option", { value: i }, name));
  }
  trueClass.addEventListener("change", () => filter({ trueLabel: trueClass.value }));
  predictedClass.addEventListener("change", () => filter({ predictedLabel: predictedClass.value }));
  document.getElementById("mistakes").addEventListener("change", e => filter({ mistakes: e.target.checked }));
  document.getElementById("reset-filters").addEventListener("click", () => filter({ trueLabel: "", predictedLabel: "", mistakes: false }));
  document.getElementById("prev").addEventListener("click", () => go(state.page - 1));
  document.getElementById("next").addEventListener("click", () => go(state.page + 1));
  document.getElementById("page-number").addEventListener("change", e => {
    const page = Math.min(state.pages, Math.max(1, Math.round(Number(e.target.value)) || 1));
    e.target.value = page;
    go(page);
  });
  // Redraw on the next showing, unless the news is the version drawn here already.
  document.addEventListener("model-changed", e => { if (e.detail?.version !== modelVersion) modelVersion = null; });
  shown();
}

/** Called each time the view is shown again: reloads when another model became active meanwhile. */
export async function shown() {
  try {
    const model = await api("/model");
    if (model.version !== modelVersion) {
      modelVersion = model.version;
      drawMatrix(model.evaluation.confusionMatrix);
      drawPerClass(model.evaluation.perClassAccuracy);
      await load();
    }
  } catch (e) {
    showError(document.getElementById("explore-error"), e);
  }
}

function filter(change) {
  Object.assign(state, change, { page: 1 });
  document.getElementById("true-class").value = state.trueLabel;
  document.getElementById("predicted-class").value = state.predictedLabel;
  document.getElementById("mistakes").checked = state.mistakes;
  for (const cell of document.querySelectorAll("#matrix td button")) {
    cell.setAttribute("aria-pressed", String(cell.dataset.true === state.trueLabel && cell.dataset.predicted === state.predictedLabel));
  }
  load();
}

function go(page) {
  if (page < 1 || page > state.pages) return;
  state.page = page;
  load();
}

async function load() {
  const query = new URLSearchParams({ page: state.page, pageSize: PAGE_SIZE });
  if (state.trueLabel !== "") query.set("trueLabel", state.trueLabel);
  if (state.predictedLabel !== "") query.set("predictedLabel", state.predictedLabel);
  if (state.mistakes) query.set("mistakes", "true");
  loading?.abort();
  loading = new AbortController();
  const grid = document.getElementById("grid");
  grid.setAttribute("aria-busy", "true");
  try {
    const result = await api(`/samples?${query}`, { signal: loading.signal });
    showError(document.getElementById("explore-error"), null);
    if (result.modelVersion !== modelVersion) {
      // Another model became active meanwhile (here or on another instance): the matrix must match the grid.
      modelVersion = result.modelVersion;
      const model = await api("/model");
      drawMatrix(model.evaluation.confusionMatrix);
      drawPerClass(model.evaluation.perClassAccuracy);
      modelChanged(modelVersion);
    }
    state.pages = result.pages;
    const pageNumber = document.getElementById("page-number");
    pageNumber.max = result.pages;
    pageNumber.value = result.page;
    document.getElementById("page-info").textContent =
      `of ${result.pages} · ${result.total.toLocaleString("en-US")} image${result.total === 1 ? "" : "s"}`;
    document.getElementById("prev").disabled = result.page <= 1;
    document.getElementById("next").disabled = result.page >= result.pages;
    grid.replaceChildren(...result.items.map(sample => {
      const verdict = sample.correct ? "" : "wrong: ";
      return el("li", { class: sample.correct ? "right" : "wrong", "data-index": sample.index },
        el("img", { src: `/samples/${sample.index}.png`, width: 28, height: 28, loading: "lazy",
          alt: `Test image ${sample.index}: ${sample.trueClass}, predicted ${verdict}${sample.predictedClass}` }),
        el("div", { class: "true" }, sample.trueClass),
        el("div", { class: "pred", title: `${percent(sample.confidence)} confident` },
          sample.correct ? `✓ ${sample.predictedClass}` : `✗ ${sample.predictedClass}`));
    }));
  } catch (e) {
    if (e.name !== "AbortError") showError(document.getElementById("explore-error"), e);
  } finally {
    grid.removeAttribute("aria-busy");
  }
}

/** The confusion matrix as a table of buttons shaded by count: readable, and usable by keyboard. */
function drawMatrix(matrix) {
  const largest = Math.max(...matrix.flatMap((row, t) => row.filter((_, p) => p !== t)));
  const table = document.getElementById("matrix");
  const short = name => name.split("/")[0];
  table.replaceChildren(
    el("thead", {}, el("tr", {}, el("td", {}), ...CLASS_NAMES.map(name => el("th", { scope: "col", title: name }, short(name))))),
    el("tbody", {}, ...matrix.map((row, t) => el("tr", {},
      el("th", { scope: "row", title: name(t) }, short(CLASS_NAMES[t])),
      ...row.map((count, p) => {
        const strength = t === p ? 0 : Math.sqrt(count / Math.max(1, largest));
        const background = t === p ? `rgba(30, 122, 60, ${0.15 + 0.6 * count / 1000})` : `rgba(179, 38, 30, ${strength})`;
        const cell = el("button", {
          type: "button", "data-true": t, "data-predicted": p, "aria-pressed": "false",
          "aria-label": `${count} ${name(t)} predicted as ${name(p)}`,
          onclick: () => filter({ trueLabel: String(t), predictedLabel: String(p), mistakes: false }),
        }, String(count));
        // Through the style object, which the page's Content Security Policy allows (a style attribute it would not).
        cell.style.background = background;
        cell.style.color = strength > 0.55 ? "#fff" : "#1c2330";
        return el("td", {}, cell);
      })))));
}

const name = i => CLASS_NAMES[i];

function drawPerClass(perClass) {
  const values = CLASS_NAMES.map(n => perClass[n]);
  if (!perClassChart) {
    perClassChart = new Chart(document.getElementById("per-class"), {
      type: "bar",
      data: { labels: CLASS_NAMES, datasets: [{ label: "Test accuracy", data: values, backgroundColor: "#2457c5" }] },
      options: {
        indexAxis: "y", maintainAspectRatio: false, animation: false,
        scales: { x: { min: 0, max: 1, ticks: { callback: v => percent(v, 0) } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: c => percent(c.parsed.x, 1) } } },
      },
    });
  } else {
    perClassChart.data.datasets[0].data = values;
    perClassChart.update();
  }
}
