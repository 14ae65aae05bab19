// Loading without layout shift: each widget holds its place until the wasm
// has arrived (a page rule for the undefined element, then a placeholder in
// its shadow root, both min(100vh, 900px) tall), and every lesson's widget is
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

const PLACE = 900; // px: the cap of min(100vh, 900px)

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
