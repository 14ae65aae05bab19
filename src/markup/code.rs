//! The widget's code panes: the lesson's Rust beside its Python twin (and,
//! for `bridge`, its JavaScript), or the sandbox's editor beside its two
//! translations; each pane's lines coloured, numbered, and with the
//! widget's recording marked (see [`recording`]).

use std::ops::Range;

use super::highlight::{self, Lang};
use super::recording;
use super::widget::BRIDGE_JS;
use super::{el, el_class, text, Element, Node, Part};
use crate::lessons::Lesson;

/// On a narrow widget, one code pane at a time: a radio group that the
/// stylesheet shows below 36.7rem, where the panes would stack (with the
/// panes it does not pick hidden),
/// and hides above, where the panes stand side by side. No script: it works
/// in a pre-rendered widget before the wasm is there.
fn pane_switch(panes: &[(&'static str, &'static str)]) -> Element {
    radio_group("pane-switch", "pane", "Which code to show", panes)
}

/// A radio group of `class` (which the stylesheet shows where it applies),
/// its first choice checked.
fn radio_group(
    class: &'static str,
    name: &'static str,
    label: &'static str,
    choices: &[(&'static str, &'static str)],
) -> Element {
    el_class("div", class)
        .attr("role", "radiogroup")
        .attr("aria-label", label)
        .children(choices.iter().enumerate().map(|(i, (value, label))| {
            let input = el("input")
                .attr("type", "radio")
                .attr("name", name)
                .attr("value", *value);
            let input = if i == 0 { input.attr("checked", "") } else { input };
            el("label").child(input).text(*label).into()
        }))
}

/// What the sandbox shows beside its editor, written from the program.
#[derive(Debug, Clone, Default)]
pub struct Generated {
    /// The program's Python twin (or why it has none yet).
    pub python: String,
    /// The program in JavaScript.
    pub javascript: String,
    /// What the checker says: the error (with its caret) and warnings.
    pub diagnostics: String,
}

/// The sandbox's panes: the editor, what the checker says, and the program
/// in Python and JavaScript.
pub(super) fn sandbox_panes(program: &str, generated: &Generated) -> Element {
    // The highlighted lines lie under a transparent textarea of the same
    // metrics: the textarea is what is edited (its undo, its keyboard), the
    // lines are what is seen and lit while stepping.
    let view = el("pre")
        .attr("class", "editor-view")
        .attr("aria-hidden", "true")
        .child(
            el("code")
                .children(editor_lines(program))
                .part(Part::Rust)
                .opaque(),
        );
    let input = el("textarea")
        .attr("class", "editor-input")
        .attr("name", "program")
        .attr("spellcheck", "false")
        .attr("autocapitalize", "off")
        .attr("autocomplete", "off")
        .attr("aria-label", "Your program, in Rust")
        .text(program.to_string())
        .part(Part::Editor);
    let editor = el_class("figure", "rust editor")
        .child(el("figcaption").text("Your program (Rust): edit it, then Run or Step"))
        .child(el_class("div", "editor-box").child(view).child(input))
        .child(
            el_class("div", "diagnostics")
                .attr("role", "status")
                .text(generated.diagnostics.clone())
                .part(Part::Diagnostics)
                .opaque(),
        );
    let generated_pane = |class: &'static str, caption: &'static str, lang: Lang, code: &str, part: Part| {
        el_class("figure", class)
            .child(el("figcaption").text(caption))
            .child(
                el("pre")
                    .attr("tabindex", "0")
                    .child(el("code").children(code_lines(lang, code)).part(part).opaque()),
            )
    };
    el_class("div", "code sandbox")
        .part(Part::Code)
        .child(pane_switch(&[
            ("rust", "Your program"),
            ("python", "Python"),
            ("js", "JavaScript"),
        ]))
        // Wider, the editor always shows, with one of the two translations.
        .child(radio_group(
            "twin-switch",
            "twin",
            "Which translation of your program to show",
            &[("python", "Python"), ("js", "JavaScript")],
        ))
        .child(editor)
        .child(generated_pane(
            "python",
            "Python (asyncio): the same program, written from yours",
            Lang::Python,
            &generated.python,
            Part::Python,
        ))
        .child(generated_pane(
            "js",
            "JavaScript: the same program, written from yours",
            Lang::JavaScript,
            &generated.javascript,
            Part::JavaScript,
        ))
}

pub(super) fn code_panes(lesson: &Lesson, python: &str) -> Element {
    let twin = if lesson.has_twin() {
        let hidden = recording::ranges(Lang::Python, python);
        el_class("figure", "python")
            .child(with_recording_switch(
                el("figcaption").text("Python (asyncio): the same program, runnable"),
                "show the recording in the Python twin",
                !hidden.is_empty(),
            ))
            .child(
                el("pre").attr("tabindex", "0").child(
                    el("code")
                        .children(lines_marked(Lang::Python, python, &hidden, &[]))
                        .part(Part::Python)
                        .opaque(),
                ),
            )
    } else {
        el_class("figure", "python")
            .child(el("figcaption").text("Python"))
            .child(el_class("p", "no-twin").text(python.to_string()))
    };
    let mut panes = vec![("rust", "Rust"), ("python", "Python")];
    if lesson.name == "bridge" {
        panes.push(("js", "JavaScript"));
    }
    let mut code = el_class("div", "code")
        .part(Part::Code)
        .child(pane_switch(&panes))
        .child(twin)
        .child(rust_pane(lesson));
    if lesson.name == "bridge" {
        let pane = el_class("figure", "js")
            .child(el("figcaption").text("JavaScript: the side that awaits Rust"))
            .child(
                el("pre")
                    .attr("tabindex", "0")
                    .child(el("code").children(code_lines(Lang::JavaScript, BRIDGE_JS))),
            );
        code = code.child(pane);
    }
    code
}

/// The lesson's Rust code, every character of it, with the widget's
/// recording (`begin_run`, `run.trace(label, …)`, `finish`: see
/// [`recording`]) marked `rec`, which the stylesheet hides until the reader
/// ticks "show the recording" in the caption (the Python twin's pane has
/// its own box).
fn rust_pane(lesson: &Lesson) -> Element {
    let code = lesson.rust_code();
    let (hidden, params) = if lesson.is_program() {
        (Vec::new(), Vec::new())
    } else {
        let hidden = recording::ranges(Lang::Rust, &code);
        let params = recording::unused_params(&code, &hidden);
        (hidden, params)
    };
    let mut marked = [hidden.as_slice(), &params].concat();
    marked.sort_unstable_by_key(|r| r.start);
    let caption = with_recording_switch(
        el("figcaption").text("Rust: the code that runs here"),
        "show the recording in the Rust code",
        !hidden.is_empty(),
    );
    el_class("figure", "rust").child(caption).child(
        el("pre").attr("tabindex", "0").child(
            el("code")
                .children(lines_marked(Lang::Rust, &code, &marked, &params))
                .part(Part::Rust),
        ),
    )
}

/// `caption`, with the box that shows a pane's recording where it has one.
/// (`label` names it for a screen reader: the two panes' boxes differ.)
fn with_recording_switch(caption: Element, label: &'static str, recorded: bool) -> Element {
    if !recorded {
        return caption;
    }
    caption.child(
        el_class("label", "show-recording")
            .child(
                el("input")
                    .attr("type", "checkbox")
                    .attr("name", "recording")
                    .attr("aria-label", label),
            )
            .text("show the recording"),
    )
}

/// A lesson's Python twin as lines, its recording marked (see
/// [`recording`]): what the pane is refilled with when the twin changes.
pub fn twin_lines(twin: &str) -> Vec<Node> {
    lines_marked(Lang::Python, twin, &recording::ranges(Lang::Python, twin), &[])
}

/// `code` as lines (a block each, numbered by the stylesheet) of coloured
/// pieces: text only, never markup.
pub fn code_lines(lang: Lang, code: &str) -> Vec<Node> {
    lines_marked(lang, code, &[], &[])
}

/// [`code_lines`], with the byte ranges `hidden` (in order) inside `rec`
/// spans, and a line that is nothing else (but blanks) marked `rec` too;
/// after each of `params` (among `hidden`: see
/// [`recording::unused_params`]), a `stand-in` `_`, shown while the
/// recording is hidden.
fn lines_marked(lang: Lang, code: &str, hidden: &[Range<usize>], params: &[Range<usize>]) -> Vec<Node> {
    let mut next = 0;
    code.split_inclusive('\n')
        .enumerate()
        .map(|(i, whole)| {
            let line = whole.trim_end_matches(['\n', '\r']);
            let mut at = next;
            next += whole.len();
            let mut all_hidden = !line.trim().is_empty();
            let mut pieces = Vec::new();
            for (class, piece) in highlight::line(lang, line) {
                // Split the piece where a hidden range starts or ends.
                let mut rest = piece;
                while !rest.is_empty() {
                    let inside = hidden.iter().find(|r| r.contains(&at));
                    let len = match inside {
                        Some(r) => (r.end - at).min(rest.len()),
                        None => hidden
                            .iter()
                            .find(|r| r.start > at)
                            .map_or(rest.len(), |r| (r.start - at).min(rest.len())),
                    };
                    let (part, tail) = rest.split_at(len);
                    let node: Node = match class.css() {
                        Some(css) => el_class("span", css).text(part.to_string()).into(),
                        None => text(part.to_string()),
                    };
                    if let Some(r) = inside {
                        pieces.push(el_class("span", "rec").child(node).into());
                        if at + len == r.end && params.contains(r) {
                            pieces.push(el_class("span", "stand-in").text("_").into());
                        }
                    } else {
                        all_hidden &= part.trim().is_empty();
                        pieces.push(node);
                    }
                    at += len;
                    rest = tail;
                }
            }
            // Numbered by an attribute, not a CSS counter: Chrome's style
            // cache keeps the last tree that styled a counter alive, a whole
            // removed widget with it.
            el_class(
                "span",
                if all_hidden && !hidden.is_empty() {
                    "line rec"
                } else {
                    "line"
                },
            )
            .attr("data-n", (i + 1).to_string())
            .children(pieces)
            .into()
        })
        .collect()
}

/// The sandbox editor's lines under its textarea: as [`code_lines`], and an
/// empty last line where the text ends with a newline (the textarea shows
/// one there), so that both are as tall.
pub fn editor_lines(code: &str) -> Vec<Node> {
    let mut lines = code_lines(Lang::Rust, code);
    if code.is_empty() || code.ends_with('\n') {
        lines.push(
            el_class("span", "line")
                .attr("data-n", (lines.len() + 1).to_string())
                .into(),
        );
    }
    lines
}
