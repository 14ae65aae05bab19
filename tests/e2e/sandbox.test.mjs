// The sandbox as a reader and a docs author use it, in the playground's
// section 16: a program typed with the keyboard alone, run for real (its
// futures in the report, labelled as typed), stepped to its end with the
// program's own lines lit, its permalink, what the checker says, an
// example's question graded by the run, the editor's text over its
// highlighted lines, and axe.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { BASE, axeViolations, launch, openPage, reportOf } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const TYPED = [
  "let quick = fetch(\"async-demo-api/delay/150\");",
  "let slow = fetch(\"async-demo-api/delay/300\");",
  "let (a, b) = join!(quick, slow);",
  "println!(\"{} and {}\", a?, b?);",
  "sleep(100).await;",
].join("\n");

/** The playground, with the sandbox's widget mounted and in view. */
async function sandbox(path = "/") {
  const { page, errors } = await openPage(browser, path);
  const host = page.locator('async-demo[lesson="sandbox"]');
  await host.locator("textarea.editor-input").waitFor();
  await host.scrollIntoViewIfNeeded();
  return { page, errors, host };
}

test("typed with the keyboard alone, a program runs for real: one task per future, labelled as typed; undo works", async () => {
  const { page, errors, host } = await sandbox();
  // Reach the editor by Tab from the widget's first control, as a keyboard user does.
  await host.locator("button.preset").first().focus();
  let tabs = 0;
  while (!(await host.evaluate((el) => el.shadowRoot.activeElement?.localName === "textarea")) && tabs++ < 40) await page.keyboard.press("Shift+Tab");
  assert.ok(tabs < 40, "Shift+Tab never reached the editor");
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // Typed line by line: Enter is a newline in the editor, not a submit.
  for (const [i, line] of TYPED.split("\n").entries()) {
    if (i > 0) await page.keyboard.press("Enter");
    await page.keyboard.type(line);
  }
  assert.equal(await host.getAttribute("program"), TYPED, "the typed text is the program attribute");
  assert.equal(await host.locator(".diagnostics").textContent(), "", "the checker has nothing to say");
  const twins = await host.evaluate((el) => el.twins());
  assert.equal(twins.rust, TYPED);
  assert.match(twins.python, /quick = fetch\("async-demo-api\/delay\/150"\)/);
  assert.match(twins.python, /await asyncio\.gather\(quick, slow, return_exceptions=True\)/);
  assert.match(twins.javascript, /const quick = fetchText\("async-demo-api\/delay\/150"\);/);
  // The highlighted lines under the editor are the program's.
  assert.deepEqual(await host.locator(".editor-view .line").allTextContents(), TYPED.split("\n"));

  // Run, by keyboard: Tab on to the Run button.
  while (!(await host.evaluate((el) => el.shadowRoot.activeElement?.classList.contains("run"))) && tabs++ < 80) await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle(), { timeout: 20_000 });
  const [run] = (await reportOf(host)).runs;
  assert.equal(run.name, "program");
  assert.deepEqual(
    run.tasks.map((t) => [t.label, t.state]),
    [
      ['fetch("async-demo-api/delay/150")', "done"],
      ['fetch("async-demo-api/delay/300")', "done"],
      ["join!(quick, slow)", "done"],
      ["sleep(100)", "done"],
    ],
  );
  const [quick, slow, join, sleep] = run.tasks;
  // The two downloads overlapped under join!, and the sleep came after both.
  assert.ok(quick.startMs < slow.endMs && slow.startMs < quick.endMs, JSON.stringify([quick, slow]));
  assert.ok(sleep.startMs >= join.endMs - 1 && sleep.endMs - sleep.startMs >= 99, JSON.stringify([join, sleep]));
  assert.ok(run.totalMs >= 390 && run.totalMs < 5000, `${run.totalMs} ms`);

  // Undo, in the editor: the last typed characters go, and the attribute follows.
  await host.locator("textarea.editor-input").focus();
  await page.keyboard.press("Control+End");
  await page.keyboard.type(" // done");
  assert.ok((await host.getAttribute("program")).endsWith(" // done"));
  await page.keyboard.press("Control+Z");
  await page.waitForFunction((el) => !el.getAttribute("program").endsWith(" // done"), await host.elementHandle(), { timeout: 2000 });
  assert.equal(await host.locator("textarea.editor-input").inputValue(), await host.getAttribute("program"));
  assert.deepEqual(errors, []);
  await page.close();
});

test("stepped to its end: each step polls an outermost future, lights the line where the program wrote it, and the polls add up", async () => {
  const { page, errors, host } = await sandbox();
  await host.evaluate((el, program) => el.setAttribute("program", program), TYPED);
  const lines = TYPED.split("\n");
  const out = await host.evaluate(async (el) => {
    const running = el.run({ step: true });
    const steps = [];
    for (;;) {
      const step = await Promise.race([el.step().catch((e) => e.message), new Promise((r) => setTimeout(() => r("no step within 10 s"), 10_000))]);
      if (typeof step === "string") {
        steps.push(step);
        break;
      }
      // The view draws the step on its next frame.
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const lit = [...el.shadowRoot.querySelectorAll(".editor-view .line.polled")].map((l) => Number(l.dataset.n));
      steps.push({ ...step, lit });
    }
    const report = await running;
    return { steps, report };
  });
  const end = out.steps.pop();
  assert.match(end, /not being stepped any more/);
  const polls = out.report.runs[0].tasks.reduce((n, t) => n + t.polls, 0);
  const inside = out.steps.reduce((n, s) => n + s.inside.length, 0);
  assert.equal(out.steps.length + inside, polls, "the steps and the polls inside them are the run's polls");
  for (const [i, step] of out.steps.entries()) {
    // The line where the stepped future was written, in the program as typed.
    assert.ok(lines[step.line - 1].includes(step.label), `${step.label} on line ${step.line}: ${lines[step.line - 1]}`);
    // The last step ends the run, and a finished run lights nothing.
    if (i === out.steps.length - 1) {
      assert.deepEqual(step.lit, [], "nothing is lit once the run is over");
      continue;
    }
    assert.ok(step.lit.includes(step.line), `line ${step.line} lit for ${step.label}: ${step.lit}`);
    for (const polled of step.inside) {
      assert.ok(lines[polled.line - 1].includes(polled.label.split("(")[0]), `${polled.label} on line ${polled.line}`);
      assert.ok(step.lit.includes(polled.line), `line ${polled.line} lit for ${polled.label} polled inside: ${step.lit}`);
    }
    // Its `.await` (or join!, which awaits its own) is on a line of the program.
    assert.match(lines[step.awaitLine - 1], /\.await|join!\(/, `${step.label} awaited at line ${step.awaitLine}`);
  }
  assert.deepEqual([...new Set(out.steps.map((s) => s.label))], ["join!(quick, slow)", "sleep(100)"]);
  assert.ok(out.steps[0].inside.length === 2, "join!'s first poll polls both downloads");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the program travels in the permalink, and comes back from it", async () => {
  const { page, host } = await sandbox();
  await host.evaluate((el, program) => el.setAttribute("program", program), TYPED);
  await page.waitForFunction(() => location.hash.startsWith("#sandbox?program="));
  const hash = await page.evaluate(() => location.hash);
  await page.close();
  const again = await sandbox(`/${hash}`);
  assert.equal(await again.host.getAttribute("program"), TYPED);
  assert.equal(await again.host.locator("textarea.editor-input").inputValue(), TYPED);
  assert.deepEqual(await again.host.locator(".editor-view .line").allTextContents(), TYPED.split("\n"));
  assert.deepEqual(again.errors, []);
  await again.page.close();
});

test("a program rustc would refuse is said with a caret, and run() rejects with the same sentence: nothing runs", async () => {
  const { page, errors, host } = await sandbox();
  const program = "let a = sleep(100);\nlet b = fetch(\"async-demo-api/delay/100\")?;\njoin!(a, b);";
  await host.evaluate((el, program) => el.setAttribute("program", program), program);
  const said = await host.locator(".diagnostics").textContent();
  const first = "2:9: error[E0277]: the `?` operator can only be applied to values that implement `Try`.";
  assert.equal(said.split("\n")[0], first);
  assert.match(said, /\n2 \| let b = fetch\("async-demo-api\/delay\/100"\)\?;\n {2}\| {9}\^/);
  const before = await (await fetch(`${BASE}/async-demo-api/stats`)).json();
  const outcome = await host.evaluate((el) => el.run().then(() => "ran", (e) => e.message));
  assert.equal(outcome, first);
  const after = await (await fetch(`${BASE}/async-demo-api/stats`)).json();
  assert.equal(after.started, before.started, "no request was made");
  assert.equal(await host.getAttribute("data-state"), "error");
  assert.match(await host.evaluate((el) => el.twins().python), /does not compile yet/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("busy loops are limited per run, not per call; a long printed line wraps inside the widget", async () => {
  const { page, errors, host } = await sandbox();
  // Each call is within the limit; together they are over it. The run stops
  // at the one that would pass it, before running it (the page could not
  // take a Cancel between them).
  await host.evaluate((el) => el.setAttribute("program", "block(1).await;\nblock(10000).await;\nprintln!(\"after\");"));
  const outcome = await host.evaluate((el) => el.run().then(() => "ran", (e) => e.message));
  assert.match(outcome, /^2:1: the program stopped: block\(10000\) would bring this run's busy loops to 10001 ms, more than the 10000 ms a run may hold the page/);
  assert.equal(await host.getAttribute("data-state"), "error");
  assert.doesNotMatch(await host.locator("ol.log").textContent(), /after/);
  // A line of 2,000 characters with no space stays inside the widget.
  await host.evaluate((el) => el.setAttribute("program", `println!("{}", "${"y".repeat(2000)}");`));
  await host.evaluate((el) => el.run());
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(widths[0] <= widths[1], `the page is ${widths[0]} px wide in a ${widths[1]} px window`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a new program cancels the run of the old one", async () => {
  const { page, errors, host } = await sandbox();
  await host.evaluate((el) => el.setAttribute("program", "sleep(5000).await;"));
  const outcome = await host.evaluate(async (el) => {
    const running = el.run().then((r) => r.runs[0].tasks.map((t) => t.state), (e) => `rejected: ${e.message}`);
    await new Promise((r) => setTimeout(r, 200));
    el.setAttribute("program", "sleep(10).await;");
    return Promise.race([running, new Promise((r) => setTimeout(() => r("still running after 2 s"), 2000))]);
  });
  assert.deepEqual(outcome, ["cancelled"]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("an example loads with its question; the answer is graded from the run that follows", async () => {
  const { page, errors, host } = await sandbox();
  await host.locator("button.preset", { hasText: "a forgotten .await" }).click();
  assert.match(await host.getAttribute("program"), /let saved = sleep\(300\);/);
  assert.match(await host.locator(".predict").textContent(), /How many times is sleep\(300\) polled\?/);
  await host.locator("input[name=prediction]").fill("0");
  await host.locator("button.run").click();
  await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle(), { timeout: 20_000 });
  const verdict = await host.locator(".verdict").textContent();
  assert.match(verdict, /0/);
  const [run] = (await reportOf(host)).runs;
  assert.deepEqual(run.tasks.map((t) => [t.label, t.state, t.polls]), [["sleep(300)", "pending", 0], ["sleep(500)", "done", 2]]);
  // A program of one's own asks nothing.
  await host.evaluate((el) => el.setAttribute("program", "sleep(1).await;"));
  assert.equal(await host.locator(".predict").isHidden(), true);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a click is polled for once: click() wakes once, and the deadline it beats is polled once", async () => {
  const { page, errors, host } = await sandbox();
  // The program, then one click on the widget's button once the program
  // has printed `ready` (it prints it in the poll that reaches the wait,
  // however long the run took to start).
  const clicked = async (program, ready) => {
    await host.evaluate((el, p) => el.setAttribute("program", p), program);
    await host.locator("button.run").click();
    await host.locator("ol.log li", { hasText: ready }).waitFor({ timeout: 20_000 });
    await host.locator("button.lesson-button").click();
    await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle(), { timeout: 20_000 });
    const [run] = (await reportOf(host)).runs;
    return Object.fromEntries(run.tasks.map((t) => [t.label, [t.polls, t.wakes, t.state]]));
  };
  // Its first poll, then the one its click's wake brings.
  assert.deepEqual((await clicked('println!("waiting 1");\nclick().await;', "waiting 1"))["click()"], [2, 1, "done"]);
  // select polls the click first: the click wins without the deadline being
  // polled again (the book's example asks exactly this).
  const race = await clicked('println!("waiting 2");\nlet _ = select(click(), sleep(3000)).await;', "waiting 2");
  assert.deepEqual(race["click()"], [2, 1, "done"]);
  assert.deepEqual(race["sleep(3000)"], [1, 0, "cancelled"]);
  // A click() dropped before the click (the loser of a select) is not
  // woken by it: nothing of the program is polled for that click (the sleep
  // awaited meanwhile is polled twice: first, and when its timer fires).
  const dropped = await clicked(
    'let _ = select(sleep(50), click()).await;\nprintln!("chosen");\nsleep(2000).await;',
    "chosen",
  );
  assert.deepEqual(dropped["click()"], [1, 0, "cancelled"]);
  assert.deepEqual(dropped["sleep(2000)"], [2, 1, "done"]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("the editor's text lies over its highlighted lines: as tall, wrapped alike, at 360 and 1280 px", async () => {
  const { page, host } = await sandbox();
  const programs = [
    TYPED,
    `let u = fetch("async-demo-api/delay/100?${"x".repeat(300)}");\nu.await?;\n`,
    "sleep(1).await;\n\n\n",
    `// ${"word ".repeat(90)}\n\tsleep(1).await;`,
  ];
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    for (const program of programs) {
      await host.evaluate((el, p) => el.setAttribute("program", p), program);
      const m = await host.evaluate((el) => {
        const area = el.shadowRoot.querySelector("textarea.editor-input");
        const view = el.shadowRoot.querySelector(".editor-view");
        return { text: area.scrollHeight, box: area.clientHeight, view: view.scrollHeight, sideways: area.scrollWidth - area.clientWidth };
      });
      assert.ok(Math.abs(m.text - m.view) <= 2, `${width} px: the textarea's text is ${m.text} px tall, its lines ${m.view} px (${JSON.stringify(program.slice(0, 40))})`);
      assert.ok(m.text <= m.box + 1, `${width} px: the editor scrolls inside (${m.text} > ${m.box})`);
      assert.ok(m.sideways <= 1, `${width} px: the editor scrolls sideways`);
    }
  }
  await page.close();
});

test("the sandbox passes the axe audit: idle, with an error shown, and after a run", async () => {
  const { page, host } = await sandbox();
  const serious = async () => (await axeViolations(page)).filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(await serious(), []);
  await host.evaluate((el) => el.setAttribute("program", "slep(1).await;"));
  assert.deepEqual(await serious(), []);
  await host.evaluate((el) => el.setAttribute("program", "sleep(50).await;"));
  await host.locator("button.run").click();
  await page.waitForFunction((el) => el.dataset.state === "done", await host.elementHandle());
  assert.deepEqual(await serious(), []);
  await page.close();
});

// What `{:?}` writes, where a twin's own values do not tell: an Ok (bare in
// a twin), a tuple (an array in JavaScript, maybe a list in Python), the
// prelude's errors (Program, TimedOut, Http, Network). The widget's Rust
// prints each line; its twins, run by Node and CPython, print the same.
test("the twins print what the Rust prints: Ok, tuples and the prelude's errors, as Debug writes them", async () => {
  const { page, errors, host } = await sandbox();
  const programs = [
    [
      "let r = timeout(500, sleep(1)).await;",
      'let j = join!(ready(1), ready("a"));',
      "let t = try_join!(ready(Ok(2)), timeout(500, ready(3)));",
      "let n = timeout(500, timeout(1, sleep(300))).await;",
      'println!("{:?} {:?} {:?} {:?} {:?}", r, j, t, n, vec![(1,)]);',
    ],
    ['let r = timeout(500, fail("no")).await?;', 'println!("{:?}", r);'],
    ['let r = fetch("async-demo-api/status/503").await;', 'println!("{:?}", r);'],
    ['let r = timeout(30, fetch("async-demo-api/delay/3000")).await;', 'let b = fetch("async-demo-api/delay/1").await?;', 'println!("{:?} {}", r, b);'],
    // An error held as a value (timeout's) stops try_join! too.
    ["let t = try_join!(ready(Ok(1)), timeout(10, sleep(500)));", 'println!("{:?}", t);'],
    // The program's names do not hide the twins' own helpers.
    ["let debug = 5;", "let settle = 1;", "let join = 2;", "let print = 3;", 'println!("{:?} {}", (debug, settle), join + print);'],
    // A scheme fetch cannot load; a data: URL; a string with escapes.
    ['println!("{:?}", fetch("ftp://x/y").await);', 'println!("{:?}", fetch("data:text/plain,hi%20there").await);'],
    ['println!("{:?}", "a\\rb\\0c\\u{7f}d\\u{301}f\\u{200b}g\\u{a0}h é \'q\' \\\\");'],
    // The detail is the browser's or the library's own words: only the rest is compared.
    ['let r = fetch("http://127.0.0.1:9/x").await;', 'println!("{:?}", r);'],
  ].map((lines) => lines.join("\n"));
  const python = spawnSync("/usr/bin/python3", ["-c", "import aiohttp"]).status === 0;
  const dir = mkdtempSync(path.join(tmpdir(), "async-demo-twins-"));
  const sameUpToDetail = (line) => line.replace(/detail: ".*" \}\)$/, 'detail: … })');
  try {
    for (const program of programs) {
      await host.evaluate((el, p) => el.setAttribute("program", p), program);
      const outcome = await host.evaluate((el) => el.run().then(() => "ran", (e) => e.message));
      assert.equal(outcome, "ran", program);
      const rust = (await host.locator("ol.log li").allTextContents()).map(sameUpToDetail);
      assert.ok(rust.length > 0, program);
      const twins = await host.evaluate((el) => el.twins());
      const runs = [["node", "twin.mjs", twins.javascript]];
      if (python) runs.push(["/usr/bin/python3", "twin.py", twins.python]);
      else console.log("# /usr/bin/python3 has no aiohttp here: the Python twins are not run");
      for (const [interpreter, file, text] of runs) {
        writeFileSync(path.join(dir, file), text);
        const run = spawnSync(interpreter, [path.join(dir, file)], { encoding: "utf8", input: "\n", timeout: 30_000 });
        const printed = run.stdout.trim().split("\n").map(sameUpToDetail);
        assert.deepEqual(printed, rust, `${program}\n--- ${interpreter}:\n${text}\n--- errors:\n${run.stderr}`);
        assert.equal(run.status, 0, `${program} in ${interpreter}: ${run.stderr}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The browser logs the 503 and the refused port itself; nothing else.
  assert.deepEqual(errors.filter((e) => !e.includes("Failed to load resource")), []);
  await page.close();
});
