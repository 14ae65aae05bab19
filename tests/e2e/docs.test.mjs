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

test("every chapter with a widget has a change-this-and-explain exercise, and each one shows what its answer says", async () => {
  const src = path.join(import.meta.dirname, "../../docs/src");
  const without = fs
    .readdirSync(src)
    .filter((f) => f.endsWith(".md"))
    .filter((f) => {
      const text = fs.readFileSync(path.join(src, f), "utf8");
      return text.includes("<async-demo") && !text.includes("**Change this and explain.**");
    });
  assert.deepEqual(without, [], "chapters with widgets and no exercise");

  /** Opens `chapter`, sets `attributes` on its widget `selector`, runs it; the report's runs. */
  const exercise = async (chapter, selector, attributes, expected = null) => {
    const { page, errors } = await openPage(browser, `/docs/${chapter}.html`);
    const host = page.locator(selector).first();
    await page.waitForFunction((el) => el.shadowRoot?.querySelector("button.run"), await host.elementHandle());
    await host.evaluate((el, attrs) => Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v)), attributes);
    await host.scrollIntoViewIfNeeded();
    await host.locator("button.run").click();
    await page.waitForFunction((el) => !["running", "idle"].includes(el.dataset.state), await host.elementHandle(), { timeout: 60_000 });
    const { runs } = await host.evaluate((el) => el.report());
    // (A download answered HTTP 500 on purpose: the browser says so in the console.)
    assert.deepEqual(errors.filter((e) => !expected?.test(e)), [], chapter);
    await page.close();
    return runs;
  };
  const row = (run, label) => run.tasks.find((t) => t.label.startsWith(label)) ?? assert.fail(`${run.name}: no row ${label}: ${run.tasks.map((t) => t.label)}`);

  // A timer of 0 ms is still a wait: 2 polls, 1 wake.
  const [hello] = await exercise("waiting-without-blocking", 'async-demo[lesson="sleep"]', { "delay-ms": "0" });
  assert.deepEqual([row(hello, "say_hello").polls, row(hello, "say_hello").wakes], [2, 1]);
  // A Promise of nothing: both rows still 2 polls, 1 wake.
  const bridged = await exercise("futures-and-promises", 'async-demo[lesson="bridge"]', { "delay-ms": "0" });
  for (const run of bridged) assert.deepEqual(run.tasks.map((t) => [t.polls, t.wakes]), [[2, 1]], run.name);
  // The blocker joined first pays block + delay; joined last, block only.
  const mistakes = await exercise("mistakes", 'async-demo[lesson="mistakes"]', { "block-ms": "1500", "delay-ms": "500" });
  const first = mistakes.find((r) => r.name === "one task blocks");
  const last = mistakes.find((r) => r.name === "the blocker joined last");
  assert.ok(first.totalMs >= 2000 && first.totalMs < 3000, `one task blocks: ${first.totalMs}`);
  assert.ok(last.totalMs >= 1500 && last.totalMs < 2000, `the blocker joined last: ${last.totalMs}`);
  assert.ok(row(last, "task 1").endMs >= 1490, JSON.stringify(row(last, "task 1")));
  // The error finishes first, and wins.
  const [race] = await exercise("beyond-gather", 'async-demo[lesson="race"]', {
    urls: "async-demo-api/delay/1500 async-demo-api/status/500 async-demo-api/delay/3000",
  }, /status of 500 \(Internal Server Error\)/);
  assert.deepEqual(race.tasks.map((t) => t.state), ["cancelled", "error", "cancelled"]);
  // The busy loop joined last: the sleeps set their timers before it (first
  // polled no later than the loop) and end only after it, though due at 200 ms.
  const [joined] = await exercise("your-own-program", 'async-demo[lesson="sandbox"]', { program: "join!(sleep(200), sleep(200), block(300));" });
  const sleeps = joined.tasks.filter((t) => t.label === "sleep(200)");
  const loop = row(joined, "block(300)");
  assert.equal(sleeps.length, 2);
  for (const t of sleeps) assert.ok(t.startMs <= loop.startMs && t.endMs >= loop.endMs, `${JSON.stringify(t)} / ${JSON.stringify(loop)}`);
  // A future never polled: the run lasts delay-ms all the same, with 0 polls.
  const [kept] = await exercise("what-drives-a-future", 'async-demo[lesson="lazy"]', { "delay-ms": "3000" });
  assert.ok(kept.totalMs >= 3000, `${kept.totalMs}`);
  assert.deepEqual(kept.tasks.map((t) => t.polls), [0]);
  // One place: one download after another, each starting where the last ended.
  const [one] = await exercise("limits-failures-progress", 'async-demo[lesson="limit"]', { concurrency: "1" });
  const downloads = one.tasks.filter((t) => t.label.startsWith("download "));
  assert.equal(downloads.length, 12);
  for (let i = 1; i < downloads.length; i++) assert.ok(downloads[i].startMs >= downloads[i - 1].endMs - 1, JSON.stringify(downloads.slice(i - 1, i + 1)));
  assert.ok(one.totalMs >= 4800, `${one.totalMs}`);
  // A count of 3 s on the page's thread delays the heartbeat by the count; in a worker it does not.
  const [onPage, inWorker] = await exercise("when-async-does-not-help", 'async-demo[lesson="worker"]', { "work-ms": "3000" });
  const [count, beat] = [row(onPage, "count_primes"), row(onPage, "heartbeat")];
  assert.ok(beat.endMs >= count.endMs, `main thread: heartbeat ${beat.endMs}, count ${count.endMs}`);
  const [away, free] = [row(inWorker, "in a Web Worker"), row(inWorker, "heartbeat")];
  assert.ok(free.endMs < away.endMs - 1000, `web worker: heartbeat ${free.endMs}, count ${away.endMs}`);
  console.log(`# exercises: lazy ${Math.round(kept.totalMs)} ms; limit 1 ${Math.round(one.totalMs)} ms; heartbeat ${Math.round(beat.endMs)} / ${Math.round(free.endMs)} ms`);
  console.log(`# exercises: mistakes ${Math.round(first.totalMs)} / ${Math.round(last.totalMs)} ms; block last ${Math.round(joined.totalMs)} ms, sleeps end ${sleeps.map((t) => Math.round(t.endMs))}`);
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

test("no word of the introduction's box of terms is used in the book before the box", () => {
  const src = path.join(import.meta.dirname, "../../docs/src");
  const order = [...fs.readFileSync(path.join(src, "SUMMARY.md"), "utf8").matchAll(/\]\(([\w-]+\.md)\)/g)].map((m) => m[1]);
  assert.equal(order[0], "introduction.md", "the book opens with the introduction");
  const intro = fs.readFileSync(path.join(src, "introduction.md"), "utf8");
  const box = intro.indexOf("\n| word |");
  assert.ok(box > 0, "the introduction has its box of terms (a table whose first column is `word`)");
  // The words the box defines, as they are bolded in it, and their forms.
  const rows = intro.slice(box).split("\n\n")[0];
  const terms = [...rows.matchAll(/^\| \*\*(\w+)\*\*(?:, \*\*(\w+)\*\*)? \|/gm)].flatMap((m) => m.slice(1).filter(Boolean));
  assert.deepEqual(terms.sort(), ["combinator", "drop", "executor", "future", "poll", "task", "wake", "waker"]);
  const before = intro.slice(0, box);
  const used = terms.flatMap((term) => [...before.matchAll(new RegExp(`\\b${term}(s|ed|ing|d|ped|ping)?\\b`, "gi"))].map((m) => `${term}: "${m[0]}" at line ${before.slice(0, m.index).split("\n").length}`));
  assert.deepEqual(used, [], "terms of the box used before it");
});
