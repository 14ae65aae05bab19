//! Instrumentation: every task a lesson runs is wrapped in [`Traced`], which
//! records each poll, wake, completion and cancellation into the
//! [`Recorder`] of the run it belongs to.
//!
//! Recording is per run and per widget: two widgets on a page never share a
//! recorder, so their reports never mix.

mod awaits;
mod export;
mod frames;
pub mod outputs;
mod recorder;
mod step;
mod task;
mod traced;

pub use crate::clock::{frozen_at, now};
pub use awaits::{AwaitAt, AwaitId, PROGRAM};
pub use export::chrome_trace;
pub use frames::{longest_gap, next_frame, FrameMeter};
pub use recorder::{Progress, Recorder, Run, RunRecord};
pub use step::{Queued, Stepped, Stepper};
pub use task::{file_line, Cause, Event, Outcome, TaskRecord, TaskState, LONG_POLL_MS};
pub use traced::{TaskOutput, Traced};
