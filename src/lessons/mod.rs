//! The lessons: one file each, holding the async code that runs, the idea in
//! words, and the Python asyncio snippet it mirrors.
//!
//! A lesson only builds and awaits futures through its [`Ctx`]'s recorder; it
//! never touches the DOM. The code shown in the widget is the lesson file's
//! own text between `demo:start` and `demo:end` markers, read at compile time
//! by `include_str!`, so what the page shows is what runs.

mod params;

mod blocking;
mod bridge;
mod cancel;
mod errors;
mod gather;
mod lazy;
mod limit;
mod many;
mod mistakes;
mod progress;
mod race;
mod sleep;
mod timeout;
mod worker;

use futures::future::LocalBoxFuture;

pub use params::{Param, ParamKind, Params};

use crate::error::Error;
use crate::trace::Recorder;

/// What a lesson's run gets: where to record, and its parameters.
#[derive(Debug)]
pub struct Ctx {
    /// The recording this run writes to.
    pub recorder: Recorder,
    /// The widget's attributes, parsed on demand.
    pub params: Params,
    /// For the bridge lesson: a JavaScript function `(ms) => Promise` that
    /// awaits one of this crate's exported async functions from JS.
    pub bridge: Option<js_sys::Function>,
}

/// A lesson, as the widget and the playground present it.
#[derive(Debug)]
pub struct Lesson {
    /// The `lesson` attribute's value.
    pub name: &'static str,
    /// A short heading.
    pub title: &'static str,
    /// The idea in a few sentences (paragraphs separated by blank lines).
    pub idea: &'static str,
    /// The asyncio code this lesson mirrors.
    pub python: &'static str,
    /// The lesson's whole source file; see [`Lesson::rust_code`].
    pub source: &'static str,
    /// The attributes it reads.
    pub params: &'static [Param],
    /// Runs it.
    pub run: fn(Ctx) -> LocalBoxFuture<'static, Result<(), Error>>,
}

impl Lesson {
    /// The code that runs: the lines of the lesson's source between its
    /// `demo:start` and `demo:end` markers, de-indented.
    pub fn rust_code(&self) -> String {
        demo_region(self.source)
    }
}

/// Every lesson, in the article's order.
pub static ALL: &[&Lesson] = &[
    &lazy::LESSON,
    &sleep::LESSON,
    &blocking::LESSON,
    &gather::LESSON,
    &many::LESSON,
    &mistakes::LESSON,
    &bridge::LESSON,
    &race::LESSON,
    &timeout::LESSON,
    &cancel::LESSON,
    &limit::LESSON,
    &errors::LESSON,
    &progress::LESSON,
    &worker::LESSON,
];

/// The lesson named `name`.
pub fn find(name: &str) -> Option<&'static Lesson> {
    ALL.iter().copied().find(|l| l.name == name)
}

/// The names of all lessons, for error messages.
pub fn names() -> String {
    ALL.iter().map(|l| l.name).collect::<Vec<_>>().join(", ")
}

const START: &str = "demo:start";
const END: &str = "demo:end";

fn demo_region(source: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_lesson_shows_code_and_a_python_twin() {
        for lesson in ALL {
            let code = lesson.rust_code();
            assert!(
                code.lines().count() >= 3,
                "{} shows too little code: {code:?}",
                lesson.name
            );
            assert!(!code.contains(START) && !code.contains(END));
            assert!(
                lesson.python.contains("asyncio") || lesson.python.contains("async def"),
                "{}",
                lesson.name
            );
            assert!(!lesson.idea.is_empty());
        }
    }

    #[test]
    fn lesson_names_are_unique_and_findable() {
        for lesson in ALL {
            assert!(std::ptr::eq(
                find(lesson.name).expect("the test sets this up"),
                *lesson
            ));
        }
        assert!(find("nope").is_none());
    }

    #[test]
    fn the_region_is_cut_and_dedented() {
        let src = "fn x() {\n    // demo:start\n    let a = 1;\n        a + 1;\n    // demo:end\n}\n";
        assert_eq!(demo_region(src), "let a = 1;\n    a + 1;");
    }
}
