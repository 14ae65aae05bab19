//! One widget's markup as it stands before any run: its frame, the idea, the
//! code panes, the parameter form, the controls, the stage and the replay
//! tools. The view adopts it ([`super::Part`]); `async-demo-prerender`
//! writes it into pages.

pub use super::code::{code_lines, editor_lines, twin_lines, Generated};
use super::code::{code_panes, sandbox_panes};
use super::{el, el_class, Element, Node, Part};
use crate::lessons::{Lesson, ParamKind, Params};

/// Replay speeds: the label and the `<option>` value (a factor; the view
/// parses it back).
pub const SPEEDS: [(&str, &str); 4] = [("0.1×", "0.1"), ("0.25×", "0.25"), ("0.5×", "0.5"), ("1×", "1")];

/// The speed a replay starts at.
pub const DEFAULT_SPEED: &str = "0.25";

/// The JavaScript half of the bridge lesson, as `www/async-demo.js` defines
/// it (`jsAwaitsRust`): the widget shows this text beside the Rust. A unit
/// test holds the two to the same characters.
pub const BRIDGE_JS: &str = "async function jsAwaitsRust(ms) {
  const waited = await sleep(ms); // a #[wasm_bindgen] pub async fn: a Promise here
  return `sleep(${ms}) resolved in JavaScript after ${waited.toFixed(0)} ms`;
}";

/// What the widget shows that is not the lesson's own: the stylesheet's URL,
/// the Python twin with the widget's values, and the lesson the markup was
/// rendered for when it is pre-rendered.
#[derive(Debug, Clone, Copy)]
pub struct Setting<'a> {
    /// The URL of `async-demo.css`.
    pub stylesheet: &'a str,
    /// The Python twin (or the sentence that stands for it) as shown.
    pub python: &'a str,
    /// Written into a page before any wasm (`data-prerendered`).
    pub prerendered: bool,
    /// For the sandbox: what is written from its program.
    pub generated: Option<&'a Generated>,
}

/// The widget for `lesson` showing `params`: the stylesheet link and the
/// section.
pub fn widget(lesson: &'static Lesson, params: &Params, setting: Setting<'_>) -> Vec<Node> {
    vec![
        stylesheet(setting.stylesheet),
        section(lesson, params, setting).into(),
    ]
}

/// The link to the widget's stylesheet (the first child of its root).
pub fn stylesheet(href: &str) -> Node {
    el("link")
        .attr("rel", "stylesheet")
        .attr("href", href.to_string())
        .into()
}

/// A widget that cannot show its lesson (unknown, missing): its sentence.
pub fn error_only(message: &str) -> Vec<Node> {
    vec![el_class("p", "error")
        .attr("role", "alert")
        .text(message.to_string())
        .into()]
}

fn section(lesson: &'static Lesson, params: &Params, setting: Setting<'_>) -> Element {
    let mut frame = el_class("section", "demo").attr("part", "demo").part(Part::Frame);
    if setting.prerendered {
        frame = frame.attr("data-prerendered", lesson.name);
    }
    let header = el("header")
        .child(el_class("h3", "title").text(lesson.title))
        .child(el_class("span", "badge").text("idle").part(Part::Badge));
    let ideas = idea(lesson.idea);
    let code = match (lesson.is_program(), setting.generated) {
        (true, Some(generated)) => sandbox_panes(&params.text(&crate::lessons::PROGRAM), generated),
        (true, None) => sandbox_panes(&params.text(&crate::lessons::PROGRAM), &Generated::default()),
        (false, _) => code_panes(lesson, setting.python),
    };
    frame
        .child(header)
        .child(ideas)
        .child(code)
        // The question, then Run: within the first screen of the widget on
        // a phone. The parameters and presets, for the runs after the
        // first, follow the controls.
        .children(prediction(lesson, params))
        .child(controls(lesson))
        .child(form(lesson, params))
        .child(el_class("ul", "notes").part(Part::Notes).opaque())
        .children(presets(lesson))
        .child(stepping())
        .child(stage(lesson))
        .child(
            el_class("p", "error")
                .attr("role", "alert")
                .attr("hidden", "")
                .part(Part::ErrorLine),
        )
        .child(el_class("p", "live").attr("aria-live", "polite").part(Part::Live))
        .child(replay_tools())
        .child(
            el_class("p", "detail")
                .attr("aria-live", "polite")
                .text("Hover or focus the timeline to see each poll and wake.")
                .part(Part::Detail),
        )
        .child(el_class("div", "results").part(Part::Results).opaque())
}

/// The lesson's idea: its first two sentences, then the rest behind a
/// "more" disclosure (closed, unless the reader left it open: `async-demo.js`
/// remembers it per lesson), so that a widget starts with the point and its
/// code, not with a wall of text.
fn idea(text: &'static str) -> Element {
    let (lead, rest) = lead_and_rest(text);
    let idea = el_class("div", "idea").child(el_class("p", "lead").text(lead));
    if rest.is_empty() {
        return idea;
    }
    idea.child(
        el_class("details", "more")
            .child(el("summary").text("More on this idea"))
            .children(rest.iter().map(|p| el("p").text(*p).into())),
    )
}

/// `text`'s first two sentences, and its paragraphs after them (the rest of
/// the first paragraph counts as one). A sentence ends at `.`, `?` or `!`
/// followed by a space and a capital letter, a digit or a quote, so that
/// `e.g. a` or `futures-rs's .await` does not end one.
fn lead_and_rest(text: &'static str) -> (&'static str, Vec<&'static str>) {
    let mut paragraphs = text.split("\n\n");
    let first = paragraphs.next().unwrap_or_default();
    let bytes = first.as_bytes();
    let mut ends = (1..bytes.len().saturating_sub(1)).filter(|&i| {
        matches!(bytes[i - 1], b'.' | b'?' | b'!')
            && bytes[i] == b' '
            && first[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '('))
    });
    let (lead, more) = match ends.nth(1) {
        Some(i) => (&first[..i], first[i + 1..].trim()),
        None => (first, ""),
    };
    let rest = std::iter::once(more)
        .filter(|m| !m.is_empty())
        .chain(paragraphs)
        .collect();
    (lead, rest)
}

fn form(lesson: &Lesson, params: &Params) -> Element {
    // The sandbox's program has its editor.
    let fields = lesson
        .params
        .iter()
        .enumerate()
        .filter(|(_, p)| !matches!(p.kind, ParamKind::Program));
    let labels = fields.map(|(i, param)| {
        let shown = params.shown(param);
        // The attribute's name beside its label: the book and embedders
        // speak of `delay-ms`, the field shows which one that is.
        let caption = el("span")
            .text(param.label)
            .text(" ")
            .child(el_class("code", "attr").text(param.name));
        let input = el("input").attr("name", param.name);
        // A number's field, or a slider with its value as text beside it.
        let numeric = |kind: &'static str, min: u32, max: u32| {
            input
                .clone()
                .attr("type", kind)
                .attr("min", min.to_string())
                .attr("max", max.to_string())
                .attr("step", "1")
        };
        let (class, input, output) = match param.kind {
            ParamKind::Number { min, max } => ("param", numeric("number", min, max), None),
            ParamKind::Range { min, max } => (
                "param",
                numeric("range", min, max),
                Some(
                    el_class("output", "value")
                        .text(shown.clone())
                        .part(Part::Output(i)),
                ),
            ),
            ParamKind::Urls | ParamKind::Program => (
                "param wide",
                input.attr("type", "text").attr("spellcheck", "false"),
                None,
            ),
        };
        let input = input.attr("value", shown).part(Part::Input(i));
        el_class("label", class)
            .child(caption)
            .child(input)
            .children(output.map(Node::from))
            .into()
    });
    el_class("div", "params").children(labels)
}

/// The question the widget asks before Run, if any: the lesson's own, or
/// the loaded example's for the sandbox.
pub fn question(lesson: &'static Lesson, params: &Params) -> Option<&'static crate::lessons::Prediction> {
    if lesson.is_program() {
        return crate::sandbox::examples::matching(&params.text(&crate::lessons::PROGRAM))
            .map(|e| &e.predict);
    }
    lesson.predict.as_ref()
}

/// How the question reads above its field.
pub fn question_text(predict: &crate::lessons::Prediction) -> String {
    format!("Predict, then run: {} ({})", predict.question, predict.unit)
}

fn prediction(lesson: &'static Lesson, params: &Params) -> Option<Node> {
    let asked = question(lesson, params);
    if asked.is_none() && !lesson.is_program() {
        return None;
    }
    let question = asked.map(question_text).unwrap_or_default();
    let input = el("input")
        .attr("type", "number")
        .attr("name", "prediction")
        .attr("min", "0")
        .attr("step", "any")
        .attr("value", "")
        .part(Part::Prediction);
    let block = el_class("div", "predict").part(Part::Predict);
    // The sandbox asks only while an example's program is loaded.
    let block = if asked.is_none() {
        block.attr("hidden", "")
    } else {
        block
    };
    let block = block
        .child(
            el("label")
                .child(el("span").text(question).part(Part::Question))
                .child(input),
        )
        .child(
            el_class("p", "verdict")
                .attr("aria-live", "polite")
                .part(Part::Verdict),
        );
    Some(block.into())
}

/// The labels of the lesson's presets (the sandbox's: its examples).
pub fn preset_labels(lesson: &Lesson) -> Vec<&'static str> {
    if lesson.is_program() {
        crate::sandbox::examples::EXAMPLES
            .iter()
            .map(|e| e.label)
            .collect()
    } else {
        lesson.presets.iter().map(|p| p.label).collect()
    }
}

fn presets(lesson: &Lesson) -> Option<Node> {
    let labels = preset_labels(lesson);
    if labels.is_empty() {
        return None;
    }
    let buttons = labels
        .into_iter()
        .enumerate()
        .map(|(i, label)| button("preset", label).part(Part::Preset(i)).into());
    Some(
        el_class("div", "presets")
            .child(el("span").text("Try:"))
            .children(buttons)
            .into(),
    )
}

/// The attribute values preset `index` of `lesson` sets ("" removes one).
/// Its URLs are resolved as the lesson's defaults are (relative to the
/// widget's module), so a preset works on any page.
pub fn preset_values(lesson: &Lesson, index: usize, params: &Params) -> Vec<(&'static str, String)> {
    if lesson.is_program() {
        let example = crate::sandbox::examples::EXAMPLES.get(index);
        return example.map_or_else(Vec::new, |e| vec![("program", e.program.to_string())]);
    }
    lesson.presets.get(index).map_or_else(Vec::new, |preset| {
        preset
            .attributes
            .iter()
            .map(|&(name, value)| {
                let value = match name {
                    "urls" => value
                        .split_whitespace()
                        .map(|u| params.resolve_default(u))
                        .collect::<Vec<_>>()
                        .join(" "),
                    _ => value.to_string(),
                };
                (name, value)
            })
            .collect()
    })
}

fn button(class: &'static str, label: &'static str) -> Element {
    el_class("button", class).attr("type", "button").text(label)
}

fn controls(lesson: &Lesson) -> Element {
    let lesson_button = lesson.button.map(|label| {
        button("lesson-button", label)
            .attr("disabled", "")
            .part(Part::LessonButton)
            .into()
    });
    el_class("div", "controls")
        .child(button("run", "Run").part(Part::Run))
        .child(button("cancel", "Cancel").attr("disabled", "").part(Part::Cancel))
        .child(
            button("step", "Step")
                .attr(
                    "title",
                    "Run the lesson one poll at a time: the first press starts it paused, each next press polls one future",
                )
                .part(Part::Step),
        )
        .child(button("continue", "Continue").attr("disabled", "").part(Part::Continue))
        .children(lesson_button)
}

fn stepping() -> Element {
    el_class("div", "stepping")
        .attr("hidden", "")
        .part(Part::Stepping)
        .child(
            el_class("p", "last-step")
                .attr("aria-live", "polite")
                .part(Part::LastStep),
        )
        .child(el_class("p", "legend").text(
            "In the Rust code: shaded, the line that created the future just polled; a bar, the lines \
             that created the queued ones; a dotted box, the .awaits at which a pending one is \
             suspended: inside it, and where the run waits for it (a join! line stands for the \
             .await inside the macro).",
        ))
        .child(el("h4").text("Ready queue: polled in this order, one per step"))
        .child(
            el_class("ol", "queue")
                .attr("aria-label", "futures waiting for their poll")
                .part(Part::Queue)
                .opaque(),
        )
}

fn stage(lesson: &Lesson) -> Element {
    // The dot has the track to itself; the count sits beside it, where the
    // dot never passes over it.
    let ticker = el_class("div", "ticker-row")
        .attr("aria-hidden", "true")
        .child(el_class("div", "ticker").child(el_class("span", "dot").part(Part::TickerDot)))
        .child(
            el_class("span", "frames")
                .text("frames: 0")
                .part(Part::TickerCount),
        );
    let log = el_class("ol", "log")
        .attr("aria-label", "what the lesson printed")
        .part(Part::Log)
        .opaque();
    let transcript = lesson.has_twin().then(|| {
        el_class("details", "transcript")
            .part(Part::Transcript)
            .child(el("summary").text("The run, line by line, as its Python twin prints it"))
            .child(
                el("pre").attr("tabindex", "0").child(
                    el("code")
                        .text("(after a run)")
                        .part(Part::TranscriptCode)
                        .opaque(),
                ),
            )
            .into()
    });
    el_class("div", "stage")
        .child(ticker)
        .child(log)
        .children(transcript)
}

fn replay_tools() -> Element {
    let speeds = SPEEDS.iter().map(|&(label, factor)| {
        let option = el("option").attr("value", factor);
        let option = if factor == DEFAULT_SPEED {
            option.attr("selected", "")
        } else {
            option
        };
        option.text(label).into()
    });
    el_class("div", "replay")
        .child(button("replay", "Replay").part(Part::Replay))
        .child(
            el("label")
                .child(el("span").text("speed"))
                .child(el_class("select", "speed").children(speeds).part(Part::Speed)),
        )
        .child(
            el_class("label", "scrub").child(el("span").text("time")).child(
                el_class("input", "scrubber")
                    .attr("type", "range")
                    .attr("min", "0")
                    .attr("max", "0")
                    .attr("step", "any")
                    .attr("value", "0")
                    .part(Part::Scrubber),
            ),
        )
        .child(
            button("export", "Download trace")
                .attr(
                    "title",
                    "Chrome Trace Event JSON: opens in Perfetto and chrome://tracing",
                )
                .part(Part::Export),
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::ALL;
    use std::collections::BTreeMap;

    fn params() -> Params {
        Params::new(BTreeMap::new(), "http://page.test/", "http://module.test/")
    }

    #[test]
    fn the_idea_leads_with_two_sentences_and_keeps_the_rest_behind_more() {
        let (lead, rest) = lead_and_rest("One e.g. two. Two? Three (3.5 s). 4 more.\n\nNext.");
        assert_eq!(lead, "One e.g. two. Two?");
        assert_eq!(rest, vec!["Three (3.5 s). 4 more.", "Next."]);
        assert_eq!(lead_and_rest("Just one."), ("Just one.", vec![]));
        assert_eq!(lead_and_rest("A. B.\n\nC."), ("A. B.", vec!["C."]));
        // Every lesson: a lead of one or two sentences, and nothing lost.
        for lesson in ALL {
            let (lead, rest) = lead_and_rest(lesson.idea);
            assert!(
                lead.len() <= 400,
                "{}: a lead of {} bytes",
                lesson.name,
                lead.len()
            );
            let mut whole = lead.to_string();
            for (i, p) in rest.iter().enumerate() {
                whole.push_str(if i == 0 && !lesson.idea.starts_with(&format!("{lead}\n\n")) {
                    " "
                } else {
                    "\n\n"
                });
                whole.push_str(p);
            }
            assert_eq!(whole, lesson.idea, "{}", lesson.name);
        }
    }

    /// The bridge pane shows `jsAwaitsRust` as async-demo.js defines it.
    #[test]
    fn the_bridge_pane_shows_the_javascript_that_runs() {
        let js = include_str!("../../www/async-demo.js");
        assert!(
            js.contains(BRIDGE_JS),
            "www/async-demo.js's jsAwaitsRust drifted from markup::widget::BRIDGE_JS"
        );
    }

    /// Every part the view needs is in every lesson's markup, once (the
    /// indexed ones once per parameter or preset).
    #[test]
    fn every_lesson_has_each_part_once() {
        fn parts(nodes: &[Node], out: &mut Vec<Part>) {
            for node in nodes {
                if let Node::Element(e) = node {
                    out.extend(e.part);
                    parts(&e.children, out);
                }
            }
        }
        for lesson in ALL {
            let python = crate::lessons::twin_text(lesson, &params());
            let setting = Setting {
                stylesheet: "x.css",
                python: &python,
                prerendered: false,
                generated: None,
            };
            let mut found = Vec::new();
            parts(&widget(lesson, &params(), setting), &mut found);
            let once = [
                Part::Frame,
                Part::Badge,
                Part::Code,
                Part::Rust,
                Part::Notes,
                Part::Run,
                Part::Cancel,
                Part::Step,
                Part::Continue,
                Part::Stepping,
                Part::LastStep,
                Part::Queue,
                Part::TickerDot,
                Part::TickerCount,
                Part::Log,
                Part::ErrorLine,
                Part::Live,
                Part::Replay,
                Part::Speed,
                Part::Scrubber,
                Part::Export,
                Part::Detail,
                Part::Results,
            ];
            for part in once {
                assert_eq!(
                    found.iter().filter(|&&p| p == part).count(),
                    1,
                    "{}: {part:?}",
                    lesson.name
                );
            }
            for (i, param) in lesson.params.iter().enumerate() {
                let field = !matches!(param.kind, crate::lessons::ParamKind::Program);
                assert_eq!(
                    found.contains(&Part::Input(i)),
                    field,
                    "{}: input {i}",
                    lesson.name
                );
            }
            for i in 0..preset_labels(lesson).len() {
                assert!(found.contains(&Part::Preset(i)), "{}: preset {i}", lesson.name);
            }
            let sandbox = lesson.is_program();
            assert_eq!(
                found.contains(&Part::Python),
                lesson.has_twin() || sandbox,
                "{}",
                lesson.name
            );
            assert_eq!(
                found.contains(&Part::Prediction),
                lesson.predict.is_some() || sandbox,
                "{}",
                lesson.name
            );
            for part in [Part::Editor, Part::Diagnostics, Part::JavaScript] {
                assert_eq!(found.contains(&part), sandbox, "{}: {part:?}", lesson.name);
            }
            for part in [Part::Question, Part::Predict] {
                assert_eq!(
                    found.contains(&part),
                    found.contains(&Part::Prediction),
                    "{}: {part:?}",
                    lesson.name
                );
            }
            assert_eq!(
                found.contains(&Part::LessonButton),
                lesson.button.is_some(),
                "{}",
                lesson.name
            );
        }
    }

    #[test]
    fn attribute_text_in_the_form_and_the_twin_is_escaped() {
        let lesson = crate::lessons::find("gather").expect("gather");
        let hostile = "http://x.test/<script>alert(1)</script>\"&";
        let values = [("urls".to_string(), hostile.to_string())].into_iter().collect();
        let params = Params::new(values, "http://page.test/", "http://module.test/");
        let python = crate::lessons::twin_text(lesson, &params);
        let html = super::super::to_html(&widget(
            lesson,
            &params,
            Setting {
                stylesheet: "x.css",
                python: &python,
                prerendered: true,
                generated: None,
            },
        ));
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("value=\"http://x.test/&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;\""));
        assert!(html.contains("data-prerendered=\"gather\""));
    }
}
