//! # async-demo
//!
//! Asynchronous Rust, run live in the browser. Each lesson of the
//! `<async-demo>` widget runs real futures (browser `fetch` through web-sys,
//! gloo-timers timeouts) bridged onto JavaScript Promises by
//! wasm-bindgen-futures, records every poll, wake, completion and
//! cancellation, and draws what happened.
//!
//! Data flows one way: a lesson ([`lessons`]) builds futures from [`tasks`],
//! wraps each in [`trace::Traced`] through a [`trace::Recorder`], awaits
//! them; the view ([`view`]) draws the recording at most once per animation
//! frame. Lessons never touch the DOM; the view never starts work.
//!
//! This file holds the JavaScript-facing surface only.
#![deny(missing_docs, missing_debug_implementations)]

/// The typed JavaScript API: fetchAll, runLesson.
mod api;
/// What `cargo xtask bench` measures, exported for its bench page.
#[cfg(feature = "bench")]
mod bench;
/// The one clock: `performance.now()`, shared by the work and the tracer.
mod clock;
/// One error type; JavaScript exceptions become readable sentences here.
pub mod error;
/// Numbers with a fixed count of decimals, without core's float formatting.
pub mod fixed;
/// A `requestAnimationFrame` loop that stops when dropped.
mod frame_loop;
/// The lessons: the async code that runs, its text, its Python twin.
pub mod lessons;
/// The widget's markup as data, rendered to HTML natively and adopted in the page.
pub mod markup;
/// The report's JSON shape, derived from a recording.
pub mod report;
/// Your own program: a subset of async Rust, interpreted into real futures.
#[cfg(feature = "sandbox")]
pub mod sandbox;
/// Your own program: not in this build (see `pkg-sandbox/`).
#[cfg(not(feature = "sandbox"))]
#[path = "sandbox_absent.rs"]
pub mod sandbox;
/// The real work as futures: timers, downloads, blocking, spawning.
pub mod tasks;
/// Instrumentation: traced futures, the recorder, frame measurement.
pub mod trace;
/// The only code that touches the DOM.
mod view;
/// What a pending future waits on, told by the work, heard by the tracer.
mod waits;
mod widget;

use wasm_bindgen::prelude::*;

pub use error::Error;
pub use widget::Widget;

/// Waits `ms` milliseconds on a gloo-timers `TimeoutFuture`, without blocking.
/// JavaScript receives a Promise that resolves with the milliseconds that
/// actually passed.
///
/// ```js
/// import init, { sleep } from "./pkg/async_demo.js";
/// await init();
/// const waited = await sleep(250); // ≈ 250
/// ```
///
/// # Errors
/// The Promise rejects with a sentence if `ms` is not a whole number from 0
/// to 2,147,483,647, the longest delay a browser timer keeps (a longer one
/// would fire at once, and a negative or huge number must not wrap around).
#[wasm_bindgen]
pub async fn sleep(ms: f64) -> Result<f64, JsError> {
    const MAX: f64 = i32::MAX as f64;
    if ms.fract() != 0.0 || !(0.0..=MAX).contains(&ms) {
        return Err(JsError::new(&format!(
            "sleep needs a whole number of milliseconds from 0 to {}, not {}.",
            i32::MAX,
            fixed::js_number(ms)
        )));
    }
    let start = trace::now();
    gloo_timers::future::TimeoutFuture::new(ms as u32).await;
    Ok(trace::now() - start)
}

/// Counts the primes below `bound`: the CPU-bound job of the worker lesson,
/// which `www/worker.js` calls inside its Web Worker.
///
/// # Errors
/// A sentence if `bound` is not a whole number from 0 to 4,294,967,295 (a
/// JavaScript number is not wrapped into range).
#[wasm_bindgen(js_name = countPrimes)]
pub fn count_primes(bound: f64) -> Result<u32, JsError> {
    if bound.fract() != 0.0 || !(0.0..=f64::from(u32::MAX)).contains(&bound) {
        return Err(JsError::new(&format!(
            "countPrimes needs a whole number from 0 to {}, not {}.",
            u32::MAX,
            fixed::js_number(bound)
        )));
    }
    Ok(tasks::count_primes(bound as u32))
}

/// The lessons' names, in the article's order.
#[wasm_bindgen(js_name = lessonNames)]
pub fn lesson_names() -> Vec<String> {
    lessons::ALL.iter().map(|l| l.name.to_string()).collect()
}

/// The markup of an `<async-demo>` element with these `attributes` (an
/// object of attribute names to values), as it stands before any run: the
/// content of its shadow root, to be written into a page as a declarative
/// shadow root (`async-demo-prerender` does). `page_url` is the page's URL,
/// against which the element's own relative `urls` resolve; `module_base`
/// the folder of `async-demo.js`, against which the lessons' default URLs
/// and the stylesheet resolve; `served_by_worker` whether the site's
/// `async-demo-api/` is its Service Worker's (a static site: the Python twins
/// then say so). The section names the lesson it was rendered
/// for (`data-prerendered`), so that the widget adopts it only for that one.
/// It runs without a document: Node runs it over a site's files.
///
/// # Errors
/// The widget's own sentence when it cannot show a lesson (an unknown or
/// missing `lesson`), or when `attributes` is not an object of strings.
#[wasm_bindgen(js_name = renderWidget)]
pub fn render_widget(
    #[wasm_bindgen(unchecked_param_type = "Record<string, string>")] attributes: JsValue,
    page_url: &str,
    module_base: &str,
    served_by_worker: Option<bool>,
) -> Result<String, JsError> {
    lessons::set_served_by_worker(served_by_worker.unwrap_or(false));
    if !attributes.is_object() {
        return Err(JsError::new(
            "renderWidget needs the element's attributes as an object of strings.",
        ));
    }
    let mut values = std::collections::BTreeMap::new();
    for entry in js_sys::Object::entries(attributes.unchecked_ref()).iter() {
        let pair = js_sys::Array::from(&entry);
        match (pair.get(0).as_string(), pair.get(1).as_string()) {
            (Some(name), Some(value)) => values.insert(name.to_ascii_lowercase(), value),
            _ => {
                return Err(JsError::new(
                    "renderWidget needs the element's attributes as an object of strings.",
                ))
            }
        };
    }
    let lesson = match values.get("lesson") {
        None => None,
        Some(name) => lessons::find(name.trim()),
    };
    let Some(lesson) = lesson else {
        let error = match values.get("lesson") {
            None => widget::missing_lesson(),
            Some(name) => widget::unknown_lesson(name),
        };
        return Err(JsError::new(&error.to_string()));
    };
    let params = lessons::Params::new(values, page_url, module_base);
    let python = lessons::twin_text(lesson, &params);
    let stylesheet = format!("{module_base}async-demo.css");
    let generated = lesson
        .is_program()
        .then(|| sandbox::generate_shown(&params.text(&lessons::PROGRAM), module_base));
    let setting = markup::widget::Setting {
        stylesheet: &stylesheet,
        python: &python,
        prerendered: true,
        generated: generated.as_ref(),
    };
    Ok(markup::to_html(&markup::widget::widget(lesson, &params, setting)))
}
