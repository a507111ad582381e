// A training job's Server-Sent Events, read with fetch rather than EventSource: the stream needs the API key in a
// header (EventSource cannot send one), and a stream the server refuses (401, 404, 429) should say why, not retry.

import { api } from "./api.js";

/**
 * Follows `path`, calling `handlers[eventName](data)` for each event (data parsed as JSON). Resolves when the server
 * closes the stream or `signal` aborts; a connection lost midway is reopened after a second (`onLost` is told),
 * a refusal rejects with the ApiError.
 */
export async function followEvents(path, handlers, { signal, onLost } = {}) {
  for (;;) {
    const response = await api(path, { guarded: true, signal, as: "response" });
    try {
      await readEvents(response.body, handlers);
      return;
    } catch (e) {
      if (signal?.aborted) return;
      onLost?.(e);
      await new Promise(resolve => setTimeout(resolve, 1000));
      if (signal?.aborted) return;
    }
  }
}

/** The text/event-stream format: blocks separated by a blank line, `event:` and `data:` fields. */
async function readEvents(body, handlers) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replaceAll("\r\n", "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) handlers[event]?.(JSON.parse(data.join("\n")));
    }
  }
}
