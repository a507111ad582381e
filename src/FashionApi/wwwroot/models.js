// Models: the saved versions (GET /models), activating one (POST /models/{version}/activate, with the API key when the
// service has one), downloading one as ONNX (GET /models/{version}/onnx), and the active model's weights drawn per
// class (GET /models/{version}/weights).
import { api, el, showError, percent, formatDate, modelChanged } from "./api.js";

export function start() {
  document.addEventListener("model-changed", load);
  load();
}

export function shown() { load(); }

async function load() {
  const error = document.getElementById("models-error");
  try {
    const versions = await api("/models");
    const manifests = await Promise.all(versions.map(v => api(`/models/${encodeURIComponent(v.version)}`).catch(() => null)));
    document.getElementById("versions").replaceChildren(...versions.map((version, i) => el("tr", {},
      el("td", { class: "mono" }, version.version, version.active ? el("span", { class: "badge" }, "active") : null),
      el("td", {}, percent(version.testAccuracy, 2)),
      el("td", {}, version.implementation),
      el("td", {}, version.preset ?? "—"),
      el("td", { class: "hyperparameters" }, describe(manifests[i]?.hyperparameters)),
      el("td", {}, formatDate(version.createdAt)),
      el("td", { class: "actions" }, el("a", {
        class: "button", href: `/models/${encodeURIComponent(version.version)}/onnx`, download: "",
        "aria-label": `Download ${version.version} as ONNX`, title: "Download as an ONNX model, for other runtimes",
      }, "ONNX"), version.active ? null : el("button", {
        type: "button", "aria-label": `Activate ${version.version}`, onclick: e => activate(version.version, e.target),
      }, "Activate")))));
    showError(error, null);
    const current = versions.find(v => v.active);
    if (current) await drawWeights(current.version);
  } catch (e) {
    showError(error, e);
  }
}

/** A version's hyperparameters in one line (from its manifest, GET /models/{version}). */
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
  button.disabled = true;
  try {
    await api(`/models/${encodeURIComponent(version)}/activate`, { method: "POST", guarded: true });
    showError(document.getElementById("models-error"), null);
    modelChanged();
  } catch (e) {
    showError(document.getElementById("models-error"), e.status === 401
      ? new Error(`Not activated: ${e.message} Enter the service's API key to try again.`) : e);
    button.disabled = false;
  }
}

let drawn;

/** Each class's 784 weights as a 28×28 image: blue for positive, red for negative, white for zero. */
async function drawWeights(version) {
  if (drawn === version) return;
  const { classes, weights } = await api(`/models/${encodeURIComponent(version)}/weights`);
  drawn = version;
  document.getElementById("weights").replaceChildren(...classes.map((name, c) => {
    const canvas = el("canvas", { width: 28, height: 28, role: "img", "aria-label": `Weights for ${name}` });
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
}
