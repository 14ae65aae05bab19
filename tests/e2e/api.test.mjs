// The typed JavaScript API: fetchAll and runLesson as Promises from a plain
// module, and TypeScript declarations without `any` where a type is known.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASE, startPage } from "./browser.mjs";

let browser, page, errors;

before(async () => {
  ({ browser, page, errors } = await startPage("/"));
});

after(async () => {
  await browser?.close();
});

test("fetchAll resolves one result per URL, in input order, failures included", async () => {
  const results = await page.evaluate(async () => {
    const { default: init, fetchAll } = await import("/pkg/async_demo.js");
    await init();
    return fetchAll(["async-demo-api/delay/300", "async-demo-api/status/404", "async-demo-api/delay/50", "ftp://x.test/"], { concurrency: 2, timeoutMs: 5000 });
  });
  assert.equal(results.length, 4);
  assert.deepEqual(results.map((r) => r.ok), [true, false, true, false]);
  assert.equal(results[0].url, `${BASE}/async-demo-api/delay/300`);
  assert.deepEqual([results[0].status, results[0].bytes, results[0].error], [200, 13, null]);
  assert.equal(results[1].status, 404);
  assert.match(results[1].error, /HTTP 404/);
  assert.equal(results[3].status, null);
  assert.match(results[3].error, /scheme “ftp:”/);
  // The 300 ms download took its 300 ms; the 50 ms one, started when the
  // 404 freed its place, ended sooner (a bound that holds on a loaded
  // machine too: it failed once as `< 300` right after a release build).
  const ms = results.map((r) => r.ms);
  assert.ok(ms[0] >= 295 && ms[2] < ms[0], JSON.stringify(ms));
});

test("fetchAll refuses unusable options with a sentence", async () => {
  const message = await page.evaluate(async () => {
    const { default: init, fetchAll } = await import("/pkg/async_demo.js");
    await init();
    return fetchAll(["async-demo-api/delay/1"], { concurrency: 0 }).then(() => "resolved", (e) => e.message);
  });
  assert.equal(message, "Option concurrency: 0 is not usable: expected a whole number from 1 to 64.");
});

test("runLesson resolves with the lesson's report", async () => {
  const report = await page.evaluate(async () => {
    const { default: init, runLesson } = await import("/pkg/async_demo.js");
    await init();
    return runLesson("gather", { urls: "async-demo-api/delay/200 async-demo-api/delay/250", "timeout-ms": 5000 });
  });
  assert.equal(report.lesson, "gather");
  assert.deepEqual(report.runs.map((r) => r.name), ["sequential", "concurrent"]);
  assert.ok(report.runs[0].totalMs >= 440 && report.runs[1].totalMs < 440, JSON.stringify(report.runs.map((r) => r.totalMs)));
  const unknown = await page.evaluate(() => import("/pkg/async_demo.js").then((m) => m.runLesson("nope", {})).catch((e) => e.message));
  assert.match(unknown, /lesson="nope"/);
});

test("the TypeScript declarations type the API exactly", async () => {
  const dts = await readFile(new URL("../../www/pkg/async_demo.d.ts", import.meta.url), "utf8");
  assert.match(dts, /export function fetchAll\(urls: string\[\], options\?: FetchAllOptions\): Promise<FetchResult\[\]>;/);
  assert.match(dts, /export function runLesson\(name: string, params\?: LessonParams\): Promise<Report>;/);
  assert.match(dts, /export function sleep\(ms: number\): Promise<number>;/);
  for (const name of ["fetchAll", "runLesson", "sleep"]) {
    const line = dts.split("\n").find((l) => l.startsWith(`export function ${name}(`));
    assert.ok(!/\bany\b/.test(line), line);
  }
});

/** The README's example of the typed API, as a reader copies it. */
async function readmeExample() {
  const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### From JavaScript"));
  const block = section.match(/```js\n([\s\S]*?)```/);
  assert.ok(block, "the README's From JavaScript section has a js block");
  return block[1];
}

/** Runs TypeScript's compiler, strict, on `file`; resolves with its output and exit code. */
function tsc(file) {
  const bin = new URL("../../node_modules/typescript/bin/tsc", import.meta.url).pathname;
  const args = ["--strict", "--noEmit", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler", "--lib", "es2022,dom", file];
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { encoding: "utf8" }, (error, stdout) => resolve({ code: error?.code ?? 0, out: stdout }));
  });
}

test("the README's example type-checks under tsc --strict against the declarations, and wrong calls do not", async () => {
  const dir = await mkdtemp(join(tmpdir(), "async-demo-ts-"));
  try {
    await mkdir(join(dir, "pkg"));
    // The package's declarations and module, where the example imports them from.
    for (const name of ["async_demo.d.ts", "async_demo.js"]) {
      await copyFile(new URL(`../../www/pkg/${name}`, import.meta.url), join(dir, "pkg", name));
    }
    const example = await readmeExample();
    // The example's values have the declared types, and a caller's mistakes
    // are compile errors (an unused @ts-expect-error is one too: a
    // declaration that let anything through would fail here).
    const checks = `
import type { FetchResult, Report, TaskState } from "./pkg/async_demo.js";
const ms: number = waited;
const first: FetchResult | undefined = results[0];
const state: TaskState | undefined = report.runs[0]?.tasks[0]?.state;
const lessons: Report["lesson"] = report.lesson;
// @ts-expect-error: the URLs are an array
fetchAll("async-demo-api/delay/300");
// @ts-expect-error: an option that does not exist
fetchAll([], { concurency: 2 });
// @ts-expect-error: milliseconds are a number
sleep("250");
// @ts-expect-error: a parameter's value is a string or a number
runLesson("gather", { urls: ["a", "b"] });
// @ts-expect-error: a result's status may be null
const status: number = results[0].status;
export { ms, first, state, lessons, status };
`;
    const file = join(dir, "example.ts");
    await writeFile(file, example + checks);
    const { code, out } = await tsc(file);
    assert.equal(code, 0, `tsc --strict:\n${out}\n--- ${file}:\n${example}${checks}`);
    // And the checks are checks: without the declarations' types, tsc fails.
    await writeFile(join(dir, "pkg", "async_demo.d.ts"), "export default function init(): Promise<any>;\nexport const sleep: any, fetchAll: any, runLesson: any;\nexport type FetchResult = any; export type Report = any; export type TaskState = any;\n");
    const loose = await tsc(file);
    assert.notEqual(loose.code, 0, "with untyped declarations the expected errors are missing");
    assert.match(loose.out, /Unused '@ts-expect-error' directive/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("hostile or mistaken callers get a rejection with a sentence, never a hang or a wrapped number", async () => {
  const outcomes = await page.evaluate(async () => {
    const m = await import("/pkg/async_demo.js");
    await m.default();
    const settle = (make) => {
      try {
        return Promise.race([
          Promise.resolve(make()).then((v) => `resolved ${JSON.stringify(v)?.slice(0, 40)}`, (e) => `rejected: ${e?.message ?? e}`),
          new Promise((r) => setTimeout(() => r("hung"), 3000)),
        ]);
      } catch (e) {
        return `threw: ${e?.message ?? e}`;
      }
    };
    const getter = { get "delay-ms"() { throw new Error("boom"); } };
    const proxy = new Proxy({}, { ownKeys() { throw new Error("trap"); } });
    return {
      getter: await settle(() => m.runLesson("sleep", getter)),
      proxy: await settle(() => m.runLesson("sleep", proxy)),
      array: await settle(() => m.runLesson("gather", { urls: ["async-demo-api/delay/1"] })),
      notObject: await settle(() => m.runLesson("sleep", 5)),
      fetchNumber: await settle(() => m.fetchAll(5)),
      fetchNotStrings: await settle(() => m.fetchAll(["async-demo-api/delay/1", 7])),
      fetchProxy: await settle(() => m.fetchAll(new Proxy([], { get() { throw new Error("trap"); } }))),
      fetchNoOptions: await settle(() => m.fetchAll(["async-demo-api/delay/1"]).then((r) => r.length)),
      sleepNegative: await settle(() => m.sleep(-1)),
      sleepWrapped: await settle(() => m.sleep(2 ** 32 + 5)),
      sleepHuge: await settle(() => m.sleep(2 ** 31)),
      sleepNaN: await settle(() => m.sleep(NaN)),
      primesNegative: await settle(() => m.countPrimes(-1)),
    };
  });
  for (const [name, outcome] of Object.entries(outcomes)) assert.notEqual(outcome, "hung", name);
  assert.equal(outcomes.getter, "rejected: Reading the parameters threw: boom");
  assert.equal(outcomes.proxy, "rejected: Reading the parameters threw: trap");
  assert.equal(outcomes.array, 'rejected: Parameter "urls": expected a string or a number, not an array.');
  assert.match(outcomes.notObject, /^rejected: The parameters must be an object/);
  assert.equal(outcomes.fetchNumber, "rejected: fetchAll needs an array of URL strings, not the number 5.");
  assert.equal(outcomes.fetchNotStrings, "rejected: URL 2 of fetchAll is the number 7, not a string.");
  assert.equal(outcomes.fetchProxy, "rejected: Reading the URLs threw: trap");
  assert.equal(outcomes.fetchNoOptions, "resolved 1");
  for (const name of ["sleepNegative", "sleepWrapped", "sleepHuge", "sleepNaN"]) {
    assert.match(outcomes[name], /^rejected: sleep needs a whole number of milliseconds from 0 to 2147483647/, name);
  }
  assert.match(outcomes.primesNegative, /^threw: countPrimes needs a whole number from 0 to 4294967295, not -1\.$/);
});

test("a report of thousands of tasks arrives whole and in order, from run() and runLesson alike", async () => {
  // 4,500 tasks: more than two of the slices the report crosses into JS in.
  const got = await page.evaluate(async () => {
    const { default: init, runLesson } = await import("/pkg/async_demo.js");
    await init();
    const el = document.createElement("async-demo");
    el.setAttribute("lesson", "many");
    el.setAttribute("tasks", "4500");
    el.setAttribute("delay-ms", "50");
    document.body.append(el);
    const report = await el.run();
    const again = el.report();
    el.remove();
    const api = await runLesson("many", { tasks: 4500, "delay-ms": 50 });
    const labels = (r) => r.runs[1].tasks.map((t) => t.label);
    return {
      same: JSON.stringify(report) === JSON.stringify(again),
      keys: Object.keys(report.runs[1]),
      count: report.runs[1].tasks.length,
      inOrder: labels(report).every((l, i) => l === `timer ${i}`),
      apiCount: api.runs[1].tasks.length,
      apiInOrder: labels(api).every((l, i) => l === `timer ${i}`),
      apiDone: api.runs[1].tasks.every((t) => t.state === "done" && t.polls === 2),
    };
  });
  assert.ok(got.same, "run() and report() give the same report");
  assert.deepEqual(got.keys, ["name", "totalMs", "longestFrameGapMs", "tasks"]);
  assert.equal(got.count, 4500);
  assert.ok(got.inOrder);
  assert.equal(got.apiCount, 4500);
  assert.ok(got.apiInOrder && got.apiDone);
});

test("no page errors", () => {
  assert.deepEqual(errors.filter((e) => !e.startsWith("console: Failed to load resource")), []);
});
