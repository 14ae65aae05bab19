// The docs book (cargo xtask docs, served at /docs/): its chapters embed
// live widgets, which run, and the chapter passes an axe-core audit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { axeViolations, launch, openPage, reportOf, runByClick } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test("a chapter's widgets run from inside the book", async () => {
  const { page, errors } = await openPage(browser, "/docs/waiting-without-blocking.html");
  assert.match(await page.title(), /Waiting without blocking/);
  assert.deepEqual(await page.$$eval("async-demo", (els) => els.map((e) => e.getAttribute("lesson"))), ["sleep", "blocking"]);
  const sleep = await runByClick(page, "sleep");
  assert.equal(await sleep.getAttribute("data-state"), "done");
  assert.ok((await reportOf(sleep)).runs[0].totalMs >= 1500);
  const blocking = await runByClick(page, "blocking");
  const [blocked, awaited] = (await reportOf(blocking)).runs;
  assert.ok(blocked.longestFrameGapMs >= 950 && awaited.longestFrameGapMs < 100);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the gather chapter downloads from the dev server through the book's relative paths", async () => {
  const { page } = await openPage(browser, "/docs/many-at-once.html");
  const host = await runByClick(page, "gather");
  const [seq, con] = (await reportOf(host)).runs;
  assert.deepEqual(con.tasks.map((t) => t.state), ["done", "done", "done"]);
  assert.ok(seq.totalMs > con.totalMs * 1.5);
  await page.close();
});

test("a docs chapter has no serious or critical axe violations", async () => {
  const { page } = await openPage(browser, "/docs/futures-are-lazy.html");
  await runByClick(page, "lazy");
  const violations = (await axeViolations(page)).map(({ id, impact, nodes }) => ({ id, impact, nodes }));
  console.log(`# axe (docs chapter): ${JSON.stringify(violations)}`);
  assert.deepEqual(violations.filter((v) => v.impact === "serious" || v.impact === "critical"), []);
  await page.close();
});
