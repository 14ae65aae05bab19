// Accessibility: an axe-core audit of the playground (after a run, so the
// results tables and timelines are there) finds nothing serious or critical.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { launch, openPage, runByClick } from "./browser.mjs";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function audit(page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.length,
      help: v.help,
      where: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n")[1] ?? ""}`),
    }));
  });
}

for (const scheme of ["light", "dark"]) {
  test(`the playground has no serious or critical axe violations (${scheme} scheme)`, async () => {
    const context = await browser.newContext({ colorScheme: scheme });
    browser.newPage = () => context.newPage();
    const { page } = await openPage(browser, "/");
    await runByClick(page, "gather");
    const violations = await audit(page);
    const counts = violations.reduce((c, v) => ({ ...c, [v.impact]: (c[v.impact] ?? 0) + v.nodes }), {});
    console.log(`# axe (${scheme}): ${JSON.stringify(counts)} ${JSON.stringify(violations.map((v) => v.id))}`);
    const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(bad, []);
    await context.close();
  });
}
