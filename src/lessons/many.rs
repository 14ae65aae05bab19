//! Lesson `many`: thousands of futures at once, on one thread.

use futures::future::join_all;
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;
use crate::tasks::Sleep;

const TASKS: Param = Param {
    name: "tasks",
    label: "how many timers",
    default: "1000",
    kind: ParamKind::Number { min: 1, max: 20_000 },
};

const DELAY: Param = Param {
    name: "delay-ms",
    label: "the slowest waits (ms)",
    default: "1000",
    kind: ParamKind::Number { min: 0, max: 30_000 },
};

/// The lesson.
pub static LESSON: Lesson = Lesson {
    name: "many",
    title: "Thousands of tasks, one thread",
    idea: "A future is a small state machine, not a thread: a pending timer costs a few \
           dozen bytes and nothing at all while it waits. join_all can hold thousands of \
           them; the browser's single thread only ever runs the ones that were woken.\n\n\
           This run starts every timer at once, in ten waves of finishing times. Its timers \
           are the crate's Sleep rather than gloo's TimeoutFuture: each TimeoutFuture \
           creates a JavaScript closure and a browser timer of its own, while Sleeps that end \
           in the same millisecond share one, which is what makes ten thousand of them cheap. \
           The timeline packs tasks into rows when there are more tasks than rows of pixels.",
    python: "async def main():\n    await asyncio.gather(*(asyncio.sleep((i % 10 + 1) / 10) for i in range(1000)))\n\n\
             asyncio.run(main())",
    source: include_str!("many.rs"),
    params: &[TASKS, DELAY],
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let n = ctx.params.number(&TASKS)?;
    let ms = ctx.params.number(&DELAY)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("join_all");
    let timers = (0..n).map(|i| {
        let wait = ms / 10 * (i % 10 + 1); // ten waves
        run.task(format!("timer {i}"), Sleep::new(wait)) // timers ending together share one setTimeout
    });
    join_all(timers).await; // one thread, n futures in flight
    recorder.log(format!("{n} timers done"));
    run.finish().await;
    // demo:end
    Ok(())
}
