//! Animation-frame measurement: how long the main thread went without
//! painting. A blocked thread shows up here as one long gap.

#[cfg(target_arch = "wasm32")]
mod imp {
    use std::cell::RefCell;
    use std::rc::Rc;

    use futures::future::select;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen_futures::JsFuture;

    use crate::clock::now;
    use crate::frame_loop::FrameLoop;
    use crate::tasks::Sleep;

    type EntriesCallback = Closure<dyn FnMut(web_sys::PerformanceObserverEntryList)>;

    /// Long tasks (main-thread work of 50 ms or more) as the browser reports
    /// them, where it does (Chromium; Firefox has no `longtask` entries).
    struct LongTasks {
        observer: web_sys::PerformanceObserver,
        // Kept alive while the observer may call it; dropped after disconnect.
        _callback: EntriesCallback,
    }

    /// Reports animation frames, and collects long tasks, from `start`
    /// until `stop`.
    pub struct FrameMeter {
        start: f64,
        long_tasks: Rc<RefCell<Vec<(f64, f64)>>>,
        running: Option<FrameLoop>,
        observer: Option<LongTasks>,
    }

    impl std::fmt::Debug for FrameMeter {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("FrameMeter")
                .field("start", &self.start)
                .finish_non_exhaustive()
        }
    }

    fn push_entries(entries: &js_sys::Array, sink: &RefCell<Vec<(f64, f64)>>) {
        use wasm_bindgen::JsCast;
        let mut sink = sink.borrow_mut();
        for entry in entries.iter() {
            if let Ok(entry) = entry.dyn_into::<web_sys::PerformanceEntry>() {
                sink.push((entry.start_time(), entry.duration()));
            }
        }
    }

    fn observe_long_tasks(sink: &Rc<RefCell<Vec<(f64, f64)>>>) -> Option<LongTasks> {
        use wasm_bindgen::JsCast;
        let supported = js_sys::Reflect::get(&js_sys::global(), &"PerformanceObserver".into())
            .and_then(|ctor| js_sys::Reflect::get(&ctor, &"supportedEntryTypes".into()))
            .ok()
            .map(|types| js_sys::Array::from(&types))
            .is_some_and(|types| types.includes(&"longtask".into(), 0));
        if !supported {
            return None;
        }
        let sink = sink.clone();
        let callback: EntriesCallback = Closure::new(move |list: web_sys::PerformanceObserverEntryList| {
            push_entries(&list.get_entries(), &sink)
        });
        let observer = web_sys::PerformanceObserver::new(callback.as_ref().unchecked_ref()).ok()?;
        let init = web_sys::PerformanceObserverInit::new(&js_sys::Array::of1(&"longtask".into()));
        observer.observe(&init);
        Some(LongTasks {
            observer,
            _callback: callback,
        })
    }

    impl FrameMeter {
        /// Starts now: calls `on_frame(time)` at every animation frame.
        /// Where there is no window (a worker), there are no frames.
        pub fn start(mut on_frame: impl FnMut(f64) + 'static) -> Self {
            // `performance.now()` rather than the frame's timestamp: the same
            // clock as the run's start and end.
            let running = FrameLoop::start(move |_| on_frame(now()));
            let long_tasks = Rc::new(RefCell::new(Vec::new()));
            let observer = observe_long_tasks(&long_tasks);
            FrameMeter {
                start: now(),
                long_tasks,
                running,
                observer,
            }
        }

        /// Stops; returns the long tasks the browser reported meanwhile.
        pub fn stop(mut self) -> Vec<(f64, f64)> {
            self.running = None;
            if let Some(long) = self.observer.take() {
                push_entries(&long.observer.take_records(), &self.long_tasks);
                long.observer.disconnect();
            }
            let mut long_tasks = std::mem::take(&mut *self.long_tasks.borrow_mut());
            // A long task that began before the run (the run started inside it) still counts.
            long_tasks.retain(|(start, duration)| start + duration > self.start);
            long_tasks
        }
    }

    impl Drop for FrameMeter {
        fn drop(&mut self) {
            if let Some(long) = self.observer.take() {
                long.observer.disconnect();
            }
        }
    }

    /// Resolves at the next animation frame, or after 100 ms where frames
    /// do not come (a hidden tab, a worker).
    pub async fn next_frame() {
        let frame = web_sys::window().map(|window| {
            let promise = js_sys::Promise::new(&mut |resolve, _reject| {
                let _ = window.request_animation_frame(&resolve);
            });
            JsFuture::from(promise)
        });
        match frame {
            Some(frame) => {
                let _ = select(frame, Sleep::new(100)).await;
            }
            None => Sleep::new(0).await,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    /// Native stand-in: there are no frames outside a browser.
    #[derive(Debug)]
    pub struct FrameMeter;

    impl FrameMeter {
        /// Does nothing natively.
        pub fn start(_on_frame: impl FnMut(f64) + 'static) -> Self {
            FrameMeter
        }
        /// No long tasks natively.
        pub fn stop(self) -> Vec<(f64, f64)> {
            Vec::new()
        }
    }

    /// Natively, returns at once.
    pub async fn next_frame() {}
}

pub use imp::{next_frame, FrameMeter};

/// The longest interval in `start, frames…, end`.
pub fn longest_gap(start: f64, frames: &[f64], end: f64) -> f64 {
    let mut last = start;
    let mut longest: f64 = 0.0;
    for &t in frames.iter().chain(std::iter::once(&end)) {
        longest = longest.max(t - last);
        last = t;
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::longest_gap;

    #[test]
    fn the_gap_before_the_first_frame_and_after_the_last_count() {
        assert_eq!(longest_gap(0.0, &[16.0, 33.0, 50.0], 60.0), 17.0);
        assert_eq!(longest_gap(0.0, &[500.0, 516.0], 520.0), 500.0);
        assert_eq!(longest_gap(0.0, &[10.0], 300.0), 290.0);
        assert_eq!(longest_gap(5.0, &[], 8.0), 3.0);
    }
}
