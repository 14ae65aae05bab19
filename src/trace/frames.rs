//! Animation-frame measurement: how long the main thread went without
//! painting. A blocked thread shows up here as one long gap.

#[cfg(target_arch = "wasm32")]
mod imp {
    use std::cell::RefCell;
    use std::rc::Rc;

    use futures::future::select;
    use wasm_bindgen_futures::JsFuture;

    use crate::frame_loop::FrameLoop;
    use crate::tasks::Sleep;
    use crate::trace::clock::now;

    /// Counts animation frames from `start` until `stop`.
    #[derive(Debug)]
    pub struct FrameMeter {
        start: f64,
        frames: Rc<RefCell<Vec<f64>>>,
        running: Option<FrameLoop>,
    }

    impl FrameMeter {
        /// Starts counting now. Where there is no window (a worker), it
        /// counts nothing.
        pub fn start() -> Self {
            let frames = Rc::new(RefCell::new(Vec::new()));
            let sink = frames.clone();
            // `performance.now()` rather than the frame's timestamp: the same
            // clock as the run's start and end.
            let running = FrameLoop::start(move |_| sink.borrow_mut().push(now()));
            FrameMeter {
                start: now(),
                frames,
                running,
            }
        }

        /// Stops counting at `end`; returns the longest gap between
        /// consecutive frames (the run's start and end count as frames) and
        /// the frame times.
        pub fn stop(mut self, end: f64) -> (f64, Vec<f64>) {
            self.running = None;
            let frames = std::mem::take(&mut *self.frames.borrow_mut());
            (super::longest_gap(self.start, &frames, end), frames)
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
        pub fn start() -> Self {
            FrameMeter
        }
        /// No frames natively.
        pub fn stop(self, _end: f64) -> (f64, Vec<f64>) {
            (0.0, Vec::new())
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
