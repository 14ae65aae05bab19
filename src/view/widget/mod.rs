//! One widget's view: it owns the widget's DOM and every listener on it,
//! tells the controller what a person asked for ([`Intent`]), and draws the
//! recording it is given at most once per animation frame.
//!
//! One job a file: `layout` builds the DOM, `events` wires the listeners,
//! `replay` plays a recording again, `inspect` reads the timeline under the
//! pointer or the keyboard, `export` saves the trace; this file holds the
//! state and the drawing.

mod events;
mod export;
mod form;
mod inspect;
mod layout;
mod replay;
mod stepping;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsValue;
use web_sys::{Element, HtmlElement, HtmlInputElement, Node};

use super::dom::{self, Listener};
use super::results::{Focus, Results};
use super::ticker::Ticker;
use super::timeline::Palette;
use crate::clock::now;
use crate::frame_loop::FrameLoop;
use crate::lessons::{Lesson, Params};
use crate::trace::Recorder;
use replay::Replay;

/// The widget's state, mirrored in the host's `data-state` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidgetState {
    /// Nothing run yet.
    Idle,
    /// A run is going on.
    Running,
    /// The last run finished.
    Done,
    /// The last run was cancelled.
    Cancelled,
    /// The last run (or the widget's setup) failed.
    Error,
}

impl WidgetState {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            WidgetState::Idle => "idle",
            WidgetState::Running => "running",
            WidgetState::Done => "done",
            WidgetState::Cancelled => "cancelled",
            WidgetState::Error => "error",
        }
    }
}

/// What a person asked the widget for, handed by the view to the controller
/// (which owns runs). The view keeps everything else to itself: parameter
/// inputs write the host's attributes, and the controller hears of them
/// through `sync`, as it does of any other attribute change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// The Run button.
    Run,
    /// The Cancel button.
    Cancel,
    /// The lesson's own button ([`Lesson::button`]), during a run.
    Click,
    /// Step: start a stepped run, or poll one future of it.
    Step,
    /// Continue a stepped run at full speed.
    Continue,
}

/// The DOM of one widget.
pub struct WidgetView {
    host: HtmlElement,
    run_button: Element,
    cancel_button: Element,
    /// The lesson's own button, if it has one: enabled while a run goes on.
    lesson_button: Option<Element>,
    step_button: Element,
    continue_button: Element,
    /// Shown while a run is stepped: the last step and the ready queue.
    stepping: Element,
    last_step: Element,
    queue: Element,
    /// The shown Rust code's lines, to light up while stepping (the
    /// sandbox's change with its program).
    rust_lines: RefCell<Vec<Element>>,
    /// The sandbox's parts: its editor, the code it shows under it, what
    /// the checker says, the JavaScript twin, and the program they show.
    sandbox: Option<layout::Sandbox>,
    /// The question asked before Run, and its block (the sandbox's changes).
    question: Option<(Element, Element)>,
    /// The lesson, to map a future's source line to a shown one.
    lesson_ref: &'static Lesson,
    /// The stepper's version last drawn.
    stepper_drawn: Cell<u64>,
    /// Whether any line of the Rust code is lit (stepping or replay).
    lines_lit: Cell<bool>,
    /// One input per parameter, by attribute name.
    inputs: Vec<(&'static str, HtmlInputElement)>,
    /// The text beside each slider, by attribute name.
    outputs: Vec<(&'static str, Element)>,
    /// Notes on attributes the lesson does not read.
    notes: Element,
    /// The guess asked for before Run, and where the run answers it.
    prediction: Option<HtmlInputElement>,
    verdict: Option<Element>,
    /// The lesson's presets: buttons that set attributes.
    presets: Vec<layout::PresetButton>,
    /// The Python twin's `<code>`: it shows the widget's current parameters.
    /// (None for a lesson whose Python side is a sentence.)
    python: Option<Element>,
    badge: Element,
    live: Element,
    error_line: Element,
    log: Element,
    /// The finished run in the twin's output format (lessons with a twin).
    /// Its `<details>` and `<code>`: filled when opened, not on every run
    /// (a run of 20,000 tasks makes 20,000 lines).
    transcript: Option<(Element, Element)>,
    results_area: Element,
    results: RefCell<Results>,
    detail: Element,
    replay_button: Element,
    replay: Replay,
    export_button: Element,
    lesson: &'static str,
    palette: RefCell<Option<Palette>>,
    focus: Cell<Focus>,
    listeners: RefCell<Vec<Listener>>,
    ticker: RefCell<Ticker>,
    /// While a run records: one frame loop that redraws when something new
    /// was recorded. Dropped (stopped) when the run ends or the view goes.
    redrawing: RefCell<Option<FrameLoop>>,
    recorder: RefCell<Option<Recorder>>,
}

impl WidgetView {
    /// Builds the widget for `lesson` into `root` (the host's shadow root),
    /// showing `params`. `stylesheet` is the URL of the widget's CSS.
    pub fn new(
        host: &HtmlElement,
        root: &Node,
        lesson: &'static Lesson,
        params: &Params,
        stylesheet: &str,
    ) -> Result<Rc<Self>, JsValue> {
        let python = crate::lessons::twin_text(lesson, params);
        let parts = layout::build(host, root, lesson, params, &python, stylesheet)?;
        let view = Rc::new(WidgetView {
            host: host.clone(),
            run_button: parts.run_button,
            cancel_button: parts.cancel_button,
            lesson_button: parts.lesson_button,
            step_button: parts.step_button,
            continue_button: parts.continue_button,
            stepping: parts.stepping,
            last_step: parts.last_step,
            queue: parts.queue,
            rust_lines: RefCell::new(parts.rust_lines),
            sandbox: parts.sandbox,
            question: parts.question,
            lesson_ref: lesson,
            stepper_drawn: Cell::new(u64::MAX),
            lines_lit: Cell::new(false),
            inputs: parts.inputs,
            outputs: parts.outputs,
            notes: parts.notes,
            prediction: parts.prediction,
            verdict: parts.verdict,
            presets: parts.presets,
            python: parts.python,
            badge: parts.badge,
            live: parts.live,
            error_line: parts.error_line,
            log: parts.log,
            transcript: parts.transcript,
            results_area: parts.results_area,
            results: RefCell::new(parts.results),
            detail: parts.detail,
            replay_button: parts.replay_button,
            replay: Replay::new(parts.speed, parts.scrubber),
            export_button: parts.export_button,
            lesson: lesson.name,
            palette: RefCell::new(None),
            focus: Cell::new(Focus::default()),
            listeners: RefCell::new(Vec::new()),
            ticker: RefCell::new(parts.ticker),
            redrawing: RefCell::new(None),
            recorder: RefCell::new(None),
        });
        view.wire()?;
        view.set_state(WidgetState::Idle, None);
        Ok(view)
    }

    /// The line the panic hook writes into.
    pub fn error_line(&self) -> &Element {
        &self.error_line
    }

    /// Sets the state: badge, host attribute, buttons, ticker, error line.
    pub fn set_state(&self, state: WidgetState, error: Option<&str>) {
        let running = state == WidgetState::Running;
        let shown = [
            self.host.set_attribute("data-state", state.as_str()),
            self.cancel_button
                .toggle_attribute_with_force("disabled", !running)
                .map(drop),
            self.lesson_button.as_ref().map_or(Ok(()), |b| {
                b.toggle_attribute_with_force("disabled", !running).map(drop)
            }),
            match error {
                Some(_) => self.error_line.remove_attribute("hidden"),
                None => self.error_line.set_attribute("hidden", ""),
            },
        ];
        for result in shown {
            if let Err(e) = result {
                dom::warn_once("the state could not be shown", &e);
            }
        }
        self.badge.set_text_content(Some(state.as_str()));
        self.error_line.set_text_content(error);
        if running {
            self.ticker.borrow_mut().start();
        } else {
            self.ticker.borrow_mut().stop();
        }
    }

    /// Starts showing `recorder`: clears the last results and redraws at most
    /// once per animation frame while it records.
    pub fn start(self: &Rc<Self>, recorder: &Recorder) {
        self.replay.stop();
        self.focus.set(Focus::default());
        self.results.borrow_mut().reset();
        *self.palette.borrow_mut() = Some(Palette::of(&self.host));
        *self.recorder.borrow_mut() = Some(recorder.clone());
        let (weak, recording) = (Rc::downgrade(self), recorder.clone());
        *self.redrawing.borrow_mut() = FrameLoop::start(move |_| {
            let Some(view) = weak.upgrade() else { return };
            let stepped = recording
                .stepper()
                .is_some_and(|s| s.version() != view.stepper_drawn.get());
            if recording.take_dirty() || stepped {
                view.draw();
            }
        });
        self.live.set_text_content(Some("Running…"));
        self.set_state(WidgetState::Running, None);
        self.draw();
    }

    /// The run ended: final drawing, state, and the announcement.
    pub fn finish(&self, state: WidgetState, error: Option<&str>, summary: &str) {
        let frames = self.redrawing.borrow_mut().take();
        drop(frames);
        self.draw();
        self.set_state(state, error);
        self.live.set_text_content(Some(summary));
        let longest = self.recorder.borrow().as_ref().map_or(0.0, |r| {
            r.inspect(|runs| {
                runs.iter()
                    .filter_map(|run| run.end.map(|e| e - run.start))
                    .fold(0.0, f64::max)
            })
        });
        self.replay.set_length(longest);
        self.fill_transcript();
    }

    /// Writes the recording, in the twin's format, into the transcript if
    /// it is open.
    fn fill_transcript(&self) {
        let Some((details, code)) = &self.transcript else {
            return;
        };
        if !details.has_attribute("open") {
            return;
        }
        if let Some(recorder) = self.recording() {
            let lines = recorder.inspect(|runs| crate::report::transcript(runs, &recorder.log_lines()));
            code.set_text_content(Some(&lines.join("\n")));
        }
    }

    /// The recording shown, if any.
    pub fn recording(&self) -> Option<Recorder> {
        self.recorder.borrow().clone()
    }

    fn set_cursor(&self, cursor: Option<f64>) {
        self.focus.set(Focus {
            cursor,
            ..self.focus.get()
        });
        self.draw();
    }

    /// Reads the widget's colours again and redraws with them.
    pub fn restyle(&self) {
        *self.palette.borrow_mut() = Some(Palette::of(&self.host));
        self.draw();
    }

    /// The colours to draw with: the widget's, read once and kept.
    fn palette(&self) -> Palette {
        self.palette
            .borrow()
            .clone()
            .unwrap_or_else(|| Palette::of(&self.host))
    }

    fn draw(&self) {
        let Some(recorder) = self.recorder.borrow().clone() else {
            return;
        };
        recorder.take_dirty();
        dom::clear(&self.log);
        for (_, line) in recorder.log_lines() {
            if let Err(e) = dom::text_child(&self.log, "li", "", &line) {
                dom::warn_once("a log line could not be shown", &e);
            }
        }
        let t = now();
        let palette = self.palette();
        let focus = self.focus.get();
        let drawn = recorder.inspect(|runs| self.results.borrow_mut().draw(runs, t, focus, &palette));
        if let Err(e) = drawn {
            dom::warn_once("the results could not be drawn", &e);
        }
        if let Err(e) = self.draw_stepping(&recorder) {
            dom::warn_once("the stepping state could not be shown", &e);
        }
    }
}

impl Drop for WidgetView {
    fn drop(&mut self) {
        self.replay.stop();
    }
}

impl std::fmt::Debug for WidgetView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WidgetView")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

/// A widget whose lesson is unknown shows only the error.
pub fn error_only(host: &HtmlElement, root: &Node, message: &str) -> Result<Element, JsValue> {
    host.set_attribute("data-state", WidgetState::Error.as_str())?;
    root.set_text_content(None);
    let line = layout::fragment(&crate::markup::widget::error_only(message))?;
    root.append_child(&line)?;
    root.first_child()
        .and_then(|n| wasm_bindgen::JsCast::dyn_into::<Element>(n).ok())
        .ok_or_else(|| JsValue::from_str("the error line did not arrive"))
}
