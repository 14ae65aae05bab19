// The README's recipes for MkDocs (with mkdocs-material), Sphinx (with
// Furo), VitePress and Docusaurus, followed literally with the real
// generators (tests/e2e/sites.mjs builds each site from the README's own
// lines), served below a sub-path as a static host would, and read in
// Chromium as a visitor would. For each site:
// - every widget of a page at the top and of one in a subfolder runs to done,
//   the one in the subfolder with `urls="async-demo-api/…"`, which must reach
//   the widget's endpoints from there;
// - the site's own navigation (Material's instant navigation, VitePress's
//   and Docusaurus's routers; Sphinx loads pages whole) goes to the other
//   page and back, and a run cut short by it leaves no download in flight;
// - the site's light/dark switch turns the widgets with it, and back.
// MkDocs and Sphinx are then pre-rendered; VitePress and Docusaurus, which
// hydrate, are left as they are by the pre-render command. Then the same
// visit again, with the site served under the strict policy that
// `async-demo-csp` prints for it: not one violation.
// tests/firefox/generators.test.mjs does the same in Firefox for MkDocs and
// VitePress.
//
// `cargo xtask test` installs the generators into target/sites/ and names
// that folder in ASYNC_DEMO_SITES; run by hand, the tests use it if it is
// there and skip otherwise.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { launch, mounted, runToEnd } from "./browser.mjs";
import { DIST, GENERATORS, builtSite } from "./sites.mjs";

let browser;
before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "async-demo.js")), `${DIST} holds no static build: run cargo xtask dist first`);
  browser = await launch();
});
after(() => browser?.close());

/** The worker's counters, read from the page (through the worker, as a lesson's fetch is). */
function swStats(page, mount) {
  return page.evaluate((url) => fetch(url, { cache: "no-store" }).then((r) => r.json()), `${mount}async-demo-api/stats`);
}

/** Clicks `selector` until every widget's scheme is `scheme` (a switch may cycle through "auto" first). */
async function switchTo(page, selector, scheme) {
  for (let i = 0; i < 3; i++) {
    await page.locator(selector).first().click();
    const turned = await page
      .waitForFunction(
        (s) => [...document.querySelectorAll("async-demo")].every((el) => el.dataset.scheme === s),
        scheme,
        { timeout: 3_000 },
      )
      .then(() => true, () => false);
    if (turned) return;
  }
  const schemes = await page.evaluate(() => [...document.querySelectorAll("async-demo")].map((el) => el.dataset.scheme));
  assert.fail(`after clicking ${selector} three times the widgets' schemes are ${JSON.stringify(schemes)}, not ${scheme}`);
}

/** Follows the link whose text is `text` in the page's content, as a reader clicks it. */
async function follow(page, text) {
  await page.getByRole("link", { name: text, exact: true }).first().click();
}

for (const [name, generator] of Object.entries(GENERATORS)) {
  test(`the README's recipe for ${generator.title}: widgets run, navigation cuts runs short cleanly, the theme switch turns them`, async (t) => {
    const headers = { "cache-control": "no-cache" };
    const built = await builtSite(name, headers);
    if (built.skip) return t.skip(built.skip);
    const { out, at } = built;
    try {
      await visit(name, generator, at, "as built");
      const pages = fs.readdirSync(out, { recursive: true }).filter((f) => f.endsWith(".html"));
      const before = Object.fromEntries(pages.map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")]));
      const run = spawnSync("node", [path.join(DIST, "prerender.mjs"), out, "--base", generator.mount], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      if (generator.prerender === "hydrates not") {
        assert.match(run.stdout, /: 4 widgets in 2 pages pre-rendered/, run.stdout + run.stderr);
      } else {
        // A site that hydrates is left byte for byte as it was, and told why.
        assert.match(run.stdout, /: 0 widgets in 0 pages pre-rendered/);
        assert.match(run.stderr, new RegExp(`${generator.prerender} hydrates this page and expects the markup it wrote`));
        for (const f of pages) assert.equal(fs.readFileSync(path.join(out, f), "utf8"), before[f], f);
      }
      // Then the site served with the strict policy async-demo-csp makes for
      // it, as the README says (the hashes of the generator's own inline
      // scripts, nothing else inline): not one violation in the whole visit,
      // the generator's navigation and theme switch included.
      const csp = spawnSync("node", [path.join(DIST, "csp.mjs"), out], { encoding: "utf8" });
      assert.equal(csp.status, 0, csp.stderr);
      const policy = csp.stdout.trim();
      assert.match(policy, /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'( 'sha256-[\w+/=]+')+; style-src 'self'/, policy);
      assert.doesNotMatch(policy, /script-src[^;]*'unsafe-inline'/);
      headers["content-security-policy"] = policy;
      console.log(`# ${name}: ${csp.stderr.trim().split("\n").join(" / ")}`);
      await visit(name, generator, at, generator.prerender === "hydrates not" ? "pre-rendered, strict CSP" : "strict CSP");
    } finally {
      built.close();
    }
  });
}

async function visit(name, generator, at, how) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  try {
    const page = await context.newPage();
    await page.addInitScript(() =>
      document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`), true),
    );
    page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && !m.location().url.endsWith("/favicon.ico")) errors.push(`console: ${m.text()} (${m.location().url})`);
    });
    page.on("console", (m) => {
      if (m.type() === "warning" && /pre-rendered/.test(m.text())) errors.push(`warning: ${m.text()}`);
    });
    page.on("response", (r) => {
      if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
    });
    // The home page, loaded whole: its widget runs to done through the worker.
    await page.goto(at);
    await mounted(page);
    const home = page.locator('async-demo[lesson="sleep"]');
    assert.equal(await home.locator("li.api-note").count(), 0, `${name} ${how}: the worker serves the home page`);
    assert.equal(await runToEnd(page, home).then(() => home.getAttribute("data-state")), "done", `${name} ${how}: home`);

    // The site's own navigation to the guide (no reload where the site has a router).
    await page.evaluate(() => (window.__stayed = true));
    await follow(page, "the guide");
    await page.waitForURL((url) => url.href.startsWith(`${at}guide/gather`));
    await page.waitForFunction(() => document.querySelectorAll("async-demo").length === 3);
    await mounted(page);
    assert.equal(await page.evaluate(() => window.__stayed === true), generator.spa, `${name} ${how}: in-site navigation`);
    // A pre-rendered page swapped in by the site's navigation brings each
    // widget's shadow root as a plain <template shadowrootmode>, which
    // async-demo.js attaches (and the wasm then adopts, or warns).
    assert.equal(await page.evaluate(() => document.querySelectorAll("async-demo > template").length), 0, `${name} ${how}: a template left unattached`);
    for (const lesson of ["gather", "race"]) {
      const host = page.locator(`async-demo[lesson="${lesson}"]:not(#long)`);
      const report = await runToEnd(page, host);
      assert.equal(await host.getAttribute("data-state"), "done", `${name} ${how} ${lesson}: ${JSON.stringify(report)}`);
      const states = report.runs.flatMap((r) => r.tasks.map((t) => t.state));
      assert.ok(!states.includes("error"), `${name} ${how} ${lesson}: ${states}`);
      // The race's urls, written async-demo-api/…, reached the widget's
      // endpoints from the subfolder: the 200 ms one won.
      if (lesson === "race") assert.deepEqual(states, ["done", "cancelled"], `${name} ${how}`);
      console.log(`# ${name} ${how} ${lesson}: ${report.runs.map((r) => `${r.name} ${Math.round(r.totalMs)} ms`).join(", ")}`);
    }

    // A run cut short by navigation: its 8 s download is aborted, not left
    // running in the worker (bounded well below the 8 s it would take).
    const long = page.locator("async-demo#long");
    await long.scrollIntoViewIfNeeded();
    await long.locator("button.run").click();
    await page.waitForFunction(() => document.querySelector("async-demo#long").dataset.state === "running");
    let stats = await swStats(page, generator.mount);
    for (let i = 0; i < 40 && stats.inFlight === 0; i++) {
      await page.waitForTimeout(50);
      stats = await swStats(page, generator.mount);
    }
    assert.ok(stats.inFlight >= 1, `${name} ${how}: the long run's download is in flight: ${JSON.stringify(stats)}`);
    const aborted = stats.aborted;
    const left = Date.now();
    await follow(page, "home");
    await page.waitForURL((url) => url.href === at || url.href === `${at}index.html`);
    await page.waitForFunction(() => document.querySelector('async-demo[lesson="sleep"]') && !document.querySelector("async-demo#long"));
    await mounted(page);
    stats = await swStats(page, generator.mount);
    while (stats.inFlight > 0 && Date.now() - left < 4_000) {
      await page.waitForTimeout(100);
      stats = await swStats(page, generator.mount);
    }
    assert.equal(stats.inFlight, 0, `${name} ${how}: downloads in flight ${Date.now() - left} ms after leaving: ${JSON.stringify(stats)}`);
    assert.ok(stats.aborted > aborted, `${name} ${how}: the cut run's download was aborted: ${JSON.stringify(stats)}`);
    assert.equal(await page.evaluate(() => window.__stayed === true), generator.spa, `${name} ${how}: back by in-site navigation`);

    // Back home, its widget runs again; the theme switch turns it dark and back.
    const again = page.locator('async-demo[lesson="sleep"]');
    await runToEnd(page, again);
    assert.equal(await again.getAttribute("data-state"), "done", `${name} ${how}: home again`);
    await switchTo(page, generator.dark, "dark");
    await switchTo(page, generator.light, "light");
    assert.deepEqual(errors, [], `${name} ${how}`);

    // A URL written relative to the page the old way, api/…, is the site's
    // 404 in the guide's folder; the task's sentence says where the
    // widget's endpoints are.
    if (how !== "as built") return;
    await follow(page, "the guide");
    await page.waitForURL((url) => url.href.startsWith(`${at}guide/gather`));
    await mounted(page);
    const race = page.locator('async-demo[lesson="race"]');
    await race.evaluate((el) => el.setAttribute("urls", "api/delay/300"));
    const report = await runToEnd(page, race);
    const [task] = report.runs[0].tasks;
    assert.equal(task.state, "error", JSON.stringify(task));
    assert.match(task.error, new RegExp(`^${at}guide/(gather/)?api/delay/300 answered HTTP 404 Not Found: the download failed\\. `));
    assert.ok(
      task.error.endsWith(
        `This widget's own endpoints are at ${at}async-demo-api/: written as async-demo-api/… (with nothing before it), a URL in urls resolves there from any page.`,
      ),
      task.error,
    );
    console.log(`# ${name}: ${task.error}`);
  } finally {
    await context.close();
  }
}
