//! Which parts of a lesson's Rust code are the widget's recording rather
//! than the lesson's idea: `let run = recorder.begin_run(…);`,
//! `run.finish().await;`, and the `run.trace(label, ` … `)` around a future.
//!
//! The pane shows the code that runs, every character of it; these parts
//! are marked so that the stylesheet can hide them until the reader asks
//! for them. With them hidden, what is left is the code one would write
//! without a widget: `run.trace(url.clone(), fetch(url.clone())).await`
//! reads `fetch(url.clone()).await`. The lines keep their numbers (a hidden
//! line leaves a gap), so that the stepping panel's "line 7" is the same
//! line either way.
//!
//! When the code uses `run` in any other way (the progress lesson's
//! `run.trace_with_progress`, whose argument is a closure, not a future),
//! nothing is marked: hiding the rest would leave a name with no
//! definition, or code that means something else.

use std::ops::Range;

const BEGIN: &str = "let run = recorder.begin_run(";
const FINISH: &str = "run.finish().await;";
const TRACE: &str = "run.trace(";

/// The byte ranges of `code` that are recording, in order; empty when the
/// code has none, or uses `run` in a way that cannot be hidden.
pub fn ranges(code: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in code.split_inclusive('\n') {
        let body = line.trim();
        let at = start + (line.len() - line.trim_start().len());
        if (body.starts_with(BEGIN) && body.ends_with(");")) || body == FINISH || is_rebinding(body) {
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
        let open = here + TRACE.len() - 1;
        let Some((comma, close)) = first_comma_and_close(code, open) else {
            return Vec::new();
        };
        // Up to the future: the label, its comma and the space after it.
        let future = comma + 1 + (code[comma + 1..].len() - code[comma + 1..].trim_start().len());
        found.push(here..future);
        // The `)`, and a trailing comma and the blanks before it.
        let before = code[..close].trim_end();
        let from = if before.ends_with(',') {
            before.len() - 1
        } else {
            close
        };
        found.push(from..close + 1);
        at = future;
    }
    found.sort_by_key(|r| r.start);
    found
}

/// `let x = run.trace(label, x);`: without its recording, `let x = x;`,
/// which says nothing.
fn is_rebinding(body: &str) -> bool {
    let Some(rest) = body.strip_prefix("let ") else {
        return false;
    };
    let name_len = rest.bytes().take_while(|&b| is_ident(b)).count();
    let (name, rest) = rest.split_at(name_len);
    name_len > 0
        && rest.starts_with(" = run.trace(")
        && rest
            .strip_suffix(");")
            .is_some_and(|r| r.ends_with(&format!(", {name}")))
}

fn inside(ranges: &[Range<usize>], at: usize) -> bool {
    ranges.iter().any(|r| r.contains(&at))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// From the `(` at `open`: the first comma at its depth, and its `)`.
/// Strings (and their escapes) and char literals are skipped.
fn first_comma_and_close(code: &str, open: usize) -> Option<(usize, usize)> {
    let bytes = code.as_bytes();
    let (mut depth, mut comma, mut i) = (0usize, None, open);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
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
            b',' if depth == 1 && comma.is_none() => comma = Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `code` with the recording left out: what the pane shows until the
/// reader asks for the recording (a line that was all recording is empty).
pub fn without(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut at = 0;
    for r in ranges(code) {
        out.push_str(&code[at..r.start]);
        at = r.end;
    }
    out.push_str(&code[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::{ranges, without};

    #[test]
    fn the_recording_around_a_future_and_a_run_is_marked() {
        let code = "let run = recorder.begin_run(\"a\");\n\
                    for url in &urls {\n    \
                    let _ = run.trace(url.clone(), fetch(url.clone())).await; // one\n\
                    }\n\
                    let all = join_all((1..=3).map(|i| run.trace(format!(\"t({i}, \\\")\"), wait(ms))));\n\
                    let b = run.trace(\"b\", async move {\n    x(1, 2).await\n});\n\
                    let c = run.trace(\"c\", c);\n\
                    let d = run.trace(\n    \"d\",\n    d(1),\n);\n\
                    run.finish().await;\n";
        assert_eq!(
            without(code),
            "\nfor url in &urls {\n    let _ = fetch(url.clone()).await; // one\n}\n\
             let all = join_all((1..=3).map(|i| wait(ms)));\n\
             let b = async move {\n    x(1, 2).await\n};\n\nlet d = d(1);\n\n"
        );
    }

    #[test]
    fn run_used_otherwise_hides_nothing() {
        let code = "let run = recorder.begin_run(\"a\");\nrun.trace_with_progress(u, |p| f(p));\nrun.finish().await;\n";
        assert!(ranges(code).is_empty());
        assert!(ranges("let rerun.trace = 1;").is_empty());
        // A name that ends in `run` is not `run`.
        assert_eq!(without("rerun.go(); run.trace(1, 2)"), "rerun.go(); 2");
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
            let plain = without(&code);
            if std::env::var("PRINT_PLAIN").is_ok() {
                eprintln!("===== {}\n{plain}", lesson.name);
            }
            if ranges(&code).is_empty() {
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
}
