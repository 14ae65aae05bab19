//! Lesson `many`: thousands of futures at once, on one thread.

use futures::future::join_all;
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind, Prediction, Preset};
use crate::error::Error;
use crate::tasks::Sleep;

const TASKS: Param = Param {
    name: "tasks",
    label: "how many timers",
    default: "1000",
    kind: ParamKind::Number { min: 1, max: 100_000 },
};

const DELAY: Param = Param {
    name: "delay-ms",
    label: "the slowest waits (ms)",
    default: "1000",
    // At least 10: the ten waves are tenths of it, in whole milliseconds.
    kind: ParamKind::Number { min: 10, max: 30_000 },
};

pub static LESSON: Lesson = Lesson {
    name: "many",
    title: "Thousands of tasks, one thread",
    idea: "A future is a small state machine, not a thread: a pending timer costs a few \
           dozen bytes and nothing at all while it waits, so one thread can hold thousands \
           of them. What it does cost is polls, and how many depends on the combinator \
           that holds them.\n\n\
           When a timer fires, it wakes the task: the one future the executor runs, here \
           the whole join. Which children get polled then is the combinator's choice. A \
           join_all of up to 30 futures keeps them in a plain list and polls every \
           unfinished child on every wake: in the first run, the timer of the last wave is \
           polled eleven times to finish once. FuturesUnordered gives each child a waker \
           of its own and polls only the children that were woken: in the second run every \
           timer is polled exactly twice, however many there are. join_all itself switches \
           past 30 futures (as its input's size hint announces them) to FuturesOrdered, \
           which is built on FuturesUnordered and polls only the woken ones too.\n\n\
           Both runs finish in ten waves. Their timers are the crate's Sleep rather than \
           gloo's TimeoutFuture: each TimeoutFuture creates a JavaScript closure and a \
           browser timer of its own, while Sleeps that end in the same millisecond share \
           one. The timeline packs tasks into rows when there are more tasks than rows of \
           pixels. The Python twin uses asyncio.gather, which makes each coroutine a task \
           that the loop wakes by itself: it shows the waves and their times, but it cannot \
           show join_all's sibling polls, which Python has no counterpart for.\n\n\
           Holding them is cheap; starting them is not free. The second run builds its \
           timers and gives each its first poll in one go, inside one poll of \
           FuturesUnordered, and the browser paints nothing until that is done: at 100,000 \
           timers (the most this widget takes) that start is the run's longest frame gap.",
    python: twin!("many.py"),
    source: demo_source!("many.rs"),
    params: &[TASKS, DELAY],
    button: None,
    endpoints: &[],
    presets: &[
        Preset {
            label: "10,000 timers",
            attributes: &[("tasks", "10000")],
        },
        Preset {
            label: "the defaults",
            attributes: &[("tasks", ""), ("delay-ms", "")],
        },
    ],
    predict: Some(Prediction {
        question: "Under join_all of 10, how many times is the timer of the last wave polled?",
        unit: "polls",
        measure: |runs| Some(f64::from(runs.first()?.tasks.get(9)?.polls())),
        tolerance: 0.0,
        assumes: &[],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let n = ctx.params.number(&TASKS)?;
    let ms = ctx.params.number(&DELAY)?;
    let recorder = &ctx.recorder;
    // demo:start
    let wave = |i: u32| ms / 10 * (i % 10 + 1); // ten waves of finishing times

    let run = recorder.begin_run("join_all of 10");
    let timers = (0..10).map(|i| run.trace(format!("timer {i}"), Sleep::new(wave(i))));
    join_all(timers).await; // 10 ≤ 30: every unfinished timer is polled on every wake
    run.finish().await;

    let run = recorder.begin_run(&format!("FuturesUnordered of {n}"));
    let timers: FuturesUnordered<_> = (0..n)
        .map(|i| run.trace(format!("timer {i}"), Sleep::new(wave(i)))) // ending in the same ms: one setTimeout
        .collect();
    let done = timers.count().await; // polls only the timers that were woken
    recorder.log(format!("{done} timers done, on one thread"));
    run.finish().await;
    // demo:end
    Ok(())
}
