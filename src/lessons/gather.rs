//! Lesson `gather`: the same downloads one after another, then all at once.

use futures::future::join_all;
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;
use crate::tasks::{download, with_timeout};

/// At most this many URLs: each becomes a row and two real requests.
pub const MAX_URLS: usize = 50;

const URLS: Param = Param {
    name: "urls",
    label: "URLs (space-separated)",
    default: "api/delay/700 api/drip?bytes=30000&ms=1000 api/delay/400",
    kind: ParamKind::Urls,
};

const TIMEOUT: Param = Param {
    name: "timeout-ms",
    label: "give up on one download after (ms)",
    default: "15000",
    kind: ParamKind::Number { min: 1, max: 120_000 },
};

/// The lesson.
pub static LESSON: Lesson = Lesson {
    name: "gather",
    title: "Downloads one by one, then all at once with join_all",
    idea: "A download spends nearly all its time waiting for the network. Awaited one \
           after another, those waits add up: the total is the sum. Handed to join_all \
           together, every request is sent at once and the waits overlap: the total is \
           about the slowest one. join_all keeps its results in the order of its inputs, \
           whatever order they finish in.\n\n\
           Both runs fetch the same URLs for real. A URL that fails (unreachable, an HTTP \
           error, too slow) fails its own row only; the other downloads complete.",
    python: "async def download(session, url):\n    async with session.get(url) as resp:\n        return await resp.read()\n\n\
             async def main():\n    async with aiohttp.ClientSession() as s:\n        \
             for url in urls:                # one by one\n            await download(s, url)\n        \
             await asyncio.gather(*(download(s, u) for u in urls))  # all at once",
    source: include_str!("gather.rs"),
    params: &[URLS, TIMEOUT],
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let urls = ctx.params.urls(&URLS, MAX_URLS)?;
    let timeout_ms = ctx.params.number(&TIMEOUT)?;
    let recorder = &ctx.recorder;
    // demo:start
    let fetch = |url: String| async move { with_timeout(timeout_ms, download(&url)).await };

    let run = recorder.begin_run("sequential");
    for url in &urls {
        let _ = run.task(url.clone(), fetch(url.clone())).await; // next starts after this ends
    }
    run.finish().await;

    let run = recorder.begin_run("concurrent");
    let downloads = urls.iter().map(|url| run.task(url.clone(), fetch(url.clone())));
    let results = join_all(downloads).await; // all in flight at once; results in input order
    let failed = results.iter().filter(|r| r.is_err()).count();
    recorder.log(format!("{} downloads, {failed} failed", results.len()));
    run.finish().await;
    // demo:end
    Ok(())
}
