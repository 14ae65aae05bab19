// The static build's Service Worker as a guest on a host's site (dist/,
// written by `cargo xtask dist`, which `cargo xtask test` runs first). The
// host has its own `api/` folder (files, a POST endpoint, pages under it) and
// its own Service Worker. The widget's worker answers its own
// `async-demo-api/` URLs and nothing else, never takes a page from the host's
// worker, and ends its own registration once the host removes its files.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, serveFolder } from "./browser.mjs";

const DIST = path.resolve(process.env.ASYNC_DEMO_DIST ?? fileURLToPath(new URL("../../dist/", import.meta.url)));
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const WIDGET_FILES = /^\/(site\/)?(async-demo\.js|async-demo\.css|sw\.js|worker\.js|pkg\/.*)$/;

// The host's own files and endpoints, beside the widget's.
const HOST_SW = `self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => {
  if (new URL(e.request.url).pathname === "/offline-check") e.respondWith(new Response("the host's offline handler"));
});`;
const PAGE = (script, body = "") => `<!doctype html><html lang="en"><title>host page</title>
<script type="module" src="${script}"></script>${body}`;

let browser;
/** While true, the widget's files answer 404: the host removed them. */
let removed = false;

/** A host site with the widget's files at `mount` (its root, or /site/). */
function hostSite(mount) {
  return serveFolder(DIST, mount, {
    headers: { "content-security-policy": CSP, "cache-control": "no-cache" },
    pages: {
      "/widget.html": PAGE(`${mount}async-demo.js`, `<async-demo lesson="sleep" delay-ms="5"></async-demo>`),
      "/site/widget.html": PAGE(`${mount}async-demo.js`, `<async-demo lesson="sleep" delay-ms="5"></async-demo>`),
      "/plain.html": `<!doctype html><html lang="en"><title>a page of the host's</title><p>No widget here.</p>`,
      "/api/docs/": `<!doctype html><html lang="en"><title>the host's API docs</title><h1>The host's API docs</h1>`,
      "/host.html": PAGE("/host-register.js"),
    },
    handle(request, response, url) {
      const answer = (status, type, body) => {
        response.writeHead(status, { "content-type": type, "cache-control": "no-cache" });
        response.end(body);
        return true;
      };
      if (removed && WIDGET_FILES.test(url.pathname)) return answer(404, "text/plain", "Not found.");
      if (url.pathname === "/api/users.json") return answer(200, "application/json", '{"users":["ada"]}');
      if (url.pathname === "/api/delay/5") return answer(200, "text/plain", "the host's own file at api/delay/5");
      if (url.pathname === "/api/login" && request.method === "POST") return answer(200, "application/json", '{"host":"logged in"}');
      if (url.pathname === "/host-sw.js") return answer(200, "text/javascript", HOST_SW);
      if (url.pathname === "/host-register.js") {
        return answer(200, "text/javascript", 'await navigator.serviceWorker.register("/host-sw.js", { scope: "/" }); await navigator.serviceWorker.ready; document.title = "registered";');
      }
      return false;
    },
  });
}

before(async () => {
  assert.ok(
    fs.readFileSync(path.join(DIST, "async-demo.js"), "utf8").includes("const SERVICE_WORKER = true;"),
    `${DIST} holds no static build: run cargo xtask dist first`,
  );
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The widget's state once mounted, and its api note if any. */
async function widgetOn(page) {
  await page.waitForFunction(() => document.querySelector("async-demo")?.shadowRoot?.querySelector("button.run"));
  return page.evaluate(async () => ({
    problem: await import("/" + (document.querySelector("script[type=module]").getAttribute("src").replace(/^\//, ""))).then((m) => m.apiReady),
    controller: navigator.serviceWorker.controller?.scriptURL ?? null,
  }));
}

/** Runs `body(page, origin)` in a fresh browser context on a host site with the widget at `mount`. */
async function onSite(mount, body) {
  const server = await hostSite(mount);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const context = await browser.newContext();
  try {
    await body(await context.newPage(), origin, context);
  } finally {
    removed = false;
    await context.close();
    server.close();
  }
}

const text = (page, url, init) => page.evaluate(([url, init]) => fetch(url, init).then(async (r) => `${r.status} ${await r.text()}`), [url, init]);

test("with the widget at the site's root, the host's own api/ URLs, POSTs and navigations stay the host's; removing the widget's files ends the worker", async () => {
  await onSite("/", async (page, origin, context) => {
    await page.goto(`${origin}/widget.html`);
    const widget = await widgetOn(page);
    assert.equal(widget.problem, null);
    assert.equal(widget.controller, `${origin}/sw.js`);
    // The worker's own endpoint answers; the host's URLs reach the host.
    assert.equal(await text(page, "/async-demo-api/delay/5"), "200 waited 5 ms");
    assert.equal(await text(page, "/api/users.json"), '200 {"users":["ada"]}');
    assert.equal(await text(page, "/api/delay/5"), "200 the host's own file at api/delay/5");
    assert.equal(await text(page, "/api/login", { method: "POST" }), '200 {"host":"logged in"}');
    assert.equal(await text(page, "/api/nothing"), "404 Not found.");
    await page.goto(`${origin}/api/docs/`);
    assert.equal(await page.locator("h1").innerText(), "The host's API docs");
    // The host removes the widget's files: the next visit ends the worker.
    removed = true;
    await page.goto(`${origin}/plain.html`);
    await page.waitForFunction(() => navigator.serviceWorker.getRegistrations().then((all) => all.length === 0), null, {
      timeout: 10_000,
  });
  await page.goto(`${origin}/plain.html`);
  assert.equal(await page.evaluate(() => navigator.serviceWorker.controller), null);
  assert.equal(await text(page, "/async-demo-api/delay/5"), "404 Not found.");
  });
});

test("a host with its own Service Worker keeps it: the widget's worker does not register over it, and says so", async () => {
  await onSite("/", async (page, origin, context) => {
    await page.goto(`${origin}/host.html`);
    await page.waitForFunction(() => document.title === "registered");
    await page.goto(`${origin}/widget.html`);
    const widget = await widgetOn(page);
    assert.match(widget.problem, /the site has a Service Worker of its own for this page \(http:\/\/127\.0\.0\.1:\d+\/host-sw\.js\), which the widget's worker does not replace/);
    const scripts = await page.evaluate(() =>
      navigator.serviceWorker.getRegistrations().then((all) => all.map((r) => (r.active ?? r.waiting ?? r.installing)?.scriptURL)),
    );
    assert.deepEqual(scripts, [`${origin}/host-sw.js`]);
    assert.equal(await text(page, "/offline-check"), "200 the host's offline handler");
    // Visiting again changes nothing.
    await page.reload();
    await widgetOn(page);
    assert.equal(await text(page, "/offline-check"), "200 the host's offline handler");
  });
});

test("a host that adds a worker above the widget's folder later: the widget's own registration steps aside on the next visit", async () => {
  await onSite("/site/", async (page, origin, context) => {
    await page.goto(`${origin}/site/widget.html`);
    assert.equal((await widgetOn(page)).problem, null);
    await page.goto(`${origin}/host.html`);
    await page.waitForFunction(() => document.title === "registered");
    await page.goto(`${origin}/site/widget.html`);
    const widget = await widgetOn(page);
    assert.match(widget.problem, /a Service Worker of its own for this page/);
    const scopes = await page.evaluate(() => navigator.serviceWorker.getRegistrations().then((all) => all.map((r) => r.scope)));
    assert.deepEqual(scopes, [`${origin}/`]);
  });
});

test("the worker makes a body 64 KiB at a time as it is read: an unread 10 MB drip holds one piece, not 10 MB", async () => {
  await onSite("/site/", async (page, origin, context) => {
    await page.goto(`${origin}/site/widget.html`);
    assert.equal((await widgetOn(page)).problem, null);
    const [worker] = context.serviceWorkers();
    const pieces = await worker.evaluate(async () => {
      const sizes = [];
      for (const path of ["drip", "binary"]) {
        const response = await answer(new Request(`${API}${path}`), path, "?bytes=10000000&ms=0");
        const reader = response.body.getReader();
        const first = await reader.read();
        sizes.push([path, response.headers.get("content-length"), first.value.length]);
        await reader.cancel();
      }
      return sizes;
  });
  assert.deepEqual(pieces, [
    ["drip", "10000000", 65536],
    ["binary", "10000000", 65536],
  ]);
  });
});
