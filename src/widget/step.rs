//! The stepping half of the JavaScript surface: `step()`, `queue()`,
//! `resume()` on a widget whose run was started with `{ step: true }`.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::{to_js, Widget};
use crate::error::Error;
use crate::lessons::Lesson;
use crate::trace::TaskRecord;

#[wasm_bindgen]
impl Widget {
    /// In a stepped run: polls exactly one traced future (the front of the
    /// queue, after waiting for a wake if nothing is queued) and resolves
    /// with `{ label, outcome: "pending" | "ready", cause, line, awaitLine,
    /// suspendLine }`: lines of the shown Rust code, `null` when not there.
    /// `line` is where that future was created, `awaitLine` the `.await`
    /// that polled it (where its run waits for it), `suspendLine` the
    /// `.await` inside it at which it stopped, if it returned `Pending`;
    /// `inside` the traced futures that poll polled in turn (a sandbox
    /// program's `join!` polls its downloads), as `[{ label, outcome, line }]`,
    /// innermost first. Rejects with a sentence when no run is being stepped.
    pub fn step(&self) -> js_sys::Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let stepper = inner.stepper().ok_or_else(|| {
                Error::Usage("Nothing is being stepped: start a run with run({ step: true }) first.".into())
            })?;
            let stepped = stepper.step().await?;
            let recorder = inner.view.as_ref().and_then(|v| v.recording());
            let lesson = inner.lesson.clone()?;
            let (label, lines, inside) =
                recorder.map_or((String::new(), Lines::default(), Vec::new()), |r| {
                    r.inspect(|runs| {
                        let tasks = &runs[stepped.run].tasks;
                        let task = &tasks[stepped.task];
                        let inside = stepped
                            .inside
                            .iter()
                            .map(|&(i, ready)| InnerPoll {
                                label: tasks[i].label.to_string(),
                                outcome: outcome(ready),
                                line: lesson.task_line(&tasks[i]),
                            })
                            .collect();
                        (task.label.to_string(), Lines::of(lesson, task), inside)
                    })
                });
            to_js(&StepReport {
                label,
                outcome: outcome(stepped.ready),
                cause: stepped.cause.as_str(),
                line: lines.line,
                await_line: lines.await_line,
                suspend_line: lines.suspend_line,
                inside,
            })
        })
    }

    /// In a stepped run: the futures waiting for their poll, in the order
    /// they will get it, as `[{ label, cause, waitingOn, line, awaitLine,
    /// suspendLine }]` (the lines as `step()` gives them); `[]` otherwise.
    pub fn queue(&self) -> Result<JsValue, JsValue> {
        let (Some(stepper), Some(recorder)) = (
            self.inner.stepper(),
            self.inner.view.as_ref().and_then(|v| v.recording()),
        ) else {
            return to_js(&Vec::<QueueEntry>::new());
        };
        let lesson = self.inner.lesson.as_ref().copied();
        let entries: Vec<QueueEntry> = recorder.inspect(|runs| {
            stepper
                .queue()
                .iter()
                .map(|q| {
                    let task = &runs[q.run].tasks[q.task];
                    let lines = lesson.map_or_else(|_| Lines::default(), |l| Lines::of(l, task));
                    QueueEntry {
                        label: task.label.to_string(),
                        cause: q.cause.as_str(),
                        waiting_on: task.waiting_on_text(),
                        line: lines.line,
                        await_line: lines.await_line,
                        suspend_line: lines.suspend_line,
                    }
                })
                .collect()
        });
        to_js(&entries)
    }

    /// In a stepped run: stops holding polls; the run goes on at full speed.
    pub fn resume(&self) {
        if let Some(stepper) = self.inner.stepper() {
            stepper.resume();
        }
    }
}

fn outcome(ready: bool) -> &'static str {
    if ready {
        "ready"
    } else {
        "pending"
    }
}

/// What `step()` resolves with.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct StepReport {
    label: String,
    outcome: &'static str,
    cause: &'static str,
    line: Option<u32>,
    await_line: Option<u32>,
    suspend_line: Option<u32>,
    inside: Vec<InnerPoll>,
}

/// A poll inside the stepped one.
#[derive(serde::Serialize)]
struct InnerPoll {
    label: String,
    outcome: &'static str,
    line: Option<u32>,
}

/// One entry of `queue()`.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct QueueEntry {
    label: String,
    cause: &'static str,
    waiting_on: String,
    line: Option<u32>,
    await_line: Option<u32>,
    suspend_line: Option<u32>,
}

/// Where a future stands in the shown code (1-based lines; `null` if not
/// there): created, awaited by the run, suspended inside.
#[derive(Default)]
struct Lines {
    line: Option<u32>,
    await_line: Option<u32>,
    suspend_line: Option<u32>,
}

impl Lines {
    fn of(lesson: &Lesson, task: &TaskRecord) -> Self {
        Lines {
            line: lesson.task_line(task),
            await_line: lesson.await_line(task),
            suspend_line: lesson.suspend_line(task),
        }
    }
}
