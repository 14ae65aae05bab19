//! Small DOM helpers. Text always goes in as text.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, EventTarget, HtmlElement};

/// An event listener that is removed when dropped (as gloo-events does it).
#[must_use = "the listener is removed as soon as it is dropped"]
pub struct Listener {
    target: EventTarget,
    event: &'static str,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    /// Adds `f` as the `event` listener of `target`.
    pub fn new(
        target: &EventTarget,
        event: &'static str,
        f: impl FnMut(web_sys::Event) + 'static,
    ) -> Result<Self, JsValue> {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(f);
        target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())?;
        Ok(Listener {
            target: target.clone(),
            event,
            closure,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener").field("event", &self.event).finish()
    }
}

thread_local! {
    static WARNED: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Logs to the console that `what` failed, with the JavaScript error, once
/// per page for each `what`: a failure in drawing must be visible, but not
/// sixty times a second.
pub fn warn_once(what: &'static str, error: &JsValue) {
    let first = WARNED.with(|w| match w.try_borrow_mut() {
        Ok(mut warned) if !warned.contains(&what) => {
            warned.push(what);
            true
        }
        _ => false,
    });
    if first {
        web_sys::console::warn_2(&format!("async-demo: {what}").into(), error);
    }
}

/// The document the widget lives in.
pub fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("async-demo needs a page with a document"))
}

/// Creates `<tag class="class">` inside `parent`.
pub fn child(parent: &Element, tag: &str, class: &str) -> Result<Element, JsValue> {
    let doc = parent.owner_document().map_or_else(document, Ok)?;
    let el = doc.create_element(tag)?;
    if !class.is_empty() {
        el.set_class_name(class);
    }
    parent.append_child(&el)?;
    Ok(el)
}

/// Creates `<tag class="class">text</tag>` inside `parent`.
pub fn text_child(parent: &Element, tag: &str, class: &str, text: &str) -> Result<Element, JsValue> {
    let el = child(parent, tag, class)?;
    el.set_text_content(Some(text));
    Ok(el)
}

/// Removes every child of `el`.
pub fn clear(el: &Element) {
    el.set_text_content(None);
}

/// Casts, with a message naming what was expected.
pub fn cast<T: JsCast>(value: impl Into<JsValue>, what: &str) -> Result<T, JsValue> {
    value
        .into()
        .dyn_into::<T>()
        .map_err(|_| JsValue::from_str(&format!("expected {what}")))
}

/// The element as an `HtmlElement` (all elements this view creates are).
pub fn html(el: &Element) -> Option<&HtmlElement> {
    el.dyn_ref::<HtmlElement>()
}

/// Milliseconds for a table cell.
pub fn ms(value: f64) -> String {
    if value >= 100.0 {
        crate::fixed::fixed(value, 0)
    } else {
        crate::fixed::fixed(value, 1)
    }
}
