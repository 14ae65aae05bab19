// The playground's permalinks (www/playground.js): every parameter value
// round-trips through the hash, and a malformed hash neither throws nor
// leaves permalinks dead.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, openPage } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The playground opened at `hash`, collecting page errors and console warnings from the start. */
async function open(hash) {
  const page = await browser.newPage();
  const errors = [];
  const warnings = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
  await page.goto(`${BASE}/${hash}`);
  await page.waitForFunction(() => customElements.get("async-demo") !== undefined);
  return { page, errors, warnings };
}

/** Waits until the `lesson` widget's attribute `name` is `value`. */
async function waitForAttribute(page, lesson, name, value) {
  await page.waitForFunction(
    ([lesson, name, value]) => document.querySelector(`async-demo[lesson="${lesson}"]`).getAttribute(name) === value,
    [lesson, name, value],
    { timeout: 5000 },
  );
}

/** Sets attributes on the `lesson` widget from outside; returns the hash the playground then wrote. */
async function hashAfterSetting(page, lesson, attributes) {
  const before = await page.evaluate(() => location.hash);
  await page.evaluate(
    ([lesson, attributes]) => {
      const el = document.querySelector(`async-demo[lesson="${lesson}"]`);
      for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
    },
    [lesson, attributes],
  );
  await page.waitForFunction((before) => location.hash !== before && location.hash !== "", before);
  return page.evaluate(() => location.hash);
}

const GATHER_DEFAULT = "async-demo-api/delay/700 async-demo-api/drip?bytes=30000&ms=1000 async-demo-api/delay/400";

test("a permalink restores the lesson's parameters, and editing one updates the hash", async () => {
  const { page } = await openPage(browser, "/#sleep?delay-ms=1234");
  const host = page.locator('async-demo[lesson="sleep"]');
  await host.locator("input[name=delay-ms]").waitFor();
  assert.equal(await host.getAttribute("delay-ms"), "1234");
  assert.equal(await host.locator("input[name=delay-ms]").inputValue(), "1234");
  const gather = page.locator('async-demo[lesson="gather"]');
  await gather.locator("input[name=timeout-ms]").fill("900");
  await gather.locator("input[name=timeout-ms]").dispatchEvent("change");
  await page.waitForFunction(() => location.hash === "#gather?timeout-ms=900");
  await page.close();
});

test("gather's own default URLs, with ? and & inside, round-trip; so do links written the old way", async () => {
  const { page, errors } = await open("");
  const hash = await hashAfterSetting(page, "gather", { urls: GATHER_DEFAULT, "timeout-ms": "5000" });
  assert.match(hash, /^#gather\?/);
  await page.close();
  const reopened = await open(hash);
  await waitForAttribute(reopened.page, "gather", "urls", GATHER_DEFAULT);
  assert.equal(await reopened.page.locator('async-demo[lesson="gather"]').getAttribute("timeout-ms"), "5000");
  await reopened.page.close();
  // The links the playground wrote before (URLSearchParams: spaces as +, the rest %XX).
  const old = await open(`#gather?${new URLSearchParams({ urls: GATHER_DEFAULT, "timeout-ms": "700" })}`);
  await waitForAttribute(old.page, "gather", "urls", GATHER_DEFAULT);
  assert.equal(await old.page.locator('async-demo[lesson="gather"]').getAttribute("timeout-ms"), "700");
  assert.deepEqual([...errors, ...reopened.errors, ...old.errors], []);
  await old.page.close();
});

test("%2B5 restores as +5 (a plus, not a space), and + as a space", async () => {
  const { page } = await open("#sleep?delay-ms=%2B5");
  await waitForAttribute(page, "sleep", "delay-ms", "+5");
  await page.close();
  const spaced = await open("#gather?urls=async-demo-api/delay/1+async-demo-api/delay/2");
  await waitForAttribute(spaced.page, "gather", "urls", "async-demo-api/delay/1 async-demo-api/delay/2");
  await spaced.page.close();
});

test("&, =, +, %, ?, #, spaces and unicode in values round-trip through the hash", async () => {
  const urls = "a&b=c+d%25e f?g#h %E0%A4%A ü 日本 🎉 100%";
  const tasks = " 1 2 ";
  const { page, errors } = await open("");
  const hash = await hashAfterSetting(page, "many", { tasks, "delay-ms": "+5" });
  await page.close();
  const many = await open(hash);
  await waitForAttribute(many.page, "many", "tasks", tasks);
  assert.equal(await many.page.locator('async-demo[lesson="many"]').getAttribute("delay-ms"), "+5");
  await many.page.close();
  const { page: second } = await open("");
  const gatherHash = await hashAfterSetting(second, "gather", { urls });
  await second.close();
  const gather = await open(gatherHash);
  await waitForAttribute(gather.page, "gather", "urls", urls);
  assert.deepEqual(gather.warnings, [], "a hash the playground wrote decoded with warnings");
  assert.deepEqual(errors, []);
  await gather.page.close();
});

test("a malformed hash does not throw: its bad piece is skipped with a warning, the rest restores, and later permalinks work", async () => {
  const { page, errors, warnings } = await open("#gather?urls=%E0%A4%A&timeout-ms=900&con%ZZcurrency=3");
  await waitForAttribute(page, "gather", "timeout-ms", "900");
  assert.equal(await page.locator('async-demo[lesson="gather"]').getAttribute("urls"), null);
  assert.deepEqual(errors, []);
  assert.ok(warnings.some((w) => w.includes("%E0%A4%A")), `no warning about the bad value: ${JSON.stringify(warnings)}`);
  // Permalinks still live: a new hash restores, an edit updates the hash.
  await page.evaluate(() => (location.hash = "#sleep?delay-ms=1234"));
  await waitForAttribute(page, "sleep", "delay-ms", "1234");
  const hash = await hashAfterSetting(page, "sleep", { "delay-ms": "1500" });
  assert.equal(hash, "#sleep?delay-ms=1500");
  // A malformed lesson name, and a lone %, neither throw.
  await page.evaluate(() => (location.hash = "#%E0%A4%A?delay-ms=5"));
  await page.evaluate(() => (location.hash = "#sleep?delay-ms=%"));
  await page.evaluate(() => (location.hash = "#sleep?delay-ms=42&%"));
  await waitForAttribute(page, "sleep", "delay-ms", "42");
  assert.deepEqual(errors, []);
  await page.close();
});
