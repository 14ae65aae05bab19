//! A panic anywhere kills the wasm instance, and with it every widget on the
//! page. Before that happens, the hook shows the panic in every widget, so the
//! page says what went wrong instead of going quiet.

use std::cell::{Cell, RefCell};
use std::sync::Once;

use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement};

thread_local! {
    static LIVE: RefCell<Vec<(u64, HtmlElement, Element)>> = const { RefCell::new(Vec::new()) };
    /// Set by the first panic: later ones are usually its echoes (a RefCell
    /// left borrowed by the code that panicked) and must not hide its cause.
    static PANICKED: Cell<bool> = const { Cell::new(false) };
    /// JavaScript's handler, told the first panic's sentence so that it can
    /// reject every Promise still waiting on this (now dead) instance.
    static ON_PANIC: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers `handler(message)`, called once, at the first panic, with the
/// sentence the widgets show. `www/async-demo.js` uses it to reject pending
/// `run()` Promises: after a panic the wasm instance runs nothing more, so
/// they would otherwise never settle.
#[wasm_bindgen(js_name = onPanic)]
pub fn on_panic(handler: js_sys::Function) {
    ON_PANIC.with(|h| {
        if let Ok(mut h) = h.try_borrow_mut() {
            *h = Some(handler);
        }
    });
}

/// Lists a widget's host and its error line for the panic hook.
pub fn register(id: u64, host: &HtmlElement, error_line: &Element) {
    LIVE.with(|live| {
        if let Ok(mut live) = live.try_borrow_mut() {
            live.push((id, host.clone(), error_line.clone()));
        }
    });
}

/// Forgets a widget that left the page.
pub fn unregister(id: u64) {
    LIVE.with(|live| {
        if let Ok(mut live) = live.try_borrow_mut() {
            live.retain(|(i, _, _)| *i != id);
        }
    });
}

/// Installs the hook (once per page): logs the panic to the console and
/// puts it in every widget, with `data-state="error"`.
pub fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            console_error_panic_hook::hook(info);
            if PANICKED.with(|p| p.replace(true)) {
                return; // the banner keeps the first panic, the cause
            }
            let message =
                format!("async-demo stopped on an internal error: {info}. Reload the page to start again.");
            ON_PANIC.with(|h| {
                if let Some(handler) = h.try_borrow().ok().and_then(|h| h.clone()) {
                    if let Err(e) = handler.call1(&JsValue::NULL, &JsValue::from_str(&message)) {
                        web_sys::console::error_2(&"async-demo: the panic handler threw".into(), &e);
                    }
                }
            });
            LIVE.with(|live| {
                if let Ok(live) = live.try_borrow() {
                    for (_, host, line) in live.iter() {
                        let _ = host.set_attribute("data-state", "error");
                        line.set_text_content(Some(&message));
                        let _ = line.remove_attribute("hidden");
                    }
                }
            });
        }));
    });
}
