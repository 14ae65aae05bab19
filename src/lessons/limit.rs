//! Lesson `limit`: many tasks, at most K in flight.

use futures::stream::{self, StreamExt};
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind, Prediction, Preset};
use crate::error::Error;
use crate::tasks::download;

const URLS: Param = Param {
    name: "urls",
    label: "URLs (space-separated)",
    default: "async-demo-api/delay/400 async-demo-api/delay/400 async-demo-api/delay/400 async-demo-api/delay/400 async-demo-api/delay/400 \
              async-demo-api/delay/400 async-demo-api/delay/400 async-demo-api/delay/400 async-demo-api/delay/400 async-demo-api/delay/400 \
              async-demo-api/delay/400 async-demo-api/delay/400",
    kind: ParamKind::Urls,
};

const CONCURRENCY: Param = Param {
    name: "concurrency",
    label: "at most in flight",
    default: "3",
    kind: ParamKind::Range { min: 1, max: 12 },
};

pub static LESSON: Lesson = Lesson {
    name: "limit",
    title: "Bounded concurrency: at most K at a time",
    idea: "Starting everything at once is not always kind: a server may allow only so \
           many requests per client. buffer_unordered(k) pulls futures from a stream and \
           keeps at most k of them in flight; as one finishes, the next starts.\n\n\
           The timeline shows k lanes busy at a time, in waves; with n downloads of about \
           the same length the total is about ceil(n / k) of them, and the server (the dev \
           server, or in the static build the widget's Service Worker) never sees more \
           than k of these requests at once.\n\n\
           Against a real server, slide k past 6 and the total stops shrinking. Rust keeps \
           k futures pending, but the browser opens at most six HTTP/1.1 connections to \
           one host and queues the other requests itself: the dev server's peak in flight \
           stays at 6, and twelve downloads take two waves, not one. The limit is per \
           host: URLs spread over several hosts, or one HTTP/2 host, would go past it, and \
           so do the answers of the static build's Service Worker (cargo xtask dist), \
           which use no connection: there k = 12 has twelve in flight and takes one wave.",
    python: twin!("limit.py"),
    source: demo_source!("limit.rs"),
    params: &[URLS, CONCURRENCY],
    button: None,
    endpoints: &[],
    presets: &[
        Preset {
            label: "k = 6",
            attributes: &[("concurrency", "6")],
        },
        Preset {
            label: "k = 12 (past six connections)",
            attributes: &[("concurrency", "12")],
        },
        Preset {
            label: "the defaults",
            attributes: &[("concurrency", ""), ("urls", "")],
        },
    ],
    predict: Some(Prediction {
        // A count, not the run's time: each download's round trip adds to
        // its 400 ms, by as much as a third on a busy machine.
        question: "Twelve downloads of 400 ms each go through buffer_unordered(3). \
                   At most how many of them are in flight at the same moment?",
        unit: "downloads",
        measure: |runs| Some(super::most_at_once(runs.first()?)),
        tolerance: 0.0,
        assumes: &[URLS, CONCURRENCY],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let urls = ctx.params.urls(&URLS)?;
    let k = ctx.params.number(&CONCURRENCY)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run(&format!("buffer_unordered({k})"));
    // All n futures exist from the start (lazy: none has sent anything yet) ...
    let downloads: Vec<_> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| run.trace(format!("download {}", i + 1), download(url)))
        .collect();
    // ... and buffer_unordered polls at most k of them at a time.
    let results: Vec<_> = stream::iter(downloads)
        .buffer_unordered(k as usize)
        .collect()
        .await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    let n = results.len();
    recorder.log(format!("{n} downloads, at most {k} at a time, {failed} failed"));
    run.finish().await;
    // demo:end
    Ok(())
}
