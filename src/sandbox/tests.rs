//! The sandbox's twins: every example written in Python and JavaScript,
//! each of which the real tools read without a syntax error.

use super::examples::EXAMPLES;
use crate::lessons::DEFAULT_PROGRAM;

fn programs() -> Vec<&'static str> {
    // An emptied editor is a program too: it compiles, and does nothing.
    EXAMPLES
        .iter()
        .map(|e| e.program)
        .chain([DEFAULT_PROGRAM, "", "\n  \n"])
        .collect()
}

#[test]
fn every_example_compiles_in_the_sandbox() {
    for program in programs() {
        if let Err(e) = super::compile(program) {
            panic!("{}", e.render(program));
        }
    }
}

#[test]
fn every_example_has_twins_that_python_and_node_read() {
    let dir = std::env::temp_dir().join(format!("async-demo-twins-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    for (i, program) in programs().into_iter().enumerate() {
        let generated = super::generate(program, "http://127.0.0.1:8080/");
        assert!(
            generated.diagnostics.is_empty() || !generated.diagnostics.contains("error"),
            "{}",
            generated.diagnostics
        );
        let py = dir.join(format!("twin{i}.py"));
        std::fs::write(&py, &generated.python).expect("write");
        let js = dir.join(format!("twin{i}.mjs"));
        std::fs::write(&js, &generated.javascript).expect("write");
        let python = std::process::Command::new("python3")
            .args(["-m", "py_compile"])
            .arg(&py)
            .output();
        if let Ok(out) = python {
            assert!(
                out.status.success(),
                "{program}\n---\n{}\n---\n{}",
                generated.python,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let node = std::process::Command::new("node")
            .arg("--check")
            .arg(&js)
            .output();
        if let Ok(out) = node {
            assert!(
                out.status.success(),
                "{program}\n---\n{}\n---\n{}",
                generated.javascript,
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `SANDBOX_PRINT=1 cargo test --lib print_twins -- --ignored --nocapture`:
/// the twins of every example, to read.
#[test]
#[ignore = "prints the twins, for a person to read"]
fn print_twins() {
    for program in programs() {
        let generated = super::generate(program, "http://127.0.0.1:8080/");
        println!(
            "=== {program}\n--- python\n{}\n--- javascript\n{}",
            generated
                .python
                .split("\n\n# What the Rust prelude")
                .next()
                .unwrap_or(""),
            generated
                .javascript
                .split("\n// What the Rust prelude")
                .next()
                .unwrap_or("")
        );
    }
}

#[test]
fn absurd_counts_and_busy_loops_are_refused_before_the_run() {
    let error =
        |source: &str| super::first_error(source).unwrap_or_else(|| panic!("{source:?} was let through"));
    assert_eq!(
        error("block(10001).await;"),
        "1:7: error: block holds the page at most 10000 ms here: 10001 ms of busy loop would freeze it."
    );
    assert!(super::first_error("block(10000).await;").is_none());
    assert!(error("join_all(repeat(100001, |i| sleep(i))).await;").contains("would make 100002 futures"));
    assert!(error("for i in 0..100001 { }").contains("for loops would turn 100001 times"));
    assert!(error("for i in 0..1000 { for j in 0..1000 { } }").contains("for loops would turn 1001000 times"));
    assert!(super::first_error("for i in 0..1000 { for j in 0..99 { } }").is_none());
    for said in [
        error("block(10001).await;"),
        error("for i in 0..18446744073709551615 { }"),
        error("repeat(18446744073709551615, |i| i);"),
    ] {
        assert!(said.ends_with('.') && said.len() <= 300, "{said}");
    }
}

#[test]
fn an_error_passed_on_by_question_mark_ends_the_run_with_a_sentence() {
    let said = super::passed_on(&crate::Error::Program("x".repeat(5000))).to_string();
    assert!(
        said.starts_with("The program ended with an error that a `?` passed on: xxx"),
        "{said}"
    );
    assert!(said.ends_with("(5000 characters).") && said.len() < 300, "{said}");
    let said = super::passed_on(&crate::Error::Program("no".into())).to_string();
    assert_eq!(said, "The program ended with an error that a `?` passed on: no.");
}

/// A small seeded generator (xorshift64*): the same inputs on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// Pieces of the subset and of what is not in it, to insert and to make
/// token soup from.
const PIECES: &[&str] = &[
    "let ",
    "a",
    "b",
    "_",
    " = ",
    ";",
    "\n",
    ".await",
    "?",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    "|i|",
    "||",
    "move ",
    "async ",
    "async move {",
    "for i in 0..3 ",
    "sleep(",
    "fetch(",
    "block(",
    "click()",
    "fail(",
    "ready(",
    "join!(",
    "try_join!(",
    "join_all(",
    "try_join_all(",
    "select(",
    "select_all(",
    "buffer_unordered(",
    "timeout(",
    "retry(",
    "repeat(",
    "spawn_local(",
    "vec![",
    "println!(",
    "format!(",
    "drop(",
    "Ok(",
    "Ok::<_, Error>(",
    "\"",
    "\"x\"",
    "\"{}\"",
    "\"{:?}\"",
    "\\",
    "'",
    "0",
    "1",
    "300",
    "18446744073709551615",
    "99999999999999999999",
    "+",
    "-",
    "*",
    "/",
    "%",
    "==",
    "&",
    "&&",
    ".",
    "..",
    "..=",
    ":",
    "::",
    "<",
    ">",
    "Vec<Task<()>>",
    "u64",
    "String",
    "//",
    "/*",
    "*/",
    "#",
    "!",
    "@",
    "$",
    "é",
    "💥",
    "\u{0}",
    "\u{202e}",
    "\t",
    " ",
    "if ",
    "else",
    "loop",
    "while ",
    "match ",
    "mut ",
    "fn ",
    "return ",
    "break",
    "self",
    "Self",
    "1.5",
    "0x10",
    "5u8",
    "r#\"",
    "b'a'",
    "x.len()",
];

#[test]
fn a_hundred_thousand_random_and_mutated_programs_never_panic_and_always_end() {
    const INPUTS: usize = 100_000;
    let seeds: Vec<String> = programs()
        .into_iter()
        .map(String::from)
        .chain(super::twins::random_programs(7, 40))
        .collect();
    let mut rng = Rng(0x5eed_2026_1206);
    let (mut compiled, mut refused) = (0, 0);
    let started = std::time::Instant::now();
    for n in 0..INPUTS {
        let input = match rng.below(4) {
            // Token soup.
            0 => (0..rng.below(40)).map(|_| rng.pick(PIECES)).collect::<String>(),
            // A program with a few mutations: pieces inserted, bytes cut,
            // characters replaced, a stretch repeated.
            _ => {
                let mut text = seeds[rng.below(seeds.len())].clone();
                for _ in 0..=rng.below(4) {
                    let at = floor(&text, rng.below(text.len() + 1));
                    match rng.below(4) {
                        0 => text.insert_str(at, rng.pick(PIECES)),
                        1 => {
                            let end = floor(&text, (at + rng.below(12)).min(text.len()));
                            text.replace_range(at..end, "");
                        }
                        2 => {
                            let end = floor(&text, (at + 1 + rng.below(3)).min(text.len()));
                            text.replace_range(at..end, rng.pick(PIECES));
                        }
                        _ => {
                            let end = floor(&text, (at + rng.below(30)).min(text.len()));
                            let stretch = text[at..end].to_string();
                            text.insert_str(at, &stretch);
                        }
                    }
                }
                text
            }
        };
        let outcome = std::panic::catch_unwind(|| {
            // What the editor does with each keystroke: compile, and write
            // the twins (for every tenth input: the writers are slower).
            let first = super::first_error(&input);
            if n % 10 == 0 {
                let generated = super::generate(&input, "http://127.0.0.1:8080/");
                assert!(!generated.python.is_empty() && !generated.javascript.is_empty());
            }
            first
        });
        match outcome {
            Ok(None) => compiled += 1,
            Ok(Some(said)) => {
                assert!(said.ends_with('.') && said.len() <= 400, "{input:?}: {said}");
                refused += 1;
            }
            Err(_) => panic!("the sandbox panicked on {input:?}"),
        }
    }
    println!(
        "fuzz: {INPUTS} inputs, {compiled} compiled, {refused} refused with a sentence, none panicked; {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(
        compiled > 100 && refused > INPUTS / 2,
        "{compiled} compiled, {refused} refused"
    );
}

fn floor(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `{:?}` of an error says the error in JavaScript too (JSON alone writes
/// an `Error` as `{}`), as it does in the Rust and in Python.
#[test]
fn the_javascript_twin_keeps_an_awaited_error_as_a_value_and_debug_prints_it() {
    // An awaited error is a value, as the Rust's Err is: the program goes on
    // to print it (it threw before, and main() ended there).
    for (program, said) in [
        (
            "let r = fail(\"no luck\").await;\nprintln!(\"{:?}\", r);\nprintln!(\"after\");",
            "Err(Program(\"no luck\"))\nafter",
        ),
        (
            "let r = timeout(10, sleep(1000)).await;\nprintln!(\"{:?}\", r);",
            "Err(TimedOut { after_ms: 10 })",
        ),
    ] {
        let generated = super::generate(program, "http://127.0.0.1:8080/");
        let path = std::env::temp_dir().join(format!("async-demo-debug-{}.mjs", std::process::id()));
        std::fs::write(&path, &generated.javascript).expect("write");
        let out = std::process::Command::new("node").arg(&path).output();
        let _ = std::fs::remove_file(&path);
        let Ok(out) = out else { return }; // no node here
        let printed = String::from_utf8_lossy(&out.stdout);
        let complaints = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success() && complaints.is_empty(),
            "{}\n{complaints}",
            generated.javascript
        );
        assert_eq!(printed.trim(), said, "{}", generated.javascript);
    }
}

/// The twin `generated` (`.py` or `.mjs`) run by `program` (python3 or
/// node): its standard output, its error output, whether it exited with 0,
/// and how long it took; None where that interpreter (or aiohttp) is
/// missing here.
fn run_twin(interpreter: &str, ext: &str, text: &str) -> Option<(String, String, bool, std::time::Duration)> {
    if interpreter.ends_with("python3")
        && !std::process::Command::new(interpreter)
            .args(["-c", "import aiohttp"])
            .output()
            .is_ok_and(|o| o.status.success())
    {
        return None;
    }
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "async-demo-twin-{}-{}.{ext}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&path, text).expect("write");
    let start = std::time::Instant::now();
    // Standard input is a pipe holding one line: a click(), pressed Enter.
    let out = std::process::Command::new(interpreter)
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(b"\n");
            }
            child.wait_with_output()
        });
    let took = start.elapsed();
    let _ = std::fs::remove_file(&path);
    let out = out.ok()?;
    Some((
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
        out.status.success(),
        took,
    ))
}

/// Programs whose twins misbehaved (a fresh reviewer ran each in the widget,
/// CPython and Node): each twin now does what the Rust does. The Rust's
/// own output is in the comment beside each.
#[test]
fn the_twins_do_what_the_rust_does_with_nested_results_drops_overflow_and_errors() {
    struct Case {
        program: &'static str,
        /// What both twins print (None: anything, see `check`).
        prints: Option<&'static str>,
        /// Whether the program ends well (exit status 0).
        ok: bool,
    }
    let cases = [
        // Rust: Err(Program("no")): the `?` passes the timeout's Ok, whose
        // value is the inner Err.
        Case { program: "let r = timeout(500, fail(\"no\")).await?;\nprintln!(\"{:?}\", r);\nprintln!(\"after\");", prints: None, ok: true },
        // Rust: timed out (the dropped block never prints).
        Case { program: "let _ = timeout(100, async { sleep(300).await; println!(\"late\"); }).await;\nprintln!(\"timed out\");\nsleep(500).await;", prints: Some("timed out"), ok: true },
        // Rust: Err(Program("boom")), and the first block, dropped, never goes on.
        Case { program: "let o = try_join!(async { sleep(300).await; println!(\"still running\"); Ok(1) }, fail(\"boom\"));\nsleep(500).await;\nprintln!(\"end\");", prints: Some("end"), ok: true },
        // Rust: clicked, at the widget's button; the twins read a line of
        // standard input (here a pipe holding one).
        Case { program: "click().await;\nprintln!(\"clicked\");", prints: Some("clicked"), ok: true },
        // Rust: stops with "attempt to subtract with overflow".
        Case { program: "println!(\"{}\", 1 - 2);", prints: Some(""), ok: false },
        // Rust: ends with the error's sentence; "after" is never printed.
        Case { program: "println!(\"before\");\nfail(\"x\").await?;\nprintln!(\"after\");", prints: Some("before"), ok: false },
        // Rust: "it's \"q\"" ["a", "b"] ((), 7)
        Case { program: "let (a, b) = join!(sleep(1), ready(7));\nprintln!(\"{:?} {:?} {:?}\", \"it's \\\"q\\\"\", vec![\"a\", \"b\"], (a, b));", prints: None, ok: true },
        // Rust: an Ok written as Ok, a tuple in parentheses (a one-tuple
        // with its comma), inside a Vec and a Result too.
        Case {
            program: "let r = timeout(500, sleep(1)).await;\nlet j = join!(ready(1), ready(\"a\"));\nlet t = try_join!(ready(Ok(2)), timeout(500, ready(3)));\nlet n = timeout(500, timeout(1, sleep(300))).await;\nprintln!(\"{:?} {:?} {:?} {:?} {:?}\", r, j, t, n, vec![(1,)]);",
            prints: Some(r#"Ok(()) (1, "a") Ok((2, 3)) Ok(Err(TimedOut { after_ms: 1 })) [(1,)]"#),
            ok: true,
        },
        // Rust: Err(TimedOut { after_ms: 10 }): try_join! sees an error held
        // as a value (timeout's), not only one raised.
        Case { program: "let t = try_join!(ready(Ok(1)), timeout(10, sleep(500)));\nprintln!(\"{:?}\", t);", prints: Some("Err(TimedOut { after_ms: 10 })"), ok: true },
        // Rust: stops with "attempt to subtract with overflow" (a panic
        // inside a combinator is not an Err value).
        Case { program: "let r = timeout(100, async { let x = 1 - 2; x }).await;\nprintln!(\"{:?}\", r);", prints: Some(""), ok: false },
        // Rust: (5, 1) 5: a program's names do not hide the twin's own.
        Case { program: "let debug = 5;\nlet settle = 1;\nlet join = 2;\nlet print = 3;\nlet console = 4;\nprintln!(\"{:?} {}\", (debug, settle), join + print + console - 4);", prints: Some("(5, 1) 5"), ok: true },
        // Rust: late, then the program ends with its error (the spawned
        // task runs on).
        Case { program: "spawn_local(async { sleep(50).await; println!(\"late\"); });\nfail(\"x\").await?;", prints: Some("late"), ok: false },
        // Rust: stops with "attempt to divide by zero" (a double would be Infinity).
        Case { program: "let z = 0;\nprintln!(\"{}\", 7 / 2);\nprintln!(\"{}\", 1 / z);", prints: Some("3"), ok: false },
        // Rust: the escapes of str's Debug, \u{…} for what does not print.
        Case {
            program: "println!(\"{:?}\", \"a\\rb\\0c\\u{7f}d\\u{1b}e\\u{301}f\\u{200b}g\\u{a0}h é ☃ 'q' \\\\\");",
            prints: Some(r#""a\rb\0c\u{7f}d\u{1b}e\u{301}f\u{200b}g\u{a0}h é ☃ 'q' \\""#),
            ok: true,
        },
        // Rust: a scheme fetch cannot load is an InvalidUrl; a data: URL is read.
        Case {
            program: "println!(\"{:?}\", fetch(\"ftp://x/y\").await);\nprintln!(\"{:?}\", fetch(\"data:text/plain,hi%20there\").await);",
            prints: Some("Err(InvalidUrl { url: \"ftp://x/y\", reason: \"the scheme “ftp:” is not one fetch can load (use http, https, data or blob)\" })\nOk(\"hi there\")"),
            ok: true,
        },
        // Rust: Err(Network { url: "http://127.0.0.1:9/async-demo-api/delay/1",
        // detail: "TypeError: Failed to fetch" }) (the detail is the browser's).
        Case { program: "let r = fetch(\"async-demo-api/delay/1\").await;\nprintln!(\"{:?}\", r);", prints: None, ok: true },
    ];
    for (i, case) in cases.iter().enumerate() {
        let generated = super::generate(case.program, "http://127.0.0.1:9/");
        assert!(
            !generated.diagnostics.contains("error"),
            "{}: {}",
            case.program,
            generated.diagnostics
        );
        for (interpreter, ext, text) in [
            ("/usr/bin/python3", "py", &generated.python),
            ("node", "mjs", &generated.javascript),
        ] {
            let Some((out, err, ok, _)) = run_twin(interpreter, ext, text) else {
                eprintln!("{interpreter} (with aiohttp) is not here: its twin is not run");
                continue;
            };
            let context = format!(
                "{} in {interpreter}:\n{text}\n--- printed:\n{out}\n--- errors:\n{err}",
                case.program
            );
            assert_eq!(ok, case.ok, "{context}");
            if let Some(prints) = case.prints {
                assert_eq!(out, prints, "{context}");
            }
            match i {
                0 => {
                    let lines: Vec<&str> = out.lines().collect();
                    assert_eq!(lines.len(), 2, "{context}");
                    assert_eq!(lines[0], r#"Err(Program("no"))"#, "{context}");
                    assert_eq!(lines[1], "after", "{context}");
                }
                4 => assert!(err.contains("attempt to subtract with overflow"), "{context}"),
                // The run's end, said as the widget says it.
                5 => assert!(
                    err.contains("The program ended with an error that a `?` passed on: x"),
                    "{context}"
                ),
                12 if ext == "mjs" => assert!(err.contains("attempt to divide by zero"), "{context}"),
                6 => assert_eq!(out, r#""it's \"q\"" ["a", "b"] ((), 7)"#, "{context}"),
                15 => assert!(
                    out.starts_with(
                        r#"Err(Network { url: "http://127.0.0.1:9/async-demo-api/delay/1", detail: ""#
                    ) && out.ends_with("\" })"),
                    "{context}"
                ),
                _ => {}
            }
        }
    }
}

/// A dropped sleep clears its timer in the JavaScript twin: Node ends when
/// the program does, not when the 20 s timer would have fired (as CPython does).
#[test]
fn a_dropped_sleep_does_not_keep_the_javascript_twin_alive() {
    let generated = super::generate(
        "let _ = timeout(100, sleep(20000)).await;\nprintln!(\"done\");",
        "http://127.0.0.1:9/",
    );
    let Some((out, err, ok, took)) = run_twin("node", "mjs", &generated.javascript) else {
        return;
    };
    assert!(ok && out == "done", "{out}\n{err}");
    // 20 s if the timer held Node; Node starts in well under a second, and
    // in a few seconds on a machine many times slower.
    assert!(took < std::time::Duration::from_secs(10), "{took:?}");
}

/// A number JavaScript cannot hold exactly gets a sentence in the
/// JavaScript twin rather than a silently rounded print.
#[test]
fn a_number_above_two_to_the_53_is_said_in_the_javascript_twin() {
    let big = super::generate("println!(\"{}\", 9007199254740993);", "http://127.0.0.1:9/");
    assert!(big.javascript.contains("above 2^53 - 1"), "{}", big.javascript);
    let small = super::generate("println!(\"{}\", 9007199254740991);", "http://127.0.0.1:9/");
    assert!(!small.javascript.contains("2^53"), "{}", small.javascript);
}

/// A comment the program has on a line where the twin writes a note of its
/// own goes on in that note: one comment per line, not `# a  # b`.
#[test]
fn a_programs_comment_beside_a_twins_note_makes_one_comment() {
    let generated = super::generate(
        "let _ = sleep(5); // not awaited\nsleep(1).await; // one",
        "http://127.0.0.1:9/",
    );
    for (text, marker) in [(&generated.python, "#"), (&generated.javascript, "//")] {
        let noted = text
            .lines()
            .find(|l| l.contains("drops it at once"))
            .expect("the note");
        assert_eq!(noted.matches(marker).count(), 1, "{text}");
        assert!(noted.ends_with("; not awaited"), "{text}");
        assert!(
            text.lines().any(|l| l.ends_with(&format!("  {marker} one"))),
            "{text}"
        );
    }
}
