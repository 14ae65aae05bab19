//! The widget's layout: idea, Python twin, the Rust that runs, parameters,
//! Run and Cancel, the ticker, the lesson's output and the results.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement, Node};

use super::dom;
use super::results;
use super::ticker::Ticker;
use crate::lessons::{Lesson, ParamKind, Params};
use crate::trace::{now, Recorder};

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

type FrameCallback = Closure<dyn FnMut(f64)>;

/// The DOM of one widget.
pub struct WidgetView {
    host: HtmlElement,
    /// The Run button.
    pub run_button: Element,
    /// The Cancel button.
    pub cancel_button: Element,
    /// One input per parameter, by attribute name.
    pub inputs: Vec<(&'static str, HtmlInputElement)>,
    badge: Element,
    code: Element,
    live: Element,
    error_line: Element,
    log: Element,
    results: Element,
    ticker: RefCell<Ticker>,
    /// The animation frame requested for the next redraw, if any; cancelled
    /// on drop, so that no frame calls into a view that is gone.
    frame_pending: Cell<Option<i32>>,
    redraw: RefCell<Option<FrameCallback>>,
    recorder: RefCell<Option<Recorder>>,
}

impl WidgetView {
    /// Builds the widget for `lesson` into `root` (the host's shadow root).
    /// `stylesheet` is the URL of the widget's CSS.
    pub fn new(
        host: &HtmlElement,
        root: &Node,
        lesson: &Lesson,
        params: &Params,
        stylesheet: &str,
    ) -> Result<Rc<Self>, JsValue> {
        let frame = Self::frame(root, stylesheet)?;
        let header = dom::child(&frame, "header", "")?;
        dom::text_child(&header, "h3", "title", lesson.title)?;
        let badge = dom::text_child(&header, "span", "badge", "idle")?;
        let ideas = dom::child(&frame, "div", "idea")?;
        for paragraph in lesson.idea.split("\n\n") {
            dom::text_child(&ideas, "p", "", paragraph)?;
        }

        let code = dom::child(&frame, "div", "code")?;
        code_pane(&code, "python", "Python (asyncio)", lesson.python)?;
        code_pane(
            &code,
            "rust",
            "Rust: the code that runs here",
            &lesson.rust_code(),
        )?;

        let form = dom::child(&frame, "div", "params")?;
        let mut inputs = Vec::new();
        for param in lesson.params {
            let label = dom::child(&form, "label", "param")?;
            dom::text_child(&label, "span", "", param.label)?;
            let input: HtmlInputElement = dom::cast(dom::child(&label, "input", "")?, "an input")?;
            input.set_name(param.name);
            match param.kind {
                ParamKind::Number { min, max } => {
                    input.set_type("number");
                    input.set_min(&min.to_string());
                    input.set_max(&max.to_string());
                    input.set_step("1");
                }
                ParamKind::Urls => {
                    input.set_type("text");
                    input.set_spellcheck(false);
                    label.set_class_name("param wide");
                }
            }
            input.set_value(&params.shown(param));
            inputs.push((param.name, input));
        }

        let controls = dom::child(&frame, "div", "controls")?;
        let run_button = dom::text_child(&controls, "button", "run", "Run")?;
        run_button.set_attribute("type", "button")?;
        let cancel_button = dom::text_child(&controls, "button", "cancel", "Cancel")?;
        cancel_button.set_attribute("type", "button")?;
        cancel_button.set_attribute("disabled", "")?;

        let stage = dom::child(&frame, "div", "stage")?;
        let ticker = Ticker::new(&stage)?;
        let log = dom::child(&stage, "ol", "log")?;
        log.set_attribute("aria-label", "what the lesson printed")?;

        let error_line = dom::child(&frame, "p", "error")?;
        error_line.set_attribute("role", "alert")?;
        error_line.set_attribute("hidden", "")?;
        let live = dom::child(&frame, "p", "live")?;
        live.set_attribute("aria-live", "polite")?;
        let results = dom::child(&frame, "div", "results")?;

        let view = Rc::new(WidgetView {
            host: host.clone(),
            run_button,
            cancel_button,
            inputs,
            badge,
            code,
            live,
            error_line,
            log,
            results,
            ticker: RefCell::new(ticker),
            frame_pending: Cell::new(None),
            redraw: RefCell::new(None),
            recorder: RefCell::new(None),
        });
        let weak = Rc::downgrade(&view);
        *view.redraw.borrow_mut() = Some(Closure::new(move |_: f64| {
            if let Some(view) = weak.upgrade() {
                view.frame_pending.set(None);
                view.draw();
            }
        }));
        view.set_state(WidgetState::Idle, None);
        Ok(view)
    }

    /// The stylesheet link and the outer frame.
    fn frame(root: &Node, stylesheet: &str) -> Result<Element, JsValue> {
        let doc = dom::document()?;
        root.set_text_content(None);
        let link = doc.create_element("link")?;
        link.set_attribute("rel", "stylesheet")?;
        link.set_attribute("href", stylesheet)?;
        root.append_child(&link)?;
        let frame = doc.create_element("section")?;
        frame.set_class_name("demo");
        frame.set_attribute("part", "demo")?;
        root.append_child(&frame)?;
        Ok(frame)
    }

    /// Adds one more code pane (the bridge lesson's JavaScript side).
    pub fn add_code(&self, class: &str, caption: &str, code: &str) -> Result<(), JsValue> {
        code_pane(&self.code, class, caption, code)
    }

    /// The line the panic hook writes into.
    pub fn error_line(&self) -> &Element {
        &self.error_line
    }

    /// Shows a problem that stops the widget from working at all.
    pub fn show_setup_error(&self, message: &str) {
        self.set_state(WidgetState::Error, Some(message));
    }

    /// Sets the state: badge, host attribute, buttons, ticker, error line.
    pub fn set_state(&self, state: WidgetState, error: Option<&str>) {
        let running = state == WidgetState::Running;
        let _ = self.host.set_attribute("data-state", state.as_str());
        self.badge.set_text_content(Some(state.as_str()));
        let _ = self
            .cancel_button
            .toggle_attribute_with_force("disabled", !running);
        match error {
            Some(message) => {
                self.error_line.set_text_content(Some(message));
                let _ = self.error_line.remove_attribute("hidden");
            }
            None => {
                self.error_line.set_text_content(None);
                let _ = self.error_line.set_attribute("hidden", "");
            }
        }
        if running {
            self.ticker.borrow_mut().start();
        } else {
            self.ticker.borrow_mut().stop();
        }
    }

    /// Starts showing `recorder`: clears the last results and redraws at most
    /// once per animation frame while it records.
    pub fn start(self: &Rc<Self>, recorder: &Recorder) {
        *self.recorder.borrow_mut() = Some(recorder.clone());
        let weak = Rc::downgrade(self);
        recorder.set_listener(Rc::new(move || {
            if let Some(view) = weak.upgrade() {
                view.schedule();
            }
        }));
        self.live.set_text_content(Some("Running…"));
        self.set_state(WidgetState::Running, None);
        self.draw();
    }

    /// The run ended: final drawing, state, and the announcement.
    pub fn finish(&self, state: WidgetState, error: Option<&str>, summary: &str) {
        self.draw();
        self.set_state(state, error);
        self.live.set_text_content(Some(summary));
    }

    fn schedule(&self) {
        if self.frame_pending.get().is_some() {
            return;
        }
        let requested = web_sys::window()
            .zip(self.redraw.borrow().as_ref())
            .and_then(|(window, cb)| window.request_animation_frame(cb.as_ref().unchecked_ref()).ok());
        self.frame_pending.set(requested);
    }

    fn draw(&self) {
        let Some(recorder) = self.recorder.borrow().clone() else {
            return;
        };
        recorder.take_dirty();
        dom::clear(&self.log);
        for (_, line) in recorder.log_lines() {
            let _ = dom::text_child(&self.log, "li", "", &line);
        }
        let t = now();
        let _ = recorder.inspect(|runs| results::render(&self.results, runs, t));
    }
}

impl Drop for WidgetView {
    fn drop(&mut self) {
        if let (Some(handle), Some(window)) = (self.frame_pending.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(handle);
        }
    }
}

impl std::fmt::Debug for WidgetView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WidgetView")
            .field("host", &self.host)
            .finish_non_exhaustive()
    }
}

fn code_pane(parent: &Element, class: &str, caption: &str, code: &str) -> Result<(), JsValue> {
    let figure = dom::child(parent, "figure", class)?;
    dom::text_child(&figure, "figcaption", "", caption)?;
    let pre = dom::child(&figure, "pre", "")?;
    pre.set_attribute("tabindex", "0")?;
    dom::text_child(&pre, "code", "", code)?;
    Ok(())
}
