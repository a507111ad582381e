// Talking to the service: JSON in and out, problem details (RFC 9457) turned into errors whose message is the
// problem's `detail`, and the API key asked for when the service wants one (kept in this tab's session only).

export const CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
const KEY_STORAGE = "fashionapi.apiKey";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The service answered ${status}.`);
    this.status = status;
    this.problem = problem ?? {};
  }
}

/** Calls the API. `body` may be a Blob/FormData (sent as is) or an object (sent as JSON). */
export async function api(path, options = {}) {
  const response = await send(path, options);
  return response.status === 204 ? null : response.json();
}

/** Sends a request and returns the successful response, asking for the API key on a 401 to a guarded route (once),
 * and turning any other answer into an ApiError. Used as is for the event streams, which are read as they come. */
export async function send(path, { method = "GET", body, signal, guarded = false, accept } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = {};
    if (accept) headers["Accept"] = accept;
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
    if (response.ok) return response;
    const problem = await readProblem(response);
    if (response.status === 401 && guarded && attempt === 0 && await askForKey(key ? "The API key was refused (401)." : problem.detail)) {
      continue;
    }
    if (response.status === 401) sessionStorage.removeItem(KEY_STORAGE);
    throw new ApiError(response.status, problem);
  }
}

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

/** Shows an error message (or hides the element when `error` is null). */
export function showError(element, error) {
  element.hidden = !error;
  element.textContent = error ? (error.message ?? String(error)) : "";
}

export const percent = (value, digits = 1) => `${(100 * value).toFixed(digits)}%`;

export function formatDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
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

/** Lets the rest of the page know the active model changed (after training or activation, or seen elsewhere). */
export const modelChanged = version => document.dispatchEvent(new CustomEvent("model-changed", { detail: { version } }));
