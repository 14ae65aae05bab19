//! Reading a timeline: the marks (one event of one task) a pointer or the
//! keyboard lands on, and the sentence that describes each.

use crate::trace::{Event, RunRecord};

/// A mark on the timeline: one event of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The task's index in its run.
    pub task: usize,
    /// The event's index in the task's events.
    pub event: usize,
}

/// A lane label that fits the gutter: a URL loses its scheme and host (and
/// one of the widget's own endpoints everything up to `async-demo-api/`),
/// and anything long keeps its end, which is where URLs and labels differ.
pub fn short_label(label: &str) -> String {
    let label = match label.split_once("://") {
        Some((_, rest)) => match rest.split_once("/async-demo-api/") {
            Some((_, endpoint)) => endpoint,
            None => rest.find('/').map_or(rest, |i| &rest[i..]),
        },
        None => label,
    };
    let count = label.chars().count();
    if count <= 24 {
        label.to_string()
    } else {
        let tail: String = label.chars().skip(count - 23).collect();
        format!("…{tail}")
    }
}

/// Describes a mark for the detail line and screen readers.
pub fn describe(run: &RunRecord, mark: Mark) -> Option<String> {
    use crate::fixed::fixed;
    let task = run.tasks.get(mark.task)?;
    let event = task.events.get(mark.event)?;
    let at = |t: f64| format!("{} ms", fixed(t - run.start, 1));
    let what = match *event {
        Event::Poll {
            start,
            end,
            ready,
            cause,
            ..
        } => {
            let n = task.events[..=mark.event]
                .iter()
                .filter(|e| matches!(e, Event::Poll { .. }))
                .count();
            format!(
                "poll {n} of {} ({}): {} ms at {}, returned {}",
                task.polls(),
                cause.describe(),
                fixed(end - start, 2),
                at(start),
                if ready { "Ready" } else { "Pending" }
            )
        }
        Event::Wake { at: t } => format!("woken at {}", at(t)),
    };
    Some(format!("{} ({}): {what}", task.label, task.state.as_str()))
}

/// Keyboard navigation: the mark after `key` from `from`.
pub fn step(run: &RunRecord, from: Option<Mark>, key: &str) -> Option<Mark> {
    let tasks = &run.tasks;
    let first_of = |task: usize| (!tasks.get(task)?.events.is_empty()).then_some(Mark { task, event: 0 });
    let Some(m) = from else {
        return (0..tasks.len()).find_map(first_of);
    };
    match key {
        "ArrowRight" => Some(Mark {
            event: (m.event + 1).min(tasks[m.task].events.len().saturating_sub(1)),
            ..m
        }),
        "ArrowLeft" => Some(Mark {
            event: m.event.saturating_sub(1),
            ..m
        }),
        "Home" => Some(Mark { event: 0, ..m }),
        "End" => Some(Mark {
            event: tasks[m.task].events.len().saturating_sub(1),
            ..m
        }),
        "ArrowDown" => (m.task + 1..tasks.len()).find_map(first_of).or(Some(m)),
        "ArrowUp" => (0..m.task).rev().find_map(first_of).or(Some(m)),
        _ => Some(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_drop_the_origin_and_keep_their_end() {
        assert_eq!(
            short_label("http://127.0.0.1:8080/async-demo-api/delay/700"),
            "delay/700"
        );
        assert_eq!(short_label("https://h.test/api/users"), "/api/users");
        assert_eq!(short_label("task 1"), "task 1");
        assert_eq!(
            short_label("https://h/async-demo-api/drip?bytes=30000&ms=1000"),
            "drip?bytes=30000&ms=1000"
        );
        assert_eq!(
            short_label("https://h/async-demo-api/drip?bytes=300000&ms=1000"),
            "…ip?bytes=300000&ms=1000"
        );
    }
}
