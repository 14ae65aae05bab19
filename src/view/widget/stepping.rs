//! Stepping, as the view shows it: the last step, the ready queue with what
//! each future waits on, and the lines of the shown code where the futures
//! were created, lit up.

use wasm_bindgen::JsValue;

use super::super::dom;
use super::WidgetView;
use crate::trace::{Event, Recorder, RunRecord, TaskRecord};

impl WidgetView {
    /// Shows the stepper's state, or hides it outside a stepped run.
    pub(super) fn draw_stepping(&self, recorder: &Recorder) -> Result<(), JsValue> {
        let stepper = recorder.stepper().filter(|s| s.is_active());
        self.stepping
            .toggle_attribute_with_force("hidden", stepper.is_none())?;
        self.continue_button
            .toggle_attribute_with_force("disabled", stepper.is_none())?;
        self.step_button.set_text_content(Some(if stepper.is_some() {
            "Step: poll one"
        } else {
            "Step"
        }));
        let Some(stepper) = stepper else {
            // Not stepping: a replay lights what its moment shows. (Nothing
            // to do on the frames of a live run: no line is lit then.)
            let cursor = self.focus.get().cursor;
            if cursor.is_none() && !self.lines_lit.get() {
                return Ok(());
            }
            let lesson = self.lesson_ref;
            let (polled, queued) = match cursor {
                Some(cursor) => recorder
                    .inspect(|runs| at_moment(runs, cursor, |file, line| lesson.code_line(file, line))),
                None => (Vec::new(), Vec::new()),
            };
            for (i, line) in self.rust_lines.iter().enumerate() {
                let n = i as u32 + 1;
                line.class_list()
                    .toggle_with_force("polled", polled.contains(&n))?;
                line.class_list()
                    .toggle_with_force("queued", queued.contains(&n))?;
            }
            self.lines_lit.set(!polled.is_empty() || !queued.is_empty());
            return Ok(());
        };
        if stepper.version() == self.stepper_drawn.get() {
            return Ok(());
        }
        self.stepper_drawn.set(stepper.version());
        let (queue, last) = (stepper.queue(), stepper.last_polled());
        let line_of = |task: &TaskRecord| self.lesson_ref.task_line(task);
        recorder.inspect(|runs| -> Result<(), JsValue> {
            let last_line = last.and_then(|l| line_of(&runs[l.run].tasks[l.task]));
            let text = match last {
                Some(l) => format!(
                    "Last step: polled {} ({}); it returned {}.",
                    runs[l.run].tasks[l.task].label,
                    l.cause.describe(),
                    if l.ready { "Ready" } else { "Pending" }
                ),
                None => {
                    "Paused before the first poll. Press Step to poll the first future of the queue.".into()
                }
            };
            self.last_step.set_text_content(Some(&text));
            dom::clear(&self.queue);
            let mut queued_lines = Vec::new();
            for q in &queue {
                let task = &runs[q.run].tasks[q.task];
                queued_lines.extend(line_of(task));
                let item = format!(
                    "{} — {}; waits on: {}",
                    task.label,
                    q.cause.describe(),
                    task.waiting_on_text()
                );
                dom::text_child(&self.queue, "li", "", &item)?;
            }
            if queue.is_empty() {
                dom::text_child(
                    &self.queue,
                    "li",
                    "empty",
                    "(empty: nothing is ready; a step waits for the next wake)",
                )?;
            }
            for (i, line) in self.rust_lines.iter().enumerate() {
                let n = i as u32 + 1;
                line.class_list()
                    .toggle_with_force("polled", last_line == Some(n))?;
                line.class_list()
                    .toggle_with_force("queued", queued_lines.contains(&n))?;
            }
            self.lines_lit.set(true);
            Ok(())
        })
    }
}

/// At `cursor` ms from each run's start: the shown lines of the future polled
/// last (per run) and of the futures woken and not yet polled again.
fn at_moment(
    runs: &[RunRecord],
    cursor: f64,
    line_of: impl Fn(&str, u32) -> Option<u32>,
) -> (Vec<u32>, Vec<u32>) {
    let (mut polled, mut queued) = (Vec::new(), Vec::new());
    for run in runs {
        let t = run.start + cursor;
        let mut last: Option<(f64, &TaskRecord)> = None;
        for task in &run.tasks {
            let mut woken = false;
            for event in task.events.iter().take_while(|e| event_time(e) <= t) {
                match *event {
                    Event::Poll { start, .. } => {
                        woken = false;
                        if last.is_none_or(|(at, _)| start >= at) {
                            last = Some((start, task));
                        }
                    }
                    Event::Wake { .. } => woken = true,
                }
            }
            if woken {
                queued.extend(task.created_at.and_then(|(file, line)| line_of(file, line)));
            }
        }
        if let Some((_, task)) = last.filter(|_| run.end.is_none_or(|end| t <= end)) {
            polled.extend(task.created_at.and_then(|(file, line)| line_of(file, line)));
        }
    }
    (polled, queued)
}

fn event_time(event: &Event) -> f64 {
    match *event {
        Event::Poll { start, .. } => start,
        Event::Wake { at } => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{Cause, TaskState};

    fn task(line: u32, events: Vec<Event>) -> Box<TaskRecord> {
        let mut t = TaskRecord::new("t".into(), 0.0);
        t.created_at = Some(("src/lessons/x.rs", line));
        t.events = events;
        t.state = TaskState::Pending;
        Box::new(t)
    }

    #[test]
    fn a_replay_moment_lights_the_last_polled_and_the_woken() {
        let poll = |start: f64| Event::Poll {
            start,
            end: start + 1.0,
            ready: false,
            cause: Cause::First,
        };
        let run = RunRecord {
            name: "r".into(),
            start: 1000.0,
            end: Some(1500.0),
            longest_frame_gap: 0.0,
            frames: Vec::new(),
            long_tasks: Vec::new(),
            tasks: vec![
                task(10, vec![poll(1000.0), Event::Wake { at: 1100.0 }, poll(1101.0)]),
                task(20, vec![poll(1002.0), Event::Wake { at: 1200.0 }]),
            ],
        };
        let lines = |file: &str, line: u32| file.ends_with("x.rs").then_some(line);
        // At 150 ms the first was polled last (at 101 ms); nothing is woken.
        assert_eq!(
            at_moment(std::slice::from_ref(&run), 150.0, lines),
            (vec![10], vec![])
        );
        // At 250 ms the second was woken at 200 ms and waits for its poll.
        assert_eq!(
            at_moment(std::slice::from_ref(&run), 250.0, lines),
            (vec![10], vec![20])
        );
        // After the run's end nothing is lit as polled.
        assert_eq!(at_moment(&[run], 600.0, lines).0, Vec::<u32>::new());
    }
}
