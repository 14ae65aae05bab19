//! Lesson `limit`: many tasks, at most K in flight.

use futures::stream::{self, StreamExt};
use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;
use crate::tasks::download;

const TASKS: Param = Param {
    name: "tasks",
    label: "downloads",
    default: "12",
    kind: ParamKind::Number { min: 1, max: 200 },
};

const CONCURRENCY: Param = Param {
    name: "concurrency",
    label: "at most in flight",
    default: "3",
    kind: ParamKind::Range { min: 1, max: 12 },
};

const DELAY: Param = Param {
    name: "delay-ms",
    label: "each takes (ms)",
    default: "400",
    kind: ParamKind::Number { min: 0, max: 30_000 },
};

/// The lesson.
pub static LESSON: Lesson = Lesson {
    name: "limit",
    title: "Bounded concurrency: at most K at a time",
    idea: "Starting everything at once is not always kind: a server may allow only so \
           many requests per client, and a browser keeps only a few connections per host \
           anyway. buffer_unordered(k) pulls futures from a stream and keeps at most k of \
           them in flight; as one finishes, the next starts.\n\n\
           The timeline shows k lanes busy at a time, in waves; the total is about \
           ceil(n / k) times one download, and the dev server never sees more than k \
           of these requests at once.",
    python: "sem = asyncio.Semaphore(3)\n\nasync def limited(url):\n    async with sem:\n        return await download(url)\n\n\
             await asyncio.gather(*(limited(u) for u in urls))",
    source: include_str!("limit.rs"),
    params: &[TASKS, CONCURRENCY, DELAY],
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let n = ctx.params.number(&TASKS)?;
    let k = ctx.params.number(&CONCURRENCY)?;
    let url = ctx
        .params
        .resolve_default(&format!("api/delay/{}", ctx.params.number(&DELAY)?));
    let recorder = &ctx.recorder;
    // demo:start
    let run = recorder.begin_run(&format!("buffer_unordered({k})"));
    // All n tasks exist from the start (lazy: none has sent anything yet) ...
    let downloads: Vec<_> = (1..=n)
        .map(|i| run.task(format!("download {i}"), download(&url)))
        .collect();
    // ... and buffer_unordered polls at most k of them at a time.
    let results: Vec<_> = stream::iter(downloads)
        .buffer_unordered(k as usize)
        .collect()
        .await;
    let failed = results.iter().filter(|r| r.is_err()).count();
    recorder.log(format!("{n} downloads, at most {k} at a time, {failed} failed"));
    run.finish().await;
    // demo:end
    Ok(())
}
