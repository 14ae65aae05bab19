//! Lesson `blocking`: the same wait, blocking and awaited.

use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;
use crate::tasks::block_for;

const DELAY: Param = Param {
    name: "delay-ms",
    label: "wait for (ms)",
    default: "1500",
    kind: ParamKind::Number { min: 0, max: 10_000 },
};

/// The lesson.
pub static LESSON: Lesson = Lesson {
    name: "blocking",
    title: "Blocking wait vs awaited wait",
    idea: "The browser runs the page, its events and every future on one thread. A wait \
           that spins on the clock (the browser's time.sleep) holds that thread: no frame \
           is painted, no click is handled, no other task moves, until it returns.\n\n\
           This lesson waits the same time twice. The blocking run freezes the ticker and \
           its longest frame gap is the whole wait; the awaited run leaves the thread free \
           and its frames keep coming.",
    python: "def fetch_data():\n    time.sleep(2)          # the whole program stops\n    return \"Data\"\n\n\
             async def fetch_data_async():\n    await asyncio.sleep(2) # other tasks keep running\n    return \"Data\"",
    source: include_str!("blocking.rs"),
    params: &[DELAY],
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let ms = ctx.params.number(&DELAY)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("blocking");
    let busy_loop = async { format!("held the thread for {:.0} ms", block_for(ms)) };
    let held = run.task("busy loop", busy_loop).await;
    recorder.log(format!("the busy loop {held}"));
    run.finish().await;

    let run = recorder.begin_run("async");
    run.task("TimeoutFuture::new(ms).await", TimeoutFuture::new(ms))
        .await;
    recorder.log("the timer fired; the thread was free all along");
    run.finish().await;
    // demo:end
    Ok(())
}
