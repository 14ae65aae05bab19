//! The results: per run, a table with a row per task, and its totals.

use wasm_bindgen::JsValue;
use web_sys::Element;

use super::dom::{self, ms};
use crate::trace::{RunRecord, TaskRecord, TaskState};

/// Rows drawn per run; beyond this the table says how many more there are.
pub const MAX_ROWS: usize = 200;

const COLUMNS: [&str; 8] = [
    "task", "state", "start ms", "end ms", "polls", "wakes", "busy ms", "result",
];

/// Redraws `container` from `runs`; open runs are measured up to `now`.
pub fn render(container: &Element, runs: &[RunRecord], now: f64) -> Result<(), JsValue> {
    dom::clear(container);
    for run in runs {
        let section = dom::child(container, "section", "run")?;
        section.set_attribute("data-run", &run.name)?;
        dom::text_child(&section, "h4", "", &run.name)?;
        let table = dom::child(&section, "table", "tasks")?;
        let head = dom::child(&dom::child(&table, "thead", "")?, "tr", "")?;
        for column in COLUMNS {
            dom::text_child(&head, "th", "", column)?.set_attribute("scope", "col")?;
        }
        let body = dom::child(&table, "tbody", "")?;
        for task in run.tasks.iter().take(MAX_ROWS) {
            row(&body, run.start, task)?;
        }
        if run.tasks.len() > MAX_ROWS {
            let more = format!(
                "… and {} more tasks (all are in the report)",
                run.tasks.len() - MAX_ROWS
            );
            let cell = dom::text_child(&dom::child(&body, "tr", "more")?, "td", "", &more)?;
            cell.set_attribute("colspan", "8")?;
        }
        let total = run.end.unwrap_or(now) - run.start;
        let mut totals = format!("total {} ms", ms(total));
        if run.end.is_some() {
            totals.push_str(&format!(" · longest frame gap {} ms", ms(run.longest_frame_gap)));
        } else {
            totals.push_str(" · running…");
        }
        dom::text_child(&section, "p", "totals", &totals)?;
    }
    Ok(())
}

fn row(body: &Element, origin: f64, task: &TaskRecord) -> Result<(), JsValue> {
    let tr = dom::child(body, "tr", "")?;
    tr.set_attribute("data-state", task.state.as_str())?;
    let at = |t: Option<f64>| t.map_or_else(|| "—".to_string(), |t| ms(t - origin));
    let outcome = match task.state {
        TaskState::Error => task.error.clone().unwrap_or_default(),
        TaskState::Pending if task.polls == 0 => "never polled".to_string(),
        _ => task.result.clone().unwrap_or_default(),
    };
    let cells = [
        task.label.clone(),
        task.state.as_str().to_string(),
        at(task.first_poll),
        at(task.end),
        task.polls.to_string(),
        task.wakes.to_string(),
        ms(task.busy),
        outcome,
    ];
    for (i, text) in cells.iter().enumerate() {
        let td = dom::text_child(&tr, "td", COLUMNS[i].split(' ').next().unwrap_or(""), text)?;
        if i == 0 {
            td.set_attribute("title", text)?;
        }
    }
    Ok(())
}
