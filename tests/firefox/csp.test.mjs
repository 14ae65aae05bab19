// The playground under a strict Content-Security-Policy in headless Firefox
// ESR: the widgets, the wasm and the worker lesson's Web Worker load and run
// without a single violation. Firefox over WebDriver cannot rewrite responses
// as Playwright does in tests/e2e/csp.test.mjs, and the dev server has no
// switch for the header, so this test puts a small proxy of its own on
// another loopback port: every answer of the dev server, documents, module
// scripts, the worker's script, wasm and /api alike, passed through with the
// policy header added.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { BASE, addInitScript, launch, open, reportOf, runByClick } from "./firefox.mjs";

const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";
let driver, errors, proxy, proxied;

/** A proxy to the dev server on a free loopback port that adds the policy to every answer. */
function startProxy() {
  const upstream = new URL(BASE);
  const server = http.createServer((req, res) => {
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port || 80,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent: false,
      },
      (answer) => {
        res.writeHead(answer.statusCode, { ...answer.headers, "content-security-policy": CSP });
        answer.pipe(res);
      },
    );
    forward.on("error", (e) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`the proxy could not reach the dev server: ${e.message}`);
    });
    // A request the page aborts is aborted upstream too.
    res.on("close", () => {
      if (!res.writableFinished) forward.destroy();
    });
    req.pipe(forward);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

before(async () => {
  proxy = await startProxy();
  proxied = `http://127.0.0.1:${proxy.address().port}`;
  ({ driver, errors } = await launch());
  await addInitScript(driver, () => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await open(driver, `${proxied}/`);
});

after(async () => {
  await driver?.quit();
  proxy?.closeAllConnections?.();
  proxy?.close();
});

test("the page really carries the policy", async () => {
  const r = await fetch(`${proxied}/`);
  assert.equal(r.headers.get("content-security-policy"), CSP);
  assert.equal(await driver.executeScript("return location.origin;"), proxied);
});

test("under a strict CSP the worker lesson runs its Web Worker and gather fetches, with no violation", async () => {
  const started = Date.now();
  assert.equal(await runByClick(driver, "worker"), "done");
  const [main, inWorker] = (await reportOf(driver, "worker")).runs;
  assert.ok(main.tasks.every((t) => t.state === "done"), JSON.stringify(main.tasks.map((t) => t.state)));
  const count = inWorker.tasks.find((t) => t.label.includes("Web Worker"));
  assert.equal(count.state, "done", count.error ?? "");
  console.log(`# firefox csp worker: done in ${Date.now() - started} ms (${count.result})`);
  const gatherStarted = Date.now();
  assert.equal(await runByClick(driver, "gather"), "done");
  const runs = (await reportOf(driver, "gather")).runs;
  assert.ok(runs.every((r) => r.tasks.every((t) => t.state === "done")));
  console.log(`# firefox csp gather: done in ${Date.now() - gatherStarted} ms`);
  assert.deepEqual(await driver.executeScript("return window.__violations;"), []);
  assert.deepEqual(errors, []);
});

test("the policy is really in force: an inline script is refused, with one violation", async () => {
  const ran = await driver.executeAsyncScript(`
    const done = arguments[arguments.length - 1];
    const script = document.createElement("script");
    script.textContent = "window.inlineRan = true";
    document.head.append(script);
    setTimeout(() => done(window.inlineRan === true), 100);`);
  assert.equal(ran, false);
  const violations = await driver.executeScript("return window.__violations;");
  assert.equal(violations.length, 1, JSON.stringify(violations));
  assert.match(violations[0], /^script-src/);
  console.log(`# firefox csp: the inline script was refused (${violations[0]})`);
});
