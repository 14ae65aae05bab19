// Driven by `cargo xtask bench`: measures the bench page, cold page loads and
// Lighthouse audits in headless Chromium, and prints the figures as JSON on
// its last line. For the pages, Chromium is launched exactly as the end-to-end
// tests launch it; Lighthouse launches its own (chrome-launcher, same binary).
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { launch, serveFolder } from "../tests/e2e/browser.mjs";
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const base = process.argv[2];
// The static build (cargo xtask dist), whose book has its widgets pre-rendered.
const dist = path.resolve(process.argv[3] ?? "dist");
const served = [];
// Compressed, as static hosts serve.
const staticServer = await serveFolder(dist, "/site/", { seen: (p) => served.push(p), gzip: true });
const staticBase = `http://127.0.0.1:${staticServer.address().port}/site`;
const gzipLength = (bytes) => zlib.gzipSync(bytes, { level: 9 }).length;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const figures = {};

// One widget's docs chapter (its first widget is the `lazy` lesson).
const DOCS = "/docs/what-drives-a-future.html";

const browser = await launch();
try {
  // Scale first, in a page of its own, so that the wasm memory it grows is
  // this run's alone.
  {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${base}/bench/`);
    await page.waitForFunction(() => typeof window.runScale === "function");
    Object.assign(figures, await page.evaluate(() => window.runScale(100000)));
    await page.close();
  }
  // The same start without the widget: `many`'s 100,000 timers built and
  // polled once, untraced and traced, each first in a fresh page (cold, as a
  // reader's run meets it; memory grown per future) then warm (median of 5).
  for (const traced of [false, true]) {
    const page = await browser.newPage();
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${base}/bench/`);
    await page.waitForFunction(() => typeof window.runStart === "function");
    const start = await page.evaluate((traced) => window.runStart(100000, traced), traced);
    const kind = traced ? "traced" : "untraced";
    figures[`start_ms_100k_${kind}_cold`] = start.cold_ms;
    figures[`start_ms_100k_${kind}_warm`] = start.warm_ms;
    figures[`bytes_per_${kind}_future_no_widget`] = start.bytes_per_future;
    await page.close();
  }
  {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
    await page.goto(`${base}/bench/`);
    await page.waitForFunction(() => typeof window.runBench === "function");
    Object.assign(figures, await page.evaluate(() => window.runBench()));
    await page.close();
  }
  // Cold loads: a new context each time has an empty HTTP cache.
  const firstWidget = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    // Watched from inside the page, from before its first script, frame by
    // frame: the time of the first frame that has the Run button.
    await page.addInitScript(() => {
      window.__firstWidget = new Promise((resolve) => {
        const run = () => document.querySelector("async-demo")?.shadowRoot?.querySelector("button.run");
        const look = (t) => (run() ? resolve(t) : requestAnimationFrame(look));
        requestAnimationFrame(look);
      });
    });
    await page.goto(`${base}${DOCS}`, { waitUntil: "commit" });
    firstWidget.push(
      await page.evaluate(async () => {
        const late = new Promise((_, reject) => setTimeout(() => reject(new Error("no Run button within 30 s")), 30_000));
        const shown = await Promise.race([window.__firstWidget, late]);
        const script = performance.getEntriesByType("resource").find((e) => e.name.endsWith("/async-demo.js"));
        return shown - script.startTime;
      }),
    );
    await context.close();
  }
  figures.time_to_first_widget_ms = median(firstWidget);
  figures.time_to_first_widget_runs_ms = firstWidget;

  // The same chapter from dist/, pre-rendered: what the page fetches of the
  // widget's files while the reader is on its first screen (loaded, then one
  // second idle), the widget being further down; and the bytes the widget's
  // markup adds to the HTML.
  {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const from = served.length;
    await page.goto(`${staticBase}${DOCS}`, { waitUntil: "load" });
    await page.waitForFunction(() => document.querySelector("async-demo")?.shadowRoot?.querySelector("button.run"));
    await page.waitForTimeout(1000);
    const below = await page.evaluate(() => document.querySelector("async-demo").getBoundingClientRect().top - innerHeight);
    const ours = ["/site/async-demo.js", "/site/async-demo.css", "/site/worker.js", "/site/sw.js"];
    const fetched = [...new Set(served.slice(from))].filter((p) => ours.includes(p) || p.startsWith("/site/pkg/"));
    await context.close();
    const html = fs.readFileSync(path.join(dist, DOCS), "utf8");
    const bare = html
      .replace(/<template shadowrootmode="open">[\s\S]*?<\/template>/g, "")
      .replace(/<noscript><span class="async-demo-noscript">[\s\S]*?<\/noscript>\n?/g, "");
    const markup = gzipLength(html) - gzipLength(bare);
    const files = fetched.map((p) => [p.slice("/site/".length), gzipLength(fs.readFileSync(path.join(dist, p.slice("/site/".length))))]);
    figures.prerendered = { chapter: DOCS, widget_below_fold_px: below, markup_gzip_bytes: markup, files };
    figures.page_gzip_bytes = markup + files.reduce((sum, [, n]) => sum + n, 0);
  }
} finally {
  await browser.close();
}

// Lighthouse, default (mobile, simulated throttling) settings; the median of
// three runs per page.
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
});
try {
  for (const [name, url] of [["playground", `${base}/`], ["docs", `${base}${DOCS}`], ["docs_static", `${staticBase}${DOCS}`]]) {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const result = await lighthouse(url, {
        port: chrome.port,
        onlyCategories: ["performance"],
        logLevel: "error",
        output: "json",
      });
      const lhr = result.lhr;
      if (lhr.runtimeError) throw new Error(`lighthouse ${url}: ${lhr.runtimeError.message}`);
      runs.push({
        performance: lhr.categories.performance.score,
        cls: lhr.audits["cumulative-layout-shift"].numericValue,
        fcp: lhr.audits["first-contentful-paint"].numericValue,
        tti: lhr.audits["interactive"].numericValue,
        bytes: lhr.audits["total-byte-weight"].numericValue,
      });
    }
    const mid = runs.sort((a, b) => a.performance - b.performance)[1];
    figures[`lighthouse_performance_${name}`] = mid.performance;
    figures[`layout_shift_${name}`] = mid.cls;
    figures[`first_contentful_paint_ms_${name}`] = mid.fcp;
    figures[`time_to_interactive_ms_${name}`] = mid.tti;
    figures[`transfer_bytes_${name}`] = mid.bytes;
  }
  // Every chapter of the book, served by the dev server and from dist/: one
  // run each (three would triple an already long bench), and the worst
  // score and the worst layout shift named.
  const book = fs.readFileSync(path.resolve("docs/src/SUMMARY.md"), "utf8");
  const chapters = [...book.matchAll(/\]\(([\w-]+)\.md\)/g)].map((m) => `/docs/${m[1]}.html`);
  const scores = [];
  for (const chapter of chapters) {
    for (const [where, url] of [["serve", `${base}${chapter}`], ["dist", `${staticBase}${chapter}`]]) {
      const { lhr } = await lighthouse(url, { port: chrome.port, onlyCategories: ["performance"], logLevel: "error", output: "json" });
      if (lhr.runtimeError) throw new Error(`lighthouse ${url}: ${lhr.runtimeError.message}`);
      const score = { page: `${chapter} (${where})`, performance: lhr.categories.performance.score, cls: lhr.audits["cumulative-layout-shift"].numericValue };
      console.error(`lighthouse ${score.page}: performance ${score.performance}, layout shift ${score.cls.toFixed(3)}`);
      scores.push(score);
    }
  }
  const worst = scores.reduce((a, b) => (b.performance < a.performance ? b : a));
  const shifted = scores.reduce((a, b) => (b.cls > a.cls ? b : a));
  figures.lighthouse_performance_worst_chapter = worst.performance;
  figures.layout_shift_worst_chapter = shifted.cls;
  figures.chapters = { count: scores.length, worst: worst.page, most_shifted: shifted.page };
} finally {
  chrome.kill();
  staticServer.close();
}
console.log(JSON.stringify(figures));
