//! The one clock every recording uses: `performance.now()` in milliseconds.

#[cfg(target_arch = "wasm32")]
thread_local! {
    // Looked up once: `performance` is the same object for the page's life,
    // and fetching it through the global object on every poll would be most
    // of the tracer's cost. (A static import, `js_namespace = performance`,
    // does exactly that lookup in its JS shim: measured, it nearly doubled
    // the traced Sleep bench.)
    static PERFORMANCE: Option<web_sys::Performance> = {
        use wasm_bindgen::JsCast;
        js_sys::Reflect::get(&js_sys::global(), &"performance".into())
            .ok()
            .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
    };
}

thread_local! {
    static FROZEN: std::cell::Cell<Option<f64>> = const { std::cell::Cell::new(None) };
}

/// Milliseconds since the page (or worker) started, with sub-millisecond
/// resolution where the browser allows it.
#[cfg(target_arch = "wasm32")]
pub fn now() -> f64 {
    if let Some(t) = FROZEN.with(std::cell::Cell::get) {
        return t;
    }
    PERFORMANCE.with(|p| p.as_ref().map_or(0.0, |p| p.now()))
}

/// Runs `f` with [`now`] answering `at` without asking the browser: for one
/// event that touches many tasks at one instant (a timer waking every task
/// that waits for it), so that each wake costs no clock read.
pub fn frozen_at<R>(at: f64, f: impl FnOnce() -> R) -> R {
    let outer = FROZEN.with(|c| c.replace(Some(at)));
    let result = f();
    FROZEN.with(|c| c.set(outer));
    result
}

/// Native builds (unit tests of the pure logic) have no browser clock.
#[cfg(not(target_arch = "wasm32"))]
pub fn now() -> f64 {
    FROZEN.with(std::cell::Cell::get).unwrap_or(0.0)
}
