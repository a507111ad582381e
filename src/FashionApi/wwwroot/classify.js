// Classify: an image chosen, dropped or drawn goes to POST /predict?include=input; the answer shows the 28×28 input
// the model saw, its class and the ten probabilities.
import { api, showError, percent, CLASS_NAMES } from "./api.js";

let chart;
let pending; // the request in flight, aborted when a newer image comes

export function start() {
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

  chart = new Chart(document.getElementById("probabilities"), {
    type: "bar",
    data: { labels: CLASS_NAMES, datasets: [{ label: "Probability", data: new Array(10).fill(0), backgroundColor: "#2457c5" }] },
    options: {
      indexAxis: "y", animation: { duration: 200 }, maintainAspectRatio: false,
      scales: { x: { min: 0, max: 1, ticks: { callback: v => percent(v, 0) } } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: c => percent(c.parsed.x, 2) } } },
    },
  });
}

function classifyFile(file) {
  const form = new FormData();
  form.append("image", file, file.name); // multipart: the service decides what the bytes are
  classify(form, file.name);
}

async function classifyRandomTestImage() {
  const index = Math.floor(Math.random() * 10000);
  const response = await fetch(`/samples/${index}.png`);
  if (!response.ok) return showError(document.getElementById("classify-error"), new Error(`Test image ${index} could not be loaded.`));
  classify(await response.blob(), `test image #${index}`);
}

async function classify(body, source) {
  const error = document.getElementById("classify-error");
  pending?.abort();
  pending = new AbortController();
  document.getElementById("prediction-detail").textContent = `Classifying ${source}…`;
  try {
    const prediction = await api("/predict?include=input", { method: "POST", body, signal: pending.signal });
    showError(error, null);
    show(prediction, source);
  } catch (e) {
    if (e.name === "AbortError") return;
    showError(error, e);
    showWarnings([]);
    document.getElementById("prediction-detail").textContent = `${source} could not be classified.`;
  }
}

function show(prediction, source) {
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
  document.getElementById("prediction-detail").textContent =
    `${percent(prediction.confidence)} confident · ${source}${steps.length ? ` (${steps.join(", ")})` : ""}`;
  showWarnings(p?.warnings ?? []);
  chart.data.datasets[0].data = CLASS_NAMES.map(name => prediction.probabilities[name]);
  chart.data.datasets[0].backgroundColor = CLASS_NAMES.map((_, i) => i === prediction.label ? "#1e7a3c" : "#2457c5");
  chart.update();
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
    pad.toBlob(blob => classify(blob, "your drawing"), "image/png");
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);
  document.getElementById("clear").addEventListener("click", () => {
    clear();
    pending?.abort();
    document.getElementById("predicted").textContent = "—";
    document.getElementById("prediction-detail").textContent = "Choose, drop or draw an image.";
    document.getElementById("seen").hidden = true;
    showWarnings([]);
    chart.data.datasets[0].data = new Array(10).fill(0);
    chart.update();
  });
}
