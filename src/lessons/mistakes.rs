//! Lesson `mistakes`: the three classic slips, and what Rust says about each.

use futures::future::join_all;
use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;

use super::{Ctx, Lesson, Param, ParamKind, Prediction, Preset};
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

pub static LESSON: Lesson = Lesson {
    name: "mistakes",
    title: "Common mistakes, and how Rust warns about them",
    idea: "Three mistakes get past the compiler, with a warning at most: a forgotten \
           .await, a blocking call inside a task, and a future that nobody runs. The five \
           runs below show what each one does.\n\n\
           Forgetting .await: calling an async fn builds a future and nothing more, so \
           the work never happens. The Future trait is #[must_use], which covers what an \
           async fn returns, so rustc warns when the call stands alone as a statement (\"unused implementer of `Future` that must be \
           used\"). That is the only form it catches: `let result = save(ms);` compiles \
           with at most an unused-variable warning, and `let _ = save(ms);` with none \
           (clippy's let_underscore_future lint flags that one).\n\n\
           A blocking call inside one task: that task never yields, so nothing else on \
           the thread moves while it runs. No compiler warning sees a busy loop or a \
           synchronous wait inside async code (clippy's pedantic unused_async flags only \
           an async fn with no .await at all); the timeline below does. Where the \
           blocker sits in the join decides who pays. Joined first, it runs before the \
           other tasks have started their timers: they all start late, and the total is \
           the block plus the wait. Joined last, the others have already started their \
           timers, which keep counting in the browser while the thread is held: the total \
           is the longer of the two, though nothing could react until the block ended.\n\n\
           A future that nobody runs: in the browser there is no asyncio.run. A future \
           runs only when it is awaited by something that runs, handed to an executor \
           with spawn_local, or returned to JavaScript as a Promise. A future kept in a \
           variable and never handed over is never polled, and dropping it later warns \
           nobody.",
    python: twin!("mistakes.py"),
    source: demo_source!("mistakes.rs"),
    params: &[DELAY, BLOCK],
    button: None,
    endpoints: &[],
    presets: &[
        Preset {
            label: "a block longer than the wait",
            attributes: &[("block-ms", "1200")],
        },
        Preset {
            label: "the defaults",
            attributes: &[("block-ms", ""), ("delay-ms", "")],
        },
    ],
    predict: Some(Prediction {
        question: "With the defaults each task waits 800 ms and the busy loop takes 600 ms. \
                   How long does the run with the blocker joined last take?",
        unit: "ms",
        measure: |runs| crate::report::total_ms(runs.get(3)?),
        tolerance: 0.2,
        assumes: &[DELAY, BLOCK],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
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
    run.trace("save(ms) — no .await", save(ms));
    run.trace("save(ms).await", save(ms)).await;
    run.finish().await;

    // 2. A blocking call in one task holds back all the others.
    let run = recorder.begin_run("all tasks await");
    join_all((1..=3).map(|i| run.trace(format!("task {i}"), wait(ms)))).await;
    run.finish().await;

    let run = recorder.begin_run("one task blocks");
    let blocker = run.trace("task 0: busy loop", async move {
        block_for(block_ms); // never yields: nothing else can run meanwhile
    });
    let others = join_all((1..=3).map(|i| run.trace(format!("task {i}"), wait(ms))));
    futures::join!(blocker, others); // polls the blocker first: the timers start late
    run.finish().await;

    let run = recorder.begin_run("the blocker joined last");
    let others = join_all((1..=3).map(|i| run.trace(format!("task {i}"), wait(ms))));
    let blocker = run.trace("task 0: busy loop", async move {
        block_for(block_ms);
    });
    futures::join!(others, blocker); // the timers start first and count during the block
    run.finish().await;

    // 3. A future nobody runs, next to one handed to the executor.
    let run = recorder.begin_run("never spawned");
    let forgotten = run.trace("kept, never spawned", save(ms));
    let handle = spawn(run.trace("spawn(save(ms))", save(ms))); // the executor polls it
    handle.await;
    drop(forgotten);
    run.finish().await;
    // demo:end
    Ok(())
}
