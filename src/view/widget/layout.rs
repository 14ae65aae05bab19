//! The widget's DOM: the markup of [`crate::markup::widget`], adopted. A
//! widget pre-rendered into the page for this lesson is adopted as it stands
//! (with what the reader typed, opened, scrolled or focused in it before the
//! wasm came); any other gets the same markup inserted first, from one
//! `<template>`. Either way the view then holds the elements the markup
//! marks ([`Part`]). Nothing here listens to events or draws results.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTemplateElement, HtmlTextAreaElement, Node,
};

use super::super::dom;
use super::super::results::Results;
use super::super::ticker::Ticker;
use crate::lessons::{Lesson, Params};
use crate::markup::{self, widget::Setting, Part};

/// A preset's button and the attribute values it sets ("" removes one).
pub(super) type PresetButton = (Element, Vec<(&'static str, String)>);

/// The sandbox's parts.
pub(super) struct Sandbox {
    /// The editor: what the reader types into.
    pub editor: HtmlTextAreaElement,
    /// The highlighted program under it (its lines are lit while stepping).
    pub code: Element,
    /// What the checker says.
    pub diagnostics: Element,
    /// The JavaScript twin's `<code>`.
    pub javascript: Element,
    /// The program shown now.
    pub shown: std::cell::RefCell<String>,
}

/// The elements the view keeps.
pub(super) struct Parts {
    pub sandbox: Option<Sandbox>,
    pub question: Option<(Element, Element)>,
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

/// The widget for `lesson` in `root` (the host's shadow root), showing
/// `params`: a pre-rendered one adopted, or the markup inserted and adopted.
/// `host` gets, as attributes, the values the reader typed into a
/// pre-rendered widget's fields before the wasm came (as typing would have
/// written them).
pub(super) fn build(
    host: &HtmlElement,
    root: &Node,
    lesson: &'static Lesson,
    params: &Params,
    python: &str,
    stylesheet: &str,
) -> Result<Parts, JsValue> {
    let generated = lesson.is_program().then(|| {
        crate::sandbox::generate_shown(&params.text(&crate::lessons::PROGRAM), params.module_base())
    });
    let setting = Setting {
        stylesheet,
        python,
        prerendered: false,
        generated: generated.as_ref(),
    };
    let tree = markup::widget::widget(lesson, params, setting);
    let [_, markup::Node::Element(section)] = tree.as_slice() else {
        return Err(JsValue::from_str(
            "the widget's markup is a link and a section: this is a bug",
        ));
    };
    let parts = match prerendered(root, lesson) {
        Some(found) => match adopt(&found, section) {
            Ok(parts) => {
                let _ = found.remove_attribute("data-prerendered");
                keep_typed(host, lesson, &parts);
                Some(parts)
            }
            Err(mismatch) => {
                dom::warn_once(
                    "a pre-rendered widget did not match its lesson's markup",
                    &mismatch.into(),
                );
                None
            }
        },
        None => None,
    };
    let parts = match parts {
        Some(parts) => parts,
        None => adopt(&insert(root, &tree, stylesheet)?, section).map_err(JsValue::from)?,
    };
    collect(lesson, params, parts)
}

/// The section `async-demo-prerender` wrote for `lesson`, if `root` holds one.
fn prerendered(root: &Node, lesson: &Lesson) -> Option<Element> {
    let root: &web_sys::ShadowRoot = root.dyn_ref()?;
    let section = root.query_selector("section.demo[data-prerendered]").ok()??;
    (section.get_attribute("data-prerendered").as_deref() == Some(lesson.name)).then_some(section)
}

/// Puts `tree` (the stylesheet link and the section) into `root`, whose old
/// content goes; returns the section. A link to `stylesheet` already first
/// in `root` (the element's placeholder put it there) is kept: it has
/// loaded, so the widget never shows unstyled.
fn insert(root: &Node, tree: &[markup::Node], stylesheet: &str) -> Result<Element, JsValue> {
    let first = root.first_child().and_then(|n| n.dyn_into::<Element>().ok());
    // A placeholder's link, or a pre-rendered widget's (whose `href` is
    // relative: its resolved URL is compared).
    let kept = first.filter(|e| {
        let href = js_sys::Reflect::get(e, &"href".into())
            .ok()
            .and_then(|h| h.as_string());
        e.tag_name().eq_ignore_ascii_case("link") && href.as_deref() == Some(stylesheet)
    });
    let nodes = match &kept {
        Some(link) => {
            while let Some(next) = link.next_sibling() {
                root.remove_child(&next)?;
            }
            &tree[1..]
        }
        None => {
            root.set_text_content(None);
            tree
        }
    };
    let section = fragment(nodes)?;
    root.append_child(&section)?;
    root.last_child()
        .and_then(|n| n.dyn_into::<Element>().ok())
        .ok_or_else(|| JsValue::from_str("the widget's section did not arrive"))
}

/// `nodes` parsed from their HTML by a `<template>`: a fragment to insert.
/// (The HTML is [`markup`]'s: every text in it escaped.)
pub(super) fn fragment(nodes: &[markup::Node]) -> Result<web_sys::DocumentFragment, JsValue> {
    let template: HtmlTemplateElement =
        dom::cast(dom::document()?.create_element("template")?, "a template")?;
    template.set_inner_html(&markup::to_html(nodes));
    Ok(template.content())
}

/// Replaces what `target` holds with `nodes`.
pub(super) fn replace(target: &Element, nodes: &[markup::Node]) -> Result<(), JsValue> {
    target.set_text_content(None);
    let nodes = fragment(nodes)?;
    target.append_child(&nodes).map(drop)
}

/// The elements `section` marks as parts, found in `dom` where the markup
/// puts them. A different element anywhere is a mismatch, said as a sentence.
fn adopt(dom: &Element, section: &markup::Element) -> Result<Vec<(Part, Element)>, String> {
    let mut parts = Vec::new();
    walk(dom, section, &mut parts)?;
    Ok(parts)
}

fn walk(dom: &Element, tree: &markup::Element, parts: &mut Vec<(Part, Element)>) -> Result<(), String> {
    if !dom.local_name().eq_ignore_ascii_case(tree.tag) {
        return Err(format!(
            "found <{}> where the markup has <{}>",
            dom.local_name(),
            tree.tag
        ));
    }
    if let Some(part) = tree.part {
        parts.push((part, dom.clone()));
    }
    if tree.opaque {
        return Ok(());
    }
    let mut next = dom.first_element_child();
    for child in &tree.children {
        let markup::Node::Element(child) = child else {
            continue;
        };
        let Some(found) = next else {
            return Err(format!("<{}> ends before its <{}>", tree.tag, child.tag));
        };
        walk(&found, child, parts)?;
        next = found.next_element_sibling();
    }
    match next {
        Some(extra) => Err(format!("<{}> holds an extra <{}>", tree.tag, extra.local_name())),
        None => Ok(()),
    }
}

/// A field of a pre-rendered widget that the reader changed before the wasm
/// came: its value becomes the host's attribute, as typing writes it.
fn keep_typed(host: &HtmlElement, lesson: &Lesson, parts: &[(Part, Element)]) {
    for (part, element) in parts {
        let (Part::Input(i), Some(input)) = (part, element.dyn_ref::<HtmlInputElement>()) else {
            continue;
        };
        if input.value() != input.default_value() {
            if let Some(param) = lesson.params.get(*i) {
                if let Err(e) = host.set_attribute(param.name, &input.value()) {
                    dom::warn_once("a value typed before the wasm came could not be kept", &e);
                }
            }
        }
    }
}

fn collect(lesson: &'static Lesson, params: &Params, found: Vec<(Part, Element)>) -> Result<Parts, JsValue> {
    let one = |wanted: Part| -> Option<Element> {
        found
            .iter()
            .find(|(part, _)| *part == wanted)
            .map(|(_, e)| e.clone())
    };
    let need = |wanted: Part| -> Result<Element, JsValue> {
        one(wanted).ok_or_else(|| {
            JsValue::from_str(&format!("the widget's markup has no {wanted:?}: this is a bug"))
        })
    };
    let rust = need(Part::Rust)?;
    let mut rust_lines = Vec::new();
    let mut line = rust.first_element_child();
    while let Some(next) = line {
        line = next.next_element_sibling();
        rust_lines.push(next);
    }
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for (i, param) in lesson.params.iter().enumerate() {
        if matches!(param.kind, crate::lessons::ParamKind::Program) {
            continue; // the sandbox's editor
        }
        inputs.push((param.name, dom::cast(need(Part::Input(i))?, "an input")?));
        if let Some(output) = one(Part::Output(i)) {
            outputs.push((param.name, output));
        }
    }
    let presets = (0..markup::widget::preset_labels(lesson).len())
        .map(|i| {
            Ok((
                need(Part::Preset(i))?,
                markup::widget::preset_values(lesson, i, params),
            ))
        })
        .collect::<Result<Vec<_>, JsValue>>()?;
    let transcript = match (one(Part::Transcript), one(Part::TranscriptCode)) {
        (Some(details), Some(code)) => Some((details, code)),
        _ => None,
    };
    let results_area = need(Part::Results)?;
    let sandbox = match (one(Part::Editor), one(Part::Diagnostics), one(Part::JavaScript)) {
        (Some(editor), Some(diagnostics), Some(javascript)) => Some(Sandbox {
            editor: dom::cast(editor, "a textarea")?,
            code: rust.clone(),
            diagnostics,
            javascript,
            shown: std::cell::RefCell::new(params.text(&crate::lessons::PROGRAM)),
        }),
        _ => None,
    };
    let question = match (one(Part::Question), one(Part::Predict)) {
        (Some(question), Some(block)) => Some((question, block)),
        _ => None,
    };
    Ok(Parts {
        sandbox,
        question,
        run_button: need(Part::Run)?,
        cancel_button: need(Part::Cancel)?,
        step_button: need(Part::Step)?,
        continue_button: need(Part::Continue)?,
        stepping: need(Part::Stepping)?,
        last_step: need(Part::LastStep)?,
        queue: need(Part::Queue)?,
        rust_lines,
        lesson_button: one(Part::LessonButton),
        inputs,
        outputs,
        notes: need(Part::Notes)?,
        prediction: one(Part::Prediction)
            .map(|e| dom::cast(e, "an input"))
            .transpose()?,
        verdict: one(Part::Verdict),
        presets,
        python: one(Part::Python),
        badge: need(Part::Badge)?,
        live: need(Part::Live)?,
        error_line: need(Part::ErrorLine)?,
        log: need(Part::Log)?,
        transcript,
        ticker: Ticker::new(need(Part::TickerDot)?, need(Part::TickerCount)?),
        detail: need(Part::Detail)?,
        replay_button: need(Part::Replay)?,
        speed: dom::cast(need(Part::Speed)?, "a select")?,
        scrubber: dom::cast(need(Part::Scrubber)?, "an input")?,
        export_button: need(Part::Export)?,
        results: Results::new(results_area.clone()),
        results_area,
    })
}

/// Puts `code` into `target` as the code panes show it: a block per line
/// and a span per coloured token, text only, never markup.
pub(super) fn fill_code(target: &Element, lang: markup::Lang, code: &str) -> Result<(), JsValue> {
    replace(target, &markup::widget::code_lines(lang, code))
}

/// Puts a lesson's Python `twin` into `target`, as [`fill_code`] does, with
/// its recording marked (see [`markup::recording`]).
pub(super) fn fill_twin(target: &Element, twin: &str) -> Result<(), JsValue> {
    replace(target, &markup::widget::twin_lines(twin))
}

/// Puts `program` under the sandbox's editor, as tall as the editor's text.
pub(super) fn fill_editor(target: &Element, program: &str) -> Result<(), JsValue> {
    replace(target, &markup::widget::editor_lines(program))
}
