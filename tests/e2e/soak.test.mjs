// The soak: one widget run 200 times, then 100 widgets of every lesson
// created and removed mid-run. After garbage collection, the JS heap, the
// DOM nodes, the event listeners and the wasm memory must come back within
// 10 % of where they levelled off, and the server must end with nothing in
// flight. Measured over the DevTools protocol: HeapProfiler.collectGarbage,
// Runtime.getHeapUsage, Memory.getDOMCounters (nodes and JS event listeners
// of the page's renderer), and the wasm instance's memory.buffer.byteLength.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, pageWith, stats, statsWhenQuiet } from "./browser.mjs";

const RUNS = 200;
const WIDGETS = 100;
const TOLERANCE = 0.1;

let browser, page, errors, cdp;

before(async () => {
  browser = await launch();
  ({ page, errors } = await pageWith(
    browser,
    "/soak.html",
    '<!doctype html><html lang="en"><title>soak</title><script type="module" src="/async-demo.js"></script><body></body></html>',
  ));
  cdp = await page.context().newCDPSession(page);
  await page.evaluate(async () => {
    const m = await import("/pkg/async_demo.js");
    // Already initialised by async-demo.js: this returns the instance's exports.
    window.__wasm = await m.default();
  });
});

after(async () => {
  await browser?.close();
});

/** Heap after GC, DOM nodes, JS event listeners, wasm memory. */
async function measure() {
  for (let i = 0; i < 3; i++) await cdp.send("HeapProfiler.collectGarbage");
  const { usedSize } = await cdp.send("Runtime.getHeapUsage");
  const { nodes, jsEventListeners } = await cdp.send("Memory.getDOMCounters");
  const wasm = await page.evaluate(() => window.__wasm.memory.buffer.byteLength);
  return { heap: usedSize, nodes, listeners: jsEventListeners, wasm };
}

const mb = (bytes) => (bytes / 1e6).toFixed(2);
const show = (m) => `heap ${mb(m.heap)} MB, ${m.nodes} nodes, ${m.listeners} listeners, wasm ${mb(m.wasm)} MB`;

/**
 * Each figure at the end against where it levelled off: the smallest value
 * seen from `level` on (a figure that grows without bound has no such floor
 * to come back to: its end is far above it).
 */
function assertLevelled(samples, level, what) {
  const end = samples[samples.length - 1];
  for (const key of ["heap", "nodes", "listeners", "wasm"]) {
    const floor = Math.min(...samples.slice(level).map((s) => s[key]));
    assert.ok(
      end[key] <= floor * (1 + TOLERANCE),
      `${what}: ${key} ended at ${end[key]}, more than ${TOLERANCE * 100} % above where it levelled off (${floor}); samples ${samples.map((s) => s[key]).join(" ")}`,
    );
  }
}


test(`one widget run ${RUNS} times: heap, nodes, listeners and wasm memory level off`, async () => {
  const started = Date.now();
  await page.evaluate(() => {
    const el = document.createElement("async-demo");
    el.id = "soak";
    el.setAttribute("lesson", "gather");
    el.setAttribute("urls", "async-demo-api/delay/20 async-demo-api/drip?bytes=2000&ms=40 async-demo-api/status/404 async-demo-api/delay/10");
    el.setAttribute("timeout-ms", "2000");
    document.body.append(el);
  });
  const samples = [await measure()];
  const states = new Set();
  for (let done = 0; done < RUNS; done += 20) {
    const batch = await page.evaluate(async (n) => {
      const el = document.getElementById("soak");
      const seen = [];
      for (let i = 0; i < n; i++) {
        const report = await el.run();
        seen.push(report.runs.map((r) => r.tasks.map((t) => t.state).join(",")).join("|"));
      }
      return seen;
    }, 20);
    batch.forEach((s) => states.add(s));
    samples.push(await measure());
  }
  const [first, end] = [samples[1], samples[samples.length - 1]];
  console.log(`# soak ${RUNS} runs: ${show(first)} after 20 runs → ${show(end)} after ${RUNS} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  console.log(`# soak ${RUNS} runs, heap MB by 20 runs: ${samples.map((s) => mb(s.heap)).join(" ")}`);
  assert.deepEqual([...states], ["done,done,error,done|done,done,error,done"], "every run ends the same");
  // Levelled off: from the 60th run on (the first runs warm caches and pools).
  assertLevelled(samples, 3, `${RUNS} runs`);
  const server = await statsWhenQuiet();
  assert.equal(server.inFlight, 0);
  await page.evaluate(() => document.getElementById("soak").remove());
});

test(`${WIDGETS} widgets of every lesson created and removed mid-run leave nothing behind`, async () => {
  const started = Date.now();
  const lessons = await page.evaluate(async () => (await import("/pkg/async_demo.js")).lessonNames());
  // Small parameters for the lessons that keep the page's thread busy.
  const params = {
    blocking: { "delay-ms": "60" },
    mistakes: { "delay-ms": "60", "block-ms": "30" },
    worker: { "work-ms": "100" },
    many: { tasks: "2000", "delay-ms": "300" },
  };
  // The sandbox's widgets run on their own build, loaded with the first one:
  // loaded before the baseline, so that what is measured is what runs leave.
  const warm = await page.evaluate(async () => {
    const el = document.createElement("async-demo");
    el.setAttribute("lesson", "sandbox");
    el.setAttribute("program", "sleep(1).await;");
    document.body.append(el);
    const states = await el.run().then((r) => r.runs[0].tasks.map((t) => t.state), (e) => e.message);
    el.remove();
    return states;
  });
  assert.deepEqual(warm, ["done"], "the sandbox's build loaded and ran");
  const baseline = await measure();
  const samples = [baseline];
  const outcomes = {};
  for (let done = 0; done < WIDGETS; done += 10) {
    const batch = await page.evaluate(
      async ({ lessons, params, from, n }) => {
        const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
        const out = [];
        for (let i = from; i < from + n; i++) {
          const lesson = lessons[i % lessons.length];
          const el = document.createElement("async-demo");
          el.setAttribute("lesson", lesson);
          for (const [k, v] of Object.entries(params[lesson] ?? {})) el.setAttribute(k, v);
          document.body.append(el);
          const running = el.run().then(
            (r) => r.runs.flatMap((run) => run.tasks.map((t) => t.state)),
            (e) => `rejected: ${e.message}`,
          );
          await sleep(60 + ((i * 37) % 140)); // mid-run, at a different point each time
          el.remove();
          const settled = await Promise.race([running, sleep(10_000).then(() => "hung")]);
          out.push({ lesson, settled });
        }
        return out;
      },
      { lessons, params, from: done, n: 10 },
    );
    for (const { lesson, settled } of batch) {
      assert.notEqual(settled, "hung", `${lesson}: run() did not settle after the element was removed`);
      assert.ok(Array.isArray(settled), `${lesson}: ${settled}`);
      // (`pending` is a state too: lazy's future that is built and never awaited.)
      assert.ok(settled.every((s) => ["done", "error", "cancelled", "pending"].includes(s)), `${lesson}: ${settled}`);
      const key = settled.includes("cancelled") ? "cancelled" : "finished first";
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    }
    samples.push(await measure());
  }
  const end = samples[samples.length - 1];
  console.log(`# soak ${WIDGETS} widgets removed mid-run: ${show(baseline)} before → ${show(end)} after (${((Date.now() - started) / 1000).toFixed(0)} s; ${JSON.stringify(outcomes)})`);
  console.log(`# soak ${WIDGETS} widgets, nodes by 10 widgets: ${samples.map((s) => s.nodes).join(" ")}; listeners: ${samples.map((s) => s.listeners).join(" ")}`);
  assert.ok(outcomes.cancelled >= WIDGETS / 2, JSON.stringify(outcomes));
  // No widget is on the page now: nodes and listeners are back at the baseline.
  assert.ok(end.nodes <= baseline.nodes * (1 + TOLERANCE), `nodes ${baseline.nodes} → ${end.nodes}`);
  assert.ok(end.listeners <= baseline.listeners * (1 + TOLERANCE), `listeners ${baseline.listeners} → ${end.listeners}`);
  assertLevelled(samples, 3, `${WIDGETS} widgets`);
  const server = await statsWhenQuiet();
  console.log(`# soak server: ${JSON.stringify(server)}`);
  assert.equal(server.inFlight, 0, "requests left in flight");
  assert.equal(server.started, server.finished + server.aborted);
});

test("no page error", () => {
  const noise = /^console: Failed to load resource/;
  assert.deepEqual(errors.filter((e) => !noise.test(e)), []);
});
