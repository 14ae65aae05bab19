#!/usr/bin/env node
// async-demo-prerender: writes the <async-demo> widgets of a built static
// site into its pages, so that a reader sees each widget whole (its text,
// code, Python twin and controls, styled) before any wasm arrives, and a page
// whose widget is below its first screen downloads about 16 KB of the widget
// instead of about 230 KB. `async-demo.js` loads the wasm when a pre-rendered
// widget comes near the viewport or is used, and Rust rebuilds the same DOM
// in place (see the README's "Pre-rendered widgets").
//
//   async-demo-prerender <site folder> [--only <folder inside it>] [--base <path>]
//
// --base: the path the site is published under, for a site whose pages
// name their files from the host's root with it (a project site at
// https://you.github.io/project/ with `/project/async-demo.js`): they are
// served under that path here too. The default is `/`.
//
// It serves the folder on 127.0.0.1, opens every page that has an
// <async-demo> tag in headless Chromium (playwright-core, and a Chromium or
// Chrome of the machine: $CHROMIUM, or the usual places), lets its widgets
// mount, and writes each one's shadow DOM into the page as a declarative
// shadow root, <template shadowrootmode="open">, right after its
// <async-demo …> tag (which gets a data-prerendered attribute). The browser's
// serialiser escapes every text, so page and attribute text stays text. URLs
// of the local server become relative to the page, the page's preloads of
// the wasm go (it is no longer needed at once), and a <noscript> note before
// each widget tells a reader with JavaScript off why it does not run. Pages
// pre-rendered before are pre-rendered again from scratch, so it can run
// after every build. `cargo xtask dist` runs it on the book in dist/docs.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";

// Before each pre-rendered widget: what a reader with JavaScript turned off
// (who sees the widget whole, but whose buttons do nothing) needs to know.
// A browser that runs scripts never shows a <noscript>. (A span: a widget is
// often inside a paragraph, as Markdown writes it.)
const NOSCRIPT =
  '<noscript><span class="async-demo-noscript">The widget below runs Rust compiled to WebAssembly, ' +
  "which needs JavaScript: with JavaScript turned off, it can be read but not run.</span></noscript>\n";
// What an earlier run wrote, taken out before this one.
const EARLIER = [
  [/<noscript><span class="async-demo-noscript">[^<]*<\/span><\/noscript>\n?/g, ""],
  [/ data-prerendered><template shadowrootmode="open">[\s\S]*?<\/template>/g, ">"],
];
// A page's preload of the wasm or its JS, written any way: it goes.
const LINK = /<link\b(?:[^>"']|"[^"]*"|'[^']*')*>[ \t]*(?:\r?\n)?/gi;
const PRELOAD = /\brel\s*=\s*["']?(?:module)?preload\b/i;
const OURS = /\bhref\s*=\s*["']?[^"'\s>]*pkg\/async_demo(?:_bg\.wasm|\.js)(?:[?#][^"'\s>]*)?(?=["'\s>/])/i;
const CHROMES = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];
/** Content types of a static site's files (the e2e tests' servers use it too). */
export const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".json": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
};

/** A one-line reason, and exit status 2 (bad use) or 1 (it failed). */
class Refusal extends Error {
  constructor(message, status = 1) {
    super(message);
    this.status = status;
  }
}

function parse(args) {
  const usage = "usage: async-demo-prerender <site folder> [--only <folder inside it>] [--base <path>]";
  let site = null;
  let only = null;
  let base = "/";
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--only" && i + 1 < args.length) only = args[++i];
    else if (args[i] === "--base" && i + 1 < args.length) base = args[++i];
    else if (args[i] === "--help" || args[i] === "-h") throw new Refusal(usage, 0);
    else if (!site && !args[i].startsWith("-")) site = args[i];
    else throw new Refusal(`${usage}\n(not understood: ${args[i]})`, 2);
  }
  if (!site) throw new Refusal(usage, 2);
  site = path.resolve(site);
  if (!fs.existsSync(site) || !fs.statSync(site).isDirectory()) throw new Refusal(`${site} is not a folder`, 2);
  const pagesDir = path.resolve(site, only ?? ".");
  if (pagesDir !== site && !pagesDir.startsWith(site + path.sep)) throw new Refusal(`--only ${only} is not inside ${site}`, 2);
  if (!fs.existsSync(pagesDir)) throw new Refusal(`--only ${only}: ${pagesDir} does not exist`, 2);
  if (!fs.statSync(pagesDir).isDirectory()) throw new Refusal(`--only ${only}: ${pagesDir} is not a folder`, 2);
  if (!/^\/([\w.~-]+\/)*$/.test(base.replace(/([^/])$/, "$1/"))) {
    throw new Refusal(`--base ${base}: a path from the host's root, as in /project/`, 2);
  }
  return { site, pagesDir, base: base.replace(/([^/])$/, "$1/") };
}

/** The site's files on 127.0.0.1, under `base` on a free port; a page in
 * `pages` (by file) is served from there instead. */
async function serve(site, base, pages) {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, "http://site.test");
    let file = null;
    try {
      if (url.pathname.startsWith(base)) file = path.join(site, decodeURIComponent(url.pathname.slice(base.length)));
    } catch {
      // A path that is not valid percent-encoding names no file.
    }
    if (file && file !== site && !file.startsWith(site + path.sep)) file = null;
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!file || !fs.existsSync(file)) {
      response.writeHead(404, { "content-type": "text/plain" });
      return response.end("Not found.");
    }
    response.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    if (pages.has(file)) return response.end(pages.get(file));
    fs.createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function chromium() {
  let playwright;
  try {
    playwright = await import("playwright-core");
  } catch {
    throw new Refusal("async-demo-prerender drives a headless Chromium through playwright-core: npm install playwright-core");
  }
  const candidates = [process.env.CHROMIUM, process.env.CHROME_PATH, ...CHROMES].filter(Boolean);
  const executablePath = candidates.find((file) => fs.existsSync(file));
  if (!executablePath) {
    throw new Refusal(
      `async-demo-prerender needs Chromium or Chrome, and found none (${CHROMES.join(", ")}): install one, or set CHROMIUM=/path/to/chrome`,
    );
  }
  return playwright.chromium.launch({
    executablePath,
    headless: true,
    // As root (a container, CI), Chromium runs only without its sandbox.
    args: [...(process.getuid?.() === 0 ? ["--no-sandbox"] : []), "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
}

/** Each widget's shadow DOM on `url`, once every widget has mounted. */
async function renderedWidgets(browser, url, name) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  // A widget is written as it stands before any run: `autorun` is taken off
  // the page's elements before the module sees them (the file keeps it).
  await page.addInitScript(() => {
    const still = (nodes) => {
      for (const node of nodes) {
        if (node.nodeType !== 1) continue;
        if (node.localName === "async-demo") node.removeAttribute("autorun");
        for (const el of node.querySelectorAll?.("async-demo[autorun]") ?? []) el.removeAttribute("autorun");
      }
    };
    new MutationObserver((records) => records.forEach((r) => still(r.addedNodes))).observe(document, {
      childList: true,
      subtree: true,
    });
  });
  try {
    await page.goto(url);
    await page.waitForFunction(() => customElements.get("async-demo"), null, { timeout: 10_000 }).catch(() => {
      throw new Refusal(
        `${name}: nothing defined <async-demo> within 10 s of the page's load: ` +
          "does the page load async-demo.js, from inside the site folder?",
      );
    });
    // Every widget mounted: Rust built its section (the placeholder is gone),
    // or said in its error line why it cannot (an unknown lesson).
    await page
      .waitForFunction(
        () =>
          [...document.querySelectorAll("async-demo")].every(
            (el) =>
              el.shadowRoot &&
              !el.shadowRoot.querySelector(".placeholder") &&
              el.shadowRoot.querySelector(".demo, [role=alert]"),
          ),
        null,
        { timeout: 30_000 },
      )
      .catch(() => {
        throw new Refusal(
          `${name}: its widgets did not appear within 30 s${problems.length ? ` (${problems.join("; ")})` : ""}`,
        );
      });
    const failed = await page.evaluate(() =>
      [...document.querySelectorAll("async-demo")].flatMap((el, i) => {
        const root = el.shadowRoot;
        const error = root.querySelector(".demo") ? root.querySelector(".demo > p.error[role=alert]") : root.querySelector("[role=alert]");
        const said = error?.textContent.trim();
        if (said) return [`widget ${i + 1} (lesson="${el.getAttribute("lesson")}"): ${said}`];
        const state = el.getAttribute("data-state");
        return state === "idle" ? [] : [`widget ${i + 1} (lesson="${el.getAttribute("lesson")}") is ${state}, not idle`];
      }),
    );
    if (failed.length) throw new Refusal(`${name}: ${failed.join("; ")}`);
    if (problems.length) throw new Refusal(`${name}: ${problems.join("; ")}`);
    return await page.evaluate(() =>
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
  } finally {
    await page.close();
  }
}

// Where the parser makes no elements of what looks like a tag, so that a tag
// there is not a widget: comments, the raw text of script, style, textarea,
// title, noscript (in a browser that runs scripts), iframe and the like, and
// template (whose content is not in the document either).
const NOT_ELEMENTS =
  /<!--[\s\S]*?(?:-->|$)|<(script|style|textarea|title|noscript|iframe|xmp|noembed|noframes|template)\b[\s\S]*?(?:<\/\1\s*>|$)/giy;
// A start tag <async-demo …>, its attribute values quoted or not (a quoted
// value may hold ">").
const START_TAG = /<async-demo(?=[\s/>])(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?|\s*\/(?!>))*\s*\/?>/iy;

/** The widgets' start tags in `html`, in document order: [start, end) of each. */
export function widgetTags(html) {
  const tags = [];
  for (let at = 0; at < html.length; ) {
    const next = html.indexOf("<", at);
    if (next < 0) break;
    NOT_ELEMENTS.lastIndex = next;
    const skipped = NOT_ELEMENTS.exec(html);
    if (skipped) {
      at = next + skipped[0].length;
      continue;
    }
    START_TAG.lastIndex = next;
    const tag = START_TAG.exec(html);
    if (tag) tags.push([next, next + tag[0].length]);
    at = next + 1;
  }
  return tags;
}

/** `html` with `roots` written after its <async-demo …> tags, in order. */
function withWidgets(html, roots, relative, name) {
  const tags = widgetTags(html);
  if (tags.length < roots.length) {
    throw new Refusal(`${name}: fewer <async-demo> tags in the file (${tags.length}) than widgets on the page (${roots.length}): does a script add some?`);
  }
  if (tags.length > roots.length) {
    throw new Refusal(`${name}: more <async-demo> tags in the file (${tags.length}) than widgets on the page (${roots.length})`);
  }
  let at = 0;
  let out = "";
  roots.forEach((root, i) => {
    const [start, end] = tags[i];
    // The tag's own ">" goes (and a "/" before it, where it is not the end
    // of an unquoted value): the attribute and the root follow.
    const close = /(^|[\s"'])\/>$/.test(html.slice(start, end)) ? end - 2 : end - 1;
    // `data-prerendered` on the element too: CSS can tell a pre-rendered
    // widget (already its own size) from one still waiting for the module.
    out += `${html.slice(at, start)}${NOSCRIPT}${html.slice(start, close).trimEnd()} data-prerendered><template shadowrootmode="open">${relative(root)}</template>`;
    at = end;
  });
  out += html.slice(at);
  return out.replace(LINK, (link) => (PRELOAD.test(link) && OURS.test(link) ? "" : link));
}

/** Why `html`'s module script would not be found under another path: a
 * relative `src` that climbs above the site's folder (it works only while
 * the site sits at the root of its host, where `..` stops). */
function climbs(html, name) {
  const warnings = [];
  const page = new URL(name.split(path.sep).map(encodeURIComponent).join("/"), "http://host/site/");
  for (const [tag] of html.matchAll(/<script\b(?:[^>"']|"[^"]*"|'[^']*')*>/gi)) {
    const src = /\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const value = src && (src[1] ?? src[2] ?? src[3]);
    if (!value || !/async-demo\.js(?:[?#].*)?$/.test(value) || /^([a-z][a-z0-9+.-]*:|\/)/i.test(value)) continue;
    if (!new URL(value, page).pathname.startsWith("/site/")) {
      warnings.push(`${name}: <script src="${value}"> climbs above the site folder, so the widgets work only while the site is at the root of its host`);
    }
  }
  return warnings;
}

export async function prerender(site, pagesDir = site, base = "/") {
  const names = fs
    .readdirSync(pagesDir, { recursive: true })
    .map((name) => path.relative(site, path.join(pagesDir, name)))
    .filter((name) => name.endsWith(".html"))
    .filter((name) => widgetTags(fs.readFileSync(path.join(site, name), "utf8")).length > 0)
    .sort();
  // Pages pre-rendered by an earlier run are read (and served) with their
  // plain tags; each file is written once its page is done.
  const plain = new Map(
    names.map((name) => {
      const file = path.join(site, name);
      const html = fs.readFileSync(file, "utf8");
      return [file, EARLIER.reduce((text, [pattern, by]) => text.replace(pattern, by), html)];
    }),
  );
  const server = await serve(site, base, plain);
  const origin = `http://127.0.0.1:${server.address().port}${base}`;
  let widgets = 0;
  let pages = 0;
  const failures = [];
  const warnings = [];
  let browser = null;
  try {
    browser = await chromium();
    // A page that cannot be pre-rendered is said and left as it was; the
    // others go on.
    for (const name of names) {
      const file = path.join(site, name);
      try {
        const url = origin + name.split(path.sep).map(encodeURIComponent).join("/");
        const roots = await renderedWidgets(browser, url, name);
        // The server's absolute URLs, relative to the page's folder.
        const up = "../".repeat(name.split(path.sep).length - 1) || "./";
        const relative = (html) => html.split(origin).join(up);
        fs.writeFileSync(file, withWidgets(plain.get(file), roots, relative, name));
        widgets += roots.length;
        pages += 1;
        warnings.push(...climbs(plain.get(file), name));
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        failures.push(error.message);
      }
    }
  } finally {
    await browser?.close();
    server.close();
  }
  return { widgets, pages, failures, warnings };
}

/** `folder` as the user would write it: relative if it is below the current one. */
function shown(folder) {
  const relative = path.relative(process.cwd(), folder);
  return relative === "" ? "." : relative.startsWith("..") || path.isAbsolute(relative) ? folder : relative;
}

// Run as a command (also through npm's bin link), not imported.
if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  try {
    const { site, pagesDir, base } = parse(process.argv.slice(2));
    const { widgets, pages, failures, warnings } = await prerender(site, pagesDir, base);
    console.log(
      `${shown(pagesDir)}: ${widgets} widget${widgets === 1 ? "" : "s"} in ${pages} page${pages === 1 ? "" : "s"} pre-rendered ` +
        "(declarative shadow roots; the wasm loads when a widget is near)",
    );
    for (const warning of warnings) console.error(`warning: ${warning}`);
    for (const failure of failures) console.error(`not pre-rendered: ${failure}`);
    if (failures.length) process.exitCode = 1;
  } catch (error) {
    console.error(error instanceof Refusal ? error.message : error);
    process.exit(error instanceof Refusal ? error.status : 1);
  }
}
