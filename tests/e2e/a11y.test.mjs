// Accessibility: an axe-core audit of the playground (after a run, so the
// results tables and timelines are there) finds nothing serious or critical.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launch, openPage, runByClick } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

for (const scheme of ["light", "dark"]) {
  test(`the playground has no serious or critical axe violations (${scheme} scheme)`, async () => {
    const context = await browser.newContext({ colorScheme: scheme });
    browser.newPage = () => context.newPage();
    const { page } = await openPage(browser, "/");
    await runByClick(page, "gather");
    const violations = await axeViolations(page);
    const counts = violations.reduce((c, v) => ({ ...c, [v.impact]: (c[v.impact] ?? 0) + v.nodes }), {});
    console.log(`# axe (${scheme}): ${JSON.stringify(counts)} ${JSON.stringify(violations.map((v) => v.id))}`);
    const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad, []);
    await context.close();
  });
}
