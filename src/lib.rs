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
pub mod api;
/// What `cargo xtask bench` measures, exported for its bench page.
pub mod bench;
/// One error type; JavaScript exceptions become readable sentences here.
pub mod error;
/// A `requestAnimationFrame` loop that stops when dropped.
pub mod frame_loop;
/// The lessons: the async code that runs, its text, its Python twin.
pub mod lessons;
/// The report's JSON shape, derived from a recording.
pub mod report;
/// The real work as futures: timers, downloads, blocking, spawning.
pub mod tasks;
/// Instrumentation: traced futures, the recorder, frame measurement.
pub mod trace;
/// The only code that touches the DOM.
pub mod view;
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
#[wasm_bindgen]
pub async fn sleep(ms: u32) -> f64 {
    let start = trace::now();
    gloo_timers::future::TimeoutFuture::new(ms).await;
    trace::now() - start
}

/// Counts the primes below `bound`: the CPU-bound job of the worker lesson,
/// which `www/worker.js` calls inside its Web Worker.
#[wasm_bindgen(js_name = countPrimes)]
pub fn count_primes(bound: u32) -> u32 {
    tasks::count_primes(bound)
}

/// The lessons' names, in the article's order.
#[wasm_bindgen(js_name = lessonNames)]
pub fn lesson_names() -> Vec<String> {
    lessons::ALL.iter().map(|l| l.name.to_string()).collect()
}
