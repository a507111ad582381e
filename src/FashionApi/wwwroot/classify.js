// Classify: an image chosen, dropped or drawn goes to POST /predict?include=input; the answer shows the 28×28 input
// the model saw, its class and the ten probabilities, and for a test image its true class.
import { api, showError, percent, classNames, bringIntoView } from "./api.js";
import { classBars, setBars } from "./charts.js";

let chart;
let classes = [];
let pending; // the request in flight, aborted when a newer image comes
const DRAWING = "your drawing";

export async function start() {
  const file = document.getElementById("file");
  const drop = document.getElementById("drop");
  file.addEventListener("change", () => file.files[0] && classifyFile(file.files[0]));
  drop.addEventListener("dragover", e => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", e => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) classifyFile(e.dataTransfer.files[0]);
  });
  document.getElementById("random-test").addEventListener("click", classifyRandomTestImage);
  setUpPad();
  try {
    classes = await classNames();
    chart = classBars(document.getElementById("probabilities"), classes, { label: "Probability" });
  } catch (e) {
    showError(document.getElementById("classify-error"), e);
  }
}

function classifyFile(file) {
  const form = new FormData();
  form.append("image", file, file.name); // multipart: the service decides what the bytes are
  classify(form, { source: file.name });
}

/** A random test image: its true class from GET /samples (one image a page, so page n is image n − 1), then its PNG. */
async function classifyRandomTestImage() {
  const error = document.getElementById("classify-error");
  const result = document.getElementById("result");
  document.getElementById("prediction-detail").textContent = "Choosing a test image…";
  try {
    const { total } = await api("/samples?pageSize=1", { busy: result });
    const { items: [sample] } = await api(`/samples?pageSize=1&page=${1 + Math.floor(Math.random() * total)}`, { busy: result });
    const image = await api(`/samples/${sample.index}.png`, { as: "blob", busy: result });
    classify(image, { source: `test image #${sample.index}`, trueClass: sample.trueClass });
  } catch (e) {
    clearResult();
    showError(error, e);
  }
}

/** Sends the image; `truth.trueClass` is known for test images. */
async function classify(body, truth) {
  const error = document.getElementById("classify-error");
  const result = document.getElementById("result");
  pending?.abort();
  pending = new AbortController();
  document.getElementById("prediction-detail").textContent = `Classifying ${truth.source}…`;
  try {
    const prediction = await api("/predict?include=input", { method: "POST", body, signal: pending.signal, busy: result });
    showError(error, null);
    show(prediction, truth);
    if (truth.source === DRAWING) {
      // The pad stays in view while drawing: a line under it says the answer (the details are further down).
      const line = document.getElementById("pad-result");
      line.hidden = false;
      line.textContent = `→ ${prediction.className}, ${percent(prediction.confidence)} confident`;
    } else {
      bringIntoView(result);
    }
  } catch (e) {
    if (e.name === "AbortError") return;
    clearResult(); // a result left beside the error would read as this image's
    showError(error, e);
    document.getElementById("prediction-detail").textContent = `${truth.source} could not be classified.`;
    if (truth.source !== DRAWING) bringIntoView(result);
  }
}

/** Empties the result: the input the model saw, its class, the truth and the bars. */
function clearResult() {
  document.getElementById("seen").hidden = true;
  document.getElementById("predicted").textContent = "—";
  document.getElementById("truth").hidden = true;
  document.getElementById("pad-result").hidden = true;
  showWarnings([]);
  if (chart) setBars(chart, new Array(classes.length).fill(null));
}

function show(prediction, truth) {
  const seen = document.getElementById("seen");
  seen.src = prediction.input;
  seen.hidden = false;
  document.getElementById("predicted").textContent = prediction.className;
  const steps = [];
  const p = prediction.preprocessing;
  if (p) {
    steps.push(`${p.format.toUpperCase()} ${p.originalWidth}×${p.originalHeight}`);
    if (p.convertedToGrayscale) steps.push("made grey");
    if (p.resized) steps.push(`background ${Math.round(p.backgroundLevel)} removed`);
    if (p.inverted) steps.push("inverted");
    if (p.rotationDegrees) steps.push(`turned ${p.rotationDegrees}°`);
    if (p.resized) steps.push(`${p.cropBox.width}×${p.cropBox.height} garment fitted into 28×28`);
  }
  const detail = document.getElementById("prediction-detail");
  detail.textContent = `${percent(prediction.confidence)} confident · ${truth.source}${steps.length ? ` (${steps.join(", ")})` : ""}`;
  const verdict = document.getElementById("truth");
  verdict.hidden = !truth.trueClass;
  if (truth.trueClass) {
    const right = truth.trueClass === prediction.className;
    verdict.className = `truth ${right ? "right" : "wrong"}`;
    verdict.textContent = right ? `✓ Right: it is a ${truth.trueClass}.` : `✗ Wrong: it is a ${truth.trueClass}.`;
  }
  setBars(chart, classes.map(name => prediction.probabilities[name]), prediction.label);
  showWarnings(p?.warnings ?? []);
}

/** What preprocessing warns about, in the shopper's words: the answer for such a photo deserves less trust. */
const WARNINGS = {
  noForeground: "Nothing stood out from the background.",
  foregroundTouchesEveryBorder: "Something reaches every edge of the photo: leave plain background around the garment.",
  lowContrast: "The garment barely differs from its background.",
  severalObjects: "There seem to be several separate objects; the answer is for all of them together.",
};

function showWarnings(warnings) {
  const box = document.getElementById("prediction-warnings");
  box.replaceChildren();
  box.hidden = warnings.length === 0;
  if (box.hidden) return;
  const list = document.createElement("ul");
  for (const warning of warnings) {
    const item = document.createElement("li");
    item.dataset.warning = warning;
    item.textContent = WARNINGS[warning] ?? warning;
    list.append(item);
  }
  box.append("This photo was hard to read:", list);
}

/** The drawing pad: white strokes on black; each finished stroke sends the whole drawing. */
function setUpPad() {
  const pad = document.getElementById("pad");
  const context = pad.getContext("2d");
  const clear = () => { context.fillStyle = "#000"; context.fillRect(0, 0, pad.width, pad.height); };
  clear();
  let last = null;
  const at = e => {
    const box = pad.getBoundingClientRect();
    return { x: (e.clientX - box.left) * pad.width / box.width, y: (e.clientY - box.top) * pad.height / box.height };
  };
  pad.addEventListener("pointerdown", e => {
    pad.setPointerCapture(e.pointerId);
    last = at(e);
    context.fillStyle = "#fff";
    context.beginPath();
    context.arc(last.x, last.y, Number(document.getElementById("pen").value) / 2, 0, 2 * Math.PI);
    context.fill();
  });
  pad.addEventListener("pointermove", e => {
    if (!last) return;
    const point = at(e);
    context.strokeStyle = "#fff";
    context.lineWidth = Number(document.getElementById("pen").value);
    context.lineCap = context.lineJoin = "round";
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(point.x, point.y);
    context.stroke();
    last = point;
  });
  const end = () => {
    if (!last) return;
    last = null;
    pad.toBlob(blob => classify(blob, { source: DRAWING }), "image/png");
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  document.getElementById("clear").addEventListener("click", () => {
    clear();
    pending?.abort();
    clearResult();
    showError(document.getElementById("classify-error"), null);
    document.getElementById("prediction-detail").textContent = "Choose, drop or draw an image.";
  });
}
