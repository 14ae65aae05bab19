// Bad input through the element itself: every failure lands in its own task
// or as a sentence in the widget, the page keeps working, nothing is parsed as HTML.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { BASE, startPage, stats } from "./browser.mjs";

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

let browser, page, errors;

before(async () => {
  ({ browser, page, errors } = await startPage("/"));
});

after(async () => {
  await browser?.close();
});

/** Adds `<async-demo>` with `attrs` to the page and calls its run(). */
async function runWidget(attrs) {
  return page.evaluate(async (attrs) => {
    const el = document.createElement("async-demo");
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    el.dataset.test = "bad-input";
    document.body.append(el);
    try {
      return { report: await el.run(), state: el.dataset.state };
    } catch (e) {
      return { rejected: e.message, state: el.dataset.state, shown: el.shadowRoot.querySelector(".error")?.textContent };
    } finally {
      el.remove();
    }
  }, attrs);
}

test("each kind of bad URL fails its own task with a sentence; the good one completes", async () => {
  const urls = [
    `${BASE}/async-demo-api/delay/50`,
    `${BASE}/async-demo-api/status/404`,
    `${BASE}/async-demo-api/status/503`,
    `http://127.0.0.1:${await closedPort()}/unreachable`,
    "ftp://example.test/x",
    `${BASE}/async-demo-api/binary?bytes=5000`,
    `${BASE}/async-demo-api/drip?bytes=8000000&ms=0`,
    `${BASE}/async-demo-api/delay/20000`,
  ].join(" ");
  const { report, state } = await runWidget({ lesson: "gather", urls, "timeout-ms": "1500" });
  assert.equal(state, "done");
  const tasks = report.runs[1].tasks;
  assert.deepEqual(tasks.map((t) => t.state), ["done", "error", "error", "error", "error", "done", "error", "error"]);
  assert.match(tasks[1].error, /answered HTTP 404 Not Found: the download failed\.$/);
  assert.match(tasks[2].error, /HTTP 503/);
  assert.match(tasks[3].error, /^Could not reach http:\/\/127\.0\.0\.1:\d+\/unreachable: the browser reports a network failure/);
  assert.match(tasks[4].error, /scheme “ftp:” is not one fetch can load/);
  assert.match(tasks[5].result, /5000 bytes of binary data$/);
  assert.match(tasks[6].error, /sent more than 5000000 bytes; the download was stopped there\.$/);
  assert.equal(tasks[7].error, "Timed out after 1500 ms; the request was cancelled.");
  assert.ok(report.runs[1].totalMs < 3000, `concurrent run took ${report.runs[1].totalMs} ms`);
});

test("absurd or non-numeric attributes are refused with a sentence shown in the widget", async () => {
  for (const [name, value] of [["delay-ms", "-3"], ["delay-ms", "a while"], ["timeout-ms", "0"], ["delay-ms", "1e12"]]) {
    const lesson = name === "timeout-ms" ? "gather" : "sleep";
    const out = await runWidget({ lesson, [name]: value });
    assert.equal(out.state, "error");
    assert.equal(out.rejected, out.shown);
    assert.ok(out.rejected.startsWith(`Attribute ${name}="${value}" is not usable: expected a whole number`), out.rejected);
  }
  const unknown = await runWidget({ lesson: "telepathy" });
  assert.equal(unknown.state, "error");
  assert.match(unknown.rejected, /lesson="telepathy".*one of lazy, sleep, blocking, gather, many, mistakes, bridge/);
});

test("a refused attribute keeps the last run's results on show, with the sentence above them", async () => {
  const out = await page.evaluate(async () => {
    const el = document.createElement("async-demo");
    el.setAttribute("lesson", "sleep");
    el.setAttribute("delay-ms", "50");
    document.body.append(el);
    try {
      await el.run();
      const rows = () => el.shadowRoot.querySelectorAll("table tbody tr").length;
      const before = rows();
      el.setAttribute("delay-ms", "soon");
      let rejected = null;
      try {
        await el.run();
      } catch (e) {
        rejected = e.message;
      }
      return { before, after: rows(), runs: el.report()?.runs.length, rejected, state: el.dataset.state, shown: el.shadowRoot.querySelector(".error")?.textContent };
    } finally {
      el.remove();
    }
  });
  assert.ok(out.before > 0, "the first run filled the table");
  assert.equal(out.rejected, 'Attribute delay-ms="soon" is not usable: expected a whole number from 0 to 30000.');
  assert.equal(out.shown, out.rejected);
  assert.equal(out.state, "error");
  assert.equal(out.after, out.before, "the refused run cleared the last run's table");
  assert.equal(out.runs, 1, "the report is still the last run's");
});

test("markup in bodies and attributes is shown as text", async () => {
  const evil = "data:text/html,<img%20src=x%20onerror=window.pwned=1>";
  const { report } = await runWidget({ lesson: "gather", urls: evil });
  assert.match(report.runs[0].tasks[0].result, /<img src=x onerror=window\.pwned=1>/);
  const out = await runWidget({ lesson: "sleep", "delay-ms": "<b>bold</b>" });
  assert.match(out.shown, /<b>bold<\/b>/);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.equal(await page.locator("img[src=x]").count(), 0);
});

test("cancel() and removal stop the run: its request is aborted on the server", async () => {
  const before = await stats();
  const out = await page.evaluate(async (base) => {
    const el = document.createElement("async-demo");
    el.setAttribute("lesson", "gather");
    el.setAttribute("urls", `${base}/async-demo-api/delay/8000 ${base}/async-demo-api/delay/8000`);
    document.body.append(el);
    const running = el.run();
    await new Promise((r) => setTimeout(r, 300));
    el.cancel();
    const report = await running;
    const state = el.dataset.state;
    el.remove();
    return { report, state };
  }, BASE);
  assert.equal(out.state, "cancelled");
  assert.equal(out.report.runs[0].tasks[0].state, "cancelled");
  let after = await stats();
  for (let i = 0; i < 40 && after.aborted - before.aborted < 1; i++) {
    await new Promise((r) => setTimeout(r, 50));
    after = await stats();
  }
  assert.ok(after.aborted - before.aborted >= 1, `aborted ${before.aborted} → ${after.aborted}`);
});

test("the page stayed free of errors (failed loads are the point here; the console notes them)", () => {
  assert.deepEqual(errors.filter((e) => !e.startsWith("console: Failed to load resource")), []);
});
