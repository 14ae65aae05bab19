//! The recording as Chrome Trace Event JSON, which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open: one process per run, one
//! thread (track) per task, polls as complete (`X`) events, wakes as instant
//! (`i`) events, cancellations as instant events too; timestamps in µs from
//! the first run's start.

use std::borrow::Cow;

use serde::Serialize;

use super::recorder::RunRecord;
use super::task::{file_line, Event, TaskState};

/// The file: `{ "traceEvents": [...], "displayTimeUnit": "ms" }`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Trace<'a> {
    trace_events: Vec<TraceEvent<'a>>,
    display_time_unit: &'static str,
}

/// One event of the Trace Event Format (only the fields this export uses).
#[derive(Serialize)]
struct TraceEvent<'a> {
    name: Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cat: Option<&'static str>,
    /// Phase: `M` metadata, `X` complete, `i` instant.
    ph: &'static str,
    /// Scope of an instant event: `t`, its thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<&'static str>,
    /// Microseconds from the first run's start.
    #[serde(skip_serializing_if = "Option::is_none")]
    ts: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dur: Option<f64>,
    pid: usize,
    tid: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    args: Option<Args<'a>>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Args<'a> {
    Name {
        name: Cow<'a, str>,
    },
    SortIndex {
        sort_index: usize,
    },
    Poll {
        poll: u32,
        result: &'static str,
        cause: &'static str,
        /// `file:line` of the `.await` that polled it (lessons' code only).
        #[serde(skip_serializing_if = "Option::is_none")]
        awaited_at: Option<String>,
        /// `file:line` of the `.await` inside it where it returned `Pending`.
        #[serde(skip_serializing_if = "Option::is_none")]
        suspended_at: Option<String>,
    },
    Error {
        error: &'a str,
    },
}

impl<'a> TraceEvent<'a> {
    fn meta(name: &'static str, pid: usize, tid: usize, args: Args<'a>) -> Self {
        TraceEvent {
            name: name.into(),
            cat: None,
            ph: "M",
            s: None,
            ts: None,
            dur: None,
            pid,
            tid,
            args: Some(args),
        }
    }

    fn span(name: &'static str, cat: &'static str, (ts, dur): (f64, f64), pid: usize, tid: usize) -> Self {
        TraceEvent {
            name: name.into(),
            cat: Some(cat),
            ph: "X",
            s: None,
            ts: Some(ts),
            dur: Some(dur),
            pid,
            tid,
            args: None,
        }
    }

    fn instant(name: &'static str, cat: &'static str, ts: f64, pid: usize, tid: usize) -> Self {
        TraceEvent {
            name: name.into(),
            cat: Some(cat),
            ph: "i",
            s: Some("t"),
            ts: Some(ts),
            dur: None,
            pid,
            tid,
            args: None,
        }
    }
}

/// The trace of `runs`, as a JSON string.
pub fn chrome_trace(lesson: &str, runs: &[RunRecord]) -> String {
    let origin = runs.first().map_or(0.0, |r| r.start);
    // Microseconds, rounded to the nanosecond.
    let us = |t: f64| ((t - origin) * 1e6).round() / 1e3;
    let mut events: Vec<TraceEvent<'_>> = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        let pid = r + 1;
        let name = format!("{lesson}: {}", run.name).into();
        events.push(TraceEvent::meta("process_name", pid, 0, Args::Name { name }));
        events.push(TraceEvent::meta(
            "process_sort_index",
            pid,
            0,
            Args::SortIndex { sort_index: pid },
        ));
        let name = "main thread: frames".into();
        events.push(TraceEvent::meta("thread_name", pid, 0, Args::Name { name }));
        let mut last = run.start;
        for &frame in &run.frames {
            events.push(TraceEvent::span(
                "frame gap",
                "frame",
                (us(last), us(frame) - us(last)),
                pid,
                0,
            ));
            last = frame;
        }
        for &(start, duration) in &run.long_tasks {
            let span = (us(start), (duration * 1000.0).round());
            events.push(TraceEvent::span("long task", "longtask", span, pid, 0));
        }
        for (t, task) in run.tasks.iter().enumerate() {
            let tid = t + 1;
            let name = Cow::Borrowed(task.label.as_ref());
            events.push(TraceEvent::meta("thread_name", pid, tid, Args::Name { name }));
            events.push(TraceEvent::meta(
                "thread_sort_index",
                pid,
                tid,
                Args::SortIndex { sort_index: tid },
            ));
            let mut poll = 0;
            for event in &task.events {
                match *event {
                    Event::Poll {
                        start,
                        end,
                        ready,
                        cause,
                        awaited,
                        suspended,
                    } => {
                        let place = |id| file_line(id).map(|(file, line)| format!("{file}:{line}"));
                        let (awaited_at, suspended_at) = (place(awaited), place(suspended));
                        poll += 1;
                        let result = if ready { "Ready" } else { "Pending" };
                        let cause = cause.as_str();
                        let span = (us(start), (us(end) - us(start)).max(0.0));
                        events.push(TraceEvent {
                            args: Some(Args::Poll {
                                poll,
                                result,
                                cause,
                                awaited_at,
                                suspended_at,
                            }),
                            ..TraceEvent::span("poll", "poll", span, pid, tid)
                        });
                    }
                    Event::Wake { at } => events.push(TraceEvent::instant("wake", "wake", us(at), pid, tid)),
                }
            }
            if let (TaskState::Cancelled | TaskState::Error, Some(end)) = (task.state, task.end) {
                events.push(TraceEvent {
                    args: task.error().map(|error| Args::Error { error }),
                    ..TraceEvent::instant(task.state.as_str(), "end", us(end), pid, tid)
                });
            }
        }
    }
    let trace = Trace {
        trace_events: events,
        display_time_unit: "ms",
    };
    // Plain data with string keys: serialising it cannot fail.
    serde_json::to_string(&trace).unwrap_or_else(|e| {
        debug_assert!(false, "the trace did not serialise: {e}");
        String::from(r#"{"traceEvents":[]}"#)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::Location;

    use crate::trace::task::{Outcome, TaskRecord};
    use crate::trace::AwaitId;

    /// A second place, on a line of its own.
    fn inside() -> &'static Location<'static> {
        Location::caller()
    }

    fn run() -> RunRecord {
        let mut timer = TaskRecord::new("sleep \"20\" ms\n<b>".into(), 1000.0);
        // Polled by an `.await` at this line, stopped inside at the next.
        let (awaited, inside) = (Location::caller(), inside());
        timer.record_poll_at(1000.0, 1000.5, false, (AwaitId::of(awaited), AwaitId::of(inside)));
        timer.record_wake(1020.0);
        timer.record_poll(1020.25, 1020.5, true);
        timer.record_end(1020.5, Outcome::Done(None));
        let mut dropped = TaskRecord::new("dropped".into(), 1000.0);
        dropped.record_poll(1001.0, 1001.5, false);
        dropped.record_drop(1030.0);
        RunRecord {
            name: "concurrent".into(),
            start: 1000.0,
            end: Some(1031.0),
            longest_frame_gap: 16.0,
            frames: vec![1016.0, 1031.0],
            long_tasks: vec![(1002.0, 60.0)],
            tasks: vec![Box::new(timer), Box::new(dropped)],
        }
    }

    #[test]
    fn the_trace_is_json_with_a_track_per_task_polls_as_x_and_wakes_as_instants() {
        let json: serde_json::Value =
            serde_json::from_str(&chrome_trace("gather", &[run()])).expect("valid JSON");
        assert_eq!(json["displayTimeUnit"], "ms");
        let events = json["traceEvents"].as_array().expect("the test sets this up");
        let named = |tid: u64| {
            events
                .iter()
                .find(|e| e["ph"] == "M" && e["name"] == "thread_name" && e["tid"] == tid)
                .expect("the test sets this up")["args"]["name"]
                .clone()
        };
        assert_eq!(named(1), "sleep \"20\" ms\n<b>");
        assert_eq!(named(2), "dropped");
        let polls: Vec<_> = events
            .iter()
            .filter(|e| e["ph"] == "X" && e["cat"] == "poll" && e["tid"] == 1)
            .collect();
        assert_eq!(polls.len(), 2);
        assert_eq!(polls[0]["ts"], 0.0);
        assert_eq!(polls[0]["dur"], 500.0);
        assert_eq!(polls[1]["ts"], 20250.0);
        assert_eq!(polls[1]["args"]["result"], "Ready");
        // Where it was awaited and stopped, as `file:line`; nothing unknown.
        let at = polls[0]["args"]["awaited_at"].as_str().expect("awaited");
        let inside = polls[0]["args"]["suspended_at"].as_str().expect("suspended");
        assert!(at.contains("export.rs:"), "{at}");
        assert!(inside.contains("export.rs:") && inside != at, "{inside}");
        assert!(
            polls[1]["args"].get("awaited_at").is_none() && polls[1]["args"].get("suspended_at").is_none()
        );
        let wakes: Vec<_> = events
            .iter()
            .filter(|e| e["ph"] == "i" && e["name"] == "wake")
            .collect();
        assert_eq!(wakes.len(), 1);
        assert_eq!(
            (wakes[0]["ts"].as_f64(), wakes[0]["s"].as_str()),
            (Some(20000.0), Some("t"))
        );
        let cancelled = events
            .iter()
            .find(|e| e["name"] == "cancelled")
            .expect("the test sets this up");
        assert_eq!(
            (cancelled["tid"].as_u64(), cancelled["ts"].as_f64()),
            (Some(2), Some(30000.0))
        );
        let frames = events.iter().filter(|e| e["cat"] == "frame").count();
        assert_eq!(frames, 2);
        let long = events
            .iter()
            .find(|e| e["cat"] == "longtask")
            .expect("the test sets this up");
        assert_eq!(
            (long["ts"].as_f64(), long["dur"].as_f64(), long["tid"].as_u64()),
            (Some(2000.0), Some(60000.0), Some(0))
        );
        for e in events {
            assert!(e["pid"].as_u64().is_some() && e["ph"].is_string(), "{e}");
        }
    }
}
