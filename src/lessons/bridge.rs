//! Lesson `bridge`: Rust awaits a JS Promise; JS awaits a Rust async fn.

use futures::FutureExt;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::{Ctx, Lesson, Param, ParamKind, Prediction};
use crate::error::{js_to_error, Error};
use crate::tasks::js_timeout_promise;

const DELAY: Param = Param {
    name: "delay-ms",
    label: "each side waits (ms)",
    default: "600",
    kind: ParamKind::Number { min: 0, max: 30_000 },
};

pub static LESSON: Lesson = Lesson {
    name: "bridge",
    title: "Rust futures and JavaScript Promises, both ways",
    idea: "wasm-bindgen-futures joins the two worlds. JsFuture wraps a JavaScript \
           Promise as a Rust future: awaiting it parks the Rust task until JavaScript \
           settles the Promise. The other way, a #[wasm_bindgen] pub async fn is exported \
           as a function that returns a Promise: JavaScript awaits Rust like any other \
           async function, and the future runs on wasm-bindgen-futures' task queue, which \
           the browser drives through its microtasks.\n\n\
           The first run awaits a Promise that JavaScript's setTimeout resolves. The second \
           calls a JavaScript function (its source is shown below) that awaits this crate's \
           exported sleep(ms), and shows what JavaScript got back.",
    python: "There is no faithful Python twin for this lesson. It is about two languages \
             meeting: Rust futures and JavaScript Promises awaiting each other across the \
             boundary between wasm and JavaScript, and asyncio lives inside one language. The \
             nearest idea in asyncio is loop.create_future(): a future that callback code \
             completes with set_result, the way JavaScript settles the Promise behind a \
             JsFuture.",
    source: demo_source!("bridge.rs"),
    params: &[DELAY],
    button: None,
    endpoints: &[],
    presets: &[],
    predict: Some(Prediction {
        question: "How many times is JsFuture::from(promise), on the Promise that JavaScript's \
                   setTimeout resolves, polled?",
        unit: "polls",
        // A Promise awaited from Rust is a future like any other: polled,
        // woken by its then callback, polled again.
        measure: |runs| Some(f64::from(runs.first()?.tasks.first()?.polls())),
        tolerance: 0.0,
        assumes: &[],
    }),
    run: |ctx| run(ctx).boxed_local(),
};

#[async_demo_macros::mark_awaits]
async fn run(ctx: Ctx) -> Result<(), Error> {
    let ms = ctx.params.number(&DELAY)?;
    let recorder = &ctx.recorder;
    let js_side = ctx.bridge.clone();
    // demo:start
    // Rust awaits JavaScript: a Promise resolved by JS's own setTimeout.
    let run = recorder.begin_run("Rust awaits a JS Promise");
    let promise = js_timeout_promise(ms, "resolved by setTimeout in JavaScript");
    let from_js = JsFuture::from(promise).map(js_text);
    let value = run.trace("JsFuture::from(promise).await", from_js).await?;
    recorder.log(format!("Rust got: {value}"));
    run.finish().await;

    // JavaScript awaits Rust: the page's JS calls the exported `sleep`
    // (a #[wasm_bindgen] pub async fn) and awaits its Promise.
    let run = recorder.begin_run("JS awaits a Rust async fn");
    let Some(js_side) = js_side else {
        return Err(Error::Setup(
            "this run needs a JavaScript function to call, which the <async-demo> element passes \
             and runLesson() does not: run this lesson in the element"
                .into(),
        ));
    };
    let promise = js_side.call1(&JsValue::NULL, &ms.into()).map_err(js_to_error)?;
    let promise = js_sys::Promise::resolve(&promise);
    let from_rust = JsFuture::from(promise).map(js_text);
    let value = run.trace("await sleep(ms) in JavaScript", from_rust).await?;
    recorder.log(format!("JavaScript got: {value}"));
    run.finish().await;
    // demo:end
    Ok(())
}

/// A settled Promise's value as text.
fn js_text(settled: Result<JsValue, JsValue>) -> Result<String, Error> {
    let value = settled.map_err(js_to_error)?;
    Ok(value.as_string().unwrap_or_else(|| format!("{value:?}")))
}
