//! Helpers shared by the wasm-bindgen test suites.
#![allow(dead_code)]

use std::collections::BTreeMap;

use async_demo::lessons::Params;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The dev server `cargo xtask test` starts, given to the build by the
/// environment. These suites never reach the internet.
// Read at compile time, checked at run time: suites that need no server
// still build without it.
#[allow(clippy::option_env_unwrap)]
pub fn server() -> &'static str {
    option_env!("ASYNC_DEMO_SERVER")
        .expect("set ASYNC_DEMO_SERVER to the dev server's origin (cargo xtask test does)")
}

/// `path` on the dev server.
pub fn url(path: &str) -> String {
    format!("{}{path}", server())
}

/// Lesson parameters from attribute pairs; relative URLs resolve against the dev server.
pub fn params(pairs: &[(&str, &str)]) -> Params {
    let values: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let base = format!("{}/", server());
    Params::new(values, &base, &base)
}

/// The dev server's request counters, e.g. `stat("aborted").await`.
pub async fn stat(name: &str) -> f64 {
    let window = web_sys::window().expect("tests run in a page");
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url("/async-demo-api/stats")))
        .await
        .expect("GET /async-demo-api/stats")
        .dyn_into()
        .expect("a Response");
    let text = JsFuture::from(response.text().expect("a body"))
        .await
        .expect("the body");
    let json = js_sys::JSON::parse(&text.as_string().expect("text")).expect("stats are JSON");
    js_sys::Reflect::get(&json, &name.into())
        .expect("the counter")
        .as_f64()
        .expect("a number")
}

/// Waits `ms` milliseconds.
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}
