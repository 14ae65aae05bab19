//! A lesson's texts, cut and joined at compile time: the code a widget
//! shows (the lines of the lesson's file between its `demo:start` and
//! `demo:end` markers, [`demo_source!`]) and its whole Python twin
//! ([`twin!`]).

/// A lesson's Python twin, whole: the lesson's own code (`$file`, beside it),
/// then the helpers with which every twin prints its runs
/// (`twin/report.py`, one file for all), then the start of the program
/// (`twin/run.py`, or a file of the lesson's own, `$run`), joined at compile
/// time. The shown twin is complete and runs as it is; the helpers are
/// written once.
macro_rules! twin {
    ($file:literal) => {
        twin!($file, "twin/run.py")
    };
    ($file:literal, $run:literal) => {
        concat!(
            include_str!($file),
            include_str!("twin/report.py"),
            include_str!($run)
        )
    };
}

/// The lesson file `$file`'s lines from its first `demo:start` marker to its
/// last `demo:end`, as a [`Source`], cut at compile time: only those lines
/// are in the wasm, not the whole file.
macro_rules! demo_source {
    ($file:literal) => {{
        const FULL: &str = include_str!($file);
        const BOUNDS: (usize, usize, u32) = $crate::lessons::region_bounds(FULL);
        const BYTES: [u8; BOUNDS.1 - BOUNDS.0] = $crate::lessons::copy_from(FULL, BOUNDS.0);
        const TEXT: &str = match core::str::from_utf8(&BYTES) {
            Ok(text) => text,
            Err(_) => panic!("a demo region must start and end at line boundaries"),
        };
        $crate::lessons::Source {
            text: TEXT,
            first_line: BOUNDS.2,
        }
    }};
}

/// Part of a lesson's source file: the lines from the first `demo:start`
/// marker to the last `demo:end` ([`demo_source!`]).
#[derive(Debug, Clone, Copy)]
pub struct Source {
    /// The lines, markers included.
    pub text: &'static str,
    /// The line number in the file (1-based) of `text`'s first line.
    pub first_line: u32,
}

/// Where `file`'s demo region is: the byte range from the start of the line
/// of its first `// demo:start` comment to the end of the line of its last
/// `// demo:end`, and the number of that first line. For [`demo_source!`],
/// at compile time; a marker is a line of its own, as [`demo_region`] reads
/// them.
pub const fn region_bounds(file: &str) -> (usize, usize, u32) {
    let bytes = file.as_bytes();
    let (mut first, mut first_line, mut last_end) = (usize::MAX, 0, 0);
    let (mut start, mut line) = (0, 1);
    while start < bytes.len() {
        let mut end = start;
        while end < bytes.len() && bytes[end] != b'\n' {
            end += 1;
        }
        if first == usize::MAX && is_marker(bytes, start, end, START.as_bytes()) {
            (first, first_line) = (start, line);
        }
        if is_marker(bytes, start, end, END.as_bytes()) {
            last_end = if end < bytes.len() { end + 1 } else { end };
        }
        (start, line) = (end + 1, line + 1);
    }
    assert!(
        first != usize::MAX && last_end > first,
        "a lesson file needs a // demo:start line and a // demo:end line after it"
    );
    (first, last_end, first_line)
}

/// Whether `bytes[start..end]` is the comment line `// <word>` (spaces
/// around it allowed).
const fn is_marker(bytes: &[u8], start: usize, end: usize, word: &[u8]) -> bool {
    const fn blank(b: u8) -> bool {
        matches!(b, b' ' | b'\t' | b'\r')
    }
    let mut at = start;
    while at < end && blank(bytes[at]) {
        at += 1;
    }
    if at + 2 > end || bytes[at] != b'/' || bytes[at + 1] != b'/' {
        return false;
    }
    at += 2;
    while at < end && blank(bytes[at]) {
        at += 1;
    }
    let mut k = 0;
    while k < word.len() {
        if at + k >= end || bytes[at + k] != word[k] {
            return false;
        }
        k += 1;
    }
    at += word.len();
    while at < end && blank(bytes[at]) {
        at += 1;
    }
    at == end
}

/// `N` bytes of `file` from `at`: a copy, so that the rest of the file does
/// not end up in the wasm. For [`demo_source!`], at compile time.
pub const fn copy_from<const N: usize>(file: &str, at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    let mut k = 0;
    while k < N {
        out[k] = file.as_bytes()[at + k];
        k += 1;
    }
    out
}

pub(super) const START: &str = "demo:start";
pub(super) const END: &str = "demo:end";

/// The 1-based source line of the first line [`demo_region`] shows.
pub(super) fn region_first_line(source: &str) -> Option<u32> {
    let marker = source
        .lines()
        .position(|l| l.trim_start().strip_prefix("//").map(str::trim) == Some(START))?;
    let blanks = source
        .lines()
        .skip(marker + 1)
        .take_while(|l| l.trim().is_empty())
        .count();
    Some((marker + blanks + 2) as u32)
}

pub(super) fn demo_region(source: &str) -> String {
    let mut lines = Vec::new();
    let mut inside = false;
    for line in source.lines() {
        let marker = line.trim_start().strip_prefix("//").map(str::trim);
        match marker {
            Some(m) if m == START => inside = true,
            Some(m) if m == END => inside = false,
            _ if inside => lines.push(line),
            _ => {}
        }
    }
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_string()
}
