//! A lesson's Python twin with the widget's parameters in it.
//!
//! Each twin is a complete asyncio program: the lesson's own code, kept
//! beside it (`src/lessons/<lesson>.py`), with the helpers that print its
//! runs (`twin/report.py`, one file for every twin) and the start of the
//! program (`twin/run.py`) joined to it at compile time by `twin!`. The
//! constants a widget attribute sets are marked by a comment at the end of
//! their line:
//!
//! ```python
//! DELAY_MS = 800  # param: delay-ms
//! URLS = ["http://127.0.0.1:8080/async-demo-api/delay/700"]  # param: urls
//! FLAKY_URL = "http://127.0.0.1:8080/async-demo-api/flaky"  # url: async-demo-api/flaky
//! ```
//!
//! [`render`] replaces each marked value with the one the Rust run uses: a
//! number as an integer, URLs as a Python list of the resolved absolute URLs,
//! and a `url:` marker (a lesson's own endpoint) resolved like the lesson's
//! default URLs. The files hold the lessons' defaults against the dev server
//! at `http://127.0.0.1:8080/`, so each one runs as it is.

use std::fmt::Write as _;

use wasm_bindgen::prelude::*;

use super::{Lesson, ParamKind, Params};
use crate::error::Error;

/// What a marked line sets.
#[derive(Debug, PartialEq)]
enum Marker<'a> {
    /// `# param: <attribute>`: the value of one of the lesson's parameters.
    Param(&'a str),
    /// `# url: <path>`: `path` resolved against the lessons' default base.
    Url(&'a str),
}

/// A marked line, split: `<name> = <value>  # <comment>`.
#[derive(Debug)]
struct Marked<'a> {
    name: &'a str,
    comment: &'a str,
    marker: Marker<'a>,
}

/// The marker of `line`, if it is a marked constant (at the start of the
/// line, an upper-case name).
fn marked(line: &str) -> Option<Marked<'_>> {
    let (assignment, comment) = line.rsplit_once("  # ")?;
    let (name, _value) = assignment.split_once(" = ")?;
    let constant = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !constant {
        return None;
    }
    let marker = if let Some(attribute) = comment.strip_prefix("param: ") {
        Marker::Param(attribute.trim())
    } else if let Some(path) = comment.strip_prefix("url: ") {
        Marker::Url(path.trim())
    } else {
        return None;
    };
    Some(Marked {
        name,
        comment,
        marker,
    })
}

/// A parameter's value longer than this is not written into the shown twin.
const SHOWN_VALUE_MAX_CHARS: usize = 4_000;

/// The twin of `lesson` with each marked constant set to its value in
/// `params`. A lesson without a twin (its `python` is prose, as for
/// `bridge`) comes back unchanged.
///
/// # Errors
/// [`Error::Param`] for a parameter the lesson would refuse too (the same
/// sentence as its run gives); [`Error::Js`] for a marker that names no
/// parameter of the lesson, which the unit tests rule out.
pub fn render(lesson: &Lesson, params: &Params) -> Result<String, Error> {
    let mut out = String::with_capacity(lesson.python.len() + 256);
    for line in lesson.python.split_inclusive('\n') {
        let (text, newline) = match line.strip_suffix('\n') {
            Some(text) => (text, "\n"),
            None => (line, ""),
        };
        let Some(m) = marked(text) else {
            out.push_str(line);
            continue;
        };
        let value = match m.marker {
            Marker::Param(attribute) => {
                let param = lesson
                    .params
                    .iter()
                    .find(|p| p.name == attribute)
                    .ok_or_else(|| {
                        Error::Setup(format!(
                            "The Python twin of {} sets {} from “{attribute}”, which is not one of the lesson's parameters.",
                            lesson.name, m.name
                        ))
                    })?;
                match param.kind {
                    ParamKind::Number { .. } | ParamKind::Range { .. } => params.number(param)?.to_string(),
                    ParamKind::Program => python_str(&params.text(param)),
                    ParamKind::Urls => {
                        let urls = params.urls(param)?;
                        match urls.as_slice() {
                            // The same URL n times, as n items would hardly fit a line.
                            [first, rest @ ..] if !rest.is_empty() && rest.iter().all(|u| u == first) => {
                                format!("[{}] * {}", python_str(first), urls.len())
                            }
                            _ => {
                                let quoted: Vec<String> = urls.iter().map(|u| python_str(u)).collect();
                                format!("[{}]", quoted.join(", "))
                            }
                        }
                    }
                }
            }
            Marker::Url(path) => python_str(&params.resolve_default(path)),
        };
        // A value too long to read (a megabyte data: URL) is not shown whole:
        // the pane would hold it in one span and the page would stall.
        let value = match value.chars().count() {
            n if n > SHOWN_VALUE_MAX_CHARS => {
                format!("None  # {n} characters: too long to show here; set it yourself")
            }
            _ => value,
        };
        let _ = write!(out, "{} = {value}  # {}{newline}", m.name, m.comment);
    }
    Ok(out)
}

/// `text` as a double-quoted Python string literal on one line: quotes and
/// backslashes escaped, everything outside printable ASCII as `\x`, `\u`
/// or `\U` escapes, so no value can end the literal or the line early.
pub fn python_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        let _ = match c {
            '\\' => out.write_str("\\\\"),
            '"' => out.write_str("\\\""),
            '\n' => out.write_str("\\n"),
            '\r' => out.write_str("\\r"),
            '\t' => out.write_str("\\t"),
            ' '..='~' => out.write_char(c),
            c if u32::from(c) <= 0xff => write!(out, "\\x{:02x}", u32::from(c)),
            c if u32::from(c) <= 0xffff => write!(out, "\\u{:04x}", u32::from(c)),
            c => write!(out, "\\U{:08x}", u32::from(c)),
        };
    }
    out.push('"');
    out
}

/// The Python twin of lesson `lesson` with `params` in it, the widget's
/// attributes as for `runLesson` (relative URLs against the page, the
/// lesson's defaults against `async-demo.js`'s folder). For a lesson without
/// a twin, the sentence that says why.
///
/// ```js
/// const source = twinSource("gather", { urls: "async-demo-api/delay/200 async-demo-api/delay/300" });
/// ```
///
/// # Errors
/// A sentence for an unknown lesson or unusable parameters, as `runLesson`
/// gives.
#[wasm_bindgen(js_name = twinSource)]
pub fn twin_source(
    lesson: &str,
    #[wasm_bindgen(unchecked_optional_param_type = "LessonParams")] params: JsValue,
) -> Result<String, JsValue> {
    let found = super::find(lesson).ok_or_else(|| Error::Param {
        name: "lesson".into(),
        value: lesson.to_string(),
        expected: format!("one of {}", super::names()),
    })?;
    let params = crate::api::try_lesson_params(&params)?;
    if found.is_program() {
        // The sandbox's twin is written from its program.
        return Ok(super::twin_text(found, &params));
    }
    Ok(render(found, &params)?)
}

/// The Python twin of sandbox program `program`, with the tracing the
/// parity test reads: the same program, each future it writes noted as it
/// ends, and one line of JSON at the end, `{ totalMs, tasks: [[label,
/// state]], error }`. Relative URLs point at `base`.
///
/// # Errors
/// The program's first error, as `run()` gives it.
#[cfg(feature = "sandbox")]
#[wasm_bindgen(js_name = sandboxTracedTwin)]
pub fn sandbox_traced_twin(program: &str, base: &str) -> Result<String, JsValue> {
    let (parsed, checked) =
        crate::sandbox::compile(program).map_err(|d| Error::Program(d.sentence(program)))?;
    Ok(crate::sandbox::python::write_traced(&parsed, &checked, base))
}

#[cfg(test)]
mod tests;
