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
        RunReport {
            tasks: Self::tasks_of(run, 0..run.tasks.len()),
            ..Self::without_tasks(run, now)
        }
    }

    /// The run's entry with its task list empty: [`tasks_of`](Self::tasks_of)
    /// gives the tasks a slice at a time, so that a run of 100,000 tasks
    /// never has all their entries in memory beside their records.
    pub fn without_tasks(run: &RunRecord, now: f64) -> Self {
        RunReport {
            name: run.name.clone(),
            total_ms: round(run.end.unwrap_or(now) - run.start),
            longest_frame_gap_ms: round(run.longest_frame_gap),
            tasks: Vec::new(),
        }
    }

    /// The entries of the tasks of `run` in `range` (clamped to its tasks).
    pub fn tasks_of(run: &RunRecord, range: std::ops::Range<usize>) -> Vec<TaskReport> {
        let rel = |t: f64| round(t - run.start);
        let end = range.end.min(run.tasks.len());
        let start = range.start.min(end);
        run.tasks[start..end]
            .iter()
            .map(|t| TaskReport::new(t, &rel))
            .collect()
    }
}

/// A closed run's total, as its report gives it; `None` while it runs.
pub fn total_ms(run: &RunRecord) -> Option<f64> {
    Some(round(run.end? - run.start))
}

impl TaskReport {
    fn new(task: &TaskRecord, rel: &impl Fn(f64) -> f64) -> Self {
        TaskReport {
            label: task.label.to_string(),
            state: task.state,
            start_ms: task.first_poll().map(rel),
            end_ms: task.end.map(rel),
            polls: task.polls(),
            wakes: task.wakes(),
            busy_ms: round(task.busy()),
            error: task.error().map(str::to_string),
            result: task.result().map(str::to_string),
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
    // (time, run, order within the same instant, text). The clock is coarse
    // (a browser rounds it to 0.1 ms or more), so events often share an
    // instant: an earlier run's end comes before a later run's start, and
    // within a run: its start, output, ends (a cause before the cancellations
    // it caused), never-started futures, its finish.
    let mut lines: Vec<(f64, usize, u8, String)> = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        lines.push((run.start, r, 0, format!("{}: started", run.name)));
        for task in &run.tasks {
            let (Some(end), state) = (task.end, task.state) else {
                continue;
            };
            let detail = match (task.error(), task.result()) {
                (Some(error), _) => format!(": {error}"),
                (None, Some(result)) => format!(": {result}"),
                (None, None) => String::new(),
            };
            let order = if state == TaskState::Cancelled { 3 } else { 2 };
            let text = format!("{}: {} {}{detail}", run.name, task.label, state.as_str());
            lines.push((end, r, order, text));
        }
        for task in run
            .tasks
            .iter()
            .filter(|t| t.events.is_empty() && t.end.is_none())
        {
            let at = run.end.unwrap_or(run.start);
            let text = format!("{}: {} pending (never started)", run.name, task.label);
            lines.push((at, r, 4, text));
        }
        if let Some(end) = run.end {
            lines.push((end, r, 5, format!("{}: finished", run.name)));
        }
    }
    // A line the lesson printed belongs to the last run started by then.
    lines.extend(log.iter().map(|(at, line)| {
        let r = runs.iter().rposition(|run| run.start <= *at).unwrap_or(0);
        (*at, r, 1, line.clone())
    }));
    lines.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    lines
        .into_iter()
        .map(|(at, _, _, text)| {
            format!(
                "[{:>5} ms] {text}",
                crate::fixed::fixed((at - origin).max(0.0), 0)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Outcome;

    #[test]
    fn at_one_instant_runs_keep_their_order_and_a_cause_comes_before_its_cancellations() {
        let run = |name: &str, start: f64, end: f64, tasks| RunRecord {
            name: name.into(),
            start,
            end: Some(end),
            longest_frame_gap: 0.0,
            frames: Vec::new(),
            long_tasks: Vec::new(),
            tasks,
        };
        let mut cancelled = TaskRecord::new("slow".into(), 100.0);
        cancelled.record_poll(100.0, 100.0, false);
        cancelled.record_drop(120.0);
        let mut failed = TaskRecord::new("500".into(), 100.0);
        failed.record_poll(100.0, 120.0, true);
        failed.record_end(120.0, Outcome::Failed("HTTP 500".into()));
        let lines = transcript(
            &[
                run("a", 0.0, 100.0, vec![]),
                run("b", 100.0, 120.0, vec![Box::new(cancelled), Box::new(failed)]),
            ],
            &[],
        );
        assert_eq!(
            lines,
            [
                "[    0 ms] a: started",
                "[  100 ms] a: finished",
                "[  100 ms] b: started",
                "[  120 ms] b: 500 error: HTTP 500",
                "[  120 ms] b: slow cancelled",
                "[  120 ms] b: finished",
            ]
        );
    }

    #[test]
    fn the_transcript_reads_like_a_twins_output() {
        let mut done = TaskRecord::new("async-demo-api/delay/700".into(), 1000.0);
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
            tasks: vec![Box::new(done), Box::new(never)],
        };
        let lines = transcript(&[run], &[(1500.0, "Hello".into()), (1702.2, "World".into())]);
        assert_eq!(
            lines,
            [
                "[    0 ms] sequential: started",
                "[  500 ms] Hello",
                "[  702 ms] World",
                "[  702 ms] sequential: async-demo-api/delay/700 done: HTTP 200",
                "[  710 ms] sequential: save(ms) — no .await pending (never started)",
                "[  710 ms] sequential: finished",
            ]
        );
    }
}
