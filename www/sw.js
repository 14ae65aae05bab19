// The lessons' `async-demo-api/` endpoints, answered inside the browser: the
// Service Worker of the static build (`cargo xtask dist`), whose folder has
// no server.
//
// The page's downloads stay real `fetch()` calls: they leave the page, show in
// DevTools' Network panel ("from ServiceWorker") and are aborted by their
// AbortController; only the answer is made here instead of by a server. What
// each endpoint answers (which paths and methods name it, its parameter
// checks, every 400, 404 and 405 sentence, the bytes of its bodies, the
// reason phrases) is the dev server's own Rust, the `endpoints` crate
// (endpoints/src/lib.rs), compiled to `pkg/endpoints.wasm` and asked here;
// this file only sends the answers, over time. What differs:
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
/** The largest piece of a body made at once: whatever a page asks for or
 * leaves unread, a response holds at most this much of it in this worker
 * (the endpoints crate's CHUNK). */
const CHUNK = 64 * 1024;

/**
 * The endpoints crate, compiled to wasm (its C ABI: see endpoints/src/sw.rs),
 * loaded once per start of this worker. Its `flaky` ids live in its memory.
 */
let loaded = null;
function endpoints() {
  loaded ??= (async () => {
    const url = new URL("pkg/endpoints.wasm", self.location.href);
    const response = await fetch(url, { cache: "no-cache", credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url.pathname} answered HTTP ${response.status}`);
    const { instance } = await WebAssembly.instantiate(await response.arrayBuffer());
    return instance.exports;
  })();
  // A failed load is tried again at the next request.
  loaded.catch(() => (loaded = null));
  return loaded;
}

/** What the endpoints crate answers `method` `path`?`query`: one object (see `ask` in sw.rs). */
function ask(wasm, method, path, query) {
  const bytes = new TextEncoder().encode(`${method}\n${path}\n${query}`);
  // (Each call may grow the memory, which detaches an older view of it.)
  const at = wasm.input(bytes.length);
  new Uint8Array(wasm.memory.buffer, at, bytes.length).set(bytes);
  const length = wasm.ask();
  return JSON.parse(new TextDecoder().decode(new Uint8Array(wasm.memory.buffer, wasm.output(), length)));
}

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

const TEXT = "text/plain; charset=utf-8";

function respond(status, body, headers = {}, head = false, reason = "OK") {
  // 204, 205 and 304 carry no body (the Response constructor refuses one).
  const empty = head || status === 204 || status === 205 || status === 304;
  return new Response(empty ? null : body, {
    status,
    statusText: reason,
    headers: {
      "content-type": TEXT,
      "cache-control": "no-store",
      "access-control-allow-origin": "*",
      ...headers,
    },
  });
}

/** An answer of one sentence, as the endpoints crate words it. */
const sentence = ({ status, reason, text }, head) => respond(status, text, {}, head, reason);

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
async function delay(ms, said, signal, end, head) {
  const text = new TextEncoder().encode(said);
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
function drip(wasm, { bytes, steps, interval }, signal, end, head) {
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
        left = wasm.drip_step(bytes, steps, step);
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

/** `/async-demo-api/binary?bytes=N`: the dev server's N bytes, made by the endpoints crate 64 KiB at a time. */
function binary(wasm, bytes, signal, end, head) {
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
      const at = wasm.binary_chunk(start, stop - start);
      const chunk = new Uint8Array(wasm.memory.buffer, at, stop - start).slice();
      start = stop;
      return chunk;
    },
    end,
    signal,
  );
  return respond(200, body, headers);
}

async function answer(request, path, search) {
  let wasm;
  try {
    wasm = await endpoints();
  } catch (error) {
    const text = `The Service Worker could not load pkg/endpoints.wasm, which answers async-demo-api/: ${error.message}.`;
    return respond(503, text, {}, false, "Service Unavailable");
  }
  const head = request.method === "HEAD";
  const said = ask(wasm, request.method, path, search.replace(/^\?/, ""));
  if (said.sentence) {
    if (said.counted) track()(true);
    return sentence(said.sentence, head);
  }
  if (said.stats) return json(stats, head);
  if (said.reset) {
    resetStats();
    return json(stats, false);
  }
  const end = track();
  const signal = request.signal;
  if (said.delay !== undefined) return delay(said.delay, said.text, signal, end, head);
  if (said.drip) return drip(wasm, said.drip, signal, end, head);
  return binary(wasm, said.binary, signal, end, head);
}

function json(value, head) {
  return respond(200, JSON.stringify(value), { "content-type": "application/json" }, head);
}
