//! [`Traced`]: a future wrapper that records what the executor does to it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures::task::{waker_ref, ArcWake};
use pin_project_lite::pin_project;

use super::awaits;
use super::recorder::Recorder;
use super::step::Admit;
use super::task::Outcome;
use crate::clock::now;

/// How a task's output reads in the report: a value (with an optional short
/// description) or an error sentence.
pub trait TaskOutput {
    /// Describes the output for the task's record.
    fn outcome(&self) -> Outcome;
}

impl TaskOutput for () {
    fn outcome(&self) -> Outcome {
        Outcome::Done(None)
    }
}

impl TaskOutput for String {
    fn outcome(&self) -> Outcome {
        Outcome::Done(Some(self.clone()))
    }
}

impl TaskOutput for &'static str {
    fn outcome(&self) -> Outcome {
        Outcome::Done(Some((*self).to_string()))
    }
}

macro_rules! numbers_are_outputs {
    ($($t:ty),*) => {$(
        impl TaskOutput for $t {
            fn outcome(&self) -> Outcome {
                Outcome::Done(Some(self.to_string()))
            }
        }
    )*};
}
numbers_are_outputs!(u32, u64, usize, i32, i64);

impl TaskOutput for f64 {
    /// The shortest text that reads back as the same number ("150", "0.1"),
    /// as `{}` writes it from 1e-5 to 1e16; beyond, ryu (already in the wasm
    /// for the reports' JSON, unlike core's float formatting) writes an
    /// exponent ("1e16"), and infinities read "∞".
    fn outcome(&self) -> Outcome {
        let text = if self.is_finite() {
            let mut buffer = ryu::Buffer::new();
            let text = buffer.format_finite(*self);
            text.strip_suffix(".0").unwrap_or(text).to_string()
        } else {
            crate::fixed::fixed(*self, 0)
        };
        Outcome::Done(Some(text))
    }
}

impl<T: TaskOutput, E: fmt::Display> TaskOutput for Result<T, E> {
    fn outcome(&self) -> Outcome {
        match self {
            Ok(value) => value.outcome(),
            Err(error) => Outcome::Failed(error.to_string()),
        }
    }
}

pin_project! {
    /// A future that records each poll (start, end, outcome), each wake,
    /// its completion and its cancellation into a [`Recorder`].
    ///
    /// Created by [`Run::trace`](super::recorder::Run::trace). It is as lazy as
    /// the future it wraps: nothing is recorded beyond its creation until it
    /// is polled.
    ///
    /// # Example
    ///
    /// ```no_run
    /// # async fn demo() {
    /// use async_demo::trace::Recorder;
    /// use gloo_timers::future::TimeoutFuture;
    ///
    /// let recorder = Recorder::new();
    /// let run = recorder.begin_run("one timer");
    /// run.trace("sleep 10 ms", TimeoutFuture::new(10)).await;
    /// run.finish().await;
    /// assert_eq!(recorder.runs()[0].tasks[0].polls(), 2);
    /// # }
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Traced<F> {
        #[pin]
        inner: F,
        recorder: Recorder,
        run: usize,
        task: usize,
        // Created at the first poll and kept: the executor hands us the same
        // waker every time, so one recording waker serves the task's life.
        waker: Option<Arc<WakeRecorder>>,
        finished: bool,
        // In a stepped run: the count of real wakes at this future's last
        // turn (see `step.rs`).
        seen_wakes: u64,
    }

    impl<F> PinnedDrop for Traced<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if !*this.finished {
                let at = now();
                this.recorder.task_mut(*this.run, *this.task, |t| t.record_drop(at));
            }
            if let Some(stepper) = this.recorder.stepper() {
                stepper.forget((*this.run, *this.task));
            }
        }
    }
}

impl<F> fmt::Debug for Traced<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Traced")
            .field("run", &self.run)
            .field("task", &self.task)
            .field("finished", &self.finished)
            .finish()
    }
}

impl<F> Traced<F> {
    pub(crate) fn new(inner: F, recorder: Recorder, run: usize, task: usize) -> Self {
        Traced {
            inner,
            recorder,
            run,
            task,
            waker: None,
            finished: false,
            seen_wakes: 0,
        }
    }
}

impl<F> Future for Traced<F>
where
    F: Future,
    F::Output: TaskOutput,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        let stepper = this.recorder.stepper();
        let recording = this.waker.get_or_insert_with(|| {
            Arc::new(WakeRecorder::new(
                cx.waker().clone(),
                stepper.map(|s| s.wake_counter()),
            ))
        });
        recording.forward_to(cx.waker());

        recording.record_wakes(this.recorder, *this.run, *this.task);

        let id = (*this.run, *this.task);
        let Some(stepper) = stepper else {
            return poll_and_record(this.inner, this.recorder, id, this.finished, recording);
        };
        // A stepped run: poll only with the stepper's permission.
        let cause = this.recorder.task(id.0, id.1, |t| t.next_cause());
        let at = awaits::current();
        this.recorder.task_mut(id.0, id.1, |t| t.held_at = at);
        if stepper.admit(id, cause, cx.waker(), this.seen_wakes) == Admit::Wait {
            return Poll::Pending;
        }
        let stepper = stepper.clone();
        let (result, waiting_on) =
            crate::waits::watch(|| poll_and_record(this.inner, this.recorder, id, this.finished, recording));
        let waiting_on = match &result {
            Poll::Pending => waiting_on.or_else(crate::waits::by_type::<F>),
            Poll::Ready(_) => waiting_on,
        };
        this.recorder
            .task_mut(id.0, id.1, |t| t.set_waiting_on(waiting_on));
        stepper.polled(id, result.is_ready(), cause);
        result
    }
}

/// Polls `inner` once through the recording waker and records the poll (and
/// the end, if it is `Ready`).
fn poll_and_record<F>(
    inner: Pin<&mut F>,
    recorder: &Recorder,
    (run, task): (usize, usize),
    finished: &mut bool,
    recording: &Arc<WakeRecorder>,
) -> Poll<F::Output>
where
    F: Future,
    F::Output: TaskOutput,
{
    // The marked `.await` polling us, if any: where the run waits for us.
    let awaited = awaits::current();
    // The executor's waker reaches `inner` through `recording`.
    let start = now();
    let waker = waker_ref(recording);
    let (result, suspended) = awaits::watch_suspension(|| inner.poll(&mut Context::from_waker(&waker)));
    let end = now();
    let at = (awaited, suspended);

    // No borrow of the recorder is held while the inner future runs: it
    // may itself create and poll traced tasks.
    match &result {
        Poll::Pending => {
            recorder.task_mut(run, task, |t| t.record_poll_at(start, end, false, at));
        }
        Poll::Ready(output) => {
            *finished = true;
            let outcome = output.outcome();
            recorder.task_mut(run, task, |t| {
                t.record_poll_at(start, end, true, at);
                t.record_end(end, outcome);
            });
        }
    }
    result
}

/// The waker a traced future sees: it notes the time of each wake, then
/// forwards it to the executor's own waker.
struct WakeRecorder {
    target: Mutex<Waker>,
    /// In a stepped run, the count of real wakes (see `step.rs`).
    real_wakes: Option<Arc<AtomicU64>>,
    // Wake times not yet moved into the task record; moved at the next poll.
    // (Wakers must be `Send + Sync`, so this cannot reach the `Rc` recorder.)
    wakes: Mutex<WakeLog>,
}

/// Wake times between two polls: almost always one, so kept inline.
#[derive(Default)]
struct WakeLog {
    first: [f64; 2],
    len: usize,
    more: Vec<f64>,
}

impl WakeLog {
    fn push(&mut self, at: f64) {
        if self.len < self.first.len() {
            self.first[self.len] = at;
        } else {
            self.more.push(at);
        }
        self.len += 1;
    }

    fn drain_into(&mut self, mut f: impl FnMut(f64)) {
        let inline = self.len.min(self.first.len());
        self.first[..inline].iter().copied().for_each(&mut f);
        self.more.drain(..).for_each(f);
        self.len = 0;
    }
}

impl WakeRecorder {
    fn new(target: Waker, real_wakes: Option<Arc<AtomicU64>>) -> Self {
        WakeRecorder {
            target: Mutex::new(target),
            real_wakes,
            wakes: Mutex::new(WakeLog::default()),
        }
    }

    fn forward_to(&self, waker: &Waker) {
        if let Ok(mut target) = self.target.lock() {
            if !target.will_wake(waker) {
                *target = waker.clone();
            }
        }
    }

    /// Moves the wakes since the last poll into the task's record.
    fn record_wakes(&self, recorder: &Recorder, run: usize, task: usize) {
        if let Ok(mut wakes) = self.wakes.lock() {
            if wakes.len > 0 {
                recorder.task_mut(run, task, |t| wakes.drain_into(|at| t.record_wake(at)));
            }
        }
    }
}

impl ArcWake for WakeRecorder {
    fn wake_by_ref(arc_self: &Arc<Self>) {
        let at = now();
        if let Ok(mut wakes) = arc_self.wakes.lock() {
            wakes.push(at);
        }
        if let Some(count) = &arc_self.real_wakes {
            count.fetch_add(1, Ordering::Relaxed);
        }
        // Cloned out of the lock so that an executor that polls inside
        // `wake` could not deadlock on it.
        let target = arc_self.target.lock().map(|t| t.clone());
        if let Ok(target) = target {
            target.wake();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Outcome, TaskOutput};

    #[test]
    fn a_float_output_reads_as_display_writes_it() {
        for x in [150.0, 0.1, 1049.25, -3.5, 12_345.678, 0.0] {
            assert_eq!(x.outcome(), Outcome::Done(Some(format!("{x}"))), "{x}");
        }
        assert_eq!(f64::NAN.outcome(), Outcome::Done(Some("NaN".into())));
    }
}
