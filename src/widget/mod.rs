//! `Widget`: the controller behind one `<async-demo>` element. It reads the
//! host's attributes, runs the lesson, and hands the recording to the view.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use futures::channel::mpsc::UnboundedSender;
use futures::future::{AbortHandle, Abortable};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local};
use web_sys::{HtmlElement, Node};

mod convert;
mod step;
mod words;

pub(crate) use convert::{report_to_js, to_js};

use crate::error::Error;
use crate::lessons::{self, Ctx, Lesson, Params};
use crate::report::Report;
use crate::trace::{now, Recorder, Stepper};
use crate::view::{self, Intent, WidgetState, WidgetView};

thread_local! {
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

/// One live widget. Created by `www/async-demo.js` for each `<async-demo>`
/// element; JavaScript sees `run()`, `cancel()`, `report()`, `sync()`,
/// `destroy()`.
#[wasm_bindgen]
pub struct Widget {
    inner: Rc<Inner>,
}

struct Inner {
    id: u64,
    host: HtmlElement,
    lesson: Result<&'static Lesson, Error>,
    view: Option<Rc<WidgetView>>,
    module_base: String,
    bridge: Option<js_sys::Function>,
    /// The run in flight: its abort handle and generation.
    active: RefCell<Option<(u64, AbortHandle)>>,
    /// Where the run in flight hears clicks on the lesson's own button.
    clicks: RefCell<Option<UnboundedSender<()>>>,
    /// The stepper of the run in flight, if it is stepped.
    stepper: RefCell<Option<Stepper>>,
    /// Why the lessons' `async-demo-api/` URLs cannot be answered on this page, if so
    /// (a static host where the Service Worker could not take over).
    api_problem: RefCell<Option<String>>,
    generation: Cell<u64>,
    /// The last run's recording and the instant it ended: its report is
    /// made from them when asked for, not kept beside the records.
    last: RefCell<Option<(Recorder, f64)>>,
    /// The sandbox's program the run in flight runs: a change of the
    /// `program` attribute cancels it.
    running_program: RefCell<Option<String>>,
}

#[wasm_bindgen]
impl Widget {
    /// Mounts the lesson named by `host`'s `lesson` attribute into `root`
    /// (the host's shadow root). `module_base` is the URL of the folder that
    /// holds `async-demo.js`: the stylesheet and the lessons' default URLs
    /// are found relative to it. `bridge` is the JS side of the bridge lesson.
    #[wasm_bindgen(constructor)]
    pub fn new(
        host: HtmlElement,
        root: Node,
        module_base: String,
        bridge: Option<js_sys::Function>,
    ) -> Result<Widget, JsValue> {
        view::install_panic_hook();
        let id = NEXT_ID.with(|n| n.replace(n.get() + 1));
        let lesson = match host.get_attribute("lesson") {
            None => Err(missing_lesson()),
            Some(name) => lessons::find(name.trim()).ok_or_else(|| unknown_lesson(&name)),
        };
        let stylesheet = format!("{module_base}async-demo.css");
        let params = params_of(&host, &module_base);
        let view = match &lesson {
            Ok(lesson) => Some(WidgetView::new(&host, &root, lesson, &params, &stylesheet)?),
            Err(_) => None,
        };
        let inner = Rc::new(Inner {
            id,
            host,
            lesson,
            view,
            module_base,
            bridge,
            active: RefCell::new(None),
            clicks: RefCell::new(None),
            stepper: RefCell::new(None),
            api_problem: RefCell::new(None),
            generation: Cell::new(0),
            last: RefCell::new(None),
            running_program: RefCell::new(None),
        });
        match (&inner.lesson, &inner.view) {
            (Ok(_), Some(view)) => {
                view::register(id, &inner.host, view.error_line());
                let weak = Rc::downgrade(&inner);
                view.on_intent(move |intent| {
                    if let Some(inner) = weak.upgrade() {
                        inner.handle(intent);
                    }
                })?;
            }
            (Err(e), _) => {
                let line = view::error_only(&inner.host, &root, &e.to_string())?;
                view::register(id, &inner.host, &line);
            }
            _ => {}
        }
        let widget = Widget { inner };
        widget.sync();
        Ok(widget)
    }

    /// Runs the lesson (cancelling a run already in flight). Resolves with
    /// the report (also when cancelled); rejects with an `Error` whose
    /// message is a sentence if a parameter is unusable or the lesson failed.
    /// With `{ step: true }` the run starts paused before its first poll:
    /// `step()` polls one traced future at a time, `resume()` lets it go.
    pub fn run(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "{ step?: boolean }")] options: JsValue,
    ) -> js_sys::Promise {
        // The run starts here, not in a later task: a `cancel()` or
        // `resume()` right after `run()` acts on this run.
        let started = step_option(&options)
            .map_err(JsValue::from)
            .and_then(|step| Inner::begin(&self.inner, step));
        match started {
            Ok(started) => {
                let name = self.inner.lesson.as_ref().map_or("", |l| l.name);
                future_to_promise(async move {
                    let (recorder, ended) = started.finish().await?;
                    report_to_js(name, &recorder, ended).await
                })
            }
            Err(e) => js_sys::Promise::reject(&e),
        }
    }

    /// Stops the run in flight: its timers are cleared and its requests
    /// aborted. Does nothing if nothing runs.
    pub fn cancel(&self) {
        self.inner.cancel();
    }

    /// The last run's report, or `null`.
    pub fn report(&self) -> Result<JsValue, JsValue> {
        match (&self.inner.lesson, &*self.inner.last.borrow()) {
            (Ok(lesson), Some((recorder, ended))) => {
                to_js(&recorder.inspect(|runs| Report::new(lesson.name, runs, *ended)))
            }
            _ => Ok(JsValue::NULL),
        }
    }

    /// The last run's recording as Chrome Trace Event JSON (an object: pass
    /// it to `JSON.stringify` to save it), or `null` before the first run.
    pub fn trace(&self) -> Result<JsValue, JsValue> {
        let (Ok(lesson), Some(view)) = (&self.inner.lesson, &self.inner.view) else {
            return Ok(JsValue::NULL);
        };
        match view.recording() {
            Some(recorder) => {
                js_sys::JSON::parse(&recorder.inspect(|runs| crate::trace::chrome_trace(lesson.name, runs)))
            }
            None => Ok(JsValue::NULL),
        }
    }

    /// Re-reads the host's attributes (after one changed): the inputs, the
    /// Python twin's values and the notes on attributes the lesson ignores.
    pub fn sync(&self) {
        if let (Ok(lesson), Some(view)) = (&self.inner.lesson, &self.inner.view) {
            let params = params_of(&self.inner.host, &self.inner.module_base);
            // A new program cancels the run of the old one, whose lines and
            // twins are no longer the ones shown.
            let program = lesson.is_program().then(|| params.text(&lessons::PROGRAM));
            let stale = self.inner.active.borrow().is_some()
                && program.is_some()
                && *self.inner.running_program.borrow() != program;
            if stale {
                self.inner.cancel();
            }
            let unread = params.unread(lesson.name, lesson.params);
            let problem = self.inner.api_problem.borrow().clone();
            let api_note = problem.filter(|_| params.relies_on_module_api(lesson));
            view.show_params(
                &lessons::twin_text(lesson, &params),
                &params,
                &unread,
                api_note.as_deref(),
            );
        }
    }

    /// The program three ways, `{ rust, python, javascript }`: the Rust as
    /// shown (the sandbox's program, or a lesson's code), its Python twin,
    /// and its JavaScript (the sandbox's, the bridge lesson's JS side, or
    /// `null`).
    pub fn twins(&self) -> Result<JsValue, JsValue> {
        let lesson = self.inner.lesson.clone()?;
        let params = params_of(&self.inner.host, &self.inner.module_base);
        let twins = if lesson.is_program() {
            let program = params.text(&lessons::PROGRAM);
            let generated = crate::sandbox::generate_shown(&program, params.module_base());
            Twins {
                rust: program,
                python: generated.python,
                javascript: Some(generated.javascript),
            }
        } else {
            Twins {
                rust: lesson.rust_code(),
                python: lessons::twin_text(lesson, &params),
                javascript: (lesson.name == "bridge").then(|| crate::markup::widget::BRIDGE_JS.to_string()),
            }
        };
        to_js(&twins)
    }

    /// Says, among the widget's notes, why the lessons' default `async-demo-api/` URLs
    /// cannot be answered on this page (`null`: they can). The note shows
    /// only while the lesson relies on them.
    #[wasm_bindgen(js_name = setApiProblem)]
    pub fn set_api_problem(&self, problem: Option<String>) {
        *self.inner.api_problem.borrow_mut() = problem;
        self.sync();
    }

    /// The widget's colours changed (the page's light or dark scheme, or
    /// its custom properties): what is drawn on the canvas is drawn again in
    /// the new ones.
    pub fn restyle(&self) {
        if let Some(view) = &self.inner.view {
            view.restyle();
        }
    }

    /// The element left the page: cancels its work. (The view's listeners go
    /// with the view, when JavaScript frees the widget.)
    pub fn destroy(&self) {
        self.inner.cancel();
        view::unregister(self.inner.id);
    }
}

impl std::fmt::Debug for Widget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Widget")
            .field("id", &self.inner.id)
            .field("host", &self.inner.host)
            .finish_non_exhaustive()
    }
}

impl Inner {
    fn handle(self: Rc<Self>, intent: Intent) {
        match intent {
            // A failed run shows its error in the widget; nothing to do here.
            Intent::Run => Inner::start(&self, false),
            // The first Step starts a stepped run, paused before its first
            // poll; each later one polls one future.
            Intent::Step => match self.stepper().filter(Stepper::is_active) {
                Some(stepper) => spawn_local(async move {
                    let _ = stepper.step().await; // the view draws what it did
                }),
                None => Inner::start(&self, true),
            },
            Intent::Continue => {
                if let Some(stepper) = self.stepper() {
                    stepper.resume();
                }
            }
            Intent::Cancel => self.cancel(),
            Intent::Click => {
                if let Some(clicks) = self.clicks.borrow().as_ref() {
                    // A run that no longer listens has dropped its receiver:
                    // the click then goes nowhere, as it should.
                    let _ = clicks.unbounded_send(());
                }
            }
        }
    }

    /// A run asked for in the widget (Run, Step): it shows its own outcome.
    fn start(this: &Rc<Self>, step: bool) {
        if let Ok(started) = Inner::begin(this, step) {
            spawn_local(async move {
                let _ = started.finish().await;
            });
        }
    }

    fn stepper(&self) -> Option<Stepper> {
        self.stepper.borrow().clone()
    }

    fn cancel(&self) {
        if let Some((_, handle)) = self.active.borrow_mut().take() {
            handle.abort();
        }
    }

    /// Starts a run (cancelling the one in flight): everything a `cancel()`
    /// or `resume()` right after it needs is in place when this returns.
    /// The lesson's future runs once [`Started::finish`] is awaited.
    fn begin(this: &Rc<Self>, step: bool) -> Result<Started, JsValue> {
        let lesson = this.lesson.clone()?;
        let view = this
            .view
            .clone()
            .ok_or_else(|| JsValue::from_str("the widget has no view"))?;
        this.cancel();
        let generation = this.generation.get() + 1;
        this.generation.set(generation);
        // A parameter the lesson cannot use is refused here, before the view
        // is cleared: the last run's results stay, with the sentence above
        // them. (The run cancelled above, if any, no longer owns the view.)
        let params = params_of(&this.host, &this.module_base);
        if let Err(e) = params.check(lesson.params) {
            view.set_state(WidgetState::Error, Some(&e.to_string()));
            return Err(e.into());
        }

        let stepper = step.then(Stepper::new);
        let recorder = stepper.clone().map_or_else(Recorder::new, Recorder::stepped);
        if let Some(old) = this.stepper.replace(stepper.clone()) {
            old.end();
        }
        let (clicks, heard) = lessons::Clicks::channel();
        *this.clicks.borrow_mut() = Some(clicks);
        // Which of the question's assumptions this run keeps (read now: the
        // attributes may change while it runs).
        let predict = crate::markup::widget::question(lesson, &params);
        *this.running_program.borrow_mut() = lesson.is_program().then(|| params.text(&lessons::PROGRAM));
        let changed: Vec<&'static str> = {
            let assumes = predict.map_or(&[][..], |p| p.assumes);
            assumes
                .iter()
                .filter(|p| !params.is_default(p))
                .map(|p| p.name)
                .collect()
        };
        let ctx = Ctx {
            bridge: this.bridge.clone(),
            clicks: heard,
            ..Ctx::new(recorder.clone(), params)
        };
        let (handle, registration) = AbortHandle::new_pair();
        *this.active.borrow_mut() = Some((generation, handle));
        view.start(&recorder);
        Ok(Started {
            this: this.clone(),
            predict,
            view,
            recorder,
            stepper,
            generation,
            changed,
            work: Abortable::new((lesson.run)(ctx), registration),
        })
    }
}

/// What `twins()` gives.
#[derive(serde::Serialize)]
struct Twins {
    rust: String,
    python: String,
    javascript: Option<String>,
}

/// A run that [`Inner::begin`] started: the lesson's future, not yet polled.
struct Started {
    this: Rc<Inner>,
    predict: Option<&'static lessons::Prediction>,
    view: Rc<WidgetView>,
    recorder: Recorder,
    stepper: Option<Stepper>,
    generation: u64,
    changed: Vec<&'static str>,
    work: Abortable<futures::future::LocalBoxFuture<'static, Result<(), Error>>>,
}

impl Started {
    /// Runs the lesson to its end (or its cancellation) and shows how it went.
    async fn finish(self) -> Result<(Recorder, f64), JsValue> {
        let outcome = self.work.await;
        let (this, predict, view, recorder) = (self.this, self.predict, self.view, self.recorder);
        let (stepper, generation, changed) = (self.stepper, self.generation, self.changed);
        // Dropping the lesson's future (done above, as `Abortable` returned)
        // has cancelled every task still in flight.
        if let Some(stepper) = &stepper {
            stepper.end();
        }
        let ended = now();
        if this.generation.get() != generation {
            // A newer run replaced this one; it owns the view now.
            return Ok((recorder, ended));
        }
        this.active.borrow_mut().take();
        let (state, error) = match outcome {
            Err(_aborted) => (WidgetState::Cancelled, None),
            Ok(Ok(())) => (WidgetState::Done, None),
            Ok(Err(e)) => (WidgetState::Error, Some(e)),
        };
        let message = error.as_ref().map(ToString::to_string);
        view.finish(
            state,
            message.as_deref(),
            &recorder.inspect(|runs| words::summary(runs, ended, state, message.as_deref())),
        );
        if let (Some(predict), WidgetState::Done) = (predict, state) {
            let verdict = recorder.inspect(|runs| words::verdict(predict, view.prediction(), runs, &changed));
            view.show_verdict(&verdict);
        }
        *this.last.borrow_mut() = Some((recorder.clone(), ended));
        match error {
            Some(e) => Err(e.into()),
            None => Ok((recorder, ended)),
        }
    }
}

/// `run()`'s options: `{ step: true }`, or nothing. Only the object's own
/// `step` counts (not one a page put on `Object.prototype`), and a getter
/// or Proxy that throws is refused with a sentence, never let through.
fn step_option(options: &JsValue) -> Result<bool, Error> {
    if options.is_undefined() || options.is_null() {
        return Ok(false);
    }
    if !options.is_object() {
        return Err(Error::Usage(
            "run() takes { step: true }, { step: false } or nothing.".into(),
        ));
    }
    let threw = |e: JsValue| {
        Error::Usage(format!(
            "Reading run()'s options threw: {}",
            crate::error::js_message(&e)
        ))
    };
    let key = JsValue::from_str("step");
    let own = js_sys::Reflect::get_own_property_descriptor(options.unchecked_ref::<js_sys::Object>(), &key)
        .map_err(threw)?;
    if own.is_undefined() {
        return Ok(false);
    }
    let value = js_sys::Reflect::get(options, &key).map_err(threw)?;
    if value.is_undefined() {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| Error::Usage("run()'s option step takes true or false.".into()))
}

impl Drop for Inner {
    fn drop(&mut self) {
        view::unregister(self.id);
    }
}

/// Why an element without a `lesson` attribute shows no lesson.
pub(crate) fn missing_lesson() -> Error {
    Error::Usage(format!(
        "This <async-demo> element has no lesson attribute: give it one of {}.",
        lessons::names()
    ))
}

/// Why an element whose `lesson` is `name` shows no lesson.
pub(crate) fn unknown_lesson(name: &str) -> Error {
    Error::Param {
        name: "lesson".into(),
        value: name.to_string(),
        expected: format!("one of {}", lessons::names()),
    }
}

/// The host's attributes as parameters. User URLs resolve against the page.
fn params_of(host: &HtmlElement, module_base: &str) -> Params {
    let names = host.get_attribute_names();
    let values: BTreeMap<String, String> = names
        .iter()
        .filter_map(|name| name.as_string())
        .filter_map(|name| host.get_attribute(&name).map(|v| (name, v)))
        .collect();
    let page = host
        .base_uri()
        .ok()
        .flatten()
        .unwrap_or_else(|| module_base.to_string());
    Params::new(values, &page, module_base)
}
