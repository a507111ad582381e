// Train: a form filled from the chosen preset (GET /train/presets), POST /train, and the job's curves drawn live from
// its Server-Sent Events stream (GET /train/{id}/events); recent jobs from GET /train.
import { api, el, showError, percent, formatDate, modelChanged } from "./api.js";
import { followEvents } from "./events.js";

const CHOICE_FIELDS = ["implementation", "optimizer", "schedule", "activate"];
const NUMBERS = ["epochs", "learningRate", "batchSize", "momentum", "weightDecay", "seed"];

let presets = {};
let choices = {}; // the values each choice field accepts, as the service lists them
let chart;
let stream;
let followed;

export async function start() {
  const form = document.getElementById("train-form");
  form.addEventListener("submit", submit);
  document.getElementById("preset").addEventListener("change", e => fill(presets[e.target.value]));
  document.getElementById("cancel").addEventListener("click", cancel);
  chart = new Chart(document.getElementById("curves"), {
    type: "line",
    data: {
      labels: [],
      datasets: [
        { label: "Loss", data: [], yAxisID: "loss", borderColor: "#b3261e", backgroundColor: "#b3261e" },
        { label: "Train accuracy", data: [], yAxisID: "accuracy", borderColor: "#2457c5", backgroundColor: "#2457c5", borderDash: [6, 3] },
        { label: "Test accuracy", data: [], yAxisID: "accuracy", borderColor: "#1e7a3c", backgroundColor: "#1e7a3c" },
      ],
    },
    options: {
      maintainAspectRatio: false, animation: { duration: 150 },
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { labels: { usePointStyle: true } } },
      scales: {
        x: { title: { display: true, text: "Epoch" } },
        loss: { position: "left", beginAtZero: true, title: { display: true, text: "Loss" } },
        accuracy: { position: "right", min: 0.5, max: 1, grid: { drawOnChartArea: false }, title: { display: true, text: "Accuracy" },
          ticks: { callback: v => percent(v, 0) } },
      },
    },
  });

  try {
    ({ presets, choices } = await api("/train/presets"));
    const select = document.getElementById("preset");
    select.replaceChildren(...Object.keys(presets).map(name => el("option", { value: name }, name)));
    select.value = "default" in presets ? "default" : Object.keys(presets)[0];
    fill(presets[select.value]);
  } catch (e) {
    showError(document.getElementById("train-error"), e);
  }
  const jobs = await loadJobs();
  const active = jobs.find(j => j.status === "running") ?? jobs.find(j => j.status === "queued");
  if (active) follow(active.id);
}

export function shown() { loadJobs(); }

/** Fills every field with the preset's value, keeping the choices the service knows. */
function fill(preset) {
  if (!preset) return;
  const form = document.getElementById("train-form");
  for (const field of CHOICE_FIELDS) {
    const value = preset[field] ?? choices[field]?.[0]; // activate is not part of a preset: its default comes first
    const options = [...new Set([...(choices[field] ?? []), value])];
    form.elements[field].replaceChildren(...options.map(v => el("option", { value: v }, v)));
    form.elements[field].value = value;
  }
  for (const field of NUMBERS) form.elements[field].value = preset[field];
  form.elements.shuffle.checked = preset.shuffle;
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
}

async function submit(event) {
  event.preventDefault();
  const form = event.target;
  const error = document.getElementById("train-error");
  const body = { preset: form.elements.preset.value, shuffle: form.elements.shuffle.checked };
  for (const field of CHOICE_FIELDS) body[field] = form.elements[field].value;
  for (const field of NUMBERS) if (form.elements[field].value !== "") body[field] = Number(form.elements[field].value);
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  document.getElementById("start").disabled = true;
  try {
    const job = await api("/train", { method: "POST", body, guarded: true });
    showError(error, null);
    follow(job.id);
    loadJobs();
  } catch (e) {
    // A validation problem names each failing field: mark them and list what to fix.
    const fields = Object.entries(e.problem?.errors ?? {});
    for (const [field] of fields) form.elements[field]?.setAttribute("aria-invalid", "true");
    showError(error, fields.length ? new Error(fields.map(([f, m]) => `${f}: ${m.join(" ")}`).join(" · ")) : e);
  } finally {
    document.getElementById("start").disabled = false;
  }
}

async function cancel() {
  if (!followed) return;
  try {
    await api(`/train/${followed}`, { method: "DELETE", guarded: true });
  } catch (e) {
    showError(document.getElementById("train-error"), e);
  }
}

/** Follows one job: its curves so far, then each event as the server pushes it, until it ends. */
function follow(id) {
  stream?.abort();
  followed = id;
  let finished = false;
  const status = document.getElementById("job-status");
  const bar = document.getElementById("job-progress");
  const setCurves = history => {
    chart.data.labels = history.map(e => e.epoch);
    chart.data.datasets[0].data = history.map(e => e.loss);
    chart.data.datasets[1].data = history.map(e => e.trainAccuracy);
    chart.data.datasets[2].data = history.map(e => e.testAccuracy);
    chart.update();
  };
  const describe = (job, progress = job.progress) => {
    bar.value = progress.percent;
    const where = progress.epoch ? `epoch ${progress.epoch}/${progress.epochs}, batch ${progress.batch}/${progress.batchesPerEpoch}` : "waiting for its turn";
    status.textContent = `Job ${id}: ${job.status}${job.status === "running" ? ` — ${where} (${progress.percent.toFixed(1)}%)` : ""}`;
    document.getElementById("cancel").disabled = !["queued", "running"].includes(job.status);
    highlight();
  };

  stream = new AbortController();
  const done = job => {
    finished = true;
    setCurves(job.history);
    describe(job);
    bar.value = job.status === "succeeded" ? 100 : bar.value;
    status.textContent = job.status === "succeeded"
      ? `Job ${id}: succeeded — model ${job.modelVersion}, test accuracy ${percent(job.testAccuracy)}` +
        (job.activated === false ? `; not activated: ${job.notActivatedReason}` : "")
      : `Job ${id}: ${job.status}${job.error ? ` — ${job.error}` : ""}`;
    loadJobs();
    if (job.status === "succeeded") modelChanged(); // a new version either way; maybe a new active one
  };
  followEvents(`/train/${encodeURIComponent(id)}/events`, {
    snapshot: job => {
      setCurves(job.history);
      describe(job);
    },
    progress: update => describe(update, update.progress),
    epoch: epoch => {
      chart.data.labels.push(epoch.epoch);
      chart.data.datasets[0].data.push(epoch.loss);
      chart.data.datasets[1].data.push(epoch.trainAccuracy);
      chart.data.datasets[2].data.push(epoch.testAccuracy);
      chart.update();
    },
    done,
  }, {
    signal: stream.signal,
    onLost: () => { if (!finished) status.textContent = `Job ${id}: connection lost, reconnecting…`; },
  }).catch(e => {
    if (e.name !== "AbortError") status.textContent = `Job ${id}: the event stream could not be opened (${e.message}).`;
  });
}

async function loadJobs() {
  try {
    const jobs = await api("/train");
    document.getElementById("jobs").replaceChildren(...jobs.slice(0, 20).map(job => el("tr", { "data-job": job.id },
      el("td", {}, el("button", { type: "button", class: "mono", title: "Show this job's curves", onclick: () => follow(job.id) }, job.id)),
      el("td", { class: `status-${job.status}` }, job.status),
      el("td", {}, job.preset ?? "—"),
      el("td", {}, String(job.hyperparameters.epochs)),
      el("td", {}, job.testAccuracy == null ? "—" : percent(job.testAccuracy)),
      el("td", { class: "mono" }, job.modelVersion ?? "—"),
      el("td", {}, formatDate(job.createdAt)))));
    highlight();
    return jobs;
  } catch (e) {
    showError(document.getElementById("train-error"), e);
    return [];
  }
}

function highlight() {
  for (const row of document.querySelectorAll("#jobs tr")) row.classList.toggle("followed", row.dataset.job === followed);
}
