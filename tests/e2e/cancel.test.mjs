// Cancelling: the Cancel button, el.cancel() and removal each stop every
// timer and request in flight; checked on the server and on the page's timers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, reportOf, stats } from "./browser.mjs";
import { instrumentTimers } from "./page-timers.mjs";

let browser, page, errors;

// Installed before the page's scripts: remembers every timer, whether it
// was cleared and when it fired.

/** Timers pending at `at` (due later) that were not cleared, or fired anyway. */
async function firedAfter(at) {
  return page.evaluate(
    (at) => [...window.__timers.values()].filter((t) => t.created <= at && t.due > at + 20 && (!t.cleared || t.fired !== null)),
    at,
  );
}

async function settled(before) {
  let now = await stats();
  for (let i = 0; i < 60 && (now.inFlight > 0 || now.aborted - before.aborted < 2); i++) {
    await new Promise((r) => setTimeout(r, 50));
    now = await stats();
  }
  return now;
}

before(async () => {
  browser = await launch();
  const context = await browser.newContext();
  await context.addInitScript(instrumentTimers);
  browser.newPage = () => context.newPage();
  ({ page, errors } = await openPage(browser, "/"));
});

after(async () => {
  await browser?.close();
});

test("the Cancel button stops timers and requests: nothing fires afterwards, nothing stays open", async () => {
  const host = page.locator('async-demo[lesson="cancel"]');
  const before = await stats();
  await host.locator("button.run").click();
  await page.waitForTimeout(500);
  const cancelledAt = await page.evaluate(() => performance.now());
  await host.locator("button.cancel").click();
  await page.waitForFunction((el) => el.dataset.state === "cancelled", await host.elementHandle(), { timeout: 2000 });
  const [run] = (await reportOf(host)).runs;
  assert.deepEqual(run.tasks.map((t) => t.state), ["cancelled", "cancelled", "cancelled"]);
  const server = await settled(before);
  assert.equal(server.inFlight, 0, "a request stayed open");
  assert.equal(server.aborted - before.aborted, 2, "both downloads aborted on the server");
  await page.waitForTimeout(800);
  assert.deepEqual(await firedAfter(cancelledAt), []);
  const pending = await page.evaluate((at) => [...window.__timers.values()].filter((t) => t.created <= at && t.due > at + 20).length, cancelledAt);
  assert.ok(pending >= 1, "the lesson's 8 s timer was pending at the cancel");
  console.log(`# cancel button: server aborted ${server.aborted - before.aborted}, in flight ${server.inFlight}`);
});

test("el.cancel() and removing the element do the same", async () => {
  for (const how of ["cancel()", "remove()"]) {
    const before = await stats();
    const out = await page.evaluate(async (how) => {
      const el = document.createElement("async-demo");
      el.setAttribute("lesson", "cancel");
      el.setAttribute("delay-ms", "6000");
      document.body.append(el);
      const running = el.run();
      await new Promise((r) => setTimeout(r, 400));
      const at = performance.now();
      if (how === "cancel()") el.cancel();
      else el.remove();
      const report = await running;
      el.remove();
      return { at, states: report.runs[0].tasks.map((t) => t.state) };
    }, how);
    assert.deepEqual(out.states, ["cancelled", "cancelled", "cancelled"], how);
    const server = await settled(before);
    assert.equal(server.inFlight, 0, `${how}: a request stayed open`);
    assert.equal(server.aborted - before.aborted, 2, `${how}: aborts`);
    await page.waitForTimeout(500);
    assert.deepEqual(await firedAfter(out.at), [], how);
  }
});

test("every lesson's Cancel works mid-run", async () => {
  const lessons = await page.$$eval("async-demo[lesson]", (els) => els.map((e) => e.getAttribute("lesson")));
  for (const lesson of lessons) {
    const host = page.locator(`async-demo[lesson="${lesson}"]`).first();
    await host.scrollIntoViewIfNeeded();
    await host.locator("button.run").click();
    await page.waitForTimeout(150);
    const state = await host.getAttribute("data-state");
    if (state !== "running") continue; // finished (or blocked through) before we could cancel
    // A short lesson may end (and disable Cancel) while the click waits for
    // the button: then there is nothing left to cancel.
    const clicked = await host
      .locator("button.cancel")
      .click({ timeout: 3000 })
      .then(() => true, () => false);
    if (!clicked) {
      assert.notEqual(await host.getAttribute("data-state"), "running", `${lesson}: Cancel could not be clicked while the run went on`);
      continue;
    }
    await page.waitForFunction((el) => el.dataset.state !== "running", await host.elementHandle(), { timeout: 3000 });
    const final = await host.getAttribute("data-state");
    if (final === "done") {
      // A short lesson (race ends after 300 ms) may finish before the click lands.
      const total = (await reportOf(host)).runs.reduce((n, r) => n + r.totalMs, 0);
      assert.ok(total < 1500, `${lesson} ran on for ${total} ms although Cancel was clicked`);
      continue;
    }
    assert.equal(final, "cancelled", lesson);
    const report = await reportOf(host);
    const states = report.runs.flatMap((r) => r.tasks.map((t) => t.state));
    assert.ok(states.includes("cancelled") || states.length === 0 || states.includes("pending"), `${lesson}: ${states}`);
  }
  const server = await settled(await stats());
  assert.equal(server.inFlight, 0);
});

test("no page errors", () => {
  assert.deepEqual(errors.filter((e) => !e.startsWith("console: Failed to load resource")), []);
});
