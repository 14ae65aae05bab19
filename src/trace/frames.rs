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

    /// A long task's start and duration (ms, page time).
    type LongTask = (f64, f64);

    /// Where reported long tasks go: the meter's list while it runs; after
    /// [`FrameMeter::stop`], the `late` sink it was given (the run's record).
    #[derive(Default)]
    struct Sink {
        tasks: Vec<LongTask>,
        late: Option<Box<dyn Fn(LongTask)>>,
    }

    /// Long tasks (main-thread work of 50 ms or more) as the browser reports
    /// them, where it does (Chromium; Firefox has no `longtask` entries).
    struct LongTasks {
        observer: web_sys::PerformanceObserver,
        // Kept alive while the observer may call it; dropped after disconnect.
        _callback: EntriesCallback,
    }

    impl Drop for LongTasks {
        fn drop(&mut self) {
            self.observer.disconnect();
        }
    }

    /// How long before a run's start a long task may begin and still be the
    /// run's: a run starts inside the task of the click or frame that
    /// started it. A long task that began earlier belongs to what came
    /// before (the previous run, whose meter hears it late).
    const BEFORE_START_MS: f64 = 50.0;

    /// Reports animation frames, and collects long tasks, from `start`
    /// until `stop`.
    pub struct FrameMeter {
        start: f64,
        sink: Rc<RefCell<Sink>>,
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

    fn push_entries(entries: &js_sys::Array, sink: &RefCell<Sink>) {
        use wasm_bindgen::JsCast;
        let mut sink = sink.borrow_mut();
        for entry in entries.iter() {
            if let Ok(entry) = entry.dyn_into::<web_sys::PerformanceEntry>() {
                let task = (entry.start_time(), entry.duration());
                match &sink.late {
                    Some(late) => late(task),
                    None => sink.tasks.push(task),
                }
            }
        }
    }

    fn observe_long_tasks(sink: &Rc<RefCell<Sink>>) -> Option<LongTasks> {
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
            let sink = Rc::new(RefCell::new(Sink::default()));
            let observer = observe_long_tasks(&sink);
            FrameMeter {
                start: now(),
                sink,
                running,
                observer,
            }
        }

        /// Stops; returns the long tasks the browser reported meanwhile that
        /// are the run's (begun at most [`BEFORE_START_MS`] before its start
        /// and before `end`). Chromium reports a long task only after the
        /// task that held it, and a run often ends in the very next one (its
        /// last animation frame): those reported later go to `late` as they
        /// come, for as long as the returned [`Lingering`] is kept.
        pub fn stop(mut self, end: f64, late: impl Fn(f64, f64) + 'static) -> (Vec<(f64, f64)>, Lingering) {
            self.running = None;
            let start = self.start;
            let ours = move |&(at, _): &LongTask| at >= start - BEFORE_START_MS && at < end;
            let lingering = self.observer.take().inspect(|long| {
                push_entries(&long.observer.take_records(), &self.sink);
                self.sink.borrow_mut().late = Some(Box::new(move |task| {
                    if ours(&task) {
                        late(task.0, task.1);
                    }
                }));
            });
            let mut long_tasks = std::mem::take(&mut self.sink.borrow_mut().tasks);
            long_tasks.retain(ours);
            (long_tasks, Lingering(lingering))
        }
    }

    /// A stopped meter's observer, still hearing of long tasks reported
    /// late; disconnected when dropped. No timer: its owner (the recording)
    /// keeps it until its next run stops, or until the recording goes.
    pub struct Lingering(Option<LongTasks>);

    impl std::fmt::Debug for Lingering {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_tuple("Lingering").field(&self.0.is_some()).finish()
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
        pub fn stop(self, _end: f64, _late: impl Fn(f64, f64) + 'static) -> (Vec<(f64, f64)>, Lingering) {
            (Vec::new(), Lingering)
        }
    }

    /// Natively, nothing lingers.
    #[derive(Debug)]
    pub struct Lingering;

    /// Natively, returns at once.
    pub async fn next_frame() {}
}

pub use imp::{next_frame, FrameMeter, Lingering};

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
