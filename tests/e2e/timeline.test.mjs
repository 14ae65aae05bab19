// The timeline under the results: lanes, keyboard details, replay without
// re-running, and the exported Chrome trace.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, runByClick, reportOf, stats } from "./browser.mjs";

let browser, page, errors, host;

before(async () => {
  browser = await launch();
  ({ page, errors } = await openPage(browser, "/"));
  host = await runByClick(page, "gather");
});

after(async () => {
  await browser?.close();
});

test("after a gather run each run's timeline has one lane per task, with polls drawn", async () => {
  const canvases = host.locator("canvas.timeline");
  assert.equal(await canvases.count(), 2);
  for (let i = 0; i < 2; i++) {
    const canvas = canvases.nth(i);
    assert.equal(await canvas.getAttribute("data-tasks"), "3");
    assert.equal(await canvas.getAttribute("data-rows"), "3");
    // Every lane has coloured pixels: its polls and its waiting line.
    const painted = await canvas.evaluate((c) => {
      const ctx = c.getContext("2d");
      const ratio = c.width / c.clientWidth;
      const lanesTop = 36; // axis 18 + main thread 12 + gap 6, in CSS px
      return [0, 1, 2].map((lane) => {
        const y = Math.round((lanesTop + lane * 14 + 7) * ratio);
        const row = ctx.getImageData(0, y, c.width, 1).data;
        let count = 0;
        for (let x = Math.round(150 * ratio) * 4; x < row.length; x += 4) if (row[x + 3] > 0) count++;
        return count;
      });
    });
    for (const pixels of painted) assert.ok(pixels > 20, `lane pixels ${painted}`);
  }
});

test("keyboard focus walks the marks and tells each poll and wake", async () => {
  const canvas = host.locator("canvas.timeline").nth(1);
  await canvas.focus();
  await page.keyboard.press("ArrowRight");
  const first = await host.locator(".detail").innerText();
  assert.match(first, /^http:\/\/127\.0\.0\.1:\d+\/async-demo-api\/delay\/700 \(done\): poll 1 of \d+ \(its first poll\): [\d.]+ ms at [\d.]+ ms, returned Pending$/);
  // Later polls say why they happened: its own wake, or a sibling's.
  await page.keyboard.press("End");
  await page.keyboard.press("ArrowLeft");
  assert.match(await host.locator(".detail").innerText(), /\((woken by its own waker|polled because a sibling was woken.*)\)|woken at/);
  await page.keyboard.press("Home");
  await page.keyboard.press("ArrowRight");
  assert.match(await host.locator(".detail").innerText(), /api\/delay\/700 \(done\): (woken at [\d.]+ ms|poll 2 of)/);
  await page.keyboard.press("ArrowDown");
  assert.match(await host.locator(".detail").innerText(), /^http:\/\/.*\/async-demo-api\/drip\?bytes=30000&ms=1000 \(done\): poll 1 of/);
  await page.keyboard.press("End");
  assert.match(await host.locator(".detail").innerText(), /returned Ready$/);
});

test("hovering a mark tells it and redraws only the timelines it changes", async () => {
  const canvases = host.locator("canvas.timeline");
  // A stamp in a corner of each canvas (where nothing is drawn, below the
  // axis labels' column): a canvas drawn again loses it.
  const stamp = (i) => canvases.nth(i).evaluate((c) => {
    const ctx = c.getContext("2d");
    ctx.fillStyle = "rgb(1, 2, 3)";
    ctx.fillRect(c.width - 2, c.height - 2, 2, 2);
  });
  const stamped = (i) => canvases.nth(i).evaluate((c) => {
    const [r, g, b] = c.getContext("2d").getImageData(c.width - 1, c.height - 1, 1, 1).data;
    return r === 1 && g === 2 && b === 3;
  });
  // The log's first line, to see whether the log is rebuilt.
  await host.locator("ol.log li").first().evaluate((li) => { window.__firstLogLine = li; });
  const logKept = () => host.locator("ol.log").evaluate((ol) => ol.firstElementChild === window.__firstLogLine);
  // The first poll of the second run's first lane: lanes start below the
  // axis and the main thread (36 px), each 14 px high; the labels take 150.
  const box = await canvases.nth(1).boundingBox();
  const at = { x: box.x + 152, y: box.y + 36 + 7 };
  await page.mouse.move(box.x + box.width / 2, box.y - 40); // off the canvases
  await stamp(0);
  await stamp(1);
  await page.mouse.move(at.x, at.y);
  await page.waitForFunction(() => true);
  assert.match(await host.locator(".detail").innerText(), /api\/delay\/700 \(done\): poll 1 of \d+ \(its first poll\)/);
  assert.equal(await stamped(1), false, "the hovered run's timeline is drawn with its mark");
  assert.equal(await stamped(0), true, "the other run's timeline is left as it was");
  assert.equal(await logKept(), true, "the log is not rebuilt by a hover");
  // The pointer moves on over the same mark: nothing is drawn again.
  await stamp(1);
  await page.mouse.move(at.x + 1, at.y);
  await page.mouse.move(at.x, at.y + 1);
  assert.equal(await stamped(1), true, "a mark already lit is not drawn again");
  // The first run's mark then: both timelines change (one loses its mark).
  const first = await canvases.nth(0).boundingBox();
  await page.mouse.move(first.x + 152, first.y + 36 + 7);
  assert.match(await host.locator(".detail").innerText(), /api\/delay\/700 \(done\): poll 1 of/);
  assert.equal(await stamped(0), false);
  assert.equal(await stamped(1), false, "the timeline that loses its mark is drawn again");
});

test("replay redraws the recording over time without running anything again", async () => {
  const before = await stats();
  await host.locator("select.speed").selectOption("1");
  const scrubber = host.locator("input.scrubber");
  const end = Number(await scrubber.getAttribute("max"));
  assert.ok(end > 2000, `scrubber ends at ${end}`);
  await host.locator("button.replay").click();
  await page.waitForTimeout(400);
  const during = Number(await scrubber.inputValue());
  assert.ok(during > 100 && during < end, `cursor at ${during} of ${end}`);
  await page.waitForFunction((el) => Number(el.shadowRoot.querySelector("input.scrubber").value) >= Number(el.shadowRoot.querySelector("input.scrubber").max) - 1, await host.elementHandle(), { timeout: 5000 });
  const after = await stats();
  assert.equal(after.started, before.started, "replay sent requests");
  assert.equal(await host.getAttribute("data-state"), "done");
});

test("trace() and the download button give Chrome Trace Event JSON", async () => {
  const trace = await host.evaluate((el) => el.trace());
  const events = trace.traceEvents;
  const threads = events.filter((e) => e.ph === "M" && e.name === "thread_name" && e.tid > 0);
  assert.equal(threads.length, 6, "a track per task in each of two runs");
  const report = await reportOf(host);
  const polls = events.filter((e) => e.ph === "X" && e.cat === "poll");
  const reported = report.runs.flatMap((r) => r.tasks).reduce((n, t) => n + t.polls, 0);
  assert.equal(polls.length, reported);
  assert.ok(polls.every((e) => typeof e.ts === "number" && e.dur >= 0 && e.pid >= 1 && e.tid >= 1));
  const wakes = events.filter((e) => e.ph === "i" && e.name === "wake");
  assert.equal(wakes.length, report.runs.flatMap((r) => r.tasks).reduce((n, t) => n + t.wakes, 0));
  // µs: the concurrent run's 700 ms download ends about 700,000 µs after its run starts.
  const [download] = await Promise.all([page.waitForEvent("download"), host.locator("button.export").click()]);
  assert.equal(download.suggestedFilename(), "async-demo-gather.trace.json");
  const path = await download.path();
  const saved = JSON.parse(await (await import("node:fs/promises")).readFile(path, "utf8"));
  assert.equal(saved.traceEvents.length, events.length);
  assert.equal(saved.displayTimeUnit, "ms");
});

test("no page errors", () => {
  assert.deepEqual(errors, []);
});
