//! The sentences the widget says when a run ends: the summary the
//! `aria-live` region announces, and how the run answered the question asked
//! before it.

use crate::lessons;
use crate::report::Report;
use crate::view::WidgetState;

/// The sentence the `aria-live` region announces when a run ends.
pub(super) fn summary(report: &Report, state: WidgetState, error: Option<&str>) -> String {
    let runs: Vec<String> = report
        .runs
        .iter()
        .map(|r| format!("{} {} ms", r.name, crate::fixed::fixed(r.total_ms, 0)))
        .collect();
    match (state, error) {
        (_, Some(e)) => format!("Failed: {e}"),
        (WidgetState::Cancelled, _) => format!("Cancelled. {}", runs.join(", ")),
        _ => format!("Done. {}", runs.join(", ")),
    }
}

/// How the run answered the question asked before it: always the measured
/// figure, and whether the guess was right.
pub(super) fn verdict(predict: &lessons::Prediction, guess: Option<f64>, report: &Report) -> String {
    let Some(measured) = (predict.measure)(report) else {
        return "This run does not answer the question (were the parameters changed?).".into();
    };
    // "1 poll", "0 polls", "1049 ms".
    let shown = |v: f64| {
        let number = if v.fract() == 0.0 {
            crate::fixed::fixed(v, 0)
        } else {
            crate::fixed::fixed(v, 1)
        };
        match predict.unit.strip_suffix('s') {
            Some(one) if v == 1.0 && predict.unit != "ms" => format!("{number} {one}"),
            _ => format!("{number} {}", predict.unit),
        }
    };
    let within = match predict.tolerance {
        t if t > 0.0 => format!(" (within {} %)", crate::fixed::fixed(t * 100.0, 0)),
        _ => String::new(),
    };
    match guess {
        None => format!("The run measured {}.", shown(measured)),
        Some(g) if predict.is_right(g, measured) => {
            format!(
                "You said {}; the run measured {}: right{within}.",
                shown(g),
                shown(measured)
            )
        }
        Some(g) => format!(
            "You said {}; the run measured {}: not this time{within}.",
            shown(g),
            shown(measured)
        ),
    }
}
