//! Building the widget's DOM: the frame and stylesheet, the idea, the code
//! panes, the parameter form, the controls, the stage, the replay tools.
//! Nothing here listens to events or draws results.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement, Node};

use super::super::dom;
use super::super::highlight::{self, Lang};
use super::super::results::Results;
use super::super::ticker::Ticker;
use crate::lessons::{Lesson, ParamKind, Params};

/// A preset's button and the attribute values it sets ("" removes one).
pub(super) type PresetButton = (Element, Vec<(&'static str, String)>);

/// Replay speeds: the label and the `<option>` value (a factor; the view
/// parses it back).
pub(super) const SPEEDS: [(&str, &str); 4] =
    [("0.1×", "0.1"), ("0.25×", "0.25"), ("0.5×", "0.5"), ("1×", "1")];

/// The elements the view keeps.
pub(super) struct Parts {
    pub run_button: Element,
    pub cancel_button: Element,
    pub step_button: Element,
    pub continue_button: Element,
    pub stepping: Element,
    pub last_step: Element,
    pub queue: Element,
    pub rust_lines: Vec<Element>,
    pub lesson_button: Option<Element>,
    pub inputs: Vec<(&'static str, HtmlInputElement)>,
    pub outputs: Vec<(&'static str, Element)>,
    pub notes: Element,
    pub prediction: Option<HtmlInputElement>,
    pub verdict: Option<Element>,
    pub presets: Vec<PresetButton>,
    pub python: Option<Element>,
    pub badge: Element,
    pub code: Element,
    pub live: Element,
    pub error_line: Element,
    pub log: Element,
    pub transcript: Option<(Element, Element)>,
    pub ticker: Ticker,
    pub detail: Element,
    pub replay_button: Element,
    pub speed: HtmlSelectElement,
    pub scrubber: HtmlInputElement,
    pub export_button: Element,
    pub results_area: Element,
    pub results: Results,
}

/// Builds the widget for `lesson` into `root`, whose old content goes.
pub(super) fn build(
    root: &Node,
    lesson: &Lesson,
    params: &Params,
    python: &str,
    stylesheet: &str,
) -> Result<Parts, JsValue> {
    let frame = frame(root, stylesheet)?;
    let header = dom::child(&frame, "header", "")?;
    dom::text_child(&header, "h3", "title", lesson.title)?;
    let badge = dom::text_child(&header, "span", "badge", "idle")?;
    let ideas = dom::child(&frame, "div", "idea")?;
    for paragraph in lesson.idea.split("\n\n") {
        dom::text_child(&ideas, "p", "", paragraph)?;
    }

    let code = dom::child(&frame, "div", "code")?;
    let python = if lesson.has_twin() {
        Some(code_pane(
            &code,
            "python",
            "Python (asyncio): the same program, runnable",
            Lang::Python,
            python,
        )?)
    } else {
        let figure = dom::child(&code, "figure", "python")?;
        dom::text_child(&figure, "figcaption", "", "Python")?;
        dom::text_child(&figure, "p", "no-twin", python)?;
        None
    };
    let rust = code_pane(
        &code,
        "rust",
        "Rust: the code that runs here",
        Lang::Rust,
        &lesson.rust_code(),
    )?;
    let rust_lines = lines_of(&rust)?;

    let form = dom::child(&frame, "div", "params")?;
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for param in lesson.params {
        let label = dom::child(&form, "label", "param")?;
        // The attribute's name beside its label: the book and embedders
        // speak of `delay-ms`, the field shows which one that is.
        let caption = dom::text_child(&label, "span", "", param.label)?;
        caption.append_with_str_1(" ")?;
        dom::text_child(&caption, "code", "attr", param.name)?;
        let input: HtmlInputElement = dom::cast(dom::child(&label, "input", "")?, "an input")?;
        input.set_name(param.name);
        match param.kind {
            ParamKind::Number { min, max } => {
                input.set_type("number");
                input.set_min(&min.to_string());
                input.set_max(&max.to_string());
                input.set_step("1");
            }
            ParamKind::Range { min, max } => {
                input.set_type("range");
                input.set_min(&min.to_string());
                input.set_max(&max.to_string());
                input.set_step("1");
                // The slider's value, as text beside it.
                outputs.push((param.name, dom::child(&label, "output", "value")?));
            }
            ParamKind::Urls => {
                input.set_type("text");
                input.set_spellcheck(false);
                label.set_class_name("param wide");
            }
        }
        inputs.push((param.name, input));
    }
    let notes = dom::child(&frame, "ul", "notes")?;
    let (prediction, verdict) = match &lesson.predict {
        Some(predict) => {
            let block = dom::child(&frame, "div", "predict")?;
            let label = dom::child(&block, "label", "")?;
            dom::text_child(
                &label,
                "span",
                "",
                &format!("Predict, then run: {} ({})", predict.question, predict.unit),
            )?;
            let input: HtmlInputElement = dom::cast(dom::child(&label, "input", "")?, "an input")?;
            input.set_type("number");
            input.set_name("prediction");
            input.set_min("0");
            input.set_step("any");
            let verdict = dom::child(&block, "p", "verdict")?;
            verdict.set_attribute("aria-live", "polite")?;
            (Some(input), Some(verdict))
        }
        None => (None, None),
    };
    let mut presets = Vec::new();
    if !lesson.presets.is_empty() {
        let row = dom::child(&frame, "div", "presets")?;
        dom::text_child(&row, "span", "", "Try:")?;
        for preset in lesson.presets {
            let button = dom::text_child(&row, "button", "preset", preset.label)?;
            button.set_attribute("type", "button")?;
            // URLs as the lesson's defaults are: relative to the widget's
            // module, so a preset works on any page.
            let values = preset
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
                .collect();
            presets.push((button, values));
        }
    }

    let controls = dom::child(&frame, "div", "controls")?;
    let run_button = dom::text_child(&controls, "button", "run", "Run")?;
    run_button.set_attribute("type", "button")?;
    let cancel_button = dom::text_child(&controls, "button", "cancel", "Cancel")?;
    cancel_button.set_attribute("type", "button")?;
    cancel_button.set_attribute("disabled", "")?;
    let step_button = dom::text_child(&controls, "button", "step", "Step")?;
    step_button.set_attribute("type", "button")?;
    step_button.set_attribute(
        "title",
        "Run the lesson one poll at a time: the first press starts it paused, each next press polls one future",
    )?;
    let continue_button = dom::text_child(&controls, "button", "continue", "Continue")?;
    continue_button.set_attribute("type", "button")?;
    continue_button.set_attribute("disabled", "")?;
    let lesson_button = match lesson.button {
        Some(label) => {
            let button = dom::text_child(&controls, "button", "lesson-button", label)?;
            button.set_attribute("type", "button")?;
            button.set_attribute("disabled", "")?;
            Some(button)
        }
        None => None,
    };

    let stepping = dom::child(&frame, "div", "stepping")?;
    stepping.set_attribute("hidden", "")?;
    let last_step = dom::child(&stepping, "p", "last-step")?;
    last_step.set_attribute("aria-live", "polite")?;
    dom::text_child(
        &stepping,
        "p",
        "legend",
        "In the Rust code: shaded, the line that created the future just polled; a bar, the lines \
         that created the queued ones; a dotted box, the .awaits at which a pending one is \
         suspended: inside it, and where the run waits for it (a join! line stands for the \
         .await inside the macro).",
    )?;
    dom::text_child(
        &stepping,
        "h4",
        "",
        "Ready queue: polled in this order, one per step",
    )?;
    let queue = dom::child(&stepping, "ol", "queue")?;
    queue.set_attribute("aria-label", "futures waiting for their poll")?;

    let stage = dom::child(&frame, "div", "stage")?;
    let ticker = Ticker::new(&stage)?;
    let log = dom::child(&stage, "ol", "log")?;
    log.set_attribute("aria-label", "what the lesson printed")?;
    let transcript = match lesson.has_twin() {
        true => {
            let details = dom::child(&stage, "details", "transcript")?;
            dom::text_child(
                &details,
                "summary",
                "",
                "The run, line by line, as its Python twin prints it",
            )?;
            let pre = dom::child(&details, "pre", "")?;
            pre.set_attribute("tabindex", "0")?;
            Some((
                details.clone(),
                dom::text_child(&pre, "code", "", "(after a run)")?,
            ))
        }
        false => None,
    };

    let error_line = dom::child(&frame, "p", "error")?;
    error_line.set_attribute("role", "alert")?;
    error_line.set_attribute("hidden", "")?;
    let live = dom::child(&frame, "p", "live")?;
    live.set_attribute("aria-live", "polite")?;

    let tools = dom::child(&frame, "div", "replay")?;
    let replay_button = dom::text_child(&tools, "button", "replay", "Replay")?;
    replay_button.set_attribute("type", "button")?;
    let speed_label = dom::child(&tools, "label", "")?;
    dom::text_child(&speed_label, "span", "", "speed")?;
    let speed: HtmlSelectElement = dom::cast(dom::child(&speed_label, "select", "speed")?, "a select")?;
    for (label, factor) in SPEEDS {
        let option = dom::text_child(&speed, "option", "", label)?;
        option.set_attribute("value", factor)?;
    }
    speed.set_value("0.25");
    let scrub_label = dom::child(&tools, "label", "scrub")?;
    dom::text_child(&scrub_label, "span", "", "time")?;
    let scrubber: HtmlInputElement = dom::cast(dom::child(&scrub_label, "input", "scrubber")?, "an input")?;
    scrubber.set_type("range");
    scrubber.set_min("0");
    scrubber.set_max("0");
    scrubber.set_step("any");
    let export_button = dom::text_child(&tools, "button", "export", "Download trace")?;
    export_button.set_attribute("type", "button")?;
    export_button.set_attribute(
        "title",
        "Chrome Trace Event JSON: opens in Perfetto and chrome://tracing",
    )?;
    let detail = dom::text_child(
        &frame,
        "p",
        "detail",
        "Hover or focus the timeline to see each poll and wake.",
    )?;
    detail.set_attribute("aria-live", "polite")?;
    let results_area = dom::child(&frame, "div", "results")?;
    let results = Results::new(results_area.clone());
    Ok(Parts {
        run_button,
        cancel_button,
        step_button,
        continue_button,
        stepping,
        last_step,
        queue,
        rust_lines,
        lesson_button,
        inputs,
        outputs,
        notes,
        prediction,
        verdict,
        presets,
        python,
        badge,
        code,
        live,
        error_line,
        log,
        transcript,
        ticker,
        detail,
        replay_button,
        speed,
        scrubber,
        export_button,
        results_area,
        results,
    })
}

/// The stylesheet link and the outer frame. A link to `stylesheet` already
/// first in `root` (the element's placeholder put it there) is kept: it has
/// loaded, so the widget never shows unstyled.
fn frame(root: &Node, stylesheet: &str) -> Result<Element, JsValue> {
    let doc = dom::document()?;
    let first = root.first_child().and_then(|n| n.dyn_into::<Element>().ok());
    // The placeholder's link, or a pre-rendered widget's (whose `href` is
    // relative: its resolved URL is compared): kept, so the stylesheet stays
    // applied while the rest is rebuilt and nothing flashes unstyled.
    let kept = first.filter(|e| {
        let href = js_sys::Reflect::get(e, &"href".into())
            .ok()
            .and_then(|h| h.as_string());
        e.tag_name().eq_ignore_ascii_case("link") && href.as_deref() == Some(stylesheet)
    });
    match kept {
        Some(link) => {
            while let Some(next) = link.next_sibling() {
                root.remove_child(&next)?;
            }
        }
        None => {
            root.set_text_content(None);
            let link = doc.create_element("link")?;
            link.set_attribute("rel", "stylesheet")?;
            link.set_attribute("href", stylesheet)?;
            root.append_child(&link)?;
        }
    }
    let frame = doc.create_element("section")?;
    frame.set_class_name("demo");
    frame.set_attribute("part", "demo")?;
    root.append_child(&frame)?;
    Ok(frame)
}

/// A captioned code pane; returns its `<code>`.
pub(super) fn code_pane(
    parent: &Element,
    class: &str,
    caption: &str,
    lang: Lang,
    code: &str,
) -> Result<Element, JsValue> {
    let figure = dom::child(parent, "figure", class)?;
    dom::text_child(&figure, "figcaption", "", caption)?;
    let pre = dom::child(&figure, "pre", "")?;
    pre.set_attribute("tabindex", "0")?;
    let target = dom::child(&pre, "code", "")?;
    fill_code(&target, lang, code)?;
    Ok(target)
}

/// The `.line` blocks of a code pane's `<code>`, in order.
fn lines_of(code: &Element) -> Result<Vec<Element>, JsValue> {
    let mut lines = Vec::new();
    let mut next = code.first_element_child();
    while let Some(line) = next {
        next = line.next_element_sibling();
        lines.push(line);
    }
    Ok(lines)
}

/// Puts `code` into `target`, a block per line (numbered by the stylesheet)
/// and a span per coloured token: text nodes only, never markup.
pub(super) fn fill_code(target: &Element, lang: Lang, code: &str) -> Result<(), JsValue> {
    dom::clear(target);
    for text in code.lines() {
        let line = dom::child(target, "span", "line")?;
        for (class, piece) in highlight::line(lang, text) {
            match class.css() {
                Some(css) => drop(dom::text_child(&line, "span", css, piece)?),
                None => line.append_with_str_1(piece)?,
            }
        }
    }
    Ok(())
}
