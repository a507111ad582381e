// Talking to the service: every request of the page goes through api(): JSON (or an image) in and out, problem
// details (RFC 9457) turned into errors whose message is the problem's `detail`, a loading state on the element that
// waits for the answer, and the API key asked for when the service wants one (kept in this tab's session only).

const KEY_STORAGE = "fashionapi.apiKey";

/** A request slower than this shows its loading state; quicker ones do not flicker. */
const LOADING_DELAY_MS = 200;

export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message || problem?.detail || problem?.title || `The service answered ${status}.`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

/**
 * Calls the API. `body` may be a Blob/FormData (sent as is) or an object (sent as JSON). `as: "blob"` returns the
 * answer's bytes instead of parsed JSON. `busy` is an element marked as loading (aria-busy, class "loading") while
 * the answer takes longer than 200 ms. `guarded` sends the API key, asking for one when the service wants it. `as: "response"` returns the
 * successful response itself, unread (for the event streams, read as they come).
 */
export async function api(path, { method = "GET", body, signal, guarded = false, as = "json", busy } = {}) {
  const timer = busy && setTimeout(() => setLoading(busy, true), LOADING_DELAY_MS);
  try {
    return await request(path, { method, body, signal, guarded, as });
  } finally {
    if (busy) {
      clearTimeout(timer);
      setLoading(busy, false);
    }
  }
}

function setLoading(element, loading) {
  // Several requests may share an element (e.g. a page of the grid replacing another): count them.
  const count = Math.max(0, Number(element.dataset.loading ?? 0) + (loading ? 1 : -1));
  element.dataset.loading = String(count);
  element.classList.toggle("loading", count > 0);
  if (count > 0) element.setAttribute("aria-busy", "true");
  else element.removeAttribute("aria-busy");
}

async function request(path, { method, body, signal, guarded, as }) {
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    let payload = body;
    if (body && !(body instanceof Blob) && !(body instanceof FormData)) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    } else if (body instanceof Blob && body.type) {
      headers["Content-Type"] = body.type;
    }
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (guarded && key) headers["X-Api-Key"] = key;

    let response;
    try {
      response = await fetch(path, { method, body: payload, headers, signal });
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiError(0, { detail: `The service could not be reached (${e.message}).` });
    }
    noteServerClock(response);
    if (response.ok) {
      if (response.status === 204) return null;
      return as === "response" ? response : as === "blob" ? response.blob() : response.json();
    }
    const problem = await readProblem(response);
    if (response.status === 401 && guarded) {
      sessionStorage.removeItem(KEY_STORAGE);
      // A key was sent and refused: say so in those words, whatever the service's wording for a missing key.
      const reason = key ? "The API key was refused: it is not this service's key." : problem.detail;
      if (attempt < 2 && await askForKey(reason)) continue; // a mistyped key may be typed again, once
      throw new ApiError(401, problem, key ? `${reason} Nothing was changed.` : undefined);
    }
    throw new ApiError(response.status, problem);
  }
}

let clockOffset = 0; // server time minus this browser's, when they disagree by more than the Date header's second

function noteServerClock(response) {
  const server = Date.parse(response.headers.get("Date") ?? "");
  if (Number.isNaN(server)) return;
  const offset = server - Date.now();
  clockOffset = Math.abs(offset) > 2000 ? offset : 0;
}

/** Now by the service's clock (its time stamps, e.g. when a job started, are compared with this). */
export const serverNow = () => Date.now() + clockOffset;

async function readProblem(response) {
  try {
    return await response.json();
  } catch {
    return { title: response.statusText || `HTTP ${response.status}` };
  }
}

/** Shows the key dialog; resolves true when a key was entered (and stored for this tab). */
function askForKey(reason) {
  const dialog = document.getElementById("key-dialog");
  const input = document.getElementById("key-input");
  document.getElementById("key-reason").textContent =
    `${reason ?? "This service needs an API key for this."} The key is kept in this tab's session storage only.`;
  input.value = "";
  return new Promise(resolve => {
    dialog.addEventListener("close", () => {
      const ok = dialog.returnValue === "ok" && input.value.trim() !== "";
      if (ok) sessionStorage.setItem(KEY_STORAGE, input.value.trim());
      resolve(ok);
    }, { once: true });
    dialog.showModal();
  });
}

let classes;

/** The class names by label (0–9), as the service names them: asked once, then kept. */
export function classNames() {
  classes ??= api("/samples/classes").catch(e => { classes = null; throw e; });
  return classes;
}

/** Shows an error message (or hides the element when `error` is null). */
export function showError(element, error) {
  element.hidden = !error;
  element.textContent = error ? (error.message ?? String(error)) : "";
}

/** Shows a short notice of a given kind ("good", "warn", "info"), or hides it when `text` is null. */
export function showNotice(element, text, kind = "info") {
  element.hidden = !text;
  element.textContent = text ?? "";
  element.className = `notice ${kind}`;
}

export const percent = (value, digits = 1) => `${(100 * value).toFixed(digits)}%`;

/** A difference of two accuracies in percentage points, signed: "+1.2 pts", "−0.4 pts", "±0.0 pts". */
export function points(difference, digits = 1) {
  const value = (100 * difference).toFixed(digits);
  if (Number(value) === 0) return `±${(0).toFixed(digits)} pts`;
  return `${difference > 0 ? "+" : "−"}${value.replace("-", "")} pts`;
}

export function formatDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** A duration for people: "0.8 s", "42 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor(s / 60) % 60).padStart(2, "0")} min`;
}

/** Creates an element with attributes and children, e.g. el("td", { class: "x" }, "text"). */
export function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : value);
  }
  element.append(...children.filter(c => c != null));
  return element;
}

/** A table cell named for narrow screens, where each row is a card of "label: value" lines (table.stack). */
export const cell = (label, className, ...children) =>
  el("td", { "data-label": label }, el("div", { class: className }, ...children));

/** A version name that may wrap after its time stamp: 20261201-041259-370-<wbr>fused-4d5f8b. */
export function breakable(version) {
  const parts = version.split("-");
  return parts.length > 3 ? [parts.slice(0, 3).join("-") + "-", el("wbr"), parts.slice(3).join("-")] : [version];
}

/** Scrolls the element into view unless all of it is on screen already (small screens put results below what was used). */
export function bringIntoView(element) {
  const box = element.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) {
    const behavior = matchMedia("(prefers-reduced-motion: reduce)").matches ? "auto" : "smooth";
    element.scrollIntoView({ block: box.height > window.innerHeight ? "start" : "nearest", behavior });
  }
}

/** Lets the rest of the page know the active model changed (after training or activation, or seen elsewhere). */
export const modelChanged = version => document.dispatchEvent(new CustomEvent("model-changed", { detail: { version } }));
