//! The results: per run, its timeline, a table with a row per task, and its
//! totals. Sections persist across redraws; a finished run's table is drawn
//! once, its timeline whenever the replay cursor or the selection moves.

use wasm_bindgen::JsValue;
use web_sys::Element;

use super::dom::{self, ms};
use super::timeline::{Mark, Palette, Timeline};
use crate::trace::{RunRecord, TaskRecord, TaskState};

/// A run with more tasks than this gets a summary instead of a row per
/// task: a thousand rows are read by nobody. Each task stays on the
/// timeline (hover), in the report and in the trace export.
pub const MAX_ROWS: usize = 50;

const COLUMNS: [&str; 11] = [
    "task",
    "state",
    "start ms",
    "end ms",
    "polls",
    "why polled",
    "wakes",
    "busy ms",
    "idle ms",
    "result",
    "warnings",
];

struct RunView {
    timeline: Timeline,
    body: Element,
    totals: Element,
    table_final: bool,
    /// When the table was last rebuilt (page time): a live table is rebuilt
    /// at most every [`LIVE_TABLE_MS`], the timeline every frame.
    table_drawn: f64,
}

/// How often a running run's table is rebuilt.
const LIVE_TABLE_MS: f64 = 250.0;
/// Runs with more tasks than this show their table only when they end.
const LIVE_TABLE_MAX_TASKS: usize = 50;

/// The results area of one widget.
pub struct Results {
    container: Element,
    runs: Vec<RunView>,
}

impl std::fmt::Debug for Results {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Results").field("runs", &self.runs.len()).finish()
    }
}

/// What to draw: the time to draw up to (replay) and the selected mark.
#[derive(Debug, Clone, Copy, Default)]
pub struct Focus {
    /// Milliseconds from each run's start; `None` draws everything.
    pub cursor: Option<f64>,
    /// The selected mark: run index and mark.
    pub mark: Option<(usize, Mark)>,
}

impl Results {
    /// An empty results area.
    pub fn new(container: Element) -> Self {
        Results {
            container,
            runs: Vec::new(),
        }
    }

    /// Forgets the last run's drawing.
    pub fn reset(&mut self) {
        dom::clear(&self.container);
        self.runs.clear();
    }

    /// The timeline of run `index`.
    pub fn timeline(&self, index: usize) -> Option<&Timeline> {
        self.runs.get(index).map(|r| &r.timeline)
    }

    /// The index of the run whose canvas is `canvas`.
    pub fn run_of(&self, canvas: &web_sys::HtmlCanvasElement) -> Option<usize> {
        self.runs.iter().position(|r| r.timeline.canvas() == canvas)
    }

    /// Draws `runs` (open ones measured up to `now`, page time).
    pub fn draw(
        &mut self,
        runs: &[RunRecord],
        now: f64,
        focus: Focus,
        palette: &Palette,
    ) -> Result<(), JsValue> {
        for run in &runs[self.runs.len().min(runs.len())..] {
            self.runs.push(section(&self.container, run)?);
        }
        let span = span(runs, now);
        for (i, (run, view)) in runs.iter().zip(self.runs.iter_mut()).enumerate() {
            view.draw_timeline(i, run, now, span, focus, palette)?;
            view.totals.set_text_content(Some(&totals(run, now)));
            // A big run's table waits for its end: the timeline is its live view.
            let live = run.tasks.len() <= LIVE_TABLE_MAX_TASKS && now - view.table_drawn >= LIVE_TABLE_MS;
            let due = run.end.is_some() || live;
            if !view.table_final && due {
                table(&view.body, run)?;
                view.table_drawn = now;
                view.table_final = run.end.is_some();
            }
        }
        Ok(())
    }

    /// Draws again the timelines of the runs `which` alone: what a new
    /// selected mark changes (the one it leaves and the one it lights).
    pub fn draw_timelines(
        &mut self,
        runs: &[RunRecord],
        which: &[usize],
        now: f64,
        focus: Focus,
        palette: &Palette,
    ) -> Result<(), JsValue> {
        let span = span(runs, now);
        for (i, (run, view)) in runs.iter().zip(self.runs.iter_mut()).enumerate() {
            if which.contains(&i) {
                view.draw_timeline(i, run, now, span, focus, palette)?;
            }
        }
        Ok(())
    }
}

/// The time every timeline spans: runs that are compared share one time
/// axis, so that the shorter one looks shorter, the longest run so far.
fn span(runs: &[RunRecord], now: f64) -> f64 {
    runs.iter()
        .map(|run| run.end.unwrap_or(now) - run.start)
        .fold(0.0, f64::max)
}

impl RunView {
    /// Draws run `run` (the `i`th) on its timeline, up to the focus's cursor,
    /// with the focus's mark if it is in this run.
    fn draw_timeline(
        &mut self,
        i: usize,
        run: &RunRecord,
        now: f64,
        span: f64,
        focus: Focus,
        palette: &Palette,
    ) -> Result<(), JsValue> {
        let end = run.end.unwrap_or(now);
        let until = focus.cursor.map_or(end, |c| (run.start + c).min(end));
        let mark = focus.mark.filter(|(r, _)| *r == i).map(|(_, m)| m);
        self.timeline.draw(run, until, span, mark, palette)
    }
}

fn section(container: &Element, run: &RunRecord) -> Result<RunView, JsValue> {
    let section = dom::child(container, "section", "run")?;
    section.set_attribute("data-run", &run.name)?;
    dom::text_child(&section, "h4", "", &run.name)?;
    let timeline = Timeline::new(&section, &run.name)?;
    let totals = dom::child(&section, "p", "totals")?;
    // A scrolling region must be reachable by keyboard.
    let scroll = dom::child(&section, "div", "table")?;
    scroll.set_attribute("tabindex", "0")?;
    scroll.set_attribute("role", "region")?;
    scroll.set_attribute("aria-label", &format!("tasks of {}", run.name))?;
    let table = dom::child(&scroll, "table", "tasks")?;
    let head = dom::child(&dom::child(&table, "thead", "")?, "tr", "")?;
    for column in COLUMNS {
        dom::text_child(&head, "th", "", column)?.set_attribute("scope", "col")?;
    }
    let body = dom::child(&table, "tbody", "")?;
    Ok(RunView {
        timeline,
        body,
        totals,
        table_final: false,
        table_drawn: f64::NEG_INFINITY,
    })
}

fn totals(run: &RunRecord, now: f64) -> String {
    let total = run.end.unwrap_or(now) - run.start;
    match run.end {
        Some(_) => format!(
            "total {} ms · longest frame gap {} ms",
            ms(total),
            ms(run.longest_frame_gap)
        ),
        None => format!("total {} ms · running…", ms(total)),
    }
}

fn table(body: &Element, run: &RunRecord) -> Result<(), JsValue> {
    dom::clear(body);
    let now = run.end.unwrap_or_else(crate::trace::now);
    if run.tasks.len() <= MAX_ROWS {
        for task in &run.tasks {
            row(body, run.start, now, task, run.end.is_some())?;
        }
        return Ok(());
    }
    let intro = format!(
        "{} tasks, summarised (each one is on the timeline: hover it; and in the report and the trace)",
        run.tasks.len()
    );
    let cell = dom::text_child(&dom::child(body, "tr", "more")?, "td", "", &intro)?;
    cell.set_attribute("colspan", &COLUMNS.len().to_string())?;
    for (what, how) in summary(run, now) {
        let tr = dom::child(body, "tr", "summary")?;
        dom::text_child(&tr, "th", "", &what)?.set_attribute("scope", "row")?;
        let cell = dom::text_child(&tr, "td", "", &how)?;
        cell.set_attribute("colspan", &(COLUMNS.len() - 1).to_string())?;
    }
    Ok(())
}

/// What a learner can read about thousands of tasks: how many ended how,
/// when they ended, and how many polls and wakes each took, as counts.
pub fn summary(run: &RunRecord, now: f64) -> Vec<(String, String)> {
    use std::collections::BTreeMap;
    fn counts<K: Ord + std::fmt::Display>(values: impl Iterator<Item = K>, unit: &str) -> String {
        let mut by: BTreeMap<K, usize> = BTreeMap::new();
        for v in values {
            *by.entry(v).or_default() += 1;
        }
        let shown: Vec<String> = by
            .iter()
            .take(8)
            .map(|(k, n)| format!("{k}{unit}: {n}"))
            .collect();
        let rest = by.len().saturating_sub(8);
        if rest > 0 {
            format!("{} (and {rest} more values)", shown.join(" · "))
        } else {
            shown.join(" · ")
        }
    }
    let total = (now - run.start).max(1.0);
    let tenth = total / 10.0;
    let ended = {
        let mut buckets = [0usize; 10];
        for end in run.tasks.iter().filter_map(|t| t.end) {
            buckets[(((end - run.start) / tenth) as usize).min(9)] += 1;
        }
        buckets
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(i, n)| format!("{}–{} ms: {n}", ms(i as f64 * tenth), ms((i + 1) as f64 * tenth)))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    vec![
        (
            "states".into(),
            counts(run.tasks.iter().map(|t| t.state.as_str()), ""),
        ),
        (
            "polls per task".into(),
            counts(run.tasks.iter().map(|t| t.polls()), " polls"),
        ),
        (
            "wakes per task".into(),
            counts(run.tasks.iter().map(|t| t.wakes()), " wakes"),
        ),
        (
            "ended".into(),
            if ended.is_empty() {
                "none yet".into()
            } else {
                ended
            },
        ),
    ]
}

fn row(body: &Element, origin: f64, now: f64, task: &TaskRecord, run_over: bool) -> Result<(), JsValue> {
    let tr = dom::child(body, "tr", "")?;
    tr.set_attribute("data-state", task.state.as_str())?;
    let at = |t: Option<f64>| t.map_or_else(|| "—".to_string(), |t| ms(t - origin));
    let outcome = match task.state {
        TaskState::Error => task.error().unwrap_or_default().to_string(),
        TaskState::Pending if task.events.is_empty() => "never polled".to_string(),
        _ => task.result().unwrap_or_default().to_string(),
    };
    let cells = [
        task.label.to_string(),
        task.state.as_str().to_string(),
        at(task.first_poll()),
        at(task.end),
        task.polls().to_string(),
        task.causes(),
        task.wakes().to_string(),
        ms(task.busy()),
        ms(task.idle(now)),
        outcome,
        task.warnings(run_over).join("; "),
    ];
    for (text, column) in cells.iter().zip(COLUMNS) {
        let class = column.split(' ').next().unwrap_or_default();
        let td = dom::text_child(&tr, "td", class, text)?;
        if class == "task" {
            td.set_attribute("title", text)?;
        }
        if let (Some((done, total)), "result") = (task.progress(), class) {
            // The rate of this download: up to its own end once it has one.
            let elapsed = task.first_poll().map(|start| task.end.unwrap_or(now) - start);
            progress_bar(&td, done, total, elapsed)?;
        }
    }
    Ok(())
}

/// A `<progress>` bar with "done of total · rate" above the result text.
fn progress_bar(cell: &Element, done: u64, total: Option<u64>, elapsed: Option<f64>) -> Result<(), JsValue> {
    let doc = dom::document()?;
    let bar = doc.create_element("progress")?;
    if let Some(total) = total.filter(|t| *t > 0) {
        bar.set_attribute("max", &total.to_string())?;
        bar.set_attribute("value", &done.min(total).to_string())?;
    }
    let rate = elapsed.filter(|ms| *ms > 0.0).map(|ms| done as f64 / ms * 1000.0);
    let mut text = match total {
        Some(total) => format!("{} of {}", kb(done as f64), kb(total as f64)),
        None => kb(done as f64),
    };
    if let Some(rate) = rate {
        text.push_str(&format!(" · {}/s", kb(rate)));
    }
    bar.set_attribute("aria-label", &text)?;
    let label = doc.create_element("span")?;
    label.set_class_name("rate");
    label.set_text_content(Some(&text));
    cell.prepend_with_node_2(&bar, &label)
}

fn kb(bytes: f64) -> String {
    if bytes >= 1e6 {
        format!("{} MB", crate::fixed::fixed(bytes / 1e6, 2))
    } else {
        format!("{} kB", crate::fixed::fixed(bytes / 1e3, 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_of_tasks_are_summarised_as_counts() {
        let tasks = (0..1000u32)
            .map(|i| {
                let mut t = TaskRecord::new(format!("timer {i}").into(), 0.0);
                t.state = TaskState::Done;
                // Two polls and a wake, and more polls for the first ten.
                t.record_poll(0.0, 0.0, false);
                t.record_wake(1.0);
                for _ in 0..if i < 10 { 1 + i } else { 1 } {
                    t.record_poll(1.0, 1.0, false);
                }
                t.end = Some(f64::from(100 * (i % 10 + 1)) - 1.0);
                Box::new(t)
            })
            .collect();
        let run = RunRecord {
            name: "many".into(),
            start: 0.0,
            end: Some(1000.0),
            longest_frame_gap: 0.0,
            frames: Vec::new(),
            long_tasks: Vec::new(),
            tasks,
        };
        let lines = summary(&run, 1000.0);
        let get = |what: &str| lines.iter().find(|(w, _)| w == what).map(|(_, h)| h.as_str());
        assert_eq!(get("states"), Some("done: 1000"));
        assert_eq!(get("wakes per task"), Some("1 wakes: 1000"));
        assert!(
            get("polls per task").is_some_and(|p| p.starts_with("2 polls: 991 · 3 polls: 1")),
            "{lines:?}"
        );
        let ended = get("ended").expect("an ended line");
        assert_eq!(ended.matches(": 100").count(), 10, "{ended}");
    }
}
