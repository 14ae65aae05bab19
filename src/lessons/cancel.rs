//! Lesson `cancel`: stopping everything in flight.

use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;
use crate::tasks::download;

const DELAY: Param = Param {
    name: "delay-ms",
    label: "each task takes (ms)",
    default: "8000",
    kind: ParamKind::Number { min: 0, max: 30_000 },
};

/// The lesson.
pub static LESSON: Lesson = Lesson {
    name: "cancel",
    title: "Cancelling: drop it, and everything under it stops",
    idea: "Press Run, then Cancel (or call el.cancel(), or take the element off the page). \
           The widget drops the lesson's future. Dropping a future drops every future it \
           owns, down to the leaves: each timer clears its browser timeout, each download's \
           guard aborts its request. Nothing fires afterwards and no request stays open; \
           the tasks' rows say cancelled.\n\n\
           Every lesson's Cancel works the same way. The one thing Rust cannot take back is \
           a JavaScript Promise it handed out: JavaScript promises have no cancellation.",
    python: "task = asyncio.create_task(main())\n...\ntask.cancel()  # raises CancelledError inside, at its next await",
    source: include_str!("cancel.rs"),
    params: &[DELAY],
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let ms = ctx.params.number(&DELAY)?;
    let slow = ctx.params.resolve_default(&format!("api/delay/{ms}"));
    let drip = ctx
        .params
        .resolve_default(&format!("api/drip?bytes=100000&ms={ms}"));
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("long tasks");
    let timer = run.task("TimeoutFuture", TimeoutFuture::new(ms));
    let request = run.task("download (delay)", download(&slow));
    let stream = run.task("download (drip)", download(&drip));
    let (_, a, b) = futures::join!(timer, request, stream); // Cancel drops all three
    recorder.log(format!("not cancelled: {} and {}", a.is_ok(), b.is_ok()));
    run.finish().await;
    // demo:end
    Ok(())
}
