//! Reading the timeline: hover a lane, or focus the canvas and move with the
//! arrow keys, Home and End; the detail line says what is under the mark.

use web_sys::{KeyboardEvent, MouseEvent};

use super::super::dom;
use super::super::results::Focus;
use super::super::timeline::{self, Mark};
use super::WidgetView;
use crate::trace::{now, Recorder};

impl WidgetView {
    pub(super) fn hover(&self, event: &MouseEvent) {
        let Some(canvas) = timeline::as_canvas(event.target()) else {
            return;
        };
        let Some(recorder) = self.recording() else { return };
        let mark = {
            let results = self.results.borrow();
            let Some(run) = results.run_of(&canvas) else {
                return;
            };
            let (x, y) = (f64::from(event.offset_x()), f64::from(event.offset_y()));
            recorder.inspect(|runs| {
                let found = results.timeline(run).and_then(|t| t.mark_at(&runs[run], x, y))?;
                Some((run, found, timeline::describe(&runs[run], found)))
            })
        };
        if let Some((run, mark, text)) = mark {
            self.select(&recorder, run, mark, text.as_deref());
        }
    }

    /// Selects `mark` of run `run`, told by `text`: a mark already selected
    /// changes nothing (a pointer moves many times over one mark); another
    /// redraws the timelines of the run it leaves and of its own, not the
    /// whole view.
    fn select(&self, recorder: &Recorder, run: usize, mark: Mark, text: Option<&str>) {
        let before = self.focus.get();
        if before.mark == Some((run, mark)) {
            return;
        }
        self.detail.set_text_content(text);
        let focus = Focus {
            mark: Some((run, mark)),
            ..before
        };
        self.focus.set(focus);
        let which: Vec<usize> = before.mark.map(|(r, _)| r).into_iter().chain([run]).collect();
        let palette = self.palette();
        let drawn = recorder.inspect(|runs| {
            self.results
                .borrow_mut()
                .draw_timelines(runs, &which, now(), focus, &palette)
        });
        if let Err(e) = drawn {
            dom::warn_once("the timeline could not be drawn", &e);
        }
    }

    pub(super) fn key(&self, event: &KeyboardEvent) {
        let key = event.key();
        if !["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"].contains(&key.as_str()) {
            return;
        }
        let Some(canvas) = timeline::as_canvas(event.target()) else {
            return;
        };
        let Some(recorder) = self.recording() else { return };
        let Some(run) = self.results.borrow().run_of(&canvas) else {
            return;
        };
        event.prevent_default();
        let from = self.focus.get().mark.filter(|(r, _)| *r == run).map(|(_, m)| m);
        let next = recorder.inspect(|runs| {
            let mark = timeline::step(&runs[run], from, &key)?;
            Some((mark, timeline::describe(&runs[run], mark)))
        });
        if let Some((mark, text)) = next {
            self.select(&recorder, run, mark, text.as_deref());
        }
    }
}
