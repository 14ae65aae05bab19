//! What is recorded about one traced future, and the arithmetic on it
//! (busy and idle time, why it was polled, warnings).

use std::borrow::Cow;

use super::awaits::AwaitId;

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
        /// The marked `.await` that polled it (see `trace::AwaitAt`): where
        /// its run waited for it. None when no marked `.await` was polling
        /// (an executor polled it directly, or the code is not a lesson's).
        awaited: AwaitId,
        /// If it returned `Pending`: the innermost marked `.await` inside it
        /// that did, where it is itself suspended.
        suspended: AwaitId,
    },
    /// The task's waker was called.
    Wake {
        /// When.
        at: f64,
    },
}

// A poll's two `.await`s fit in the padding beside its flags: the events of
// 100,000 traced futures take no more memory for them.
#[cfg(target_arch = "wasm32")]
const _: () = assert!(std::mem::size_of::<Event>() == 24);

/// The file and line of a marked `.await`.
pub fn file_line(id: AwaitId) -> Option<(&'static str, u32)> {
    id.place()
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
///
/// It keeps what happened (its events) and derives the sums from them: a
/// run of 100,000 traced futures holds 100,000 of these, so every field
/// counts (64 bytes in wasm32, with its events beside them).
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRecord {
    /// The task's name in the report (borrowed when it is a literal: no
    /// allocation per task on the fast path).
    pub label: Cow<'static, str>,
    /// When the future was wrapped (built, not yet run).
    pub created: f64,
    /// When it finished or was dropped.
    pub end: Option<f64>,
    /// Every poll and wake, in order. The first is always a poll: the
    /// recording waker exists from the first poll on.
    pub events: Vec<Event>,
    /// Where it stands.
    pub state: TaskState,
    /// In a stepped run: the marked `.await` that last tried to poll it,
    /// held or admitted (see `awaited_at`).
    pub held_at: AwaitId,
    /// The place of the `run.trace(…)` call that created it (or, in a
    /// sandbox program, the line the future is written on).
    pub(crate) created_at: AwaitId,
    /// What most tasks never have, kept behind one pointer.
    details: Option<Box<Details>>,
}

/// The rarer parts of a [`TaskRecord`].
#[derive(Debug, Clone, Default, PartialEq)]
struct Details {
    result: Option<String>,
    error: Option<String>,
    progress: Option<(u64, Option<u64>)>,
    waiting_on: Option<String>,
}

#[cfg(target_arch = "wasm32")]
const _: () = assert!(std::mem::size_of::<TaskRecord>() == 64);

impl TaskRecord {
    pub(crate) fn new(label: Cow<'static, str>, created: f64) -> Self {
        TaskRecord {
            label,
            created,
            end: None,
            events: Vec::new(),
            state: TaskState::Pending,
            held_at: AwaitId::NONE,
            created_at: AwaitId::NONE,
            details: None,
        }
    }

    fn polls_iter(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.events.iter().filter_map(|e| match *e {
            Event::Poll { start, end, .. } => Some((start, end)),
            Event::Wake { .. } => None,
        })
    }

    /// When it was first polled: when it actually started.
    pub fn first_poll(&self) -> Option<f64> {
        self.polls_iter().next().map(|(start, _)| start)
    }

    /// Number of polls.
    pub fn polls(&self) -> u32 {
        self.polls_iter().count() as u32
    }

    /// Number of wakes.
    pub fn wakes(&self) -> u32 {
        self.events
            .iter()
            .filter(|e| matches!(e, Event::Wake { .. }))
            .count() as u32
    }

    /// Total time spent inside `poll` (ms).
    pub fn busy(&self) -> f64 {
        self.polls_iter().map(|(start, end)| end - start).sum()
    }

    /// The longest single poll (ms).
    pub fn longest_poll(&self) -> f64 {
        self.polls_iter()
            .map(|(start, end)| end - start)
            .fold(0.0, f64::max)
    }

    /// The source file and line of the `run.trace(…)` call that created it.
    pub fn created_at(&self) -> Option<(&'static str, u32)> {
        file_line(self.created_at)
    }

    /// A description of the value it produced.
    pub fn result(&self) -> Option<&str> {
        self.details.as_ref()?.result.as_deref()
    }

    /// The error sentence, for `state == Error`.
    pub fn error(&self) -> Option<&str> {
        self.details.as_ref()?.error.as_deref()
    }

    /// For tasks that report it: bytes so far and the expected total.
    pub fn progress(&self) -> Option<(u64, Option<u64>)> {
        self.details.as_ref()?.progress
    }

    /// What it waited on at its last `Pending` poll, as the work itself
    /// described it (see `crate::waits`).
    pub fn waiting_on(&self) -> Option<&str> {
        self.details.as_ref()?.waiting_on.as_deref()
    }

    fn details(&mut self) -> &mut Details {
        self.details.get_or_insert_with(Box::default)
    }

    pub(crate) fn set_progress(&mut self, done: u64, total: Option<u64>) {
        self.details().progress = Some((done, total));
    }

    pub(crate) fn set_waiting_on(&mut self, what: Option<String>) {
        if what.is_some() || self.waiting_on().is_some() {
            self.details().waiting_on = what;
        }
    }

    /// What it waits on, in words: as the work said at its last `Pending`
    /// poll (a stepped run listens), or why nothing is known.
    pub fn waiting_on_text(&self) -> String {
        match (self.waiting_on(), self.events.is_empty()) {
            (_, true) => "nothing yet: its first poll starts it".to_string(),
            (Some(what), _) => what.to_string(),
            (None, _) => {
                "what it awaits does not say: nothing polled in its last poll told (this crate's timers, \
                 downloads and workers tell; a gloo TimeoutFuture or JsFuture is named when it is the \
                 traced future itself or under map, and so is a TimeoutFuture::new(ms).await in a \
                 lesson's code)"
                    .to_string()
            }
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
            None => Cause::First,
            Some(Event::Wake { .. }) => Cause::Woken,
            Some(Event::Poll { .. }) => Cause::Sibling,
        }
    }

    /// Time between the first poll and the end (or `until`, if still
    /// running) that the task spent waiting rather than being polled.
    pub fn idle(&self, until: f64) -> f64 {
        match self.first_poll() {
            Some(start) => (self.end.unwrap_or(until) - start - self.busy()).max(0.0),
            None => 0.0,
        }
    }

    /// tokio-console-style warnings about how the task behaved; "never
    /// polled" only once its run is over (a stepped run's futures wait for
    /// their first poll).
    pub fn warnings(&self, run_over: bool) -> Vec<String> {
        let mut out = Vec::new();
        if self.events.is_empty() && run_over {
            out.push("never polled: nothing awaited or spawned it".to_string());
        }
        let longest = self.longest_poll();
        if longest > LONG_POLL_MS {
            out.push(format!(
                "one poll took {} ms: it blocked the page",
                crate::fixed::fixed(longest, 0)
            ));
        }
        if self.state == TaskState::Cancelled {
            out.push("dropped while pending: cancelled".to_string());
        }
        out
    }

    pub(crate) fn record_wake(&mut self, at: f64) {
        self.push(Event::Wake { at });
    }

    #[cfg(test)]
    pub(crate) fn record_poll(&mut self, start: f64, end: f64, ready: bool) {
        self.record_poll_at(start, end, ready, (AwaitId::NONE, AwaitId::NONE));
    }

    /// Records a poll, polled by the marked `.await` `awaited` and, if it
    /// returned `Pending`, suspended at `suspended`.
    pub(crate) fn record_poll_at(
        &mut self,
        start: f64,
        end: f64,
        ready: bool,
        (awaited, suspended): (AwaitId, AwaitId),
    ) {
        let cause = self.next_cause();
        self.push(Event::Poll {
            start,
            end,
            ready,
            cause,
            awaited,
            suspended: if ready { AwaitId::NONE } else { suspended },
        });
    }

    /// Where its run waits for it: the file and line of the marked `.await`
    /// that last polled it (in a stepped run, also one that was held back).
    pub fn awaited_at(&self) -> Option<(&'static str, u32)> {
        let last = self.last_poll().map_or(AwaitId::NONE, |(awaited, _)| awaited);
        let id = if self.held_at.is_some() {
            self.held_at
        } else {
            last
        };
        file_line(id)
    }

    /// Where it is itself suspended: the file and line of the innermost
    /// marked `.await` inside it at which its last poll returned `Pending`.
    pub fn suspended_at(&self) -> Option<(&'static str, u32)> {
        file_line(self.last_poll()?.1)
    }

    /// The `.await`s of its last poll: the one that polled it, the one inside
    /// at which it stopped.
    fn last_poll(&self) -> Option<(AwaitId, AwaitId)> {
        self.events.iter().rev().find_map(|e| match *e {
            Event::Poll {
                awaited, suspended, ..
            } => Some((awaited, suspended)),
            Event::Wake { .. } => None,
        })
    }

    /// Appends an event. The first makes room for three, exactly: a timer's
    /// whole life (two polls and a wake), where `Vec` would make room for
    /// four; 24 bytes less per traced future in a run of 100,000.
    fn push(&mut self, event: Event) {
        if self.events.capacity() == 0 {
            self.events.reserve_exact(3);
        }
        self.events.push(event);
    }

    pub(crate) fn record_end(&mut self, at: f64, outcome: Outcome) {
        self.end = Some(at);
        match outcome {
            Outcome::Done(result) => {
                self.state = TaskState::Done;
                if result.is_some() {
                    self.details().result = result;
                }
            }
            Outcome::Failed(error) => {
                self.state = TaskState::Error;
                self.details().error = Some(error);
            }
        }
    }

    pub(crate) fn record_drop(&mut self, at: f64) {
        // A future dropped before its first poll never started: it stays
        // `pending` (the lazy lesson shows exactly that). Only one dropped
        // mid-flight was cancelled.
        if self.state == TaskState::Pending && !self.events.is_empty() {
            self.state = TaskState::Cancelled;
            self.end = Some(at);
        }
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
        assert_eq!(t.polls(), 2);
        assert_eq!(t.wakes(), 1);
        assert_eq!(t.busy(), 5.0);
        assert_eq!(t.longest_poll(), 3.0);
        assert_eq!(t.first_poll(), Some(10.0));
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
        assert_eq!(t.error(), Some("boom"));
        assert_eq!(t.end, Some(1.0));
    }

    #[test]
    fn each_poll_says_why_it_happened() {
        let mut t = record();
        t.record_poll(0.0, 1.0, false); // first
        t.record_poll(2.0, 3.0, false); // nothing woke it: a sibling's wake
        t.record_wake(5.0);
        t.record_poll(6.0, 7.0, true); // its own wake
        assert_eq!(t.causes(), "first 1 · woken 1 · sibling 1");
        assert_eq!(t.next_cause(), Cause::Sibling);
        t.record_wake(9.0);
        assert_eq!(t.next_cause(), Cause::Woken);
    }

    #[test]
    fn a_long_poll_is_flagged() {
        let mut t = record();
        t.record_poll(0.0, 80.0, true);
        assert!(t.warnings(true).iter().any(|w| w.contains("80 ms")));
    }
}
