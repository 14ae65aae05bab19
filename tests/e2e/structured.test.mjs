// Beyond gather: racing, deadlines and bounded concurrency, each checked on
// the dev server's own counters (aborted requests, peak in flight).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, reportOf, runByClick, startPage, stats } from "./browser.mjs";

let browser, page, errors;

before(async () => {
  ({ browser, page, errors } = await startPage("/"));
});

after(async () => {
  await browser?.close();
});

/** Waits until the server has seen `n` more aborts than `before`. */
async function abortsSince(before, n) {
  let now = await stats();
  for (let i = 0; i < 60 && now.aborted - before.aborted < n; i++) {
    await new Promise((r) => setTimeout(r, 50));
    now = await stats();
  }
  return now.aborted - before.aborted;
}

test("race: the fastest download wins and the losers' requests are aborted", async () => {
  const before = await stats();
  const host = await runByClick(page, "race");
  const [run] = (await reportOf(host)).runs;
  assert.deepEqual(run.tasks.map((t) => t.state), ["cancelled", "done", "cancelled"]);
  assert.ok(run.totalMs < 1000, `the race took ${run.totalMs} ms`);
  assert.match(await host.locator(".log li").first().innerText(), /api\/delay\/300 won \(HTTP 200/);
  const aborted = await abortsSince(before, 2);
  assert.equal(aborted, 2, "the server saw both losers aborted");
  console.log(`# race: server aborted ${aborted} requests`);
});

test("timeout: the slow download is cut off at the deadline and its request aborted", async () => {
  const before = await stats();
  const host = await runByClick(page, "timeout");
  const [run] = (await reportOf(host)).runs;
  assert.deepEqual(run.tasks.map((t) => t.state), ["done", "error"]);
  assert.equal(run.tasks[1].error, "Timed out after 800 ms; the request was cancelled.");
  assert.ok(run.tasks[1].endMs >= 795 && run.tasks[1].endMs < 1300, `cut off at ${run.tasks[1].endMs}`);
  const aborted = await abortsSince(before, 1);
  assert.equal(aborted, 1);
  console.log(`# timeout: server aborted ${aborted} request`);
});

test("limit: at most K in flight, on the timeline and on the server; total about ceil(N/K) downloads", async () => {
  const host = page.locator('async-demo[lesson="limit"]');
  const slider = host.locator("input[name=concurrency]");
  await slider.evaluate((el) => {
    el.value = "4";
    el.dispatchEvent(new Event("input"));
    el.dispatchEvent(new Event("change"));
  });
  assert.equal(await host.getAttribute("concurrency"), "4", "the slider sets the attribute");
  assert.equal(await host.locator("output.value").innerText(), "4");
  await fetch(`${BASE}/async-demo-api/stats/reset`, { method: "POST" });
  await runByClick(page, "limit");
  const [run] = (await reportOf(host)).runs;
  assert.equal(run.name, "buffer_unordered(4)");
  assert.equal(run.tasks.length, 12);
  assert.ok(run.tasks.every((t) => t.state === "done"));
  // 12 downloads of 400 ms, 4 at a time: 3 waves.
  assert.ok(run.totalMs >= 1200 && run.totalMs < 2000, `total ${run.totalMs}`);
  // On the timeline: never more than 4 tasks between first poll and end.
  const edges = run.tasks.flatMap((t) => [[t.startMs, 1], [t.endMs, -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let inFlight = 0, most = 0;
  for (const [, d] of edges) most = Math.max(most, (inFlight += d));
  assert.equal(most, 4);
  const server = await stats();
  assert.equal(server.peakInFlight, 4, "the server's peak in flight");
  console.log(`# limit: total ${run.totalMs} ms, server peak in flight ${server.peakInFlight}`);
});

test("errors: join_all keeps every result, try_join_all cancels the rest, retries back off", async () => {
  const before = await stats();
  const host = await runByClick(page, "errors");
  const [all, first, retry] = (await reportOf(host)).runs;
  assert.deepEqual(all.tasks.map((t) => t.state), ["done", "error", "done"]);
  assert.match(all.tasks[1].error, /HTTP 500/);
  assert.deepEqual(first.tasks.map((t) => t.state), ["cancelled", "error", "cancelled"]);
  assert.ok(first.totalMs < 400, `try_join_all took ${first.totalMs} ms`);
  assert.equal(await abortsSince(before, 2), 2, "the cancelled downloads were aborted on the server");
  assert.deepEqual(retry.tasks.map((t) => t.state), ["error", "error", "error", "done"]);
  assert.ok(retry.tasks.slice(0, 3).every((t) => /HTTP 503/.test(t.error)));
  // Gaps between attempts: 100, 200 and 400 ms of backoff.
  const gaps = retry.tasks.slice(1).map((t, i) => t.startMs - retry.tasks[i].endMs);
  [100, 200, 400].forEach((want, i) => assert.ok(gaps[i] >= want - 1 && gaps[i] < want + 150, `gaps ${gaps}`));
  assert.match((await host.locator(".log li").allInnerTexts()).at(-1), /^succeeded: HTTP 200/);
});

test("progress: each download shows a bar that fills as its body streams in, with a rate", async () => {
  const host = page.locator('async-demo[lesson="progress"]');
  await host.scrollIntoViewIfNeeded();
  await host.locator("button.run").click();
  const sample = () => host.locator("section.run tbody tr").first().locator("progress").evaluate((p) => [p.value, p.max]);
  await host.locator("section.run tbody tr progress").first().waitFor({ timeout: 3000 });
  await page.waitForTimeout(600);
  const [early, max] = await sample();
  await page.waitForTimeout(900);
  const [later] = await sample();
  assert.equal(max, 300000, "the bar's maximum is the Content-Length");
  assert.ok(early > 0 && later > early && later < max, `progress ${early} then ${later} of ${max}`);
  assert.match(await host.locator("section.run tbody tr .rate").first().innerText(), /^[\d.]+ kB of 300\.0 kB · [\d.]+ kB\/s$/);
  await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle(), { timeout: 10000 });
  const bars = await host.locator("section.run tbody tr progress").evaluateAll((ps) => ps.map((p) => p.value === p.max));
  assert.deepEqual(bars, [true, true, true]);
  const [run] = (await reportOf(host)).runs;
  assert.deepEqual(run.tasks.map((t) => t.result.match(/(\d+) bytes/)[1]), ["300000", "80000", "600000"]);
});

test("worker: counting primes on the main thread freezes the page; in a Web Worker it does not", async () => {
  const host = await runByClick(page, "worker", { timeout: 60_000 });
  assert.equal(await host.getAttribute("data-state"), "done");
  const [main, worker] = (await reportOf(host)).runs;
  assert.equal(main.name, "main thread");
  assert.equal(worker.name, "web worker");
  const mainCount = main.tasks.find((t) => t.label.includes("main thread"));
  const workerCount = worker.tasks.find((t) => t.label.includes("Web Worker"));
  // The amount of counting is calibrated to about work-ms (1000) on this
  // machine, so both runs count the same primes and the count is long
  // enough to see, however fast the CPU is.
  const count = mainCount.result;
  assert.match(count, /^\d+$/);
  assert.equal(workerCount.result.match(/^(\d+) primes, computed in \d+ ms off the main thread$/)?.[1], count);
  assert.ok(mainCount.busyMs > 300 && mainCount.busyMs < 3000, `the count took ${mainCount.busyMs} ms, not about 1000`);
  assert.ok(main.longestFrameGapMs >= mainCount.busyMs * 0.9, `main gap ${main.longestFrameGapMs}`);
  assert.ok(worker.longestFrameGapMs < 300, `worker gap ${worker.longestFrameGapMs} (the main-thread count froze the page for ${main.longestFrameGapMs} ms)`);
  const beat = (run) => Number(run.tasks.find((t) => t.label === "heartbeat").result.match(/took (\d+) ms/)[1]);
  assert.ok(beat(main) > 1000 + mainCount.busyMs * 0.8, `main heartbeat ${beat(main)}`);
  // Off the main thread the count holds the beats back by no more than half
  // its own time (a busy machine can slow a beat; the count itself does not).
  assert.ok(beat(worker) < 1000 + mainCount.busyMs * 0.5, `worker heartbeat ${beat(worker)} (the count took ${mainCount.busyMs} ms)`);
  console.log(`# worker: longest frame gap ${main.longestFrameGapMs} ms on the main thread, ${worker.longestFrameGapMs} ms with the worker`);
});

test("no page errors", () => {
  assert.deepEqual(errors.filter((e) => !e.startsWith("console: Failed to load resource")), []);
});
