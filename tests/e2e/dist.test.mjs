// The static build (`cargo xtask dist`, run by `cargo xtask test` before this
// suite) served by a plain static file server that is not the dev server: no
// /api of ours, the folder mounted under a sub-path (/site/), every answer
// under the README's strict Content-Security-Policy. The widget's Service
// Worker answers the lessons' async-demo-api/ URLs inside the browser; the downloads stay
// real fetch() calls, aborted by their AbortController, and counted by the
// worker's async-demo-api/stats. Checked here: every lesson of the playground and of the
// docs book runs to `done` with its default attributes; race, timeout and
// cancel abort (counted); limit never has more than K in flight; the first run
// does not race the worker's installation; where the worker cannot serve, the
// widget says so in one sentence; the worker answers like the dev server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BASE, launch, mounted, runToEnd, serveFolder } from "./browser.mjs";

const DIST = path.resolve(process.env.ASYNC_DEMO_DIST ?? fileURLToPath(new URL("../../dist/", import.meta.url)));
const MOUNT = "/site/";
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const LESSONS = ["lazy", "sleep", "blocking", "gather", "many", "mistakes", "bridge", "race", "timeout", "cancel", "limit", "errors", "progress", "input", "worker", "sandbox"];
// Pages the tests add beside dist's own files (no inline script: the CSP forbids it).
const PAGES = {
  // In the worker's scope: a widget that runs as soon as it mounts.
  [`${MOUNT}__test__/autorun.html`]: `<!doctype html><html lang="en"><title>autorun</title>
<script type="module" src="../async-demo.js"></script>
<async-demo lesson="gather" autorun></async-demo>`,
  // Outside the worker's scope: the widget loads from /site/, the page is elsewhere.
  "/elsewhere/page.html": `<!doctype html><html lang="en"><title>outside</title>
<script type="module" src="${MOUNT}async-demo.js"></script>
<async-demo lesson="gather"></async-demo>
<async-demo lesson="sleep" delay-ms="100"></async-demo>
<async-demo lesson="race" urls="${MOUNT}favicon.svg ${MOUNT}style.css"></async-demo>`,
};

let server, origin, browser;
/** Every path the static server was asked for. */
const served = [];
/** While set, the static server holds back the wasm until this Promise settles. */
let wasmHeld = null;
/** While true, the static server answers 404 for the worker's endpoints.wasm. */
let endpointsGone = false;

before(async () => {
  const module = path.join(DIST, "async-demo.js");
  assert.ok(
    fs.existsSync(module) && fs.readFileSync(module, "utf8").includes("const SERVICE_WORKER = true;"),
    `${DIST} holds no static build: run cargo xtask dist first`,
  );
  server = await serveFolder(DIST, MOUNT, {
    pages: PAGES,
    headers: { "content-security-policy": CSP, "cache-control": "no-cache" },
    seen: (pathname) => served.push(pathname),
    hold: (pathname) => (pathname.endsWith("/pkg/async_demo_bg.wasm") ? wasmHeld : null),
    handle: (request, response, url) => {
      if (!endpointsGone || !url.pathname.endsWith("/pkg/endpoints.wasm")) return false;
      response.writeHead(404, { "content-type": "text/plain" });
      response.end("Not found.");
      return true;
    },
  });
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await launch();
});

after(async () => {
  await browser?.close();
  server?.close();
});

/**
 * A fresh browser context (no Service Worker installed yet) with a page open
 * at `pagePath`; it collects page errors, console errors (but the browser's
 * own line for each HTTP error status, which the errors lesson asks for) and
 * CSP violations with their source.
 */
async function open(pagePath, { noServiceWorker = false } = {}) {
  const context = await browser.newContext();
  await context.addInitScript((remove) => {
    if (remove) delete Navigator.prototype.serviceWorker;
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile }),
    );
  }, noServiceWorker);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of/.test(m.text())) {
      errors.push(`console: ${m.text()}`);
    }
  });
  await page.goto(origin + pagePath);
  await page.waitForFunction(() => customElements.get("async-demo") !== undefined);
  return { context, page, errors };
}

/** The worker's counters, read from the page (through the worker, as a lesson's fetch is). */
function swStats(page, api = "async-demo-api/") {
  return page.evaluate((url) => fetch(url, { cache: "no-store" }).then((r) => r.json()), `${api}stats`);
}

function resetStats(page, api = "async-demo-api/") {
  return page.evaluate((url) => fetch(url, { method: "POST" }).then((r) => r.json()), `${api}stats/reset`);
}

/** Counters once nothing is in flight any more (aborts reach the worker a moment after the page gives up). */
async function settled(page, api, wanted = () => true) {
  let now = await swStats(page, api);
  for (let i = 0; i < 60 && (now.inFlight > 0 || !wanted(now)); i++) {
    await page.waitForTimeout(50);
    now = await swStats(page, api);
  }
  return now;
}

const totals = (report) => report.runs.map((r) => `${r.name} ${Math.round(r.totalMs)} ms`).join(", ");

/** What each lesson's defaults must give, beyond `done`; `api` is the page's way to the worker's URLs. */
const CHECKS = {
  gather([seq, con]) {
    assert.ok(con.tasks.every((t) => t.state === "done") && seq.tasks.every((t) => t.state === "done"), JSON.stringify(con.tasks));
    assert.ok(seq.totalMs >= 2050, `sequential ${seq.totalMs}`);
    assert.ok(con.totalMs >= 950 && con.totalMs < 1600, `concurrent ${con.totalMs}`);
  },
  race([run], delta) {
    assert.deepEqual(run.tasks.map((t) => t.state), ["cancelled", "done", "cancelled"]);
    assert.ok(run.totalMs >= 290 && run.totalMs < 800, `race over after ${run.totalMs} ms`);
    assert.equal(delta.aborted, 2, "the two losers' requests were aborted");
  },
  timeout([run], delta) {
    assert.equal(run.tasks[0].state, "done");
    assert.equal(run.tasks[1].state, "error");
    assert.match(run.tasks[1].error, /Timed out after 800 ms/);
    assert.equal(delta.aborted, 1, "the late request was aborted");
  },
  cancel([run]) {
    assert.ok(run.tasks.every((t) => t.state === "done"), JSON.stringify(run.tasks));
    assert.ok(run.totalMs >= 7950, `total ${run.totalMs}`);
  },
  limit([run], delta) {
    assert.equal(run.name, "buffer_unordered(3)");
    assert.equal(run.tasks.length, 12);
    assert.ok(run.tasks.every((t) => t.state === "done"));
    assert.equal(delta.peakInFlight, 3, "never more than K = 3 in flight, and K reached");
    assert.ok(run.totalMs >= 1600 && run.totalMs < 2600, `12 downloads of 400 ms, 3 at a time: ${run.totalMs} ms`);
  },
  errors([all, first, retry], delta) {
    assert.deepEqual(all.tasks.map((t) => t.state), ["done", "error", "done"]);
    assert.match(all.tasks[1].error, /HTTP 500 Internal Server Error/);
    assert.deepEqual(first.tasks.map((t) => t.state), ["cancelled", "error", "cancelled"]);
    assert.equal(delta.aborted, 2, "try_join_all aborted the other two");
    // failures="3" by default: three 503s from async-demo-api/flaky, then a success.
    assert.deepEqual(retry.tasks.map((t) => t.state), ["error", "error", "error", "done"]);
    assert.match(retry.tasks[0].error, /HTTP 503 Service Unavailable/);
  },
  progress([run]) {
    assert.ok(run.tasks.every((t) => t.state === "done"));
    assert.ok(run.tasks.every((t) => t.wakes >= 10), `a drip arrives in pieces: ${run.tasks.map((t) => t.wakes)}`);
  },
};

/** Runs one widget with its attributes as they are, checks it, and returns its line for the closing note. */
async function runOne(page, host, api, where) {
  const lesson = await host.getAttribute("lesson");
  // The counters live in the worker: on a first visit it may not control
  // the page yet when a widget that downloads nothing (bridge) has mounted
  // (a widget's own run waits for it; this test's fetch must too).
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await resetStats(page, api);
  const report = await runToEnd(page, host);
  assert.equal(await host.getAttribute("data-state"), "done", `${where} ${lesson}: ${JSON.stringify(report)}`);
  // Nothing fell through to the static host: no download ended in its 404.
  const failed = report.runs.flatMap((r) => r.tasks).filter((t) => /HTTP 404/.test(t.error ?? ""));
  assert.deepEqual(failed, [], `${where} ${lesson}`);
  const delta = await settled(page, api, (s) => lesson !== "race" || s.aborted >= 2);
  assert.equal(delta.inFlight, 0, `${where} ${lesson}: a request stayed open`);
  CHECKS[lesson]?.(report.runs, delta);
  return `# dist ${where} ${lesson}: ${totals(report)}; worker: started ${delta.started}, aborted ${delta.aborted}, peak in flight ${delta.peakInFlight}`;
}

/** Runs every widget of the page in order; returns the lines for the closing note. */
async function runEvery(page, api, where) {
  const lines = [];
  for (const host of await page.locator("async-demo").all()) lines.push(await runOne(page, host, api, where));
  return lines;
}

/** The CSP violations the page saw (dist moves mdBook's inline scripts into files, so the book has none either). */
function violations(page) {
  return page.evaluate(() => window.__violations);
}

test("the playground on a static host: the worker controls the page before the first run, every lesson runs to done", async () => {
  const { context, page, errors } = await open(MOUNT);
  await mounted(page);
  // Widgets mount once the worker controls the page: the first run cannot race it.
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL), `${origin}${MOUNT}sw.js`);
  assert.equal(await page.evaluate(() => document.querySelectorAll("async-demo").length), LESSONS.length);
  // The Python twins say first that their URLs are the worker's, out of a
  // Python program's reach, and what to run instead; one without URLs does not.
  const firstLine = (lesson) =>
    page.locator(`async-demo[lesson="${lesson}"]`).evaluate((el) => el.shadowRoot.querySelector("figure.python code .line").textContent.trimEnd());
  assert.equal(await firstLine("gather"), "# On this site the async-demo-api/ URLs below are answered by a Service Worker");
  assert.equal(await firstLine("sandbox"), "# On this site the async-demo-api/ URLs below are answered by a Service Worker");
  assert.match(await firstLine("lazy"), /^"""The lazy lesson in asyncio/);
  const lines = await runEvery(page, "async-demo-api/", "playground");
  for (const line of lines) console.log(line);
  assert.equal(lines.length, LESSONS.length);
  // Every async-demo-api/ request was answered in the browser: none reached the static server.
  assert.deepEqual(served.filter((p) => p.includes("/async-demo-api/")), []);
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("Cancel aborts both downloads at once: the worker counts them and nothing stays in flight", async () => {
  const { context, page, errors } = await open(MOUNT);
  await mounted(page);
  const host = page.locator('async-demo[lesson="cancel"]');
  await resetStats(page);
  await host.scrollIntoViewIfNeeded();
  await host.locator("button.run").click();
  await page.waitForTimeout(500);
  await host.locator("button.cancel").click();
  await page.waitForFunction((el) => el.dataset.state === "cancelled", await host.elementHandle(), { timeout: 2000 });
  const [run] = (await host.evaluate((el) => el.report())).runs;
  assert.deepEqual(run.tasks.map((t) => t.state), ["cancelled", "cancelled", "cancelled"]);
  const counted = await settled(page, "async-demo-api/", (s) => s.aborted >= 2);
  assert.equal(counted.aborted, 2);
  assert.equal(counted.inFlight, 0);
  assert.equal(counted.finished, 0);
  console.log(`# dist cancel button: worker aborted ${counted.aborted}, in flight ${counted.inFlight}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("limit: K in flight at most, for every K; past 6 it keeps going (no connection, so no six-per-host limit)", async () => {
  const { context, page } = await open(MOUNT);
  await mounted(page);
  const host = page.locator('async-demo[lesson="limit"]');
  for (const k of [1, 6, 12]) {
    await host.evaluate((el, k) => el.setAttribute("concurrency", String(k)), k);
    await resetStats(page);
    const [run] = (await host.evaluate((el) => el.run())).runs;
    assert.ok(run.tasks.every((t) => t.state === "done"));
    const counted = await settled(page, "async-demo-api/");
    assert.equal(counted.peakInFlight, k, `K = ${k}`);
    const waves = Math.ceil(12 / k);
    assert.ok(run.totalMs >= waves * 400 - 20 && run.totalMs < waves * 400 + 700, `K = ${k}: ${run.totalMs} ms for ${waves} waves`);
    console.log(`# dist limit K=${k}: total ${Math.round(run.totalMs)} ms, worker peak in flight ${counted.peakInFlight}`);
  }
  await context.close();
});

test("a widget that runs as it mounts, on a first visit, finds the worker in control", async () => {
  const { context, page, errors } = await open(`${MOUNT}__test__/autorun.html`);
  const host = page.locator("async-demo");
  await page.waitForFunction((el) => el.dataset.state === "done" || el.dataset.state === "error", await host.elementHandle(), { timeout: 20_000 });
  assert.equal(await host.getAttribute("data-state"), "done");
  const [seq, con] = (await host.evaluate((el) => el.report())).runs;
  assert.ok([...seq.tasks, ...con.tasks].every((t) => t.state === "done"), JSON.stringify(con.tasks));
  assert.equal(await host.locator("li.api-note").count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

/** The docs book's chapters, in its order, from its table of contents. */
function chapters() {
  const toc = fs.readFileSync(path.join(DIST, "docs/toc.html"), "utf8");
  return [...new Set([...toc.matchAll(/href="([\w-]+\.html)"/g)].map((m) => m[1]))];
}

test("the docs book under /site/docs/: every chapter's widgets run to done", async (t) => {
  const lines = [];
  for (const chapter of chapters()) {
    const html = fs.readFileSync(path.join(DIST, "docs", chapter), "utf8");
    if (!html.includes("<async-demo")) continue;
    await t.test(chapter, async (ct) => {
      const { context, page, errors } = await open(`${MOUNT}docs/${chapter}`);
      await mounted(page);
      for (const host of await page.locator("async-demo").all()) {
        const lesson = await host.getAttribute("lesson");
        await ct.test(lesson, async () => {
          // A root-absolute /async-demo-api/ URL leaves the widget's folder under a
          // sub-path (cargo xtask dist warns about it): the chapter needs ../async-demo-api/.
          const urls = (await host.getAttribute("urls")) ?? "";
          assert.ok(!/(^|\s)\/async-demo-api\//.test(urls), `${chapter}: urls="${urls}" starts with /async-demo-api/: write ../async-demo-api/… in docs/src`);
          lines.push(await runOne(page, host, "../async-demo-api/", `docs/${chapter}`));
        });
      }
      assert.deepEqual(await violations(page), []);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
  for (const line of lines) console.log(line);
  const ran = lines.map((l) => l.split(" ")[3].replace(":", ""));
  const missing = LESSONS.filter((lesson) => !ran.includes(lesson));
  if (missing.length > 0) t.diagnostic(`not run to done in the book: ${missing.join(", ")}`);
  for (const lesson of LESSONS) {
    assert.ok(ran.includes(lesson), `the book runs ${lesson} (ran: ${ran.join(", ")})`);
  }
});

test("a page outside the worker's folder: one sentence in each downloading widget that relies on async-demo-api/, and urls of the host still work", async () => {
  const { context, page, errors } = await open("/elsewhere/page.html");
  await mounted(page);
  const note = page.locator('async-demo[lesson="gather"] li.api-note');
  assert.equal(
    await note.innerText(),
    `The lessons' default async-demo-api/ URLs cannot be answered on this page because the page lies outside ${origin}${MOUNT}, the only place the widget's Service Worker may serve; give this widget urls that exist on your host (the urls attribute).`,
  );
  assert.equal(await page.locator('async-demo[lesson="sleep"] li.api-note').count(), 0, "sleep downloads nothing");
  // race with urls of files the host has: no note, and it runs.
  const race = page.locator('async-demo[lesson="race"]');
  assert.equal(await race.locator("li.api-note").count(), 0);
  const [run] = (await runToEnd(page, race)).runs;
  assert.equal(await race.getAttribute("data-state"), "done");
  assert.ok(run.tasks.some((t) => t.state === "done"), JSON.stringify(run.tasks));
  // Giving urls takes the note away; clearing them brings it back.
  const gather = page.locator('async-demo[lesson="gather"]');
  await gather.evaluate((el, m) => el.setAttribute("urls", `${m}favicon.svg`), MOUNT);
  await page.waitForFunction(() => !document.querySelector('async-demo[lesson="gather"]').shadowRoot.querySelector("li.api-note"));
  await gather.evaluate((el, m) => el.setAttribute("urls", `${m}async-demo-api/delay/5`), MOUNT);
  await page.waitForFunction(() => document.querySelector('async-demo[lesson="gather"]').shadowRoot.querySelector("li.api-note"));
  assert.deepEqual(await violations(page), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a browser with no Service Worker: the same one sentence, and the module exports it as apiReady", async () => {
  const { context, page } = await open(MOUNT, { noServiceWorker: true });
  await mounted(page);
  const expected =
    "The lessons' default async-demo-api/ URLs cannot be answered on this page because this browser offers no Service Worker here (it needs https or localhost, and no private window that disables them); give this widget urls that exist on your host (the urls attribute).";
  for (const lesson of ["gather", "race", "timeout", "cancel", "limit", "errors", "progress"]) {
    assert.deepEqual(await page.locator(`async-demo[lesson="${lesson}"] li.api-note`).allInnerTexts(), [expected], lesson);
  }
  for (const lesson of ["lazy", "sleep", "worker"]) {
    assert.equal(await page.locator(`async-demo[lesson="${lesson}"] li.api-note`).count(), 0, lesson);
  }
  assert.equal(await page.evaluate(() => import("./async-demo.js").then((m) => m.apiReady)), expected);
  await context.close();
});

/** The worker's answer to each of these matches the dev server's: status, reason, type, length and body. */
const PARITY = [
  "delay/5", "delay/007", "delay/%2B5", "delay/+5", "delay/%ff", "status/%ff%fe", "delay/30001", "delay/5.0", "delay/", "delay/5/6", "delay",
  "drip?bytes=100&ms=120", "drip?bytes=abc", "drip?ms=%2B5", "drip?ms=+5", "drip?bytes=10&bytes=20&ms=0", "drip?bytes=0&ms=0",
  "binary?bytes=70000", "binary?bytes=10000001", "binary",
  "status/200", "status/204", "status/299", "status/404", "status/418", "status/503", "status/199", "status/600", "status/abc",
  `status/${"9".repeat(70)}`, "status/%35%30%30",
  "flaky?fail=1", "flaky?id=&fail=1", `flaky?id=${"é".repeat(65)}`, "flaky?id=x&fail=11", "flaky?id=x&fail=-1",
  "nothing", "stats/reset", "stats/reset/x",
];

/**
 * The README's steps for an existing mdBook, followed to the letter in a
 * fresh book: the widget's files copied into `src/`, one script tag per
 * chapter (relative to the chapter), `mdbook build`, the output served under a
 * sub-path with the strict CSP. A chapter at the top and one in a subfolder.
 */
/** Copies the widget's files from dist/ into `folder`, as the README tells a site to. */
function copyWidgetFiles(folder) {
  execFileSync("cp", ["-r", ...["async-demo.js", "async-demo.css", "worker.js", "sw.js", "pkg", "pkg-sandbox"].map((f) => path.join(DIST, f)), folder]);
}

test("the README's steps put the widgets into an existing mdBook", async (t) => {
  try {
    execFileSync("mdbook", ["--version"]);
  } catch {
    return t.skip("mdbook is not installed (cargo xtask docs installs it)");
  }
  const book = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "async-demo-book-"));
  const bookChapters = [["chapter_1.html", "gather"], ["nested/two.html", "race"]];
  let at = null;
  try {
    fs.mkdirSync(path.join(book, "src/nested"), { recursive: true });
    fs.writeFileSync(path.join(book, "book.toml"), '[book]\ntitle = "Someone else\'s book"\n');
    fs.writeFileSync(path.join(book, "src/SUMMARY.md"), "# Summary\n\n- [One](chapter_1.md)\n  - [Two](nested/two.md)\n");
    // Step 2 of the README: copy the widget's files to the root of src/.
    copyWidgetFiles(path.join(book, "src/"));
    // Step 3: in a chapter, the module (relative to the chapter) and the widgets.
    fs.writeFileSync(
      path.join(book, "src/chapter_1.md"),
      '# One\n\nBefore.\n\n<script type="module" src="async-demo.js"></script>\n\n<async-demo lesson="gather"></async-demo>\n\nAfter.\n',
    );
    fs.writeFileSync(
      path.join(book, "src/nested/two.md"),
      '# Two\n\nBefore.\n\n<script type="module" src="../async-demo.js"></script>\n\n<async-demo lesson="race"></async-demo>\n\nAfter.\n',
    );
    // Step 4: build.
    execFileSync("mdbook", ["build", book], { stdio: "ignore" });
    const out = path.join(book, "book");
    for (const file of ["async-demo.js", "sw.js", "pkg/async_demo_bg.wasm"]) assert.ok(fs.existsSync(path.join(out, file)), file);
    const mount = "/books/someone/";
    const bookServer = await serveFolder(out, mount);
    at = `http://127.0.0.1:${bookServer.address().port}${mount}`;
    try {
      await readAndRun("as built");
      // Step 5: the npm package's command pre-renders the built book; run
      // twice, the second starts afresh. Each chapter then carries its widget.
      for (let i = 0; i < 2; i++) {
        const run = spawnSync("node", [path.join(DIST, "prerender.mjs"), out], { encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        const said = run.stdout;
        // print.html (every chapter on one page, at the book's root) keeps the
        // nested chapter's `../async-demo.js`, which climbs above the book.
        assert.equal(
          run.stderr,
          'warning: print.html: <script src="../async-demo.js"> climbs above the site folder, so the widgets work only while the site is at the root of its host\n',
        );
        // The two chapters, mdBook's index.html (the first chapter again) and
        // print.html (every chapter).
        assert.equal(said, `${out}: 5 widgets in 4 pages pre-rendered (declarative shadow roots; the wasm loads when a widget is near)\n`);
      }
      for (const [chapter, lesson] of bookChapters) {
        const html = fs.readFileSync(path.join(out, chapter), "utf8");
        assert.equal(html.split(TEMPLATE_OPEN).length - 1, 1, `${chapter}: one pre-rendered widget`);
        assert.equal(html.split('class="async-demo-noscript"').length - 1, 1, `${chapter}: one note for readers without JavaScript`);
        const up = chapter.includes("/") ? "\\.\\./" : "\\./";
        assert.match(html, new RegExp(`<async-demo lesson="${lesson}" data-prerendered>${TEMPLATE_OPEN}<link rel="stylesheet" href="${up}async-demo\\.css">`));
        // No URL of the pre-render's own (it renders pages as if at this
        // made-up origin) or of the host it was served from; the twins' note
        // names the dev server's http://127.0.0.1:8080/, which is meant.
        assert.ok(!html.includes("site.async-demo.invalid") && !html.includes(new URL(at).host), `${chapter}: no URL of the pre-rendering`);
      }
      await readAndRun("pre-rendered");
    } finally {
      bookServer.close();
    }
  } finally {
    fs.rmSync(book, { recursive: true, force: true });
  }

  async function readAndRun(how) {
    const context = await browser.newContext();
    try {
      for (const [chapter, lesson] of bookChapters) {
        const page = await context.newPage();
        const errors = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(at + chapter);
        await mounted(page);
        const host = page.locator(`async-demo[lesson="${lesson}"]`);
        assert.equal(await host.locator("li.api-note").count(), 0, `${chapter}: the worker serves the book's pages`);
        const report = await runToEnd(page, host);
        assert.equal(await host.getAttribute("data-state"), "done", `${chapter}: ${JSON.stringify(report)}`);
        assert.ok(report.runs.every((r) => r.tasks.every((t) => t.state !== "error")), `${chapter}: ${JSON.stringify(report)}`);
        console.log(`# dist mdBook ${how} ${chapter} ${lesson}: ${totals(report)}`);
        assert.deepEqual(errors, []);
        await page.close();
      }
    } finally {
      await context.close();
    }
  }
});

/** What the parity test compares of an answer (in Node, and as source text in the page). */
async function readAnswer(response) {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    reason: response.statusText,
    type: response.headers.get("content-type"),
    length: bytes.length,
    body: bytes.length <= 400 ? new TextDecoder().decode(bytes) : `${bytes.length} bytes, sum ${bytes.reduce((a, b) => a + b, 0)}`,
  };
}

test("the worker answers like the dev server (status, reason phrase, type, length, body)", async (t) => {
  let devServer = true;
  try {
    await fetch(`${BASE}/async-demo-api/status/200`);
  } catch {
    devServer = false;
  }
  if (!devServer) return t.skip(`no dev server at ${BASE} to compare with`);
  const { context, page } = await open(MOUNT);
  await mounted(page);
  const id = `parity-${Date.now()}`;
  for (const raw of [...PARITY, `flaky?id=${id}&fail=1`, `flaky?id=${id}&fail=1`]) {
    const worker = await page.evaluate(`fetch(${JSON.stringify(`async-demo-api/${raw}`)}, { cache: "no-store" }).then(${readAnswer})`);
    const dev = await readAnswer(await fetch(`${BASE}/async-demo-api/${raw}`));
    assert.deepEqual(worker, dev, `async-demo-api/${raw}`);
  }
  await context.close();
});

test("a worker whose endpoints.wasm is missing answers async-demo-api/ with a 503 and a sentence, then answers once it is back", async () => {
  endpointsGone = true;
  const { context, page } = await open(MOUNT);
  try {
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const fetchText = (url) => page.evaluate((u) => fetch(u, { cache: "no-store" }).then(async (r) => [r.status, await r.text()]), url);
    const [status, text] = await fetchText("async-demo-api/delay/5");
    assert.equal(status, 503);
    assert.match(text, /^The Service Worker could not load pkg\/endpoints\.wasm, which answers async-demo-api\/: .*HTTP 404/);
    endpointsGone = false;
    assert.deepEqual(await fetchText("async-demo-api/delay/5"), [200, "waited 5 ms"], "a failed load is tried again");
    assert.deepEqual(await fetchText("async-demo-api/nope"), [404, "No such endpoint under /async-demo-api/."]);
  } finally {
    endpointsGone = false;
    await context.close();
  }
});

test("the npm package: package.json names the widget's files, its exports and its types; the tarball holds exactly them", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(DIST, "package.json"), "utf8"));
  assert.equal(pkg.name, "async-demo");
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.types, "./pkg/async_demo.d.ts");
  assert.equal(pkg.exports["."], "./async-demo.js");
  // Conditions match in order: TypeScript needs `types` before `default`.
  assert.deepEqual(Object.entries(pkg.exports["./pkg/async_demo.js"]), [["types", "./pkg/async_demo.d.ts"], ["default", "./pkg/async_demo.js"]]);
  const files = [
    "async-demo.js", "async-demo.css", "worker.js", "sw.js", "pkg/async_demo.js", "pkg/async_demo_bg.wasm", "pkg/async_demo.d.ts",
    "pkg/endpoints.wasm", "pkg-sandbox/async_demo.js", "pkg-sandbox/async_demo_bg.wasm", "pkg-sandbox/async_demo.d.ts", "prerender.mjs",
    "csp.mjs",
  ];
  assert.deepEqual(pkg.bin, { "async-demo-prerender": "./prerender.mjs", "async-demo-csp": "./csp.mjs" });
  assert.deepEqual(Object.keys(pkg.dependencies), ["parse5"], "the commands read pages with parse5, and need nothing else");
  assert.equal(pkg.peerDependencies, undefined, "no browser driver");
  assert.deepEqual([...pkg.files].sort(), [...files].sort());
  const tarball = path.join(DIST, `${pkg.name}-${pkg.version}.tgz`);
  const listed = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
  assert.deepEqual(listed, [...files, "package.json"].map((f) => `package/${f}`).sort());
  const packed = execFileSync("tar", ["-xzOf", tarball, "package/async-demo.js"], { encoding: "utf8" });
  assert.ok(packed.includes("const SERVICE_WORKER = true;"), "the packed module registers the worker");
});

const TEMPLATE_OPEN = '<template shadowrootmode="open">';

/** The pre-rendered widgets of `chapter` in dist/, each its <template> as the HTML has it. */
function renderedWidgets(chapter) {
  const html = fs.readFileSync(path.join(DIST, "docs", chapter), "utf8");
  return html.match(/<template shadowrootmode="open">[\s\S]*?<\/template>/g) ?? [];
}

/** A widget's shadow DOM as markup, with the fields' live values written as
 * attributes (as pre-rendering writes them), without pre-rendering's marker,
 * and with the site's absolute URLs written relative to the chapter, as
 * pre-rendering writes them: the Python twins and the urls fields show the
 * lessons' URLs, which only the page's own host can make absolute. */
const markup = (host) =>
  host.evaluate((el) => {
    const site = new URL("../", location.href).href;
    const copy = document.createElement("div");
    copy.append(...[...el.shadowRoot.childNodes].map((n) => n.cloneNode(true)));
    const live = el.shadowRoot.querySelectorAll("input, option");
    copy.querySelectorAll("input, option").forEach((node, i) => {
      if (node.localName === "option") return node.toggleAttribute("selected", live[i].selected);
      // (A checkbox's value is its constant "on": the markup writes none.)
      if (node.type !== "checkbox") node.setAttribute("value", live[i].value);
      node.toggleAttribute("checked", live[i].checked);
    });
    for (const node of copy.querySelectorAll("[data-prerendered]")) node.removeAttribute("data-prerendered");
    return copy.innerHTML.split(site).join("../");
  });

test("a docs chapter's widget is whole in the HTML: readable and clickable before the wasm, which loads only when the widget is near", async () => {
  const chapter = `${MOUNT}docs/what-drives-a-future.html`;
  const html = fs.readFileSync(path.join(DIST, "docs/what-drives-a-future.html"), "utf8");
  assert.match(html, /<async-demo lesson="lazy" data-prerendered><template shadowrootmode="open"><link rel="stylesheet" href="\.\.\/async-demo\.css">/);
  assert.doesNotMatch(html, /site\.async-demo\.invalid|pkg\/async_demo_bg\.wasm/, "no URL of the pre-rendering, no preload of the wasm");
  assert.ok(!html.includes(new URL(origin).host), "no URL of the host the book was served from");

  let release;
  wasmHeld = new Promise((resolve) => (release = resolve));
  const from = served.length;
  const { context, page, errors } = await open(chapter);
  try {
    const host = page.locator('async-demo[lesson="lazy"]');
    // Far below the first screen: the widget is there, whole, and no wasm is asked for.
    assert.ok((await host.evaluate((el) => el.getBoundingClientRect().top)) > 2 * (await page.evaluate(() => innerHeight)));
    await page.waitForLoadState("load");
    await page.waitForTimeout(500);
    const asked = () => served.slice(from).filter((p) => p.includes("/pkg/"));
    assert.deepEqual(asked(), [], "nothing of pkg/ before the widget is near");
    assert.equal(await host.getAttribute("data-state"), "idle");
    assert.equal(await host.locator("button.run").count(), 1);
    assert.match(await host.locator(".code .rust code").first().innerText(), /\.await/);

    // Near it: the wasm is asked for (and held back by the server here), the
    // reader types a delay and presses Run before it arrives.
    await host.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => performance.getEntriesByType("resource").some((e) => e.name.endsWith("/pkg/async_demo.js")));
    await host.locator('input[name="delay-ms"]').fill("300");
    await host.locator("button.run").click();
    assert.equal(await host.getAttribute("data-state"), "idle", "nothing runs without the wasm");
    release();
    // The wasm arrives: Rust rebuilds the same DOM, keeps the typed value,
    // and the early click runs the lesson with it.
    await page.waitForFunction((el) => el.dataset.state === "done" || el.dataset.state === "error", await host.elementHandle(), { timeout: 20_000 });
    assert.equal(await host.getAttribute("data-state"), "done");
    assert.equal(await host.getAttribute("delay-ms"), "300");
    assert.equal(await host.locator('input[name="delay-ms"]').inputValue(), "300");
    assert.ok(asked().some((p) => p.endsWith("/pkg/async_demo_bg.wasm")));
    assert.deepEqual(errors, []);
    assert.deepEqual(await violations(page), []);
  } finally {
    wasmHeld = null;
    release();
    await context.close();
  }
});

test("every pre-rendered widget of the book is the DOM the wasm makes for it, and Rust adopts it as it is", async (t) => {
  for (const chapter of chapters()) {
    const rendered = renderedWidgets(chapter).map((template) => template.slice(TEMPLATE_OPEN.length, -"</template>".length));
    if (!fs.readFileSync(path.join(DIST, "docs", chapter), "utf8").includes("<async-demo")) continue;
    await t.test(chapter, async () => {
      const { context, page, errors } = await open(`${MOUNT}docs/${chapter}`);
      try {
        const hosts = await page.locator("async-demo").all();
        assert.equal(rendered.length, hosts.length, "one pre-rendered shadow root per widget");
        for (const [i, host] of hosts.entries()) {
          await host.scrollIntoViewIfNeeded();
          await page.waitForFunction((el) => !el.shadowRoot.querySelector("[data-prerendered]"), await host.elementHandle());
          // The HTML's markup, through the same serialiser.
          const expected = await page.evaluate((markupOfFile) => {
            const template = document.createElement("template");
            template.innerHTML = markupOfFile;
            for (const node of template.content.querySelectorAll("[data-prerendered]")) node.removeAttribute("data-prerendered");
            const copy = document.createElement("div");
            copy.append(template.content);
            return copy.innerHTML;
          }, rendered[i]);
          assert.equal(await markup(host), expected, `${await host.getAttribute("lesson")}: adopted`);
          // The same attributes on an element that was not pre-rendered: the
          // wasm inserts its markup itself, and it is the same.
          const fresh = await host.evaluate((el) => {
            const copy = document.createElement("async-demo");
            for (const { name, value } of el.attributes) if (name !== "data-prerendered" && name !== "data-state") copy.setAttribute(name, value);
            copy.id = "fresh-copy";
            el.after(copy);
            return copy.id;
          });
          const copy = page.locator(`#${fresh}`);
          await page.waitForFunction((el) => el.shadowRoot?.querySelector("button.run"), await copy.elementHandle());
          assert.equal(await markup(copy), expected, `${await host.getAttribute("lesson")}: rendered in the page`);
          await copy.evaluate((el) => el.remove());
        }
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
});


test("a pre-rendered widget before its wasm: autorun runs at once, a new lesson drops what was typed, focus that left is not pulled back", async () => {
  // autorun, far below the first screen: it mounts and runs without being near.
  const filler = Array.from({ length: 80 }, (_, i) => `<p>Paragraph ${i}.</p>`).join("\n");
  PAGES[`${MOUNT}__test__/prerendered-autorun.html`] = `<!doctype html><html lang="en"><title>autorun</title>
<script type="module" src="../async-demo.js"></script>${filler}
<async-demo lesson="lazy" autorun data-prerendered>${renderedWidgets("what-drives-a-future.html")[0]}</async-demo>`;
  {
    const { context, page, errors } = await open(`${MOUNT}__test__/prerendered-autorun.html`);
    const host = page.locator("async-demo");
    assert.ok((await host.evaluate((el) => el.getBoundingClientRect().top)) > 2000);
    await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle(), { timeout: 20_000 });
    assert.deepEqual(errors, []);
    await context.close();
  }

  // Before the wasm, with the wasm held back by the server until `act` is done.
  const beforeWasm = async (act, check) => {
    let release;
    wasmHeld = new Promise((resolve) => (release = resolve));
    const { context, page, errors } = await open(`${MOUNT}docs/what-drives-a-future.html`);
    try {
      const host = page.locator("async-demo").first();
      await host.scrollIntoViewIfNeeded();
      await act(page, host);
      release();
      await page.waitForFunction((el) => el.shadowRoot.querySelector("button.run") && !el.shadowRoot.querySelector("[data-prerendered]"), await host.elementHandle(), { timeout: 20_000 });
      await page.waitForTimeout(200);
      await check(page, host);
      assert.deepEqual(errors, []);
    } finally {
      wasmHeld = null;
      release();
      await context.close();
    }
  };
  // Typed into the lazy lesson, then the element is given another lesson:
  // gather's form is another form, and nothing typed for lazy reaches it.
  await beforeWasm(
    async (page, host) => {
      await host.locator('input[name="delay-ms"]').fill("300");
      await host.evaluate((el) => el.setAttribute("lesson", "gather"));
    },
    async (page, host) => {
      assert.equal(await host.getAttribute("lesson"), "gather");
      assert.equal(await host.getAttribute("urls"), null, "no attribute made from lazy's field");
      assert.notEqual(await host.locator("[name=urls]").inputValue(), "300");
    },
  );
  // The same with the lesson changed while the element is off the page.
  await beforeWasm(
    async (page, host) => {
      await host.locator('input[name="delay-ms"]').fill("300");
      await host.evaluate((el) => {
        const parent = el.parentNode;
        el.remove();
        el.setAttribute("lesson", "sleep");
        parent.append(el);
      });
    },
    async (page, host) => {
      assert.equal(await host.getAttribute("lesson"), "sleep");
      assert.notEqual(await host.getAttribute("delay-ms"), "300", "lazy's field did not reach sleep's");
      assert.notEqual(await host.locator('input[name="delay-ms"]').inputValue(), "300");
    },
  );
  // A script's run() and the reader's click, both before the wasm: one run.
  await beforeWasm(
    async (page, host) => {
      await host.evaluate((el) => {
        window.__states = [];
        new MutationObserver(() => window.__states.push(el.dataset.state)).observe(el, { attributeFilter: ["data-state"] });
        window.__run = el.run();
      });
      await host.locator("button.run").click();
    },
    async (page, host) => {
      await page.evaluate(() => window.__run);
      // Runs started: each sets data-state to "running" once (a second run
      // that replaces the first sets it again).
      const states = await page.evaluate(() => window.__states);
      assert.equal(states.filter((s) => s === "running").length, 1, states.join(" "));
      assert.equal(states.at(-1), "done", states.join(" "));
    },
  );
  // Typed, then focus leaves the widget and the reader scrolls away: the
  // value is kept, the focus and the scroll position stay where they are.
  await beforeWasm(
    async (page, host) => {
      await host.locator('input[name="delay-ms"]').fill("300");
      await page.evaluate(() => document.activeElement?.blur());
      await page.evaluate(() => scrollTo(0, 0));
    },
    async (page, host) => {
      assert.equal(await host.locator('input[name="delay-ms"]').inputValue(), "300");
      assert.equal(await host.getAttribute("delay-ms"), "300");
      assert.equal(await page.evaluate(() => scrollY), 0, "the page did not jump back to the widget");
      assert.equal(await host.evaluate((el) => el.shadowRoot.activeElement), null, "focus was not pulled back");
    },
  );
});

test("a pre-rendered widget whose wasm cannot load stays readable and says why in its error line", async () => {
  const { context, page } = await open(`${MOUNT}docs/what-drives-a-future.html`, { noServiceWorker: true });
  try {
    await page.route("**/pkg/async_demo_bg.wasm", (route) => route.abort());
    const host = page.locator('async-demo[lesson="lazy"]');
    await host.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.dataset.state === "error", await host.elementHandle(), { timeout: 20_000 });
    assert.match(await host.locator("p.error[role=alert]").innerText(), /^async-demo could not start: /);
    assert.match(await host.locator(".code .rust code").first().innerText(), /\.await/, "the lesson is still there to read");
    assert.equal(await host.locator("button.run").isDisabled(), true, "a Run that cannot work is disabled");
  } finally {
    await context.close();
  }
});

test("with JavaScript off, a pre-rendered widget is there to read, and a note before it says why it cannot run", async () => {
  const chapter = `${MOUNT}docs/what-drives-a-future.html`;
  const off = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await off.newPage();
    await page.goto(origin + chapter);
    const host = page.locator('async-demo[lesson="lazy"]');
    assert.match(await host.locator(".code .rust code").first().innerText(), /\.await/, "the declarative shadow root needs no script");
    assert.equal(await host.locator("button.run").isVisible(), true);
    const note = page.locator(".async-demo-noscript");
    assert.equal(await note.count(), await page.locator("async-demo").count(), "one note per widget");
    assert.equal(await note.first().isVisible(), true);
    assert.equal(await note.first().evaluate((el) => el.parentElement.localName), "noscript", "the page's paragraph is not broken up");
    assert.match(await note.first().innerText(), /needs JavaScript: with JavaScript turned off, it can be read but not run\.$/);
    const [noteBottom, widgetTop] = await Promise.all([
      note.first().evaluate((el) => el.getBoundingClientRect().bottom),
      host.evaluate((el) => el.getBoundingClientRect().top),
    ]);
    assert.ok(noteBottom <= widgetTop, "the note comes before its widget");
  } finally {
    await off.close();
  }
  // A browser that runs scripts shows no such note.
  const { context, page } = await open(chapter);
  try {
    assert.equal(await page.locator(".async-demo-noscript").count(), 0);
  } finally {
    await context.close();
  }
});
