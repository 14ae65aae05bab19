//! Lesson `gather`: the same downloads one after another, then all at once.

use futures::future::join_all;
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind, Prediction, Preset};
use crate::error::Error;
use crate::tasks::{download, with_timeout};

const URLS: Param = Param {
    name: "urls",
    label: "URLs (space-separated)",
    default: "async-demo-api/delay/700 async-demo-api/drip?bytes=30000&ms=1000 async-demo-api/delay/400",
    kind: ParamKind::Urls,
};

const TIMEOUT: Param = Param {
    name: "timeout-ms",
    label: "give up on one download after (ms)",
    default: "15000",
    kind: ParamKind::Number { min: 1, max: 120_000 },
};

pub static LESSON: Lesson = Lesson {
    name: "gather",
    title: "Downloads one by one, then all at once with join_all",
    idea: "A download spends nearly all its time waiting for the network. Awaited one \
           after another, those waits add up: the total is the sum. Handed to join_all \
           together, all the downloads start at once and their waits overlap: the total is \
           about the slowest one. join_all keeps its results in the order of its inputs, \
           whatever order they finish in.\n\n\
           \"At once\" has a limit that is the browser's, not Rust's. Over HTTP/1.1 a browser \
           opens at most six connections to one host, and the dev server speaks HTTP/1.1: \
           give this lesson more than six slow URLs of one host and the seventh request \
           waits inside the browser until a connection is free, though its future is \
           pending like the others. The timeline shows it: that download's wait is one \
           request longer. (In the static build, cargo xtask dist, the widget's Service \
           Worker answers these URLs inside the browser with no connection at all, so \
           there the seventh starts at once.)\n\n\
           Both runs fetch the same URLs for real. A URL that fails (unreachable, an HTTP \
           error, too slow) fails its own row only; the other downloads complete.",
    python: twin!("gather.py"),
    source: demo_source!("gather.rs"),
    params: &[URLS, TIMEOUT],
    button: None,
    endpoints: &[],
    presets: &[
        Preset {
            label: "the article's example: three downloads of 2 s",
            attributes: &[("urls", "async-demo-api/delay/2000 async-demo-api/delay/2000 async-demo-api/delay/2000")],
        },
        Preset {
            label: "eight slow downloads from one host",
            attributes: &[(
                "urls",
                "async-demo-api/delay/1000 async-demo-api/delay/1000 async-demo-api/delay/1000 async-demo-api/delay/1000 \
                 async-demo-api/delay/1000 async-demo-api/delay/1000 async-demo-api/delay/1000 async-demo-api/delay/1000",
            )],
        },
        Preset {
            label: "the defaults",
            attributes: &[("urls", ""), ("timeout-ms", "")],
        },
    ],
    predict: Some(Prediction {
        question: "With the default URLs the downloads take about 700, 1000 and 400 ms each. \
                   How long will the concurrent run take?",
        unit: "ms",
        measure: |runs| crate::report::total_ms(runs.get(1)?),
        tolerance: 0.25,
        // The question gives the default URLs' times; the timeout could cut them.
        assumes: &[URLS, TIMEOUT],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let urls = ctx.params.urls(&URLS)?;
    let timeout_ms = ctx.params.number(&TIMEOUT)?;
    let recorder = &ctx.recorder;
    // demo:start
    let fetch = |url: String| async move { with_timeout(timeout_ms, download(&url)).await };

    let run = recorder.begin_run("sequential");
    for url in &urls {
        let _ = run.trace(url.clone(), fetch(url.clone())).await; // next starts after this ends
    }
    run.finish().await;

    let run = recorder.begin_run("concurrent");
    let downloads = urls.iter().map(|url| run.trace(url.clone(), fetch(url.clone())));
    let results = join_all(downloads).await; // all in flight at once; results in input order
    let failed = results.iter().filter(|r| r.is_err()).count();
    recorder.log(format!("{} downloads, {failed} failed", results.len()));
    run.finish().await;
    // demo:end
    Ok(())
}
