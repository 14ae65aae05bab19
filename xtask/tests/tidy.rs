//! Tidiness, in the manner of rust-analyzer's `tidy.rs`: checks of the
//! sources themselves rather than of what they do.
//!
//! One check for now: a source file's code, without its tests, stays under
//! [`MOST_LINES`] lines, so that a reader can hold a file in mind and a
//! module that grows past it is split by what its parts do (as the dev
//! server was: `xtask/src/server/`). The files that were longer when the
//! check came are listed in [`LONGER`] with their length then, which they
//! may not pass: each is to be split, and then leaves the list.

use std::path::{Path, PathBuf};

/// The most lines of code, tests aside, in one source file.
const MOST_LINES: usize = 400;

/// Files over [`MOST_LINES`] when the check came, with their lengths then
/// (or since, as they were shortened: a ceiling only comes down).
const LONGER: &[(&str, usize)] = &[
    ("src/sandbox/python.rs", 429),
    ("src/markup/widget.rs", 434),
    ("src/sandbox/javascript.rs", 419),
    ("src/widget/mod.rs", 505),
    ("xtask/src/dist.rs", 473),
    ("src/sandbox/twins.rs", 440),
    ("src/trace/task.rs", 419),
];

/// The Rust sources of the crate, its macros and its tooling, relative to
/// the workspace root, `/`-separated.
fn sources() -> Vec<String> {
    fn walk(dir: &Path, root: &Path, found: &mut Vec<String>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                walk(&path, root, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).expect("below the root");
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let root = xtask::root();
    let mut found = Vec::new();
    for dir in ["src", "endpoints/src", "macros/src", "xtask/src"] {
        walk(&root.join(dir), &root, &mut found);
    }
    found.sort();
    found
}

/// The lines of `text` that are code rather than tests: all of them but a
/// `tests.rs` file's, and but those from a `#[cfg(test)]` module on (the
/// house keeps a file's tests at its end).
fn code_lines(path: &str, text: &str) -> usize {
    if path.ends_with("/tests.rs") {
        return 0;
    }
    let lines: Vec<&str> = text.lines().collect();
    let tests = lines
        .windows(2)
        .position(|pair| pair[0].trim() == "#[cfg(test)]" && pair[1].trim_start().starts_with("mod "));
    tests.unwrap_or(lines.len())
}

#[test]
fn code_lines_stop_at_the_test_module_and_a_tests_file_has_none() {
    let text = "fn a() {}\n\n#[cfg(test)]\nfn helper() {}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {}\n}\n";
    assert_eq!(
        code_lines("src/a.rs", text),
        5,
        "a #[cfg(test)] item alone is code"
    );
    assert_eq!(code_lines("src/a/tests.rs", text), 0);
    assert_eq!(code_lines("src/b.rs", "fn b() {}\nfn c() {}\n"), 2);
}

#[test]
fn every_source_file_is_under_the_most_lines_or_no_longer_than_it_was() {
    let root: PathBuf = xtask::root();
    let mut faults = Vec::new();
    let files = sources();
    assert!(files.len() > 50, "found only {} sources: {files:?}", files.len());
    for path in &files {
        let text = std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let lines = code_lines(path, &text);
        let most = LONGER
            .iter()
            .find(|(p, _)| p == path)
            .map_or(MOST_LINES, |&(_, n)| n);
        if lines > most {
            faults.push(format!(
                "{path}: {lines} lines of code (tests aside), more than {most}: split it by what its parts do"
            ));
        }
    }
    for (path, _) in LONGER {
        let Some(_) = files.iter().find(|p| p == path) else {
            faults.push(format!(
                "{path} is listed as longer but is gone: take it off the list"
            ));
            continue;
        };
        let text = std::fs::read_to_string(root.join(path)).expect("listed and found");
        if code_lines(path, &text) <= MOST_LINES {
            faults.push(format!(
                "{path} is now within {MOST_LINES} lines: take it off the list"
            ));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}
