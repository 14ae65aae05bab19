// Shared set-up for the end-to-end tests: Debian's Chromium driven by
// playwright-core, against the dev server that `cargo xtask test` starts
// (ASYNC_DEMO_URL), or one started by hand (default http://127.0.0.1:8080).
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import zlib from "node:zlib";
import { chromium } from "playwright-core";
// One table of content types, shared with the pre-render command's server.
import { TYPES } from "../../www/prerender.mjs";

export const BASE = (process.env.ASYNC_DEMO_URL ?? "http://127.0.0.1:8080").replace(/\/$/, "");

const CHROMIUM_ARGS = [
  "--no-sandbox", // running as root in CI
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * A plain static file server (not the dev server) of `folder` under the path
 * `mount`, listening on a free port of 127.0.0.1. `pages` maps paths to HTML
 * it answers instead; `headers` go on every answer; `seen` hears each path;
 * the answer waits for the Promise `hold` returns for the path, if any;
 * `handle(request, response, url)` answers a request itself by returning true.
 * With `gzip`, files are sent gzip-compressed to browsers that accept it, as
 * static hosts do.
 */
export async function serveFolder(folder, mount, { pages = {}, headers = {}, seen = () => {}, hold = () => null, gzip = false, handle = () => false } = {}) {
  const root = path.resolve(folder);
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url, "http://static.test");
    seen(url.pathname);
    await hold(url.pathname);
    if (handle(request, response, url)) return;
    const page = pages[url.pathname];
    if (page) {
      response.writeHead(200, { ...headers, "content-type": TYPES[".html"] });
      return response.end(page);
    }
    let file = null;
    try {
      if (url.pathname.startsWith(mount)) file = path.join(root, decodeURIComponent(url.pathname.slice(mount.length)));
    } catch {
      // Not valid percent-encoding ("50%.png"): no such file.
    }
    if (file && !file.startsWith(root)) file = null;
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!file || !fs.existsSync(file)) {
      response.writeHead(404, { ...headers, "content-type": TYPES[".txt"] });
      return response.end("Not found.");
    }
    const type = TYPES[path.extname(file)] ?? "application/octet-stream";
    if (gzip && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "") && !/^image\/png|^font\//.test(type)) {
      response.writeHead(200, { ...headers, "content-type": type, "content-encoding": "gzip", vary: "accept-encoding" });
      return fs.createReadStream(file).pipe(zlib.createGzip({ level: 9 })).pipe(response);
    }
    response.writeHead(200, { ...headers, "content-type": type });
    fs.createReadStream(file).pipe(response);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** Waits until every widget of the page has mounted (its Run button is there). */
export async function mounted(page) {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("async-demo")].every((el) => el.shadowRoot?.querySelector("button.run, .error")),
  );
}

/** Clicks Run on `host` (the input lesson: then its own button) and waits for the run's end; returns the report. */
export async function runToEnd(page, host, timeout = 60_000) {
  await host.scrollIntoViewIfNeeded();
  await host.locator("button.run").click();
  if ((await host.getAttribute("lesson")) === "input") {
    await page.waitForTimeout(300);
    await host.locator("button.lesson-button").click();
  }
  await page.waitForFunction((el) => !["running", "idle"].includes(el.dataset.state), await host.elementHandle(), { timeout });
  return host.evaluate((el) => el.report());
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/** A new page that collects page errors and console errors. */
export async function openPage(browser, path = "/") {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.goto(BASE + path);
  await page.waitForFunction(() => customElements.get("async-demo") !== undefined);
  return { page, errors };
}

/**
 * A page of `html` served at `path` on the dev server's origin (by the test,
 * through request interception), with `www/` also reachable under
 * /site/assets/ as if a site had copied it there. `options` go to
 * `browser.newPage` (e.g. `{ deviceScaleFactor: 2 }`).
 */
export async function pageWith(browser, path, html, options = {}) {
  const page = await browser.newPage(options);
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  await page.route(`${BASE}${path}`, (route) => route.fulfill({ contentType: "text/html", body: html }));
  await page.route(`${BASE}/site/assets/**`, async (route) => {
    const url = new URL(route.request().url());
    try {
      const response = await route.fetch({ url: `${BASE}/${url.pathname.slice("/site/assets/".length)}${url.search}` });
      await route.fulfill({ response });
    } catch {
      // The page closed while this was in flight (its test is over), or the
      // fetch failed: the request fails as it would, and no rejection
      // outlives the test.
      await route.abort().catch(() => {});
    }
  });
  await page.goto(`${BASE}${path}`);
  await page.waitForFunction(() => customElements.get("async-demo") !== undefined);
  return { page, errors };
}

/** A browser with one page open on `path`: the usual start of a test file. */
export async function startPage(path = "/") {
  const browser = await launch();
  const { page, errors } = await openPage(browser, path);
  return { browser, page, errors };
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Runs axe-core on the page; its violations as { id, impact, nodes, help, where }. */
export async function axeViolations(page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.length,
      help: v.help,
      where: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}: ${n.failureSummary?.split("\n")[1] ?? ""}`),
    }));
  });
}

/** Clicks the Run button of the widget for `lesson` and waits until it is no longer running. */
export async function runByClick(page, lesson, { timeout = 60_000 } = {}) {
  const host = page.locator(`async-demo[lesson="${lesson}"]`).first();
  await host.scrollIntoViewIfNeeded();
  await host.locator("button.run").click();
  await page.waitForFunction(
    (el) => el.dataset.state !== "running" && el.dataset.state !== "idle",
    await host.elementHandle(),
    { timeout },
  );
  return host;
}

/** The widget's last report (the element's `report()`). */
export async function reportOf(host) {
  return host.evaluate((el) => el.report());
}

/** Server request counters. */
export async function stats() {
  const r = await fetch(`${BASE}/async-demo-api/stats`);
  return r.json();
}

/** The counters once nothing is in flight any more (or after 5 s). */
export async function statsWhenQuiet() {
  let now = await stats();
  for (let i = 0; i < 100 && now.inFlight > 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    now = await stats();
  }
  return now;
}
