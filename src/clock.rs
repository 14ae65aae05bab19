//! The one clock every recording uses: `performance.now()` in milliseconds.

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    // `performance.now()` called as a static function: no object to look up
    // or pass on each call. Pages and workers both have `performance`. It is
    // the tracer's largest cost (about 0.2 µs a call in Chromium here, most
    // of it in the browser), so the tracer reads it as rarely as it can.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
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
    performance_now()
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
