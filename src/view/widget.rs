//! The widget's layout: idea, Python twin, the Rust that runs, parameters,
//! Run and Cancel, the ticker, the lesson's output and the results.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, KeyboardEvent, MouseEvent, Node};

use super::dom::{self, Listener};
use super::results::{Focus, Results};
use super::ticker::Ticker;
use super::timeline::{self, Palette};
use crate::frame_loop::FrameLoop;
use crate::lessons::{Lesson, ParamKind, Params};
use crate::trace::{chrome_trace, now, Recorder};

/// Replay speeds offered, as (label, factor).
const SPEEDS: [(&str, f64); 4] = [("0.1×", 0.1), ("0.25×", 0.25), ("0.5×", 0.5), ("1×", 1.0)];

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
    results: RefCell<Results>,
    detail: Element,
    replay_button: Element,
    speed: HtmlSelectElement,
    scrubber: HtmlInputElement,
    export_button: Element,
    lesson: &'static str,
    palette: RefCell<Option<Palette>>,
    focus: Cell<Focus>,
    replaying: RefCell<Option<FrameLoop>>,
    listeners: RefCell<Vec<Listener>>,
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
        let mut listeners = Vec::new();
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
                ParamKind::Range { min, max } => {
                    input.set_type("range");
                    input.set_min(&min.to_string());
                    input.set_max(&max.to_string());
                    input.set_step("1");
                    // The slider's value, as text beside it.
                    let shown = dom::text_child(&label, "output", "value", &params.shown(param))?;
                    let source = input.clone();
                    listeners.push(Listener::new(&input, "input", move |_| {
                        shown.set_text_content(Some(&source.value()));
                    })?);
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

        let tools = dom::child(&frame, "div", "replay")?;
        let replay_button = dom::text_child(&tools, "button", "replay", "Replay")?;
        replay_button.set_attribute("type", "button")?;
        let speed_label = dom::child(&tools, "label", "")?;
        dom::text_child(&speed_label, "span", "", "speed")?;
        let speed: HtmlSelectElement = dom::cast(dom::child(&speed_label, "select", "speed")?, "a select")?;
        for (label, factor) in SPEEDS {
            let option = dom::text_child(&speed, "option", "", label)?;
            option.set_attribute("value", &factor.to_string())?;
        }
        speed.set_value("0.25");
        let scrub_label = dom::child(&tools, "label", "scrub")?;
        dom::text_child(&scrub_label, "span", "", "time")?;
        let scrubber: HtmlInputElement =
            dom::cast(dom::child(&scrub_label, "input", "scrubber")?, "an input")?;
        scrubber.set_type("range");
        scrubber.set_min("0");
        scrubber.set_max("0");
        scrubber.set_step("any");
        let export_button = dom::text_child(&tools, "button", "export", "Download trace")?;
        export_button.set_attribute("type", "button")?;
        export_button.set_attribute(
            "title",
            "Chrome Trace Event JSON: opens in Perfetto and chrome://tracing",
        )?;
        let detail = dom::text_child(
            &frame,
            "p",
            "detail",
            "Hover or focus the timeline to see each poll and wake.",
        )?;
        detail.set_attribute("aria-live", "polite")?;
        let results = Results::new(dom::child(&frame, "div", "results")?);

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
            results: RefCell::new(results),
            detail,
            replay_button,
            speed,
            scrubber,
            export_button,
            lesson: lesson.name,
            palette: RefCell::new(None),
            focus: Cell::new(Focus::default()),
            replaying: RefCell::new(None),
            listeners: RefCell::new(listeners),
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
        view.wire()?;
        view.set_state(WidgetState::Idle, None);
        Ok(view)
    }

    /// The view's own controls: timeline hover and keys, replay, export.
    /// (Run, Cancel and the parameters belong to the controller.)
    fn wire(self: &Rc<Self>) -> Result<(), JsValue> {
        let mut listeners = Vec::new();
        let results_area: web_sys::EventTarget = self.detail.next_element_sibling().map_or_else(
            || Err(JsValue::from_str("the results area follows the detail line")),
            |e| Ok(e.into()),
        )?;
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&results_area, "mousemove", move |event| {
            if let (Some(view), Some(event)) = (weak.upgrade(), event.dyn_ref::<MouseEvent>()) {
                view.hover(event);
            }
        })?);
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&results_area, "keydown", move |event| {
            if let (Some(view), Some(key)) = (weak.upgrade(), event.dyn_ref::<KeyboardEvent>()) {
                view.key(key);
            }
        })?);
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&self.replay_button, "click", move |_| {
            if let Some(view) = weak.upgrade() {
                view.replay();
            }
        })?);
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&self.scrubber, "input", move |_| {
            if let Some(view) = weak.upgrade() {
                view.stop_replay();
                let cursor = view.scrubber.value_as_number();
                view.set_cursor(cursor.is_finite().then_some(cursor));
            }
        })?);
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&self.export_button, "click", move |_| {
            if let Some(view) = weak.upgrade() {
                if let Err(e) = view.download_trace() {
                    view.detail
                        .set_text_content(Some(&format!("The trace could not be saved: {e:?}")));
                }
            }
        })?);
        self.listeners.borrow_mut().extend(listeners);
        Ok(())
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
        self.stop_replay();
        self.focus.set(Focus::default());
        self.results.borrow_mut().reset();
        *self.palette.borrow_mut() = Some(Palette::of(&self.host));
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
        let longest = self.recorder.borrow().as_ref().map_or(0.0, |r| {
            r.inspect(|runs| {
                runs.iter()
                    .filter_map(|run| run.end.map(|e| e - run.start))
                    .fold(0.0, f64::max)
            })
        });
        self.scrubber.set_max(&format!("{longest:.1}"));
        self.scrubber.set_value_as_number(longest);
    }

    /// The recording shown, if any.
    pub fn recording(&self) -> Option<Recorder> {
        self.recorder.borrow().clone()
    }

    /// Replays the recording from the start at the chosen speed, without
    /// running anything again.
    fn replay(self: &Rc<Self>) {
        let Some(end) = Some(self.scrubber.max().parse::<f64>().unwrap_or(0.0)).filter(|e| *e > 0.0) else {
            return;
        };
        let speed = self.speed.value().parse::<f64>().unwrap_or(0.25).clamp(0.1, 1.0);
        let started = now();
        let weak = Rc::downgrade(self);
        self.set_cursor(Some(0.0));
        let frames = FrameLoop::start(move |_| {
            let Some(view) = weak.upgrade() else { return };
            let cursor = (now() - started) * speed;
            view.scrubber.set_value_as_number(cursor.min(end));
            if cursor >= end {
                view.set_cursor(None);
                view.stop_replay();
            } else {
                view.set_cursor(Some(cursor));
            }
        });
        *self.replaying.borrow_mut() = frames;
    }

    fn stop_replay(&self) {
        // Taken out first: dropping the loop may happen inside its own frame.
        let frames = self.replaying.borrow_mut().take();
        drop(frames);
    }

    fn set_cursor(&self, cursor: Option<f64>) {
        self.focus.set(Focus {
            cursor,
            ..self.focus.get()
        });
        self.draw();
    }

    fn hover(&self, event: &MouseEvent) {
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
            self.detail.set_text_content(text.as_deref());
            self.focus.set(Focus {
                mark: Some((run, mark)),
                ..self.focus.get()
            });
            self.draw();
        }
    }

    fn key(&self, event: &KeyboardEvent) {
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
            self.detail.set_text_content(text.as_deref());
            self.focus.set(Focus {
                mark: Some((run, mark)),
                ..self.focus.get()
            });
            self.draw();
        }
    }

    fn download_trace(&self) -> Result<(), JsValue> {
        let Some(recorder) = self.recording() else {
            return Ok(());
        };
        let json = recorder.inspect(|runs| chrome_trace(self.lesson, runs));
        let parts = js_sys::Array::of1(&JsValue::from_str(&json));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("application/json");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let link: web_sys::HtmlAnchorElement = dom::cast(dom::document()?.create_element("a")?, "a link")?;
        link.set_href(&url);
        link.set_download(&format!("async-demo-{}.trace.json", self.lesson));
        link.click();
        web_sys::Url::revoke_object_url(&url)
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
        let palette = self
            .palette
            .borrow()
            .clone()
            .unwrap_or_else(|| Palette::of(&self.host));
        let focus = self.focus.get();
        let _ = recorder.inspect(|runs| self.results.borrow_mut().draw(runs, t, focus, &palette));
    }
}

impl Drop for WidgetView {
    fn drop(&mut self) {
        self.stop_replay();
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

/// A widget whose lesson is unknown shows only the error.
pub fn error_only(root: &Node, message: &str) -> Result<Element, JsValue> {
    let doc = dom::document()?;
    root.set_text_content(None);
    let line = doc.create_element("p")?;
    line.set_attribute("role", "alert")?;
    line.set_class_name("error");
    line.set_text_content(Some(message));
    root.append_child(&line)?;
    Ok(line)
}

fn code_pane(parent: &Element, class: &str, caption: &str, code: &str) -> Result<(), JsValue> {
    let figure = dom::child(parent, "figure", class)?;
    dom::text_child(&figure, "figcaption", "", caption)?;
    let pre = dom::child(&figure, "pre", "")?;
    pre.set_attribute("tabindex", "0")?;
    dom::text_child(&pre, "code", "", code)?;
    Ok(())
}
