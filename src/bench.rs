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
        // The sandbox: a program of `n` sleeps under join_all, interpreted
        // (parsed, checked, its tree built by the interpreter) and as the
        // same program compiled, its futures traced as the interpreter
        // traces them (the compiled twins' way).
        #[cfg(feature = "sandbox")]
        "sandbox-interpreted" => {
            let program = format!("join_all(repeat({n}, |_| sleep(0))).await;");
            let clicks = crate::lessons::Clicks::channel().1;
            crate::sandbox::run(&program, "", &recorder, clicks).await?;
        }
        #[cfg(feature = "sandbox")]
        "sandbox-compiled" => {
            use crate::sandbox::prelude::{join_all, sleep};
            use crate::trace::{AwaitId, PROGRAM};
            let run = recorder.begin_run("program");
            let place = AwaitId::at(PROGRAM, 1);
            let sleeps: Vec<_> = (0..n)
                .map(|_| run.trace_at("sleep(0)", place, sleep(0)))
                .collect();
            run.trace_at("join_all(repeat(…))", place, join_all(sleeps)).await;
            run.finish().await;
        }
        other => return Err(JsValue::from_str(&format!("unknown timer kind {other:?}"))),
    }
    if kind.starts_with("sandbox-") {
        // Until the program's last future ended: not until the frame after
        // it, which the run waits for as it finishes and which would round
        // both times up to a frame (a sixth of the whole at 90,000 sleeps).
        let last = recorder.inspect(|runs| {
            runs.iter()
                .flat_map(|run| &run.tasks)
                .filter_map(|task| task.end)
                .fold(f64::NEG_INFINITY, f64::max)
        });
        return Ok(last - start);
    }
    Ok(now() - start)
}

/// The start of `many`'s second run, alone: `n` [`Sleep`]s of one to ten
/// seconds built into a `FuturesUnordered` and polled once (each sleep's
/// first poll), traced as the lesson traces them (`traced`) or not, with no
/// widget drawing anything. Returns `[ms, bytes]`: how long that start took,
/// and how many bytes of wasm memory it grew by per future (meaningful in a
/// fresh page: memory freed by an earlier call is reused). The sleeps are
/// dropped before it returns.
#[wasm_bindgen(js_name = benchStart)]
pub fn bench_start(n: u32, traced: bool) -> Vec<f64> {
    use futures::stream::{FuturesUnordered, StreamExt};
    use futures::task::noop_waker_ref;
    use std::task::Context;

    let wave = |i: u32| 1000 * (i % 10 + 1);
    let pages = || memory_bytes() as f64;
    let before = pages();
    let start = now();
    let mut cx = Context::from_waker(noop_waker_ref());
    let (ms, bytes) = if traced {
        let recorder = Recorder::new();
        let run = recorder.begin_run("bench");
        let mut timers: FuturesUnordered<_> = (0..n)
            .map(|i| run.trace(format!("timer {i}"), Sleep::new(wave(i))))
            .collect();
        let _ = timers.poll_next_unpin(&mut cx);
        (now() - start, pages() - before)
    } else {
        let mut timers: FuturesUnordered<_> = (0..n).map(|i| Sleep::new(wave(i))).collect();
        let _ = timers.poll_next_unpin(&mut cx);
        (now() - start, pages() - before)
    };
    vec![ms, bytes / f64::from(n.max(1))]
}

/// Nanoseconds per read of the clock every recording uses
/// ([`now`](crate::trace::now)), over `n` reads: the floor under the
/// tracer's cost, which reads it at each poll's start and end.
#[wasm_bindgen(js_name = benchClock)]
pub fn bench_clock(n: u32) -> f64 {
    let start = now();
    let mut sum = 0.0;
    for _ in 0..n {
        sum += now();
    }
    let elapsed = now() - start;
    // Keeps the reads from being optimised away.
    std::hint::black_box(sum);
    elapsed * 1e6 / f64::from(n.max(1))
}

/// The wasm memory's size in bytes (0 in a native build, which has no bench).
fn memory_bytes() -> usize {
    #[cfg(target_arch = "wasm32")]
    return core::arch::wasm32::memory_size(0) * 65536;
    #[cfg(not(target_arch = "wasm32"))]
    return 0;
}
