//! The sandbox, left out: what the lean build (`--no-default-features`,
//! shipped as `pkg/`) has in place of `sandbox/`. Its lessons' pages pay
//! nothing for the sandbox; `async-demo.js` loads the full build
//! (`pkg-sandbox/`) for a `lesson="sandbox"` widget. Called here anyway (a
//! script importing `pkg/` and running the sandbox), it says where it is.

use crate::error::Error;
use crate::lessons::{Clicks, Prediction};
use crate::trace::Recorder;

/// Why the sandbox does nothing in this build.
pub const NOT_HERE: &str = "The sandbox is not in this build of the widget (pkg/, the lessons only): \
     async-demo.js loads pkg-sandbox/ for a lesson=\"sandbox\" widget, and a script imports \
     pkg-sandbox/async_demo.js to run one.";

/// Refuses: the sandbox is in `pkg-sandbox/`.
pub async fn run(_source: &str, _base: &str, _recorder: &Recorder, _clicks: Clicks) -> Result<(), Error> {
    Err(Error::Setup(NOT_HERE.into()))
}

/// What the sandbox's panes show in this build: where it is.
pub fn generate(_source: &str, _base: &str) -> crate::markup::widget::Generated {
    crate::markup::widget::Generated {
        python: format!("# {NOT_HERE}"),
        javascript: format!("// {NOT_HERE}"),
        diagnostics: NOT_HERE.into(),
    }
}

/// The same, as a widget shows it.
pub fn generate_shown(source: &str, base: &str) -> crate::markup::widget::Generated {
    generate(source, base)
}

/// The sandbox's examples: none in this build.
pub mod examples {
    use super::Prediction;

    /// One example (none here).
    #[derive(Debug)]
    pub struct Example {
        /// The button's text.
        pub label: &'static str,
        /// The program.
        pub program: &'static str,
        /// The question, graded from the run.
        pub predict: Prediction,
    }

    /// No examples in this build.
    pub static EXAMPLES: &[Example] = &[];

    /// No example matches in this build.
    pub fn matching(_program: &str) -> Option<&'static Example> {
        None
    }
}
