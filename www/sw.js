// The lessons' `async-demo-api/` endpoints, answered inside the browser: the
// Service Worker of the static build (`cargo xtask dist`), whose folder has
// no server.
//
// The page's downloads stay real `fetch()` calls: they leave the page, show in
// DevTools' Network panel ("from ServiceWorker") and are aborted by their
// AbortController; only the answer is made here instead of by a server. The
// endpoints, their parameter checks and their 400 sentences are those of the
// dev server (xtask/src/server/api.rs); keep the two in step. What differs:
// - no network connection is involved, so the browser's limit of six
//   HTTP/1.1 connections per host does not apply: K requests in flight are K;
// - `async-demo-api/delay/{ms}` sends its head at once and its body after
//   `ms` (the dev server sends both after `ms`), so that an abort is seen:
//   see `delay`;
// - the counters of `async-demo-api/stats` and the ids of
//   `async-demo-api/flaky` live in this worker, shared by the pages it
//   controls, and start again at zero when the browser stops the worker (it
//   stops an idle one after about 30 s);
// - nothing is compressed, and `async-demo-api/stats/reset` accepts any page
//   it controls (a page of another origin cannot reach it).
//
// A guest on someone else's site. It answers only the URLs under
// `async-demo-api/` next to this file, a folder no site has by chance; every
// other request (the host's pages and their own `api/` URLs, POSTs and
// navigations, the widget's scripts and wasm, the author's own `urls`) goes to
// the network untouched, as if there were no worker: the listener returns
// without `respondWith`. Its answers are never cached, so nothing of it
// outlives its files: at each navigation of a page it controls it asks for
// its own script again, and once the host has removed it (404 or 410) it
// unregisters itself and answers nothing more. `async-demo.js` never
// registers it over a worker of the host's (see `startServiceWorker`).
// A classic script, not a module: every browser with Service Workers runs it.
"use strict";

const API = new URL("async-demo-api/", self.location.href);
const MAX_DELAY_MS = 30_000;
const MAX_BYTES = 10_000_000;
const MAX_ID_CHARS = 64;
/** The largest piece of a body made at once: whatever a page asks for or
 * leaves unread, a response holds at most this much of it in this worker. */
const CHUNK = 64 * 1024;

// A new version takes over at once: there is nothing to migrate.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
// A page loaded while bypassing the worker (a hard reload) asks to be taken.
self.addEventListener("message", (event) => {
  if (event.data === "claim") event.waitUntil(self.clients.claim());
});

/** Set once this worker's script is gone from the host: it answers nothing more. */
let removed = false;

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.mode === "navigate") event.waitUntil(stillHosted());
  if (removed) return;
  const url = new URL(request.url);
  if (url.origin !== API.origin) return;
  const path = url.pathname;
  // `async-demo-api/` itself is no endpoint.
  if (path.startsWith(API.pathname) && path.length > API.pathname.length) {
    event.respondWith(answer(request, path.slice(API.pathname.length), url.search));
  }
});

/**
 * Whether this worker's script is still on the host; if it is not (404 or
 * 410: the site's owner removed the widget's files), unregisters it. The
 * browser's own update check would keep a registration whose script is gone.
 * The request is a conditional one (`no-cache`), so usually a 304. A network
 * failure says nothing: offline, the worker stays.
 */
async function stillHosted() {
  try {
    const response = await fetch(self.location.href, { cache: "no-cache", credentials: "same-origin" });
    if (response.status === 404 || response.status === 410) {
      removed = true;
      await self.registration.unregister();
    }
  } catch {
    // Offline or refused: no verdict.
  }
}

// ---- counters (async-demo-api/stats) -------------------------------------------------

const stats = { started: 0, finished: 0, aborted: 0, inFlight: 0, peakInFlight: 0 };

/** Counts one request from its start until its body ends (finished) or the page gives up (aborted). */
function track() {
  stats.started += 1;
  stats.inFlight += 1;
  stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
  let done = false;
  return (finished) => {
    if (done) return;
    done = true;
    stats[finished ? "finished" : "aborted"] += 1;
    stats.inFlight -= 1;
  };
}

function resetStats() {
  stats.started = 0;
  stats.finished = 0;
  stats.aborted = 0;
  // Requests still under way stay counted as in flight.
  stats.peakInFlight = stats.inFlight;
}

// ---- answers ----------------------------------------------------------------

/** A refused parameter: HTTP 400 with a sentence. */
class BadRequest extends Error {}

// hyper's reason phrases (the http crate's canonical_reason): the lessons'
// error sentences quote them ("HTTP 500 Internal Server Error").
const REASONS = {
  200: "OK", 201: "Created", 202: "Accepted", 203: "Non Authoritative Information", 204: "No Content",
  205: "Reset Content", 206: "Partial Content", 207: "Multi-Status", 208: "Already Reported", 226: "IM Used",
  300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
  305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Timeout",
  409: "Conflict", 410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large",
  414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable", 417: "Expectation Failed",
  418: "I'm a teapot", 421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked",
  424: "Failed Dependency", 425: "Too Early", 426: "Upgrade Required", 428: "Precondition Required",
  429: "Too Many Requests", 431: "Request Header Fields Too Large", 451: "Unavailable For Legal Reasons",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway", 503: "Service Unavailable",
  504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
  507: "Insufficient Storage", 508: "Loop Detected", 510: "Not Extended", 511: "Network Authentication Required",
};

const TEXT = "text/plain; charset=utf-8";

function respond(status, body, headers = {}, head = false) {
  // 204, 205 and 304 carry no body (the Response constructor refuses one).
  const empty = head || status === 204 || status === 205 || status === 304;
  return new Response(empty ? null : body, {
    status,
    statusText: REASONS[status] ?? "<none>",
    headers: {
      "content-type": TEXT,
      "cache-control": "no-store",
      "access-control-allow-origin": "*",
      ...headers,
    },
  });
}

const sentence = (status, text) => respond(status, text);

/** `text` cut to a readable length for quoting in a sentence (64 characters). */
function quote(text) {
  const chars = [...text];
  return chars.length > 64 ? `${chars.slice(0, 64).join("")}…` : text;
}

/** A whole number in the digits 0–9 alone (`+5`, ` 5`, `5.0` refused; `007` is 7). */
function digits(text) {
  return /^[0-9]+$/.test(text) ? Number(text) : null;
}

function parseNumber(what, text, max, unit) {
  const n = digits(text);
  if (n !== null && n <= max) return n;
  throw new BadRequest(
    `${what} must be a whole number of ${unit} from 0 to ${max}, in the digits 0–9 alone; got “${quote(text)}”.`,
  );
}

/** The query as the dev server reads it: decoded, `+` as a space, the last of repeated names. */
function queryOf(search) {
  const query = new Map();
  for (const [name, value] of new URLSearchParams(search)) query.set(name, value);
  return query;
}

function queryNumber(query, name, fallback, max, unit) {
  return query.has(name) ? parseNumber(`Parameter ${name}`, query.get(name), max, unit) : fallback;
}

/** One path segment, percent-decoded as axum's `Path` does. */
function segment(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Resolves after `ms`; `onCancel` is handed the means to cut the wait short (it then rejects). */
function wait(ms, onCancel = () => {}) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    onCancel(() => {
      clearTimeout(timer);
      reject(new Error("cancelled"));
    });
  });
}

/**
 * A body made one chunk at a time as the page reads it: `next()` gives the
 * next chunk (or null at the end). The request counts as finished when the
 * last chunk is taken, as aborted when the page cancels the body or aborts.
 */
function streamed(next, end, signal) {
  let abort = null;
  const onAbort = () => {
    end(false);
    abort?.();
  };
  signal.addEventListener("abort", onAbort, { once: true });
  const finish = (ok) => {
    signal.removeEventListener("abort", onAbort);
    end(ok);
  };
  return new ReadableStream(
    {
      async pull(controller) {
        let chunk;
        try {
          chunk = await next((cancel) => (abort = cancel));
        } catch {
          finish(false);
          controller.error(new DOMException("The request was aborted.", "AbortError"));
          return;
        }
        if (chunk === null) {
          finish(true);
          controller.close();
        } else {
          controller.enqueue(chunk);
        }
      },
      cancel() {
        finish(false);
        abort?.();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * `/async-demo-api/delay/{ms}`: "waited {ms} ms", after `ms`. Unlike the dev server, the
 * head goes at once and the body after `ms`: Chromium does not tell a worker
 * that the page aborted a request it has not answered yet (FetchEvent's
 * `request.signal` stays quiet, and a late answer is read all the same), but
 * it does cancel a body the page stops reading. So an aborted delay is seen,
 * and counted, the moment the page gives up. (A HEAD gets its head after `ms`.)
 */
async function delay(ms, signal, end, head) {
  const text = new TextEncoder().encode(`waited ${ms} ms`);
  const headers = { "content-length": String(text.length) };
  if (head) {
    await wait(ms);
    end(true);
    return respond(200, null, headers, true);
  }
  let sent = false;
  const body = streamed(
    async (onCancel) => {
      if (sent) return null;
      await wait(ms, onCancel);
      sent = true;
      return text;
    },
    end,
    signal,
  );
  return respond(200, body, headers);
}

/**
 * `/async-demo-api/drip?bytes=N&ms=T`: N bytes of `.` spread evenly over T ms,
 * a step every 50 ms. A step larger than `CHUNK` goes as several pieces of at
 * most `CHUNK` (`bytes=10000000&ms=0` is one step of 10 MB): the stream makes
 * a piece only when the page pulls one, so a body the page leaves unread holds
 * one piece here, not the whole step.
 */
function drip(query, signal, end, head) {
  const bytes = queryNumber(query, "bytes", 1000, MAX_BYTES, "bytes");
  const ms = queryNumber(query, "ms", 1000, MAX_DELAY_MS, "milliseconds");
  const steps = Math.min(Math.max(Math.floor(ms / 50), 1), Math.max(bytes, 1));
  const interval = Math.floor(ms / steps);
  const headers = { "content-length": String(bytes) };
  if (head) {
    end(true);
    return respond(200, null, headers, true);
  }
  const dots = new Uint8Array(Math.min(CHUNK, Math.max(bytes, 1))).fill(0x2e); // "."
  let step = 0;
  let left = 0; // bytes of the current step not yet sent
  const body = streamed(
    async (onCancel) => {
      if (left === 0) {
        if (step === steps) return null;
        await wait(interval, onCancel);
        left = Math.floor((bytes * (step + 1)) / steps) - Math.floor((bytes * step) / steps);
        step += 1;
      }
      const size = Math.min(left, CHUNK);
      left -= size;
      return dots.slice(0, size);
    },
    end,
    signal,
  );
  return respond(200, body, headers);
}

/** `/async-demo-api/binary?bytes=N`: the dev server's N bytes (byte i is bits 7–14 of i × 2654435761), 64 KiB at a time. */
function binary(query, signal, end, head) {
  const bytes = queryNumber(query, "bytes", 1024, MAX_BYTES, "bytes");
  const headers = { "content-type": "application/octet-stream", "content-length": String(bytes) };
  if (head) {
    end(true);
    return respond(200, null, headers, true);
  }
  let start = 0;
  const body = streamed(
    async () => {
      if (start >= bytes) return null;
      const stop = Math.min(start + CHUNK, bytes);
      const chunk = new Uint8Array(stop - start);
      // Only bits 7–14 of the 64-bit product are kept, so the low 15 bits of
      // each factor suffice and the product stays exact in a double.
      for (let i = start; i < stop; i++) chunk[i - start] = (((i & 0x7fff) * (2654435761 & 0x7fff)) & 0x7fff) >> 7;
      start = stop;
      return chunk;
    },
    end,
    signal,
  );
  return respond(200, body, headers);
}

/** How many times each `async-demo-api/flaky` id has been asked for. */
const flakySeen = new Map();

function flaky(query) {
  const fail = queryNumber(query, "fail", 2, 10, "failures");
  const id = query.get("id") ?? "";
  const chars = [...id].length;
  if (chars === 0 || chars > MAX_ID_CHARS) {
    throw new BadRequest(`Parameter id must be 1 to ${MAX_ID_CHARS} characters long; got ${chars}: “${quote(id)}”.`);
  }
  if (flakySeen.size > 10_000) flakySeen.clear(); // a bound on memory: old ids are forgotten
  const attempt = (flakySeen.get(id) ?? 0) + 1;
  flakySeen.set(id, attempt);
  return attempt <= fail
    ? sentence(503, `attempt ${attempt} of “${id}” fails on purpose (${fail} will)`)
    : sentence(200, `attempt ${attempt} of “${id}” succeeded`);
}

/** The endpoints: path below `async-demo-api/` → [method, handler]. */
function route(parts) {
  const [name, param, ...rest] = parts;
  const one = parts.length === 1;
  if (name === "delay" && parts.length === 2 && param !== "") return ["GET", "delay"];
  if (name === "status" && parts.length === 2 && param !== "") return ["GET", "status"];
  if (one && (name === "drip" || name === "binary" || name === "flaky" || name === "stats")) return ["GET", name];
  if (name === "stats" && param === "reset" && rest.length === 0) return ["POST", "reset"];
  return null;
}

async function answer(request, path, search) {
  const parts = path.split("/");
  const found = route(parts);
  if (!found) return sentence(404, "No such endpoint under /async-demo-api/.");
  const [method, name] = found;
  const head = request.method === "HEAD" && method === "GET";
  if (request.method !== method && !head) {
    return sentence(
      405,
      `This endpoint does not answer ${request.method}: /async-demo-api/stats/reset takes POST, the others GET.`,
    );
  }
  if (name === "stats") return json(stats, head);
  if (name === "reset") {
    resetStats();
    return json(stats, false);
  }

  const end = track();
  const query = queryOf(search);
  const signal = request.signal;
  try {
    let response;
    switch (name) {
      case "delay":
        return delay(parseNumber("The delay", segment(parts[1]), MAX_DELAY_MS, "milliseconds"), signal, end, head);
      case "status": {
        const text = segment(parts[1]);
        const code = digits(text);
        if (code === null || code < 200 || code > 599) {
          throw new BadRequest(
            `The status must be a whole number from 200 to 599, in the digits 0–9 alone; got “${quote(text)}”.`,
          );
        }
        response = respond(code, `HTTP ${code} as requested`, {}, head);
        break;
      }
      case "flaky":
        response = flaky(query);
        break;
      case "drip":
        return drip(query, signal, end, head);
      case "binary":
        return binary(query, signal, end, head);
    }
    end(true);
    return response;
  } catch (error) {
    if (!(error instanceof BadRequest)) throw error;
    end(true);
    return sentence(400, error.message);
  }
}

function json(value, head) {
  return respond(200, JSON.stringify(value), { "content-type": "application/json" }, head);
}
