//! A panic anywhere kills the wasm instance, and with it every widget on the
//! page. Before that happens, the hook shows the panic in every widget, so the
//! page says what went wrong instead of going quiet.

use std::cell::RefCell;
use std::sync::Once;

use web_sys::{Element, HtmlElement};

thread_local! {
    static LIVE: RefCell<Vec<(u64, HtmlElement, Element)>> = const { RefCell::new(Vec::new()) };
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
            let message =
                format!("async-demo stopped on an internal error: {info}. Reload the page to start again.");
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
