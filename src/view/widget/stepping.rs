//! Stepping, as the view shows it: the last step, the ready queue with what
//! each future waits on, and the lines of the shown code where the futures
//! were created, lit up.

use wasm_bindgen::JsValue;

use super::super::dom;
use super::WidgetView;
use crate::trace::{Recorder, TaskRecord};

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
            for line in &self.rust_lines {
                line.class_list().remove_2("polled", "queued")?;
            }
            return Ok(());
        };
        if stepper.version() == self.stepper_drawn.get() {
            return Ok(());
        }
        self.stepper_drawn.set(stepper.version());
        let (queue, last) = (stepper.queue(), stepper.last_polled());
        let lesson = self.lesson_ref;
        let line_of = |task: &TaskRecord| {
            task.created_at
                .and_then(|(file, line)| lesson.code_line(file, line))
        };
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
                    waiting_on(task)
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
            Ok(())
        })
    }
}

/// What `task` waits on, as far as the work has said.
pub fn waiting_on(task: &TaskRecord) -> String {
    match (&task.waiting_on, task.polls) {
        (_, 0) => "nothing yet: its first poll starts it".to_string(),
        (Some(what), _) => what.clone(),
        (None, _) => "what it awaits does not say (gloo's TimeoutFuture and JavaScript Promises are not \
                      instrumented)"
            .to_string(),
    }
}
