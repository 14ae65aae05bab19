#!/usr/bin/env node
// async-demo-csp: the Content-Security-Policy a built static site can be
// served with, widgets included, without 'unsafe-inline' for its scripts.
//
//   async-demo-csp <site folder> [--json]
//
// The widgets need nothing inline: their scripts, styles, wasm, Web Worker
// and Service Worker are files of the site's own origin, and compiling the
// wasm needs 'wasm-unsafe-eval'. What a docs generator writes into its pages
// is another matter: MkDocs Material, Furo, VitePress and Docusaurus each put
// a few inline <script>s in every page (the colour scheme read before the
// first paint, the site's configuration). A strict policy allows each of
// them by its hash, and a hash changes with the script's text, so the
// policy must be made again whenever the generator (or the site's config)
// changes: run this after every build, as the pre-render is.
//
// It reads every page below the folder with parse5 (the tree a browser
// builds, so a <script> in a comment or an attribute is not one) and prints
// the policy on stdout, one line, ready for a `Content-Security-Policy`
// header (or a <meta http-equiv> tag: the same policy except that a meta tag
// cannot carry frame-ancestors, which this one does not set). On stderr it
// says what it found and what no hash can allow:
// - inline scripts (any type a browser runs: classic, module, importmap,
//   speculationrules): each text's sha256 goes into script-src;
// - style attributes: style-src gets 'unsafe-inline' (a hash allows a style
//   attribute only beside 'unsafe-hashes', and any hash in style-src turns
//   'unsafe-inline' off, so then no <style> hashes either); otherwise each
//   <style> element's hash;
// - data: URLs in the site's HTML or CSS (icons drawn in CSS): img-src data:;
// - event-handler attributes (onclick="…") and javascript: URLs, which this
//   policy blocks: each is named, so that the author can move it to a file;
// - scripts and stylesheets of other origins (MkDocs Material's Google
//   font, unless `theme.font: false`), which it blocks too: each origin is
//   named; allowing it is the author's choice, not this command's.
//
// The command is part of the npm package (`npx async-demo-csp site/`); the
// README's "Strict CSP on a generated site" says where each generator's
// policy goes, and tests/e2e/generators.test.mjs serves each generator's
// site with what it prints.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { HTML_NS, Refusal, attr, bytes, elements, htmlParser, latin1, pagesBelow, readPage, readable } from "./prerender.mjs";

/** Script types a browser runs (an absent or empty type is JavaScript). */
const RUNS = /^(|text\/javascript|application\/javascript|text\/ecmascript|application\/ecmascript|module|importmap|speculationrules)$/i;
/** The policy every page of the widget needs, before the site's own hashes. */
export const BASE_POLICY = {
  "default-src": ["'self'"],
  "script-src": ["'self'", "'wasm-unsafe-eval'"],
  "style-src": ["'self'"],
};

const sha256 = (text) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
const textOf = (element) => (element.childNodes ?? []).map((n) => n.value ?? "").join("");

/** What the pages below `site` hold that a strict policy must know of. */
export async function inlineParts(site) {
  const parse5 = await htmlParser("async-demo-csp");
  const skipped = [];
  const pages = pagesBelow(site, site, skipped);
  const found = { pages: 0, scripts: new Map(), styles: new Map(), styleAttributes: 0, handlers: [], external: new Map(), dataUrls: false, skipped };
  const count = (map, hash, name) => {
    const at = map.get(hash) ?? { pages: new Set() };
    at.pages.add(name);
    map.set(hash, at);
  };
  for (const { real, name } of pages) {
    const { content } = readPage(real);
    const html = content.toString("utf8");
    found.pages += 1;
    const document = parse5.parse(html, { scriptingEnabled: true });
    for (const element of elements(document)) {
      if (element.namespaceURI === HTML_NS && element.tagName === "script" && attr(element, "src") === undefined) {
        if (RUNS.test((attr(element, "type") ?? "").trim())) count(found.scripts, sha256(textOf(element)), name);
      }
      if (element.tagName === "style") count(found.styles, sha256(textOf(element)), name);
      // A script or stylesheet of another origin: blocked by this policy.
      const from = element.tagName === "script" ? attr(element, "src") : element.tagName === "link" && /\bstylesheet\b/i.test(attr(element, "rel") ?? "") ? attr(element, "href") : undefined;
      if (from !== undefined && /^(https?:)?\/\//i.test(from.trim())) {
        const origin = new URL(from.trim(), "https://page.invalid/").origin;
        found.external.set(origin, [...(found.external.get(origin) ?? []), `${name}: <${element.tagName}>`]);
      }
      for (const { name: attribute, value } of element.attrs ?? []) {
        if (attribute === "style") found.styleAttributes += 1;
        else if (/^on/i.test(attribute) || /^\s*javascript:/i.test(value)) found.handlers.push(`${name}: <${element.tagName} ${attribute}="${value.slice(0, 40)}">`);
        if (/^\s*data:/i.test(value) && /^(src|srcset|href|poster)$/.test(attribute)) found.dataUrls = true;
      }
    }
    if (/url\(\s*["']?data:/i.test(html)) found.dataUrls = true;
  }
  // Icons drawn with data: URLs in the site's stylesheets (Material's, Furo's).
  const sheets = (dir) =>
    fs.readdirSync(bytes(dir), { withFileTypes: true, encoding: "buffer" }).flatMap((entry) => {
      const file = path.join(dir, latin1(entry.name));
      if (entry.isDirectory()) return sheets(file);
      return entry.isFile() && file.endsWith(".css") ? [file] : [];
    });
  for (const sheet of sheets(site)) {
    if (/url\(\s*["']?data:/i.test(fs.readFileSync(bytes(sheet), "latin1"))) found.dataUrls = true;
  }
  return found;
}

/** The policy for what `inlineParts` found, as one header value. */
export function policyFor(found) {
  const policy = structuredClone(BASE_POLICY);
  policy["script-src"].push(...[...found.scripts.keys()].sort());
  if (found.styleAttributes > 0) policy["style-src"].push("'unsafe-inline'");
  else policy["style-src"].push(...[...found.styles.keys()].sort());
  if (found.dataUrls) policy["img-src"] = ["'self'", "data:"];
  return Object.entries(policy)
    .map(([directive, sources]) => [directive, ...sources].join(" "))
    .join("; ");
}

function parse(args) {
  const usage = "usage: async-demo-csp <site folder> [--json]";
  let site = null;
  let json = false;
  for (const arg of args) {
    if (arg === "--json") json = true;
    else if (arg === "--help" || arg === "-h") throw new Refusal(usage, 0);
    else if (!site && !arg.startsWith("-")) site = arg;
    else throw new Refusal(`${usage}\n(not understood: ${arg})`, 2);
  }
  if (!site) throw new Refusal(usage, 2);
  if (!fs.existsSync(site) || !fs.statSync(site).isDirectory()) throw new Refusal(`${path.resolve(site)} is not a folder`, 2);
  return { site: latin1(fs.realpathSync.native(site, { encoding: "buffer" })), json };
}

// Run as a command (also through npm's bin link), not imported.
if (process.argv[1] && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href) {
  try {
    const { site, json } = parse(process.argv.slice(2));
    const found = await inlineParts(site);
    const policy = policyFor(found);
    if (json) {
      const scripts = Object.fromEntries([...found.scripts].map(([hash, { pages }]) => [hash, [...pages]]));
      console.log(JSON.stringify({ policy, pages: found.pages, scripts, styleAttributes: found.styleAttributes, handlers: found.handlers, external: Object.fromEntries(found.external), dataUrls: found.dataUrls }, null, 2));
    } else {
      console.log(policy);
    }
    const where = readable(site);
    console.error(
      `${where}: ${found.pages} page${found.pages === 1 ? "" : "s"}, ${found.scripts.size} distinct inline script${found.scripts.size === 1 ? "" : "s"} ` +
        "(their sha256 hashes are in script-src: make the policy again after every build)",
    );
    if (found.styleAttributes > 0) {
      console.error(`${found.styleAttributes} style attribute${found.styleAttributes === 1 ? "" : "s"}: style-src has 'unsafe-inline' (a hash would allow a style attribute only beside 'unsafe-hashes'; scripts stay strict)`);
    }
    if (found.dataUrls) console.error("data: URLs in pages or stylesheets (icons): img-src has data:");
    for (const skipped of found.skipped) console.error(`warning: ${skipped}`);
    for (const [origin, where] of found.external) {
      console.error(
        `blocked by this policy: ${where.length} script${where.length === 1 ? "" : "s"} or stylesheet${where.length === 1 ? "" : "s"} from ${origin} (first: ${where[0]}); ` +
          "turn it off in the generator (MkDocs Material's web font: theme.font: false) or add the origin to the policy yourself",
      );
    }
    for (const handler of found.handlers) {
      console.error(`blocked by this policy: ${handler}: an inline event handler or javascript: URL; move it into a script file`);
    }
  } catch (error) {
    console.error(error instanceof Refusal ? error.message : error);
    process.exit(error instanceof Refusal ? error.status : 1);
  }
}
