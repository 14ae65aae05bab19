//! Lesson `timeout`: a deadline on a download.

use futures::future::join_all;
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;
use crate::tasks::{download, with_timeout};

const URLS: Param = Param {
    name: "urls",
    label: "URLs (space-separated)",
    default: "async-demo-api/delay/200 async-demo-api/delay/2500",
    kind: ParamKind::Urls,
};

const TIMEOUT: Param = Param {
    name: "timeout-ms",
    label: "deadline (ms)",
    default: "800",
    kind: ParamKind::Number { min: 1, max: 120_000 },
};

pub static LESSON: Lesson = Lesson {
    name: "timeout",
    title: "Deadlines: give up after so long",
    idea: "A deadline is a race against a timer. with_timeout runs the download and a \
           timer together; if the timer wins, the download is dropped, which aborts its \
           request, and the task ends with an error that says how long it waited.\n\n\
           Here each URL gets the same deadline: the quick one finishes, the slow one is \
           cut off when the deadline passes, and the server (the dev server, or the static \
           build's Service Worker) sees its request aborted.\n\n\
           Python's asyncio.wait_for does the same job differently: when time is up it \
           cancels what it awaits (up to Python 3.11 a task it wrapped the coroutine in; \
           since 3.12 the coroutine itself, through asyncio.timeout) and lets it handle \
           the CancelledError before raising TimeoutError, so a coroutine that cleans up \
           slowly makes the timeout late. A \
           Rust future is dropped at the deadline; its cleanup runs in destructors, which \
           cannot wait.",
    python: twin!("timeout.py"),
    source: demo_source!("timeout.rs"),
    params: &[URLS, TIMEOUT],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "The downloads take 200 and 2500 ms, each under a deadline of 800 ms, \
                   all in one join_all. How long does the run take?",
        unit: "ms",
        measure: |runs| crate::report::total_ms(runs.first()?),
        tolerance: 0.25,
        assumes: &[URLS, TIMEOUT],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let urls = ctx.params.urls(&URLS)?;
    let ms = ctx.params.number(&TIMEOUT)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("with_timeout");
    let guarded = urls.iter().map(|url| {
        let url = url.clone();
        run.trace(url.clone(), async move { with_timeout(ms, download(&url)).await })
    });
    let results = join_all(guarded).await;
    let late = results
        .iter()
        .filter(|r| matches!(r, Err(Error::TimedOut { .. })))
        .count();
    recorder.log(format!(
        "{late} of {} downloads missed the {ms} ms deadline",
        results.len()
    ));
    run.finish().await;
    // demo:end
    Ok(())
}
