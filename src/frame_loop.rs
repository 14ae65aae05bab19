//! A `requestAnimationFrame` loop as an RAII handle: it calls its callback
//! once per frame until the handle is dropped. Shared by the frame meter
//! (trace) and the view (its redraws, the ticker, replay).
//!
//! Every loop of the page rides on one scheduler: one
//! `requestAnimationFrame` callback per frame calls each loop that lives,
//! in the order they started, and asks for the next frame only while one
//! lives. A page of fifteen widgets, each with up to four loops while it
//! runs, asks the browser for one callback a frame rather than sixty.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type Callback = Rc<RefCell<dyn FnMut(f64)>>;
type Tick = Closure<dyn FnMut(f64)>;

/// The page's loops and its one frame request.
struct Scheduler {
    /// The loops that live, by id, in the order they started.
    loops: RefCell<Vec<(u64, Callback)>>,
    next_id: Cell<u64>,
    /// The frame asked for, if one is.
    pending: Cell<Option<i32>>,
    /// What the browser calls each frame; made once.
    tick: OnceCell<Tick>,
}

thread_local! {
    static SCHEDULER: Scheduler = Scheduler {
        loops: RefCell::new(Vec::new()),
        next_id: Cell::new(1),
        pending: Cell::new(None),
        tick: OnceCell::new(),
    };
}

impl Scheduler {
    /// Asks the browser for the next frame, unless it was asked or no loop
    /// lives.
    fn request(&self) {
        if self.pending.get().is_some() || self.loops.borrow().is_empty() {
            return;
        }
        let Some(window) = web_sys::window() else { return };
        let tick = self.tick.get_or_init(|| Closure::<dyn FnMut(f64)>::new(frame));
        self.pending
            .set(window.request_animation_frame(tick.as_ref().unchecked_ref()).ok());
    }

    fn alive(&self, id: u64) -> bool {
        self.loops.borrow().iter().any(|(i, _)| *i == id)
    }
}

/// One frame: every loop that lives when it comes, unless an earlier one
/// stopped it meanwhile. A loop started during the frame runs from the next.
fn frame(timestamp: f64) {
    let due: Vec<(u64, Callback)> = SCHEDULER.with(|s| {
        s.pending.set(None);
        s.loops.borrow().clone()
    });
    for (id, callback) in due {
        if !SCHEDULER.with(|s| s.alive(id)) {
            continue;
        }
        if let Ok(mut callback) = callback.try_borrow_mut() {
            callback(timestamp);
        }
    }
    SCHEDULER.with(Scheduler::request);
}

/// Calls `on_frame(timestamp)` every animation frame while it lives.
#[must_use = "the loop stops as soon as the handle is dropped"]
#[derive(Debug)]
pub struct FrameLoop {
    id: u64,
}

impl FrameLoop {
    /// Starts the loop; `None` where there is no window (a worker).
    pub fn start(on_frame: impl FnMut(f64) + 'static) -> Option<Self> {
        web_sys::window()?;
        let callback: Callback = Rc::new(RefCell::new(on_frame));
        let id = SCHEDULER.with(|s| {
            let id = s.next_id.get();
            s.next_id.set(id + 1);
            s.loops.borrow_mut().push((id, callback));
            s.request();
            id
        });
        Some(FrameLoop { id })
    }
}

impl Drop for FrameLoop {
    fn drop(&mut self) {
        // The callback is dropped after the list is let go: what it owns may
        // stop loops of its own.
        let removed = SCHEDULER.with(|s| {
            let removed = {
                let mut loops = s.loops.borrow_mut();
                let at = loops.iter().position(|(i, _)| *i == self.id);
                at.map(|at| loops.remove(at))
            };
            if s.loops.borrow().is_empty() {
                if let (Some(handle), Some(window)) = (s.pending.take(), web_sys::window()) {
                    let _ = window.cancel_animation_frame(handle);
                }
            }
            removed
        });
        drop(removed);
    }
}
