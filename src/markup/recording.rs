//! Which parts of a lesson's code are the widget's recording rather than
//! the lesson's idea. In the Rust: `let run = recorder.begin_run(…);`,
//! `run.finish().await;`, and the `run.trace(label, ` … `)` around a future.
//! In the Python twin: `run = "…"`, the `log(f"{run}: …")` lines, the
//! `trace(run, label, ` … `)` around a coroutine, and `trace`'s definition.
//!
//! The pane shows the code that runs, every character of it; these parts
//! are marked so that the stylesheet can hide them until the reader asks
//! for them. With them hidden, what is left is the code one would write
//! without a widget: `run.trace(url.clone(), fetch(url.clone())).await`
//! reads `fetch(url.clone()).await`, and `await trace(run, url, fetch(session,
//! url))` reads `await fetch(session, url)` (which runs as shown, printing
//! only the lesson's own lines). The lines keep their numbers (a hidden line
//! leaves a gap), so that the stepping panel's "line 7" is the same line
//! either way.
//!
//! When the code uses `run` in any other way (the progress lesson's
//! `run.trace_with_progress`, whose argument is a closure, not a future; a
//! twin's helper that takes `run`), nothing is marked: hiding the rest
//! would leave a name with no definition, or code that means something else.

use std::ops::Range;

use super::Lang;

const BEGIN: &str = "let run = recorder.begin_run(";
const FINISH: &str = "run.finish().await;";
const TRACE: &str = "run.trace(";

/// The byte ranges of `code` (in `lang`) that are recording, in order;
/// empty when the code has none, or uses `run` in a way that cannot be
/// hidden.
pub fn ranges(lang: Lang, code: &str) -> Vec<Range<usize>> {
    match lang {
        Lang::Rust => rust(code),
        Lang::Python => python(code),
        Lang::JavaScript => Vec::new(),
    }
}

fn rust(code: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in code.split_inclusive('\n') {
        let body = line.trim();
        let at = start + (line.len() - line.trim_start().len());
        if (body.starts_with(BEGIN) && body.ends_with(");")) || body == FINISH {
            found.push(at..at + body.len());
        }
        start += line.len();
    }
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(offset) = code[at..].find("run.") {
        let here = at + offset;
        at = here + 4;
        if here > 0 && is_ident(bytes[here - 1]) || inside(&found, here) {
            continue;
        }
        if !code[here..].starts_with(TRACE) {
            return Vec::new(); // `run` used otherwise: hide nothing
        }
        // Up to the future (the label, its comma, the blanks), and the `)`.
        match unwrap_call(code, here, here + TRACE.len() - 1, 1, b"\"", &mut found) {
            Some(future) => at = future,
            None => return Vec::new(),
        }
    }
    found.sort_by_key(|r| r.start);
    found
}

/// In the Rust, the closure parameters that only the recording uses, as
/// `i` in `(1..=3).map(|i| run.trace(format!("task {i}"), wait(ms)))`:
/// while the recording is hidden the pane shows `_` in their place, the
/// closure one would write without a widget (`|_| wait(ms)`), which rustc
/// does not warn about. `hidden` is what [`ranges`] gives for `code`.
pub fn unused_params(code: &str, hidden: &[Range<usize>]) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for (k, head) in hidden.iter().enumerate() {
        let before = code[..head.start].trim_end();
        let (true, Some(end)) = (code[head.clone()].starts_with(TRACE), before.strip_suffix('|')) else {
            continue;
        };
        let Some(open) = end.rfind('|') else { continue };
        // What stays shown of the closure's body: the traced future, up to
        // the hidden `)` of `run.trace`.
        let body = &code[head.end..hidden.get(k + 1).map_or(code.len(), |r| r.start)];
        let mut at = open + 1;
        for word in end[open + 1..].split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            let used = word.is_empty() || word.starts_with('_') || word == "mut" || mentions(body, word);
            if !used {
                found.push(at..at + word.len());
            }
            at += word.len() + 1;
        }
    }
    found
}

/// Whether `code` names `word` (as a whole identifier).
fn mentions(code: &str, word: &str) -> bool {
    let bytes = code.as_bytes();
    code.match_indices(word).any(|(at, _)| {
        let end = at + word.len();
        (at == 0 || !is_ident(bytes[at - 1])) && (end == bytes.len() || !is_ident(bytes[end]))
    })
}

fn inside(ranges: &[Range<usize>], at: usize) -> bool {
    ranges.iter().any(|r| r.contains(&at))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// From the `(` at `open`: the `n`th comma (from 1) at its depth, and its
/// `)`. Strings (between any of `quotes`, with their escapes) are skipped.
fn comma_and_close(code: &str, open: usize, n: usize, quotes: &[u8]) -> Option<(usize, usize)> {
    let bytes = code.as_bytes();
    let (mut depth, mut commas, mut comma, mut i) = (0usize, 0, None, open);
    while i < bytes.len() {
        match bytes[i] {
            q if quotes.contains(&q) => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((comma?, i));
                }
            }
            b',' if depth == 1 => {
                commas += 1;
                if commas == n {
                    comma = Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Hides, from the call whose `(` is at `open` and whose `name` starts at
/// `start`, everything up to its argument after comma `n`, and its `)`
/// (with a trailing comma and the blanks before it).
fn unwrap_call(
    code: &str,
    start: usize,
    open: usize,
    n: usize,
    quotes: &[u8],
    found: &mut Vec<Range<usize>>,
) -> Option<usize> {
    let (comma, close) = comma_and_close(code, open, n, quotes)?;
    let rest = &code[comma + 1..];
    let inner = comma + 1 + (rest.len() - rest.trim_start().len());
    found.push(start..inner);
    let before = code[..close].trim_end();
    let from = if before.ends_with(',') {
        before.len() - 1
    } else {
        close
    };
    found.push(from..close + 1);
    Some(inner)
}

fn python(code: &str) -> Vec<Range<usize>> {
    const TRACE: &str = "trace(run, ";
    let mut found = Vec::new();
    let (mut start, mut in_trace_def) = (0, false);
    for line in code.split_inclusive('\n') {
        let body = line.trim();
        let at = start + (line.len() - line.trim_start().len());
        let top_level = !line.starts_with([' ', '\t']) && !body.is_empty();
        if top_level {
            in_trace_def = line.starts_with("async def trace(run, label, coro):");
        }
        let whole = in_trace_def && !body.is_empty()
            || body.starts_with("run = \"")
            || body.starts_with("run = f\"")
            || body.starts_with("log(f\"{run}: ");
        if whole {
            found.push(at..at + body.len());
        }
        start += line.len();
    }
    let bytes = code.as_bytes();
    let mut at = 0;
    while let Some(offset) = code[at..].find(TRACE) {
        let here = at + offset;
        at = here + TRACE.len();
        let preceded = here > 0 && (is_ident(bytes[here - 1]) || bytes[here - 1] == b'.');
        if preceded || inside(&found, here) {
            continue;
        }
        let open = here + "trace".len();
        match unwrap_call(code, here, open, 2, b"\"'", &mut found) {
            Some(inner) => at = inner,
            None => return Vec::new(),
        }
    }
    found.sort_by_key(|r| r.start);
    // Any `run` left (a helper given it, an f-string reading it): hide nothing.
    let plain = without_ranges(code, &found);
    let calls_trace = found
        .iter()
        .any(|r| code[r.clone()].starts_with("async def trace"))
        && plain.contains("trace(");
    if names_run_python(&plain) || calls_trace {
        return Vec::new();
    }
    found
}

/// Whether the Python `code` names `run` outside its comments and plain
/// plain strings (an f-string's `{run…}` names it).
fn names_run_python(code: &str) -> bool {
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'"' | b'\'') => {
                let f_string = i > 0 && matches!(bytes[i - 1], b'f' | b'F');
                let triple = bytes[i..].starts_with(&[q, q, q]);
                i += if triple { 3 } else { 1 };
                let text_start = i;
                while i < bytes.len() {
                    if triple && bytes[i..].starts_with(&[q, q, q]) {
                        i += 2;
                        break;
                    }
                    if !triple && bytes[i] == q {
                        break;
                    }
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if f_string && code.get(text_start..i).is_some_and(|t| t.contains("{run")) {
                    return true;
                }
            }
            b'r' if bytes[i..].starts_with(b"run")
                && (i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b'.')
                && !bytes.get(i + 3).is_some_and(|&b| is_ident(b)) =>
            {
                return true;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// `code` with the recording left out: what the pane shows until the
/// reader asks for the recording (a line that was all recording is empty;
/// a closure parameter only the recording used reads `_`).
#[cfg(test)]
pub fn without(lang: Lang, code: &str) -> String {
    let hidden = ranges(lang, code);
    let params = if lang == Lang::Rust {
        unused_params(code, &hidden)
    } else {
        Vec::new()
    };
    let mut out = code.to_string();
    for r in params.iter().rev() {
        out.replace_range(r.clone(), "\0");
    }
    let mut all: Vec<Range<usize>> = hidden;
    // The marker `\0` is one byte where the parameter was `r.len()`: the
    // hidden ranges after it move back.
    for r in &params {
        for h in all.iter_mut().filter(|h| h.start >= r.end) {
            *h = h.start - (r.len() - 1)..h.end - (r.len() - 1);
        }
    }
    all.sort_by_key(|r| r.start);
    without_ranges(&out, &all).replace('\0', "_")
}

fn without_ranges(code: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(code.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(&code[at..r.start]);
        at = r.end;
    }
    out.push_str(&code[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::{ranges, without, Lang};

    #[test]
    fn the_recording_around_a_future_and_a_run_is_marked() {
        let code = "let run = recorder.begin_run(\"a\");\n\
                    for url in &urls {\n    \
                    let _ = run.trace(url.clone(), fetch(url.clone())).await; // one\n\
                    }\n\
                    let all = join_all((1..=3).map(|i| run.trace(format!(\"t({i}, \\\")\"), wait(ms))));\n\
                    let b = run.trace(\"b\", async move {\n    x(1, 2).await\n});\n\
                    let d = run.trace(\n    \"d\",\n    d(1),\n);\n\
                    run.finish().await;\n";
        assert_eq!(
            without(Lang::Rust, code),
            "\nfor url in &urls {\n    let _ = fetch(url.clone()).await; // one\n}\n\
             let all = join_all((1..=3).map(|_| wait(ms)));\n\
             let b = async move {\n    x(1, 2).await\n};\nlet d = d(1);\n\n"
        );
    }

    #[test]
    fn a_closure_parameter_only_the_recording_uses_is_shown_as_an_underscore() {
        let code = "let run = recorder.begin_run(\"a\");\n\
                    let a = (1..=3).map(|i| run.trace(format!(\"t{i}\"), wait(ms)));\n\
                    let b = urls.iter().enumerate().map(|(i, url)| run.trace(format!(\"d{i}\"), get(url)));\n\
                    let c = (1..=3).map(|i| run.trace(format!(\"t{i}\"), wait(i)));\n\
                    let d = (1..=3).map(|_n| run.trace(\"x\", wait(ms)));\n\
                    run.finish().await;\n";
        assert_eq!(
            without(Lang::Rust, code),
            "\nlet a = (1..=3).map(|_| wait(ms));\n\
             let b = urls.iter().enumerate().map(|(_, url)| get(url));\n\
             let c = (1..=3).map(|i| wait(i));\n\
             let d = (1..=3).map(|_n| wait(ms));\n\n"
        );
        let params = super::unused_params(code, &ranges(Lang::Rust, code));
        assert_eq!(
            params.iter().map(|r| &code[r.clone()]).collect::<Vec<_>>(),
            ["i", "i"]
        );
    }

    #[test]
    fn run_used_otherwise_hides_nothing() {
        let code = "let run = recorder.begin_run(\"a\");\nrun.trace_with_progress(u, |p| f(p));\nrun.finish().await;\n";
        assert!(ranges(Lang::Rust, code).is_empty());
        assert!(ranges(Lang::Rust, "let rerun.trace = 1;").is_empty());
        // A name that ends in `run` is not `run`.
        assert_eq!(
            without(Lang::Rust, "rerun.go(); run.trace(1, 2)"),
            "rerun.go(); 2"
        );
    }

    fn without_comments_and_strings(code: &str) -> String {
        let (mut out, mut chars) = (String::new(), code.chars().peekable());
        while let Some(c) = chars.next() {
            match c {
                '"' => {
                    while let Some(c) = chars.next() {
                        match c {
                            '\\' => drop(chars.next()),
                            '"' => break,
                            _ => {}
                        }
                    }
                    out.push_str("\"\"");
                }
                '/' if chars.peek() == Some(&'/') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            out.push('\n');
                            break;
                        }
                    }
                }
                c => out.push(c),
            }
        }
        out
    }

    /// Every lesson's shown code, its recording left out, still says what
    /// it does: no `run` or `recorder.begin_run` is left (or the lesson
    /// hides nothing), and its brackets still pair up.
    #[test]
    fn every_lesson_without_its_recording_is_whole_code() {
        let mut hidden = 0;
        for lesson in crate::lessons::ALL {
            let code = lesson.rust_code();
            let plain = without(Lang::Rust, &code);
            if std::env::var("PRINT_PLAIN").is_ok() {
                eprintln!("===== {}\n{plain}", lesson.name);
            }
            if ranges(Lang::Rust, &code).is_empty() {
                continue;
            }
            hidden += 1;
            // The name `run`, outside comments and strings.
            let code_only = without_comments_and_strings(&plain);
            let names_run = code_only.match_indices("run").any(|(at, _)| {
                let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
                !code_only
                    .as_bytes()
                    .get(at.wrapping_sub(1))
                    .is_some_and(|&b| ident(b))
                    && !code_only.as_bytes().get(at + 3).is_some_and(|&b| ident(b))
            });
            assert!(
                !names_run && !plain.contains("begin_run") && !plain.contains("finish()"),
                "{}:\n{plain}",
                lesson.name
            );
            let mut depth = 0i32;
            let mut in_string = false;
            let mut escaped = false;
            for c in plain.chars() {
                match (in_string, escaped, c) {
                    (true, true, _) => escaped = false,
                    (true, false, '\\') => escaped = true,
                    (_, false, '"') => in_string = !in_string,
                    (false, _, '(' | '[' | '{') => depth += 1,
                    (false, _, ')' | ']' | '}') => depth -= 1,
                    _ => {}
                }
                assert!(depth >= 0, "{}:\n{plain}", lesson.name);
            }
            assert_eq!(depth, 0, "{}:\n{plain}", lesson.name);
        }
        assert!(hidden >= 13, "only {hidden} lessons hide their recording");
    }

    #[test]
    fn a_twins_recording_is_marked_and_what_is_left_runs_as_shown() {
        let code = "async def main():\n    run = \"a\"\n    log(f\"{run}: started\")\n    \
                    x = await trace(run, f\"t({i}, ')\", fetch(s, u))\n    \
                    await asyncio.gather(*(trace(run, u, fetch(s, u)) for u in URLS))\n    \
                    log(f\"{run}: finished\")\n\n\n\
                    async def trace(run, label, coro):\n    \"\"\"Awaits.\"\"\"\n    return await coro\n\n\n\
                    if __name__ == \"__main__\":\n    asyncio.run(main())\n";
        assert_eq!(
            without(Lang::Python, code),
            "async def main():\n    \n    \n    x = await fetch(s, u)\n    \
             await asyncio.gather(*(fetch(s, u) for u in URLS))\n    \n\n\n\n    \n    \n\n\n\
             if __name__ == \"__main__\":\n    asyncio.run(main())\n"
        );
        // A helper given `run`, or an f-string reading it: nothing hidden.
        assert!(ranges(Lang::Python, "run = \"a\"\nawait measured(run, x)\n").is_empty());
        assert!(ranges(Lang::Python, "run = \"a\"\nlog(f\"and {run}\")\n").is_empty());
        // `run` in a comment or a plain string is not a use.
        assert!(!ranges(Lang::Python, "run = \"a\"\nlog(\"run\")  # the run\n").is_empty());
    }

    /// Every twin without its recording still compiles (CPython, where it
    /// is here) and names neither `run` nor `trace`.
    #[test]
    fn every_twin_without_its_recording_is_whole_python() {
        let mut hidden = 0;
        let dir = std::env::temp_dir().join(format!("async-demo-plain-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a folder");
        for lesson in crate::lessons::ALL
            .iter()
            .filter(|l| l.has_twin() && !l.is_program())
        {
            let code = lesson.python;
            if ranges(Lang::Python, code).is_empty() {
                continue;
            }
            hidden += 1;
            let plain = without(Lang::Python, code);
            if std::env::var("PRINT_PLAIN").is_ok() {
                eprintln!("===== {}\n{plain}", lesson.name);
            }
            assert!(
                !plain.contains("trace(") && !plain.contains("{run}"),
                "{}:\n{plain}",
                lesson.name
            );
            let file = dir.join(format!("{}.py", lesson.name));
            std::fs::write(&file, &plain).expect("write");
            // Debian's CPython (3.11, as the parity test's) where it is here.
            let python = if std::path::Path::new("/usr/bin/python3").exists() {
                "/usr/bin/python3"
            } else {
                "python3"
            };
            if let Ok(out) = std::process::Command::new(python)
                .args(["-m", "py_compile"])
                .arg(&file)
                .output()
            {
                assert!(
                    out.status.success(),
                    "{}:\n{plain}\n{}",
                    lesson.name,
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(hidden >= 8, "only {hidden} twins hide their recording");
    }
}
