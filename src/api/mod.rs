//! The typed JavaScript API: Promise-returning functions for JS callers,
//! Rust futures underneath. `wasm-pack` writes their TypeScript
//! declarations into `pkg/async_demo.d.ts`; the interfaces below make them
//! exact.

use futures::stream::{self, StreamExt};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::Error;
use crate::lessons::{self, Ctx};
use crate::tasks::{download, with_timeout};
use crate::trace::{now, Recorder};
use crate::widget::{report_to_js, to_js};

/// The TypeScript the `.d.ts` gets: interfaces for the JSON the Rust types
/// write. A unit test below fails when they drift apart.
#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT: &'static str = TYPES;

#[cfg_attr(not(test), allow(dead_code))] // read through TYPESCRIPT, which the macro consumes
const TYPES: &str = r#"
/** Options of fetchAll. */
export interface FetchAllOptions {
  /** At most this many requests in flight (1–64; default: all at once). */
  concurrency?: number;
  /** Give up on one URL after this many milliseconds (1–120000; default 15000). */
  timeoutMs?: number;
}

/** One URL's outcome, in the order the URLs were given. */
export interface FetchResult {
  url: string;
  ok: boolean;
  /** HTTP status, or null when no response came (network error, timeout, invalid URL). */
  status: number | null;
  /** Body size in bytes, or null on failure. */
  bytes: number | null;
  /** Milliseconds from this URL's start to its end. */
  ms: number;
  /** A readable sentence, or null on success. */
  error: string | null;
}

export type TaskState = "done" | "error" | "cancelled" | "pending";

export interface TaskReport {
  label: string;
  state: TaskState;
  startMs: number | null;
  endMs: number | null;
  polls: number;
  wakes: number;
  busyMs: number;
  error: string | null;
  result: string | null;
}

export interface RunReport {
  name: string;
  totalMs: number;
  longestFrameGapMs: number;
  tasks: TaskReport[];
}

/** What a lesson run resolves with (also what <async-demo>.run() gives). */
export interface Report {
  lesson: string;
  runs: RunReport[];
}

/** A lesson's parameters, by attribute name: { "delay-ms": 500, urls: "a b" }. */
export type LessonParams = Record<string, string | number>;
"#;

#[derive(Serialize)]
struct FetchResult {
    url: String,
    ok: bool,
    status: Option<u16>,
    bytes: Option<u64>,
    ms: f64,
    error: Option<String>,
}

/// Downloads every URL (relative ones against the page), at most
/// `concurrency` at a time, each with a deadline of `timeoutMs`. Resolves
/// with one result per URL, in input order; a failed URL has `ok: false`
/// and an `error` sentence. Rejects only for unusable options.
///
/// ```js
/// const results = await fetchAll(["async-demo-api/delay/300", "async-demo-api/status/404"], { concurrency: 2 });
/// ```
#[wasm_bindgen(js_name = fetchAll, unchecked_return_type = "FetchResult[]")]
pub async fn fetch_all(
    #[wasm_bindgen(unchecked_param_type = "string[]")] urls: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FetchAllOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let urls = url_list(&urls)?;
    if !(options.is_undefined() || options.is_null() || options.is_object()) || options.is_function() {
        return Err(Error::Usage(
            "fetchAll's options must be an object such as { concurrency: 2, timeoutMs: 5000 }, or nothing."
                .into(),
        )
        .into());
    }
    let option = |name: &str, default: u32, max: u32| -> Result<u32, Error> {
        let value = if options.is_object() {
            // A getter or a Proxy that throws is refused, never taken for
            // "not given".
            js_sys::Reflect::get(&options, &name.into()).map_err(|e| {
                Error::Usage(format!(
                    "Reading fetchAll's option {name} threw: {}",
                    crate::error::js_message(&e)
                ))
            })?
        } else {
            JsValue::UNDEFINED
        };
        if value.is_undefined() {
            return Ok(default);
        }
        let expected = format!("a whole number from 1 to {max}");
        match value.as_f64() {
            Some(n) if n.fract() == 0.0 && n >= 1.0 && n <= f64::from(max) => Ok(n as u32),
            Some(n) => Err(Error::Usage(format!(
                "Option {name}: {} is not usable: expected {expected}.",
                crate::fixed::js_number(n)
            ))),
            None => Err(Error::Usage(match value.as_string() {
                Some(text) => format!(
                    "Option {name} is the string {}: it takes a number ({expected}), without quotes.",
                    crate::error::quote(&text)
                ),
                None => format!(
                    "Option {name}: expected {expected}, not {}.",
                    args::describe(&value)
                ),
            })),
        }
    };
    let concurrency = option("concurrency", (urls.len() as u32).clamp(1, 64), 64)?;
    let timeout = option("timeoutMs", 15_000, 120_000)?;
    let base = page_base();
    let jobs = urls.into_iter().enumerate().map(|(i, url)| {
        let absolute = web_sys::Url::new_with_base(&url, &base)
            .map(|u| u.href())
            .unwrap_or(url);
        async move {
            let start = now();
            let outcome = with_timeout(timeout, download(&absolute)).await;
            let ms = now() - start;
            let result = match outcome {
                Ok(done) => FetchResult {
                    url: absolute,
                    ok: true,
                    status: Some(done.status),
                    bytes: Some(done.bytes),
                    ms,
                    error: None,
                },
                Err(e) => {
                    let status = match &e {
                        Error::Http { status, .. } => Some(*status),
                        _ => None,
                    };
                    FetchResult {
                        url: absolute,
                        ok: false,
                        status,
                        bytes: None,
                        ms,
                        error: Some(e.to_string()),
                    }
                }
            };
            (i, result)
        }
    });
    let mut results: Vec<(usize, FetchResult)> = stream::iter(jobs)
        .buffer_unordered(concurrency as usize)
        .collect()
        .await;
    results.sort_by_key(|(i, _)| *i);
    to_js(&results.into_iter().map(|(_, r)| r).collect::<Vec<_>>())
}

/// Runs lesson `name` without a widget, with `params` as its attributes,
/// and resolves with its report. Rejects with a sentence for an unknown
/// lesson or unusable parameters.
///
/// ```js
/// const report = await runLesson("gather", { urls: "async-demo-api/delay/200 async-demo-api/delay/300" });
/// ```
#[wasm_bindgen(js_name = runLesson, unchecked_return_type = "Report")]
pub async fn run_lesson(
    #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "LessonParams")] params: JsValue,
) -> Result<JsValue, JsValue> {
    let Some(name) = name.as_string() else {
        return Err(Error::Usage(format!(
            "runLesson needs a lesson's name, a string such as \"gather\" (one of {}), not {}.",
            lessons::names(),
            args::describe(&name)
        ))
        .into());
    };
    let lesson = lessons::find(&name).ok_or_else(|| Error::Param {
        name: "lesson".into(),
        value: name.clone(),
        expected: format!("one of {}", lessons::names()),
    })?;
    let recorder = Recorder::new();
    let ctx = Ctx::new(recorder.clone(), try_lesson_params(&params)?);
    (lesson.run)(ctx).await?;
    report_to_js(lesson.name, &recorder, now()).await
}

/// The page's base URL (a worker's location), for relative URLs.
fn page_base() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.base_uri().ok().flatten())
        .or_else(|| {
            js_sys::Reflect::get(&js_sys::global(), &"location".into())
                .ok()
                .map(|l| String::from(js_sys::JsString::from(l)))
        })
        .unwrap_or_default()
}

thread_local! {
    static MODULE_BASE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Tells [`run_lesson`] where `async-demo.js` lives (its folder's URL), so
/// that lessons' default URLs (`async-demo-api/delay/…`) find the dev server's
/// endpoints from any page. `async-demo.js` calls it on load; without it,
/// the page's own base is used.
#[wasm_bindgen(js_name = setModuleBase)]
pub fn set_module_base(url: String) {
    MODULE_BASE.with(|b| *b.borrow_mut() = Some(url));
}

/// Tells the widget that its `async-demo-api/` endpoints are answered by its
/// Service Worker (a static build): the Python twins then say, in their first
/// lines, that a Python program cannot reach them and what to run instead.
/// `async-demo.js` of `cargo xtask dist` calls it on load.
#[wasm_bindgen(js_name = setServedByWorker)]
pub fn set_served_by_worker(on: bool) {
    crate::lessons::set_served_by_worker(on);
}

fn module_base() -> String {
    MODULE_BASE.with(|b| b.borrow().clone()).unwrap_or_else(page_base)
}

/// The URL of the widget's own endpoints' folder (`async-demo-api/` next to
/// `async-demo.js`), or empty before `async-demo.js` has said where it is.
pub(crate) fn api_folder() -> String {
    MODULE_BASE
        .with(|b| b.borrow().clone())
        .map(|base| format!("{base}{}", crate::lessons::API_FOLDER))
        .unwrap_or_default()
}

mod args;

pub(crate) use args::try_lesson_params;
use args::url_list;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Report;
    use crate::trace::{Outcome, RunRecord, TaskRecord, TaskState};

    /// The field names of `interface name { … }` in the hand-written
    /// TypeScript above.
    fn interface_fields(name: &str) -> Vec<String> {
        let start = TYPES
            .find(&format!("export interface {name} {{"))
            .unwrap_or_else(|| panic!("interface {name} is declared"));
        let body = &TYPES[start..];
        let body = &body[body.find('{').expect("a body") + 1..body.find("\n}").expect("an end")];
        body.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("/**") && !l.starts_with('*'))
            .map(|l| l.split([':', '?']).next().unwrap_or_default().to_string())
            .collect()
    }

    fn keys(value: &serde_json::Value) -> Vec<String> {
        value.as_object().expect("an object").keys().cloned().collect()
    }

    fn sorted(mut v: Vec<String>) -> Vec<String> {
        v.sort();
        v
    }

    #[test]
    fn the_typescript_interfaces_match_the_json_the_rust_types_write() {
        let mut task = TaskRecord::new("t".into(), 0.0);
        task.record_poll(0.0, 1.0, true);
        task.record_end(1.0, Outcome::Done(Some("x".into())));
        let run = RunRecord {
            name: "r".into(),
            start: 0.0,
            end: Some(2.0),
            longest_frame_gap: 0.0,
            frames: Vec::new(),
            long_tasks: Vec::new(),
            tasks: vec![Box::new(task)],
        };
        let report = serde_json::to_value(Report::new("sleep", &[run], 2.0)).expect("a report");
        assert_eq!(sorted(keys(&report)), sorted(interface_fields("Report")));
        assert_eq!(
            sorted(keys(&report["runs"][0])),
            sorted(interface_fields("RunReport"))
        );
        assert_eq!(
            sorted(keys(&report["runs"][0]["tasks"][0])),
            sorted(interface_fields("TaskReport"))
        );
        let result = FetchResult {
            url: "u".into(),
            ok: true,
            status: Some(200),
            bytes: Some(1),
            ms: 1.0,
            error: None,
        };
        let result = serde_json::to_value(result).expect("a result");
        assert_eq!(sorted(keys(&result)), sorted(interface_fields("FetchResult")));
        // Every state the TypeScript union names, and only those.
        let union = TYPES
            .lines()
            .find(|l| l.starts_with("export type TaskState"))
            .expect("the TaskState type");
        for state in [
            TaskState::Pending,
            TaskState::Done,
            TaskState::Error,
            TaskState::Cancelled,
        ] {
            let json = serde_json::to_string(&state).expect("a state");
            assert!(union.contains(&json), "{json} is missing from {union}");
        }
        assert_eq!(union.matches('"').count(), 8, "{union}");
    }
}
