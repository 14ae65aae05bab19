//! What `cargo xtask bench` measures, exported for its bench page
//! (`www/bench/`). Not used by the widget.

use futures::future::join_all;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::prelude::*;

use crate::tasks::Sleep;
use crate::trace::{now, Recorder};

/// Milliseconds to await `n` zero-delay timers together with `join_all`:
/// gloo's `TimeoutFuture` untraced (`"gloo"`), the same traced
/// (`"gloo-traced"`), the crate's [`Sleep`] untraced (`"sleep"`) or traced
/// (`"sleep-traced"`: the path the lessons' machinery takes).
#[wasm_bindgen(js_name = benchTimers)]
pub async fn bench_timers(n: u32, kind: String) -> Result<f64, JsValue> {
    let recorder = Recorder::new();
    let start = now();
    match kind.as_str() {
        "gloo" => {
            join_all((0..n).map(|_| TimeoutFuture::new(0))).await;
        }
        "gloo-traced" => {
            let run = recorder.begin_run("bench");
            join_all((0..n).map(|_| run.trace("timer", TimeoutFuture::new(0)))).await;
        }
        "sleep" => {
            join_all((0..n).map(|_| Sleep::new(0))).await;
        }
        "sleep-traced" => {
            let run = recorder.begin_run("bench");
            join_all((0..n).map(|_| run.trace("timer", Sleep::new(0)))).await;
        }
        other => return Err(JsValue::from_str(&format!("unknown timer kind {other:?}"))),
    }
    Ok(now() - start)
}
