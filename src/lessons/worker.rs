//! Lesson `worker`: CPU-bound work freezes the page; a Web Worker does not.

use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::clock::now;
use crate::error::Error;
use crate::tasks::{count_primes, count_primes_in_worker, primes_bound_for, Sleep};

const WORK: Param = Param {
    name: "work-ms",
    label: "count primes for about (ms)",
    default: "1000",
    kind: ParamKind::Number {
        min: 100,
        max: 10_000,
    },
};

pub static LESSON: Lesson = Lesson {
    name: "worker",
    title: "CPU-bound work: async does not help, a worker does",
    idea: "async helps when tasks wait. A task that computes never waits: it never returns \
           Pending, so nothing else runs until it is done. On the page's thread that means \
           no frames, no clicks and no other task, exactly like the busy loop of the \
           blocking lesson.\n\n\
           Both runs count primes for about work-ms and keep a heartbeat task ticking every \
           100 ms. Machines differ in speed, so before the runs the lesson times a few small \
           counts and picks how far to count to take that long here. On the main thread the \
           heartbeat and the ticker stop for the whole count. Sent to a Web Worker (another \
           thread, with its own copy of this wasm) and awaited as a future, the count takes \
           about as long (more or less, when the machine is busy with other work), but \
           the page and the heartbeat go on.",
    python: twin!("worker.py"),
    source: demo_source!("worker.rs"),
    params: &[WORK],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "How many times is count_primes on the main thread polled?",
        unit: "polls",
        // The whole count runs inside its first poll: the heartbeat beside it
        // waits for it to end.
        measure: |runs| {
            Some(f64::from(
                runs.first()?
                    .tasks
                    .iter()
                    .find(|t| t.label.contains("main thread"))?
                    .polls(),
            ))
        },
        tolerance: 0.0,
        assumes: &[],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let work_ms = ctx.params.number(&WORK)?;
    let bound = primes_bound_for(f64::from(work_ms), now);
    ctx.recorder.log(format!(
        "calibrated: counting the primes below {bound} should take about {work_ms} ms here"
    ));
    let script = ctx.params.resolve_default("worker.js");
    let recorder = &ctx.recorder;
    // demo:start
    async fn heartbeat() -> String {
        let start = now();
        for _ in 0..10 {
            Sleep::new(100).await;
        }
        format!(
            "10 beats of 100 ms took {} ms",
            crate::fixed::fixed(now() - start, 0)
        )
    }

    let run = recorder.begin_run("main thread");
    let count = run.trace("count_primes on the main thread", async { count_primes(bound) });
    let (beat, primes) = futures::join!(run.trace("heartbeat", heartbeat()), count);
    recorder.log(format!("main thread: {primes} primes; {beat}"));
    run.finish().await;

    let run = recorder.begin_run("web worker");
    let count = run.trace("in a Web Worker", count_primes_in_worker(&script, bound));
    let (beat, primes) = futures::join!(run.trace("heartbeat", heartbeat()), count);
    recorder.log(format!("worker: {}; {beat}", primes?));
    run.finish().await;
    // demo:end
    Ok(())
}
