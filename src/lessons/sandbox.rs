//! Lesson `sandbox`: a program of your own, in a subset of async Rust (see
//! `crate::sandbox`), run with real futures.

use futures::FutureExt;

use super::{Ctx, Lesson, Param, ParamKind};
use crate::error::Error;

/// The program shown when the element has no `program` attribute.
pub const DEFAULT_PROGRAM: &str = "\
// Two downloads at once, then a timer. Edit me, then Run or Step.
let slow = fetch(\"async-demo-api/delay/600\");
let quick = fetch(\"async-demo-api/delay/200\");
let (a, b) = join!(slow, quick);
println!(\"{} / {}\", a?, b?);
sleep(300).await;";

/// The `program` attribute.
pub const PROGRAM: Param = Param {
    name: "program",
    label: "your program",
    default: DEFAULT_PROGRAM,
    kind: ParamKind::Program,
};

pub static LESSON: Lesson = Lesson {
    name: "sandbox",
    title: "Your own program: async Rust, run for real",
    idea: "Write a few lines of async Rust and run them: each future you write (sleep, fetch, \
           join!, select, an async block, …) is the real one, polled by the browser's executor \
           and drawn below; Step polls one at a time and lights the line that wrote it. Beside \
           it, the same program in Python's asyncio and in JavaScript. The program is the body \
           of an async fn that returns Result<(), Error>: `?` works at its top level. It \
           compiles as real Rust after one line, use async_demo::sandbox::prelude::*;, and \
           relative URLs point at the widget's folder, where its async-demo-api/ endpoints are.",
    python: "The Python twin of your program is written from it, beside the editor.",
    source: demo_source!("sandbox.rs"),
    params: &[PROGRAM],
    button: Some("Click me"),
    endpoints: &[],
    presets: &[],
    predict: None,
    run: |ctx| run(ctx).boxed_local(),
};

async fn run(ctx: Ctx) -> Result<(), Error> {
    let source = ctx.params.text(&PROGRAM);
    let base = ctx.params.module_base().to_string();
    // demo:start
    crate::sandbox::run(&source, &base, &ctx.recorder, ctx.clicks).await
    // demo:end
}
