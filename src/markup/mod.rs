//! The widget's markup as data: a small tree of elements and text that the
//! same Rust renders two ways. Natively (and in Node, through the wasm) it is
//! written out as HTML, which is how `async-demo-prerender` puts a widget
//! into a page before any wasm; in the browser the view inserts the same
//! HTML once (a `<template>`, cloned) and then adopts it, element by element,
//! exactly as it adopts a pre-rendered widget ([`Part`] marks the elements
//! the view keeps). Nothing here touches the DOM.
//!
//! Text and attribute values are escaped as they are written: whatever the
//! network or an attribute holds reaches the page as text, never as markup.

mod code;
pub mod highlight;
pub mod recording;
pub mod widget;

use std::borrow::Cow;
use std::fmt::Write as _;

pub use highlight::Lang;

/// An element the view keeps a handle on, found where the markup put it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The section that holds the whole widget.
    Frame,
    /// The state badge in the header.
    Badge,
    /// The code panes' container.
    Code,
    /// The Python twin's `<code>`.
    Python,
    /// The Rust code's `<code>`; its children are the lines.
    Rust,
    /// The input of the lesson's parameter with this index.
    Input(usize),
    /// The text beside the slider of the parameter with this index.
    Output(usize),
    /// The notes on attributes.
    Notes,
    /// The prediction's input.
    Prediction,
    /// Where the run answers the prediction.
    Verdict,
    /// The button of the preset with this index.
    Preset(usize),
    /// Run.
    Run,
    /// Cancel.
    Cancel,
    /// Step.
    Step,
    /// Continue.
    Continue,
    /// The lesson's own button.
    LessonButton,
    /// The stepping panel.
    Stepping,
    /// The last step's sentence.
    LastStep,
    /// The ready queue.
    Queue,
    /// The ticker's dot.
    TickerDot,
    /// The ticker's frame count.
    TickerCount,
    /// The lesson's printed lines.
    Log,
    /// The transcript's `<details>`.
    Transcript,
    /// The transcript's `<code>`.
    TranscriptCode,
    /// The error line.
    ErrorLine,
    /// The live region that announces the run's end.
    Live,
    /// Replay.
    Replay,
    /// The replay speed.
    Speed,
    /// The replay scrubber.
    Scrubber,
    /// Download trace.
    Export,
    /// The timeline's detail line.
    Detail,
    /// The results area.
    Results,
    /// The sandbox's editor (a `<textarea>`).
    Editor,
    /// What the sandbox's checker says of the program (opaque).
    Diagnostics,
    /// The generated JavaScript's `<code>` (opaque).
    JavaScript,
    /// The question asked before Run (the sandbox's changes with the example).
    Question,
    /// The block that holds the question (hidden when there is none).
    Predict,
}

/// A node of the tree: an element or text.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// An element.
    Element(Element),
    /// Text (escaped when written).
    Text(Cow<'static, str>),
}

/// An element: its tag, attributes in order, children, and whether the view
/// keeps it ([`Part`]) or only fills it (`opaque`: what is inside changes,
/// so adopting it does not look inside).
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// The tag name, lower case.
    pub tag: &'static str,
    /// The attributes, in the order they are written.
    pub attrs: Vec<(&'static str, Cow<'static, str>)>,
    /// The children.
    pub children: Vec<Node>,
    /// The view's handle on it, if it keeps one.
    pub part: Option<Part>,
    /// Whether its children are the view's to replace (not adopted one by one).
    pub opaque: bool,
}

/// `<tag>`.
pub fn el(tag: &'static str) -> Element {
    Element {
        tag,
        attrs: Vec::new(),
        children: Vec::new(),
        part: None,
        opaque: false,
    }
}

/// `<tag class="class">`.
pub fn el_class(tag: &'static str, class: &'static str) -> Element {
    el(tag).attr("class", class)
}

/// A text node.
pub fn text(text: impl Into<Cow<'static, str>>) -> Node {
    Node::Text(text.into())
}

impl Element {
    /// With attribute `name="value"` (a value of "" writes `name=""`).
    pub fn attr(mut self, name: &'static str, value: impl Into<Cow<'static, str>>) -> Self {
        self.attrs.push((name, value.into()));
        self
    }

    /// With `child` appended.
    pub fn child(mut self, child: impl Into<Node>) -> Self {
        self.children.push(child.into());
        self
    }

    /// With `children` appended.
    pub fn children(mut self, children: impl IntoIterator<Item = Node>) -> Self {
        self.children.extend(children);
        self
    }

    /// With text appended.
    pub fn text(self, content: impl Into<Cow<'static, str>>) -> Self {
        self.child(text(content))
    }

    /// Kept by the view as `part`.
    pub fn part(mut self, part: Part) -> Self {
        self.part = Some(part);
        self
    }

    /// Filled by the view: adopting it does not look inside.
    pub fn opaque(mut self) -> Self {
        self.opaque = true;
        self
    }

    /// The value of attribute `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_ref())
    }
}

impl From<Element> for Node {
    fn from(element: Element) -> Self {
        Node::Element(element)
    }
}

/// Elements with no end tag and no children.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr",
];

/// Elements whose first newline the parser drops: one more is written for it.
const LEADING_NEWLINE: &[&str] = &["pre", "textarea", "listing"];

/// `nodes` as HTML, appended to `out`.
pub fn write_html(out: &mut String, nodes: &[Node]) {
    for node in nodes {
        match node {
            Node::Text(content) => escape(out, content, false),
            Node::Element(element) => write_element(out, element),
        }
    }
}

/// `nodes` as HTML.
pub fn to_html(nodes: &[Node]) -> String {
    let mut out = String::new();
    write_html(&mut out, nodes);
    out
}

fn write_element(out: &mut String, element: &Element) {
    out.push('<');
    out.push_str(element.tag);
    for (name, value) in &element.attrs {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape(out, value, true);
        out.push('"');
    }
    out.push('>');
    if VOID.contains(&element.tag) {
        debug_assert!(
            element.children.is_empty(),
            "<{}> has no children: this is a bug",
            element.tag
        );
        return;
    }
    if LEADING_NEWLINE.contains(&element.tag) {
        if let Some(Node::Text(first)) = element.children.first() {
            if first.starts_with('\n') {
                out.push('\n');
            }
        }
    }
    write_html(out, &element.children);
    let _ = write!(out, "</{}>", element.tag);
}

/// `content` escaped for text (or, with `attribute`, for a double-quoted
/// attribute value): `&`, `<` and `>` always, `"` in attributes, a carriage
/// return as a reference (the parser would turn a literal one into a line
/// feed), and U+0000, which HTML cannot carry, as U+FFFD.
fn escape(out: &mut String, content: &str, attribute: bool) {
    let mut rest = content;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\r', '\0']) {
        out.push_str(&rest[..at]);
        let c = rest[at..].chars().next().unwrap_or('&');
        out.push_str(match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' if attribute => "&quot;",
            '"' => "\"",
            '\r' => "&#13;",
            _ => "\u{FFFD}",
        });
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped_so_nothing_becomes_markup() {
        let hostile = "</code><script>alert(\"x\")</script>&amp;<!-- \r\0 ]]>";
        let html = to_html(&[el("p")
            .attr("title", hostile)
            .attr("data-x", "\"onload=x")
            .text(hostile)
            .into()]);
        assert_eq!(
            html,
            "<p title=\"&lt;/code&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;&lt;!-- &#13;\u{FFFD} ]]&gt;\" \
             data-x=\"&quot;onload=x\">&lt;/code&gt;&lt;script&gt;alert(\"x\")&lt;/script&gt;&amp;amp;&lt;!-- &#13;\u{FFFD} ]]&gt;</p>"
        );
    }

    #[test]
    fn escaped_output_has_no_tag_and_no_bare_ampersand_for_any_input() {
        // Every character class the escaper treats, in many combinations.
        let alphabet = [
            '<', '>', '&', '"', '\'', '\r', '\n', '\0', 'a', '/', '!', '-', 'é', '𝄞', '=', ' ',
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let len = (seed % 24) as usize;
            let mut input = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                input.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            for attribute in [false, true] {
                let mut out = String::new();
                escape(&mut out, &input, attribute);
                assert!(
                    !out.contains('<') && !out.contains('>') && !out.contains('\0'),
                    "{input:?} → {out:?}"
                );
                assert!(!attribute || !out.contains('"'), "{input:?} → {out:?}");
                for (at, _) in out.match_indices('&') {
                    let entity = &out[at..];
                    assert!(
                        ["&amp;", "&lt;", "&gt;", "&quot;", "&#13;"]
                            .iter()
                            .any(|e| entity.starts_with(e)),
                        "{input:?} → {out:?}"
                    );
                }
                // And it reads back as the input (but for U+0000).
                let back = out
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&#13;", "\r")
                    .replace("&amp;", "&");
                assert_eq!(back, input.replace('\0', "\u{FFFD}"));
            }
        }
    }

    #[test]
    fn void_elements_have_no_end_tag_and_a_pre_keeps_its_leading_newline() {
        let html = to_html(&[
            el("input").attr("type", "number").attr("value", "5").into(),
            el("pre").text("\nfirst line").into(),
            el("textarea").text("x").into(),
        ]);
        assert_eq!(
            html,
            "<input type=\"number\" value=\"5\"><pre>\n\nfirst line</pre><textarea>x</textarea>"
        );
    }
}
