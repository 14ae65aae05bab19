// async-demo-csp (dist/csp.mjs) over a small site made to trip it: it hashes
// the inline scripts a browser runs (classic, module, importmap), not a
// <script> in a comment, in an attribute's text or of a data type; it turns
// style-src to 'unsafe-inline' only for style attributes, adds img-src data:
// for data: icons, names inline event handlers and other origins' stylesheets; and the policy it prints,
// served as the header, lets Chromium run exactly those scripts: every
// inline script runs, the handler does not, and the only violations
// reported are the handler's and the other origin's stylesheet's. (The four generators' sites are served with it in
// tests/e2e/generators.test.mjs.)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, serveFolder } from "./browser.mjs";

const DIST = path.resolve(process.env.ASYNC_DEMO_DIST ?? fileURLToPath(new URL("../../dist/", import.meta.url)));
const TOOL = path.join(DIST, "csp.mjs");

let browser, site;

before(async () => {
  browser = await launch();
  site = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "async-demo-csp-"));
  fs.writeFileSync(
    path.join(site, "index.html"),
    `<!doctype html><html><head><meta charset="utf-8"><title>t</title>
<script>window.ran = ["classic"];</script>
<script type="application/json" id="config">{"not": "run"}</script>
<!-- <script>window.ran.push("comment")</script> -->
<script type="importmap">{"imports": {}}</script>
<link rel="stylesheet" href="https://fonts.example.com/css?family=Roboto">
<link rel="stylesheet" href="style.css">
</head><body>
<p title="<script>window.ran.push('attribute')</script>">text</p>
<script type="module">window.ran.push("module");</script>
<button id="b" onclick="window.ran.push('handler')">b</button>
</body></html>`,
  );
  fs.mkdirSync(path.join(site, "deep"));
  // The same classic script again (one hash), and a second one in a subfolder.
  fs.writeFileSync(
    path.join(site, "deep/page.html"),
    `<!doctype html><meta charset="utf-8"><title>u</title><script>window.ran = ["classic"];</script><script>window.ran.push("deep");</script><p>u</p>`,
  );
});

after(async () => {
  await browser?.close();
  if (site) fs.rmSync(site, { recursive: true, force: true });
});

const csp = (...args) => spawnSync("node", [TOOL, ...args], { encoding: "utf8" });

test("hashes the scripts a browser runs, and nothing else; names the handler", () => {
  const run = csp(site, "--json");
  assert.equal(run.status, 0, run.stderr);
  const found = JSON.parse(run.stdout);
  assert.equal(found.pages, 2);
  // classic (twice, one hash), importmap, module, deep: 4 distinct.
  assert.equal(Object.keys(found.scripts).length, 4, JSON.stringify(found.scripts));
  assert.equal(found.styleAttributes, 0);
  assert.equal(found.dataUrls, false);
  assert.deepEqual(found.handlers, [`index.html: <button onclick="window.ran.push('handler')">`]);
  assert.match(found.policy, /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval'( 'sha256-[\w+/=]+'){4}; style-src 'self'$/);
  assert.match(run.stderr, /blocked by this policy: index\.html: <button onclick=/);
  assert.match(run.stderr, /2 pages, 4 distinct inline scripts/);
  assert.deepEqual(found.external, { "https://fonts.example.com": ["index.html: <link>"] }, "the page's own style.css is no other origin");
  assert.match(run.stderr, /blocked by this policy: 1 script or stylesheet from https:\/\/fonts\.example\.com \(first: index\.html: <link>\); turn it off/);
});

test("style attributes turn style-src to 'unsafe-inline' (no hashes), data: icons add img-src data:", () => {
  const other = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "async-demo-csp-"));
  try {
    fs.writeFileSync(path.join(other, "a.html"), `<!doctype html><style>p{}</style><p style="color: red">a</p>`);
    fs.writeFileSync(path.join(other, "site.css"), `.icon { mask-image: url("data:image/svg+xml;charset=utf-8,<svg/>"); }`);
    const run = csp(other);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }
});

test("bad use gets a sentence and status 2", () => {
  const none = csp();
  assert.equal(none.status, 2);
  assert.match(none.stderr, /^usage: async-demo-csp <site folder>/);
  const missing = csp(path.join(site, "nowhere"));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nowhere is not a folder/);
});

test("served with the policy it prints, Chromium runs every inline script, and blocks what the command named", async () => {
  const policy = csp(site).stdout.trim();
  const server = await serveFolder(site, "/s/", { headers: { "content-security-policy": policy } });
  const page = await browser.newPage();
  const violations = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/.test(m.text())) violations.push(m.text());
  });
  try {
    const at = `http://127.0.0.1:${server.address().port}/s/`;
    await page.goto(at);
    await page.waitForFunction(() => window.ran?.includes("module"));
    await page.click("#b");
    await page.waitForTimeout(200);
    assert.deepEqual(await page.evaluate(() => window.ran), ["classic", "module"]);
    // Blocked: exactly what the command named, the other origin's
    // stylesheet and the handler.
    assert.equal(violations.length, 2, violations.join("\n"));
    assert.match(violations[0], /stylesheet 'https:\/\/fonts\.example\.com\//);
    assert.match(violations[1], /inline event handler/);
    await page.goto(`${at}deep/page.html`);
    assert.deepEqual(await page.evaluate(() => window.ran), ["classic", "deep"]);
    assert.equal(violations.length, 2, violations.join("\n"));
  } finally {
    await page.close();
    server.close();
  }
});
