// async-demo-prerender (dist/prerender.mjs, written by `cargo xtask dist`,
// which `cargo xtask test` runs first) over sites of every kind: it finds
// the widgets a browser finds, writes their markup and nothing else (every
// other byte of every page is compared), never reads or writes outside the
// site, ends every page in bounded time, goes on after a bad one, names it
// and why, and needs no browser. The pre-rendered pages then work in one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, serveFolder } from "./browser.mjs";

const DIST = path.resolve(process.env.ASYNC_DEMO_DIST ?? fileURLToPath(new URL("../../dist/", import.meta.url)));
const TOOL = path.join(DIST, "prerender.mjs");
const TEMPLATE_OPEN = '<template shadowrootmode="open">';
const NOSCRIPT =
  '<noscript><span class="async-demo-noscript">The widget below runs Rust compiled to WebAssembly, which needs JavaScript: with JavaScript turned off, it can be read but not run.</span></noscript>\n';
const MODULE = '<script type="module" src="async-demo.js"></script>';
const WASM_PRELOAD = '<link rel="preload" href="pkg/async_demo_bg.wasm" as="fetch" type="application/wasm" crossorigin>';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A fresh folder with the widget's files in it, as the README tells a site to copy them. */
function newSite(prefix) {
  const site = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), `async-demo-${prefix}-`));
  execFileSync("cp", ["-r", ...["async-demo.js", "async-demo.css", "worker.js", "sw.js", "pkg"].map((f) => path.join(DIST, f)), site]);
  return site;
}

/** Runs the command, with no browser to be found (PATH holds only Node's folder, no $CHROMIUM). */
function prerender(args, options = {}) {
  const env = { PATH: path.dirname(process.execPath), HOME: process.env.HOME ?? "/tmp" };
  const started = Date.now();
  const run = spawnSync(process.execPath, [TOOL, ...args], { encoding: "utf8", timeout: 120_000, env, ...options });
  return { ...run, ms: Date.now() - started };
}

/**
 * `html` with what the pre-render adds taken out: the note before each
 * widget, ` data-prerendered` in its tag, the declarative shadow root after
 * it. Found by text here, independently of the tool's own bookkeeping.
 */
function withoutWidgets(html) {
  let out = html.split(NOSCRIPT).join("");
  out = out.replace(/ data-prerendered><template shadowrootmode="open">[\s\S]*?<\/template>/g, ">");
  return out;
}

/** Every file below `dir`, with its bytes (Buffers; names as latin1 so that any bytes survive). */
function snapshot(dir) {
  const files = new Map();
  const visit = (folder) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true, encoding: "buffer" })) {
      const file = Buffer.concat([Buffer.from(folder), Buffer.from("/"), entry.name]);
      if (entry.isDirectory()) visit(file);
      else if (entry.isFile()) files.set(file.toString("latin1"), fs.readFileSync(file));
      else files.set(file.toString("latin1"), entry.isSymbolicLink() ? `link → ${fs.readlinkSync(file)}` : "special");
    }
  };
  visit(Buffer.from(dir));
  return files;
}

test("the hostile corpus: every page byte for byte outside the widgets' markup, nothing outside the site touched, each bad page named, all in bounded time", async () => {
  const site = newSite("hostile");
  const outside = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), "async-demo-outside-"));
  try {
    const widget = (lesson, extra = "") => `<async-demo lesson="${lesson}"${extra}></async-demo>`;
    const page = (body, head = "") => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>${head}${MODULE}</head><body>${body}</body></html>\n`;
    // Pages and what each must come out as (its widgets, in order).
    const corpus = {
      // An apostrophe in an unquoted value before the wasm's preload.
      "feed.html": [
        page(`<h1>Bob</h1><p>First paragraph.</p>${widget("sleep")}<p>Last.</p>`, `<link rel=alternate type="application/rss+xml" title=Bob's-feed href="/feed">\n${WASM_PRELOAD}\n`),
        ["sleep"],
      ],
      // What looks like a tag but is not an element.
      "lookalikes.html": [
        page(
          `<img alt="the <!-- comment syntax" src="x.png"><title-bar>a custom element</title-bar><!-->` +
            `<meta content="How to embed <async-demo lesson=gather> in a page">` +
            `<script type="text/plain"><async-demo lesson="race"></async-demo> as text</script>` +
            `<textarea><async-demo lesson="race"></async-demo> example</textarea>` +
            `<noscript><async-demo lesson="race"></async-demo></noscript>` +
            `<template><async-demo lesson="race"></async-demo></template>` +
            `<svg><async-demo lesson="race"/></svg>` +
            `<!-- <async-demo lesson="race"> --><p>${widget("lazy")}</p>` +
            `<table><tr><td>cell</td></tr>${widget("gather", ' urls="http://e.test/a"')}</table>` +
            `<script>document.body.append(Object.assign(document.createElement("async-demo"), { lang: "en" }))</script>`,
        ),
        ["lazy", "gather"],
      ],
      // A page that would never load in a browser: no browser is involved.
      "busy.html": [page(`<script>while (true) {}</script><img src="http://10.255.255.1/never.png">${widget("sleep")}`), ["sleep"]],
      // Five hundred widgets.
      "many.html": [page(Array.from({ length: 500 }, (_, i) => widget(i % 2 ? "sleep" : "lazy", ` delay-ms="${i + 1}"`)).join("\n")), Array(500).fill(null)],
      // 31 MB of text around one widget.
      "big.html": [page(`<p>${"words and more words ".repeat(1_500_000)}</p>${widget("sleep")}`), ["sleep"]],
      // A page in a folder named like a page.
      "dir.html/inner.html": [page(widget("sleep")).replace('src="async-demo.js"', 'src="../async-demo.js"'), ["sleep"]],
      // Self-closing and upper-case tags, CRLF, a '>' in a value.
      "forms.html": [
        page(`<ASYNC-DEMO\r\n lesson=lazy\r\n delay-ms=200 autorun></ASYNC-DEMO><async-demo lesson="sleep" data-note="1 > 0"/>`),
        ["lazy", "sleep"],
      ],
    };
    const bad = {
      // A widget that cannot show its lesson: the page stays as it was.
      "misspelt.html": [page(widget("gahter")), /^misspelt\.html: widget 1 \(lesson="gahter"\): Attribute lesson="gahter" is not usable: expected one of lazy, /],
      "nolesson.html": [page("<async-demo></async-demo>"), /^nolesson\.html: widget 1 \(no lesson attribute\): This <async-demo> element has no lesson attribute/],
      // Not UTF-8.
      "latin1.html": [Buffer.concat([Buffer.from(page(widget("sleep")).replace("</body>", "")), Buffer.from([0xe9, 0x74, 0xe9]), Buffer.from("</body>")]), /^latin1\.html: not UTF-8, left as it was$/],
      // A page that does not load the module.
      "nomodule.html": [`<!doctype html><p>Text.</p>${widget("sleep")}\n`, /^nomodule\.html: it has widgets but no <script type="module" src="…async-demo\.js">/],
    };
    for (const [name, [html]] of Object.entries({ ...corpus, ...bad })) {
      fs.mkdirSync(path.dirname(path.join(site, name)), { recursive: true });
      fs.writeFileSync(path.join(site, name), html);
    }
    // A page whose name is not UTF-8.
    const oddName = Buffer.concat([Buffer.from(`${site}/odd-`), Buffer.from([0xff, 0xfe]), Buffer.from(".html")]);
    fs.writeFileSync(oddName, page(widget("sleep")));
    // Links: out of the site (a page, a folder, a secret), to nothing; a FIFO.
    fs.writeFileSync(path.join(outside, "victim.html"), page(widget("sleep")));
    fs.mkdirSync(path.join(outside, "folder"));
    fs.writeFileSync(path.join(outside, "folder/page.html"), page(widget("sleep")));
    fs.symlinkSync(path.join(outside, "victim.html"), path.join(site, "evil.html"));
    fs.symlinkSync(path.join(outside, "folder"), path.join(site, "linkdir"));
    fs.symlinkSync("/etc/hostname", path.join(site, "secret.txt"));
    fs.symlinkSync(path.join(site, "gone.html"), path.join(site, "dangling.html"));
    fs.symlinkSync(path.join(site, "feed.html"), path.join(site, "alias.html")); // inside: the same page, once
    execFileSync("mkfifo", [path.join(site, "pipe.html")]);

    const siteBefore = snapshot(site);
    const outsideBefore = snapshot(outside);
    const run = prerender([site]);
    assert.equal(run.status, 1, `${run.stdout}\n${run.stderr}`);
    assert.ok(run.ms < 60_000, `it took ${run.ms} ms`);
    const goodWidgets = Object.values(corpus).reduce((n, [, lessons]) => n + lessons.length, 0) + 1;
    assert.equal(run.stdout, `${site}: ${goodWidgets} widgets in ${Object.keys(corpus).length + 1} pages pre-rendered (declarative shadow roots; the wasm loads when a widget is near)\n`);
    const said = run.stderr.split("\n").filter(Boolean);
    for (const [name, [, reason]] of Object.entries(bad)) {
      assert.ok(said.some((line) => line.startsWith("not pre-rendered: ") && reason.test(line.slice("not pre-rendered: ".length))), `${name}: ${run.stderr}`);
    }
    for (const warning of [
      `warning: evil.html: a symbolic link out of the site (to ${outside}/victim.html), not followed`,
      `warning: linkdir: a symbolic link out of the site (to ${outside}/folder), not followed`,
      "warning: dangling.html: a symbolic link to nothing, left alone",
      "warning: pipe.html: not a regular file (a FIFO), left alone",
    ]) {
      assert.ok(said.includes(warning), `${warning}\nin:\n${run.stderr}`);
    }
    assert.equal(said.length, Object.keys(bad).length + 4, run.stderr);

    // Nothing outside the site changed; inside, only the good pages did.
    assert.deepEqual(snapshot(outside), outsideBefore);
    const siteAfter = snapshot(site);
    assert.deepEqual([...siteAfter.keys()].sort(), [...siteBefore.keys()].sort(), "no file added or removed");
    for (const [file, content] of siteAfter) {
      const name = Buffer.from(file, "latin1").toString("utf8").slice(site.length + 1);
      const expected = corpus[name] ?? (file === oddName.toString("latin1") ? [null, ["sleep"]] : null);
      if (!expected) {
        assert.deepEqual(content, siteBefore.get(file), `${name} is left as it was`);
        continue;
      }
      const html = content.toString("utf8");
      const plain = siteBefore.get(file).toString("utf8");
      // Byte for byte outside the inserted ranges (the wasm's preload goes).
      assert.equal(withoutWidgets(html), plain.replace(`${WASM_PRELOAD}`, ""), `${name}: only the widgets' markup changed`);
      const roots = html.split(` data-prerendered>${TEMPLATE_OPEN}`).length - 1;
      const rendered = [...html.matchAll(/<section class="demo" part="demo" data-prerendered="([a-z]+)"/g)].map((m) => m[1]);
      const lessons = expected[1];
      assert.equal(roots, lessons.length, name);
      assert.equal(rendered.length, lessons.length, name);
      lessons.forEach((lesson, i) => lesson && assert.equal(rendered[i], lesson, `${name}: widget ${i + 1}`));
    }
    // Run again: the same pages, the same bytes.
    const again = prerender([site]);
    assert.equal(again.status, 1);
    assert.deepEqual(snapshot(site), siteAfter, "a second run writes the same bytes");
    console.log(`# prerender hostile corpus: ${goodWidgets} widgets in ${Object.keys(corpus).length + 1} pages in ${run.ms} ms, ${Object.keys(bad).length} pages named and left alone, ${4} links and files left alone`);
  } finally {
    fs.rmSync(site, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test("pre-rendered pages in the browser: each declarative root on its own widget, the widgets run, a thousand on a page cost nothing until near", async () => {
  const site = newSite("browser");
  try {
    const thousand = Array.from({ length: 1000 }, (_, i) => `<p>Widget ${i}:</p><async-demo lesson="sleep" delay-ms="${i + 1}"></async-demo>`).join("\n");
    fs.writeFileSync(path.join(site, "thousand.html"), `<!doctype html><html lang="en"><meta charset="utf-8"><title>a thousand</title>${MODULE}<body>${thousand}</body></html>`);
    fs.writeFileSync(
      path.join(site, "page.html"),
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>page</title>${MODULE}<body><p>Before. <async-demo lesson="sleep" delay-ms="300" data-note="1 > 0"/></async-demo> After.</p>` +
        "<ASYNC-DEMO\r\n  lesson=lazy\r\n  delay-ms=200 autorun></ASYNC-DEMO></body></html>",
    );
    const run = prerender([site]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /: 1002 widgets in 2 pages pre-rendered/);
    console.log(`# prerender 1,000 widgets on one page: ${run.ms} ms for the command`);
    const server = await serveFolder(site, "/marked/");
    const context = await browser.newContext();
    try {
      const tab = await context.newPage();
      const at = `http://127.0.0.1:${server.address().port}/marked/`;
      await tab.goto(`${at}page.html`);
      const rendered = await tab.evaluate(() =>
        [...document.querySelectorAll("async-demo")].map((el) => [el.getAttribute("lesson"), el.shadowRoot?.querySelector(".demo")?.dataset.prerendered ?? "adopted"]),
      );
      assert.deepEqual(rendered.map(([lesson]) => lesson), ["sleep", "lazy"]);
      await tab.waitForFunction(() => document.querySelector('async-demo[lesson="lazy"]').dataset.state === "done", null, { timeout: 20_000 });
      const sleep = tab.locator('async-demo[lesson="sleep"]');
      await sleep.locator("button.run").click();
      await tab.waitForFunction((el) => el.dataset.state === "done", await sleep.elementHandle(), { timeout: 20_000 });
      // A thousand widgets: readable at once, and only those near the
      // viewport are adopted by the wasm.
      await tab.goto(`${at}thousand.html`);
      await tab.waitForFunction(() => document.querySelector("async-demo").shadowRoot.querySelector("button.run"));
      await tab.waitForTimeout(1000);
      const counts = await tab.evaluate(() => {
        const all = [...document.querySelectorAll("async-demo")];
        return {
          readable: all.filter((el) => el.shadowRoot?.querySelector("button.run")).length,
          adopted: all.filter((el) => !el.shadowRoot.querySelector("[data-prerendered]")).length,
        };
      });
      assert.equal(counts.readable, 1000);
      assert.ok(counts.adopted >= 1 && counts.adopted <= 10, JSON.stringify(counts));
      const last = tab.locator("async-demo").last();
      await last.scrollIntoViewIfNeeded();
      await tab.waitForFunction((el) => !el.shadowRoot.querySelector("[data-prerendered]"), await last.elementHandle(), { timeout: 20_000 });
      await last.locator("button.run").click();
      await tab.waitForFunction((el) => el.dataset.state === "done", await last.elementHandle(), { timeout: 20_000 });
      console.log(`# prerender 1,000 widgets in the browser: ${counts.adopted} adopted near the first screen`);
    } finally {
      await context.close();
      server.close();
    }
  } finally {
    fs.rmSync(site, { recursive: true, force: true });
  }
});

test("async-demo-prerender says what is wrong: bad use, a script outside the site (and the --base it needs), --module, no parse5", () => {
  let r = prerender([]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^usage: async-demo-prerender <site folder> \[--only <folder inside it>\] \[--base <path>\] \[--module <path>\]/);
  r = prerender([".", "--base", "project"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^--base project\/: a path from the host's root, as in \/project\//);
  r = prerender(["/nonexistent/site"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /\/nonexistent\/site is not a folder/);
  const site = newSite("says");
  try {
    r = prerender([site, "--only", "../elsewhere"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--only \.\.\/elsewhere is not inside/);
    fs.writeFileSync(path.join(site, "page.html"), "<p>x</p>");
    r = prerender([site, "--only", "page.html"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^--only page\.html: .* is not a folder/);
    fs.rmSync(path.join(site, "page.html"));
    // A project site: its pages load /proj/async-demo.js. Without --base the
    // command says which --base it needs, at once; with it, it works.
    fs.mkdirSync(path.join(site, "sub"));
    const based = '<!doctype html><meta charset="utf-8"><script type="module" src="/proj/async-demo.js"></script><async-demo lesson="sleep"></async-demo>';
    fs.writeFileSync(path.join(site, "sub/based.html"), based);
    r = prerender([site]);
    assert.equal(r.status, 1);
    assert.ok(r.ms < 20_000, `${r.ms} ms`);
    assert.match(r.stderr, /^not pre-rendered: sub\/based\.html: it loads \/proj\/async-demo\.js, and the site has no proj\/async-demo\.js: the site is published under \/proj\/, so run with --base \/proj\/$/m);
    assert.equal(fs.readFileSync(path.join(site, "sub/based.html"), "utf8"), based);
    r = prerender([site, "--only", "sub", "--base", "/proj"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.readFileSync(path.join(site, "sub/based.html"), "utf8").includes(`<async-demo lesson="sleep" data-prerendered>${TEMPLATE_OPEN}<link rel="stylesheet" href="../async-demo.css">`));
    // A page that loads the module by other means: --module says where it is.
    const bundled = '<!doctype html><meta charset="utf-8"><script src="bundle.js"></script><async-demo lesson="sleep"></async-demo>';
    fs.writeFileSync(path.join(site, "sub/bundled.html"), bundled);
    r = prerender([site, "--only", "sub", "--base", "/proj/"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /sub\/bundled\.html: it has widgets but no <script type="module" src="…async-demo\.js">: if it loads the widget another way, say where async-demo\.js is with --module <path inside the site>/);
    r = prerender([site, "--only", "sub", "--base", "/proj/", "--module", "async-demo.js"]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(fs.readFileSync(path.join(site, "sub/bundled.html"), "utf8").includes('<link rel="stylesheet" href="../async-demo.css">'));
    r = prerender([site, "--module", "nothere/async-demo.js"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^--module nothere\/async-demo\.js: .* does not exist/);
    // The command from the packed package, where no parse5 is installed.
    const unpacked = path.join(site, "unpacked");
    fs.mkdirSync(unpacked);
    const pkg = JSON.parse(fs.readFileSync(path.join(DIST, "package.json"), "utf8"));
    execFileSync("tar", ["-xzf", path.join(DIST, `${pkg.name}-${pkg.version}.tgz`), "-C", unpacked]);
    r = spawnSync(process.execPath, [path.join(unpacked, "package/prerender.mjs"), path.join(site, "sub")], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), "async-demo-prerender reads pages with parse5: npm install parse5");
  } finally {
    fs.rmSync(site, { recursive: true, force: true });
  }
});
