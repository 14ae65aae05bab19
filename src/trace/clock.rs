//! The one clock every recording uses: `performance.now()` in milliseconds.

#[cfg(target_arch = "wasm32")]
thread_local! {
    // Looked up once: `performance` is the same object for the page's life,
    // and fetching it through the global object on every poll would be most
    // of the tracer's cost.
    static PERFORMANCE: Option<web_sys::Performance> = {
        use wasm_bindgen::JsCast;
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
    };
}

/// Milliseconds since the page (or worker) started, with sub-millisecond
/// resolution where the browser allows it.
#[cfg(target_arch = "wasm32")]
pub fn now() -> f64 {
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, |p| p.now()))
}

/// Native builds (unit tests of the pure logic) have no browser clock.
#[cfg(not(target_arch = "wasm32"))]
pub fn now() -> f64 {
    0.0
}
