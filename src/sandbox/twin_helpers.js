
// What the Rust prelude's names are here. Each makes a Lazy: nothing
// starts until it is awaited (run), and drop() aborts it.
const DROPPED = new Error("dropped");
class Lazy {
  constructor(start) {
    this.start = start;
    this.controller = new AbortController();
    this.promise = null;
  }
  run() {
    if (!this.promise) {
      this.promise = this.start(this.controller.signal);
      this.promise.catch(() => {}); // a dropped one's end is nobody's error
    }
    return this.promise;
  }
  // Awaited inside an async block: dropping the block drops this too, and
  // the block stops at this await, as a dropped Rust future does.
  runIn(signal) {
    if (signal.aborted) return Promise.reject(signal.reason);
    const stop = () => this.drop();
    signal.addEventListener("abort", stop, { once: true });
    return Promise.race([this.run(), aborted(signal)]).finally(() => signal.removeEventListener("abort", stop));
  }
  drop() {
    this.controller.abort(DROPPED);
  }
}
const lazy = (start) => new Lazy(start);
const aborted = (signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }));
const onDrop = (signal, futures) => signal.addEventListener("abort", () => futures.forEach(drop), { once: true });
// `text` as Rust's Debug writes a string: in double quotes, with \0 \t \r
// \n \\ \" and \u{…} for a character that does not print (a control, a
// format or combining one, a space other than " ").
function quoted(text) {
  const escapes = { "\0": "\\0", "\t": "\\t", "\r": "\\r", "\n": "\\n", "\\": "\\\\", '"': '\\"' };
  let out = "";
  for (const c of text) {
    if (escapes[c]) out += escapes[c];
    else if (c !== " " && /[\p{Cc}\p{Cf}\p{Z}\p{Co}\p{Cn}\p{Mn}\p{Me}]/u.test(c)) out += `\\u{${c.codePointAt(0).toString(16)}}`;
    else out += c;
  }
  return `"${out}"`;
}
// An error of the Rust prelude's Error: its message is the Rust's sentence
// (`{}`), `rust` what the Rust's `{:?}` writes, e.g. Program("why").
class Failure extends Error {
  constructor(sentence, rust = `Program(${quoted(sentence)})`) {
    super(sentence);
    this.rust = rust;
  }
  toString() {
    return this.message;
  }
}
// An error of the prelude's as a value, as the Rust's Err is. Anything
// else thrown goes on up: a drop, or what the Rust would panic at (an
// overflow), which ends the program.
const failure = (error) => {
  if (error instanceof Failure) return error;
  throw error;
};
const settle = (promise) => promise.then((value) => value, failure);
// Ok(Err(e)), a Result inside a Result (a timeout around a download that
// failed in time): a value, so that only the outer Err counts as an error;
// a `?` takes the inner Result out, and a second `?` throws it.
class Err {
  constructor(error) {
    this.error = error;
  }
}
const inner = (future) =>
  lazy((signal) => {
    onDrop(signal, [future]);
    return settle(future.run()).then((found) => (found instanceof Error ? new Err(found) : found));
  });
// `{:?}`: the value as Rust's Debug writes it. `type` is its Rust type, as
// rustc writes it, where the value alone does not tell: an Ok is the bare
// value here, a tuple an array, an error an Error.
function debug(value, type = "_") {
  return show(value, rustType(type));
}
function show(value, [name, args]) {
  if (name === "Result") {
    if (value instanceof Error) return `Err(${show(value, ["Error", []])})`;
    if (value instanceof Err && args[0][0] !== "Result") return `Err(${show(value.error, ["Error", []])})`;
    return `Ok(${show(value, args[0])})`;
  }
  if (name === "()" && args.length) {
    return `(${args.map((type, i) => show(value[i], type)).join(", ")}${args.length === 1 ? "," : ""})`;
  }
  if (name === "Vec" || name === "[]") return `[${value.map((v) => show(v, args[0])).join(", ")}]`;
  if (name === "&") return show(value, args[0]);
  if (typeof value === "string") return quoted(value);
  if (value === undefined || value === null) return "()";
  if (Array.isArray(value)) return `[${value.map((v) => show(v, ["_", []])).join(", ")}]`;
  if (value instanceof Err) return `Ok(Err(${show(value.error, ["Error", []])}))`;
  if (value instanceof Failure) return value.rust;
  if (value instanceof Error) return `${value.name}(${quoted(value.message)})`;
  return String(value);
}
// A Rust type as rustc writes it ("Result<(u64, String), Error>") as
// [name, [its type arguments]]; a tuple is named "()", an array "[]".
function rustType(text) {
  const tokens = text.match(/\w+|\S/g) ?? [];
  let at = 0;
  const list = (close) => {
    const items = [];
    while (at < tokens.length && tokens[at] !== close) {
      items.push(one());
      if (tokens[at] === ",") at++;
    }
    at++;
    return items;
  };
  const one = () => {
    const token = tokens[at++];
    if (token === "&") return ["&", [one()]];
    if (token === "(") return ["()", list(")")];
    if (token === "[") {
      const item = one();
      at += 3; // "; _ ]"
      return ["[]", [item]];
    }
    if (tokens[at] === "<") {
      at++;
      return [token, list(">")];
    }
    return [token, []];
  };
  return one();
}
function check(value) {
  if (value instanceof Error) throw value; // the Rust's `?`
  if (value instanceof Err) return value.error; // the inner Result, an error as a value
  return value;
}
// a - b for the Rust's u64, which has no number below 0.
function sub(a, b) {
  if (b > a) throw new RangeError("attempt to subtract with overflow");
  return a - b;
}
// a / b and a % b for the Rust's u64: whole numbers, and a divisor of 0 stops.
function div(a, b) {
  if (b === 0) throw new RangeError("attempt to divide by zero");
  return Math.floor(a / b);
}
function rem(a, b) {
  if (b === 0) throw new RangeError("attempt to calculate the remainder with a divisor of zero");
  return a % b;
}
function drop(value) {
  if (value instanceof Lazy) value.drop();
  else if (Array.isArray(value)) value.forEach(drop);
}

// (A browser's timer waits at most 2³¹ − 1 ms; a longer delay would fire at once.)
const sleep = (ms) =>
  lazy(
    (signal) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, Math.min(ms, 2 ** 31 - 1));
        signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
      }),
  );
const fetchText = (url) =>
  lazy(async (signal) => {
    const q = quoted;
    let href;
    try {
      href = new URL(url, BASE).href;
    } catch (error) {
      throw new Failure(`“${url}” is not a URL that can be fetched: ${error.message}.`, `InvalidUrl { url: ${q(url)}, reason: ${q(error.message)} }`);
    }
    const scheme = href.split(":")[0];
    if (!["http", "https", "data", "blob"].includes(scheme)) {
      const reason = `the scheme “${scheme}:” is not one fetch can load (use http, https, data or blob)`;
      throw new Failure(`“${href}” is not a URL that can be fetched: ${reason}.`, `InvalidUrl { url: ${q(href)}, reason: ${q(reason)} }`);
    }
    let response;
    try {
      response = await fetch(href, { signal, cache: "no-store" });
    } catch (error) {
      if (signal.aborted) throw error;
      const detail = error.cause?.message ?? error.message;
      throw new Failure(`Could not reach ${href}: ${detail}.`, `Network { url: ${q(href)}, detail: ${q(detail)} }`);
    }
    const { status, statusText } = response;
    if (!response.ok) {
      throw new Failure(
        `${href} answered HTTP ${status} ${statusText}: the download failed.`,
        `Http { url: ${q(href)}, status: ${status}, status_text: ${q(statusText)}, hint: "" }`,
      );
    }
    return response.text();
  });
// The next click on the page; under Node, the next line on standard input
// (press Enter), as the Python twin reads it.
const click = () =>
  lazy(
    (signal) =>
      new Promise((resolve, reject) => {
        const node = typeof process !== "undefined" && process.stdin;
        const stop = () => (node ? process.stdin.off("data", done).off("end", done).pause() : removeEventListener("click", done));
        const done = () => (stop(), resolve());
        if (node) process.stdin.on("data", done).on("end", done);
        else addEventListener("click", done);
        signal.addEventListener("abort", () => (stop(), reject(signal.reason)), { once: true });
      }),
  );
const block = (ms) =>
  lazy(async () => {
    const end = performance.now() + ms;
    while (performance.now() < end); // holds the thread: nothing else runs meanwhile
  });
const fail = (why) => lazy(async () => { throw new Failure(why); });
const ready = (value) => lazy(async () => value);
// join!/join_all: every result, an error as its value (Promise.all of settled ones).
const join = (...futures) =>
  lazy(async (signal) => {
    onDrop(signal, futures);
    return Promise.all(futures.map((f) => settle(f.run())));
  });
const joinAll = (futures) => join(...futures);
// try_join!/try_join_all: the first error ends it and aborts the others (Promise.all).
const tryJoin = (...futures) =>
  lazy(async (signal) => {
    onDrop(signal, futures);
    try {
      return await Promise.all(futures.map((f) => f.run().then(check)));
    } catch (error) {
      futures.forEach(drop);
      return failure(error);
    }
  });
const tryJoinAll = (futures) => tryJoin(...futures);
// select: the first to finish, and the other, still pending (Promise.race);
// the loser is aborted when it is dropped. Not quite the Rust's: futures'
// select starts `b` only if `a` is not ready at once, and its loser waits
// un-polled, while both Promises here run on their own.
const select = (a, b) =>
  lazy(async (signal) => {
    onDrop(signal, [a, b]);
    const first = await Promise.race([settle(a.run()).then((v) => ["left", v]), settle(b.run()).then((v) => ["right", v])]);
    return [first[0], first[1], first[0] === "left" ? b : a];
  });
const selectAll = (futures) =>
  lazy(async (signal) => {
    onDrop(signal, futures);
    const [index, value] = await Promise.race(futures.map((f, i) => settle(f.run()).then((v) => [i, v])));
    return [value, index, futures.filter((_, i) => i !== index)];
  });
// At most k at once; results in the order they finish.
const bufferUnordered = (k, futures) =>
  lazy(async (signal) => {
    onDrop(signal, futures);
    const results = [];
    const queue = [...futures];
    const lane = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) results.push(await settle(next.run()));
    };
    await Promise.all(Array.from({ length: Math.min(k, futures.length) }, lane));
    return results;
  });
// A deadline from the first await on (AbortSignal.timeout): the value, or the error.
const timeout = (ms, future) =>
  lazy(async (signal) => {
    onDrop(signal, [future]);
    const deadline = AbortSignal.timeout(Math.min(ms, 2 ** 31 - 1));
    try {
      return await Promise.race([future.run(), aborted(deadline)]);
    } catch (error) {
      if (!deadline.aborted) return failure(error);
      future.drop();
      return new Failure(`Timed out after ${ms} ms; the request was cancelled.`, `TimedOut { after_ms: ${ms} }`);
    }
  });
const retry = (attempts, make) =>
  lazy(async (signal) => {
    let error = new Failure("retry(0, …) made no attempt");
    for (let i = 0; i < attempts; i++) {
      const attempt = make();
      onDrop(signal, [attempt]);
      const found = await settle(attempt.run());
      if (!(found instanceof Error)) return found;
      error = found;
    }
    return error;
  });
const spawned = new Set();
function spawnLocal(future) {
  const running = settle(future.run());
  spawned.add(running);
  running.finally(() => spawned.delete(running));
}
const repeat = (n, f) => Array.from({ length: n }, (_, i) => f(i));

main()
  .then(async () => {
    while (spawned.size) await Promise.all(spawned); // as the page's executor runs spawned tasks to their end
  })
  .catch((error) => {
    // The program ended with an error, as the Rust's does with its sentence
    // (anything else thrown is what the Rust would panic at).
    console.error(error instanceof Failure ? `The program ended with an error that a \`?\` passed on: ${error}` : error);
    if (typeof process !== "undefined") process.exitCode = 1;
  });
