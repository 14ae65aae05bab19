//! A `requestAnimationFrame` loop as an RAII handle: it calls its callback
//! once per frame until the handle is dropped. Shared by the frame meter
//! (trace) and the ticker (view).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

struct State {
    handle: i32,
    // The callback re-registers itself every frame; it lives here and is
    // dropped with the loop, which breaks that self-reference.
    callback: Option<Closure<dyn FnMut(f64)>>,
}

/// Calls `on_frame(timestamp)` every animation frame while it lives.
#[must_use = "the loop stops as soon as the handle is dropped"]
pub struct FrameLoop {
    state: Rc<RefCell<State>>,
}

impl std::fmt::Debug for FrameLoop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameLoop")
            .field("handle", &self.state.borrow().handle)
            .finish()
    }
}

impl FrameLoop {
    /// Starts the loop; `None` where there is no window (a worker).
    pub fn start(mut on_frame: impl FnMut(f64) + 'static) -> Option<Self> {
        let window = web_sys::window()?;
        let state = Rc::new(RefCell::new(State {
            handle: 0,
            callback: None,
        }));
        let weak = Rc::downgrade(&state);
        let win = window.clone();
        let callback = Closure::<dyn FnMut(f64)>::new(move |timestamp: f64| {
            on_frame(timestamp);
            let Some(state) = weak.upgrade() else { return };
            let Ok(mut state) = state.try_borrow_mut() else {
                return;
            };
            if let Some(cb) = state.callback.as_ref() {
                state.handle = win
                    .request_animation_frame(cb.as_ref().unchecked_ref())
                    .unwrap_or(0);
            }
        });
        let handle = window
            .request_animation_frame(callback.as_ref().unchecked_ref())
            .ok()?;
        {
            let mut s = state.borrow_mut();
            s.handle = handle;
            s.callback = Some(callback);
        }
        Some(FrameLoop { state })
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        // `try_borrow_mut`: a loop dropped from inside its own callback is
        // already borrowed; it then stops at the next frame, when `weak`
        // no longer upgrades.
        if let Ok(mut state) = self.state.try_borrow_mut() {
            if let Some(window) = web_sys::window() {
                let _ = window.cancel_animation_frame(state.handle);
            }
            state.callback = None;
        }
    }
}
