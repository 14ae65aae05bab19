// Driven by `cargo xtask dist`: writes each docs page's widgets into the page
// itself, as declarative shadow roots, so that a reader sees every widget
// whole (its text, code, Python twin and controls) before any wasm arrives.
// `async-demo.js` loads the wasm when a pre-rendered widget comes near the
// viewport or is touched, and Rust rebuilds the same DOM in place.
//
// How: dist/ is served under a sub-path, each docs page with widgets is opened
// in headless Chromium (launched as the end-to-end tests launch it), its
// widgets mount as usual, and each one's shadow DOM is serialised into a
// <template shadowrootmode="open"> right after its <async-demo …> tag (which
// gets a data-prerendered attribute). The
// browser's serialiser escapes text, so page and attribute text stays text.
// URLs of the local server become relative to the page, and the pages' preload
// links for the wasm go: a pre-rendered page no longer needs it at once.
//
// Usage: node xtask/prerender.mjs <dist folder>
import fs from "node:fs";
import path from "node:path";
import { launch, serveFolder } from "../tests/e2e/browser.mjs";

const dist = path.resolve(process.argv[2] ?? "dist");
const MOUNT = "/site/";
const TAG = "<async-demo";
// Before each pre-rendered widget: what a reader with JavaScript turned off
// (who sees the widget whole, but whose buttons do nothing) needs to know.
// A browser that runs scripts never shows a <noscript>.
const NOSCRIPT =
  '<noscript><span class="async-demo-noscript">The widget below runs Rust compiled to WebAssembly, ' +
  "which needs JavaScript: with JavaScript turned off, it can be read but not run.</span></noscript>\n";
const PRELOADS = [
  /<link rel="modulepreload" href="[^"]*pkg\/async_demo\.js">\n?/g,
  /<link rel="preload" href="[^"]*pkg\/async_demo_bg\.wasm"[^>]*>\n?/g,
];

const pages = fs
  .readdirSync(path.join(dist, "docs"), { recursive: true })
  .filter((name) => name.endsWith(".html"))
  .filter((name) => fs.readFileSync(path.join(dist, "docs", name), "utf8").includes(TAG));

const server = await serveFolder(dist, MOUNT);
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await launch();
let widgets = 0;
try {
  for (const name of pages) {
    const file = path.join(dist, "docs", name);
    const url = `${origin}${MOUNT}docs/${name.split(path.sep).join("/")}`;
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(url);
    // Every widget mounted: Rust built its section (the placeholder is gone).
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("async-demo")].every(
          (el) => el.shadowRoot?.querySelector(".demo") && !el.shadowRoot.querySelector(".placeholder"),
        ),
      null,
      { timeout: 30_000 },
    );
    const prefix = new URL(`${MOUNT}`, origin).href;
    const roots = await page.evaluate(() =>
      [...document.querySelectorAll("async-demo")].map((el) => {
        const root = el.shadowRoot;
        // What Rust set as properties becomes attributes, so that the HTML
        // shows the same values (and they are the fields' default values).
        for (const input of root.querySelectorAll("input")) {
          input.setAttribute("value", input.value);
          if (input.checked) input.setAttribute("checked", "");
        }
        for (const option of root.querySelectorAll("option")) option.toggleAttribute("selected", option.selected);
        // The lesson it was rendered for: async-demo.js carries nothing over
        // into another one.
        root.querySelector(".demo").setAttribute("data-prerendered", el.getAttribute("lesson"));
        return root.innerHTML;
      }),
    );
    await page.close();
    if (problems.length) throw new Error(`${name}: ${problems.join("; ")}`);
    // The server's absolute URLs, relative to the page's folder.
    const up = "../".repeat(name.split(path.sep).length);
    const relative = (html) => html.split(prefix).join(up);
    let html = fs.readFileSync(file, "utf8");
    let at = 0;
    let out = "";
    for (const root of roots) {
      const start = html.indexOf(TAG, at);
      const end = start < 0 ? -1 : html.indexOf(">", start);
      if (end < 0) throw new Error(`${name}: fewer <async-demo> tags in the file than widgets on the page`);
      // `data-prerendered` on the element too: the book's CSS reserves room
      // only for widgets that are not pre-rendered (and a lesson ignores
      // data- attributes).
      out += `${html.slice(at, start)}${NOSCRIPT}${html.slice(start, end)} data-prerendered><template shadowrootmode="open">${relative(root)}</template>`;
      at = end + 1;
    }
    if (html.indexOf(TAG, at) >= 0) throw new Error(`${name}: more <async-demo> tags in the file than widgets on the page`);
    html = out + html.slice(at);
    for (const preload of PRELOADS) html = html.replace(preload, "");
    fs.writeFileSync(file, html);
    widgets += roots.length;
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`    docs/: ${widgets} widgets in ${pages.length} pages pre-rendered (declarative shadow roots; the wasm loads when a widget is near)`);
