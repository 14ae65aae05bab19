// Parity: each lesson's Python twin behaves like the Rust beside it.
//
// For every lesson with a twin, the Rust runs in the page (runLesson) and the
// twin, rendered by twinSource with the SAME parameters, runs under Debian's
// CPython 3.11 with aiohttp against the same dev server. Then: the same runs
// in the same order, the same tasks ending in the same states (done, error,
// cancelled, pending = never started), and each run's total within 15 % or
// 100 ms of the Rust one, whichever is larger.
//
// A twin prints one line per event, `[  702 ms] <run>: <label> <state>…`,
// plus `<run>: started` and `<run>: finished`; its other lines are the
// program's own output. Parameters are short so the file stays under about
// two minutes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASE, startPage } from "./browser.mjs";

const PYTHON = "/usr/bin/python3";

const delays = (ms, n) => Array(n).fill(`async-demo-api/delay/${ms}`).join(" ");

// Per lesson: the parameters of both runs, and the Python label of each Rust
// label that is Rust syntax (the others, URLs and names, are the same).
const LESSONS = {
  lazy: { params: { "delay-ms": 300 }, labels: { "fetch_data().await": "await fetch_data()" } },
  sleep: { params: { "delay-ms": 300 } },
  blocking: {
    params: { "delay-ms": 300 },
    labels: { "busy loop": "time.sleep()", "TimeoutFuture::new(ms).await": "await asyncio.sleep()" },
  },
  gather: {
    // Done, done, an HTTP error, a timeout.
    params: { urls: "async-demo-api/delay/300 async-demo-api/drip?bytes=20000&ms=400 async-demo-api/status/404 async-demo-api/delay/1500", "timeout-ms": 600 },
  },
  many: { params: { tasks: 500, "delay-ms": 400 } },
  mistakes: {
    params: { "delay-ms": 300, "block-ms": 200 },
    labels: {
      "save(ms) — no .await": "save(ms) — no await",
      "save(ms).await": "await save(ms)",
      "task 0: busy loop": "task 0: time.sleep",
      "spawn(save(ms))": "create_task(save(ms))",
    },
  },
  race: { params: { urls: "async-demo-api/delay/700 async-demo-api/delay/150 async-demo-api/delay/1000" } },
  timeout: { params: { urls: "async-demo-api/delay/100 async-demo-api/delay/1500", "timeout-ms": 400 } },
  cancel: {
    params: { "delay-ms": 1000, urls: "async-demo-api/delay/600 async-demo-api/drip?bytes=5000&ms=800" },
    labels: { TimeoutFuture: "asyncio.sleep()" },
  },
  limit: { params: { urls: delays(200, 6), concurrency: 2 } },
  errors: { params: { urls: "async-demo-api/delay/200 async-demo-api/status/500 async-demo-api/delay/500", failures: 2 } },
  progress: { params: { urls: "async-demo-api/drip?bytes=60000&ms=600 async-demo-api/drip?bytes=20000&ms=300" } },
  input: {
    // No click: the twin's standard input is a pipe nobody writes to, so
    // both sides wait out the deadline and drop the wait.
    params: { "timeout-ms": 300 },
    labels: { "the next click on “Click me”": "the next line on stdin", "Sleep::new(300)": "asyncio.sleep(0.3)" },
  },
  worker: {
    params: { "work-ms": 400 },
    labels: { "in a Web Worker": "count_primes in a worker process" },
    // Counting primes is sized by time on each side (each calibrates its own
    // bound), but a calibration from a 25 ms sample misses by 10-20 %, and
    // the machine's other load moves CPU time more than it moves timers:
    // runs with a CPU-bound part get 25 %. (blocking needs no more than 15 %:
    // both sides hold the thread for a measured time, not an amount of work.)
    cpuBound: true,
  },
};

let browser, page, errors, dir;

/** Whether Debian's Python can run the twins, and if not, what to do. */
const python = (() => {
  const probe = spawnSync(PYTHON, ["-c", "import asyncio, aiohttp; asyncio.TaskGroup"], { encoding: "utf8" });
  if (probe.status === 0) return { ok: true };
  return {
    ok: false,
    why:
      `${PYTHON} cannot run the Python twins (${(probe.error?.message ?? probe.stderr ?? "").trim().split("\n").pop()}): ` +
      "they need Debian's python3 (3.11) with python3-aiohttp; run `cargo xtask test`, which installs it.",
  };
})();

before(async () => {
  ({ browser, page, errors } = await startPage("/"));
  await page.evaluate(async () => {
    // The build with the sandbox (it runs every lesson too).
    const wasm = await import("/pkg-sandbox/async_demo.js");
    await wasm.default();
    window.wasm = wasm;
  });
  dir = await mkdtemp(join(tmpdir(), "async-demo-twins-"));
});

after(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `source` under Debian's Python; resolves with its stdout. */
async function runPython(name, source) {
  const file = join(dir, `${name}.py`);
  await writeFile(file, source);
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [file], { cwd: dir, timeout: 60_000, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${name}.py failed (${error.signal ?? `exit ${error.code}`}):\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The runs a twin printed: [{ name, totalMs, tasks: [{ label, state }] }]. */
export function parseTwin(stdout) {
  const runs = [];
  let run = null;
  for (const line of stdout.split("\n")) {
    const stamped = /^\[\s*(\d+) ms\] (.*)$/.exec(line);
    if (!stamped) continue;
    const [at, text] = [Number(stamped[1]), stamped[2]];
    if (text.endsWith(": started")) {
      run = { name: text.slice(0, -": started".length), start: at, end: null, tasks: [] };
      runs.push(run);
      continue;
    }
    if (!run || !text.startsWith(`${run.name}: `)) continue; // the program's own output
    const rest = text.slice(run.name.length + 2);
    if (rest === "finished") {
      run.end = at;
      continue;
    }
    const task = /^(.*?) (done|error|cancelled|pending)\b/.exec(rest);
    assert.ok(task, `a line of the twin that the test cannot read: ${line}`);
    run.tasks.push({ label: task[1], state: task[2] });
  }
  return runs.map((r) => ({ name: r.name, totalMs: r.end === null ? null : r.end - r.start, tasks: r.tasks }));
}

/**
 * The Python run's tasks in the Rust report's order: a twin prints a task
 * when it ends, so they are matched by label (taken in turn when a label
 * repeats); Python tasks the Rust does not have come last.
 */
function inRustOrder(rustTasks, pythonTasks, labels) {
  const left = [...pythonTasks];
  const matched = rustTasks.map((t) => {
    const label = labels[t.label] ?? t.label;
    const i = left.findIndex((p) => p.label === label);
    return i < 0 ? [label, "missing in Python"] : [label, left.splice(i, 1)[0].state];
  });
  return [...matched, ...left.map((p) => [p.label, `${p.state}, not in the Rust run`])];
}

for (const [lesson, { params, labels = {}, cpuBound = false }] of Object.entries(LESSONS)) {
  test(`${lesson}: the Python twin ends the same tasks the same way, in about the same time`, { timeout: 120_000 }, async () => {
    assert.ok(python.ok, python.why);
    const source = await page.evaluate(([name, p]) => window.wasm.twinSource(name, p), [lesson, params]);
    const report = await page.evaluate(([name, p]) => window.wasm.runLesson(name, p), [lesson, params]);
    const stdout = await runPython(lesson, source);
    const runs = parseTwin(stdout);
    const shown = `\n--- ${lesson}.py printed:\n${stdout}`;

    assert.deepEqual(runs.map((r) => r.name), report.runs.map((r) => r.name), `the same runs${shown}`);
    const lines = [];
    let rustTotal = 0;
    let pythonTotal = 0;
    report.runs.forEach((rust, i) => {
      const py = runs[i];
      const expected = rust.tasks.map((t) => [labels[t.label] ?? t.label, t.state]);
      assert.deepEqual(inRustOrder(rust.tasks, py.tasks, labels), expected, `run "${rust.name}": the same tasks in the same states${shown}`);
      assert.notEqual(py.totalMs, null, `run "${rust.name}" never printed "finished"${shown}`);
      const allowed = Math.max((cpuBound ? 0.25 : 0.15) * rust.totalMs, 100);
      assert.ok(
        Math.abs(py.totalMs - rust.totalMs) <= allowed,
        `run "${rust.name}": Python took ${py.totalMs} ms, Rust ${Math.round(rust.totalMs)} ms (allowed ±${Math.round(allowed)} ms)${shown}`,
      );
      rustTotal += rust.totalMs;
      pythonTotal += py.totalMs;
      lines.push(`${rust.name} ${Math.round(rust.totalMs)}/${py.totalMs}`);
    });
    console.log(`# parity ${lesson}: rust ${Math.round(rustTotal)} python ${pythonTotal} states equal yes (${lines.join(", ")})`);
  });
}

// The lines a lesson prints of its own (not a run's "started", a task's end
// or "finished"), where they hold no measured figure: the same in the twin.
const OWN_LINES = {
  many: { tasks: 5, "delay-ms": 100 }, // fewer timers than the first run's ten
  sleep: { "delay-ms": 100 },
  gather: { urls: "async-demo-api/delay/100 async-demo-api/status/404", "timeout-ms": 1000 },
  limit: { urls: delays(100, 4), concurrency: 2 },
  // (progress's twin also prints each download's progress, which the Rust
  // shows in its table, with a measured rate.)
};

for (const [lesson, params] of Object.entries(OWN_LINES)) {
  test(`${lesson}: the twin prints the lines the Rust logs, in the same order`, { timeout: 60_000 }, async () => {
    assert.ok(python.ok, python.why);
    const source = await page.evaluate(([name, p]) => window.wasm.twinSource(name, p), [lesson, params]);
    // The Rust side's transcript, from a widget: the report has no log lines.
    const transcript = await page.evaluate(
      async ([name, p]) => {
        const el = document.createElement("async-demo");
        el.setAttribute("lesson", name);
        for (const [k, v] of Object.entries(p)) el.setAttribute(k, String(v));
        document.body.append(el);
        await el.run();
        const details = el.shadowRoot.querySelector("details.transcript");
        details.open = true;
        details.dispatchEvent(new Event("toggle"));
        await new Promise((r) => setTimeout(r, 100));
        const text = details.querySelector("code").textContent;
        el.remove();
        return text;
      },
      [lesson, params],
    );
    const own = (text) => {
      const lines = text.split("\n").map((l) => /^\[\s*\d+ ms\] (.*)$/.exec(l)?.[1]).filter((l) => l !== undefined);
      const runs = lines.filter((l) => l.endsWith(": started")).map((l) => l.slice(0, -": started".length));
      return lines.filter((l) => !runs.some((r) => l.startsWith(`${r}: `)));
    };
    const rust = own(transcript);
    const stdout = await runPython(`${lesson}-own`, source);
    assert.ok(rust.length > 0, `the Rust logged no line of its own:\n${transcript}`);
    assert.deepEqual(own(stdout), rust, `--- Rust:\n${transcript}\n--- ${lesson}.py printed:\n${stdout}`);
  });
}

// The sandbox: its twin is written from the program. Every example and the
// first GENERATED programs of tests/sandbox_programs.json (made at random
// from a fixed seed; the interpreter ↔ compiled Rust test runs them all)
// run in the page and, as their traced twin, under CPython: the same
// futures end the same way, and the totals agree as the lessons' do.
const GENERATED = 60;

test(`sandbox: the Python of every example and of ${GENERATED} generated programs ends the same futures the same way, in about the same time`, { timeout: 900_000 }, async () => {
  assert.ok(python.ok, python.why);
  const all = JSON.parse(readFileSync(new URL("../sandbox_programs.json", import.meta.url), "utf8"));
  const programs = [...all.filter((p) => !p.label.startsWith("generated ")), ...all.filter((p) => p.label.startsWith("generated ")).slice(0, GENERATED)];
  assert.ok(programs.length >= GENERATED + 10, `${programs.length} programs`);
  const failures = [];
  let [rustSum, pythonSum] = [0, 0];
  const states = (tasks) => tasks.map((t) => t.join(" → ")).sort();
  // Both sides of one program, run for real: the Rust in the page, its twin under CPython.
  const both = async (i, program) => {
    const source = await page.evaluate(([p, base]) => window.wasm.sandboxTracedTwin(p, base), [program, `${BASE}/`]);
    const report = await page.evaluate((p) => window.wasm.runLesson("sandbox", { program: p }), program);
    const stdout = await runPython(`sandbox-${i}`, source);
    const python = JSON.parse(stdout.trim().split("\n").pop());
    const rust = report.runs[0];
    const sameStates = JSON.stringify(states(rust.tasks.map((t) => [t.label, t.state]))) === JSON.stringify(states(python.tasks));
    const allowed = Math.max(0.15 * rust.totalMs, 100);
    return { rust, python, sameStates, allowed, sameTime: Math.abs(python.totalMs - rust.totalMs) <= allowed };
  };
  for (const [i, { label, program }] of programs.entries()) {
    let { rust, python, sameStates, allowed, sameTime } = await both(i, program);
    // End states are decided by the program and fail at once. A total off by
    // more than allowed is measured once more: a machine busy with something
    // else for a moment (a Python start, a page's garbage collection) does not
    // repeat, a twin that waits differently does.
    if (sameStates && !sameTime) ({ rust, python, sameStates, allowed, sameTime } = await both(i, program));
    rustSum += rust.totalMs;
    pythonSum += python.totalMs;
    if (!sameStates || !sameTime) {
      failures.push(
        `${label}: ${sameStates ? "" : "different end states; "}${sameTime ? "" : `Python took ${Math.round(python.totalMs)} ms, Rust ${Math.round(rust.totalMs)} (allowed ±${Math.round(allowed)}); `}\n${program}\n  Rust:   ${JSON.stringify(rust.tasks.map((t) => [t.label, t.state]))}\n  Python: ${JSON.stringify(python.tasks)}`,
      );
    }
  }
  console.log(`# parity sandbox: ${programs.length} programs, ${programs.length - failures.length} the same; rust ${Math.round(rustSum)} ms python ${Math.round(pythonSum)} ms in all`);
  assert.deepEqual(failures, []);
});

test("every lesson has a twin in this test, or says in words why it has none", async () => {
  const names = await page.evaluate(() => window.wasm.lessonNames());
  const without = names.filter((n) => !(n in LESSONS) && n !== "sandbox");
  assert.deepEqual(without, ["bridge"]);
  const bridge = await page.evaluate(() => window.wasm.twinSource("bridge", {}));
  assert.match(bridge, /no faithful Python twin/);
  assert.doesNotMatch(bridge, /^import /m);
});

test("a hostile URL stays one Python string, and bad parameters are refused", async () => {
  assert.ok(python.ok, python.why);
  // Not a URL the browser can parse, so it reaches the twin as it was typed.
  const hostile = 'http://["]+__import__("os").system("echo")+["\\';
  const source = await page.evaluate((urls) => window.wasm.twinSource("race", { urls }), hostile);
  const probe = spawnSync(
    PYTHON,
    ["-c", "import ast, json, sys\nfor node in ast.parse(sys.stdin.read()).body:\n    if isinstance(node, ast.Assign) and node.targets[0].id == 'URLS':\n        print(json.dumps(ast.literal_eval(node.value)))"],
    { input: source, encoding: "utf8" },
  );
  assert.equal(probe.status, 0, probe.stderr);
  assert.deepEqual(JSON.parse(probe.stdout), [hostile]);
  const refused = await page.evaluate(() => {
    try {
      window.wasm.twinSource("timeout", { "timeout-ms": "soon" });
      return "accepted";
    } catch (e) {
      return e.message;
    }
  });
  assert.equal(refused, 'Attribute timeout-ms="soon" is not usable: expected a whole number from 1 to 120000.');
});

test("no page errors", () => {
  assert.deepEqual(errors.filter((e) => !e.startsWith("console: Failed to load resource")), []);
});
