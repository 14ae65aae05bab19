//! What a run records, and the arithmetic on it (stats, warnings).

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use super::frames::{longest_gap, next_frame, FrameMeter};
use super::step::Stepper;
use super::traced::Traced;
use crate::clock::now;

/// A poll that runs longer than this held the main thread long enough to
/// drop frames: the task table flags it.
pub const LONG_POLL_MS: f64 = 50.0;

/// One thing that happened to a task, in page time (ms).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// One call of `Future::poll`, from `start` to `end`; `ready` if it
    /// returned `Poll::Ready`.
    Poll {
        /// When the poll began.
        start: f64,
        /// When it returned.
        end: f64,
        /// Whether it returned `Ready`.
        ready: bool,
        /// Why it was polled.
        cause: Cause,
    },
    /// The task's waker was called.
    Wake {
        /// When.
        at: f64,
    },
}

/// Why a traced future was polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    /// Its first poll: whoever awaits it (or the executor) started it.
    First,
    /// Its own waker was called since its last poll: a timer fired, bytes
    /// arrived, a Promise settled.
    Woken,
    /// Nothing woke it: the combinator that holds it (`join_all` of up to 30,
    /// `join!`, `select`) polls every child whenever any child is woken.
    Sibling,
}

impl Cause {
    /// In a sentence: "woken by its own waker".
    pub fn describe(self) -> &'static str {
        match self {
            Cause::First => "its first poll",
            Cause::Woken => "woken by its own waker",
            Cause::Sibling => "polled because a sibling was woken (its combinator polls every child)",
        }
    }

    /// The report's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::First => "first",
            Cause::Woken => "woken",
            Cause::Sibling => "sibling",
        }
    }
}

/// Where a task stands. In JSON (reports), its lower-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    /// Not finished: still running, or never polled at all.
    Pending,
    /// Finished with a value.
    Done,
    /// Finished with an error.
    Error,
    /// Dropped after it had started and before it finished.
    Cancelled,
}

impl TaskState {
    /// The report's name for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Pending => "pending",
            TaskState::Done => "done",
            TaskState::Error => "error",
            TaskState::Cancelled => "cancelled",
        }
    }
}

/// How a finished task ended, as [`TaskOutput`](super::TaskOutput) describes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Finished with a value, with a short description of it if it has one.
    Done(Option<String>),
    /// Finished with an error, as a readable sentence.
    Failed(String),
}

/// Everything recorded about one task.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    /// The task's name in the report (borrowed when it is a literal: no
    /// allocation per task on the fast path).
    pub label: Cow<'static, str>,
    /// When the future was wrapped (built, not yet run).
    pub created: f64,
    /// When it was first polled: when it actually started.
    pub first_poll: Option<f64>,
    /// When it finished or was dropped.
    pub end: Option<f64>,
    /// Where it stands.
    pub state: TaskState,
    /// A description of the value it produced.
    pub result: Option<String>,
    /// The error sentence, for `state == Error`.
    pub error: Option<String>,
    /// Number of polls.
    pub polls: u32,
    /// Number of wakes.
    pub wakes: u32,
    /// Total time spent inside `poll` (ms).
    pub busy: f64,
    /// The longest single poll (ms).
    pub longest_poll: f64,
    /// Every poll and wake, in order.
    pub events: Vec<Event>,
    /// For tasks that report it: bytes so far and the expected total.
    pub progress: Option<(u64, Option<u64>)>,
    /// The source file and line of the `run.trace(…)` call that created it.
    pub created_at: Option<(&'static str, u32)>,
    /// What it waited on at its last `Pending` poll, as the work itself
    /// described it (see `crate::waits`).
    pub waiting_on: Option<String>,
}

impl TaskRecord {
    pub(crate) fn new(label: Cow<'static, str>, created: f64) -> Self {
        TaskRecord {
            label,
            created,
            first_poll: None,
            end: None,
            state: TaskState::Pending,
            result: None,
            error: None,
            polls: 0,
            wakes: 0,
            busy: 0.0,
            longest_poll: 0.0,
            events: Vec::new(),
            progress: None,
            created_at: None,
            waiting_on: None,
        }
    }

    /// How many of its polls had each cause, e.g. "first 1 · woken 2".
    pub fn causes(&self) -> String {
        let mut counts = [0u32; 3];
        for event in &self.events {
            if let Event::Poll { cause, .. } = event {
                counts[*cause as usize] += 1;
            }
        }
        [Cause::First, Cause::Woken, Cause::Sibling]
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| format!("{} {n}", c.as_str()))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Why its next poll would happen: its first, a wake of its own since
    /// the last one, or neither (its combinator polls it for a sibling).
    pub fn next_cause(&self) -> Cause {
        match self.events.last() {
            _ if self.polls == 0 => Cause::First,
            Some(Event::Wake { .. }) => Cause::Woken,
            _ => Cause::Sibling,
        }
    }

    /// Time between the first poll and the end (or `until`, if still
    /// running) that the task spent waiting rather than being polled.
    pub fn idle(&self, until: f64) -> f64 {
        match self.first_poll {
            Some(start) => (self.end.unwrap_or(until) - start - self.busy).max(0.0),
            None => 0.0,
        }
    }

    /// tokio-console-style warnings about how the task behaved; "never
    /// polled" only once its run is over (a stepped run's futures wait for
    /// their first poll).
    pub fn warnings(&self, run_over: bool) -> Vec<String> {
        let mut out = Vec::new();
        if self.polls == 0 && run_over {
            out.push("never polled: nothing awaited or spawned it".to_string());
        }
        if self.longest_poll > LONG_POLL_MS {
            out.push(format!(
                "one poll took {:.0} ms: it blocked the page",
                self.longest_poll
            ));
        }
        if self.state == TaskState::Cancelled {
            out.push("dropped while pending: cancelled".to_string());
        }
        out
    }

    pub(crate) fn record_wake(&mut self, at: f64) {
        self.wakes += 1;
        self.events.push(Event::Wake { at });
    }

    pub(crate) fn record_poll(&mut self, start: f64, end: f64, ready: bool) {
        if self.first_poll.is_none() {
            self.first_poll = Some(start);
        }
        let took = end - start;
        let cause = self.next_cause();
        self.polls += 1;
        self.busy += took;
        if took > self.longest_poll {
            self.longest_poll = took;
        }
        self.events.push(Event::Poll {
            start,
            end,
            ready,
            cause,
        });
    }

    pub(crate) fn record_end(&mut self, at: f64, outcome: Outcome) {
        self.end = Some(at);
        match outcome {
            Outcome::Done(result) => {
                self.state = TaskState::Done;
                self.result = result;
            }
            Outcome::Failed(error) => {
                self.state = TaskState::Error;
                self.error = Some(error);
            }
        }
    }

    pub(crate) fn record_drop(&mut self, at: f64) {
        // A future dropped before its first poll never started: it stays
        // `pending` (the lazy lesson shows exactly that). Only one dropped
        // mid-flight was cancelled.
        if self.state == TaskState::Pending && self.polls > 0 {
            self.state = TaskState::Cancelled;
            self.end = Some(at);
        }
    }
}

/// One named run of a lesson (e.g. "sequential"), with its tasks in the order
/// they were created.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The run's name in the report.
    pub name: String,
    /// When it began (page time, ms). All report times are relative to this.
    pub start: f64,
    /// When it ended, if it has.
    pub end: Option<f64>,
    /// The longest time between two animation frames during the run (ms).
    pub longest_frame_gap: f64,
    /// Animation-frame times seen during the run (page time, ms).
    pub frames: Vec<f64>,
    /// Long tasks the browser reported during the run: (start, duration), ms.
    pub long_tasks: Vec<(f64, f64)>,
    /// The run's tasks, in creation order.
    pub tasks: Vec<TaskRecord>,
}

#[derive(Default)]
struct Inner {
    runs: Vec<RunRecord>,
    log: Vec<(f64, String)>,
    /// Something was recorded since the view last drew.
    dirty: bool,
}

/// The recording of one widget run: its named runs, their tasks, and the
/// lines the lesson printed. Cheap to clone (a shared handle).
#[derive(Clone, Default)]
pub struct Recorder {
    inner: Rc<RefCell<Inner>>,
    /// Set for a stepped run: its traced futures poll only when stepped.
    stepper: Option<Stepper>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.inner.borrow();
        f.debug_struct("Recorder")
            .field("runs", &inner.runs)
            .field("log", &inner.log)
            .finish()
    }
}

impl Recorder {
    /// An empty recording.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty recording of a run that is stepped: its traced futures are
    /// polled one at a time, when `stepper` says so.
    pub fn stepped(stepper: Stepper) -> Self {
        Recorder {
            stepper: Some(stepper),
            ..Self::default()
        }
    }

    /// The stepper, for a stepped run.
    pub fn stepper(&self) -> Option<&Stepper> {
        self.stepper.as_ref()
    }

    /// Reads one task's record.
    pub(crate) fn task<R>(&self, run: usize, task: usize, f: impl FnOnce(&TaskRecord) -> R) -> R {
        f(&self.inner.borrow().runs[run].tasks[task])
    }

    /// Whether anything was recorded since the last call; resets the flag.
    /// The view asks once per animation frame while a run goes on.
    pub fn take_dirty(&self) -> bool {
        std::mem::take(&mut self.inner.borrow_mut().dirty)
    }

    /// Starts a named run now. Its frame meter runs until [`Run::finish`] (or
    /// until the `Run` is dropped, when a cancelled run stops early).
    pub fn begin_run(&self, name: &str) -> Run {
        let start = now();
        let index = self.with(|inner| {
            inner.runs.push(RunRecord {
                name: name.to_string(),
                start,
                end: None,
                longest_frame_gap: 0.0,
                frames: Vec::new(),
                long_tasks: Vec::new(),
                tasks: Vec::new(),
            });
            inner.runs.len() - 1
        });
        let frames = self.clone();
        let meter = FrameMeter::start(move |t| frames.push_frame(index, t));
        Run {
            recorder: self.clone(),
            index,
            meter: Some(meter),
        }
    }

    /// Records a line of the lesson's own output ("Hello", "World").
    pub fn log(&self, line: impl Into<String>) {
        let line = line.into();
        let at = now();
        self.with(|inner| inner.log.push((at, line)));
    }

    /// A copy of the runs recorded so far.
    pub fn runs(&self) -> Vec<RunRecord> {
        self.inner.borrow().runs.clone()
    }

    /// Runs `f` on the runs without copying them.
    pub fn inspect<R>(&self, f: impl FnOnce(&[RunRecord]) -> R) -> R {
        f(&self.inner.borrow().runs)
    }

    /// The lesson's output lines, with the time each was printed.
    pub fn log_lines(&self) -> Vec<(f64, String)> {
        self.inner.borrow().log.clone()
    }

    /// Notes an animation frame of run `run`. It does not ask for a redraw
    /// (that would redraw every frame); the next event's redraw shows it.
    fn push_frame(&self, run: usize, at: f64) {
        if let Ok(mut inner) = self.inner.try_borrow_mut() {
            inner.runs[run].frames.push(at);
        }
    }

    pub(crate) fn add_task(
        &self,
        run: usize,
        label: Cow<'static, str>,
        created_at: &'static std::panic::Location<'static>,
    ) -> usize {
        let at = now();
        self.with(|inner| {
            let tasks = &mut inner.runs[run].tasks;
            let mut task = TaskRecord::new(label, at);
            task.created_at = Some((created_at.file(), created_at.line()));
            tasks.push(task);
            tasks.len() - 1
        })
    }

    /// Mutates one task's record and marks the recording changed.
    pub(crate) fn task_mut(&self, run: usize, task: usize, f: impl FnOnce(&mut TaskRecord)) {
        self.with(|inner| f(&mut inner.runs[run].tasks[task]));
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> R {
        let mut inner = self.inner.borrow_mut();
        inner.dirty = true;
        f(&mut inner)
    }
}

/// A run in progress: hands out traced tasks, measures animation frames.
#[must_use = "a run records nothing unless its tasks are created and awaited through it"]
#[derive(Debug)]
pub struct Run {
    recorder: Recorder,
    index: usize,
    meter: Option<FrameMeter>,
}

impl Run {
    /// Wraps `future` so that this run records its polls, wakes and end under
    /// `label`. It starts nothing and spawns nothing: like any future, the
    /// wrapped one does nothing until it is awaited or handed to an executor.
    ///
    /// The line of the call is kept (`#[track_caller]`): the code pane lights
    /// it up when stepping.
    #[track_caller]
    pub fn trace<F: std::future::Future>(&self, label: impl Into<Cow<'static, str>>, future: F) -> Traced<F> {
        let task = self
            .recorder
            .add_task(self.index, label.into(), std::panic::Location::caller());
        Traced::new(future, self.recorder.clone(), self.index, task)
    }

    /// Like [`trace`](Self::trace), for a future that reports its progress:
    /// `make` gets the [`Progress`] handle to report through.
    #[track_caller]
    pub fn trace_with_progress<F: std::future::Future>(
        &self,
        label: impl Into<Cow<'static, str>>,
        make: impl FnOnce(Progress) -> F,
    ) -> Traced<F> {
        let task = self
            .recorder
            .add_task(self.index, label.into(), std::panic::Location::caller());
        let progress = Progress {
            recorder: self.recorder.clone(),
            run: self.index,
            task,
        };
        Traced::new(make(progress), self.recorder.clone(), self.index, task)
    }

    /// Ends the run: waits one more animation frame, so that a block just
    /// before the end still shows as a frame gap, then closes the record.
    pub async fn finish(mut self) {
        next_frame().await;
        self.close();
    }

    fn close(&mut self) {
        let Some(meter) = self.meter.take() else { return };
        let end = now();
        let long_tasks = meter.stop();
        self.recorder.with(|inner| {
            let run = &mut inner.runs[self.index];
            run.end = Some(end);
            run.longest_frame_gap = longest_gap(run.start, &run.frames, end);
            run.long_tasks = long_tasks;
        });
    }
}

/// Where a task reports how far along it is (bytes of a download).
#[derive(Debug, Clone)]
pub struct Progress {
    recorder: Recorder,
    run: usize,
    task: usize,
}

impl Progress {
    /// `done` bytes so far, of `total` if known.
    pub fn report(&self, done: u64, total: Option<u64>) {
        self.recorder
            .task_mut(self.run, self.task, |t| t.progress = Some((done, total)));
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        // Dropped without `finish`: the run was cancelled; close it now.
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> TaskRecord {
        TaskRecord::new("t".into(), 0.0)
    }

    #[test]
    fn busy_is_the_sum_of_polls_and_idle_the_rest() {
        let mut t = record();
        t.record_poll(10.0, 12.0, false);
        t.record_wake(40.0);
        t.record_poll(41.0, 44.0, true);
        t.record_end(44.0, Outcome::Done(None));
        assert_eq!(t.polls, 2);
        assert_eq!(t.wakes, 1);
        assert_eq!(t.busy, 5.0);
        assert_eq!(t.longest_poll, 3.0);
        assert_eq!(t.first_poll, Some(10.0));
        assert_eq!(t.idle(1000.0), 29.0);
        assert_eq!(t.state, TaskState::Done);
    }

    #[test]
    fn idle_of_a_running_task_counts_up_to_now() {
        let mut t = record();
        t.record_poll(0.0, 1.0, false);
        assert_eq!(t.idle(11.0), 10.0);
    }

    #[test]
    fn dropped_after_a_poll_is_cancelled_but_never_polled_stays_pending() {
        let mut started = record();
        started.record_poll(0.0, 1.0, false);
        started.record_drop(5.0);
        assert_eq!(started.state, TaskState::Cancelled);
        assert_eq!(started.end, Some(5.0));

        let mut lazy = record();
        lazy.record_drop(5.0);
        assert_eq!(lazy.state, TaskState::Pending);
        assert_eq!(lazy.end, None);
        assert_eq!(
            lazy.warnings(true),
            vec!["never polled: nothing awaited or spawned it".to_string()]
        );
    }

    #[test]
    fn a_finished_task_is_not_cancelled_by_its_drop() {
        let mut t = record();
        t.record_poll(0.0, 1.0, true);
        t.record_end(1.0, Outcome::Failed("boom".into()));
        t.record_drop(9.0);
        assert_eq!(t.state, TaskState::Error);
        assert_eq!(t.error.as_deref(), Some("boom"));
        assert_eq!(t.end, Some(1.0));
    }

    #[test]
    fn a_long_poll_is_flagged() {
        let mut t = record();
        t.record_poll(0.0, 80.0, true);
        assert!(t.warnings(true).iter().any(|w| w.contains("80 ms")));
    }
}
