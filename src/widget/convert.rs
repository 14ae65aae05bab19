//! Rust values to JavaScript ones, through JSON.

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::report::RunReport;
use crate::trace::{next_frame, now, Recorder};

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

/// The report of `lesson`'s recording as [`to_js`] would give it (a run
/// still open ends at `until`), built a slice of tasks at a time from the
/// records: a report of 100,000 tasks is a 13 MB JSON string, which would
/// hold one frame for a tenth of a second, and its entries, made all at
/// once, would grow the wasm memory by a hundred-odd bytes per task beside
/// the records. Between slices the page gets a frame whenever the conversion
/// has held it for [`HOLD_MS`].
pub(crate) async fn report_to_js(lesson: &str, recorder: &Recorder, until: f64) -> Result<JsValue, JsValue> {
    let set = |target: &JsValue, key: &str, value: &JsValue| {
        js_sys::Reflect::set(target, &JsValue::from_str(key), value).map(|_| ())
    };
    let out = js_sys::Object::new();
    set(&out, "lesson", &JsValue::from_str(lesson))?;
    let runs = js_sys::Array::new();
    let heads = recorder.inspect(|runs| {
        runs.iter()
            .map(|run| RunReport::without_tasks(run, until))
            .collect::<Vec<_>>()
    });
    let mut since = now();
    for (index, head) in heads.iter().enumerate() {
        // The same keys, in the same order, as the derived `Serialize`.
        let entry = to_js(&RunHead {
            name: &head.name,
            total_ms: head.total_ms,
            longest_frame_gap_ms: head.longest_frame_gap_ms,
        })?;
        let tasks = js_sys::Array::new();
        let mut from = 0;
        loop {
            // No borrow of the recording is held across the awaits below.
            let (slice, more) = recorder.inspect(|runs| {
                let run = &runs[index];
                let slice = RunReport::tasks_of(run, from..from + SLICE);
                let more = from + SLICE < run.tasks.len();
                (slice, more)
            });
            let part: js_sys::Array = to_js(&slice)?.unchecked_into();
            drop(slice);
            for task in part.iter() {
                tasks.push(&task);
            }
            if !more {
                break;
            }
            from += SLICE;
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
