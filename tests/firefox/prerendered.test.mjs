// The static build's book in headless Firefox ESR: a docs chapter whose
// widget `cargo xtask dist` pre-rendered (a declarative shadow root in the
// HTML). Firefox shows the widget whole before any wasm, fetches none while
// the widget is far below, and once the widget is near, Rust rebuilds it in
// place and a click on Run runs the lesson. Served from dist/ under a
// sub-path by the suites' plain static file server, with the strict CSP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serveFolder } from "../e2e/browser.mjs";
import { launch, open, onWidget, runByClick, reportOf, sleep } from "./firefox.mjs";

const DIST = path.resolve(process.env.ASYNC_DEMO_DIST ?? fileURLToPath(new URL("../../dist/", import.meta.url)));
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
const served = [];
let server, driver, errors;

before(async () => {
  assert.ok(fs.existsSync(path.join(DIST, "docs/what-drives-a-future.html")), `${DIST} holds no static build: run cargo xtask dist first`);
  server = await serveFolder(DIST, "/site/", {
    headers: { "content-security-policy": CSP, "cache-control": "no-cache" },
    seen: (pathname) => served.push(pathname),
  });
  ({ driver, errors } = await launch());
});

after(async () => {
  await driver?.quit();
  server?.close();
});

test("a pre-rendered chapter: the widget is whole before the wasm, which loads when the widget is near, and then runs", async () => {
  const from = served.length;
  await open(driver, `http://127.0.0.1:${server.address().port}/site/docs/what-drives-a-future.html`);
  await sleep(1000);
  const first = await onWidget(
    driver,
    "lazy",
    `const root = el.shadowRoot;
     return { prerendered: !!root?.querySelector(".demo[data-prerendered]"), run: !!root?.querySelector("button.run"),
              code: root?.querySelector(".code .rust code")?.textContent ?? "", below: el.getBoundingClientRect().top - innerHeight };`,
  );
  assert.ok(first.below > 0, "the widget starts below the first screen");
  assert.equal(first.prerendered, true, "Firefox attached the declarative shadow root");
  assert.equal(first.run, true);
  assert.match(first.code, /\.await/);
  assert.deepEqual(served.slice(from).filter((p) => p.includes("/pkg/")), [], "no wasm while the widget is far");

  assert.equal(await runByClick(driver, "lazy"), "done");
  assert.ok(served.slice(from).some((p) => p.endsWith("/pkg/async_demo_bg.wasm")));
  const report = await reportOf(driver, "lazy");
  assert.ok(report.runs.length > 0 && report.runs.every((r) => r.tasks.length > 0), JSON.stringify(report));
  assert.deepEqual(errors, []);
});
