//! The sentences the widget says when a run ends: the summary the
//! `aria-live` region announces, and how the run answered the question asked
//! before it.

use crate::lessons;
use crate::report::RunReport;
use crate::trace::RunRecord;
use crate::view::WidgetState;

/// The sentence the `aria-live` region announces when a run ends.
/// Its totals are the report's (a run still open ends at `until`).
pub(super) fn summary(runs: &[RunRecord], until: f64, state: WidgetState, error: Option<&str>) -> String {
    let runs: Vec<String> = runs
        .iter()
        .map(|r| RunReport::without_tasks(r, until))
        .map(|r| format!("{} {} ms", r.name, crate::fixed::fixed(r.total_ms, 0)))
        .collect();
    match (state, error) {
        (_, Some(e)) => format!("Failed: {e}"),
        (WidgetState::Cancelled, _) => format!("Cancelled. {}", runs.join(", ")),
        _ => format!("Done. {}", runs.join(", ")),
    }
}

/// How the run answered the question asked before it: always the measured
/// figure, and whether the guess was right. `changed` names the parameters
/// the question takes at their defaults that this run changed: then the
/// guess is not graded.
pub(super) fn verdict(
    predict: &lessons::Prediction,
    guess: Option<f64>,
    runs: &[RunRecord],
    changed: &[&str],
) -> String {
    let Some(measured) = (predict.measure)(runs) else {
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
    if !changed.is_empty() {
        return format!(
            "The run measured {}, with {} changed: the question is about the defaults, so {}.",
            shown(measured),
            changed.join(" and "),
            match guess {
                Some(_) => "your answer is not graded",
                None => "it does not answer it",
            }
        );
    }
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
