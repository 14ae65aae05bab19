#!/usr/bin/env node
// async-demo-prerender: writes the <async-demo> widgets of a built static
// site into its pages, so that a reader sees each widget whole (its text,
// code, Python twin and controls, styled) before any wasm arrives, and a page
// whose widget is below its first screen downloads about 16 KB of the widget
// instead of about 230 KB. `async-demo.js` loads the wasm when a pre-rendered
// widget comes near the viewport or is used, and Rust adopts the markup as
// it stands (see the README's "Pre-rendered widgets").
//
//   async-demo-prerender <site folder> [--only <folder inside it>] [--base <path>] [--module <path>]
//
// --base: the path the site is published under, for a site whose pages
// name their files from the host's root with it (a project site at
// https://you.github.io/project/ with `/project/async-demo.js`). The default is `/`.
// --module: where `async-demo.js` is in the site (a path inside it, such as
// `assets/async-demo.js`), for pages that load it some other way than by a
// <script type="module" src="…async-demo.js"> of their own.
//
// No browser is involved. The widgets' markup comes from the same Rust that
// builds them in the page, compiled to wasm (the package's own pkg/) and run
// here by Node: `renderWidget`. The pages are read with parse5, which finds
// the elements a browser finds (a tag in a comment, a script, an attribute's
// text, a <template> or a <noscript> is no widget), with their places in the
// file. Each widget's markup goes in as a declarative shadow root,
// <template shadowrootmode="open">, right after its start tag (which gets a
// data-prerendered attribute), with a <noscript> note before the tag for a
// reader with JavaScript off; the page's preloads of the wasm and its JS go
// (it is no longer needed at once). Nothing else of a page changes: every
// other byte stays as it was, which the tool checks before it writes.
//
// A careful tool on someone else's files: it reads and writes only regular
// files inside the site's folder (a symbolic link that leaves it, or leads
// nowhere, is left alone and named), never opens a FIFO or a device, writes a
// page whole or not at all (a new file renamed over the old), goes on after a
// page it cannot do, names each one and why, and exits with 1 if there was
// any. Pages pre-rendered by an earlier run are pre-rendered again from
// their plain markup, so it can run after every build. `cargo xtask dist`
// runs it on the book in dist/docs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Before each pre-rendered widget: what a reader with JavaScript turned off
// (who sees the widget whole, but whose buttons do nothing) needs to know.
// A browser that runs scripts never shows a <noscript>. (A span: a widget is
// often inside a paragraph, as Markdown writes it.)
const NOSCRIPT_CLASS = "async-demo-noscript";
const NOSCRIPT =
  `<noscript><span class="${NOSCRIPT_CLASS}">The widget below runs Rust compiled to WebAssembly, ` +
  "which needs JavaScript: with JavaScript turned off, it can be read but not run.</span></noscript>\n";
const MARK = " data-prerendered";
/** The origin the pages are read under (no request goes there). */
const ORIGIN = "http://site.async-demo.invalid";
/** A page larger than this is named and left alone. */
const MAX_PAGE_BYTES = 64 * 1024 * 1024;
export const HTML_NS = "http://www.w3.org/1999/xhtml";

/** Content types of a static site's files (the e2e tests' servers use it). */
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
export class Refusal extends Error {
  constructor(message, status = 1) {
    super(message);
    this.status = status;
  }
}

function parse(args) {
  const usage = "usage: async-demo-prerender <site folder> [--only <folder inside it>] [--base <path>] [--module <path>]";
  let site = null;
  let only = null;
  let base = "/";
  let module = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--only" && i + 1 < args.length) only = args[++i];
    else if (args[i] === "--base" && i + 1 < args.length) base = args[++i];
    else if (args[i] === "--module" && i + 1 < args.length) module = args[++i];
    else if (args[i] === "--help" || args[i] === "-h") throw new Refusal(usage, 0);
    else if (!site && !args[i].startsWith("-")) site = args[i];
    else throw new Refusal(`${usage}\n(not understood: ${args[i]})`, 2);
  }
  if (!site) throw new Refusal(usage, 2);
  if (!fs.existsSync(site) || !fs.statSync(site).isDirectory()) throw new Refusal(`${path.resolve(site)} is not a folder`, 2);
  site = latin1(fs.realpathSync.native(site, { encoding: "buffer" }));
  const pagesDir = path.resolve(site, latin1(Buffer.from(only ?? ".", "utf8")));
  if (!inside(site, pagesDir)) throw new Refusal(`--only ${only} is not inside ${readable(site)}`, 2);
  if (!fs.existsSync(bytes(pagesDir))) throw new Refusal(`--only ${only}: ${readable(pagesDir)} does not exist`, 2);
  if (!fs.statSync(bytes(pagesDir)).isDirectory()) throw new Refusal(`--only ${only}: ${readable(pagesDir)} is not a folder`, 2);
  if (!inside(site, latin1(fs.realpathSync.native(bytes(pagesDir), { encoding: "buffer" })))) {
    throw new Refusal(`--only ${only} leads outside ${readable(site)}`, 2);
  }
  base = base.replace(/([^/])$/, "$1/");
  if (!/^\/([\w.~-]+\/)*$/.test(base)) throw new Refusal(`--base ${base}: a path from the host's root, as in /project/`, 2);
  if (module !== null) {
    const file = path.resolve(site, latin1(Buffer.from(module, "utf8")));
    if (!inside(site, file) || path.basename(file) !== "async-demo.js") {
      throw new Refusal(`--module ${module}: the path of async-demo.js inside the site, as in assets/async-demo.js`, 2);
    }
    if (!fs.existsSync(bytes(file))) throw new Refusal(`--module ${module}: ${readable(file)} does not exist`, 2);
    module = readable(path.relative(site, file)).split(path.sep).join("/");
  }
  return { site, pagesDir, base, module };
}

/** Whether `file` is `folder` or below it (both absolute, resolved). */
function inside(folder, file) {
  return file === folder || file.startsWith(folder + path.sep);
}

// File names are bytes: one that is not UTF-8 must still be opened by its
// own bytes. Inside, a path is a string of those bytes as Latin-1 (each
// byte one character, losslessly); `bytes()` turns it back for `fs`, and
// `readable()` shows it as UTF-8 (an invalid byte as U+FFFD).
export const bytes = (latin1) => Buffer.from(latin1, "latin1");
export const latin1 = (buffer) => buffer.toString("latin1");
export const readable = (latin1Path) => bytes(latin1Path).toString("utf8");

/**
 * The pages below `dir` to look at: regular `.html` files inside `site`
 * (both Latin-1 paths, resolved), found without following a symbolic link
 * out of it. What is left alone, and why, goes to `skipped`.
 */
export function pagesBelow(site, dir, skipped) {
  const found = new Map(); // real path → the name it was found under
  const nameOf = (file) => readable(path.relative(site, file));
  const realOf = (file) => latin1(fs.realpathSync.native(bytes(file), { encoding: "buffer" }));
  const visit = (folder) => {
    let entries;
    try {
      entries = fs.readdirSync(bytes(folder), { withFileTypes: true, encoding: "buffer" });
    } catch (error) {
      skipped.push(`${nameOf(folder) || "."}: cannot be read (${error.code ?? error.message}), left alone`);
      return;
    }
    for (const entry of entries) {
      const file = path.join(folder, latin1(entry.name));
      const isPage = /\.html?$/i.test(file);
      if (entry.isDirectory()) {
        visit(file);
      } else if (entry.isSymbolicLink()) {
        let real;
        let target;
        try {
          real = realOf(file);
          target = fs.statSync(bytes(real));
        } catch {
          if (isPage) skipped.push(`${nameOf(file)}: a symbolic link to nothing, left alone`);
          continue;
        }
        if (!inside(site, real)) {
          if (isPage || target.isDirectory()) {
            skipped.push(`${nameOf(file)}: a symbolic link out of the site (to ${readable(real)}), not followed`);
          }
          continue;
        }
        // A link inside the site: its target is a page of the site already,
        // read (and written) where it is, once.
        if (isPage && target.isFile() && !found.has(real)) found.set(real, nameOf(file));
      } else if (entry.isFile()) {
        if (isPage) found.set(realOf(file), nameOf(file));
      } else if (isPage) {
        skipped.push(`${nameOf(file)}: not a regular file (${kind(entry)}), left alone`);
      }
    }
  };
  visit(dir);
  return [...found].map(([real, name]) => ({ real, name })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

function kind(entry) {
  if (entry.isFIFO()) return "a FIFO";
  if (entry.isSocket()) return "a socket";
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return "a device";
  return "not a file";
}

/**
 * The bytes of regular file `real` (a Latin-1 path), opened so that nothing
 * can block or lead elsewhere: no following a link, no waiting on a FIFO
 * that took its place since it was listed.
 */
export function readPage(real) {
  const fd = fs.openSync(bytes(real), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Refusal("not a regular file any more");
    if (stat.size > MAX_PAGE_BYTES) {
      throw new Refusal(`${(stat.size / 1e6).toFixed(1)} MB, more than a page is (${MAX_PAGE_BYTES / 1024 / 1024} MiB at most)`);
    }
    return { content: fs.readFileSync(fd), mode: stat.mode };
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `content` to `real` (a Latin-1 path) whole or not at all: a new file, renamed over it. */
function writePage(real, content, mode) {
  const temp = path.join(path.dirname(real), `.${path.basename(real)}.async-demo-${process.pid}.tmp`);
  try {
    fs.writeFileSync(bytes(temp), content, { mode: mode & 0o7777, flag: "wx" });
    fs.renameSync(bytes(temp), bytes(real));
  } catch (error) {
    fs.rmSync(bytes(temp), { force: true });
    throw error;
  }
}

/** Every element of `node`'s tree, in tree order (not inside a template's content). */
export function* elements(node) {
  for (const child of node.childNodes ?? []) {
    if (child.tagName) {
      yield child;
      yield* elements(child);
    }
  }
}

export const attr = (element, name) => element.attrs.find((a) => a.name === name)?.value;

/** What one page holds that matters here, read with parse5. */
function read(parse5, html) {
  const document = parse5.parse(html, { sourceCodeLocationInfo: true, scriptingEnabled: true });
  const all = [...elements(document)].filter((e) => e.namespaceURI === HTML_NS && e.sourceCodeLocation);
  const widgets = all
    .filter((e) => e.tagName === "async-demo" && e.sourceCodeLocation.startTag)
    .sort((a, b) => a.sourceCodeLocation.startOffset - b.sourceCodeLocation.startOffset);
  return {
    widgets,
    base: all.find((e) => e.tagName === "base" && attr(e, "href") !== undefined),
    scripts: all.filter((e) => e.tagName === "script" && attr(e, "src") !== undefined),
    links: all.filter((e) => e.tagName === "link" && attr(e, "href") !== undefined),
    hydrates: hydratedBy(all),
  };
}

/**
 * The framework that hydrates the page, if any: it renders the page again in
 * the browser and expects to find the markup it wrote, so a declarative
 * shadow root inserted into it is taken apart (VitePress showed a widget and
 * the paragraph after it twice, and lost the next widget). Known by the
 * generator's <meta name="generator"> or its root element.
 */
function hydratedBy(all) {
  const generator = all.find((e) => e.tagName === "meta" && (attr(e, "name") ?? "").toLowerCase() === "generator");
  const named = /\b(VitePress|Docusaurus|Gatsby|Nuxt|Next\.js|VuePress|Astro)\b/i.exec(attr(generator ?? { attrs: [] }, "content") ?? "");
  if (named) return named[1];
  const roots = { __docusaurus: "Docusaurus", __next: "Next.js", __nuxt: "Nuxt", ___gatsby: "Gatsby" };
  const root = all.find((e) => Object.hasOwn(roots, attr(e, "id") ?? ""));
  return root ? roots[attr(root, "id")] : null;
}

/**
 * The markup an earlier run added, as edits that take it out: each
 * pre-rendered widget's <noscript> note before it, its ` data-prerendered`
 * and its declarative shadow root.
 */
function earlier(html, widgets) {
  const edits = [];
  for (const widget of widgets) {
    const template = widget.childNodes.find((c) => c.tagName === "template" && attr(c, "shadowrootmode") !== undefined);
    const mark = widget.sourceCodeLocation.startTag.attrs?.["data-prerendered"];
    if (!template || !mark) continue;
    edits.push({ at: template.sourceCodeLocation.startOffset, end: template.sourceCodeLocation.endOffset, text: "" });
    const space = html[mark.startOffset - 1] === " " ? 1 : 0;
    edits.push({ at: mark.startOffset - space, end: mark.endOffset, text: "" });
    const start = widget.sourceCodeLocation.startOffset;
    if (html.slice(0, start).endsWith(NOSCRIPT)) edits.push({ at: start - NOSCRIPT.length, end: start, text: "" });
  }
  return edits;
}

/** `html` with `edits` ({ at, end, text }: [at, end) becomes text) made. */
function apply(html, edits) {
  const sorted = [...edits].sort((a, b) => a.at - b.at || a.end - b.end);
  let out = "";
  let from = 0;
  for (const { at, end, text } of sorted) {
    if (at < from) throw new Error("overlapping edits: this is a bug");
    out += html.slice(from, at) + text;
    from = end;
  }
  return out + html.slice(from);
}

/** The page's URL under ORIGIN and `base`, and its document's base URL (a <base href> counts). */
function pageUrls(name, base, page) {
  const url = new URL(base + name.split(path.sep).map(encodeURIComponent).join("/"), ORIGIN).href;
  let documentUrl = url;
  const href = page.base && attr(page.base, "href");
  if (href) {
    try {
      documentUrl = new URL(href, url).href;
    } catch {
      // An unusable <base href> is ignored by browsers too.
    }
  }
  return { url, documentUrl };
}

/**
 * Where the page loads `async-demo.js` from, as a folder URL under ORIGIN,
 * checked against the site's files; or a Refusal that says what to do.
 */
function moduleBase(site, base, name, page, documentUrl, module) {
  if (module) return new URL(base + module.replace(/async-demo\.js$/, ""), ORIGIN).href;
  const srcs = page.scripts
    .filter((s) => (attr(s, "type") ?? "").trim().toLowerCase() === "module")
    .map((s) => attr(s, "src").trim())
    .filter((src) => /(^|\/)async-demo\.js([?#].*)?$/.test(src));
  if (srcs.length === 0) {
    throw new Refusal(
      `${name}: it has widgets but no <script type="module" src="…async-demo.js">: if it loads the widget another way, ` +
        "say where async-demo.js is with --module <path inside the site>",
    );
  }
  const script = new URL(srcs[0], documentUrl);
  const folder = new URL(".", script).href;
  const sitePrefix = new URL(base, ORIGIN).href;
  const wrongBase = () => {
    // A path from the host's root that is in the site under another prefix.
    const parts = script.pathname.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const rest = parts.slice(i).join("/");
      if (fs.existsSync(bytes(path.join(site, latin1(Buffer.from(decodeURIComponent(rest), "utf8")))))) {
        return `/${parts.slice(0, i).join("/")}/`;
      }
    }
    return null;
  };
  if (script.origin !== ORIGIN || !folder.startsWith(sitePrefix)) {
    const suggested = script.origin === ORIGIN ? wrongBase() : null;
    throw new Refusal(
      `${name}: it loads ${srcs[0]}, which is not in the site${base === "/" ? "" : ` served at ${base}`}` +
        (suggested ? `: the site is published under ${suggested}, so run with --base ${suggested}` : ""),
    );
  }
  const file = path.join(site, latin1(Buffer.from(decodeURIComponent(script.pathname.slice(new URL(base, ORIGIN).pathname.length)), "utf8")));
  if (!fs.existsSync(bytes(file))) {
    const suggested = wrongBase();
    throw new Refusal(
      `${name}: it loads ${srcs[0]}, and the site has no ${readable(path.relative(site, file))}` +
        (suggested ? `: the site is published under ${suggested}, so run with --base ${suggested}` : ""),
    );
  }
  return folder;
}

/** Why `html`'s module script would not be found under another path: a
 * relative `src` that climbs above the site's folder (it works only while
 * the site sits at the root of its host, where `..` stops). */
function climbs(page, name) {
  const at = new URL(name.split(path.sep).map(encodeURIComponent).join("/"), "http://host/site/");
  return page.scripts
    .map((s) => attr(s, "src").trim())
    .filter((src) => /async-demo\.js(?:[?#].*)?$/.test(src) && !/^([a-z][a-z0-9+.-]*:|\/)/i.test(src))
    .filter((src) => !new URL(src, at).pathname.startsWith("/site/"))
    .map((src) => `${name}: <script src="${src}"> climbs above the site folder, so the widgets work only while the site is at the root of its host`);
}

/** The edits that pre-render the widgets of plain `html`. */
function edits(render, html, page, urls, folder, name) {
  const out = [];
  const depth = name.split(path.sep).length - 1;
  const up = "../".repeat(depth) || "./";
  const sitePrefix = urls.sitePrefix;
  page.widgets.forEach((widget, i) => {
    const attributes = Object.fromEntries(widget.attrs.map((a) => [a.name, a.value]));
    let markup;
    try {
      // A site pre-rendered here is static: its async-demo-api/ is the widget's
      // Service Worker's, which the Python twins say in their first lines.
      markup = render(attributes, urls.documentUrl, folder, true);
    } catch (error) {
      const lesson = attributes.lesson === undefined ? "no lesson attribute" : `lesson="${attributes.lesson}"`;
      throw new Refusal(`${name}: widget ${i + 1} (${lesson}): ${error?.message ?? error}`);
    }
    // The site's URLs, relative to the page's folder.
    markup = markup.split(sitePrefix).join(up);
    const tag = widget.sourceCodeLocation.startTag;
    out.push({ at: tag.startOffset, end: tag.startOffset, text: NOSCRIPT });
    out.push({ at: tag.endOffset - 1, end: tag.endOffset - 1, text: MARK });
    out.push({ at: tag.endOffset, end: tag.endOffset, text: `<template shadowrootmode="open">${markup}</template>` });
  });
  // The page's preloads of the wasm and its JS: the wasm now comes when a
  // widget is near, not at once.
  const ours = new Set(
    ["pkg/async_demo_bg.wasm", "pkg/async_demo.js", "pkg-sandbox/async_demo_bg.wasm", "pkg-sandbox/async_demo.js"].map((f) => new URL(f, folder).href),
  );
  for (const link of page.links) {
    const rel = (attr(link, "rel") ?? "").toLowerCase().split(/\s+/);
    let href;
    try {
      href = new URL(attr(link, "href").trim(), urls.documentUrl);
    } catch {
      continue;
    }
    href.hash = "";
    href.search = "";
    if ((rel.includes("preload") || rel.includes("modulepreload")) && ours.has(href.href)) {
      out.push({ at: link.sourceCodeLocation.startOffset, end: link.sourceCodeLocation.endOffset, text: "" });
    }
  }
  return out;
}

/** Whether `edited` is `plain` with `changes` made and nothing else: each
 * one undone in the output's coordinates gives `plain` back. */
function onlyOurs(plain, edited, changes) {
  let shift = 0;
  const undo = [];
  for (const { at, end, text } of [...changes].sort((a, b) => a.at - b.at || a.end - b.end)) {
    undo.push({ at: at + shift, end: at + shift + text.length, text: plain.slice(at, end) });
    shift += text.length - (end - at);
  }
  return apply(edited, undo) === plain;
}

/** The wasm's `renderWidget`, from the package's own pkg-sandbox/ (the
 * build with the sandbox, which renders every lesson's widget; no document
 * needed). */
async function renderer() {
  const glue = new URL("./pkg-sandbox/async_demo.js", import.meta.url);
  const wasm = new URL("./pkg-sandbox/async_demo_bg.wasm", import.meta.url);
  if (!fs.existsSync(fileURLToPath(glue)) || !fs.existsSync(fileURLToPath(wasm))) {
    throw new Refusal(`async-demo-prerender needs the widget's pkg-sandbox/ beside it (${fileURLToPath(new URL("./pkg-sandbox/", import.meta.url))})`);
  }
  const module = await import(glue.href);
  module.initSync({ module: fs.readFileSync(wasm) });
  return module.renderWidget;
}

export async function htmlParser(tool = "async-demo-prerender") {
  try {
    return await import("parse5");
  } catch {
    throw new Refusal(`${tool} reads pages with parse5: npm install parse5`);
  }
}

export async function prerender(site, pagesDir = site, base = "/", module = null) {
  const parse5 = await htmlParser();
  const render = await renderer();
  const skipped = [];
  const pages = pagesBelow(site, pagesDir, skipped);
  const sitePrefix = new URL(base, ORIGIN).href;
  let widgets = 0;
  let done = 0;
  const failures = [];
  const warnings = [...skipped];
  for (const { real, name } of pages) {
    try {
      const { content, mode } = readPage(real);
      // No widget tag anywhere in the bytes: nothing to parse.
      if (!/async-demo/i.test(latin1(content))) continue;
      let html;
      try {
        html = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(content);
      } catch {
        throw new Refusal(`${name}: not UTF-8, left as it was`);
      }
      let page = read(parse5, html);
      if (page.widgets.length === 0) continue;
      // What an earlier run wrote goes first: the page as its author wrote it.
      const plain = apply(html, earlier(html, page.widgets));
      if (plain !== html) page = read(parse5, plain);
      if (page.hydrates) {
        // Left as its author wrote it (an earlier run's markup taken out):
        // its widgets mount in the browser as on any page.
        if (plain !== html) writePage(real, Buffer.from(plain, "utf8"), mode);
        warnings.push(
          `${name}: ${page.hydrates} hydrates this page and expects the markup it wrote, so its widgets are left to mount in the browser (not pre-rendered)`,
        );
        continue;
      }
      const { url, documentUrl } = pageUrls(name, base, page);
      const folder = moduleBase(site, base, name, page, documentUrl, module);
      const changes = edits(render, plain, page, { url, documentUrl, sitePrefix }, folder, name);
      const output = apply(plain, changes);
      if (!onlyOurs(plain, output, changes)) throw new Error(`${name}: an edit reached outside the widgets' markup: this is a bug`);
      if (output !== html) writePage(real, Buffer.from(output, "utf8"), mode);
      widgets += page.widgets.length;
      done += 1;
      warnings.push(...climbs(page, name));
    } catch (error) {
      failures.push(error instanceof Refusal ? error.message : `${name}: ${error?.message ?? error}`);
    }
  }
  return { widgets, pages: done, failures, warnings };
}

/** `folder` as the user would write it: relative if it is below the current one. */
function shown(folder) {
  const relative = path.relative(process.cwd(), folder);
  return relative === "" ? "." : relative.startsWith("..") || path.isAbsolute(relative) ? folder : relative;
}

// Run as a command (also through npm's bin link), not imported.
if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  try {
    const { site, pagesDir, base, module } = parse(process.argv.slice(2));
    const { widgets, pages, failures, warnings } = await prerender(site, pagesDir, base, module);
    console.log(
      `${shown(readable(pagesDir))}: ${widgets} widget${widgets === 1 ? "" : "s"} in ${pages} page${pages === 1 ? "" : "s"} pre-rendered ` +
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
