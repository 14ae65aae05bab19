//! Lesson `race`: the first to finish wins; the losers are dropped, and
//! dropping them really cancels them.

use futures::future::select_all;
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::Error;
use crate::tasks::download;

const URLS: Param = Param {
    name: "urls",
    label: "URLs racing (space-separated)",
    default: "async-demo-api/delay/1500 async-demo-api/delay/300 async-demo-api/delay/3000",
    kind: ParamKind::Urls,
};

pub static LESSON: Lesson = Lesson {
    name: "race",
    title: "Racing: the first wins, the rest are cancelled",
    idea: "select_all polls several futures and returns as soon as one of them is ready, \
           handing back the others. What happens to them is up to you: in Rust, dropping a \
           future cancels it, at once and everywhere it reaches.\n\n\
           In the browser that needs care. Dropping a JsFuture only stops listening: the \
           request behind it goes on. Each download here owns an AbortController in a guard \
           that aborts the request when the download is dropped, so the losers' requests are \
           really cut off (the server counts them as aborted: the dev server, or in the static \
           build the widget's Service Worker) and their rows say cancelled.\n\n\
           Python's asyncio.wait(..., return_when=FIRST_COMPLETED) hands back the losers as \
           Tasks that are still running: they go on until you cancel each one, and each \
           cancellation only takes effect when that task next runs, at the await where it \
           is suspended. Here nobody polls the \
           losers once select_all has returned, and the drop ends them on the spot.",
    python: twin!("race.py"),
    source: demo_source!("race.rs"),
    params: &[URLS],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "Three downloads of 1500, 300 and 3000 ms race in select_all. \
                   How many of them end cancelled?",
        unit: "downloads",
        measure: |runs| Some(super::cancelled(runs.first()?)),
        tolerance: 0.0,
        assumes: &[URLS],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let urls = ctx.params.urls(&URLS)?;
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run("select_all");
    let racers = urls
        .iter()
        .map(|url| run.trace(url.clone(), download(url)).boxed_local());
    let (winner, index, losers) = select_all(racers).await;
    drop(losers); // each loser's guard aborts its request
    let outcome = match winner {
        Ok(done) => format!("{done}"),
        Err(e) => format!("failed: {e}"),
    };
    recorder.log(format!("{} won ({outcome})", urls[index]));
    run.finish().await;
    // demo:end
    Ok(())
}
