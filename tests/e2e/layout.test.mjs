// Loading without layout shift: each widget holds its place until the wasm
// has arrived (a page rule for the undefined element, then a placeholder in
// its shadow root, both min(100vh, 850px) tall), and every lesson's widget is
// taller than that place, so it only grows when it appears.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const PLACE = 850; // px: the cap of min(100vh, 850px)

async function mounted(page) {
  await page.waitForFunction(() => {
    const all = [...document.querySelectorAll("async-demo")];
    return all.length > 0 && all.every((el) => el.shadowRoot?.querySelector("button.run"));
  }, null, { timeout: 30_000 });
}

for (const width of [412, 800, 1350]) {
  test(`at ${width} px wide every lesson's widget is taller than the place it held`, async () => {
    const page = await browser.newPage({ viewport: { width, height: 823 } });
    await page.goto(`${BASE}/`);
    await mounted(page);
    const heights = await page.evaluate(() =>
      [...document.querySelectorAll("async-demo")].map((el) => [el.getAttribute("lesson"), el.getBoundingClientRect().height]),
    );
    assert.equal(heights.length, 16);
    for (const [lesson, height] of heights) assert.ok(height > PLACE, `${lesson}: ${height} px`);
    await page.close();
  });
}

for (const path of ["/", "/docs/what-drives-a-future.html"]) {
  test(`${path} loads on a phone-sized screen without its text jumping`, async () => {
    const page = await browser.newPage({ viewport: { width: 412, height: 823 } });
    await page.addInitScript(() => {
      window.__shift = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
      }).observe({ type: "layout-shift", buffered: true });
    });
    await page.goto(`${BASE}${path}`);
    await mounted(page);
    // Two more frames for the last widget's first paint to be counted.
    const shift = await page.evaluate(async () => {
      for (let i = 0; i < 2; i++) await new Promise((r) => requestAnimationFrame(r));
      return window.__shift;
    });
    assert.ok(shift <= 0.02, `cumulative layout shift ${shift}`);
    await page.close();
  });
}

// Compact widgets: on a phone the question and Run come within the first
// screen of every widget; the idea leads with two sentences at most and
// keeps the rest behind "More", which remembers its state.
test("on a 390 × 844 screen every widget's Run button is within its first screen", async () => {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${BASE}/`);
  await mounted(page);
  const runs = await page.evaluate(() =>
    [...document.querySelectorAll("async-demo")].map((el) => [
      el.getAttribute("lesson"),
      Math.round(el.shadowRoot.querySelector("button.run").getBoundingClientRect().bottom - el.getBoundingClientRect().top),
    ]),
  );
  assert.equal(runs.length, 16);
  for (const [lesson, bottom] of runs) assert.ok(bottom <= 844, `${lesson}: Run ends ${bottom} px below the widget's top`);
  await page.close();
});

test("a narrow widget shows one code pane at a time, picked by a radio group; a wide one shows them side by side", async () => {
  const visible = (host) =>
    host.evaluate((el) =>
      [...el.shadowRoot.querySelectorAll(".code > figure")].filter((f) => f.getBoundingClientRect().height > 0).map((f) => f.className),
    );
  const narrow = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await narrow.goto(`${BASE}/`);
  await mounted(narrow);
  const gather = narrow.locator('async-demo[lesson="gather"]');
  assert.deepEqual(await visible(gather), ["rust"]);
  await gather.getByRole("radio", { name: "Python" }).check();
  assert.deepEqual(await visible(gather), ["python"]);
  const sandbox = narrow.locator('async-demo[lesson="sandbox"]');
  assert.deepEqual(await visible(sandbox), ["rust editor"]);
  await narrow.close();
  const wide = await browser.newPage({ viewport: { width: 1350, height: 844 } });
  await wide.goto(`${BASE}/`);
  await mounted(wide);
  const wideGather = wide.locator('async-demo[lesson="gather"]');
  assert.deepEqual(await visible(wideGather), ["python", "rust"]);
  assert.equal(await wideGather.locator(".pane-switch").isVisible(), false);
  // The sandbox, wide: the editor always, beside one of its two translations.
  const wideSandbox = wide.locator('async-demo[lesson="sandbox"]');
  assert.deepEqual(await visible(wideSandbox), ["rust editor", "python"]);
  await wideSandbox.getByRole("radio", { name: "JavaScript" }).check();
  assert.deepEqual(await visible(wideSandbox), ["rust editor", "js"]);
  await wide.close();
  // Between a phone and a wide page (a docs column): the same, stacked, and
  // Run still within a screen of the widget's top.
  const middle = await browser.newPage({ viewport: { width: 800, height: 900 } });
  await middle.goto(`${BASE}/`);
  await mounted(middle);
  const middleSandbox = middle.locator('async-demo[lesson="sandbox"]');
  assert.deepEqual(await visible(middleSandbox), ["rust editor", "python"]);
  const run = await middleSandbox.evaluate((el) => el.shadowRoot.querySelector("button.run").getBoundingClientRect().bottom - el.getBoundingClientRect().top);
  assert.ok(run <= 900, `the sandbox's Run ends ${Math.round(run)} px below its top at 800 px`);
  await middle.close();
});

test("the idea leads with two sentences at most; More keeps the rest and remembers, per lesson, whether it was open", async () => {
  const context = await browser.newContext({ viewport: { width: 1350, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/`);
  await mounted(page);
  const leads = await page.evaluate(() =>
    [...document.querySelectorAll("async-demo")].map((el) => [el.getAttribute("lesson"), el.shadowRoot.querySelector(".idea > p.lead").textContent]),
  );
  for (const [lesson, lead] of leads) {
    const sentences = lead.split(/(?<=[.?!])\s+(?=[A-Z0-9“"(])/);
    assert.ok(sentences.length <= 2, `${lesson}: ${sentences.length} sentences: ${lead}`);
  }
  const open = (lesson) => page.locator(`async-demo[lesson="${lesson}"]`).evaluate((el) => el.shadowRoot.querySelector("details.more").open);
  assert.equal(await open("gather"), false);
  await page.locator('async-demo[lesson="gather"]').locator("details.more > summary").click();
  assert.equal(await open("gather"), true);
  for (const expected of [true, false]) {
    await page.reload();
    await mounted(page);
    assert.equal(await open("gather"), expected, "gather's More after a reload");
    assert.equal(await open("race"), false, "another lesson's More");
    if (expected) await page.locator('async-demo[lesson="gather"]').locator("details.more > summary").click();
  }
  await context.close();
});
