// Embedding: several widgets on one page, a hostile host stylesheet,
// hosting under a sub-path. (The playground's permalinks: permalinks.test.mjs.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, pageWith as sharedPageWith, reportOf } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A page of `html` at `path`, with www/ copied under /site/assets/. */
const pageWith = (path, html) => sharedPageWith(browser, path, html);

test("two widgets on a page keep their own runs, controls and cancel; sub-path hosting works", async () => {
  const { page, errors } = await pageWith(
    "/site/docs/chapter.html",
    `<!doctype html><html lang="en"><head><title>Chapter</title>
     <script type="module" src="../assets/async-demo.js"></script></head>
     <body><p>Prose.</p><async-demo id="a" lesson="sleep" delay-ms="1500"></async-demo>
     <p>More prose.</p><async-demo id="b" lesson="gather" urls="/async-demo-api/delay/200 /async-demo-api/delay/300"></async-demo></body></html>`,
  );
  const [a, b] = [page.locator("#a"), page.locator("#b")];
  await a.locator("button.run").click();
  await b.locator("button.run").click();
  await page.waitForTimeout(300);
  await a.locator("button.cancel").click();
  await page.waitForFunction(() => document.querySelector("#b").dataset.state === "done", null, { timeout: 10000 });
  assert.equal(await a.getAttribute("data-state"), "cancelled");
  const [ra, rb] = [await reportOf(a), await reportOf(b)];
  assert.equal(ra.lesson, "sleep");
  assert.equal(rb.lesson, "gather");
  assert.deepEqual(rb.runs[1].tasks.map((t) => t.state), ["done", "done"], "cancelling one widget left the other alone");
  // Loaded from the sub-path: the wasm, the stylesheet and the default URLs all resolved.
  assert.equal(await a.evaluate((el) => getComputedStyle(el.shadowRoot.querySelector("button.run")).borderRadius), "6px");
  assert.deepEqual(errors, []);
  const globals = await page.evaluate(() => Object.keys(window).filter((k) => /async|wasm|widget/i.test(k)));
  assert.deepEqual(globals, [], "no globals on window");
  await page.close();
});

test("a hostile host stylesheet does not reach into the widget, and the widget's styles do not leak out", async () => {
  const hostile = `<style>
    button { display: none !important; } li, div { color: red !important; font-size: 40px !important; }
    body { font-family: serif; } table, td { border: 5px solid lime !important; } .run { background: red !important; }
  </style>`;
  const { page } = await pageWith(
    "/site/docs/hostile.html",
    `<!doctype html><html lang="en"><head><title>Hostile</title>${hostile}
     <script type="module" src="../assets/async-demo.js"></script></head>
     <body><button class="run" id="outside">host button</button>
     <async-demo lesson="lazy" delay-ms="50"></async-demo></body></html>`,
  );
  const widget = page.locator("async-demo");
  const run = widget.locator("button.run");
  await run.waitFor();
  assert.equal(await run.isVisible(), true, "the host's button rule hid the widget's button");
  assert.notEqual(await run.evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(255, 0, 0)");
  await run.click();
  await page.waitForFunction(() => document.querySelector("async-demo").dataset.state === "done");
  const cell = widget.locator("td.state").first();
  assert.notEqual(await cell.evaluate((td) => getComputedStyle(td).borderTopColor), "rgb(0, 255, 0)");
  // The widget's own rules (.run is blue in the widget) did not touch the host's button.
  assert.equal(await page.locator("#outside").evaluate((b) => getComputedStyle(b).display), "none");
  await page.close();
});

test("a page of lessons loads the lessons' build only; a sandbox widget added later loads the sandbox's, and both run", async () => {
  const { page, errors } = await pageWith(
    "/lessons-only.html",
    '<!doctype html><html lang="en"><title>lessons</title><script type="module" src="/async-demo.js"></script><body><async-demo lesson="sleep" delay-ms="50"></async-demo><async-demo lesson="lazy" delay-ms="50"></async-demo></body></html>',
  );
  await page.waitForFunction(() => [...document.querySelectorAll("async-demo")].every((el) => el.shadowRoot?.querySelector("button.run")));
  // What the page fetched, from its resource timing (a listener attached
  // after the page loaded could miss the first build's request, or not).
  const wasmFetched = () => page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname).filter((p) => p.endsWith(".wasm")));
  assert.deepEqual(await wasmFetched(), ["/pkg/async_demo_bg.wasm"]);
  const states = await page.evaluate(async () => {
    const el = document.createElement("async-demo");
    el.setAttribute("lesson", "sandbox");
    el.setAttribute("program", "let a = sleep(20); let b = sleep(40); join!(a, b);");
    document.body.append(el);
    const sandbox = await el.run();
    const lesson = await document.querySelector('async-demo[lesson="sleep"]').run();
    return [sandbox.runs[0].tasks.map((t) => `${t.label} ${t.state}`), lesson.runs[0].tasks.map((t) => t.state)];
  });
  assert.deepEqual(states[0], ["sleep(20) done", "sleep(40) done", "join!(a, b) done"]);
  assert.ok(states[1].every((s) => s === "done"), states[1].join());
  assert.deepEqual(await wasmFetched(), ["/pkg/async_demo_bg.wasm", "/pkg-sandbox/async_demo_bg.wasm"], "each build once");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the wasm loads once per page however many widgets; 360 px wide fits; reduced motion stops the dot", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 800 }, reducedMotion: "reduce" });
  const page = await context.newPage();
  const wasm = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && wasm.push(r.url()));
  await page.goto(`${BASE}/`);
  await page.waitForFunction(() => [...document.querySelectorAll("async-demo")].every((el) => el.shadowRoot?.querySelector("button.run")));
  assert.equal(await page.locator("async-demo").count() > 10, true);
  // The playground has a sandbox widget: the build with the sandbox serves
  // every widget of the page, and the lessons' build is not downloaded too.
  assert.deepEqual(wasm, [`${BASE}/pkg-sandbox/async_demo_bg.wasm`], "one wasm download for the whole page");
  // Nothing forces the page wider than the screen.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), "the page scrolls sideways at 360 px");
  const sleep = page.locator('async-demo[lesson="sleep"]');
  assert.equal(await sleep.locator(".dot").evaluate((d) => getComputedStyle(d).display), "none");
  const box = await sleep.locator("button.run").boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 360, "the Run button is on screen");
  await context.close();
});
