// The README's recipes for MkDocs (with mkdocs-material) and VitePress in
// headless Firefox ESR: the sites of tests/e2e/generators.test.mjs, built
// the same way from the README's own lines (tests/e2e/sites.mjs), served
// below a sub-path with the strict policy `async-demo-csp` prints for them,
// and read over WebDriver. For each: the home page's widget runs to done
// through the Service Worker; the site's own navigation (Material's instant
// navigation, VitePress's router: no reload) goes to the guide, whose
// widgets run to done, the race with its `async-demo-api/…` URLs won by the
// short one; a run cut short by navigating home leaves nothing in flight in
// the worker and its download counted aborted; the site's switch turns the
// widgets dark and back; and no error or policy violation is reported
// (but Firefox's own line for each aborted download).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { By } from "selenium-webdriver";
import { DIST, GENERATORS, builtSite } from "../e2e/sites.mjs";
import { addInitScript, launch, sleep } from "./firefox.mjs";

let driver, errors;
const FIREFOX_ABORT_LINE = "pageerror: Failed to load ‘’. A ServiceWorker intercepted the request and encountered an unexpected error.";

before(async () => {
  ({ driver, errors } = await launch());
  await addInitScript(driver, () =>
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`), true),
  );
});

after(async () => {
  await driver?.quit();
});

const js = (body, ...args) => driver.executeScript(body, ...args);

/** Waits until `body` (a function body run in the page) returns something truthy; returns it. */
async function until(body, what, timeout = 30_000, ...args) {
  let last;
  await driver.wait(async () => (last = await js(body, ...args)), timeout).catch(() => assert.fail(`${what}: not so after ${timeout} ms (last: ${JSON.stringify(last)})`));
  return last;
}

/** Every widget on the page has its Run button (or its error). */
const mounted = () =>
  until('const all = [...document.querySelectorAll("async-demo")]; return all.length > 0 && all.every((el) => el.shadowRoot?.querySelector("button.run, .error"));', "every widget mounted");

/** Clicks Run of the widget `selector` (a real click) and waits for its run's end; returns its report. */
async function runToEnd(selector, timeout = 60_000) {
  const button = await until("return document.querySelector(arguments[0])?.shadowRoot?.querySelector('button.run');", `${selector} has a Run button`, 15_000, selector);
  await js('arguments[0].scrollIntoView({ block: "center" });', button);
  await button.click();
  await until("return !['running', 'idle'].includes(document.querySelector(arguments[0]).dataset.state);", `${selector} ran to its end`, timeout, selector);
  return js("const el = document.querySelector(arguments[0]); return { state: el.dataset.state, report: el.report() };", selector);
}

/** Follows the link of the page's content whose text is `text`, with a real click. */
async function follow(text) {
  const links = await driver.findElements(By.linkText(text));
  assert.ok(links.length > 0, `no link "${text}"`);
  await js('arguments[0].scrollIntoView({ block: "center" });', links[0]);
  await links[0].click();
}

/** The worker's counters, read from the page (through the worker, as a lesson's fetch is). */
const swStats = (mount) =>
  driver.executeAsyncScript(
    "const done = arguments[arguments.length - 1]; fetch(arguments[0], { cache: 'no-store' }).then((r) => r.json()).then(done, (e) => done({ error: String(e) }));",
    `${mount}async-demo-api/stats`,
  );

/** Clicks the site's switch `selector` until every widget's scheme is `scheme` (a switch may pass through "auto"). */
async function switchTo(selector, scheme) {
  const schemes = () => js('return [...document.querySelectorAll("async-demo")].map((el) => el.dataset.scheme);');
  for (let i = 0; i < 3; i++) {
    const [toggle] = (await driver.findElements(By.css(selector))).filter(Boolean);
    assert.ok(toggle, `no ${selector}`);
    await toggle.click();
    const started = Date.now();
    while (Date.now() - started < 3_000) {
      if ((await schemes()).every((s) => s === scheme)) return;
      await sleep(100);
    }
  }
  assert.fail(`after clicking ${selector} three times the widgets' schemes are ${JSON.stringify(await schemes())}, not ${scheme}`);
}

for (const name of ["mkdocs", "vitepress"]) {
  const generator = GENERATORS[name];
  test(`the README's recipe for ${generator.title} in Firefox, under its strict CSP: widgets run, navigation cuts runs short cleanly, the theme switch turns them`, async (t) => {
    const headers = { "cache-control": "no-cache" };
    const built = await builtSite(name, headers);
    if (built.skip) return t.skip(built.skip);
    const { out, at } = built;
    try {
      const csp = spawnSync("node", [path.join(DIST, "csp.mjs"), out], { encoding: "utf8" });
      assert.equal(csp.status, 0, csp.stderr);
      headers["content-security-policy"] = csp.stdout.trim();
      errors.length = 0;

      await driver.get(at);
      await mounted();
      const home = 'async-demo[lesson="sleep"]';
      assert.equal(await js("return document.querySelector(arguments[0]).shadowRoot.querySelectorAll('li.api-note').length;", home), 0, "the worker serves the home page");
      assert.equal((await runToEnd(home)).state, "done", "home");

      // The site's own navigation to the guide: no reload.
      await js("window.__stayed = true;");
      await follow("the guide");
      await until("return location.href.startsWith(arguments[0]) && document.querySelectorAll('async-demo').length === 3;", "the guide's page", 30_000, `${at}guide/gather`);
      await mounted();
      assert.equal(await js("return window.__stayed === true;"), generator.spa, "in-site navigation");
      for (const lesson of ["gather", "race"]) {
        const { state, report } = await runToEnd(`async-demo[lesson="${lesson}"]:not(#long)`);
        assert.equal(state, "done", `${lesson}: ${JSON.stringify(report)}`);
        const states = report.runs.flatMap((r) => r.tasks.map((task) => task.state));
        if (lesson === "race") assert.deepEqual(states, ["done", "cancelled"]);
        else assert.ok(states.every((s) => s === "done"), `${lesson}: ${states}`);
        console.log(`# firefox ${name} ${lesson}: ${report.runs.map((r) => `${r.name} ${Math.round(r.totalMs)} ms`).join(", ")}`);
      }

      // A run cut short by the site's navigation: its 8 s download is
      // aborted in the worker, well before it would have ended.
      const button = await js("return document.querySelector('async-demo#long').shadowRoot.querySelector('button.run');");
      await js('arguments[0].scrollIntoView({ block: "center" });', button);
      await button.click();
      await until("return document.querySelector('async-demo#long').dataset.state === 'running';", "the long run started");
      let stats = await swStats(generator.mount);
      for (let i = 0; i < 40 && !(stats.inFlight >= 1); i++) {
        await sleep(50);
        stats = await swStats(generator.mount);
      }
      assert.ok(stats.inFlight >= 1, `the long run's download is in flight: ${JSON.stringify(stats)}`);
      const aborted = stats.aborted;
      const left = Date.now();
      await follow("home");
      await until("return document.querySelector('async-demo[lesson=\"sleep\"]') && !document.querySelector('async-demo#long');", "back home");
      await mounted();
      stats = await swStats(generator.mount);
      while (stats.inFlight > 0 && Date.now() - left < 4_000) {
        await sleep(100);
        stats = await swStats(generator.mount);
      }
      assert.equal(stats.inFlight, 0, `downloads in flight ${Date.now() - left} ms after leaving: ${JSON.stringify(stats)}`);
      assert.ok(stats.aborted > aborted, `the cut run's download was aborted: ${JSON.stringify(stats)}`);
      assert.equal(await js("return window.__stayed === true;"), generator.spa, "back by in-site navigation");

      // Home again: its widget runs; the site's switch turns it dark and back.
      assert.equal((await runToEnd(home)).state, "done", "home again");
      await switchTo(generator.dark, "dark");
      await switchTo(generator.light, "light");
      // Firefox writes one line of its own for a download aborted while the
      // worker sends its body, whatever the worker does (see the README's
      // static build): at most one per abort the worker counted, nothing else.
      const abortLines = errors.filter((e) => e === FIREFOX_ABORT_LINE).length;
      assert.deepEqual(errors.filter((e) => e !== FIREFOX_ABORT_LINE), []);
      assert.ok(abortLines <= stats.aborted, `${abortLines} abort lines, ${stats.aborted} aborts`);
      console.log(
        `# firefox ${name}: aborted ${stats.aborted - aborted} on leaving, in flight ${stats.inFlight} after ${Date.now() - left} ms; ` +
          `${abortLines} of Firefox's abort lines for ${stats.aborted} aborts`,
      );
    } finally {
      built.close();
    }
  });
}
