// Explore: the test set as a grid with true and predicted labels (GET /samples), the active model's confusion matrix
// (GET /model) whose cells filter the grid, and its accuracy per class.
import { api, el, showError, percent, modelChanged, classNames, bringIntoView } from "./api.js";
import { classBars, setBars } from "./charts.js";
import { watchOverflow } from "./overflow.js";

const PAGE_SIZE = 60;
const state = { trueLabel: "", predictedLabel: "", mistakes: false, page: 1, pages: 1 };
let classes = [];
let perClassChart;
let modelVersion;
let loading;

export async function start() {
  const trueClass = document.getElementById("true-class");
  const predictedClass = document.getElementById("predicted-class");
  watchOverflow(document.querySelector("#explore .scroll-x"));
  try {
    classes = await classNames();
  } catch (e) {
    return showError(document.getElementById("explore-error"), e);
  }
  for (const [i, name] of classes.entries()) {
    trueClass.append(el("option", { value: i }, name));
    predictedClass.append(el("option", { value: i }, name));
  }
  trueClass.addEventListener("change", () => filter({ trueLabel: trueClass.value }));
  predictedClass.addEventListener("change", () => filter({ predictedLabel: predictedClass.value }));
  document.getElementById("mistakes").addEventListener("change", e => filter({ mistakes: e.target.checked }));
  document.getElementById("reset-filters").addEventListener("click", () => filter({ trueLabel: "", predictedLabel: "", mistakes: false }));
  // The pager is above and below the grid; the one below brings the new page's top into view.
  for (const pager of document.querySelectorAll("#explore .pager")) {
    const below = pager !== document.querySelector("#explore .pager");
    pager.querySelector(".prev").addEventListener("click", () => go(state.page - 1, below));
    pager.querySelector(".next").addEventListener("click", () => go(state.page + 1, below));
  }
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
  if (!classes.length) return;
  try {
    const model = await api("/model", { busy: document.getElementById("grid-box") });
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

/** Applies a filter; `reveal` brings the grid into view (a matrix cell is chosen below it). */
function filter(change, reveal = false) {
  Object.assign(state, change, { page: 1 });
  document.getElementById("true-class").value = state.trueLabel;
  document.getElementById("predicted-class").value = state.predictedLabel;
  document.getElementById("mistakes").checked = state.mistakes;
  for (const cell of document.querySelectorAll("#matrix td button")) {
    cell.setAttribute("aria-pressed", String(cell.dataset.true === state.trueLabel && cell.dataset.predicted === state.predictedLabel));
  }
  load(reveal);
}

function go(page, reveal = false) {
  if (page < 1 || page > state.pages) return;
  state.page = page;
  load(reveal);
}

async function load(reveal = false) {
  const query = new URLSearchParams({ page: state.page, pageSize: PAGE_SIZE });
  if (state.trueLabel !== "") query.set("trueLabel", state.trueLabel);
  if (state.predictedLabel !== "") query.set("predictedLabel", state.predictedLabel);
  if (state.mistakes) query.set("mistakes", "true");
  loading?.abort();
  loading = new AbortController();
  const grid = document.getElementById("grid");
  const box = document.getElementById("grid-box");
  if (reveal) bringIntoView(document.querySelector("#explore .pager"));
  try {
    const result = await api(`/samples?${query}`, { signal: loading.signal, busy: box });
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
    const images = `${result.total.toLocaleString("en-US")} image${result.total === 1 ? "" : "s"}`;
    const [top, bottom] = document.querySelectorAll("#explore .page-info");
    top.textContent = `of ${result.pages} · ${images}`;
    bottom.textContent = `Page ${result.page} of ${result.pages} · ${images}`;
    for (const button of document.querySelectorAll("#explore .pager .prev")) button.disabled = result.page <= 1;
    for (const button of document.querySelectorAll("#explore .pager .next")) button.disabled = result.page >= result.pages;
    grid.replaceChildren(...result.items.map(sample => {
      const verdict = sample.correct ? "" : "wrong: ";
      return el("li", { class: sample.correct ? "right" : "wrong", "data-index": sample.index },
        el("img", { src: `/samples/${sample.index}.png`, width: 28, height: 28, loading: "lazy",
          alt: `Test image ${sample.index}: ${sample.trueClass}, predicted ${verdict}${sample.predictedClass}` }),
        el("div", { class: "true", title: sample.trueClass }, sample.trueClass),
        el("div", { class: "pred", title: `${sample.predictedClass}, ${percent(sample.confidence)} confident` },
          sample.correct ? `✓ ${sample.predictedClass}` : `✗ ${sample.predictedClass}`));
    }));
  } catch (e) {
    if (e.name !== "AbortError") showError(document.getElementById("explore-error"), e);
  }
}

/** The confusion matrix as a table of buttons shaded by count: readable, and usable by keyboard. */
function drawMatrix(matrix) {
  const largest = Math.max(...matrix.flatMap((row, t) => row.filter((_, p) => p !== t)));
  const table = document.getElementById("matrix");
  const short = name => name.split("/")[0];
  table.replaceChildren(
    el("thead", {}, el("tr", {}, el("td", {}), ...classes.map(name => el("th", { scope: "col", title: name }, short(name))))),
    el("tbody", {}, ...matrix.map((row, t) => el("tr", {},
      el("th", { scope: "row", title: name(t) }, short(classes[t])),
      ...row.map((count, p) => {
        // At most 60 % red: dark digits keep a contrast of 4.5:1 on every shade.
        const strength = t === p ? 0 : 0.6 * Math.sqrt(count / Math.max(1, largest));
        const background = t === p ? `rgba(30, 122, 60, ${0.15 + 0.6 * count / 1000})` : `rgba(179, 38, 30, ${strength})`;
        const button = el("button", {
          type: "button", "data-true": t, "data-predicted": p, "aria-pressed": "false",
          "aria-label": `${count} ${name(t)} predicted as ${name(p)}`,
          onclick: () => filter({ trueLabel: String(t), predictedLabel: String(p), mistakes: false }, true),
        }, String(count));
        button.style.background = background; // a property, not a style attribute: allowed by the page's CSP
        return el("td", {}, button);
      })))));
}

const name = i => classes[i];

function drawPerClass(perClass) {
  perClassChart ??= classBars(document.getElementById("per-class"), classes, { label: "Test accuracy", animate: false });
  setBars(perClassChart, classes.map(n => perClass[n]));
}
