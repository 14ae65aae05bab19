//! Stepping, as the view shows it: the last step, the ready queue with what
//! each future waits on, and the lines of the shown code where the futures
//! were created, lit up.

use wasm_bindgen::JsValue;

use super::super::dom;
use super::WidgetView;
use crate::trace::{file_line, AwaitId, Event, Recorder, RunRecord, TaskRecord};

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
        let lesson = self.lesson_ref;
        let Some(stepper) = stepper else {
            // Not stepping: a replay lights what its moment shows. (Nothing
            // to do on the frames of a live run: no line is lit then.)
            let cursor = self.focus.get().cursor;
            if cursor.is_none() && !self.lines_lit.get() {
                return Ok(());
            }
            let lit = match cursor {
                Some(cursor) => {
                    recorder.inspect(|runs| at_moment(runs, cursor, |at| lesson.code_line(at.0, at.1)))
                }
                None => Lit::default(),
            };
            return self.light(&lit);
        };
        if stepper.version() == self.stepper_drawn.get() {
            return Ok(());
        }
        self.stepper_drawn.set(stepper.version());
        let (queue, last) = (stepper.queue(), stepper.last_polled());
        recorder.inspect(|runs| -> Result<(), JsValue> {
            let mut lit = Lit::default();
            let text = match last {
                Some(l) => {
                    let task = &runs[l.run].tasks[l.task];
                    lit.polled.extend(lesson.task_line(task));
                    let mut text = format!("Last step: polled {} ({}); ", task.label, l.cause.describe());
                    if !l.inside.is_empty() {
                        // What it polled in turn, as the executor would have.
                        let inner: Vec<String> = l
                            .inside
                            .iter()
                            .map(|&(i, ready)| {
                                let inner = &runs[l.run].tasks[i];
                                lit.polled.extend(lesson.task_line(inner));
                                format!("{} ({})", inner.label, if ready { "Ready" } else { "Pending" })
                            })
                            .collect();
                        text.push_str(&format!("inside it, it polled {}; ", inner.join(", ")));
                    }
                    text.push_str("it returned ");
                    if l.ready {
                        text.push_str("Ready.");
                    } else {
                        let (inside, awaited) = (lesson.suspend_line(task), lesson.await_line(task));
                        lit.awaited.extend(inside.into_iter().chain(awaited));
                        text.push_str("Pending");
                        text.push_str(&line_text(inside, " at the .await on line ", ""));
                        text.push('.');
                        text.push_str(&line_text(awaited, " Its run waits for it at line ", "."));
                    }
                    text
                }
                None => {
                    "Paused before the first poll. Press Step to poll the first future of the queue.".into()
                }
            };
            self.last_step.set_text_content(Some(&text));
            dom::clear(&self.queue);
            for q in &queue {
                let task = &runs[q.run].tasks[q.task];
                lit.queued.extend(lesson.task_line(task));
                let (inside, awaited) = (lesson.suspend_line(task), lesson.await_line(task));
                lit.awaited.extend(inside.into_iter().chain(awaited));
                let item = format!(
                    "{} — {}; waits on: {}{}{}",
                    task.label,
                    q.cause.describe(),
                    task.waiting_on_text(),
                    line_text(inside, "; suspended at line ", ""),
                    line_text(awaited, "; awaited at line ", ""),
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
            self.light(&lit)
        })
    }

    /// Lights the shown Rust code's lines: `polled` and `queued` where those
    /// futures were created, `awaited` the `.await`s they are suspended at.
    fn light(&self, lit: &Lit) -> Result<(), JsValue> {
        for (i, line) in self.rust_lines.borrow().iter().enumerate() {
            let n = i as u32 + 1;
            let classes = line.class_list();
            classes.toggle_with_force("polled", lit.polled.contains(&n))?;
            classes.toggle_with_force("queued", lit.queued.contains(&n))?;
            classes.toggle_with_force("awaited", lit.awaited.contains(&n))?;
        }
        self.lines_lit.set(lit != &Lit::default());
        Ok(())
    }
}

/// `prefix`, the line and `suffix`, or nothing if the line is not shown.
fn line_text(line: Option<u32>, prefix: &str, suffix: &str) -> String {
    line.map(|n| format!("{prefix}{n}{suffix}")).unwrap_or_default()
}

/// The lines of the shown code to light (1-based).
#[derive(Debug, Default, PartialEq)]
struct Lit {
    /// Where the future polled last was created.
    polled: Vec<u32>,
    /// Where the futures woken and waiting for their poll were created.
    queued: Vec<u32>,
    /// The `.await`s at which those futures are suspended: inside each, and
    /// where the run waits for it (none for a future that returned `Ready`).
    awaited: Vec<u32>,
}

/// A poll's `.await`s: the one that polled it, the one inside where it stopped.
type Awaits = (AwaitId, AwaitId);

/// At `cursor` ms from each run's start: the shown lines of the future polled
/// last (per run) and of the futures woken and not yet polled again, with the
/// `.await`s at which they are suspended.
fn at_moment(runs: &[RunRecord], cursor: f64, line_of: impl Fn((&str, u32)) -> Option<u32>) -> Lit {
    let mut lit = Lit::default();
    let awaits = |(awaited, suspended): Awaits| {
        [suspended, awaited]
            .into_iter()
            .filter_map(|id| file_line(id).and_then(&line_of))
    };
    for run in runs {
        let t = run.start + cursor;
        // The last poll of the run: when, of which task, its `.await`s if
        // it returned `Pending`.
        let mut last: Option<(f64, &TaskRecord, Option<Awaits>)> = None;
        for task in &run.tasks {
            let (mut woken, mut at) = (false, (AwaitId::NONE, AwaitId::NONE));
            for event in task.events.iter().take_while(|e| event_time(e) <= t) {
                match *event {
                    Event::Poll {
                        start,
                        ready,
                        awaited,
                        suspended,
                        ..
                    } => {
                        woken = false;
                        at = (awaited, suspended);
                        if last.is_none_or(|(when, ..)| start >= when) {
                            last = Some((start, task, (!ready).then_some(at)));
                        }
                    }
                    Event::Wake { .. } => woken = true,
                }
            }
            if woken {
                lit.queued.extend(task.created_at().and_then(&line_of));
                lit.awaited.extend(awaits(at));
            }
        }
        if let Some((_, task, at)) = last.filter(|_| run.end.is_none_or(|end| t <= end)) {
            lit.polled.extend(task.created_at().and_then(&line_of));
            lit.awaited.extend(at.into_iter().flat_map(awaits));
        }
    }
    lit
}

fn event_time(event: &Event) -> f64 {
    match *event {
        Event::Poll { start, .. } => start,
        Event::Wake { at } => at,
    }
}

#[cfg(test)]
mod tests {
    use std::panic::Location;

    use super::*;
    use crate::trace::{Cause, TaskState};

    fn task(made: &'static Location<'static>, events: Vec<Event>) -> Box<TaskRecord> {
        let mut t = TaskRecord::new("t".into(), 0.0);
        t.created_at = crate::trace::AwaitId::of(made);
        t.events = events;
        t.state = TaskState::Pending;
        Box::new(t)
    }

    #[test]
    fn a_replay_moment_lights_the_last_polled_and_the_woken_with_their_awaits() {
        // Two `run.trace(…)` calls and three `.await`s, located here (their
        // lines stand for the code pane's).
        let made_1 = Location::caller();
        let made_2 = Location::caller();
        let at_a = Location::caller();
        let at_b = Location::caller();
        let at_c = Location::caller();
        let (a, b, c) = (at_a.line(), at_b.line(), at_c.line());
        let (m1, m2) = (made_1.line(), made_2.line());
        assert!(a != b && b != c && a != c && m1 != m2);
        let poll = |start: f64,
                    ready: bool,
                    awaited: &'static Location<'static>,
                    inside: Option<&'static Location<'static>>| Event::Poll {
            start,
            end: start + 1.0,
            ready,
            cause: Cause::First,
            awaited: AwaitId::of(awaited),
            suspended: inside.map_or(AwaitId::NONE, AwaitId::of),
        };
        let run = RunRecord {
            name: "r".into(),
            start: 1000.0,
            end: Some(1500.0),
            longest_frame_gap: 0.0,
            frames: Vec::new(),
            long_tasks: Vec::new(),
            tasks: vec![
                task(
                    made_1,
                    vec![
                        poll(1000.0, false, at_a, Some(at_c)),
                        Event::Wake { at: 1100.0 },
                        poll(1101.0, false, at_a, Some(at_c)),
                        Event::Wake { at: 1300.0 },
                        poll(1301.0, true, at_a, None),
                    ],
                ),
                task(
                    made_2,
                    vec![poll(1002.0, false, at_b, None), Event::Wake { at: 1200.0 }],
                ),
            ],
        };
        let lines = |(file, line): (&str, u32)| file.ends_with("stepping.rs").then_some(line);
        let lit = |polled: Vec<u32>, queued: Vec<u32>, awaited: Vec<u32>| Lit {
            polled,
            queued,
            awaited,
        };
        let runs = std::slice::from_ref(&run);
        // At 150 ms the first was polled last (at 101 ms) and returned Pending:
        // suspended inside at c, awaited at a. Nothing is woken.
        assert_eq!(at_moment(runs, 150.0, lines), lit(vec![m1], vec![], vec![c, a]));
        // At 250 ms the second was woken at 200 ms and waits for its poll at
        // its `.await`.
        assert_eq!(
            at_moment(runs, 250.0, lines),
            lit(vec![m1], vec![m2], vec![b, c, a])
        );
        // At 350 ms the first has returned Ready: no `.await` holds it.
        assert_eq!(at_moment(runs, 350.0, lines), lit(vec![m1], vec![m2], vec![b]));
        // After the run's end nothing is lit as polled.
        assert_eq!(at_moment(runs, 600.0, lines).polled, Vec::<u32>::new());
    }
}
