// The playground under a strict Content-Security-Policy: the widgets, the
// wasm and the worker lesson's Web Worker load without a single violation.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, runByClick, reportOf } from "./browser.mjs";

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
let browser, page;
const errors = [];

before(async () => {
  browser = await launch();
  page = await browser.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  // Serve every document and worker script of the dev server with the policy.
  await page.route(`${BASE}/**`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": CSP } });
  });
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${BASE}/`);
  await page.waitForFunction(() => customElements.get("async-demo") !== undefined);
});

after(async () => {
  await browser?.close();
});

test("under a strict CSP the worker lesson runs its Web Worker and gather fetches, with no violation", async () => {
  const worker = await runByClick(page, "worker", { timeout: 60_000 });
  assert.equal(await worker.getAttribute("data-state"), "done");
  const [, inWorker] = (await reportOf(worker)).runs;
  assert.equal(inWorker.tasks.find((t) => t.label.includes("Web Worker")).state, "done");
  const gather = await runByClick(page, "gather");
  assert.equal(await gather.getAttribute("data-state"), "done");
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  assert.deepEqual(errors, []);
});

test("the policy is really in force: an inline script is refused", async () => {
  const ran = await page.evaluate(async () => {
    const script = document.createElement("script");
    script.textContent = "window.inlineRan = true";
    document.head.append(script);
    await new Promise((r) => setTimeout(r, 50));
    return window.inlineRan === true;
  });
  assert.equal(ran, false);
  const violations = await page.evaluate(() => window.__violations);
  assert.equal(violations.length, 1);
  assert.match(violations[0], /^script-src/);
});
