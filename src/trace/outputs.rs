//! How the work's own results read in a task's record. The tracer adapts
//! `tasks/`' types here, so that `tasks/` knows nothing of the tracer.

use super::{Outcome, TaskOutput};
use crate::tasks::{Download, WorkerResult};

impl TaskOutput for Download {
    fn outcome(&self) -> Outcome {
        Outcome::Done(Some(self.to_string()))
    }
}

impl TaskOutput for WorkerResult {
    fn outcome(&self) -> Outcome {
        Outcome::Done(Some(self.to_string()))
    }
}
