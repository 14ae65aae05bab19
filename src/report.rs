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

/// The recording as the Python twins print their runs: one line per event,
/// `[  702 ms] <run>: <label> done`, with the lesson's own output between,
/// in time order, from the first run's start. Set beside what the twin
/// prints, the two can be compared line by line.
pub fn transcript(runs: &[RunRecord], log: &[(f64, String)]) -> Vec<String> {
    let Some(origin) = runs.first().map(|r| r.start) else {
        return Vec::new();
    };
    // (time, order within the same instant, text). The clock is coarse (a
    // browser rounds it to 0.1 ms or more), so a task's own output and its
    // end often share an instant: starts, then output, then ends.
    let mut lines: Vec<(f64, u8, String)> = Vec::new();
    for run in runs {
        lines.push((run.start, 0, format!("{}: started", run.name)));
        for task in &run.tasks {
            let (Some(end), state) = (task.end, task.state) else {
                continue;
            };
            let detail = match (&task.error, &task.result) {
                (Some(error), _) => format!(": {error}"),
                (None, Some(result)) => format!(": {result}"),
                (None, None) => String::new(),
            };
            lines.push((
                end,
                2,
                format!("{}: {} {}{detail}", run.name, task.label, state.as_str()),
            ));
        }
        for task in run.tasks.iter().filter(|t| t.polls == 0 && t.end.is_none()) {
            let at = run.end.unwrap_or(run.start);
            lines.push((
                at,
                3,
                format!("{}: {} pending (never started)", run.name, task.label),
            ));
        }
        if let Some(end) = run.end {
            lines.push((end, 4, format!("{}: finished", run.name)));
        }
    }
    lines.extend(log.iter().map(|(at, line)| (*at, 1, line.clone())));
    lines.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    lines
        .into_iter()
        .map(|(at, _, text)| format!("[{:5.0} ms] {text}", (at - origin).max(0.0)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Outcome;

    #[test]
    fn the_transcript_reads_like_a_twins_output() {
        let mut done = TaskRecord::new("api/delay/700".into(), 1000.0);
        done.record_poll(1000.0, 1000.2, false);
        done.record_poll(1702.0, 1702.2, true);
        done.record_end(1702.2, Outcome::Done(Some("HTTP 200".into())));
        let never = TaskRecord::new("save(ms) — no .await".into(), 1000.0);
        let run = RunRecord {
            name: "sequential".into(),
            start: 1000.0,
            end: Some(1710.0),
            longest_frame_gap: 0.0,
            frames: Vec::new(),
            long_tasks: Vec::new(),
            tasks: vec![done, never],
        };
        let lines = transcript(&[run], &[(1500.0, "Hello".into()), (1702.2, "World".into())]);
        assert_eq!(
            lines,
            [
                "[    0 ms] sequential: started",
                "[  500 ms] Hello",
                "[  702 ms] World",
                "[  702 ms] sequential: api/delay/700 done: HTTP 200",
                "[  710 ms] sequential: save(ms) — no .await pending (never started)",
                "[  710 ms] sequential: finished",
            ]
        );
    }
}
