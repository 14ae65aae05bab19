// The docs book (cargo xtask docs, served at /docs/): its chapters embed
// live widgets, which run; every lesson appears in it, in
// learning order, each widget between two paragraphs; and every chapter passes an
// axe-core audit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { BASE, axeViolations, launch, openPage, reportOf, runByClick } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** The chapters' paths, in the book's order, read from its table of contents. */
async function chapters() {
  const toc = await (await fetch(`${BASE}/docs/toc.html`)).text();
  const paths = [...toc.matchAll(/href="([\w-]+\.html)"/g)].map((m) => `/docs/${m[1]}`);
  return [...new Set(paths)];
}

/** The lessons of the `<async-demo>` elements in a built page, in page order. */
function lessonsIn(html) {
  return [...html.matchAll(/<async-demo\s[^>]*lesson="([\w-]+)"/g)].map((m) => m[1]);
}

test("a chapter's widgets run from inside the book", async () => {
  const { page, errors } = await openPage(browser, "/docs/waiting-without-blocking.html");
  assert.match(await page.title(), /Waiting without blocking/);
  assert.deepEqual(await page.$$eval("async-demo", (els) => els.map((e) => e.getAttribute("lesson"))), ["sleep", "blocking"]);
  const sleep = await runByClick(page, "sleep");
  assert.equal(await sleep.getAttribute("data-state"), "done");
  assert.ok((await reportOf(sleep)).runs[0].totalMs >= 1500);
  const blocking = await runByClick(page, "blocking");
  const [blocked, awaited] = (await reportOf(blocking)).runs;
  assert.ok(blocked.longestFrameGapMs >= 950 && awaited.longestFrameGapMs < 400, `${blocked.longestFrameGapMs} vs ${awaited.longestFrameGapMs}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the gather chapter downloads from the dev server", async () => {
  const { page } = await openPage(browser, "/docs/many-at-once.html");
  const host = await runByClick(page, "gather");
  const [seq, con] = (await reportOf(host)).runs;
  assert.deepEqual(con.tasks.map((t) => t.state), ["done", "done", "done"]);
  assert.ok(seq.totalMs > con.totalMs * 1.5);
  await page.close();
});

test("the executor chapter's widget shows a never-polled future next to an awaited one", async () => {
  const { page, errors } = await openPage(browser, "/docs/what-drives-a-future.html");
  assert.match(await page.title(), /What drives a future/);
  const [kept, awaited] = (await reportOf(await runByClick(page, "lazy"))).runs;
  assert.equal(kept.tasks[0].polls, 0);
  assert.equal(awaited.tasks[0].state, "done");
  assert.ok(awaited.tasks[0].polls >= 2 && awaited.tasks[0].wakes >= 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the build-it chapter shows the crate's own code, and its widgets show the polls and wakes its text says", async () => {
  const { page, errors } = await openPage(browser, "/docs/build-it.html");
  const code = await page.locator("main pre code").allTextContents();
  // The included files: the timer's poll and fire, the async fn and its state machine.
  for (const [what, text] of [["Sleep's poll", "impl Future for Sleep"], ["fire", "fn fire(deadline: u64)"], ["the async fn", "pub async fn two_naps"], ["the enum", "pub enum TwoNaps"]]) {
    assert.ok(code.some((c) => c.includes(text)), `${what} is not in the chapter`);
  }
  assert.ok(!code.some((c) => c.includes("ANCHOR")), "an anchor line was shown");
  await page.waitForFunction(() => [...document.querySelectorAll("async-demo")].every((el) => el.shadowRoot?.querySelector("button.run")));
  const hosts = page.locator('async-demo[lesson="sandbox"]');
  assert.equal(await hosts.count(), 3);
  const run = async (i) => {
    const host = hosts.nth(i);
    await host.scrollIntoViewIfNeeded();
    await host.locator("button.run").click();
    await page.waitForFunction((el) => !["running", "idle"].includes(el.dataset.state), await host.elementHandle(), { timeout: 30_000 });
    const [only] = (await host.evaluate((el) => el.report())).runs;
    return only.tasks;
  };
  // A timer: 2 polls, 1 wake.
  const [nap] = await run(0);
  assert.deepEqual([nap.label, nap.state, nap.polls, nap.wakes], ["sleep(300)", "done", 2, 1]);
  // Two naps: the second starts where the first ends (same poll).
  const [first, second] = await run(1);
  assert.deepEqual([first.polls, first.wakes, second.polls, second.wakes], [2, 1, 2, 1]);
  assert.ok(second.startMs >= first.startMs + 299, `${JSON.stringify(first)} / ${JSON.stringify(second)}`);
  // Three wakes: 2 polls of the join! when one timer woke all three, 3 when two timers did.
  const join = (await run(2)).find((t) => t.label.startsWith("join!"));
  assert.equal(join.wakes, 3);
  assert.ok(join.polls === 2 || join.polls === 3, JSON.stringify(join));
  // The exercise: one sleep of 301 ms has a timer of its own, so at least 3 polls.
  await hosts.nth(2).evaluate((el) => el.setAttribute("program", "join!(sleep(300), sleep(300), sleep(301));"));
  const changed = (await run(2)).find((t) => t.label.startsWith("join!"));
  assert.equal(changed.wakes, 3);
  assert.ok(changed.polls >= 3, JSON.stringify(changed));
  console.log(`# build-it: join! ${join.polls} polls for ${join.wakes} wakes; with 301 ms ${changed.polls} polls`);
  assert.deepEqual(errors, []);
  await page.close();
});

// The book's learning order: experience first (a timer, then downloads
// together), then what drives a future and building one (with small
// programs in the sandbox), then the rest in the article's order.
const LEARNING = ["sleep", "blocking", "gather", "many", "lazy", "sandbox", "mistakes", "bridge", "race", "timeout", "cancel", "limit", "errors", "progress", "input", "worker"];

test("every lesson appears in the book, in learning order, each widget between two paragraphs", async () => {
  const paths = await chapters();
  assert.ok(paths.length >= 9, `the table of contents lists ${paths.length} chapters`);
  const seen = [];
  const bare = [];
  for (const path of paths) {
    const response = await fetch(BASE + path);
    assert.equal(response.status, 200, path);
    const html = await response.text();
    seen.push(...lessonsIn(html));
    // A sentence before each widget (what to try) and one after it (what to notice).
    // (mdBook puts each widget in a paragraph of its own.)
    for (const m of html.matchAll(/([\s\S]{0,16})<async-demo\s[^>]*lesson="([\w-]+)"[^>]*><\/async-demo>(?:<\/p>)?\s*(<\w+)/g)) {
      if (!/<\/p>\s*(<p>)?$/.test(m[1]) || m[3] !== "<p") bare.push(`${path}: ${m[2]}`);
    }
  }
  const { page } = await openPage(browser, "/docs/what-drives-a-future.html");
  const names = await page.evaluate(async () => {
    const wasm = await import(new URL("../pkg/async_demo.js", location.href).href);
    await wasm.default({ module_or_path: new URL("../pkg/async_demo_bg.wasm", location.href) });
    return wasm.lessonNames();
  });
  await page.close();
  const missing = names.filter((n) => !seen.includes(n));
  assert.deepEqual(missing, [], `lessons missing from the book: ${missing.join(", ")}`);
  const firsts = seen.filter((n, i) => seen.indexOf(n) === i && names.includes(n));
  assert.deepEqual([...firsts].sort(), [...names].sort(), "the book shows every lesson once first");
  assert.deepEqual(firsts, LEARNING, "the book shows the lessons in learning order");
  // The glossary is an appendix: the last page of the book.
  assert.ok(paths.at(-1).endsWith("glossary.html"), `the book ends with ${paths.at(-1)}`);
  assert.deepEqual(bare, [], "widgets without a paragraph right before and right after them");
});

/** A chapter's page, ready: its widgets (if it has any) are defined. */
async function openChapter(path, width = 1280) {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  await page.goto(BASE + path);
  if ((await page.locator("async-demo").count()) > 0) {
    await page.waitForFunction(() => customElements.get("async-demo") !== undefined);
  }
  return page;
}

test("a link to a chapter is named by the chapter's title", () => {
  const src = path.join(import.meta.dirname, "../../docs/src");
  const files = fs.readdirSync(src).filter((f) => f.endsWith(".md"));
  const titles = Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(src, f), "utf8").match(/^# (.+)$/m)?.[1]]));
  const wrong = [];
  for (const file of files) {
    for (const [, text, target] of fs.readFileSync(path.join(src, file), "utf8").matchAll(/\[([^\]]+)\]\(([\w-]+\.md)(?:#[\w-]*)?\)/g)) {
      if (file !== "SUMMARY.md" || target !== "introduction.md") {
        if (text !== titles[target]) wrong.push(`${file}: [${text}](${target}), titled "${titles[target]}"`);
      }
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(Object.keys(titles).length >= 10);
});

test("no docs chapter has serious or critical axe violations, wide or narrow", async () => {
  const found = [];
  for (const path of await chapters()) {
    // 360 px: wide code and tables scroll sideways there, and must be reachable by keyboard.
    for (const width of [1280, 360]) {
      const page = await openChapter(path, width);
      if (width === 1280 && path.endsWith("what-drives-a-future.html")) await runByClick(page, "lazy");
      const violations = (await axeViolations(page)).map(({ id, impact, nodes, where }) => ({ id, impact, nodes, where }));
      console.log(`# axe ${path} at ${width} px: ${JSON.stringify(violations)}`);
      found.push(...violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => ({ path, width, ...v })));
      await page.close();
    }
  }
  assert.deepEqual(found, []);
});
