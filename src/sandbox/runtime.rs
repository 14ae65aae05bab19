//! What a sandbox program runs with: where its relative URLs point, the
//! clicks on its widget's button, the tasks it spawned, and the recording
//! its futures are traced into. The interpreter hands it to the prelude's
//! implementations itself; a compiled program reaches it through
//! [`current`], which the test harness sets (in a reader's own project
//! there is none, and the prelude works without).

use std::cell::{Cell, RefCell};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures::future::AbortHandle;
use futures::Future;

use crate::trace::Run;

/// The most futures one run of a program may make.
pub const MAX_FUTURES: usize = 100_000;

/// One run's surroundings.
#[derive(Debug)]
pub struct Runtime {
    /// The folder relative URLs resolve against (the widget's).
    pub base: String,
    /// Clicks on the widget's button.
    pub clicks: ClickHub,
    /// Tasks the program spawned.
    pub detached: Rc<Detached>,
    /// Where futures are traced (a compiled program's labels are `labels`).
    pub run: RefCell<Option<Run>>,
    /// A compiled program's labels, by the ids its `__trace` calls carry.
    pub labels: Vec<String>,
    /// And the line of each.
    pub lines: Vec<u32>,
    /// How many futures the program has made.
    pub made: Cell<usize>,
    /// How many times its `for` loops have run their bodies.
    pub iterations: Cell<usize>,
    /// How many milliseconds of busy loop (`block`) the program has asked
    /// for: a page cannot even take a Cancel while one runs.
    pub blocked_ms: Cell<u64>,
    /// Who to wake when the interpreter meets a fault (it ends the run).
    pub fault_waker: RefCell<Option<Waker>>,
}

impl Runtime {
    /// Surroundings with `base` for relative URLs and nothing else yet.
    pub fn new(base: impl Into<String>) -> Rc<Self> {
        Rc::new(Runtime {
            base: base.into(),
            clicks: ClickHub::default(),
            detached: Rc::default(),
            run: RefCell::new(None),
            labels: Vec::new(),
            lines: Vec::new(),
            made: Cell::new(0),
            iterations: Cell::new(0),
            blocked_ms: Cell::new(0),
            fault_waker: RefCell::new(None),
        })
    }

    /// Surroundings for a compiled program whose `__trace` ids name these
    /// labels and lines (the checker's list of written futures).
    pub fn with_labels(base: impl Into<String>, labels: Vec<String>, lines: Vec<u32>) -> Rc<Self> {
        Rc::new(Runtime {
            base: base.into(),
            clicks: ClickHub::default(),
            detached: Rc::default(),
            run: RefCell::new(None),
            labels,
            lines,
            made: Cell::new(0),
            iterations: Cell::new(0),
            blocked_ms: Cell::new(0),
            fault_waker: RefCell::new(None),
        })
    }

    /// `url` made absolute against [`Runtime::base`] (left as it is where it
    /// cannot be: its download then fails with a sentence).
    pub fn resolve(&self, url: &str) -> String {
        resolve(url, &self.base)
    }

    /// Counts one more turn of a `for` loop; an error past [`MAX_FUTURES`]
    /// turns (a loop of no `.await` would hold the page all along).
    pub fn iterate(&self) -> Result<(), crate::Error> {
        let turns = self.iterations.get() + 1;
        self.iterations.set(turns);
        if turns > MAX_FUTURES {
            return Err(crate::Error::Program(format!(
                "The program's for loops turned more than {MAX_FUTURES} times, the most one run may."
            )));
        }
        Ok(())
    }

    /// Counts one more future; an error past [`MAX_FUTURES`].
    pub fn count(&self) -> Result<(), crate::Error> {
        let made = self.made.get() + 1;
        self.made.set(made);
        if made > MAX_FUTURES {
            return Err(crate::Error::Program(format!(
                "The program made more than {MAX_FUTURES} futures, the most one run may make."
            )));
        }
        Ok(())
    }
}

/// `url` made absolute against `base` (left as it is where it cannot be).
#[cfg(target_arch = "wasm32")]
pub fn resolve(url: &str, base: &str) -> String {
    web_sys::Url::new_with_base(url, base).map_or_else(|_| url.to_string(), |u| u.href())
}

/// `url` made absolute against `base` (natively: joined).
#[cfg(not(target_arch = "wasm32"))]
pub fn resolve(url: &str, base: &str) -> String {
    if url.contains("://") || base.is_empty() {
        url.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), url.trim_start_matches('/'))
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Runtime>>> = const { RefCell::new(None) };
}

/// The runtime a compiled program runs in, if one was set.
pub fn current() -> Option<Rc<Runtime>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Sets (or, with `None`, clears) the runtime compiled programs reach.
pub fn set_current(runtime: Option<Rc<Runtime>>) {
    CURRENT.with(|c| *c.borrow_mut() = runtime);
}

/// Clicks on the widget's button, heard by every `click()` that waits.
#[derive(Debug, Default)]
pub struct ClickHub {
    count: Cell<u64>,
    /// The `click()`s waiting, by id, each with the waker of its last poll.
    waiting: RefCell<Vec<(u64, Waker)>>,
    next_id: Cell<u64>,
}

impl ClickHub {
    /// One click: every `click()` waiting resolves.
    pub fn click(&self) {
        self.count.set(self.count.get() + 1);
        let woken: Vec<(u64, Waker)> = self.waiting.borrow_mut().drain(..).collect();
        for (_, waker) in woken {
            waker.wake();
        }
    }

    /// `click()` number `id` waits with `waker`: once, however often it is
    /// polled before the click (a sibling's wake in a join polls it again),
    /// so that one click wakes it once.
    fn wait(&self, id: u64, waker: &Waker) {
        let mut waiting = self.waiting.borrow_mut();
        match waiting.iter_mut().find(|(i, _)| *i == id) {
            Some((_, kept)) if kept.will_wake(waker) => {}
            Some((_, kept)) => kept.clone_from(waker),
            None => waiting.push((id, waker.clone())),
        }
    }

    /// `click()` number `id` was dropped: a click no longer wakes it.
    fn forget(&self, id: u64) {
        if let Ok(mut waiting) = self.waiting.try_borrow_mut() {
            waiting.retain(|(i, _)| *i != id);
        }
    }

    /// How many clicks so far.
    fn clicks(&self) -> u64 {
        self.count.get()
    }
}

/// The next click on `hub` after the future's first poll.
pub struct NextClick {
    hub: Rc<Runtime>,
    after: Option<u64>,
    id: u64,
}

impl NextClick {
    /// Waits for a click heard by `runtime`.
    pub fn new(runtime: Rc<Runtime>) -> Self {
        let id = runtime.clicks.next_id.get();
        runtime.clicks.next_id.set(id + 1);
        NextClick {
            hub: runtime,
            after: None,
            id,
        }
    }
}

impl Drop for NextClick {
    fn drop(&mut self) {
        self.hub.clicks.forget(self.id);
    }
}

impl Future for NextClick {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let now = self.hub.clicks.clicks();
        let after = *self.after.get_or_insert(now);
        if now > after {
            return Poll::Ready(());
        }
        self.hub.clicks.wait(self.id, cx.waker());
        crate::waits::on(|| "a click on the widget's button".to_string());
        Poll::Pending
    }
}

impl std::fmt::Debug for NextClick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NextClick").field("after", &self.after).finish()
    }
}

/// The tasks a program spawned: each can be aborted (when its run is
/// cancelled), and a run waits until none is left.
#[derive(Debug, Default)]
pub struct Detached {
    handles: RefCell<Vec<AbortHandle>>,
    live: Cell<usize>,
    waiting: RefCell<Option<Waker>>,
}

impl Detached {
    /// Spawns `future` on the page's executor, counted and abortable.
    pub fn spawn(self: &Rc<Self>, future: impl Future<Output = ()> + 'static) {
        let (abortable, handle) = futures::future::abortable(future);
        self.handles.borrow_mut().push(handle);
        self.live.set(self.live.get() + 1);
        let this = self.clone();
        spawn(async move {
            let _ = abortable.await;
            this.live.set(this.live.get() - 1);
            if let Some(waker) = this.waiting.borrow_mut().take() {
                waker.wake();
            }
        });
    }

    /// Resolves once every spawned task has ended.
    pub fn all_done(self: &Rc<Self>) -> impl Future<Output = ()> {
        let this = self.clone();
        futures::future::poll_fn(move |cx| {
            if this.live.get() == 0 {
                Poll::Ready(())
            } else {
                *this.waiting.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
    }

    /// Aborts every spawned task still running.
    pub fn abort_all(&self) {
        for handle in self.handles.borrow_mut().drain(..) {
            handle.abort();
        }
    }

    /// How many are running.
    pub fn live(&self) -> usize {
        self.live.get()
    }
}

#[cfg(target_arch = "wasm32")]
fn spawn(future: impl Future<Output = ()> + 'static) {
    wasm_bindgen_futures::spawn_local(future);
}

#[cfg(not(target_arch = "wasm32"))]
fn spawn(future: impl Future<Output = ()> + 'static) {
    // Natively (unit tests) there is no executor of the page: the task is
    // dropped unrun, as a future no one polls.
    drop(future);
}

/// Ends a run's spawned tasks when the run goes (done or cancelled).
#[derive(Debug)]
pub struct AbortOnDrop(pub Rc<Runtime>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.detached.abort_all();
    }
}
