//! Lesson `timeout`: a deadline on a download.

use futures::future::join_all;
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;
use crate::tasks::{download, with_timeout};

const URLS: Param = Param {
    name: "urls",
    label: "URLs (space-separated)",
    default: "api/delay/200 api/delay/2500",
    kind: ParamKind::Urls,
};

const TIMEOUT: Param = Param {
    name: "timeout-ms",
    label: "deadline (ms)",
    default: "800",
    kind: ParamKind::Number { min: 1, max: 120_000 },
};

/// The lesson.
pub static LESSON: Lesson = Lesson {
    name: "timeout",
    title: "Deadlines: give up after so long",
    idea: "A deadline is a race against a timer. with_timeout runs the download and a \
           timer together; if the timer wins, the download is dropped, which aborts its \
           request, and the task ends with an error that says how long it waited.\n\n\
           Here each URL gets the same deadline: the quick one finishes, the slow one is \
           cut off when the deadline passes, and the dev server sees its request aborted.",
    python: "try:\n    body = await asyncio.wait_for(download(url), timeout=0.8)\n\
             except asyncio.TimeoutError:\n    print(\"gave up\")",
    source: include_str!("timeout.rs"),
    params: &[URLS, TIMEOUT],
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let urls = ctx.params.urls(&URLS, 20)?;
    let ms = ctx.params.number(&TIMEOUT)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("with_timeout");
    let guarded = urls.iter().map(|url| {
        let url = url.clone();
        run.task(url.clone(), async move { with_timeout(ms, download(&url)).await })
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
