// Models: the saved versions (GET /models, one request: it lists each version's hyperparameters too), each compared
// with the active one, activating one (POST /models/{version}/activate, with the API key when the service has one),
// downloading one as ONNX (GET /models/{version}/onnx), and any version's weights drawn per class
// (GET /models/{version}/weights).
import { api, el, showError, showNotice, percent, points, formatDate, formatDuration, modelChanged, breakable, cell } from "./api.js";
import { watchOverflow } from "./overflow.js";

let versions = [];
let shownWeights; // the version whose weights are drawn; null follows the active one

export function start() {
  watchOverflow(document.querySelector("#models .table-wrap"));
  document.addEventListener("model-changed", load);
  load();
}

export function shown() { load(); }

async function load() {
  const error = document.getElementById("models-error");
  try {
    versions = await api("/models", { busy: document.querySelector("#models .table-wrap") });
    showError(error, null);
    drawTable();
    const wanted = versions.find(v => v.version === shownWeights) ?? versions.find(v => v.active);
    if (wanted) await drawWeights(wanted.version);
  } catch (e) {
    showError(error, e);
  }
}

function drawTable() {
  const active = versions.find(v => v.active);
  document.getElementById("versions").replaceChildren(...versions.map(version => {
    const twins = versions.filter(v => v !== version && v.weightsSha256 === version.weightsSha256);
    return el("tr", { "data-version": version.version, class: version.version === shownWeights ? "shown" : null },
      cell("Version", null,
        el("span", { class: "mono version" }, ...breakable(version.version)),
        version.active ? el("span", { class: "badge" }, "active") : null,
        el("span", { class: "sub" }, `job ${version.jobId ?? "—"} · weights #${version.weightsSha256.slice(0, 8)}`),
        twins.length ? el("span", { class: "sub" }, `same weights as ${twins.map(t => t.version).join(", ")}`) : null),
      cell("Test accuracy", null, percent(version.testAccuracy, 2)),
      cell("Compared with the active", null, compare(version, active)),
      cell("Trained with", null,
        `${version.implementation} · ${version.preset ? `${version.preset} preset` : "preset not recorded"}`,
        el("span", { class: "sub" }, describe(version.hyperparameters)),
        el("span", { class: "sub" }, `trained in ${formatDuration(version.trainingSeconds)}` +
          (version.activation ? ` · policy ${version.activation}` : ""))),
      cell("Created", null, formatDate(version.createdAt)),
      cell("Actions", "actions",
        el("a", {
          class: "button", href: `/models/${encodeURIComponent(version.version)}/onnx`, download: "",
          "aria-label": `Download ${version.version} as ONNX`, title: "Download as an ONNX model, for other runtimes",
        }, "ONNX"),
        el("button", {
          type: "button", "aria-label": `Show the weights of ${version.version}`,
          "aria-pressed": String(version.version === shownWeights), onclick: () => showWeights(version.version),
        }, "Weights"),
        version.active ? null : el("button", {
          type: "button", "aria-label": `Activate ${version.version}`, onclick: e => activate(version.version, e.target),
        }, "Activate")));
  }));
}

/** How a version's test accuracy compares with the active model's, in percentage points. */
function compare(version, active) {
  if (!active) return "—";
  if (version.active) return "this is the active model";
  const difference = version.testAccuracy - active.testAccuracy;
  const word = Math.abs(difference) < 0.00005 ? "as accurate" : difference > 0 ? "more accurate" : "less accurate";
  return el("span", { class: difference > 0.00005 ? "better" : difference < -0.00005 ? "worse" : null },
    `${points(difference, 2)} · ${word}`);
}

/** A version's hyperparameters in one line. */
function describe(hp) {
  if (!hp) return "—";
  const parts = [`${hp.optimizer} lr ${hp.learningRate}`, `${hp.epochs} epochs`, `batch ${hp.batchSize}`];
  if (hp.schedule && hp.schedule !== "constant") parts.push(hp.schedule);
  if (hp.momentum) parts.push(`momentum ${hp.momentum}`);
  if (hp.weightDecay) parts.push(`decay ${hp.weightDecay}`);
  parts.push(hp.shuffle ? "shuffled" : "in file order", `seed ${hp.seed}`);
  return parts.join(", ");
}

async function activate(version, button) {
  const notice = document.getElementById("models-notice");
  const error = document.getElementById("models-error");
  const before = versions.find(v => v.active);
  button.disabled = true;
  showNotice(notice, null);
  try {
    const manifest = await api(`/models/${encodeURIComponent(version)}/activate`,
      { method: "POST", body: {}, guarded: true, busy: document.querySelector("#models .table-wrap") });
    showError(error, null);
    showNotice(notice, `Model ${version} is now active: test accuracy ${percent(manifest.evaluation.testAccuracy, 2)}` +
      (before ? ` (${before.version} had ${percent(before.testAccuracy, 2)}).` : "."), "good");
    modelChanged(version);
  } catch (e) {
    showError(error, e.status === 401 && !e.message.includes("refused")
      ? new Error(`Not activated: ${e.message} Enter the service's API key to try again.`)
      : new Error(`Not activated: ${e.message}`));
    button.disabled = false;
  }
}

async function showWeights(version) {
  shownWeights = version;
  drawTable();
  await drawWeights(version);
  document.getElementById("weights-title").scrollIntoView({ block: "nearest" });
}

let drawn;

/** Each class's 784 weights as a 28×28 image: blue for positive, red for negative, white for zero. */
async function drawWeights(version) {
  const title = document.getElementById("weights-title");
  const list = document.getElementById("weights");
  const active = versions.find(v => v.active)?.version === version;
  title.textContent = active ? `What the active model (${version}) learned` : `What model ${version} learned`;
  if (drawn === version) return;
  try {
    const { classes, weights } = await api(`/models/${encodeURIComponent(version)}/weights`, { busy: list });
    drawn = version;
    list.replaceChildren(...classes.map((name, c) => {
      const canvas = el("canvas", { width: 28, height: 28, role: "img", "aria-label": `Weights of ${version} for ${name}` });
      const context = canvas.getContext("2d");
      const image = context.createImageData(28, 28);
      const scale = Math.max(...weights[c].map(Math.abs)) || 1;
      weights[c].forEach((w, i) => {
        const t = Math.min(1, Math.abs(w) / scale);
        const [r, g, b] = w >= 0 ? [255 * (1 - t), 255 * (1 - 0.7 * t), 255] : [255, 255 * (1 - 0.85 * t), 255 * (1 - 0.85 * t)];
        image.data.set([r, g, b, 255], i * 4);
      });
      context.putImageData(image, 0, 0);
      return el("li", {}, canvas, name);
    }));
  } catch (e) {
    showError(document.getElementById("models-error"), e);
  }
}
