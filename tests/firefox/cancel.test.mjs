// Cancellation in headless Firefox ESR, counted on the dev server: race's
// losers and a cancelled run's downloads are aborted (the server's `aborted`
// counter), nothing stays in flight, and no timer of the cancelled run fires
// afterwards. The Firefox twin of tests/e2e/cancel.test.mjs and the race
// check of tests/e2e/structured.test.mjs, with the same expected numbers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { addInitScript, click, launch, onWidget, open, reportOf, runByClick, sleep, stats, statsUntil, waitForState } from "./firefox.mjs";
import { instrumentTimers } from "../e2e/page-timers.mjs";

let driver, errors;

// Installed before the page's scripts: remembers every timer, whether it
// was cleared and when it fired (as the Chromium suite does).

/** Timers pending at `at` (due later) that were not cleared, or fired anyway. */
const firedAfter = (at) =>
  driver.executeScript("const at = arguments[0]; return [...window.__timers.values()].filter((t) => t.created <= at && t.due > at + 20 && (!t.cleared || t.fired !== null));", at);
const pendingAt = (at) => driver.executeScript("const at = arguments[0]; return [...window.__timers.values()].filter((t) => t.created <= at && t.due > at + 20).length;", at);

/** Waits until the server has `n` more aborts than `before` and nothing in flight. */
const settled = (before, n) => statsUntil((now) => now.inFlight === 0 && now.aborted - before.aborted >= n);

/** Waits until the server has `n` requests in flight (the run's downloads reached it). */
const inFlight = (n) => statsUntil((now) => now.inFlight >= n);

before(async () => {
  ({ driver, errors } = await launch());
  await addInitScript(driver, instrumentTimers);
  await open(driver, "/");
  // (The preload script runs in a realm of its own: its Map is not the page's, so no `instanceof` here.)
  assert.equal(await driver.executeScript("return Object.prototype.toString.call(window.__timers);"), "[object Map]", "the preload script ran before the page");
});

after(async () => {
  await driver?.quit();
});

test("race and a run cancelled with el.cancel(): the server counts 2 + 2 aborts and ends with nothing in flight", async () => {
  // The reset comes from the page: a POST with the page's loopback Origin, which the server accepts.
  const reset = await driver.executeAsyncScript("const done = arguments[arguments.length - 1]; fetch('/async-demo-api/stats/reset', { method: 'POST' }).then((r) => done(r.status), (e) => done(String(e)));");
  assert.equal(reset, 200, "the page's own reset was refused");
  const zero = await stats();
  assert.deepEqual([zero.started, zero.aborted, zero.inFlight], [0, 0, 0], JSON.stringify(zero));

  assert.equal(await runByClick(driver, "race"), "done");
  const [race] = (await reportOf(driver, "race")).runs;
  assert.deepEqual(race.tasks.map((t) => t.state), ["cancelled", "done", "cancelled"]);
  const afterRace = await settled(zero, 2);
  assert.equal(afterRace.aborted, 2, "the server saw both losers aborted");
  assert.equal(afterRace.inFlight, 0);

  // The cancel lesson with its defaults (an 8 s timer, downloads of 8 s), cancelled mid-run.
  await click(driver, "cancel", "button.run");
  await waitForState(driver, "cancel", (s) => s === "running", 5000);
  assert.equal((await inFlight(2)).inFlight, 2, "both downloads reached the server");
  await sleep(200);
  const at = await onWidget(driver, "cancel", "const at = performance.now(); el.cancel(); return at;");
  assert.equal(await waitForState(driver, "cancel", (s) => s !== "running", 2000), "cancelled");
  const [run] = (await reportOf(driver, "cancel")).runs;
  assert.deepEqual(run.tasks.map((t) => t.state), ["cancelled", "cancelled", "cancelled"]);
  const server = await settled(afterRace, 2);
  assert.equal(server.aborted - afterRace.aborted, 2, "both downloads aborted on the server");
  assert.equal(server.inFlight, 0, "a request stayed open");
  assert.equal(server.started, server.finished + server.aborted, JSON.stringify(server));
  await sleep(800);
  assert.deepEqual(await firedAfter(at), [], "a timer of the cancelled run fired");
  assert.ok((await pendingAt(at)) >= 1, "the lesson's 8 s timer was pending at the cancel");
  console.log(`# firefox race + el.cancel(): server aborted ${afterRace.aborted} + ${server.aborted - afterRace.aborted}, in flight ${server.inFlight}, started ${server.started} = finished ${server.finished} + aborted ${server.aborted}`);
});

test("the Cancel button and removing the element do the same", async () => {
  for (const how of ["Cancel button", "remove()"]) {
    const before = await stats();
    let at, states;
    if (how === "Cancel button") {
      await click(driver, "cancel", "button.run");
      await waitForState(driver, "cancel", (s) => s === "running", 5000);
      await inFlight(before.inFlight + 2);
      at = await driver.executeScript("return performance.now();");
      await click(driver, "cancel", "button.cancel");
      assert.equal(await waitForState(driver, "cancel", (s) => s !== "running", 2000), "cancelled");
      states = (await reportOf(driver, "cancel")).runs[0].tasks.map((t) => t.state);
    } else {
      ({ at, states } = await driver.executeAsyncScript(`
        const done = arguments[arguments.length - 1];
        const el = document.createElement("async-demo");
        el.setAttribute("lesson", "cancel");
        el.setAttribute("delay-ms", "6000");
        document.body.append(el);
        const running = el.run();
        setTimeout(async () => {
          const at = performance.now();
          el.remove();
          const report = await running;
          done({ at, states: report.runs[0].tasks.map((t) => t.state) });
        }, 600);`));
    }
    assert.deepEqual(states, ["cancelled", "cancelled", "cancelled"], how);
    const server = await settled(before, 2);
    assert.equal(server.inFlight, 0, `${how}: a request stayed open`);
    assert.equal(server.aborted - before.aborted, 2, `${how}: aborts`);
    await sleep(500);
    assert.deepEqual(await firedAfter(at), [], how);
    console.log(`# firefox cancel by ${how}: server aborted ${server.aborted - before.aborted}, in flight ${server.inFlight}`);
  }
});

test("no page errors", () => {
  assert.deepEqual(errors, []);
});
