// What a reader sees: code that wraps instead of scrolling sideways, with
// line numbers and colours; compared runs on one time axis; thousands of
// tasks summarised; a ticker whose dot never covers its count.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, openPage, reportOf, runByClick } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

for (const width of [1280, 360]) {
  test(`at ${width} px every code pane wraps: no sideways scrolling, numbered and coloured lines`, async () => {
    const { page } = await openPage(browser, "/");
    await page.setViewportSize({ width, height: 900 });
    await page.locator('async-demo[lesson="errors"] .code figure.rust pre').waitFor();
    // A narrow widget shows one pane at a time, and a wider sandbox one of
    // its two translations: each is picked in turn (its radio), then measured.
    const panes = await page.$$eval("async-demo", (hosts) =>
      hosts.flatMap((host) =>
        [...host.shadowRoot.querySelectorAll(".code pre")].map((pre) => ({
          picked: [...host.shadowRoot.querySelectorAll(".pane-switch input, .twin-switch input")]
            .filter((radio) => pre.closest("figure").classList.contains(radio.value))
            .map((radio) => (radio.checked = true)),
          hidden: pre.getBoundingClientRect().height === 0,
          lesson: host.getAttribute("lesson"),
          overflow: pre.scrollWidth - pre.clientWidth,
          lines: pre.querySelectorAll(".line").length,
          textLines: pre.innerText.trimEnd().split("\n").length,
          coloured: pre.querySelectorAll(".kw, .str, .com").length,
        })),
      ),
    );
    assert.ok(panes.length >= 28, `${panes.length} panes`);
    for (const pane of panes) {
      assert.equal(pane.hidden, false, `${pane.lesson}: a pane stayed hidden`);
      assert.ok(pane.overflow <= 1, `${pane.lesson}: ${pane.overflow} px of sideways scrolling`);
      assert.ok(pane.lines >= 3, `${pane.lesson}: ${pane.lines} lines`);
      assert.ok(pane.coloured > 0, `${pane.lesson}: nothing coloured`);
    }
    await page.close();
  });
}

test("gather's two runs share one time axis, so the concurrent one looks shorter", async () => {
  const { page } = await openPage(browser, "/");
  const host = await runByClick(page, "gather");
  const [seq, con] = (await reportOf(host)).runs;
  const spans = await host.locator("canvas.timeline").evaluateAll((cs) => cs.map((c) => Number(c.dataset.spanMs)));
  assert.equal(spans.length, 2);
  assert.equal(spans[0], spans[1]);
  assert.ok(Math.abs(spans[0] - Math.max(seq.totalMs, con.totalMs)) < 50, `span ${spans[0]} vs totals ${seq.totalMs}, ${con.totalMs}`);
  await page.close();
});

test("a thousand tasks are summarised as counts, not listed", async () => {
  const { page } = await openPage(browser, "/");
  const host = await runByClick(page, "many");
  const big = host.locator('section.run[data-run^="FuturesUnordered"]');
  const rows = await big.locator("tbody tr").allInnerTexts();
  assert.ok(rows.length < 10, `${rows.length} rows`);
  assert.match(rows.join("\n"), /states\s+done: 1000/);
  assert.match(rows.join("\n"), /polls per task\s+2 polls: 1000/);
  const small = host.locator('section.run[data-run="join_all of 10"] tbody tr');
  assert.equal(await small.count(), 10, "ten tasks keep a row each");
  await page.close();
});

test("the ticker's dot never runs over its frame count", async () => {
  const { page } = await openPage(browser, "/");
  const host = page.locator('async-demo[lesson="sleep"]');
  const [track, count] = await Promise.all([
    host.locator(".ticker").boundingBox(),
    host.locator(".frames").boundingBox(),
  ]);
  assert.ok(count.x >= track.x + track.width || count.y >= track.y + track.height, JSON.stringify({ track, count }));
  await page.close();
});

test("a preset sets the lesson's attributes, URLs against the widget's own folder, and 'the defaults' takes them back", async () => {
  const { page } = await openPage(browser, "/");
  const host = page.locator('async-demo[lesson="gather"]');
  await host.locator("button.preset").first().click();
  await page.waitForFunction((el) => el.hasAttribute("urls"), await host.elementHandle());
  const origin = new URL(page.url()).origin;
  assert.equal(await host.getAttribute("urls"), Array(3).fill(`${origin}/async-demo-api/delay/2000`).join(" "));
  assert.equal(await host.locator("input[name=urls]").inputValue(), await host.getAttribute("urls"));
  // The Python twin shows the values the Rust will run with.
  await page.waitForFunction((el) => el.shadowRoot.querySelector("figure.python code").textContent.includes("delay/2000"), await host.elementHandle());
  await host.locator("button.preset", { hasText: "the defaults" }).click();
  await page.waitForFunction((el) => !el.hasAttribute("urls"), await host.elementHandle());
  assert.match(await host.locator("input[name=urls]").inputValue(), new RegExp(`^${origin}/async-demo-api/delay/700 `));
  await page.close();
});

test("after a run, the widget gives the run line by line in the Python twin's format", async () => {
  const { page } = await openPage(browser, "/");
  const host = page.locator('async-demo[lesson="sleep"]');
  await host.evaluate((el) => el.setAttribute("delay-ms", "300"));
  await host.evaluate((el) => el.run());
  await host.locator("details.transcript summary").click();
  const lines = (await host.locator("details.transcript code").textContent()).split("\n");
  const texts = lines.map((l) => l.replace(/^\[\s*\d+ ms\] /, ""));
  assert.ok(lines.every((l) => /^\[\s*\d+ ms\] /.test(l)), lines.join("\n"));
  assert.deepEqual(texts, ["say_hello: started", "Hello", "World", "say_hello: say_hello() done", "say_hello: finished"]);
  const at = (i) => Number(lines[i].match(/\d+/)[0]);
  assert.ok(at(2) - at(1) >= 295, `World came ${at(2) - at(1)} ms after Hello`);
  await page.close();
});

test("predict, then run: the answer is checked against the run that follows, with its measured figure", async () => {
  const { page } = await openPage(browser, "/");
  const host = page.locator('async-demo[lesson="lazy"]');
  await host.evaluate((el) => el.setAttribute("delay-ms", "100"));
  const guess = host.locator("input[name=prediction]");
  await guess.fill("1");
  await host.evaluate((el) => el.run());
  assert.equal(await host.locator(".verdict").innerText(), "You said 1 poll; the run measured 0 polls: not this time.");
  await guess.fill("0");
  await host.evaluate((el) => el.run());
  assert.equal(await host.locator(".verdict").innerText(), "You said 0 polls; the run measured 0 polls: right.");
  const gather = page.locator('async-demo[lesson="gather"]');
  await gather.locator("input[name=prediction]").fill("2100");
  const report = await gather.evaluate((el) => el.run());
  const measured = Math.round(report.runs[1].totalMs);
  const verdict = await gather.locator(".verdict").innerText();
  assert.match(verdict, /^You said 2100 ms; the run measured (\d+(\.\d)?) ms: not this time \(within 25 %\)\.$/);
  assert.ok(Math.abs(Number(verdict.match(/measured ([\d.]+)/)[1]) - measured) <= 1, `${verdict} vs ${measured}`);
  // A question about the defaults does not grade a run that changed them:
  // mistakes' preset makes the busy loop 1200 ms, and 800 is the right
  // answer to the question as asked.
  const mistakes = page.locator('async-demo[lesson="mistakes"]');
  await mistakes.evaluate((el) => el.setAttribute("block-ms", "1200"));
  await mistakes.locator("input[name=prediction]").fill("800");
  await mistakes.evaluate((el) => el.run());
  assert.match(
    await mistakes.locator(".verdict").innerText(),
    /^The run measured \d+(\.\d)? ms, with block-ms changed: the question is about the defaults, so your answer is not graded\.$/,
  );
  await mistakes.evaluate((el) => el.setAttribute("block-ms", "600")); // the default, written out
  await mistakes.evaluate((el) => el.run());
  assert.match(await mistakes.locator(".verdict").innerText(), /^You said 800 ms; the run measured \d+(\.\d)? ms: (right|not this time) \(within 20 %\)\.$/);
  await page.close();
});

test("a lesson's Rust pane hides the widget's recording until the reader ticks 'show the recording', and its lines keep their numbers", async () => {
  const { page } = await openPage(browser, "/");
  const pane = page.locator('async-demo[lesson="gather"] figure.rust');
  await pane.locator("pre").waitFor();
  const shown = async () =>
    pane.locator(".line").evaluateAll((lines) =>
      lines.filter((l) => l.checkVisibility()).map((l) => `${l.dataset.n}: ${l.innerText}`),
    );
  const plain = await shown();
  const text = plain.join("\n");
  assert.doesNotMatch(text, /run\.trace|begin_run|finish\(\)/, text);
  assert.ok(plain.some((l) => /^\d+: +let _ = fetch\(url\.clone\(\)\)\.await;/.test(l)), text);
  assert.ok(plain.some((l) => /^\d+: let downloads = urls\.iter\(\)\.map\(\|url\| fetch\(url\.clone\(\)\)\);/.test(l)), text);
  await pane.locator(".show-recording input").check();
  const all = await shown();
  assert.ok(all.length > plain.length, "the recording's own lines come back");
  // Every line shown before is shown again, under the same number.
  for (const line of plain) assert.ok(all.some((l) => l.startsWith(line.split(":")[0] + ":")), line);
  assert.match(all.join("\n"), /let run = recorder\.begin_run\("sequential"\);/);
  assert.match(all.join("\n"), /let _ = run\.trace\(url\.clone\(\), fetch\(url\.clone\(\)\)\)\.await;/);
  const numbers = all.map((l) => Number(l.split(":")[0]));
  assert.deepEqual(numbers, numbers.map((_, i) => i + 1), "all lines, numbered 1 to n");

  // A closure parameter only the recording uses reads `_` while it is
  // hidden (rustc would warn of an unused `i`), and `i` again with it.
  const mistakes = page.locator('async-demo[lesson="mistakes"] figure.rust');
  const mistakesText = () => mistakes.locator("pre").innerText();
  assert.match(await mistakesText(), /join_all\(\(1\.\.=3\)\.map\(\|_\| wait\(ms\)\)\)\.await;/);
  assert.doesNotMatch(await mistakesText(), /\|i\|/);
  await mistakes.locator(".show-recording input").check();
  assert.match(await mistakesText(), /join_all\(\(1\.\.=3\)\.map\(\|i\| run\.trace\(format!\("task \{i\}"\), wait\(ms\)\)\)\)\.await;/);

  // The Python twin's pane has a box of its own: as shown, it is the
  // program without its trace() and run names, which runs as it stands.
  const twin = page.locator('async-demo[lesson="gather"] figure.python');
  const twinText = async () => (await twin.locator("pre").innerText()).replace(/\n+/g, "\n");
  const clean = await twinText();
  assert.doesNotMatch(clean, /trace\(|\{run\}|run = /, clean);
  assert.match(clean, /await fetch\(session, url\)/);
  assert.match(clean, /\*\(fetch\(session, url\) for url in URLS\)/);
  // Changing a parameter rewrites the twin: still without its recording.
  await page.evaluate(() => document.querySelector('async-demo[lesson="gather"]').setAttribute("timeout-ms", "9000"));
  await twin.locator("pre", { hasText: "TIMEOUT_MS = 9000" }).waitFor();
  assert.doesNotMatch(await twinText(), /trace\(|\{run\}/);
  await twin.locator(".show-recording input").check();
  const traced = await twinText();
  assert.match(traced, /await trace\(run, url, fetch\(session, url\)\)/);
  assert.match(traced, /log\(f"\{run\}: started"\)/);
});
