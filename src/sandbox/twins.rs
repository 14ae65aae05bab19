//! The compiled twins: programs written as real Rust against the prelude,
//! for the test that holds the interpreter to them (`tests/sandbox_twins.rs`,
//! written by this module and checked to be up to date by a unit test).
//!
//! Each program goes into that file twice: as written, inside an async fn
//! (so rustc checks that it compiles as it is), and instrumented: each
//! future it writes wrapped in `__trace(id, …)`, which traces it into the
//! current run under the same label and line the interpreter gives it. A
//! `join!`/`try_join!` (which awaits inside its macro) has its arguments
//! made first, then the macro awaited inside a traced async block, so that
//! the futures are made in the interpreter's order.

use std::collections::HashMap;

use super::check::Written;
use super::syntax::{Block, Expr, ExprKind, Program, Span, Stmt};

/// `program`'s text with each written future wrapped in `__trace(id, …)`,
/// ids being indices into `written` (the checker's list).
pub fn instrument(program: &Program, written: &[Written]) -> String {
    let ids: HashMap<(usize, usize), usize> = written
        .iter()
        .enumerate()
        .map(|(i, w)| ((w.span.start, w.span.end), i))
        .collect();
    let mut macros = HashMap::new();
    collect_macros(&program.body, &mut macros);
    let writer = Instrument {
        source: &program.source,
        ids: &ids,
        macros: &macros,
    };
    writer.span(Span::new(0, program.source.len()), None)
}

struct Instrument<'a> {
    source: &'a str,
    ids: &'a HashMap<(usize, usize), usize>,
    /// `join!` and `try_join!` calls by their spans: name and argument spans.
    macros: &'a HashMap<(usize, usize), (String, Vec<Span>)>,
}

impl Instrument<'_> {
    /// The text of `span` with every written future inside it (but `skip`,
    /// the one it is) wrapped.
    fn span(&self, span: Span, skip: Option<(usize, usize)>) -> String {
        // The outermost written spans inside `span`.
        let mut inner: Vec<(usize, usize)> = self
            .ids
            .keys()
            .copied()
            .filter(|&(s, e)| s >= span.start && e <= span.end && Some((s, e)) != skip)
            .collect();
        inner.sort_by_key(|&(s, e)| (s, std::cmp::Reverse(e)));
        let mut out = String::new();
        let mut at = span.start;
        for (s, e) in inner {
            if s < at {
                continue; // inside one already wrapped
            }
            out.push_str(&self.source[at..s]);
            out.push_str(&self.wrapped((s, e)));
            at = e;
        }
        out.push_str(&self.source[at..span.end]);
        out
    }

    fn wrapped(&self, key: (usize, usize)) -> String {
        let id = self.ids[&key];
        match self.macros.get(&key) {
            Some((name, args)) => {
                let names: Vec<String> = (0..args.len()).map(|k| format!("__f{id}_{k}")).collect();
                let values: Vec<String> = args.iter().map(|a| self.span(*a, None)).collect();
                format!(
                    "{{ let ({},) = ({},); __trace({id}, async move {{ ::futures::{name}!({}) }}).await }}",
                    names.join(", "),
                    values.join(", "),
                    names.join(", ")
                )
            }
            None => format!("__trace({id}, {})", self.span(Span::new(key.0, key.1), Some(key))),
        }
    }
}

fn collect_macros(block: &Block, out: &mut HashMap<(usize, usize), (String, Vec<Span>)>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let { init, .. } => expr_macros(init, out),
            Stmt::Expr { expr, .. } => expr_macros(expr, out),
            Stmt::For { start, end, body, .. } => {
                expr_macros(start, out);
                expr_macros(end, out);
                collect_macros(body, out);
            }
        }
    }
    if let Some(tail) = &block.tail {
        expr_macros(tail, out);
    }
}

fn expr_macros(expr: &Expr, out: &mut HashMap<(usize, usize), (String, Vec<Span>)>) {
    match &expr.kind {
        ExprKind::Macro { name, args } => {
            if name == "join" || name == "try_join" {
                out.insert(
                    (expr.span.start, expr.span.end),
                    (name.clone(), args.iter().map(|a| a.span).collect()),
                );
            }
            args.iter().for_each(|a| expr_macros(a, out));
        }
        ExprKind::Call { args, .. } | ExprKind::Tuple(args) | ExprKind::Array(args) => {
            args.iter().for_each(|a| expr_macros(a, out));
        }
        ExprKind::Async { block, .. } | ExprKind::Block(block) => collect_macros(block, out),
        ExprKind::Closure { body, .. } => expr_macros(body, out),
        ExprKind::Await(e)
        | ExprKind::Try(e)
        | ExprKind::Clone(e)
        | ExprKind::Ref(e)
        | ExprKind::Paren(e) => expr_macros(e, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            expr_macros(lhs, out);
            expr_macros(rhs, out);
        }
        ExprKind::Int(_) | ExprKind::Str(_) | ExprKind::Var(_) => {}
    }
}

/// Random programs of the subset, from a seed: the same seed, the same
/// programs. They use the prelude's names and the dev server's
/// `async-demo-api/` endpoints, and no click. Every timer and download of a
/// program takes a time of its own, 30 ms apart from any other's, and at
/// most one future of a program fails at once: so that no two events of a
/// run land in the same moment, where which comes first (and so how many
/// polls a combinator makes) would depend on the machine, not on the
/// program. A spawned task, if any, is the last statement. Some programs do
/// not check (a value used after a move): callers keep those that do.
pub fn random_programs(seed: u64, count: usize) -> Vec<String> {
    let mut generator = Generator {
        state: seed | 1,
        names: 0,
        next_ms: 0,
        failed: false,
    };
    (0..count).map(|_| generator.program()).collect()
}

struct Generator {
    state: u64,
    names: usize,
    /// The next time a timer or download of the program takes.
    next_ms: u64,
    /// Whether the program has its one failing future already.
    failed: bool,
}

/// What a generated future gives.
#[derive(Clone, Copy, PartialEq)]
enum Out {
    Unit,
    Int,
    Page,
}

impl Generator {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn name(&mut self) -> String {
        self.names += 1;
        format!("v{}", self.names)
    }

    /// A time no other timer or download of the program takes.
    fn ms(&mut self) -> u64 {
        self.next_ms += 30;
        self.next_ms
    }

    /// A leaf future giving `out`.
    fn leaf(&mut self, out: Out) -> String {
        match out {
            Out::Unit => match self.below(3) {
                0 => format!("sleep({})", self.ms()),
                1 => "block(3)".into(),
                _ => "ready(())".into(),
            },
            Out::Int => format!("ready({})", self.below(100)),
            Out::Page if !self.failed && self.below(4) == 0 => {
                self.failed = true;
                [
                    "fetch(\"async-demo-api/status/500\")",
                    "fetch(\"async-demo-api/status/404\")",
                ][self.below(2) as usize]
                    .into()
            }
            Out::Page => format!("fetch(\"async-demo-api/delay/{}\")", self.ms()),
        }
    }

    /// A future giving `out`, `depth` levels deep at most.
    fn future(&mut self, out: Out, depth: u32) -> String {
        if depth == 0 || self.below(3) == 0 {
            return self.leaf(out);
        }
        match (out, self.below(4)) {
            (Out::Unit, 0) => format!("async move {{ {}.await; }}", self.future(Out::Unit, depth - 1)),
            (Out::Unit, 1) => {
                let a = self.future(Out::Unit, depth - 1);
                let deadline = self.ms();
                format!("async move {{ let _ = timeout({deadline}, {a}).await; }}")
            }
            (Out::Unit, 2) => {
                let (a, b) = (
                    self.future(Out::Unit, depth - 1),
                    self.future(Out::Unit, depth - 1),
                );
                format!("async move {{ join!({a}, {b}); }}")
            }
            (Out::Unit, _) => {
                let n = 1 + self.below(4);
                let first = self.ms();
                self.next_ms += 30 * n;
                format!("async move {{ join_all(repeat({n}, |i| sleep({first} + i * 30))).await; }}")
            }
            (Out::Int, 0) => format!(
                "async move {{ {}.await; {} }}",
                self.future(Out::Unit, depth - 1),
                self.below(9)
            ),
            (Out::Int, _) => format!("ready({})", self.below(100)),
            (Out::Page, 0) if !self.failed => {
                self.failed = true;
                format!(
                    "retry({}, || fetch(\"async-demo-api/status/503\"))",
                    1 + self.below(3)
                )
            }
            (Out::Page, _) => self.leaf(Out::Page),
        }
    }

    fn statement(&mut self, held: &mut Vec<(String, Out)>, depth: u32) -> String {
        match self.below(11) {
            0 | 1 => {
                let out = [Out::Unit, Out::Int, Out::Page][self.below(3) as usize];
                let name = self.name();
                let value = self.future(out, depth);
                held.push((name.clone(), out));
                format!("let {name} = {value};")
            }
            2 | 3 if !held.is_empty() => {
                let (name, out) = held.remove(self.below(held.len() as u64) as usize);
                match out {
                    Out::Int => format!("println!(\"{{}}\", {name}.await);"),
                    Out::Unit => format!("{name}.await;"),
                    Out::Page => format!("let _ = {name}.await;"),
                }
            }
            4 if held.len() >= 2 => {
                let (a, _) = held.remove(0);
                let (b, _) = held.remove(0);
                format!("let _ = select({a}, {b}).await;")
            }
            5 => {
                let (a, b) = (self.future(Out::Unit, depth), self.future(Out::Unit, depth));
                format!("join!({a}, {b});")
            }
            6 => {
                let (a, b) = (self.leaf(Out::Page), self.leaf(Out::Page));
                format!("let _ = try_join!({a}, {b});")
            }
            7 => {
                let k = 1 + self.below(3);
                let n = 1 + self.below(5);
                let first = self.ms();
                self.next_ms += 30 * n;
                format!("let _ = buffer_unordered({k}, repeat({n}, |i| fetch(format!(\"async-demo-api/delay/{{}}\", {first} + i * 30)))).await;")
            }
            8 => {
                let items: Vec<String> = (0..1 + self.below(3)).map(|_| self.leaf(Out::Page)).collect();
                let pick = ["join_all", "try_join_all", "select_all"][self.below(3) as usize];
                format!("let _ = {pick}(vec![{}]).await;", items.join(", "))
            }
            9 => {
                let n = 1 + self.below(3);
                let first = self.ms();
                self.next_ms += 30 * n;
                format!("for i in 0..{n} {{ sleep({first} + i * 30).await; }}")
            }
            _ => format!("{}.await;", self.future(Out::Unit, depth)),
        }
    }

    fn program(&mut self) -> String {
        self.names = 0;
        self.next_ms = 0;
        self.failed = false;
        let mut held = Vec::new();
        let count = 1 + self.below(5);
        let mut lines: Vec<String> = (0..count).map(|_| self.statement(&mut held, 2)).collect();
        // Futures still held are awaited, or dropped at the end never
        // awaited (legal: they show as never polled), at random.
        for (name, _) in held {
            if self.below(2) == 0 {
                lines.push(format!("let _ = {name}.await;"));
            }
        }
        // A spawned task runs on after the body: last, so that it runs alone.
        if self.below(5) == 0 {
            let inner = self.future(Out::Unit, 2);
            let body = if inner.starts_with("async move") {
                inner
            } else {
                format!("async move {{ {inner}.await; }}")
            };
            lines.push(format!("spawn_local({body});"));
        }
        lines.join("\n")
    }
}

/// The programs the twin test runs: every example but those that wait for a
/// click or make 100,000 futures, and the random programs of seed 2026 that
/// check, until there are [`GENERATED`] of them.
pub fn test_programs() -> Vec<(String, String)> {
    let mut programs: Vec<(String, String)> = super::examples::EXAMPLES
        .iter()
        .filter(|e| !e.program.contains("click()") && !e.program.contains("99999"))
        .map(|e| (e.label.to_string(), e.program.to_string()))
        .collect();
    programs.push((
        "the default program".into(),
        crate::lessons::DEFAULT_PROGRAM.to_string(),
    ));
    let mut found = 0;
    for (i, program) in random_programs(2026, 2000).into_iter().enumerate() {
        if found == GENERATED {
            break;
        }
        if super::compile(&program).is_ok() && !programs.iter().any(|(_, p)| *p == program) {
            programs.push((format!("generated {i}"), program));
            found += 1;
        }
    }
    programs
}

/// How many random programs the twin test runs.
pub const GENERATED: usize = 220;

/// `tests/sandbox_twins.rs`, as [`test_programs`] make it.
pub fn test_file() -> String {
    use std::fmt::Write as _;
    let programs = test_programs();
    let mut out = String::from(
        "//! GENERATED by `UPDATE_TWINS=1 cargo test --lib sandbox::twins` from\n\
         //! src/sandbox/twins.rs: do not edit by hand (a unit test fails when it\n\
         //! differs from what that module writes).\n\
         //!\n\
         //! Every sandbox example (but the click and the 100,000 futures) and\n\
         //! {GENERATED} random programs of the subset, each compiled as real Rust\n\
         //! twice: as written (rustc checks it compiles as it is), and with each\n\
         //! future it writes traced. The test runs the interpreter and the\n\
         //! compiled program one after the other and requires the same tasks, the\n\
         //! same end states, the same polls and wakes per future, and the same\n\
         //! order of completions.\n\
         #![cfg(target_arch = \"wasm32\")]\n\
         #![allow(unused, unused_must_use, clippy::all)]\n\n\
         mod common;\n#[path = \"common/twins.rs\"]\nmod twins_harness;\n\n\
         use wasm_bindgen_test::*;\n\n\
         wasm_bindgen_test_configure!(run_in_browser);\n\n\
         #[wasm_bindgen_test]\n\
         async fn the_interpreter_runs_every_program_as_its_compiled_twin() {\n    \
         twins_harness::compare_all(programs::all()).await;\n}\n\n\
         /// The programs as src/sandbox/twins.rs writes them (`cargo fmt` leaves\n\
         /// them so: the file must stay what that module writes).\n\
         #[rustfmt::skip]\n\
         mod programs {\n\
         use async_demo::sandbox::prelude::*;\n\
         use async_demo::sandbox::prelude::__trace;\n\
         use futures::future::LocalBoxFuture;\n\
         use futures::FutureExt;\n\n",
    )
    .replace("{GENERATED}", &GENERATED.to_string());
    for (i, (label, program)) in programs.iter().enumerate() {
        let (parsed, checked) = super::compile(program).expect("a test program compiles");
        let instrumented = instrument(&parsed, &checked.written);
        let _ = writeln!(out, "// {label}");
        let _ = writeln!(out, "const SOURCE_{i}: &str = {program:?};");
        let _ = writeln!(
            out,
            "async fn as_written_{i}() -> Result<(), Error> {{\n    {{\n{}\n    }};\n    Ok(())\n}}",
            indent(program)
        );
        let _ = writeln!(
            out,
            "async fn compiled_{i}() -> Result<(), Error> {{\n    {{\n{}\n    }};\n    Ok(())\n}}\n",
            indent(&instrumented)
        );
    }
    out.push_str("/// Each program, by its source and its compiled twin.\n");
    out.push_str("pub fn all() -> Vec<(&'static str, fn() -> LocalBoxFuture<'static, Result<(), Error>>)> {\n    vec![\n");
    for i in 0..programs.len() {
        let _ = writeln!(out, "        (SOURCE_{i}, || compiled_{i}().boxed_local()),");
    }
    out.push_str("    ]\n}\n}\n");
    out
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("        {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `tests/sandbox_programs.json`: the same programs, for the Python parity
/// test (every one of them that makes no spawned task... all of them).
pub fn programs_json() -> String {
    let programs: Vec<serde_json::Value> = test_programs()
        .into_iter()
        .map(|(label, program)| serde_json::json!({ "label": label, "program": program }))
        .collect();
    serde_json::to_string_pretty(&programs).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    /// The committed test files are what this module writes now; with
    /// `UPDATE_TWINS=1` it writes them.
    #[test]
    fn the_twin_test_files_are_up_to_date() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (path, text) in [
            ("tests/sandbox_twins.rs", super::test_file()),
            ("tests/sandbox_programs.json", super::programs_json()),
        ] {
            let file = root.join(path);
            if std::env::var_os("UPDATE_TWINS").is_some() {
                std::fs::write(&file, &text).expect("write");
                continue;
            }
            let committed = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(
                committed == text,
                "{path} is not what src/sandbox/twins.rs writes: run UPDATE_TWINS=1 cargo test --lib sandbox::twins"
            );
        }
    }

    #[test]
    fn enough_random_programs_check() {
        let programs = super::test_programs();
        let generated = programs
            .iter()
            .filter(|(l, _)| l.starts_with("generated"))
            .count();
        assert_eq!(
            generated,
            super::GENERATED,
            "fewer random programs check than the test runs"
        );
    }
}
