//! The recording as Chrome Trace Event JSON, which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open: one process per run, one
//! thread (track) per task, polls as complete (`X`) events, wakes as instant
//! (`i`) events, cancellations as instant events too; timestamps in µs from
//! the first run's start.

use std::fmt::Write;

use super::recorder::{Event, RunRecord, TaskState};

/// The trace of `runs`, as a JSON string.
pub fn chrome_trace(lesson: &str, runs: &[RunRecord]) -> String {
    let origin = runs.first().map_or(0.0, |r| r.start);
    // Microseconds, rounded to the nanosecond.
    let us = |t: f64| ((t - origin) * 1e6).round() / 1e3;
    let mut events: Vec<String> = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        let pid = r + 1;
        events.push(format!(
            r#"{{"name":"process_name","ph":"M","pid":{pid},"tid":0,"args":{{"name":{}}}}}"#,
            json_string(&format!("{lesson}: {}", run.name))
        ));
        events.push(format!(
            r#"{{"name":"process_sort_index","ph":"M","pid":{pid},"tid":0,"args":{{"sort_index":{pid}}}}}"#
        ));
        events.push(format!(
            r#"{{"name":"thread_name","ph":"M","pid":{pid},"tid":0,"args":{{"name":"main thread: frames"}}}}"#
        ));
        let mut last = run.start;
        for &frame in &run.frames {
            events.push(format!(
                r#"{{"name":"frame gap","cat":"frame","ph":"X","ts":{},"dur":{},"pid":{pid},"tid":0}}"#,
                us(last),
                us(frame) - us(last)
            ));
            last = frame;
        }
        for &(start, duration) in &run.long_tasks {
            events.push(format!(
                r#"{{"name":"long task","cat":"longtask","ph":"X","ts":{},"dur":{},"pid":{pid},"tid":0}}"#,
                us(start),
                (duration * 1000.0).round()
            ));
        }
        for (t, task) in run.tasks.iter().enumerate() {
            let tid = t + 1;
            events.push(format!(
                r#"{{"name":"thread_name","ph":"M","pid":{pid},"tid":{tid},"args":{{"name":{}}}}}"#,
                json_string(&task.label)
            ));
            events.push(format!(r#"{{"name":"thread_sort_index","ph":"M","pid":{pid},"tid":{tid},"args":{{"sort_index":{tid}}}}}"#));
            let mut poll = 0;
            for event in &task.events {
                match *event {
                    Event::Poll { start, end, ready } => {
                        poll += 1;
                        events.push(format!(
                            r#"{{"name":"poll","cat":"poll","ph":"X","ts":{},"dur":{},"pid":{pid},"tid":{tid},"args":{{"poll":{poll},"result":"{}"}}}}"#,
                            us(start),
                            (us(end) - us(start)).max(0.0),
                            if ready { "Ready" } else { "Pending" }
                        ));
                    }
                    Event::Wake { at } => events.push(format!(
                        r#"{{"name":"wake","cat":"wake","ph":"i","s":"t","ts":{},"pid":{pid},"tid":{tid}}}"#,
                        us(at)
                    )),
                }
            }
            if let (TaskState::Cancelled | TaskState::Error, Some(end)) = (task.state, task.end) {
                let mut args = String::new();
                if let Some(error) = &task.error {
                    let _ = write!(args, r#","args":{{"error":{}}}"#, json_string(error));
                }
                events.push(format!(
                    r#"{{"name":"{}","cat":"end","ph":"i","s":"t","ts":{},"pid":{pid},"tid":{tid}{args}}}"#,
                    task.state.as_str(),
                    us(end)
                ));
            }
        }
    }
    format!(
        "{{\"traceEvents\":[\n{}\n],\"displayTimeUnit\":\"ms\"}}\n",
        events.join(",\n")
    )
}

/// `text` as a JSON string literal.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::recorder::{Outcome, TaskRecord};

    fn run() -> RunRecord {
        let mut timer = TaskRecord::new("sleep \"20\" ms\n<b>".into(), 1000.0);
        timer.record_poll(1000.0, 1000.5, false);
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
            tasks: vec![timer, dropped],
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
