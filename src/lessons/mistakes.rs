//! Lesson `mistakes`: the three classic slips, and what Rust says about each.

use futures::future::join_all;
use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;
use crate::tasks::{block_for, spawn};

const DELAY: Param = Param {
    name: "delay-ms",
    label: "each task waits (ms)",
    default: "800",
    kind: ParamKind::Number { min: 0, max: 10_000 },
};

const BLOCK: Param = Param {
    name: "block-ms",
    label: "the blocking call takes (ms)",
    default: "600",
    kind: ParamKind::Number { min: 0, max: 10_000 },
};

/// The lesson.
pub static LESSON: Lesson = Lesson {
    name: "mistakes",
    title: "Common mistakes, and how Rust warns about them",
    idea: "Forgetting .await: the call builds a future and throws it away, so the work \
           never happens. Rust marks every future #[must_use]; the compiler warns \
           \"unused implementer of `Future` that must be used … futures do nothing unless \
           you `.await` or poll them\".\n\n\
           A blocking call inside one task: that task never yields, so every other task \
           waits behind it. Compare the two middle runs: with one busy loop first in the \
           join_all, the other tasks start and finish later by the length of the block. \
           The compiler cannot see this; clippy's lints and the timeline below can.\n\n\
           A future that nobody runs: in the browser there is no asyncio.run. A future \
           runs only when it is awaited by something that runs, handed to spawn_local, or \
           returned to JavaScript as a Promise. A future kept in a variable and never \
           handed over is, again, never polled.",
    python: "result = fetch_data()        # forgot await: a coroutine, never run\n\
             # RuntimeWarning: coroutine 'fetch_data' was never awaited\n\n\
             async def task():\n    time.sleep(0.6)            # blocks every task\n    \
             await asyncio.sleep(0.8)\n\n\
             main()                        # never handed to asyncio.run(): nothing runs",
    source: include_str!("mistakes.rs"),
    params: &[DELAY, BLOCK],
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let ms = ctx.params.number(&DELAY)?;
    let block_ms = ctx.params.number(&BLOCK)?;
    let recorder = &ctx.recorder;
    // demo:start
    async fn save(ms: u32) -> &'static str {
        TimeoutFuture::new(ms).await;
        "saved"
    }
    // An async fn, so that each timer starts at the task's first poll
    // (gloo's TimeoutFuture::new starts its timer as soon as it is built).
    async fn wait(ms: u32) {
        TimeoutFuture::new(ms).await;
    }

    // 1. A forgotten .await: the future is built and dropped, never polled.
    let run = recorder.begin_run("forgotten .await");
    #[allow(unused_must_use)] // the very warning this mistake triggers
    run.task("save(ms) — no .await", save(ms));
    run.task("save(ms).await", save(ms)).await;
    run.finish().await;

    // 2. A blocking call in one task holds back all the others.
    let run = recorder.begin_run("all tasks await");
    join_all((1..=3).map(|i| run.task(format!("task {i}"), wait(ms)))).await;
    run.finish().await;

    let run = recorder.begin_run("one task blocks");
    let blocker = run.task("task 0: busy loop", async move {
        block_for(block_ms); // never yields: nothing else can run meanwhile
    });
    let others = join_all((1..=3).map(|i| run.task(format!("task {i}"), wait(ms))));
    futures::join!(blocker, others); // polls the blocker first
    run.finish().await;

    // 3. A future nobody runs, next to one handed to the executor.
    let run = recorder.begin_run("never spawned");
    let forgotten = run.task("kept, never spawned", save(ms));
    let handle = spawn(run.task("spawn(save(ms))", save(ms))); // the executor polls it
    handle.await;
    drop(forgotten);
    run.finish().await;
    // demo:end
    Ok(())
}
