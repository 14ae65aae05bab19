//! Lesson `worker`: CPU-bound work freezes the page; a Web Worker does not.

use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;
use crate::tasks::{count_primes, count_primes_in_worker, Sleep};

const BOUND: Param = Param {
    name: "primes-below",
    label: "count primes below",
    default: "3000000",
    kind: ParamKind::Number {
        min: 2,
        max: 50_000_000,
    },
};

/// The lesson.
pub static LESSON: Lesson = Lesson {
    name: "worker",
    title: "CPU-bound work: async does not help, a worker does",
    idea: "async helps when tasks wait. A task that computes never waits: it never returns \
           Pending, so nothing else runs until it is done. On the page's thread that means \
           no frames, no clicks and no other task, exactly like the busy loop of the \
           blocking lesson.\n\n\
           Both runs count primes and keep a heartbeat task ticking every 100 ms. On the \
           main thread the heartbeat and the ticker stop for the whole count. Sent to a Web \
           Worker (another thread, with its own copy of this wasm) and awaited as a future, \
           the count takes as long, but the page and the heartbeat go on.",
    python: "def count_primes(bound): ...          # pure CPU work\n\n\
             await asyncio.to_thread(count_primes, 3_000_000)   # off the event loop\n\
             # or a ProcessPoolExecutor via loop.run_in_executor",
    source: include_str!("worker.rs"),
    params: &[BOUND],
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let bound = ctx.params.number(&BOUND)?;
    let script = ctx.params.resolve_default("worker.js");
    let recorder = &ctx.recorder;
    // demo:start
    async fn heartbeat() -> String {
        let start = crate::trace::now();
        for _ in 0..10 {
            Sleep::new(100).await;
        }
        format!("10 beats of 100 ms took {:.0} ms", crate::trace::now() - start)
    }

    let run = recorder.begin_run("main thread");
    let count = run.task("count_primes on the main thread", async { count_primes(bound) });
    let (beat, primes) = futures::join!(run.task("heartbeat", heartbeat()), count);
    recorder.log(format!("main thread: {primes} primes; {beat}"));
    run.finish().await;

    let run = recorder.begin_run("web worker");
    let count = run.task(
        "count_primes in a Web Worker",
        count_primes_in_worker(&script, bound),
    );
    let (beat, primes) = futures::join!(run.task("heartbeat", heartbeat()), count);
    recorder.log(format!("worker: {}; {beat}", primes?));
    run.finish().await;
    // demo:end
    Ok(())
}
