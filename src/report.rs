//! The report a run resolves with: the contract's JSON shape, derived from a
//! recording.

use serde::{Deserialize, Serialize};

use crate::trace::{RunRecord, TaskRecord, TaskState};

/// `{ lesson, runs: [...] }`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// The lesson's name.
    pub lesson: String,
    /// One entry per named run, in order.
    pub runs: Vec<RunReport>,
}

/// One named run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// e.g. "sequential".
    pub name: String,
    /// From the run's start to its end (or to its cancellation).
    pub total_ms: f64,
    /// The longest time without an animation frame during the run.
    pub longest_frame_gap_ms: f64,
    /// Tasks in the order they were given.
    pub tasks: Vec<TaskReport>,
}

/// One task. Times are milliseconds from the run's start.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TaskReport {
    /// The task's name.
    pub label: String,
    /// `done`, `error`, `cancelled` or `pending`.
    pub state: TaskState,
    /// When it was first polled; `null` if never.
    pub start_ms: Option<f64>,
    /// When it finished or was cancelled; `null` if it has not.
    pub end_ms: Option<f64>,
    /// Number of polls.
    pub polls: u32,
    /// Number of wakes.
    pub wakes: u32,
    /// Time spent inside `poll`.
    pub busy_ms: f64,
    /// The error sentence, or `null`.
    pub error: Option<String>,
    /// A short description of the value, or `null`.
    pub result: Option<String>,
}

impl Report {
    /// The report of `runs` for `lesson`; a run still open ends at `now`.
    pub fn new(lesson: &str, runs: &[RunRecord], now: f64) -> Self {
        Report {
            lesson: lesson.to_string(),
            runs: runs.iter().map(|r| RunReport::new(r, now)).collect(),
        }
    }
}

impl RunReport {
    fn new(run: &RunRecord, now: f64) -> Self {
        let rel = |t: f64| round(t - run.start);
        RunReport {
            name: run.name.clone(),
            total_ms: rel(run.end.unwrap_or(now)),
            longest_frame_gap_ms: round(run.longest_frame_gap),
            tasks: run.tasks.iter().map(|t| TaskReport::new(t, &rel)).collect(),
        }
    }
}

impl TaskReport {
    fn new(task: &TaskRecord, rel: &impl Fn(f64) -> f64) -> Self {
        TaskReport {
            label: task.label.to_string(),
            state: task.state,
            start_ms: task.first_poll.map(rel),
            end_ms: task.end.map(rel),
            polls: task.polls,
            wakes: task.wakes,
            busy_ms: round(task.busy),
            error: task.error.clone(),
            result: task.result.clone(),
        }
    }
}

/// Hundredths of a millisecond are all a browser clock can honestly give.
fn round(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}
