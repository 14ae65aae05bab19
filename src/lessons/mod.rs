//! The lessons: one file each, holding the async code that runs, the idea in
//! words, and the Python asyncio snippet it mirrors.
//!
//! A lesson only builds and awaits futures through its [`Ctx`]'s recorder; it
//! never touches the DOM. The code shown in the widget is the lesson file's
//! own text between `demo:start` and `demo:end` markers, cut out of the file
//! at compile time ([`demo_source!`]), so what the page shows is what runs.

#[macro_use]
mod source;

mod params;

mod blocking;
mod bridge;
mod cancel;
mod errors;
mod gather;
mod input;
mod lazy;
mod limit;
mod many;
mod mistakes;
mod progress;
mod race;
mod sandbox;
mod sleep;
mod timeout;
mod worker;

pub mod twin;

use futures::future::LocalBoxFuture;

pub use params::{Param, ParamKind, Params, API_FOLDER, MAX_URLS};
pub use sandbox::{DEFAULT_PROGRAM, PROGRAM};
pub use source::{copy_from, region_bounds, Source};
use source::{demo_region, region_first_line};
#[cfg(test)]
use source::{END, START};

/// The most URLs one `fetchAll` call takes.
pub const MAX_FETCH_URLS: usize = 1000;

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
    /// Clicks on the lesson's own button ([`Lesson::button`]), as the view
    /// reports them; closed (it ends at once) where there is no widget.
    pub clicks: Clicks,
}

/// A named set of attribute values a reader can apply with one click. An
/// empty value removes the attribute (back to the default); relative URLs
/// are resolved like the lesson's default URLs.
#[derive(Debug)]
pub struct Preset {
    /// The button's text.
    pub label: &'static str,
    /// (attribute, value) pairs.
    pub attributes: &'static [(&'static str, &'static str)],
}

/// "Predict, then run": a question asked before Run, whose answer is read
/// from the run that follows (never from a stored number).
#[derive(Debug)]
pub struct Prediction {
    /// The question, e.g. "How long will the concurrent run take?".
    pub question: &'static str,
    /// The unit the answer is in, e.g. "ms" or "polls".
    pub unit: &'static str,
    /// The measured answer, from the recording of the run (its runs are
    /// closed: it ended).
    pub measure: fn(&[crate::trace::RunRecord]) -> Option<f64>,
    /// How far off a guess may be and still be right, as a fraction of the
    /// measured figure (0 for an exact count).
    pub tolerance: f64,
    /// The parameters the question takes at their defaults ("With the
    /// defaults each task waits 800 ms…"): a run that changed one does not
    /// grade the guess.
    pub assumes: &'static [Param],
}

impl Prediction {
    /// Whether `guess` matches `measured`.
    pub fn is_right(&self, guess: f64, measured: f64) -> bool {
        (guess - measured).abs() <= self.tolerance * measured.abs() + 1e-9
    }
}

/// How many of `run`'s tasks ended cancelled: a question's answer, read
/// from the run.
pub(crate) fn cancelled(run: &crate::trace::RunRecord) -> f64 {
    run.tasks
        .iter()
        .filter(|t| t.state == crate::trace::TaskState::Cancelled)
        .count() as f64
}

/// The most of `run`'s tasks that were under way at one moment, each from
/// its first poll to its end (one that ends as another starts is not
/// counted twice): a question's answer, read from the run.
pub(crate) fn most_at_once(run: &crate::trace::RunRecord) -> f64 {
    let mut edges: Vec<(f64, i32)> = run
        .tasks
        .iter()
        .filter_map(|t| Some([(t.first_poll()?, 1), (t.end?, -1)]))
        .flatten()
        .collect();
    // At the same time, an end before a start.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0, 0);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    f64::from(most)
}

/// A stream of clicks on the lesson's button: one `()` per click. While it
/// waits, it tells a stepped run's queue so (`crate::waits`).
#[derive(Debug)]
pub struct Clicks(futures::channel::mpsc::UnboundedReceiver<()>);

impl Clicks {
    /// The clicks that `sender` sends (the view's listener holds it).
    pub fn channel() -> (futures::channel::mpsc::UnboundedSender<()>, Clicks) {
        let (sender, receiver) = futures::channel::mpsc::unbounded();
        (sender, Clicks(receiver))
    }
}

impl futures::Stream for Clicks {
    type Item = ();

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<()>> {
        let next = std::pin::Pin::new(&mut self.0).poll_next(cx);
        if next.is_pending() {
            crate::waits::on(|| "a click on the lesson's button".to_string());
        }
        next
    }
}

impl Ctx {
    /// A run with no widget around it: no JavaScript side, no button.
    pub fn new(recorder: Recorder, params: Params) -> Self {
        Ctx {
            recorder,
            params,
            bridge: None,
            clicks: Clicks::channel().1,
        }
    }
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
    /// The lesson file's demo region; see [`Lesson::rust_code`].
    pub source: Source,
    /// The attributes it reads.
    pub params: &'static [Param],
    /// The label of a button of its own that the widget shows during a run
    /// (clicks reach the run as [`Ctx::clicks`]), if it has one.
    pub button: Option<&'static str>,
    /// Endpoints beside the widget the lesson calls by itself, beyond its
    /// `urls` (errors' flaky endpoint): on a static host they need the
    /// widget's Service Worker as much as its default URLs do.
    pub endpoints: &'static [&'static str],
    /// Settings worth trying, offered as buttons that set the attributes.
    pub presets: &'static [Preset],
    /// A question to answer before Run, checked against the run's figures.
    pub predict: Option<Prediction>,
    /// Runs it.
    pub run: fn(Ctx) -> LocalBoxFuture<'static, Result<(), Error>>,
}

impl Lesson {
    /// The code that runs: the lines of the lesson's source between its
    /// `demo:start` and `demo:end` markers, de-indented.
    pub fn rust_code(&self) -> String {
        demo_region(self.source.text)
    }

    /// The line of the shown code (1-based) that is line `line` of source
    /// file `file`, if that is this lesson's file and the line is shown:
    /// where a traced future was created (`run.trace` keeps its caller).
    pub fn code_line(&self, file: &str, line: u32) -> Option<u32> {
        if self.is_program() {
            // A program's places are its own lines.
            return (file == crate::trace::PROGRAM && line > 0).then_some(line);
        }
        let own = file.rsplit(['/', '\\']).next() == Some(&format!("{}.rs", self.name));
        let first = region_first_line(self.source.text)? + self.source.first_line - 1;
        let shown = self.rust_code().lines().count() as u32;
        (own && line >= first && line < first + shown).then(|| line - first + 1)
    }

    /// The line of the shown code where `task` was created, if it was
    /// created there.
    pub fn task_line(&self, task: &crate::trace::TaskRecord) -> Option<u32> {
        self.shown_line(task.created_at())
    }

    /// The line of the shown code with the `.await` at which the run waits
    /// for `task` (its last poll's, see `trace::AwaitAt`), if it is shown.
    pub fn await_line(&self, task: &crate::trace::TaskRecord) -> Option<u32> {
        self.shown_line(task.awaited_at())
    }

    /// The line of the shown code with the `.await` inside `task` at which
    /// it is suspended (its last poll's, if that returned `Pending`).
    pub fn suspend_line(&self, task: &crate::trace::TaskRecord) -> Option<u32> {
        self.shown_line(task.suspended_at())
    }

    fn shown_line(&self, at: Option<(&str, u32)>) -> Option<u32> {
        at.and_then(|(file, line)| self.code_line(file, line))
    }

    /// Whether the lesson runs a program the reader writes (the sandbox)
    /// rather than code of its own.
    pub fn is_program(&self) -> bool {
        self.params.iter().any(|p| matches!(p.kind, ParamKind::Program))
    }

    /// Whether the Python beside the lesson is a program (its twin) rather
    /// than a sentence saying why it has none. (A unit test holds every
    /// lesson to one or the other.)
    pub fn has_twin(&self) -> bool {
        self.python.contains("asyncio.run(")
    }
}

/// The Python twin as the widget shows it: with the widget's current
/// parameters in it. Where they cannot be rendered (an unusable value, which
/// the run will refuse with its own sentence) the file is shown as it is.
/// On a static site (see [`set_served_by_worker`]) a twin that names the
/// widget's endpoints starts with [`WORKER_NOTE`].
pub fn twin_text(lesson: &Lesson, params: &Params) -> String {
    let text = if lesson.is_program() {
        // The sandbox's twin is written from its program.
        crate::sandbox::generate(&params.text(&PROGRAM), params.module_base()).python
    } else {
        twin::render(lesson, params).unwrap_or_else(|_| lesson.python.to_string())
    };
    noted(text)
}

/// `twin` as a widget shows it: with [`WORKER_NOTE`] first on a static site
/// (see [`set_served_by_worker`]).
pub fn noted(twin: String) -> String {
    with_worker_note(twin, SERVED_BY_WORKER.load(std::sync::atomic::Ordering::Relaxed))
}

/// `twin` with [`WORKER_NOTE`] first, where the endpoints are the worker's
/// and the twin names them.
fn with_worker_note(twin: String, served_by_worker: bool) -> String {
    if served_by_worker && twin.contains(API_FOLDER) {
        format!("{WORKER_NOTE}{twin}")
    } else {
        twin
    }
}

/// Whether the widget's `async-demo-api/` endpoints are answered by its
/// Service Worker inside the browser (a static build), where no Python
/// program can reach them.
static SERVED_BY_WORKER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Says whether the widget's endpoints are answered by its Service Worker
/// (`async-demo.js` of a static build, and the pre-render, say so).
pub fn set_served_by_worker(on: bool) {
    SERVED_BY_WORKER.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// The first lines of a twin on a static site: its URLs are not ones a
/// Python program can reach, and what to do instead. (Comments: the module's
/// docstring after them is still its docstring.)
pub const WORKER_NOTE: &str = "\
# On this site the async-demo-api/ URLs below are answered by a Service Worker
# inside the browser, which a Python program cannot reach. To run this twin,
# start `cargo xtask serve` in async-demo's repository and point its URLs
# (or BASE) at http://127.0.0.1:8080/ instead.
";

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
    &input::LESSON,
    &worker::LESSON,
    &sandbox::LESSON,
];

/// The lesson named `name`.
pub fn find(name: &str) -> Option<&'static Lesson> {
    ALL.iter().copied().find(|l| l.name == name)
}

/// The names of all lessons, for error messages.
pub fn names() -> String {
    ALL.iter().map(|l| l.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn on_a_static_site_a_twin_that_names_the_endpoints_says_python_cannot_reach_them() {
        let params = Params::new(Default::default(), "http://site.test/docs/", "http://site.test/");
        let gather = twin_text(find("gather").expect("gather"), &params);
        let noted = with_worker_note(gather.clone(), true);
        assert_eq!(noted, format!("{WORKER_NOTE}{gather}"));
        assert_eq!(with_worker_note(gather.clone(), false), gather);
        // A twin without the endpoints (lazy's) is left alone.
        let lazy = twin_text(find("lazy").expect("lazy"), &params);
        assert_eq!(with_worker_note(lazy.clone(), true), lazy);
        // Comments only, before the docstring: the twin is still Python, and
        // its docstring still the module's.
        let check = std::process::Command::new("python3")
            .args([
                "-c",
                "import ast, sys; t = ast.parse(sys.stdin.read()); print(ast.get_docstring(t))",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn();
        if let Ok(mut child) = check {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(noted.as_bytes())
                .expect("write");
            let out = child.wait_with_output().expect("python3");
            assert!(out.status.success());
            assert!(String::from_utf8_lossy(&out.stdout).starts_with("The gather lesson in asyncio"));
        }
    }

    use super::*;

    #[test]
    fn every_lesson_shows_code_and_a_python_twin() {
        // The sandbox shows the reader's program and writes its twin from it
        // (src/sandbox/ tests those).
        for lesson in ALL.iter().filter(|l| !l.is_program()) {
            let code = lesson.rust_code();
            assert!(
                code.lines().count() >= 3,
                "{} shows too little code: {code:?}",
                lesson.name
            );
            assert!(!code.contains(START) && !code.contains(END));
            // The twin is a whole program (twin.rs tests what it holds), or
            // for a lesson with no faithful counterpart a sentence saying so.
            let program = lesson.python.contains("asyncio.run(main())");
            assert_eq!(program, lesson.name != "bridge", "{}", lesson.name);
            assert_eq!(program, lesson.has_twin(), "{}", lesson.name);
            assert!(lesson.python.contains("asyncio"), "{}", lesson.name);
            assert!(!lesson.idea.is_empty());
        }
    }

    #[test]
    fn presets_set_only_attributes_their_lesson_reads_to_usable_values() {
        for lesson in ALL {
            for preset in lesson.presets {
                let values = preset
                    .attributes
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                let params = Params::new(values, "http://page/", "http://module/");
                for (name, _) in preset.attributes {
                    let param = lesson.params.iter().find(|p| p.name == *name);
                    let param = param
                        .unwrap_or_else(|| panic!("{}: preset {:?} sets {name}", lesson.name, preset.label));
                    let usable = match param.kind {
                        ParamKind::Urls => params.urls(param).map(drop),
                        _ => params.number(param).map(drop),
                    };
                    assert!(
                        usable.is_ok(),
                        "{}: preset {:?}: {usable:?}",
                        lesson.name,
                        preset.label
                    );
                }
            }
        }
    }

    #[test]
    fn a_prediction_is_right_within_its_tolerance_and_counts_are_exact() {
        let polls = find("lazy").and_then(|l| l.predict.as_ref()).expect("lazy asks");
        assert!(polls.is_right(0.0, 0.0) && !polls.is_right(1.0, 0.0));
        let time = find("gather")
            .and_then(|l| l.predict.as_ref())
            .expect("gather asks");
        assert!(time.is_right(1000.0, 1100.0) && !time.is_right(2100.0, 1100.0));
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

    /// The playground's permalinks restore only the attributes in its list
    /// (so a hash cannot set `onclick`): the list must be every parameter
    /// of every lesson, no more, no fewer.
    #[test]
    fn the_playgrounds_parameter_list_is_every_lessons_parameters() {
        let js = include_str!("../../www/playground.js");
        let line = js
            .lines()
            .find(|l| l.starts_with("const PARAMS = ["))
            .expect("playground.js lists its PARAMS");
        let mut listed: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
        let mut params: Vec<&str> = ALL.iter().flat_map(|l| l.params.iter().map(|p| p.name)).collect();
        for list in [&mut listed, &mut params] {
            list.sort_unstable();
            list.dedup();
        }
        assert_eq!(
            listed, params,
            "www/playground.js's PARAMS drifted from the lessons"
        );
    }

    #[test]
    fn a_source_line_maps_to_the_line_shown() {
        let lesson = find("gather").expect("gather");
        let source_line = include_str!("gather.rs")
            .lines()
            .position(|l| l.contains("let run = recorder.begin_run(\"sequential\")"))
            .expect("the line") as u32
            + 1;
        let shown = lesson
            .code_line("src/lessons/gather.rs", source_line)
            .expect("shown");
        let code = lesson.rust_code();
        assert!(code
            .lines()
            .nth(shown as usize - 1)
            .is_some_and(|l| l.contains("begin_run(\"sequential\")")));
        assert_eq!(lesson.code_line("src/lessons/limit.rs", source_line), None);
        assert_eq!(lesson.code_line("src/lessons/gather.rs", 1), None);
    }

    #[test]
    fn only_the_region_is_kept_with_its_place_in_the_file() {
        let file = "use x;\n\nfn x() {\n    // demo:start\n    let a = 1;\n    // demo:end\n    a\n}\n";
        let (start, end, line) = region_bounds(file);
        assert_eq!(
            &file[start..end],
            "    // demo:start\n    let a = 1;\n    // demo:end\n"
        );
        assert_eq!(line, 4);
        for lesson in ALL {
            let file = std::fs::read_to_string(format!("src/lessons/{}.rs", lesson.name)).expect("file");
            assert!(
                file.len() > lesson.source.text.len() + 100,
                "{}: the whole file was kept",
                lesson.name
            );
            let first = file
                .lines()
                .nth(lesson.source.first_line as usize - 1)
                .expect("line");
            assert_eq!(
                first,
                lesson.source.text.lines().next().expect("text"),
                "{}",
                lesson.name
            );
            assert!(lesson.source.text.trim_end().ends_with(END), "{}", lesson.name);
        }
    }

    #[test]
    fn the_region_is_cut_and_dedented() {
        let src = "fn x() {\n    // demo:start\n    let a = 1;\n        a + 1;\n    // demo:end\n}\n";
        assert_eq!(demo_region(src), "let a = 1;\n    a + 1;");
    }
}

/// The book's chapters and the widgets they embed say different things: a
/// run of eight words or more that a chapter's prose and the idea of one of
/// its widgets both contain is the same text twice on one page.
#[cfg(test)]
mod book {
    use super::ALL;

    /// The words of `text`, lowercased, without Markdown, HTML or code blocks.
    fn words(text: &str) -> Vec<String> {
        let mut prose = String::new();
        let mut fenced = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                continue;
            }
            if !fenced {
                prose.push_str(line);
                prose.push('\n');
            }
        }
        // Tags (a widget's element, with its attributes) are not prose.
        let mut plain = String::new();
        let mut in_tag = false;
        for c in prose.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                _ if !in_tag => plain.push(c),
                _ => {}
            }
        }
        plain
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    }

    const RUN: usize = 8;

    #[test]
    fn no_chapter_says_again_what_its_widgets_say() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src");
        let mut repeated = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("docs/src") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let chapter = std::fs::read_to_string(&path).expect("a chapter");
            let prose = words(&chapter);
            let runs: std::collections::HashSet<&[String]> = prose.windows(RUN).collect();
            for lesson in ALL {
                if !chapter.contains(&format!("lesson=\"{}\"", lesson.name)) {
                    continue;
                }
                let idea = words(lesson.idea);
                let mut i = 0;
                while i + RUN <= idea.len() {
                    if runs.contains(&idea[i..i + RUN]) {
                        // The whole run shared, as one finding.
                        let mut end = i + RUN;
                        while end < idea.len() && prose.windows(end + 1 - i).any(|w| w == &idea[i..=end]) {
                            end += 1;
                        }
                        repeated.push(format!(
                            "{} and the {} widget: \"{}\"",
                            path.file_name().expect("name").to_string_lossy(),
                            lesson.name,
                            idea[i..end].join(" ")
                        ));
                        i = end;
                    } else {
                        i += 1;
                    }
                }
            }
        }
        assert!(
            repeated.is_empty(),
            "said twice on one page:\n{}",
            repeated.join("\n")
        );
    }
}
