// The README's recipes for MkDocs (with mkdocs-material), Sphinx (with
// Furo), VitePress and Docusaurus, followed literally with the real
// generators: the copy command and the config lines are read out of the
// README, the site is built, served below a sub-path as a static host would,
// and read in Chromium as a visitor would. For each site:
// - every widget of a page at the top and of one in a subfolder runs to done,
//   the one in the subfolder with `urls="async-demo-api/…"`, which must reach
//   the widget's endpoints from there;
// - the site's own navigation (Material's instant navigation, VitePress's
//   and Docusaurus's routers; Sphinx loads pages whole) goes to the other
//   page and back, and a run cut short by it leaves no download in flight;
// - the site's light/dark switch turns the widgets with it, and back.
// MkDocs and Sphinx are then pre-rendered and read again; VitePress and
// Docusaurus, which hydrate, are left as they are by the pre-render command.
//
// `cargo xtask test` installs the generators into target/sites/ and names
// that folder in ASYNC_DEMO_SITES; run by hand, the tests use it if it is
// there and skip otherwise.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, mounted, runToEnd, serveFolder } from "./browser.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DIST = path.resolve(process.env.ASYNC_DEMO_DIST ?? path.join(ROOT, "dist"));
const SITES = process.env.ASYNC_DEMO_SITES ?? path.join(ROOT, "target/sites");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The README's recipe blocks: `<!-- recipe NAME: KEY -->` before a fenced block. */
function recipe(name, key) {
  const marker = `<!-- recipe ${name}: ${key} -->`;
  const at = README.indexOf(marker);
  assert.ok(at >= 0, `README.md has no ${marker}`);
  const block = /^```[\w-]*\n([\s\S]*?)^```$/m.exec(README.slice(at + marker.length));
  assert.ok(block, `README.md: no code block after ${marker}`);
  return block[1];
}

/**
 * Step one of a recipe: its `cp` command run as written, with `dist/` being
 * this repository's build and `your-site/` the site being made.
 */
function copyAsTheReadmeSays(name, site) {
  const words = recipe(name, "copy").trim().split(/\s+/);
  assert.deepEqual(words.slice(0, 2), ["cp", "-r"]);
  const to = words.at(-1);
  assert.ok(to.startsWith("your-site/"), to);
  const files = words.slice(2, -1).map((f) => {
    assert.ok(f.startsWith("dist/"), f);
    return path.join(DIST, f.slice("dist/".length));
  });
  const folder = path.join(site, to.slice("your-site/".length));
  fs.mkdirSync(folder, { recursive: true });
  execFileSync("cp", ["-r", ...files, folder]);
  return folder;
}

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** The two pages every site has, in Markdown (the HTML of the widgets is the same everywhere). */
const HOME_WIDGETS = '<async-demo lesson="sleep" delay-ms="300"></async-demo>';
const GUIDE_WIDGETS = [
  '<async-demo lesson="gather"></async-demo>',
  '<async-demo lesson="race" urls="async-demo-api/delay/200 async-demo-api/delay/900"></async-demo>',
  '<async-demo id="long" lesson="gather" urls="async-demo-api/delay/8000 async-demo-api/delay/8000"></async-demo>',
];

function markdownPages(folder, homeLink, guideLink) {
  write(path.join(folder, "index.md"), `# Home\n\nBefore the widget.\n\n${HOME_WIDGETS}\n\nAfter it. Next: [the guide](${guideLink}).\n`);
  write(
    path.join(folder, "guide/gather.md"),
    `# The guide\n\nBefore the widgets.\n\n${GUIDE_WIDGETS.join("\n\n")}\n\nAfter them. Back: [home](${homeLink}).\n`,
  );
}

const python = (program) => path.join(SITES, "py/bin", program);
const node = (program) => path.join(SITES, "node_modules/.bin", program);

/** Each generator: how its site is made and built, where its pages are, and its switches. */
const GENERATORS = {
  mkdocs: {
    title: "MkDocs with mkdocs-material",
    tool: python("mkdocs"),
    mount: "/docs/mk/",
    out: (site) => path.join(site, "site"),
    make(site, at) {
      copyAsTheReadmeSays("mkdocs", site);
      write(
        path.join(site, "mkdocs.yml"),
        // Material's instant navigation needs the address the site is served
        // at; no web font (this machine reaches no font host).
        `site_name: Someone's docs
site_url: ${at}
theme:
  name: material
  font: false
  features:
    - navigation.instant
  palette:
    - scheme: default
      toggle: { icon: material/brightness-7, name: Switch to dark mode }
    - scheme: slate
      toggle: { icon: material/brightness-4, name: Switch to light mode }
${recipe("mkdocs", "mkdocs.yml")}`,
      );
      markdownPages(path.join(site, "docs"), "../index.md", "guide/gather.md");
      execFileSync(this.tool, ["build", "--quiet"], { cwd: site, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, NO_MKDOCS_2_WARNING: "1" } });
    },
    spa: true,
    dark: "label[for=__palette_1]",
    light: "label[for=__palette_0]",
    prerender: "hydrates not",
  },
  sphinx: {
    title: "Sphinx with Furo",
    tool: python("sphinx-build"),
    mount: "/docs/sx/",
    out: (site) => path.join(site, "_build/html"),
    make(site) {
      copyAsTheReadmeSays("sphinx", site);
      write(path.join(site, "conf.py"), `project = "Someone's docs"\nhtml_theme = "furo"\n${recipe("sphinx", "conf.py")}`);
      const raw = (html) => `.. raw:: html\n\n   ${html}\n`;
      write(
        path.join(site, "index.rst"),
        `Home\n====\n\nBefore the widget.\n\n${raw(HOME_WIDGETS)}\nAfter it. Next: :doc:\`the guide <guide/gather>\`.\n\n.. toctree::\n\n   guide/gather\n`,
      );
      write(
        path.join(site, "guide/gather.rst"),
        `The guide\n=========\n\nBefore the widgets.\n\n${GUIDE_WIDGETS.map(raw).join("\n")}\nAfter them. Back: :doc:\`home <../index>\`.\n`,
      );
      execFileSync(this.tool, ["-q", "-b", "html", ".", "_build/html"], { cwd: site, stdio: ["ignore", "ignore", "pipe"] });
    },
    spa: false,
    // Furo's one button cycles through auto, dark and light.
    dark: ".theme-toggle-content .theme-toggle",
    light: ".theme-toggle-content .theme-toggle",
    prerender: "hydrates not",
  },
  vitepress: {
    title: "VitePress",
    tool: node("vitepress"),
    mount: "/docs/vp/",
    out: (site) => path.join(site, "docs/.vitepress/dist"),
    make(site) {
      copyAsTheReadmeSays("vitepress", site);
      const config = recipe("vitepress", "docs/.vitepress/config.mjs").replace("export default {", `export default {\n  title: "Someone's docs",`);
      write(path.join(site, "docs/.vitepress/config.mjs"), config);
      markdownPages(path.join(site, "docs"), "../", "./guide/gather");
      execFileSync(this.tool, ["build", "docs"], { cwd: site, stdio: ["ignore", "ignore", "pipe"] });
    },
    spa: true,
    dark: ".VPNavBarAppearance .VPSwitchAppearance",
    light: ".VPNavBarAppearance .VPSwitchAppearance",
    prerender: "VitePress",
  },
  docusaurus: {
    title: "Docusaurus",
    tool: node("docusaurus"),
    mount: "/docs/ds/",
    out: (site) => path.join(site, "build"),
    make(site) {
      copyAsTheReadmeSays("docusaurus", site);
      write(path.join(site, "package.json"), JSON.stringify({ name: "someones-docs", private: true }));
      write(
        path.join(site, "docusaurus.config.js"),
        `export default {
  title: "Someone's docs",
  url: "http://127.0.0.1",
  baseUrl: "/docs/ds/",
  onBrokenLinks: "throw",
  presets: [["classic", { docs: { routeBasePath: "/", sidebarPath: false }, blog: false }]],
${recipe("docusaurus", "docusaurus.config.js (scripts)")}};
`,
      );
      markdownPages(path.join(site, "docs"), "../index.md", "./guide/gather.md");
      execFileSync(this.tool, ["build"], { cwd: site, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, DOCUSAURUS_TELEMETRY_DISABLED: "1" } });
    },
    spa: true,
    dark: "button[aria-label*='dark and light mode']",
    light: "button[aria-label*='dark and light mode']",
    prerender: "Docusaurus",
  },
};

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
    if (!fs.existsSync(generator.tool)) {
      if (process.env.ASYNC_DEMO_SITES) assert.fail(`${generator.tool} is missing: ${process.env.ASYNC_DEMO_SITES}`);
      return t.skip(`${generator.tool} is not installed (cargo xtask test installs it into target/sites/)`);
    }
    const work = path.join(SITES, "work");
    fs.mkdirSync(work, { recursive: true });
    const site = fs.mkdtempSync(path.join(work, `${name}-`));
    try {
      // The server first: a site may need its own address to be built.
      const out = generator.out(site);
      const server = await serveFolder(out, generator.mount, { headers: { "cache-control": "no-cache" } });
      const at = `http://127.0.0.1:${server.address().port}${generator.mount}`;
      try {
        generator.make(site, at);
        await visit(name, generator, at, "as built");
        const pages = fs.readdirSync(out, { recursive: true }).filter((f) => f.endsWith(".html"));
        const before = Object.fromEntries(pages.map((f) => [f, fs.readFileSync(path.join(out, f), "utf8")]));
        const run = spawnSync("node", [path.join(DIST, "prerender.mjs"), out, "--base", generator.mount], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        if (generator.prerender === "hydrates not") {
          assert.match(run.stdout, /: 4 widgets in 2 pages pre-rendered/, run.stdout + run.stderr);
          await visit(name, generator, at, "pre-rendered");
        } else {
          // A site that hydrates is left byte for byte as it was, and told why.
          assert.match(run.stdout, /: 0 widgets in 0 pages pre-rendered/);
          assert.match(run.stderr, new RegExp(`${generator.prerender} hydrates this page and expects the markup it wrote`));
          for (const f of pages) assert.equal(fs.readFileSync(path.join(out, f), "utf8"), before[f], f);
        }
      } finally {
        server.close();
      }
    } finally {
      fs.rmSync(site, { recursive: true, force: true });
    }
  });
}

async function visit(name, generator, at, how) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  try {
    const page = await context.newPage();
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
