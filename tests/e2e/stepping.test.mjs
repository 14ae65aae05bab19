// Stepping: a run polled one future at a time, from the element's API and
// from its buttons (also keyboard only); the ready queue; the lit lines.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, reportOf, startPage } from "./browser.mjs";

let browser, page, errors;

before(async () => {
  ({ browser, page, errors } = await startPage("/"));
});

after(async () => {
  await browser?.close();
});

const URLS = "async-demo-api/delay/100 async-demo-api/delay/250 async-demo-api/delay/400";

test("el.run({ step: true }) pauses before the first poll; each step() is one poll; the steps add up to the report's polls", async () => {
  const out = await page.evaluate(async (urls) => {
    const el = document.querySelector('async-demo[lesson="gather"]');
    el.setAttribute("urls", urls);
    const running = el.run({ step: true });
    for (let i = 0; i < 100 && el.queue().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const before = el.queue();
    const steps = [];
    for (;;) {
      try {
        steps.push(await el.step());
      } catch (e) {
        steps.push(e.message);
        break;
      }
    }
    const report = await running;
    const afterStep = await el.step().then(() => "resolved", (e) => e.message);
    return { before, steps, report, afterStep };
  }, URLS);
  assert.deepEqual(out.before.map((q) => [q.cause, q.waitingOn]), [["first", "nothing yet: its first poll starts it"]]);
  const polls = out.report.runs.flatMap((r) => r.tasks).reduce((n, t) => n + t.polls, 0);
  const stepped = out.steps.filter((s) => typeof s === "object");
  assert.equal(stepped.length, polls, "one step per poll");
  assert.match(out.steps.at(-1), /not being stepped any more/);
  assert.match(out.afterStep, /^Nothing is being stepped|not being stepped any more/);
  for (const s of stepped) {
    assert.ok(["pending", "ready"].includes(s.outcome) && ["first", "woken", "sibling"].includes(s.cause), JSON.stringify(s));
  }
  // The line is where the future was created in the code shown.
  const lines = await page.locator('async-demo[lesson="gather"] figure.rust .line').allTextContents();
  for (const s of stepped) assert.match(lines[s.line - 1], /run\.trace\(/, `line ${s.line}: ${lines[s.line - 1]}`);
  // awaitLine is the `.await` at which the run waits for it: in the
  // sequential run the one on the same line, in the concurrent run
  // join_all's, on the line after the one that made the futures.
  // suspendLine, while it is pending, the `.await` inside it: fetch's.
  const seq = out.report.runs[0].tasks.reduce((n, t) => n + t.polls, 0);
  for (const [i, s] of stepped.entries()) {
    const text = lines[s.awaitLine - 1] ?? "";
    if (i < seq) assert.equal(s.awaitLine, s.line, JSON.stringify(s));
    else {
      assert.match(text, /= join_all\(downloads\)\.await;/, `step ${i}: line ${s.awaitLine}: ${text}`);
      assert.equal(s.awaitLine, s.line + 1, JSON.stringify(s));
    }
    if (s.outcome === "ready") assert.equal(s.suspendLine, null, JSON.stringify(s));
    else assert.match(lines[s.suspendLine - 1] ?? "", /^let fetch = .*with_timeout\(.*\)\.await/, JSON.stringify(s));
  }
  assert.ok(stepped.length > seq, "both runs were stepped");
  // The concurrent run's join_all polled siblings: causes say so.
  assert.ok(stepped.some((s) => s.cause === "sibling"));
  assert.ok(out.report.runs.flatMap((r) => r.tasks).every((t) => t.state === "done"));
});

test("Step and Continue by keyboard only: the queue is shown with what each future waits on, and lines light up", async () => {
  const host = page.locator('async-demo[lesson="gather"]');
  await host.evaluate((el, urls) => el.setAttribute("urls", urls), URLS);
  const step = host.locator("button.step");
  await step.focus();
  await page.keyboard.press("Enter"); // starts the stepped run, paused
  await page.waitForFunction((el) => el.dataset.state === "running", await host.elementHandle());
  const queue = host.locator(".stepping .queue li");
  await queue.first().waitFor();
  assert.match(await queue.first().innerText(), /api\/delay\/100 — its first poll; waits on: nothing yet/);
  await page.keyboard.press("Enter"); // one poll
  await page.waitForFunction((el) => /Last step: polled/.test(el.shadowRoot.querySelector(".last-step").textContent), await host.elementHandle());
  assert.match(await host.locator(".last-step").innerText(), /polled .*api\/delay\/100 \(its first poll\); it returned Pending/);
  assert.equal(await host.locator("figure.rust .line.polled").count(), 1);
  // (The recording, hidden, is still in the line's text.)
  assert.match(await host.locator("figure.rust .line.polled").textContent(), /run\.trace\(/);
  // Sequential: created and awaited on the same line, which is both shaded
  // and boxed; the `.await` inside it, in fetch, is boxed too; the sentence
  // names both.
  const shown = await host.locator("figure.rust .line").allTextContents();
  const seqLine = 1 + shown.findIndex((l) => /run\.trace\(/.test(l));
  const fetchLine = 1 + shown.findIndex((l) => /^let fetch = /.test(l));
  assert.deepEqual(
    await host.locator("figure.rust .line.awaited").evaluateAll((ls) => ls.map((l) => [...l.parentNode.children].indexOf(l) + 1)),
    [fetchLine, seqLine],
  );
  assert.match(await host.locator("figure.rust .line.polled.awaited").textContent(), /run\.trace\(.*\.await/);
  assert.match(
    await host.locator(".last-step").innerText(),
    new RegExp(`it returned Pending at the \\.await on line ${fetchLine}\\. Its run waits for it at line ${seqLine}\\.$`),
  );
  // Its response arrives while paused: woken, waiting in the queue, and the
  // download said what it waited on.
  await page.waitForFunction((el) => /woken by its own waker/.test(el.shadowRoot.querySelector(".queue").textContent), await host.elementHandle(), { timeout: 5000 });
  assert.match(
    await queue.first().innerText(),
    new RegExp(`waits on: the response of .*async-demo-api/delay/100; suspended at line ${fetchLine}; awaited at line ${seqLine}$`),
  );
  assert.equal(await host.getAttribute("data-state"), "running", "the run is still paused");
  // Continue: the rest at full speed.
  await page.keyboard.press("Tab");
  assert.equal(await host.evaluate((el) => el.shadowRoot.activeElement?.className), "continue");
  await page.keyboard.press("Enter");
  await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle(), { timeout: 10_000 });
  assert.equal(await host.locator(".stepping").isHidden(), true);
  const [, con] = (await reportOf(host)).runs;
  assert.ok(con.tasks.every((t) => t.state === "done"));
});

test("a gloo timer awaited in the lesson's code says its delay in the queue, read from the call that built it", async () => {
  const texts = await page.evaluate(async () => {
    const el = document.querySelector('async-demo[lesson="mistakes"]');
    el.setAttribute("delay-ms", "270");
    const running = el.run({ step: true });
    const seen = new Set();
    for (;;) {
      const step = await Promise.race([
        el.step().then(() => true, () => false),
        new Promise((r) => setTimeout(() => r(false), 10_000)),
      ]);
      if (!step) break;
      // Let the timers fire while paused, then read the queue.
      await new Promise((r) => setTimeout(r, 30));
      for (const q of el.queue()) seen.add(q.waitingOn);
    }
    el.resume();
    await running;
    el.setAttribute("delay-ms", "");
    return [...seen];
  });
  assert.ok(texts.includes("a browser timer of 270 ms (gloo's TimeoutFuture)"), JSON.stringify(texts));
});

test("a click the stepped run waits for says so in the queue once it arrives", async () => {
  const host = page.locator('async-demo[lesson="input"]');
  await host.scrollIntoViewIfNeeded();
  await host.evaluate((el) => el.setAttribute("timeout-ms", "20000"));
  const first = await host.evaluate(async (el) => {
    el.run({ step: true });
    for (let i = 0; i < 100 && el.queue().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    return [await el.step(), await el.step()]; // the first polls: the click's, the deadline's
  });
  assert.deepEqual(first.map((s) => s.outcome), ["pending", "pending"]);
  await host.locator("button.lesson-button").click();
  await page.waitForFunction((el) => el.queue().some((q) => q.cause === "woken"), await host.elementHandle());
  const [woken] = await host.evaluate((el) => el.queue().filter((q) => q.cause === "woken"));
  assert.match(woken.label, /click/);
  assert.equal(woken.waitingOn, "a click on the lesson's button");
  await host.evaluate((el) => el.resume());
  await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle(), { timeout: 10_000 });
  await host.evaluate((el) => el.setAttribute("timeout-ms", ""));
});

test("a stepped widget passes the axe audit", async () => {
  const host = page.locator('async-demo[lesson="race"]');
  await host.scrollIntoViewIfNeeded();
  await host.locator("button.step").click();
  await host.locator(".stepping .queue li").first().waitFor();
  const violations = (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(violations, []);
  await host.locator("button.continue").click();
  await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle(), { timeout: 10_000 });
});

test("the scrubber lights the same lines during replay", async () => {
  const host = page.locator('async-demo[lesson="gather"]');
  await host.evaluate((el, urls) => el.setAttribute("urls", urls), URLS);
  await host.evaluate((el) => el.run());
  await host.locator("input.scrubber").evaluate((el) => {
    el.value = "50";
    el.dispatchEvent(new Event("input"));
  });
  const lit = await host.locator("figure.rust .line.polled").allTextContents();
  assert.ok(lit.length >= 1 && lit.every((l) => /run\.trace\(/.test(l)), JSON.stringify(lit));
  // The `.await`s the runs are suspended at, 50 ms in: inside each download,
  // fetch's; the sequential run awaits its first download on the line that
  // made it, the concurrent run all of them at its join_all.
  const awaited = await host.locator("figure.rust .line.awaited").allTextContents();
  assert.equal(awaited.length, 3, JSON.stringify(awaited));
  assert.match(awaited[0], /^let fetch = .*\.await/);
  assert.match(awaited[1], /run\.trace\(.*\.await/);
  assert.match(awaited[2], /join_all\(downloads\)\.await/);
});

test("every lesson can be stepped to its end, one poll per step", { timeout: 240_000 }, async () => {
  const results = await page.evaluate(async () => {
    // Short parameters, so the whole file stays quick.
    const short = {
      sleep: { "delay-ms": "300" },
      blocking: { "delay-ms": "300" },
      many: { tasks: "40", "delay-ms": "200" },
      cancel: { "delay-ms": "600", urls: "async-demo-api/delay/300 async-demo-api/drip?bytes=2000&ms=400" },
      progress: { urls: "async-demo-api/drip?bytes=20000&ms=300 async-demo-api/drip?bytes=10000&ms=200" },
      input: { "timeout-ms": "300" },
      worker: { "work-ms": "200" },
    };
    const out = {};
    for (const el of document.querySelectorAll("async-demo")) {
      const lesson = el.getAttribute("lesson");
      for (const [name, value] of Object.entries(short[lesson] ?? {})) el.setAttribute(name, value);
      await new Promise((r) => setTimeout(r, 50));
      const running = el.run({ step: true });
      let steps = 0;
      let nested = 0;
      let end = "";
      const awaits = [];
      const shown = [...el.shadowRoot.querySelectorAll("figure.rust .line")].map((l) => l.textContent);
      for (;;) {
        const step = await Promise.race([
          el.step().then((s) => {
            awaits.push([s.label, shown[s.awaitLine - 1] ?? null, s.outcome, shown[s.suspendLine - 1] ?? null]);
            nested += s.inside.length;
            return "stepped";
          }, (e) => e.message),
          new Promise((r) => setTimeout(() => r("no step within 10 s"), 10_000)),
        ]);
        if (step !== "stepped") {
          end = step;
          break;
        }
        steps++;
      }
      el.resume();
      const report = await running;
      const polls = report.runs.flatMap((r) => r.tasks).reduce((n, t) => n + t.polls, 0);
      out[lesson] = { steps, nested, polls, end, state: el.dataset.state, awaits };
    }
    return out;
  });
  for (const [lesson, r] of Object.entries(results)) {
    assert.equal(r.state, "done", `${lesson}: ${JSON.stringify(r)}`);
    assert.match(r.end, /not being stepped any more/, `${lesson}: ${JSON.stringify(r)}`);
    // The polls a step made inside the one it granted (a sandbox program's
    // join! polls its downloads) count too; the lessons have none.
    assert.equal(r.steps + r.nested, r.polls, `${lesson}: ${r.steps} steps (and ${r.nested} polls inside them) for ${r.polls} polls`);
    if (lesson !== "sandbox") assert.equal(r.nested, 0, lesson);
    else assert.ok(r.nested > 0, "the sandbox's join! polls its downloads inside its steps");
    // Every poll names the shown `.await` (or futures' join!, which awaits
    // inside) that made it; only the future handed to the executor has none.
    for (const [label, line, outcome, inside] of r.awaits) {
      if (line === null) assert.match(label, /^spawn\(/, `${lesson}: ${label} has no .await`);
      else assert.match(line, /\.await|join!\(/, `${lesson}: ${label} awaited at ${line}`);
      // Where it stopped inside, if it did and that is in the shown code.
      if (outcome === "ready") assert.equal(inside, null, `${lesson}: ${label} is Ready`);
      else if (inside !== null) assert.match(inside, /\.await|join!\(/, `${lesson}: ${label} suspended at ${inside}`);
    }
    r.inside = r.awaits.filter((a) => a[3] !== null).length;
  }
  assert.equal(Object.keys(results).length, 16);
  // Futures whose own code is shown stop at a shown `.await`: sleep's
  // say_hello at its TimeoutFuture, gather's downloads inside fetch.
  assert.ok(results.sleep.inside >= 1 && results.gather.inside >= 1, JSON.stringify([results.sleep, results.gather]));
  console.log(`# stepping: ${Object.entries(results).map(([l, r]) => `${l} ${r.steps}`).join(", ")} steps = polls`);
});

test("no page errors", () => {
  assert.deepEqual(errors.filter((e) => !e.startsWith("console: Failed to load resource")), []);
});
