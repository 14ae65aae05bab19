//! Lesson `progress`: reading bodies as they stream in.

use futures::future::join_all;
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;
use crate::tasks::{download_with_progress, MAX_BODY_BYTES};

const URLS: Param = Param {
    name: "urls",
    label: "URLs (space-separated)",
    default: "async-demo-api/drip?bytes=300000&ms=2500 async-demo-api/drip?bytes=80000&ms=1200 async-demo-api/drip?bytes=600000&ms=3500",
    kind: ParamKind::Urls,
};

pub static LESSON: Lesson = Lesson {
    name: "progress",
    title: "Progress: reading a body as it arrives",
    idea: "A response's body is a stream. Instead of waiting for all of it, each download \
           here reads it chunk by chunk from a ReadableStream, awaiting every read, and \
           reports its byte count as it goes. With the Content-Length header that gives a \
           progress bar and a rate in bytes per second.\n\n\
           On the timeline every chunk is a wake and a short poll: a slow stream is many \
           small pieces of work with waiting in between. The rows show more polls than \
           wakes: the three downloads are under one join_all, which polls all three \
           whenever any one of them is woken.",
    python: twin!("progress.py"),
    source: demo_source!("progress.rs"),
    params: &[URLS],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "The three downloads stream for 2.5, 1.2 and 3.5 seconds, all in one join_all. \
                   How long does the run take?",
        unit: "ms",
        measure: |runs| crate::report::total_ms(runs.first()?),
        tolerance: 0.25,
        assumes: &[URLS],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let urls = ctx.params.urls(&URLS)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("streamed downloads");
    let downloads = urls.iter().map(|url| {
        let url = url.clone();
        run.trace_with_progress(url.clone(), |progress| async move {
            // Called after every chunk: bytes so far, and Content-Length.
            let report = |done, total| progress.report(done, total);
            download_with_progress(&url, MAX_BODY_BYTES, report).await
        })
    });
    let results = join_all(downloads).await;
    let bytes: u64 = results.iter().flatten().map(|d| d.bytes).sum();
    recorder.log(format!("{bytes} bytes in all"));
    run.finish().await;
    // demo:end
    Ok(())
}
