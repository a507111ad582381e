// Train: a form filled from the chosen preset (GET /train/presets), POST /train, and the job's curves drawn live from
// its Server-Sent Events stream (GET /train/{id}/events); recent jobs from GET /train.
import { api, el, showError, showNotice, percent, formatDate, formatDuration, modelChanged, breakable, cell, serverNow } from "./api.js";
import { watchOverflow } from "./overflow.js";
import { epochCurves, setEpochs, addEpoch } from "./charts.js";
import { followEvents } from "./events.js";

const CHOICE_FIELDS = ["implementation", "optimizer", "schedule", "activate"];
const NUMBERS = ["epochs", "learningRate", "batchSize", "momentum", "weightDecay", "seed"];

/** The page's promotion policy unless the person picks another: a better model is never replaced by a worse one. */
const PAGE_ACTIVATION = "ifBetter";
const ACTIVATION_CHOICES = {
  ifBetter: ["Activate if more accurate (ifBetter)",
    "The new model serves only if its test accuracy beats the active model's; otherwise it is only saved."],
  always: ["Always activate (always)", "The new model serves as soon as it is saved, even if it is less accurate."],
  never: ["Only save it (never)", "The new model is saved; activate it yourself on the Models view."],
};

let presets = {};
let choices = {}; // the values each choice field accepts, as the service lists them
let chart;
let stream;
let followed;
let clock; // redraws the followed job's elapsed time and ETA every second

export async function start() {
  const form = document.getElementById("train-form");
  form.addEventListener("submit", submit);
  document.getElementById("preset").addEventListener("change", e => fill(presets[e.target.value]));
  document.getElementById("cancel").addEventListener("click", cancel);
  form.elements.activate.addEventListener("change", describeActivation);
  chart = epochCurves(document.getElementById("curves"));
  watchOverflow(document.querySelector("#train .table-wrap"));

  try {
    ({ presets, choices } = await api("/train/presets", { busy: form }));
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

/** Fills every field with the preset's value, keeping the choices the service knows and the chosen policy. */
function fill(preset) {
  if (!preset) return;
  const form = document.getElementById("train-form");
  const policy = form.elements.activate.value;
  for (const field of CHOICE_FIELDS) {
    const value = field === "activate"
      ? policy || (choices.activate?.includes(PAGE_ACTIVATION) ? PAGE_ACTIVATION : choices.activate?.[0])
      : preset[field] ?? choices[field]?.[0];
    const options = [...new Set([...(choices[field] ?? []), value])];
    form.elements[field].replaceChildren(...options.map(v =>
      el("option", { value: v }, field === "activate" ? ACTIVATION_CHOICES[v]?.[0] ?? v : v)));
    form.elements[field].value = value;
  }
  for (const field of NUMBERS) form.elements[field].value = preset[field];
  form.elements.shuffle.checked = preset.shuffle;
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  describeActivation();
}

function describeActivation() {
  const value = document.getElementById("train-form").elements.activate.value;
  document.getElementById("activate-hint").textContent = ACTIVATION_CHOICES[value]?.[1] ?? "";
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
    const job = await api("/train", { method: "POST", body, guarded: true, busy: form });
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
    await api(`/train/${followed}`, { method: "DELETE", guarded: true, busy: document.querySelector(".job-state") });
  } catch (e) {
    showError(document.getElementById("train-error"), e);
  }
}

/** What a job is doing, in words: "running — epoch 3 of 8, batch 120 of 235 (37.5%)". */
function describeStatus(job) {
  const { progress, hyperparameters: hp } = job;
  switch (job.status) {
    case "queued":
      return `Job ${job.id}: queued — it starts when the job training now has finished.`;
    case "running":
      return progress.epoch
        ? `Job ${job.id}: running — epoch ${progress.epoch} of ${progress.epochs}, batch ${progress.batch} of ${progress.batchesPerEpoch} (${progress.percent.toFixed(1)}%)`
        : `Job ${job.id}: running — starting its first epoch`;
    case "succeeded":
      return `Job ${job.id}: succeeded — model ${job.modelVersion}, test accuracy ${percent(job.testAccuracy)}`;
    case "cancelled":
      return job.startedAt
        ? `Job ${job.id}: cancelled while running, after ${job.history.length} of ${hp.epochs} epochs; the model that was serving still serves.`
        : `Job ${job.id}: cancelled before it started; the model that was serving still serves.`;
    default:
      return `Job ${job.id}: ${job.status}${job.error ? ` — ${job.error}` : ""}`;
  }
}

/** Queued for, running for (with an ETA from the share of minibatches done), or took how long. */
function describeTiming(job, now = serverNow()) {
  const since = iso => Math.max(0, (now - Date.parse(iso)) / 1000);
  if (job.status === "queued") return `Waiting for ${formatDuration(since(job.createdAt))}`;
  if (job.status === "running") {
    if (!job.startedAt) return "";
    const elapsed = since(job.startedAt);
    const done = job.progress.percent;
    const left = done >= 1 ? elapsed * (100 - done) / done : NaN;
    return `Running for ${formatDuration(elapsed)} · ${Number.isFinite(left) ? `about ${formatDuration(left)} left` : "estimating the time left…"}`;
  }
  if (!job.finishedAt) return "";
  if (!job.startedAt) return `Waited ${formatDuration((Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000)} in the queue`;
  const queued = (Date.parse(job.startedAt) - Date.parse(job.createdAt)) / 1000;
  return `Took ${formatDuration((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000)}` +
    (queued >= 0.1 ? ` (after ${formatDuration(queued)} in the queue)` : "");
}

/** Whether the finished job's model was activated, and why not. */
function describeActivationOutcome(job) {
  const notice = document.getElementById("job-notice");
  if (job.status !== "succeeded" || job.activated == null) return showNotice(notice, null);
  if (job.activated) {
    showNotice(notice, `Model ${job.modelVersion} was activated: it serves predictions now (policy ${job.activate}).`, "good");
  } else {
    showNotice(notice, `Model ${job.modelVersion} was saved but not activated: ${job.notActivatedReason} ` +
      "The Models view can activate it anyway.", "warn");
  }
}

/** Follows one job: its curves so far, then each event as the server pushes it, until it ends. */
function follow(id) {
  stream?.abort();
  clearInterval(clock);
  followed = id;
  let finished = false;
  let job; // the latest snapshot, with the status and progress of later events merged in
  const status = document.getElementById("job-status");
  const timing = document.getElementById("job-timing");
  const bar = document.getElementById("job-progress");
  showNotice(document.getElementById("job-notice"), null);
  const describe = () => {
    bar.value = job.status === "succeeded" ? 100 : job.progress.percent;
    status.textContent = describeStatus(job);
    timing.textContent = describeTiming(job);
    timing.hidden = !timing.textContent;
    document.getElementById("cancel").disabled = !["queued", "running"].includes(job.status);
    highlight();
  };
  // The live region reads the status when it changes; the clock only rewrites the timing line.
  clock = setInterval(() => { if (job) timing.textContent = describeTiming(job); }, 1000);

  // fetch rather than EventSource: the stream needs the API key in a header, which EventSource cannot send.
  stream = new AbortController();
  followEvents(`/train/${encodeURIComponent(id)}/events`, {
    snapshot: snapshot => {
      job = snapshot;
      setEpochs(chart, job.history);
      describe();
    },
    progress: update => {
      if (!job) return;
      // The snapshot said when the job started; a job seen starting only now started about now.
      if (update.status === "running" && !job.startedAt) job.startedAt = new Date(serverNow()).toISOString();
      Object.assign(job, update);
      describe();
    },
    epoch: epoch => {
      addEpoch(chart, epoch);
      job?.history.push(epoch);
    },
    done: final => {
      finished = true;
      clearInterval(clock);
      job = final;
      setEpochs(chart, job.history);
      describe();
      describeActivationOutcome(job);
      loadJobs();
      if (job.status === "succeeded") modelChanged(); // a new version either way; maybe a new active one
    },
  }, {
    signal: stream.signal,
    onLost: () => { if (!finished) status.textContent = `Job ${id}: connection lost, reconnecting…`; },
  }).catch(e => {
    if (e.name !== "AbortError" && !finished) status.textContent = `Job ${id}: the event stream could not be opened (${e.message}).`;
  });
}

async function loadJobs() {
  try {
    const jobs = await api("/train", { busy: document.querySelector("#train .table-wrap") });
    document.getElementById("jobs").replaceChildren(...jobs.slice(0, 20).map(job => el("tr", { "data-job": job.id },
      cell("Job", null,
        el("button", { type: "button", class: "mono", "aria-label": `Show the curves of job ${job.id}`, onclick: () => follow(job.id) }, job.id)),
      cell("Status", `status-${job.status}`, job.status),
      cell("Implementation", null, job.hyperparameters.implementation),
      cell("Preset", null, job.preset ?? "—"),
      cell("Epochs", null, String(job.hyperparameters.epochs)),
      cell("Test accuracy", null, job.testAccuracy == null ? "—" : percent(job.testAccuracy)),
      cell("Model", null, job.modelVersion ? el("span", { class: "mono" }, ...breakable(job.modelVersion)) : "—",
        job.activated === false ? el("span", { class: "muted" }, " (not activated)") : null),
      cell("Created", null, formatDate(job.createdAt)),
      cell("Duration", null, job.startedAt && job.finishedAt
        ? formatDuration((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000)
        : job.status === "running" ? "running" : "—"))));
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
