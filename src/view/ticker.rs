//! The ticker: a dot that moves every animation frame while a run goes on,
//! with a frame counter. When the main thread is blocked, both stop.

use std::cell::Cell;
use std::rc::Rc;

use web_sys::Element;

use super::dom;
use crate::frame_loop::FrameLoop;

/// How long the dot takes to cross the track.
const LAP_MS: f64 = 1600.0;

/// The ticker's elements and, while running, its frame loop.
pub struct Ticker {
    dot: Element,
    counter: Element,
    running: Option<FrameLoop>,
}

impl Ticker {
    /// The ticker made of its dot and its frame count (the widget's markup
    /// has them).
    pub fn new(dot: Element, counter: Element) -> Self {
        Ticker {
            dot,
            counter,
            running: None,
        }
    }

    /// Starts moving: every animation frame moves the dot and counts.
    pub fn start(&mut self) {
        let (dot, counter) = (self.dot.clone(), self.counter.clone());
        let frames = Rc::new(Cell::new(0u64));
        self.running = FrameLoop::start(move |timestamp| {
            frames.set(frames.get() + 1);
            let position = (timestamp % LAP_MS) / LAP_MS * 100.0;
            if let Some(dot) = dom::html(&dot) {
                // From the left edge to the right one, the dot's width inside.
                let fixed = crate::fixed::fixed;
                let left = format!(
                    "calc({}% - {}rem)",
                    fixed(position, 2),
                    fixed(position / 100.0 * 0.9, 3)
                );
                let _ = dot.style().set_property("left", &left);
            }
            counter.set_text_content(Some(&format!("frames: {}", frames.get())));
        });
    }

    /// Stops the loop; the dot stays where it is.
    pub fn stop(&mut self) {
        self.running = None;
    }
}
