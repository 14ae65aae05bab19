//! Rust values to JavaScript ones, through JSON.

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::report::{Report, RunReport};
use crate::trace::{next_frame, now};

/// To a JavaScript value through JSON: one string crosses into JS and
/// `JSON.parse` builds the objects, far faster for a report of 10,000
/// tasks than setting every field across the boundary.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(value).map_err(|e| JsValue::from_str(&e.to_string()))?;
    js_sys::JSON::parse(&json)
}

/// Tasks per JSON string in [`report_to_js`].
const SLICE: usize = 2_000;

/// The longest the conversion holds the page before it lets a frame be
/// drawn (ms).
const HOLD_MS: f64 = 8.0;

/// A report as [`to_js`] would give it, built a slice of tasks at a time: a
/// report of 100,000 tasks is a 13 MB JSON string, which would hold one
/// frame for a tenth of a second and grow the wasm memory by twice its size.
/// Slices keep the strings small, and between them the page gets a frame
/// whenever the conversion has held it for [`HOLD_MS`].
pub(crate) async fn report_to_js(report: &Report) -> Result<JsValue, JsValue> {
    let set = |target: &JsValue, key: &str, value: &JsValue| {
        js_sys::Reflect::set(target, &JsValue::from_str(key), value).map(|_| ())
    };
    let Report {
        lesson,
        runs: all_runs,
    } = report;
    let out = js_sys::Object::new();
    set(&out, "lesson", &JsValue::from_str(lesson))?;
    let runs = js_sys::Array::new();
    let mut since = now();
    for run in all_runs {
        let RunReport {
            name,
            total_ms,
            longest_frame_gap_ms,
            tasks: all,
        } = run;
        // The same keys, in the same order, as the derived `Serialize`.
        let entry = to_js(&RunHead {
            name,
            total_ms: *total_ms,
            longest_frame_gap_ms: *longest_frame_gap_ms,
        })?;
        let tasks = js_sys::Array::new();
        for slice in all.chunks(SLICE) {
            let part: js_sys::Array = to_js(&slice)?.unchecked_into();
            for task in part.iter() {
                tasks.push(&task);
            }
            if now() - since > HOLD_MS {
                next_frame().await;
                since = now();
            }
        }
        set(&entry, "tasks", &tasks)?;
        runs.push(&entry);
    }
    set(&out, "runs", &runs)?;
    Ok(out.into())
}

/// A [`RunReport`] without its tasks.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunHead<'a> {
    name: &'a str,
    total_ms: f64,
    longest_frame_gap_ms: f64,
}
