// A widget as a guest of a page that does what pages do: calls in quick
// succession, a replaced window.fetch, a prototype with extra properties,
// options objects that throw, an element given a shadow root of the page's
// own. Each call acts on the run it names, every Promise settles, and what
// goes wrong is said in a sentence.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, launch, pageWith } from "./browser.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

const host = (body, head = "") =>
  pageWith(
    browser,
    "/site/guest.html",
    `<!doctype html><html lang="en"><head><title>Guest</title>${head}
     <script type="module" src="/site/assets/async-demo.js"></script></head><body>${body}</body></html>`,
  );

/** `promise`'s outcome within `ms`: { resolved } or { rejected } or "unsettled". */
const within = (ms) =>
  `(promise) => Promise.race([
     promise.then((value) => ({ resolved: value }), (error) => ({ rejected: String(error?.message ?? error) })),
     new Promise((resolve) => setTimeout(() => resolve("unsettled"), ${ms})),
   ])`;

test("cancel() right after run() cancels that run, before and after the widget has mounted", async () => {
  const { page, errors } = await host(`<async-demo lesson="gather" urls="${BASE}/async-demo-api/delay/3000"></async-demo>`);
  // Before the wasm has mounted the widget: the calls wait for it, in order.
  const early = await page.evaluate(async (settle) => {
    const el = document.querySelector("async-demo");
    const report = el.run();
    el.cancel();
    return [await eval(settle)(report), el.dataset.state];
  }, within(10_000));
  assert.ok(early[0].resolved, JSON.stringify(early));
  assert.deepEqual(early[0].resolved.runs.flatMap((r) => r.tasks.map((t) => t.state)), [], "cancelled before its first poll");
  assert.equal(early[1], "cancelled");
  // Mounted: the same in one tick, and after a microtask.
  for (const gap of ["none", "microtask"]) {
    const outcome = await page.evaluate(
      async ([gap, settle]) => {
        const el = document.querySelector("async-demo");
        const report = el.run();
        if (gap === "microtask") await null;
        el.cancel();
        return [await eval(settle)(report), el.dataset.state];
      },
      [gap, within(10_000)],
    );
    assert.ok(outcome[0].resolved, `${gap}: ${JSON.stringify(outcome)}`);
    // Cancelled before its first poll (no task yet) or in its first
    // download: never a download of 3 s that ran to its end.
    const states = outcome[0].resolved.runs.flatMap((r) => r.tasks.map((t) => t.state));
    assert.ok(states.every((s) => s === "cancelled"), `${gap}: ${states}`);
    assert.ok(outcome[0].resolved.runs.every((r) => r.totalMs < 1000), gap);
    assert.equal(outcome[1], "cancelled", gap);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("resume() right after run({ step: true }) lets that run go on to its end", async () => {
  const { page, errors } = await host(`<async-demo lesson="sleep" delay-ms="50"></async-demo>`);
  for (const when of ["before the widget mounted", "mounted"]) {
    const outcome = await page.evaluate(async (settle) => {
      const el = document.querySelector("async-demo");
      const report = el.run({ step: true });
      el.resume();
      return [await eval(settle)(report), el.dataset.state, el.queue().length];
    }, within(10_000));
    assert.ok(outcome[0].resolved, `${when}: ${JSON.stringify(outcome)}`);
    assert.deepEqual(outcome.slice(1), ["done", 0], when);
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("a window.fetch that throws: each download ends in error with a sentence, run() and fetchAll() settle, cancel works", async () => {
  const { page, errors } = await host(
    `<async-demo lesson="gather" urls="${BASE}/async-demo-api/delay/10 ${BASE}/async-demo-api/delay/20"></async-demo>`,
  );
  const outcome = await page.evaluate(async (settle) => {
    const el = document.querySelector("async-demo");
    await el.run(); // mounted, with the real fetch
    const { default: init, fetchAll } = await import("/pkg/async_demo.js");
    await init();
    const real = window.fetch;
    window.fetch = () => {
      throw new TypeError("the host broke fetch");
    };
    try {
      const report = await eval(settle)(el.run());
      const all = await eval(settle)(fetchAll(["async-demo-api/delay/1"]));
      // A run that waits on a timer: cancel() still settles it.
      window.fetch = () => new Promise(() => {}); // never answers
      const hanging = el.run();
      el.cancel();
      const cancelled = await eval(settle)(hanging);
      return { report, all, cancelled, state: el.dataset.state };
    } finally {
      window.fetch = real;
    }
  }, within(10_000));
  assert.ok(outcome.report.resolved, JSON.stringify(outcome.report));
  const tasks = outcome.report.resolved.runs.flatMap((r) => r.tasks);
  assert.ok(tasks.length === 4 && tasks.every((t) => t.state === "error"), JSON.stringify(tasks));
  assert.match(tasks[0].error, /^The page's fetch function threw before a request for .* could start \(TypeError: the host broke fetch\)/);
  assert.ok(outcome.all.resolved, JSON.stringify(outcome.all));
  assert.equal(outcome.all.resolved[0].ok, false);
  assert.match(outcome.all.resolved[0].error, /the host broke fetch/);
  assert.ok(outcome.cancelled.resolved, JSON.stringify(outcome.cancelled));
  assert.equal(outcome.state, "cancelled");
  assert.deepEqual(errors, []);
  await page.close();
});

test("only run()'s own options count: Object.prototype.step changes nothing; throwing options are refused", async () => {
  const { page, errors } = await host(`<async-demo lesson="sleep" delay-ms="20"></async-demo>`);
  const outcome = await page.evaluate(async (settle) => {
    const el = document.querySelector("async-demo");
    Object.prototype.step = true;
    let plain;
    try {
      plain = await eval(settle)(el.run({}));
    } finally {
      delete Object.prototype.step;
    }
    const getter = await eval(settle)(
      el.run({
        get step() {
          throw new Error("no");
        },
      }),
    );
    const proxy = await eval(settle)(el.run(new Proxy({}, { getOwnPropertyDescriptor: () => { throw new Error("trap"); } })));
    const number = await eval(settle)(el.run({ step: 1 }));
    const text = await eval(settle)(el.run("fast"));
    return { plain, getter, proxy, number, text };
  }, within(10_000));
  assert.ok(outcome.plain.resolved, JSON.stringify(outcome.plain));
  assert.equal(outcome.getter.rejected, "Reading run()'s options threw: no");
  assert.equal(outcome.proxy.rejected, "Reading run()'s options threw: trap");
  assert.equal(outcome.number.rejected, "run()'s option step takes true or false.");
  assert.equal(outcome.text.rejected, "run() takes { step: true }, { step: false } or nothing.");
  assert.deepEqual(errors, []);
  await page.close();
});

test("fetchAll's options: a string says it is one, a throwing getter or Proxy is refused, not ignored", async () => {
  const { page } = await host(``);
  const said = await page.evaluate(async () => {
    const { default: init, fetchAll, runLesson } = await import("/pkg/async_demo.js");
    await init();
    const message = (promise) => promise.then(() => "resolved", (e) => e.message);
    return {
      string: await message(fetchAll(["async-demo-api/delay/1"], { timeoutMs: "100" })),
      getter: await message(
        fetchAll(["async-demo-api/delay/1"], {
          get concurrency() {
            throw new Error("getter");
          },
        }),
      ),
      proxy: await message(fetchAll(["async-demo-api/delay/1"], new Proxy({}, { get: () => { throw new Error("trap"); } }))),
      notObject: await message(fetchAll(["async-demo-api/delay/1"], "fast")),
      nullName: await message(runLesson(null)),
    };
  });
  assert.equal(said.string, 'Option timeoutMs is the string "100": it takes a number (a whole number from 1 to 120000), without quotes.');
  assert.equal(said.getter, "Reading fetchAll's option concurrency threw: getter");
  assert.equal(said.proxy, "Reading fetchAll's option concurrency threw: trap");
  assert.match(said.notObject, /^fetchAll's options must be an object/);
  assert.match(said.nullName, /^runLesson needs a lesson's name, a string such as "gather" \(one of lazy, .*\), not null\.$/);
  await page.close();
});

test("a widget with no lesson attribute says so; a pending step() during a lesson change says the lesson changed", async () => {
  const { page, errors } = await host(`<async-demo></async-demo><async-demo lesson="sleep" delay-ms="2000"></async-demo>`);
  await page.waitForFunction(() => document.querySelector("async-demo").shadowRoot?.querySelector("[role=alert]"));
  assert.equal(
    await page.evaluate(() => document.querySelector("async-demo").shadowRoot.querySelector("[role=alert]").textContent),
    "This <async-demo> element has no lesson attribute: give it one of lazy, sleep, blocking, gather, many, mistakes, bridge, race, timeout, cancel, limit, errors, progress, input, worker, sandbox.",
  );
  const outcome = await page.evaluate(async (settle) => {
    // A new element: the calls come before it has mounted, and wait for it.
    const el = document.createElement("async-demo");
    el.setAttribute("lesson", "sleep");
    document.body.append(el);
    el.run({ step: true }).catch(() => {});
    const early = eval(settle)(el.step());
    el.setAttribute("lesson", "lazy");
    // A mounted one: its step() is Rust's, waiting for a wake; the lesson
    // change cancels the stepped run.
    const mounted = document.querySelectorAll("async-demo")[1];
    mounted.run({ step: true }).catch(() => {});
    await mounted.step(); // its first poll: the timer of 2 s starts
    const waiting = eval(settle)(mounted.step()); // waits for the timer's wake
    await new Promise((r) => setTimeout(r, 50));
    mounted.setAttribute("lesson", "lazy");
    return [await early, await waiting, el.isConnected];
  }, within(10_000));
  assert.deepEqual(outcome, [
    { rejected: 'async-demo: the lesson changed to "lazy" before the widget could act on this call: make it again' },
    { rejected: "The run is not being stepped any more (it ended, was cancelled, or continues at full speed)." },
    true,
  ]);
  assert.deepEqual(errors, []);
  await page.close();
});

test("an element the page gave a closed shadow root of its own: no page error, and run() says why it cannot show", async () => {
  const { page, errors } = await host(
    ``,
    `<script type="module">
       const el = document.createElement("async-demo");
       el.setAttribute("lesson", "sleep");
       el.attachShadow({ mode: "closed" });
       document.body.append(el);
     </script>`,
  );
  await page.waitForFunction(() => document.querySelector("async-demo")?.dataset.state === "error");
  const said = await page.evaluate(() =>
    document.querySelector("async-demo").run().then(() => "resolved", (e) => e.message),
  );
  assert.match(said, /^async-demo cannot show this widget: the page attached a shadow root of its own to the element/);
  assert.deepEqual(errors.filter((e) => !e.startsWith("console: async-demo cannot show")), []);
  await page.close();
});
