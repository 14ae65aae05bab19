//! The recording of a widget's runs: each run's tasks, frames and the
//! lesson's output; the `Run` handle lessons trace their futures through.

use std::borrow::Cow;
use std::cell::RefCell;
use std::rc::Rc;

use super::frames::{longest_gap, next_frame, FrameMeter, Lingering};
use super::step::Stepper;
use super::task::TaskRecord;
use super::traced::Traced;
use crate::clock::now;

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
    /// The run's tasks, in creation order. Each is boxed: a run of 100,000
    /// tasks then grows a vector of pointers, not of 200-odd-byte records, and
    /// never holds two copies of all its records while the vector moves.
    pub tasks: Vec<Box<TaskRecord>>,
}

#[derive(Default)]
struct Inner {
    runs: Vec<RunRecord>,
    log: Vec<(f64, String)>,
    /// Something was recorded since the view last drew.
    dirty: bool,
    /// The last closed run's long-task observer, still hearing of the
    /// long tasks the browser reports late (until the next run closes).
    lingering: Option<Lingering>,
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
        self.add_task_at(run, label, super::awaits::AwaitId::of(created_at))
    }

    pub(crate) fn add_task_at(
        &self,
        run: usize,
        label: Cow<'static, str>,
        place: super::awaits::AwaitId,
    ) -> usize {
        let at = now();
        self.with(|inner| {
            let tasks = &mut inner.runs[run].tasks;
            let mut task = TaskRecord::new(label, at);
            task.created_at = place;
            tasks.push(Box::new(task));
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
    /// The recording it writes into.
    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

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
            .add_task(self.index, readable(label.into()), std::panic::Location::caller());
        Traced::new(future, self.recorder.clone(), self.index, task)
    }

    /// Like [`trace`](Self::trace), created at `place` (a sandbox program's
    /// line) rather than at the caller.
    pub fn trace_at<F: std::future::Future>(
        &self,
        label: impl Into<Cow<'static, str>>,
        place: super::awaits::AwaitId,
        future: F,
    ) -> Traced<F> {
        let task = self
            .recorder
            .add_task_at(self.index, readable(label.into()), place);
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
            .add_task(self.index, readable(label.into()), std::panic::Location::caller());
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
        // Weak: the recording keeps the observer, which must not keep the
        // recording.
        let (recording, index) = (Rc::downgrade(&self.recorder.inner), self.index);
        let (long_tasks, lingering) = meter.stop(end, move |start, duration| {
            if let Some(inner) = recording.upgrade() {
                if let Ok(mut inner) = inner.try_borrow_mut() {
                    inner.dirty = true;
                    inner.runs[index].long_tasks.push((start, duration));
                }
            }
        });
        // The observer it replaces is disconnected when this returns, outside
        // the recording's borrow.
        let _replaced = self.recorder.with(|inner| {
            let run = &mut inner.runs[self.index];
            run.end = Some(end);
            run.longest_frame_gap = longest_gap(run.start, &run.frames, end);
            run.long_tasks = long_tasks;
            inner.lingering.replace(lingering)
        });
    }
}

/// The most characters of a label kept: a label is usually a URL, and a
/// megabyte `data:` URL must not become a megabyte in every table cell,
/// tooltip and report.
const LABEL_MAX_CHARS: usize = 300;

/// `label`, cut to [`LABEL_MAX_CHARS`] (no allocation when it is short).
fn readable(label: Cow<'static, str>) -> Cow<'static, str> {
    if label.len() <= LABEL_MAX_CHARS {
        return label; // at most that many bytes: at most that many characters
    }
    match crate::error::cut_to(&label, LABEL_MAX_CHARS) {
        Cow::Borrowed(_) => label,
        Cow::Owned(cut) => Cow::Owned(cut),
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
            .task_mut(self.run, self.task, |t| t.set_progress(done, total));
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        // Dropped without `finish`: the run was cancelled; close it now.
        self.close();
    }
}
