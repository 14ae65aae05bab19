// Predict, then run, on every lesson: each asks a question before Run, and
// the answer a reader who followed the lesson gives (the one its text and
// its code imply) is graded right by a run with the defaults. A question
// that no run answers that way is a false sentence in the lesson; this test
// is what keeps all fifteen true. Counts must match exactly, times within
// the question's own tolerance.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { launch, mounted, openPage } from "./browser.mjs";

/** The answer that follows from each lesson's text, in the question's unit. */
const ANSWERS = {
  lazy: "0", // a future never awaited is never polled
  sleep: "2", // a start, and one wake when the timer fires
  blocking: "1", // the busy loop never returns Pending
  gather: "1000", // the slowest of 700, 1000 and 400 ms
  many: "11", // join_all of 10 polls every unfinished child on each of the ten waves
  mistakes: "800", // the busy loop runs first, then the 800 ms waits
  bridge: "2", // a Promise is polled like any future: start, then its wake
  race: "2", // the 300 ms one wins; the other two are dropped
  timeout: "800", // join_all waits for the 2500 ms one, cut at 800
  cancel: "1", // its own waker fires once, however often join! polls it
  limit: "3", // buffer_unordered(3) keeps at most 3 in flight
  errors: "2", // the error ends try_join_all at once; the other two are dropped
  progress: "3500", // join_all ends with the slowest stream
  input: "1", // the click wins select; the deadline is dropped after one poll
  worker: "1", // the count runs inside one poll on the main thread
};

let browser;
let page;
before(async () => {
  browser = await launch();
  ({ page } = await openPage(browser, "/"));
  await mounted(page);
});
after(() => browser?.close());

test("every lesson asks a question before Run", async () => {
  const asked = await page.evaluate(() =>
    [...document.querySelectorAll("async-demo")]
      .filter((el) => el.getAttribute("lesson") !== "sandbox")
      .map((el) => [el.getAttribute("lesson"), el.shadowRoot.querySelector(".predict")?.textContent.trim() ?? ""]),
  );
  assert.deepEqual(asked.map(([lesson]) => lesson).sort(), Object.keys(ANSWERS).sort());
  for (const [lesson, question] of asked) {
    assert.match(question, /^Predict, then run: .+\?/, `${lesson} asks no question`);
  }
});

for (const [lesson, answer] of Object.entries(ANSWERS)) {
  test(`${lesson}: the answer the lesson implies (${answer}) is graded right by a run with the defaults`, async () => {
    const host = page.locator(`async-demo[lesson="${lesson}"]`);
    await host.scrollIntoViewIfNeeded();
    await host.locator("input[name=prediction]").fill(answer);
    const question = (await host.locator(".predict").textContent()).trim();
    const running = host.evaluate((el) => el.run());
    if (lesson === "input") {
      // The question asks for a click before the 5 s deadline.
      await page.waitForFunction((el) => el.dataset.state === "running", await host.elementHandle());
      await page.waitForTimeout(500);
      await host.locator("button.lesson-button").click();
    }
    await running;
    const verdict = await host.locator(".verdict").innerText();
    console.log(`# ${lesson}: ${question} → ${verdict}`);
    assert.match(verdict, new RegExp(`^You said ${answer} [a-z]+; the run measured [\\d.]+ [a-z]+: right( \\(within \\d+ %\\))?\\.$`), `${lesson}: ${question}`);
  });
}
