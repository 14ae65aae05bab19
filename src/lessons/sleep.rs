//! Lesson `sleep`: an awaited timer lets the page go on.

use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;

const DELAY: Param = Param {
    name: "delay-ms",
    label: "sleep for (ms)",
    default: "2000",
    kind: ParamKind::Number { min: 0, max: 30_000 },
};

pub static LESSON: Lesson = Lesson {
    name: "sleep",
    title: "Awaiting a timer: the page keeps moving",
    idea: "Awaiting a TimeoutFuture does not stop the thread. Building the future \
           (TimeoutFuture::new, reached at the task's first poll) asks the browser for a \
           setTimeout; awaiting it returns Pending, and control goes back to the browser's \
           event loop, which keeps painting frames and handling clicks. When the timer \
           fires it wakes the task, which is polled again and carries on after the \
           .await.\n\n\
           Watch the ticker while the run waits between \"Hello\" and \"World\": it never \
           stops, and the longest gap between two animation frames stays small. Awaiting \
           does not make this one wait shorter: it takes as long as a blocking wait would. \
           What it buys is that the page, and any other task, can go on meanwhile.",
    python: twin!("sleep.py"),
    source: demo_source!("sleep.rs"),
    params: &[DELAY],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "However long the timer waits, how many times is say_hello() polled from start to end?",
        unit: "polls",
        // Once to start (it logs Hello and the timer is pending), once when
        // the timer's wake comes: nothing in between, however long the wait.
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
    let run = recorder.begin_run("say_hello");
    let say_hello = async {
        recorder.log("Hello");
        TimeoutFuture::new(ms).await; // yields to the browser until the timer fires
        recorder.log("World");
    };
    run.trace("say_hello()", say_hello).await;
    run.finish().await;
    // demo:end
    Ok(())
}
