// The bench page: `cargo xtask bench` opens it in headless Chromium, calls
// window.runBench(), and prints what it returns. Ratios are measured side by
// side in one page, rounds interleaved, medians reported.
// The widget and its wasm are the shipped ones (../pkg/, what async-demo.js
// loads); the bench's own exports come from the same release built with
// `--features bench` (./pkg/, `cargo xtask bench` builds it), a second wasm
// instance with a memory of its own.
import init from "../pkg/async_demo.js";
import initBench, { benchClock, benchStart, benchTimers } from "./pkg/async_demo.js";
import "../async-demo.js";

const out = document.getElementById("out");
const log = (line) => (out.textContent += line + "\n");
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const nextFrame = () => new Promise((r) => requestAnimationFrame(r));

async function jsTimers(n) {
  const start = performance.now();
  await Promise.all(Array.from({ length: n }, () => new Promise((r) => setTimeout(r, 0))));
  return performance.now() - start;
}

/** Times `n` zero-delay timers each way, `rounds` times, interleaved. */
async function timers(n, rounds) {
  const kinds = { js: () => jsTimers(n) };
  for (const kind of ["gloo", "gloo-traced", "sleep", "sleep-traced", "sandbox-interpreted", "sandbox-compiled"]) {
    kinds[kind] = () => benchTimers(n, kind);
  }
  const times = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  for (let round = 0; round < rounds + 2; round++) {
    for (const [kind, run] of Object.entries(kinds)) {
      await nextFrame();
      const ms = await run();
      if (round >= 2) times[kind].push(ms); // two rounds of warm-up
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

/** The longest animation frame while a widget draws a live run of `n` tasks. */
async function renderLongestFrame(n, keep = false) {
  const el = document.createElement("async-demo");
  el.setAttribute("lesson", "many");
  el.setAttribute("tasks", String(n));
  el.setAttribute("delay-ms", "1500");
  document.getElementById("stage").append(el);
  await customElements.whenDefined("async-demo");
  let longest = 0;
  let last = performance.now();
  let measuring = true;
  const frame = (t) => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (measuring) requestAnimationFrame(frame);
  };
  const running = el.run();
  requestAnimationFrame(frame);
  const report = await running;
  // The frame in which the run ended (the last draw, the report) counts too.
  await nextFrame();
  await nextFrame();
  measuring = false;
  if (!keep) el.remove();
  return { longest, tasks: report.runs.reduce((sum, run) => sum + run.tasks.length, 0) };
}

const start = () => init({ module_or_path: new URL("../pkg/async_demo_bg.wasm", import.meta.url) });
const startBench = () => initBench({ module_or_path: new URL("./pkg/async_demo_bg.wasm", import.meta.url) });

/**
 * A live run of `n` tasks in a fresh page: its longest frame, and the wasm
 * memory it grew by (the widget keeps the recording for replay) per traced
 * future.
 */
window.runScale = async (n) => {
  const wasm = await start();
  const before = wasm.memory.buffer.byteLength;
  const { longest, tasks } = await renderLongestFrame(n, true);
  const grown = wasm.memory.buffer.byteLength - before;
  log(`${tasks} traced futures: longest frame ${longest.toFixed(1)} ms, memory +${grown} bytes`);
  return {
    [`longest_frame_ms_render_${n / 1000}k`]: longest,
    bytes_per_traced_future: grown / tasks,
  };
};

/**
 * `many`'s start alone (see `benchStart`): the first call in this page, cold,
 * and the memory it grew by per future; then the median of five more.
 */
window.runStart = async (n, traced) => {
  await startBench();
  const [cold_ms, bytes_per_future] = benchStart(n, traced);
  const warm = [];
  for (let i = 0; i < 5; i++) warm.push(benchStart(n, traced)[0]);
  log(`start of ${n} ${traced ? "traced" : "untraced"} timers: ${cold_ms.toFixed(1)} ms cold, ${bytes_per_future.toFixed(1)} bytes each`);
  return { cold_ms, warm_ms: median(warm), bytes_per_future };
};

/**
 * The sandbox at 90,000 sleeps (its limit is 100,000 futures, the join_all
 * among them), interpreted ÷ compiled, medians of `rounds` interleaved, each
 * timed to its program's last future's end (benchTimers), not to the frame
 * after it that the run waits for. The browser still slips a frame into some
 * runs (a sixth of one at this size), hence nine rounds.
 */
async function sandboxLarge(rounds) {
  const n = 90_000;
  const times = { interpreted: [], compiled: [] };
  for (let round = 0; round < rounds + 1; round++) {
    for (const kind of ["interpreted", "compiled"]) {
      await nextFrame();
      const ms = await benchTimers(n, `sandbox-${kind}`);
      if (round >= 1) times[kind].push(ms); // one round of warm-up
    }
  }
  return median(times.interpreted) / median(times.compiled);
}

window.runBench = async ({ n = 10000, rounds = 9 } = {}) => {
  await Promise.all([start(), startBench()]);
  const t = await timers(n, rounds);
  const sandbox90k = await sandboxLarge(9);
  log(JSON.stringify(t));
  const renders = [];
  for (let i = 0; i < 3; i++) renders.push((await renderLongestFrame(n)).longest);
  const results = {
    medians_ms: t,
    // What one read of the tracer's clock costs: a traced Sleep makes five
    // more than an untraced one, a traced gloo timer six (its wake reads too).
    clock_read_ns: benchClock(1_000_000),
    // As the issue defines it: gloo's TimeoutFuture, traced ÷ untraced.
    traced_over_untraced_10k_timers: t["gloo-traced"] / t.gloo,
    // The same for the crate's coalescing Sleep, whose untraced cost is so
    // small that the tracer's fixed cost per task dominates the ratio.
    traced_over_untraced_10k_sleeps: t["sleep-traced"] / t.sleep,
    // The demo's traced path (Sleep, traced) ÷ plain JS.
    demo_over_js_10k_timers: t["sleep-traced"] / t.js,
    // Like for like, one browser timer per future: gloo traced ÷ plain JS.
    gloo_traced_over_js_10k_timers: t["gloo-traced"] / t.js,
    longest_frame_ms_render_10k: median(renders),
    // The sandbox's interpreter ÷ the same program compiled (both traced):
    // what building the tree by interpretation costs over real futures.
    sandbox_interpreted_over_compiled_10k_sleeps: t["sandbox-interpreted"] / t["sandbox-compiled"],
    // The same at 90,000 sleeps, where one frame more or less weighs little.
    sandbox_interpreted_over_compiled_90k_sleeps: sandbox90k,
  };
  log(JSON.stringify(results, null, 2));
  return results;
};
