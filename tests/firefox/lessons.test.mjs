// Every lesson of the playground in headless Firefox ESR (geckodriver), from
// its Run button to `done`, checked on the element's report(): the Firefox
// twin of tests/e2e/lessons.test.mjs and the lesson checks of
// structured.test.mjs. Prints `# firefox <lesson>: done in <ms> ms`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { click, inWidget, onWidget, reportOf, runByClick, sleep, startPage, stateOf, waitForState } from "./firefox.mjs";

const LESSONS = ["lazy", "sleep", "blocking", "gather", "many", "mistakes", "bridge", "race", "timeout", "cancel", "limit", "errors", "progress", "input", "worker", "sandbox"];
let driver, errors;

// "The page kept drawing": the same bound as the Chromium suite's. A loaded
// 2-core machine drops a frame or two in either browser (120-170 ms gaps seen
// in both, side by side); a blocked page drops the whole wait (1,000-1,500 ms).
const CALM_GAP_MS = 400;

before(async () => {
  ({ driver, errors } = await startPage("/"));
});

after(async () => {
  await driver?.quit();
});

const states = (run) => run.tasks.map((t) => t.state);
const texts = (lesson, selector) => onWidget(driver, lesson, "return [...el.shadowRoot.querySelectorAll(arguments[0])].map((e) => e.textContent.trim());", selector);

/** Clicks Run, waits for the end, checks it is `done`; returns the report and prints the time. */
async function runToDone(lesson, extra = () => "", options) {
  const started = Date.now();
  const state = await runByClick(driver, lesson, options);
  const ms = Date.now() - started;
  assert.equal(state, "done", `${lesson} ended ${state}`);
  const report = await reportOf(driver, lesson);
  assert.equal(report.lesson, lesson);
  const more = extra(report);
  console.log(`# firefox ${lesson}: done in ${ms} ms${more ? ` (${more})` : ""}`);
  return report;
}

test("the playground shows every lesson in the article's order, idle, with Run", async () => {
  const lessons = await driver.executeScript('return [...document.querySelectorAll("async-demo")].map((e) => e.getAttribute("lesson"));');
  assert.deepEqual(lessons, LESSONS);
  for (const lesson of LESSONS) {
    await inWidget(driver, lesson, "button.run");
    assert.equal(await stateOf(driver, lesson), "idle", lesson);
    const [idea] = await texts(lesson, ".idea");
    assert.ok(idea.length > 80, lesson);
  }
});

test("lazy: the future that was not awaited was never polled", async () => {
  const [kept, awaited] = (await runToDone("lazy")).runs;
  assert.deepEqual(states(kept), ["pending"]);
  assert.equal(kept.tasks[0].polls, 0);
  assert.deepEqual(states(awaited), ["done"]);
});

test("sleep: Hello, then World, while frames keep coming", async () => {
  await onWidget(driver, "sleep", 'el.setAttribute("delay-ms", "1000");');
  const [run] = (await runToDone("sleep", (r) => `total ${r.runs[0].totalMs} ms, longest frame gap ${r.runs[0].longestFrameGapMs} ms`)).runs;
  assert.deepEqual(await texts("sleep", ".log li"), ["Hello", "World"]);
  assert.ok(run.totalMs >= 1000, `total ${run.totalMs}`);
  assert.ok(run.longestFrameGapMs < CALM_GAP_MS, `frame gap ${run.longestFrameGapMs}`);
  assert.ok(run.tasks.every((t) => t.state === "done"), JSON.stringify(states(run)));
});

test("blocking: the busy loop freezes frames for the whole wait; the timer does not", async () => {
  const report = await runToDone("blocking", (r) => `longest frame gap ${r.runs[0].longestFrameGapMs} ms blocking, ${r.runs[1].longestFrameGapMs} ms async`);
  const [blocking, awaited] = report.runs;
  assert.deepEqual([blocking.name, awaited.name], ["blocking", "async"]);
  assert.ok(blocking.longestFrameGapMs >= 1400, `blocking gap ${blocking.longestFrameGapMs}`);
  assert.ok(awaited.longestFrameGapMs < CALM_GAP_MS, `async gap ${awaited.longestFrameGapMs}`);
  // Firefox has no Long Tasks API: the export carries no `longtask` events
  // here, where Chromium's carries the busy loop as one.
  const longTasks = await onWidget(driver, "blocking", 'return el.trace().traceEvents.filter((e) => e.cat === "longtask").length;');
  console.log(`# firefox blocking: ${longTasks} long-task events in the trace export`);
});

test("gather: sequential takes about the sum, concurrent about the slowest", async () => {
  const [seq, con] = (await runToDone("gather", (r) => `sequential ${r.runs[0].totalMs} ms, concurrent ${r.runs[1].totalMs} ms`)).runs;
  assert.ok(seq.totalMs >= 2050, `sequential ${seq.totalMs}`);
  assert.ok(con.totalMs >= 950 && con.totalMs < 1600, `concurrent ${con.totalMs}`);
  assert.deepEqual(states(seq), ["done", "done", "done"]);
  assert.deepEqual(states(con), ["done", "done", "done"]);
});

test("many: join_all of 10 polls every unfinished timer on each wake; FuturesUnordered polls each twice", async () => {
  const [small, big] = (await runToDone("many", (r) => `join_all ${r.runs[0].totalMs} ms, FuturesUnordered of ${r.runs[1].tasks.length} ${r.runs[1].totalMs} ms`)).runs;
  assert.equal(small.name, "join_all of 10");
  assert.deepEqual(small.tasks.map((t) => t.polls), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.ok(small.tasks.every((t) => t.state === "done" && t.wakes === 1));
  assert.equal(big.name, "FuturesUnordered of 1000");
  assert.equal(big.tasks.length, 1000);
  assert.ok(big.tasks.every((t) => t.state === "done" && t.polls === 2 && t.wakes === 1));
  assert.ok(big.totalMs >= 1000 && big.totalMs < 1600, `total ${big.totalMs}`);
});

test("mistakes: the forgotten future is never polled; a blocker joined first delays the rest", async () => {
  const runs = (await runToDone("mistakes")).runs;
  assert.deepEqual(runs.map((r) => r.name), ["forgotten .await", "all tasks await", "one task blocks", "the blocker joined last", "never spawned"]);
  assert.equal(runs[0].tasks[0].polls, 0);
  const calm = Math.max(...runs[1].tasks.map((t) => t.endMs));
  const shifted = Math.min(...runs[2].tasks.slice(1).map((t) => t.endMs));
  assert.ok(shifted - calm > 450, `the block shifted the others by only ${shifted - calm} ms`);
  const lastWaiter = Math.max(...runs[3].tasks.slice(0, 3).map((t) => t.endMs));
  assert.ok(lastWaiter < calm + 250, `joined last, the block delayed the timers to ${lastWaiter} ms (calm: ${calm})`);
  assert.deepEqual(states(runs[4]), ["pending", "done"]);
});

test("bridge: Rust awaits a JS Promise and JS awaits a Rust async fn", async () => {
  await runToDone("bridge");
  const lines = await texts("bridge", ".log li");
  assert.equal(lines[0], "Rust got: resolved by setTimeout in JavaScript");
  assert.match(lines[1], /^JavaScript got: sleep\(600\) resolved in JavaScript after \d+ ms$/);
});

test("race: the fastest download wins, the losers are cancelled", async () => {
  const [run] = (await runToDone("race", (r) => `race ${r.runs[0].totalMs} ms`)).runs;
  assert.deepEqual(states(run), ["cancelled", "done", "cancelled"]);
  assert.ok(run.totalMs < 1000, `the race took ${run.totalMs} ms`);
  assert.match((await texts("race", ".log li"))[0], /api\/delay\/300 won \(HTTP 200/);
});

test("timeout: the slow download is cut off at the deadline", async () => {
  const [run] = (await runToDone("timeout", (r) => `cut off at ${r.runs[0].tasks[1].endMs} ms`)).runs;
  assert.deepEqual(states(run), ["done", "error"]);
  assert.equal(run.tasks[1].error, "Timed out after 800 ms; the request was cancelled.");
  assert.ok(run.tasks[1].endMs >= 795 && run.tasks[1].endMs < 1300, `cut off at ${run.tasks[1].endMs}`);
});

test("cancel: left alone (short delay and URLs set as attributes) every task completes", async () => {
  await onWidget(driver, "cancel", 'el.setAttribute("delay-ms", "600"); el.setAttribute("urls", "async-demo-api/delay/500 async-demo-api/drip?bytes=2000&ms=400");');
  const [run] = (await runToDone("cancel", (r) => `total ${r.runs[0].totalMs} ms`)).runs;
  assert.deepEqual(states(run), ["done", "done", "done"]);
  assert.ok(run.totalMs >= 600 && run.totalMs < 2000, `total ${run.totalMs}`);
  assert.match((await texts("cancel", ".log li")).at(-1), /not cancelled: 2 of 2 downloads completed/);
});

test("limit: at most K in flight; total about ceil(N/K) downloads", async () => {
  const [run] = (await runToDone("limit", (r) => `${r.runs[0].name}: total ${r.runs[0].totalMs} ms`)).runs;
  assert.equal(run.name, "buffer_unordered(3)");
  assert.equal(run.tasks.length, 12);
  assert.ok(run.tasks.every((t) => t.state === "done"));
  const edges = run.tasks.flatMap((t) => [[t.startMs, 1], [t.endMs, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let inFlight = 0, most = 0;
  for (const [, d] of edges) most = Math.max(most, (inFlight += d));
  assert.equal(most, 3);
  // 12 downloads of 400 ms, 3 at a time: 4 waves.
  assert.ok(run.totalMs >= 1600 && run.totalMs < 2600, `total ${run.totalMs}`);
});

test("errors: join_all keeps every result, try_join_all cancels the rest, retries back off", async () => {
  const [all, first, retry] = (await runToDone("errors")).runs;
  assert.deepEqual(states(all), ["done", "error", "done"]);
  assert.match(all.tasks[1].error, /HTTP 500/);
  assert.deepEqual(states(first), ["cancelled", "error", "cancelled"]);
  assert.ok(first.totalMs < 400, `try_join_all took ${first.totalMs} ms`);
  assert.deepEqual(states(retry), ["error", "error", "error", "done"]);
  const gaps = retry.tasks.slice(1).map((t, i) => t.startMs - retry.tasks[i].endMs);
  [100, 200, 400].forEach((want, i) => assert.ok(gaps[i] >= want - 1 && gaps[i] < want + 150, `gaps ${gaps}`));
});

test("progress: bars fill as the bodies stream in; every byte arrives", async () => {
  const started = Date.now();
  await click(driver, "progress", "button.run");
  await sleep(1000);
  const [value, max] = await onWidget(driver, "progress", 'const p = el.shadowRoot.querySelector("section.run tbody tr progress"); return p ? [p.value, p.max] : [null, null];');
  assert.equal(await waitForState(driver, "progress", (s) => s !== "running"), "done");
  const ms = Date.now() - started;
  assert.equal(max, 300000, "the bar's maximum is the Content-Length");
  assert.ok(value > 0 && value < max, `after 1 s the first bar showed ${value} of ${max}`);
  const bars = await onWidget(driver, "progress", 'return [...el.shadowRoot.querySelectorAll("section.run tbody tr progress")].map((p) => p.value === p.max);');
  assert.deepEqual(bars, [true, true, true]);
  const [run] = (await reportOf(driver, "progress")).runs;
  assert.deepEqual(states(run), ["done", "done", "done"]);
  assert.deepEqual(run.tasks.map((t) => t.result.match(/(\d+) bytes/)[1]), ["300000", "80000", "600000"]);
  console.log(`# firefox progress: done in ${ms} ms (first bar ${value} of ${max} bytes after 1 s)`);
});

test("input: a click on the widget's own button wins; with no click the deadline wins", async () => {
  const started = Date.now();
  await click(driver, "input", "button.run");
  await waitForState(driver, "input", (s) => s === "running", 5000);
  await sleep(400);
  await click(driver, "input", "button.lesson-button");
  assert.equal(await waitForState(driver, "input", (s) => s !== "running", 10_000), "done");
  const ms = Date.now() - started;
  const [clicked] = (await reportOf(driver, "input")).runs;
  assert.deepEqual(states(clicked), ["done", "cancelled"]);
  assert.ok(clicked.totalMs >= 350 && clicked.totalMs < 3000, `clicked after ${clicked.totalMs} ms`);
  assert.ok(clicked.tasks[0].polls <= 3, `the wait for the click was polled ${clicked.tasks[0].polls} times`);
  assert.ok(clicked.longestFrameGapMs < CALM_GAP_MS, `the page stood still for ${clicked.longestFrameGapMs} ms`);
  console.log(`# firefox input: done in ${ms} ms (clicked after ${clicked.totalMs} ms)`);
  await onWidget(driver, "input", 'el.setAttribute("timeout-ms", "600");');
  const [waited] = (await runToDone("input", (r) => `deadline won after ${r.runs[0].totalMs} ms`)).runs;
  assert.deepEqual(states(waited), ["cancelled", "done"]);
  assert.ok(waited.totalMs >= 600, `the deadline won after ${waited.totalMs} ms`);
  assert.equal(await onWidget(driver, "input", 'return el.shadowRoot.querySelector("button.lesson-button").disabled;'), true);
});

test("worker: counting primes on the main thread freezes the page; in a Web Worker it does not", async () => {
  const [main, worker] = (await runToDone("worker", (r) => `longest frame gap ${r.runs[0].longestFrameGapMs} ms on the main thread, ${r.runs[1].longestFrameGapMs} ms with the worker`)).runs;
  assert.deepEqual([main.name, worker.name], ["main thread", "web worker"]);
  assert.ok(main.tasks.every((t) => t.state === "done") && worker.tasks.every((t) => t.state === "done"));
  const mainCount = main.tasks.find((t) => t.label.includes("main thread"));
  const workerCount = worker.tasks.find((t) => t.label.includes("Web Worker"));
  assert.match(mainCount.result, /^\d+$/);
  assert.equal(workerCount.result.match(/^(\d+) primes, computed in \d+ ms off the main thread$/)?.[1], mainCount.result);
  assert.ok(mainCount.busyMs > 300 && mainCount.busyMs < 3000, `the count took ${mainCount.busyMs} ms, not about 1000`);
  assert.ok(main.longestFrameGapMs >= mainCount.busyMs * 0.9, `main gap ${main.longestFrameGapMs}`);
  // Chromium's bound (300 ms), or a quarter of the main thread's gap when the machine is so loaded that
  // the count itself took longer (under a load of 8 both browsers showed 300-450 ms beside 1,800-3,000 ms).
  assert.ok(worker.longestFrameGapMs < Math.max(300, main.longestFrameGapMs / 4), `worker gap ${worker.longestFrameGapMs} ms, main thread ${main.longestFrameGapMs} ms`);
});

test("sandbox: the default program runs for real, and a refused one rejects with rustc's sentence", async () => {
  const [run] = (await runToDone("sandbox", (r) => `${r.runs[0].tasks.length} futures in ${r.runs[0].totalMs} ms`)).runs;
  assert.deepEqual(
    run.tasks.map((t) => [t.label, t.state]),
    [
      ['fetch("async-demo-api/delay/600")', "done"],
      ['fetch("async-demo-api/delay/200")', "done"],
      ["join!(slow, quick)", "done"],
      ["sleep(300)", "done"],
    ],
  );
  // The downloads overlapped: about 600 ms for both, then the 300 ms sleep.
  assert.ok(run.totalMs >= 890 && run.totalMs < 1600 * 3, `${run.totalMs} ms`);
  const [slow, quick] = run.tasks;
  assert.ok(quick.startMs < slow.endMs && quick.endMs < slow.endMs, JSON.stringify([slow, quick]));
  const refused = await onWidget(
    driver,
    "sandbox",
    'el.setAttribute("program", "let a = slep(1);"); return el.run().then(() => "ran", (e) => e.message);',
  );
  assert.match(refused, /^1:9: error\[E0425\]: cannot find function `slep` in this scope/);
  assert.equal(await stateOf(driver, "sandbox"), "error");
});

test("the page's own dark switch turns every widget dark, and a timeline drawn already is drawn again in the dark colours", async () => {
  // The grid lines of a timeline are stroked in --line: light #d0d7de, dark #30363d.
  const pixels = (rgb) =>
    onWidget(
      driver,
      "sleep",
      `const canvas = el.shadowRoot.querySelector("canvas");
       const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
       let n = 0;
       for (let i = 0; i < data.length; i += 4) if (data[i] === arguments[0][0] && data[i + 1] === arguments[0][1] && data[i + 2] === arguments[0][2]) n++;
       return n;`,
      rgb,
    );
  const schemes = () => driver.executeScript('return [...new Set([...document.querySelectorAll("async-demo")].map((e) => e.dataset.scheme))];');
  assert.deepEqual(await schemes(), ["light"]);
  assert.ok((await pixels([208, 215, 222])) > 20, "the sleep lesson's timeline, drawn light");
  // A switch of the page's own, as a site's theme toggle makes it: the body's colours.
  await driver.executeScript('document.body.style.color = "#e6e6e6"; document.body.style.background = "#121212";');
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && ((await schemes()).join() !== "dark" || (await pixels([48, 54, 61])) === 0)) await sleep(100);
  assert.deepEqual(await schemes(), ["dark"]);
  assert.ok((await pixels([48, 54, 61])) > 20, "redrawn dark");
  assert.equal(await pixels([208, 215, 222]), 0, "nothing left in the light colours");
  await driver.executeScript('document.body.style.color = ""; document.body.style.background = "";');
});

test("no page errors while every lesson ran", () => {
  assert.deepEqual(errors, []);
});
