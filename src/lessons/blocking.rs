//! Lesson `blocking`: the same wait, blocking and awaited.

use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;
use crate::tasks::block_for;

const DELAY: Param = Param {
    name: "delay-ms",
    label: "wait for (ms)",
    default: "1500",
    kind: ParamKind::Number { min: 0, max: 10_000 },
};

pub static LESSON: Lesson = Lesson {
    name: "blocking",
    title: "Blocking wait vs awaited wait",
    idea: "The browser runs the page, its events and every future on one thread. \
           Python's time.sleep puts its thread to sleep; the browser's main thread has no \
           such call, so the blocking wait here is a busy loop that reads the clock until \
           the time is up. Either way the thread is held: no frame is painted, no click is \
           handled, no other task moves, until it returns.\n\n\
           This lesson waits the same time twice. The blocking run freezes the ticker and \
           its longest frame gap is at least the whole wait; the awaited run leaves the \
           thread free and its frames keep coming.\n\n\
           Compare the two rows as well: the busy loop holds the thread exactly as long as \
           the timer waits. Awaiting one wait does not make it shorter. (The blocking run's \
           total may still come out a little longer: it ends by waiting for the next frame, \
           and after a long block the browser can be slow to paint one.) Async pays off when there is something else to do meanwhile: \
           a page to keep drawing, other waits to overlap (the gather lesson).",
    python: twin!("blocking.py"),
    source: demo_source!("blocking.rs"),
    params: &[DELAY],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "How many times is the busy loop polled?",
        unit: "polls",
        // One poll does all of it: a future that never returns Pending never
        // gives the thread back.
        measure: |runs| Some(f64::from(runs.first()?.tasks.first()?.polls())),
        tolerance: 0.0,
        assumes: &[],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let ms = ctx.params.number(&DELAY)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("blocking");
    let busy_loop = async { format!("held the thread for {} ms", crate::fixed::fixed(block_for(ms), 0)) };
    let held = run.trace("busy loop", busy_loop).await;
    recorder.log(format!("the busy loop {held}"));
    run.finish().await;

    let run = recorder.begin_run("async");
    let timer = TimeoutFuture::new(ms);
    run.trace("TimeoutFuture::new(ms).await", timer).await;
    recorder.log("the timer fired; the thread was free all along");
    run.finish().await;
    // demo:end
    Ok(())
}
