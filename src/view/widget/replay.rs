//! Replay: the finished recording drawn again from its start, at 0.1×–1×,
//! with a scrubber; nothing runs again. The recording's length is kept here,
//! not read back from the scrubber.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};

use super::WidgetView;
use crate::clock::now;
use crate::frame_loop::FrameLoop;

/// The replay controls and what they play.
pub(super) struct Replay {
    pub speed: HtmlSelectElement,
    pub scrubber: HtmlInputElement,
    /// The longest run of the recording shown, ms (0 before the first).
    length: Cell<f64>,
    playing: RefCell<Option<FrameLoop>>,
}

impl Replay {
    pub fn new(speed: HtmlSelectElement, scrubber: HtmlInputElement) -> Self {
        Replay {
            speed,
            scrubber,
            length: Cell::new(0.0),
            playing: RefCell::new(None),
        }
    }

    /// A recording `length` ms long is shown: the scrubber spans it and
    /// stands at its end.
    pub fn set_length(&self, length: f64) {
        self.length.set(length);
        self.scrubber.set_max(&crate::fixed::fixed(length, 1));
        self.scrubber.set_value_as_number(length);
    }

    /// Stops playing, if it plays.
    pub fn stop(&self) {
        // Taken out first: dropping the loop may happen inside its own frame.
        let frames = self.playing.borrow_mut().take();
        drop(frames);
    }
}

impl WidgetView {
    /// Replays the recording from the start at the chosen speed, without
    /// running anything again.
    pub(super) fn replay(self: &Rc<Self>) {
        let end = self.replay.length.get();
        if end <= 0.0 {
            return;
        }
        let speed = self
            .replay
            .speed
            .value()
            .parse::<f64>()
            .unwrap_or(0.25)
            .clamp(0.1, 1.0);
        let started = now();
        let weak = Rc::downgrade(self);
        self.set_cursor(Some(0.0));
        let frames = FrameLoop::start(move |_| {
            let Some(view) = weak.upgrade() else { return };
            let cursor = (now() - started) * speed;
            view.replay.scrubber.set_value_as_number(cursor.min(end));
            if cursor >= end {
                view.set_cursor(None);
                view.replay.stop();
            } else {
                view.set_cursor(Some(cursor));
            }
        });
        *self.replay.playing.borrow_mut() = frames;
    }

    /// The scrubber moved: show the recording as it stood then.
    pub(super) fn scrub(&self) {
        self.replay.stop();
        let cursor = self.replay.scrubber.value_as_number();
        self.set_cursor(cursor.is_finite().then_some(cursor));
    }
}
