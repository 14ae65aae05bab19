//! Lesson `input`: waiting for the person at the page, raced against a
//! deadline, while the page stays live.

use futures::future::{pending, select, Either};
use futures::{FutureExt, StreamExt};

use super::{Clicks, Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;
use crate::tasks::Sleep;

const TIMEOUT: Param = Param {
    name: "timeout-ms",
    label: "wait for a click for (ms)",
    default: "5000",
    kind: ParamKind::Number { min: 1, max: 120_000 },
};

pub static LESSON: Lesson = Lesson {
    name: "input",
    title: "Waiting for the user: a click, or the deadline",
    idea: "Not every wait is for a timer or the network. A click is an event the page \
           waits for too, and its arrival can be a future like any other: the widget's \
           listener on the button sends each click into a channel, and the next item of \
           that channel is a future that is ready when the person clicks.\n\n\
           Press Run, then \"Click me\" before the deadline, or do not. The click and a \
           Sleep are raced with select: whichever comes first ends the run, and the other \
           future is dropped (its row says cancelled). While nobody clicks, nothing is \
           polled and nothing spins: the ticker keeps moving and the longest frame gap \
           stays small. A blocking wait for input, the way a terminal program reads a \
           line, would freeze the very page the person has to click in.\n\n\
           The Python twin waits for a line on standard input instead, with the event \
           loop watching the file descriptor (loop.add_reader), which is the same idea: \
           no thread sits blocked in a read; a callback fires when input is there.",
    python: twin!("input.py"),
    source: demo_source!("input.rs"),
    params: &[TIMEOUT],
    button: Some("Click me"),
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "Click “Click me” before the deadline. How many times is the deadline's \
                   Sleep polled?",
        unit: "polls",
        // Once, at the start; the click ends select, which drops it unpolled.
        measure: |runs| Some(f64::from(runs.first()?.tasks.get(1)?.polls())),
        tolerance: 0.0,
        assumes: &[],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let ms = ctx.params.number(&TIMEOUT)?;
    let (recorder, mut clicks) = (&ctx.recorder, ctx.clicks);
    // demo:start
    // Ready at the next click; the view's listener feeds `clicks`.
    async fn next_click(clicks: &mut Clicks) -> &'static str {
        match clicks.next().await {
            Some(()) => "clicked",
            None => pending().await, // no button here (runLesson): only the deadline can win
        }
    }

    let run = recorder.begin_run("a click, or the deadline");
    let click = run.trace("the next click on “Click me”", next_click(&mut clicks));
    let deadline = run.trace(format!("Sleep::new({ms})"), Sleep::new(ms));
    // select owns both (boxed, so pinned) and hands the loser back, still pending.
    match select(Box::pin(click), Box::pin(deadline)).await {
        Either::Left((_, deadline)) => {
            drop(deadline); // cancelled mid-wait: its row says so
            recorder.log("clicked: the deadline was dropped");
        }
        Either::Right((_, click)) => {
            drop(click);
            recorder.log(format!("no click within {ms} ms: the wait was dropped"));
        }
    }
    run.finish().await;
    // demo:end
    Ok(())
}
