//! Lesson `errors`: every result vs the first error; retrying with backoff.

use futures::future::{join_all, try_join_all};
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;
use crate::tasks::{download, Sleep};

const URLS: Param = Param {
    name: "urls",
    label: "URLs (space-separated)",
    default: "async-demo-api/delay/400 async-demo-api/status/500 async-demo-api/delay/900",
    kind: ParamKind::Urls,
};

const FAILURES: Param = Param {
    name: "failures",
    label: "the flaky endpoint fails (times)",
    default: "3",
    kind: ParamKind::Number { min: 0, max: 10 },
};

/// The endpoint the retry run calls, beside the widget.
const FLAKY: &str = "async-demo-api/flaky";

/// The retry run gives up after this many attempts.
const MAX_ATTEMPTS: u32 = 5;

pub static LESSON: Lesson = Lesson {
    name: "errors",
    title: "When downloads fail: collect, stop early, or retry",
    idea: "join_all waits for every future and hands back every result, failures \
           included: nothing is lost, and one failure costs nothing but its own row. It \
           is Python's gather(..., return_exceptions=True).\n\n\
           try_join_all stops at the first error instead: it returns that error and drops \
           the futures still running, so their requests are aborted and their rows say \
           cancelled. Its Python counterpart is asyncio.TaskGroup, which cancels the other \
           tasks when one fails. A plain gather is not: it raises the first exception, but \
           the other tasks keep running to their end, unobserved.\n\n\
           Some failures pass. The last run retries a deliberately flaky endpoint (the dev \
           server's, or the static build's Service Worker's), waiting 100 ms, then 200, then 400 between attempts (exponential \
           backoff), and not after the last attempt: when it gives up there is nothing \
           left to wait for. Each attempt is a row of its own on the timeline.",
    python: twin!("errors.py"),
    source: demo_source!("errors.rs"),
    params: &[URLS, FAILURES],
    button: None,
    endpoints: &[FLAKY],
    presets: &[],
    predict: Some(Prediction {
        question: "The downloads are a 400 ms one, an HTTP 500 error that answers at once, \
                   and a 900 ms one. Under try_join_all, how many of the three end cancelled?",
        unit: "downloads",
        measure: |runs| Some(super::cancelled(runs.get(1)?)),
        tolerance: 0.0,
        assumes: &[URLS],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let urls = ctx.params.urls(&URLS)?;
    let failures = ctx.params.number(&FAILURES)?;
    let id = format!("lesson-{:x}", (js_sys::Math::random() * 1e12) as u64);
    let flaky = ctx
        .params
        .resolve_default(&format!("{FLAKY}?id={id}&fail={failures}"));
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("join_all: every result");
    let all = join_all(urls.iter().map(|url| run.trace(url.clone(), download(url)))).await;
    let failed = all.iter().filter(|r| r.is_err()).count();
    recorder.log(format!(
        "join_all: {} results, {failed} of them errors",
        all.len()
    ));
    run.finish().await;

    let run = recorder.begin_run("try_join_all: first error cancels the rest");
    let first = try_join_all(urls.iter().map(|url| run.trace(url.clone(), download(url)))).await;
    if let Err(e) = &first {
        recorder.log(format!("try_join_all stopped at: {e}"));
    }
    run.finish().await;

    let run = recorder.begin_run("retry with exponential backoff");
    let mut attempt = 1;
    let result = loop {
        let result = run.trace(format!("attempt {attempt}"), download(&flaky)).await;
        if result.is_ok() || attempt == MAX_ATTEMPTS {
            break result; // no wait after the last attempt
        }
        Sleep::new(100 << (attempt - 1)).await; // 100, 200, 400, 800 ms
        attempt += 1;
    };
    match &result {
        Ok(done) => recorder.log(format!("succeeded: {done}")),
        Err(e) => recorder.log(format!("gave up: {e}")),
    }
    run.finish().await;
    // demo:end
    Ok(())
}
