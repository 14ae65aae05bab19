//! Lesson `lazy`: calling an async fn builds a future; nothing runs until it
//! is awaited.

use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;

const DELAY: Param = Param {
    name: "delay-ms",
    label: "fetch_data() takes (ms)",
    default: "800",
    kind: ParamKind::Number { min: 0, max: 30_000 },
};

pub static LESSON: Lesson = Lesson {
    name: "lazy",
    title: "An async fn builds a future; awaiting it runs it",
    idea: "Calling an async fn does not run its body. It returns a future: a value that \
           describes work still to do. Until something polls that future (an .await inside \
           code that is itself running, or the executor that spawn_local hands it to), not \
           one line of the async fn's body runs.\n\n\
           Both runs below call the same async fn. The first keeps the future in a variable \
           for as long as the other takes, then drops it: it is never polled and its body \
           never runs. The second awaits it: one poll starts the timer, one wake, one more \
           poll finishes it.\n\n\
           The laziness belongs to async fn and async blocks. A future written by hand may \
           do work in its constructor: gloo's TimeoutFuture::new calls setTimeout as soon \
           as it is built, before any poll. Inside fetch_data that makes no difference, \
           because the line that builds it only runs at the first poll.\n\n\
           Python differs here in one way that matters: asyncio.create_task (and gather) \
           start a coroutine on their own, at the loop's next turn, whether or not anyone \
           awaits the task. A Rust future is only ever run by whoever polls it.",
    python: twin!("lazy.py"),
    source: demo_source!("lazy.rs"),
    params: &[DELAY],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "How many times will the future that is never awaited be polled?",
        unit: "polls",
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
    async fn fetch_data(ms: u32) -> &'static str {
        TimeoutFuture::new(ms).await;
        "data"
    }

    let run = recorder.begin_run("called, not awaited");
    let future = run.trace("fetch_data()", fetch_data(ms)); // builds it; runs nothing
    recorder.log("fetch_data() returned a future; its body has not started");
    TimeoutFuture::new(ms).await; // time passes: still nothing
    drop(future); // never polled: it never ran
    run.finish().await;

    let run = recorder.begin_run("awaited");
    let data = run.trace("fetch_data().await", fetch_data(ms)).await;
    recorder.log(format!("fetch_data().await returned {data:?}"));
    run.finish().await;
    // demo:end
    Ok(())
}
