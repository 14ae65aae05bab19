// The fault run: lessons and fetchAll pointed at the dev server's
// misbehaving endpoints (/async-demo-api/fault/..., same origin as the page). Each faulty
// task ends in `error` with a sentence, or at its deadline; the other tasks
// complete; every Promise settles; the server ends with nothing in flight;
// no page error and no panic.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startPage, stats, statsWhenQuiet } from "./browser.mjs";

// Each fault, by name: its URL (relative to the page) and what a browser
// makes of it. `error` is a pattern for the task's sentence; `deadline`
// means only a deadline (or a cancel) ends it; `done` means the browser
// takes the response at its word (it is well-formed as far as HTTP goes).
const FAULTS = {
  hang: { url: "async-demo-api/fault/hang", deadline: true },
  stall: { url: "async-demo-api/fault/stall", deadline: true },
  endless: { url: "async-demo-api/fault/endless?bytes=1000&ms=100", deadline: true },
  reset: { url: "async-demo-api/fault/reset", error: /^Could not reach .*fault\/reset: the browser reports a network failure/ },
  close: { url: "async-demo-api/fault/close", error: /^Could not reach .*fault\/close: the browser reports a network failure/ },
  truncated: { url: "async-demo-api/fault/truncated", error: /^Reading the body of .*fault\/truncated failed: .+\.$/ },
  conflicting: { url: "async-demo-api/fault/length/conflicting", error: /^Could not reach .*length\/conflicting: / },
  redirect: { url: "async-demo-api/fault/redirect/0", error: /^Could not reach .*redirect\/0: / },
  // Content-Length 10 before a 100-byte body: the browser reads 10 and stops.
  short: { url: "async-demo-api/fault/length/short", done: /^HTTP 200, 10 bytes: “x{10}”$/ },
  // Content-Length "ten": ignored, the body read to the close.
  invalid: { url: "async-demo-api/fault/length/invalid", done: /^HTTP 200, 100 bytes: / },
  // Invalid UTF-8 labelled as text: counted, shown as binary, never decoded.
  garbage: { url: "async-demo-api/fault/garbage?bytes=3000", done: /^HTTP 200, 3000 bytes of binary data$/ },
};
const GOOD = "async-demo-api/delay/100";

let browser, page, errors;

before(async () => {
  ({ browser, page, errors } = await startPage("/"));
  // The module's exports, for fetchAll; the page has loaded it already.
  await page.evaluate(async () => {
    const m = await import("/pkg/async_demo.js");
    await m.default();
    window.__api = m;
  });
});

after(async () => {
  await browser?.close();
});

/** The fault whose URL ends `label` (task labels are the absolute URLs). */
function faultOf(label) {
  return Object.entries(FAULTS).find(([, f]) => label.endsWith(f.url))?.[0];
}

/**
 * Adds a widget with `attrs`, runs it, and (after `cancelAfterMs`, if given)
 * cancels it; the run must settle within `settleMs`. Returns the report or
 * the rejection, the final state and the widget's error line.
 */
async function runWidget(attrs, { cancelAfterMs = null, settleMs = 30_000 } = {}) {
  return page.evaluate(
    async ({ attrs, cancelAfterMs, settleMs }) => {
      const el = document.createElement("async-demo");
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      document.body.append(el);
      const started = performance.now();
      const running = el.run().then(
        (report) => ({ report }),
        (e) => ({ rejected: String(e?.message ?? e) }),
      );
      if (cancelAfterMs !== null) setTimeout(() => el.cancel(), cancelAfterMs);
      const out = await Promise.race([running, new Promise((r) => setTimeout(() => r({ hung: true }), settleMs))]);
      out.state = el.dataset.state;
      out.ms = performance.now() - started;
      out.shown = el.shadowRoot.querySelector(".error:not([hidden])")?.textContent ?? null;
      out.panic = el.shadowRoot.textContent.includes("internal error");
      el.cancel();
      el.remove();
      return out;
    },
    { attrs, cancelAfterMs, settleMs },
  );
}

/** The server's counters once nothing is in flight (or after 5 s). */

/** Checks one task against its fault; `deadlineMs` is the run's deadline, if any. */
function checkTask(task, { deadlineMs = null, cancelled = false } = {}) {
  const name = faultOf(task.label);
  const where = `${name ?? task.label}: ${task.state} ${task.error ?? task.result}`;
  if (!name) {
    assert.equal(task.state, "done", where);
    return;
  }
  const fault = FAULTS[name];
  if (fault.deadline) {
    if (deadlineMs !== null) {
      assert.equal(task.state, "error", where);
      assert.equal(task.error, `Timed out after ${deadlineMs} ms; the request was cancelled.`, where);
    } else {
      assert.ok(cancelled && task.state === "cancelled", where);
    }
  } else if (fault.error) {
    assert.equal(task.state, "error", where);
    assert.match(task.error, fault.error, where);
    assert.ok(task.error.endsWith(".") && task.error.length < 600, `not a readable sentence: ${where}`);
  } else {
    assert.equal(task.state, "done", where);
    assert.match(task.result, fault.done, where);
  }
}

function assertServerQuiet(now, what) {
  assert.equal(now.inFlight, 0, `${what}: requests left in flight: ${JSON.stringify(now)}`);
  assert.equal(now.started, now.finished + now.aborted, `${what}: ${JSON.stringify(now)}`);
}

test("gather with timeout-ms: every fault ends its own task, the good ones complete", async () => {
  const urls = [...Object.values(FAULTS).map((f) => f.url), GOOD, GOOD].join(" ");
  const out = await runWidget({ lesson: "gather", urls, "timeout-ms": "1500" });
  assert.ok(!out.hung && out.report, JSON.stringify(out));
  assert.equal(out.state, "done");
  for (const run of out.report.runs) {
    assert.equal(run.tasks.length, Object.keys(FAULTS).length + 2);
    for (const task of run.tasks) checkTask(task, { deadlineMs: 1500 });
  }
  const concurrent = out.report.runs[1];
  assert.ok(concurrent.totalMs < 4000, `the concurrent run took ${concurrent.totalMs} ms`);
  for (const task of concurrent.tasks) {
    const name = faultOf(task.label) ?? "good";
    const outcome = task.state === "done" ? task.result : task.error;
    console.log(`# fault ${name}: ${task.state} after ${Math.round(task.endMs - task.startMs)} ms: ${outcome.slice(0, 110)}`);
  }
  assertServerQuiet(await statsWhenQuiet(), "gather");
});

test("race: the fastest wins, the faulty losers are aborted on the server", async () => {
  const before = await stats();
  const urls = [FAULTS.hang.url, FAULTS.stall.url, FAULTS.endless.url, "async-demo-api/delay/300"].join(" ");
  const out = await runWidget({ lesson: "race", urls });
  assert.ok(out.report, JSON.stringify(out));
  const tasks = out.report.runs[0].tasks;
  assert.deepEqual(tasks.map((t) => t.state), ["cancelled", "cancelled", "cancelled", "done"]);
  const now = await statsWhenQuiet();
  assertServerQuiet(now, "race");
  assert.equal(now.aborted - before.aborted, 3, "the three losers were not all aborted");
  // A fault that fails first wins the race with its error; the rest are dropped.
  const lost = await runWidget({ lesson: "race", urls: [FAULTS.reset.url, FAULTS.hang.url, "async-demo-api/delay/2000"].join(" ") });
  const [reset, hang, slow] = lost.report.runs[0].tasks;
  checkTask(reset);
  assert.deepEqual([hang.state, slow.state], ["cancelled", "cancelled"]);
  assertServerQuiet(await statsWhenQuiet(), "race lost");
});

test("timeout: hangs, stalls and endless streams end at the deadline, the rest on their own", async () => {
  const urls = [FAULTS.hang.url, FAULTS.stall.url, FAULTS.endless.url, FAULTS.truncated.url, FAULTS.reset.url, GOOD].join(" ");
  const out = await runWidget({ lesson: "timeout", urls, "timeout-ms": "1000" });
  assert.ok(out.report, JSON.stringify(out));
  for (const task of out.report.runs.flatMap((r) => r.tasks)) checkTask(task, { deadlineMs: 1000 });
  assertServerQuiet(await statsWhenQuiet(), "timeout");
});

test("limit: K lanes keep going past the faults; a hang holds its lane until Cancel", async () => {
  const finite = Object.entries(FAULTS).filter(([, f]) => !f.deadline).map(([, f]) => f.url);
  const out = await runWidget({ lesson: "limit", urls: [...finite, GOOD, GOOD].join(" "), concurrency: "3" });
  assert.ok(out.report, JSON.stringify(out));
  assert.equal(out.state, "done");
  for (const task of out.report.runs[0].tasks) {
    // limit labels its tasks "download N": match them to the URLs by order.
    const url = [...finite, GOOD, GOOD][Number(task.label.split(" ")[1]) - 1];
    checkTask({ ...task, label: url });
  }
  // With no deadline, a hang occupies one of the two lanes; the other serves
  // the rest; Cancel ends the hang.
  const urls = [FAULTS.hang.url, GOOD, GOOD, GOOD, GOOD].join(" ");
  const held = await runWidget({ lesson: "limit", urls, concurrency: "2" }, { cancelAfterMs: 2000 });
  assert.equal(held.state, "cancelled", JSON.stringify(held));
  assert.deepEqual(held.report.runs[0].tasks.map((t) => t.state), ["cancelled", "done", "done", "done", "done"]);
  assertServerQuiet(await statsWhenQuiet(), "limit");
});

test("errors: join_all keeps every fault's result, try_join_all stops at the first", async () => {
  const urls = [GOOD, FAULTS.truncated.url, FAULTS.reset.url, FAULTS.redirect.url, FAULTS.short.url].join(" ");
  const out = await runWidget({ lesson: "errors", urls, failures: "1" });
  assert.ok(out.report, JSON.stringify(out));
  const [all, first] = out.report.runs;
  for (const task of all.tasks) checkTask(task);
  assert.ok(first.tasks.some((t) => t.state === "error"), JSON.stringify(first.tasks));
  for (const task of first.tasks) assert.ok(["done", "error", "cancelled"].includes(task.state), task.state);
  assertServerQuiet(await statsWhenQuiet(), "errors");
});

test("progress: false lengths, cut bodies and a stream with no end and no length stop cleanly", async () => {
  const flood = "async-demo-api/fault/endless?bytes=65536&ms=1"; // past the 5 MB a lesson reads
  const urls = [FAULTS.truncated.url, FAULTS.short.url, FAULTS.invalid.url, FAULTS.garbage.url, flood, "async-demo-api/drip?bytes=5000&ms=300"].join(" ");
  const out = await runWidget({ lesson: "progress", urls });
  assert.ok(out.report, JSON.stringify(out));
  const tasks = out.report.runs[0].tasks;
  for (const task of tasks.slice(0, 4)) checkTask(task);
  assert.equal(tasks[4].state, "error");
  assert.match(tasks[4].error, /endless.* sent more than 5000000 bytes; the download was stopped there\.$/);
  assert.equal(tasks[5].state, "done");
  // A stall has no deadline here: Cancel ends it, the other completes.
  const held = await runWidget({ lesson: "progress", urls: `${FAULTS.stall.url} ${GOOD}` }, { cancelAfterMs: 1500 });
  assert.equal(held.state, "cancelled");
  assert.deepEqual(held.report.runs[0].tasks.map((t) => t.state), ["cancelled", "done"]);
  assertServerQuiet(await statsWhenQuiet(), "progress");
});

test("fetchAll: one result per URL, failures as results with sentences, never a rejection", async () => {
  const urls = [...Object.values(FAULTS).map((f) => f.url), GOOD];
  const results = await page.evaluate(
    (urls) =>
      Promise.race([
        window.__api.fetchAll(urls, { concurrency: 4, timeoutMs: 1500 }),
        new Promise((r) => setTimeout(() => r("hung"), 30_000)),
      ]).catch((e) => `rejected: ${e.message}`),
    urls,
  );
  assert.ok(Array.isArray(results), String(results));
  assert.equal(results.length, urls.length);
  for (const [i, r] of results.entries()) {
    const name = faultOf(urls[i]) ?? "good";
    const fault = FAULTS[name];
    assert.ok(r.url.endsWith(urls[i]), `${name}: results out of order`);
    if (!fault || fault.done) {
      assert.equal(r.ok, true, `${name}: ${JSON.stringify(r)}`);
      continue;
    }
    assert.equal(r.ok, false, `${name}: ${JSON.stringify(r)}`);
    if (fault.deadline) assert.equal(r.error, "Timed out after 1500 ms; the request was cancelled.", name);
    else assert.match(r.error, fault.error, name);
  }
  assertServerQuiet(await statsWhenQuiet(), "fetchAll");
});

test("no page error and no panic", async () => {
  const panicked = await page.evaluate(() =>
    [...document.querySelectorAll("async-demo")].some((el) => el.shadowRoot?.textContent.includes("internal error")),
  );
  assert.equal(panicked, false);
  // Failed loads are the point here; Chromium notes each in the console.
  assert.deepEqual(errors.filter((e) => !e.startsWith("console: Failed to load resource")), []);
});
