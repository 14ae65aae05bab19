// Host pages that do odd things: an element hundreds of thousands of pixels
// wide, attributes the lesson does not read, attributes changed by a script.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, pageWith, reportOf, stats } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const page = (body, options) =>
  pageWith(
    browser,
    "/site/hostile.html",
    `<!doctype html><html lang="en"><head><title>Host</title>
     <script type="module" src="/site/assets/async-demo.js"></script></head><body>${body}</body></html>`,
    options,
  );

test("a 400,000 px wide widget at device scale 2 runs thousands of tasks without a panic", async () => {
  const { page: p, errors } = await page(
    `<style>async-demo{display:block;width:400000px}</style>
     <async-demo lesson="many" tasks="5000" delay-ms="1500"></async-demo>`,
    { deviceScaleFactor: 2 },
  );
  const report = await p.evaluate(() => document.querySelector("async-demo").run());
  assert.equal(report.runs.at(-1).tasks.length, 5000);
  assert.equal(await p.locator("async-demo").getAttribute("data-state"), "done");
  const widths = await p.evaluate(() =>
    [...document.querySelector("async-demo").shadowRoot.querySelectorAll("canvas.timeline")].map((c) => c.width),
  );
  assert.ok(widths.every((w) => w > 0 && w <= 4096), `backing widths ${widths}`);
  assert.deepEqual(errors, []);
  await p.close();
});

test("an attribute the lesson does not read gets a note; a typo does not pass silently", async () => {
  const { page: p } = await page(`<async-demo lesson="sleep" delay-ms="100" timout-ms="5"></async-demo>`);
  const notes = p.locator("async-demo .notes li");
  await notes.first().waitFor();
  assert.deepEqual(await notes.allInnerTexts(), [
    'The attribute "timout-ms" is not read by the sleep lesson and has no effect (it reads delay-ms).',
  ]);
  await p.evaluate(() => document.querySelector("async-demo").removeAttribute("timout-ms"));
  await p.waitForFunction(() => document.querySelector("async-demo").shadowRoot.querySelectorAll(".notes li").length === 0);
  await p.close();
});

test("an attribute set by a script reaches the controls: the slider and the number beside it", async () => {
  const { page: p } = await page(`<async-demo lesson="limit"></async-demo>`);
  const host = p.locator("async-demo");
  await host.locator("input[name=concurrency]").waitFor();
  await p.evaluate(() => document.querySelector("async-demo").setAttribute("concurrency", "5"));
  await p.waitForFunction(() => document.querySelector("async-demo").shadowRoot.querySelector("output.value").textContent === "5");
  assert.equal(await host.locator("input[name=concurrency]").inputValue(), "5");
  await p.close();
});

test("limit takes urls: six downloads two at a time keep the server's peak at 2 and take three waves", async () => {
  const { page: p } = await page(
    `<async-demo lesson="limit" concurrency="2" urls="${Array(6).fill(`${BASE}/async-demo-api/delay/300`).join(" ")}"></async-demo>`,
  );
  await fetch(`${BASE}/async-demo-api/stats/reset`, { method: "POST", headers: { origin: BASE } });
  const report = await p.evaluate(() => document.querySelector("async-demo").run());
  const [run] = report.runs;
  assert.equal(run.name, "buffer_unordered(2)");
  assert.equal(run.tasks.length, 6);
  assert.ok(run.tasks.every((t) => t.state === "done"));
  assert.ok(run.totalMs >= 900 && run.totalMs < 1500, `total ${run.totalMs}`);
  assert.equal((await stats()).peakInFlight, 2);
  await p.close();
});
