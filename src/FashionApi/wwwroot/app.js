// The page's table of contents: four views chosen by the URL's #hash, each set up the first time it is shown.
import { api, percent } from "./api.js";
import * as classify from "./classify.js";
import * as explore from "./explore.js";
import * as train from "./train.js";
import * as models from "./models.js";

const views = { classify, explore, train, models };
const started = new Set();

function show() {
  const name = location.hash.slice(1) in views ? location.hash.slice(1) : "classify";
  for (const section of document.querySelectorAll("main > .view")) section.hidden = section.id !== name;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!started.has(name)) {
    started.add(name);
    views[name].start();
  } else {
    views[name].shown?.();
  }
}

async function describeModel() {
  const line = document.getElementById("model-line");
  try {
    const status = await api("/status");
    line.textContent = status.modelReady
      ? `Active model ${status.modelVersion} · test accuracy ${percent(status.testAccuracy)}`
      : "No model is ready yet (the first training is running).";
  } catch (e) {
    line.textContent = e.message;
  }
}

window.addEventListener("hashchange", show);
document.addEventListener("model-changed", describeModel);
show();
describeModel();
