// The README's recipes for the docs generators, as the generator tests
// follow them (tests/e2e/generators.test.mjs in Chromium,
// tests/firefox/generators.test.mjs in Firefox): the copy command and the
// config lines are read out of the README, and a real site is built with the
// real generator (installed by `cargo xtask test` into target/sites/).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serveFolder } from "./browser.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = path.resolve(process.env.ASYNC_DEMO_DIST ?? path.join(ROOT, "dist"));
export const SITES = process.env.ASYNC_DEMO_SITES ?? path.join(ROOT, "target/sites");
const README = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");

/** The README's recipe blocks: `<!-- recipe NAME: KEY -->` before a fenced block. */
export function recipe(name, key) {
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
export const GENERATORS = {
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

/**
 * `generator`'s site built in a fresh folder and served below its mount, as
 * a static host would, with `headers` (an object the caller may change
 * between requests). Null if the generator is not installed and the test
 * was run by hand (`skip` says why); a missing generator fails under
 * `cargo xtask test`, which names the folder in ASYNC_DEMO_SITES.
 */
export async function builtSite(name, headers = {}) {
  const generator = GENERATORS[name];
  if (!fs.existsSync(generator.tool)) {
    if (process.env.ASYNC_DEMO_SITES) assert.fail(`${generator.tool} is missing: ${process.env.ASYNC_DEMO_SITES}`);
    return { skip: `${generator.tool} is not installed (cargo xtask test installs it into target/sites/)` };
  }
  assert.ok(fs.existsSync(path.join(DIST, "async-demo.js")), `${DIST} holds no static build: run cargo xtask dist first`);
  const work = path.join(SITES, "work");
  fs.mkdirSync(work, { recursive: true });
  const site = fs.mkdtempSync(path.join(work, `${name}-`));
  const out = generator.out(site);
  // The server first: a site may need its own address to be built.
  const server = await serveFolder(out, generator.mount, { headers });
  const at = `http://127.0.0.1:${server.address().port}${generator.mount}`;
  const close = () => {
    server.close();
    fs.rmSync(site, { recursive: true, force: true });
  };
  try {
    generator.make(site, at);
  } catch (error) {
    close();
    throw error;
  }
  return { generator, site, out, at, close };
}
