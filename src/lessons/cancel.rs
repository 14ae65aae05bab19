//! Lesson `cancel`: stopping everything in flight.

use futures::future::join_all;
use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;
use crate::tasks::download;

const DELAY: Param = Param {
    name: "delay-ms",
    label: "the timer waits (ms)",
    default: "8000",
    kind: ParamKind::Number { min: 0, max: 30_000 },
};

const URLS: Param = Param {
    name: "urls",
    label: "URLs (space-separated)",
    default: "async-demo-api/delay/8000 async-demo-api/drip?bytes=100000&ms=8000",
    kind: ParamKind::Urls,
};

pub static LESSON: Lesson = Lesson {
    name: "cancel",
    title: "Cancelling: drop it, and everything under it stops",
    idea: "Press Run, then Cancel (or call el.cancel(), or take the element off the page). \
           The widget aborts the lesson's future, which is dropped at its next poll, a \
           microtask later. Dropping a future drops every future it \
           owns, down to the leaves: each timer clears its browser timeout, each download's \
           guard aborts its request. Nothing fires afterwards and no request stays open; \
           the rows that had started say cancelled.\n\n\
           This is where Rust and Python part ways. Python's task.cancel() asks: it raises \
           CancelledError inside the task, at the await where it is suspended, and the \
           task may catch it, \
           await some cleanup, even carry on. A Rust drop tells: it happens at once, the \
           destructors run synchronously, and they can await nothing; cleanup that needs to \
           wait must be started as a task of its own. And in Python, dropping your last \
           reference to a Task does not cancel it (you are told to keep one, or the task \
           may be garbage-collected mid-run), while in Rust dropping the future is the \
           cancellation.\n\n\
           Every lesson's Cancel works the same way. What no drop can take back is a \
           JavaScript Promise that Rust handed out (as in the bridge lesson): JavaScript \
           promises have no cancellation.",
    python: twin!("cancel.py", "cancel.run.py"),
    source: demo_source!("cancel.rs"),
    params: &[DELAY, URLS],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "Let the run go its 8 seconds. join! polls every child whenever one is woken, \
                   so the TimeoutFuture is polled often. How many times is it woken by its own timer?",
        unit: "wakes",
        // Polls are the combinator's choice; its own waker fires once, when
        // the timer does.
        measure: |runs| Some(f64::from(runs.first()?.tasks.first()?.wakes())),
        tolerance: 0.0,
        assumes: &[],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let ms = ctx.params.number(&DELAY)?;
    let urls = ctx.params.urls(&URLS)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("long tasks");
    let timer = run.trace("TimeoutFuture", TimeoutFuture::new(ms));
    let requests = join_all(urls.iter().map(|url| run.trace(url.clone(), download(url))));
    let (_, results) = futures::join!(timer, requests); // Cancel drops them all
    let ok = results.iter().filter(|r| r.is_ok()).count();
    recorder.log(format!(
        "not cancelled: {ok} of {} downloads completed",
        results.len()
    ));
    run.finish().await;
    // demo:end
    Ok(())
}
