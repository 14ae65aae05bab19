//! The view's listeners: parameters, timeline hover and keys, replay,
//! export; and Run and Cancel, handed to the controller as [`Intent`]s.
//! Each is a [`Listener`], removed when the view goes.

use std::rc::Rc;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{KeyboardEvent, MouseEvent};

use super::super::dom::{self, Listener};
use super::{Intent, WidgetView};

impl WidgetView {
    /// Hands Run and Cancel to `handler` (the controller).
    pub fn on_intent(&self, handler: impl Fn(Intent) + 'static) -> Result<(), JsValue> {
        let handler = Rc::new(handler);
        let mut listeners = Vec::new();
        let buttons = [
            (Some(&self.run_button), Intent::Run),
            (Some(&self.cancel_button), Intent::Cancel),
            (self.lesson_button.as_ref(), Intent::Click),
            (Some(&self.step_button), Intent::Step),
            (Some(&self.continue_button), Intent::Continue),
        ];
        for (button, intent) in buttons.into_iter().filter_map(|(b, i)| Some((b?, i))) {
            let handler = handler.clone();
            listeners.push(Listener::new(button, "click", move |_| handler(intent))?);
        }
        self.listeners.borrow_mut().extend(listeners);
        Ok(())
    }

    /// The view's own controls: parameters, timeline hover and keys,
    /// replay, export. (Run and Cancel go to the controller: [`Intent`].)
    pub(super) fn wire(self: &Rc<Self>) -> Result<(), JsValue> {
        let mut listeners = Vec::new();
        for (name, input) in &self.inputs {
            // A changed input becomes the host's attribute: the attribute is
            // the one place a parameter lives (permalinks and host scripts
            // write it too), and its change reaches the controller's `sync`.
            let (host, name, source) = (self.host.clone(), *name, input.clone());
            listeners.push(Listener::new(input, "change", move |_| {
                if let Err(e) = host.set_attribute(name, &source.value()) {
                    dom::warn_once("a parameter could not be set", &e);
                }
            })?);
            if let Some((_, output)) = self.outputs.iter().find(|(n, _)| *n == name) {
                let (output, source) = (output.clone(), input.clone());
                listeners.push(Listener::new(input, "input", move |_| {
                    output.set_text_content(Some(&source.value()));
                })?);
            }
        }
        if let Some(sandbox) = &self.sandbox {
            // What is typed becomes the `program` attribute at once: the
            // attribute is where the program lives (a run, a permalink and
            // a host script read it there), and its change redraws the
            // highlighted lines, the twins and what the checker says.
            let (host, editor) = (self.host.clone(), sandbox.editor.clone());
            listeners.push(Listener::new(&sandbox.editor, "input", move |_| {
                if let Err(e) = host.set_attribute("program", &editor.value()) {
                    dom::warn_once("the program could not be set", &e);
                }
            })?);
        }
        for (button, values) in &self.presets {
            let (host, values) = (self.host.clone(), values.clone());
            listeners.push(Listener::new(button, "click", move |_| {
                for (name, value) in &values {
                    let set = match value.as_str() {
                        "" => host.remove_attribute(name),
                        value => host.set_attribute(name, value),
                    };
                    if let Err(e) = set {
                        dom::warn_once("a preset could not be applied", &e);
                    }
                }
            })?);
        }
        if let Some((details, _)) = &self.transcript {
            let weak = Rc::downgrade(self);
            listeners.push(Listener::new(details, "toggle", move |_| {
                if let Some(view) = weak.upgrade() {
                    view.fill_transcript();
                }
            })?);
        }
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&self.results_area, "mousemove", move |event| {
            if let (Some(view), Some(event)) = (weak.upgrade(), event.dyn_ref::<MouseEvent>()) {
                view.hover(event);
            }
        })?);
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&self.results_area, "keydown", move |event| {
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
        listeners.push(Listener::new(&self.replay.scrubber, "input", move |_| {
            if let Some(view) = weak.upgrade() {
                view.scrub();
            }
        })?);
        let weak = Rc::downgrade(self);
        listeners.push(Listener::new(&self.export_button, "click", move |_| {
            if let Some(view) = weak.upgrade() {
                if let Err(e) = view.download_trace() {
                    let message = format!("The trace could not be saved: {}", crate::error::js_message(&e));
                    view.detail.set_text_content(Some(&message));
                }
            }
        })?);
        self.listeners.borrow_mut().extend(listeners);
        Ok(())
    }
}
