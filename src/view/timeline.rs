//! The timeline: one lane per task (polls as bars, waiting as a thin line,
//! wakes as ticks), a main-thread row (frame gaps; long ones in red), and a
//! time axis, drawn on a canvas so that 10,000 lanes cost no more DOM than one.
//! When there are more tasks than rows of pixels, several tasks share a row.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

use super::dom;
use crate::trace::{Event, RunRecord, TaskRecord, TaskState, LONG_POLL_MS};

const AXIS_H: f64 = 18.0;
const MAIN_H: f64 = 12.0;
const GAP: f64 = 6.0;
/// Height of the lane area when tasks are many.
const LANES_MAX_H: f64 = 360.0;
/// A lane this tall or taller gets its label drawn.
const LABEL_MIN_H: f64 = 12.0;
const GUTTER: f64 = 150.0;

/// Where things go on the canvas, for a run of `tasks` tasks over
/// `duration` ms on a canvas `width` CSS pixels wide.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// CSS pixels.
    pub width: f64,
    /// Milliseconds shown (from the run's start).
    pub duration: f64,
    /// Number of tasks.
    pub tasks: usize,
    /// Rows drawn (fewer than `tasks` when tasks share rows).
    pub rows: usize,
    /// Height of one row.
    pub row_h: f64,
    /// Left edge of the time area.
    pub left: f64,
}

/// The widest backing store a timeline canvas gets, in device pixels,
/// however wide the page makes the element.
const MAX_BACKING_WIDTH: f64 = 4096.0;

/// The highest device pixel ratio honoured (zoomed-in pages report more).
const MAX_PIXEL_RATIO: f64 = 4.0;

impl Layout {
    /// The layout for these sizes.
    pub fn new(width: f64, duration: f64, tasks: usize) -> Self {
        let row_h = if tasks == 0 {
            14.0
        } else {
            (LANES_MAX_H / tasks as f64).clamp(1.0, 14.0)
        };
        let rows = if tasks as f64 * row_h > LANES_MAX_H {
            LANES_MAX_H as usize
        } else {
            tasks
        };
        let rows = rows.min(tasks);
        let left = if row_h >= LABEL_MIN_H && width > 2.0 * GUTTER {
            GUTTER
        } else {
            0.0
        };
        Layout {
            width,
            duration: duration.max(1.0),
            tasks,
            rows,
            row_h,
            left,
        }
    }

    /// Total canvas height.
    pub fn height(&self) -> f64 {
        self.lanes_top() + self.rows as f64 * self.row_h + 2.0
    }

    /// Top of the main-thread row.
    pub fn main_top(&self) -> f64 {
        AXIS_H
    }

    /// Top of the first lane.
    pub fn lanes_top(&self) -> f64 {
        AXIS_H + MAIN_H + GAP
    }

    /// The row task `i` is drawn in.
    pub fn row_of(&self, task: usize) -> usize {
        if self.rows >= self.tasks {
            task
        } else {
            task * self.rows / self.tasks
        }
    }

    /// The tasks drawn in `row`.
    pub fn tasks_in(&self, row: usize) -> std::ops::Range<usize> {
        if self.rows >= self.tasks {
            row..(row + 1).min(self.tasks)
        } else {
            let first = (row * self.tasks).div_ceil(self.rows);
            let next = ((row + 1) * self.tasks).div_ceil(self.rows);
            first..next.min(self.tasks)
        }
    }

    /// The row under canvas y, if any.
    pub fn row_at(&self, y: f64) -> Option<usize> {
        let row = ((y - self.lanes_top()) / self.row_h).floor();
        (row >= 0.0 && (row as usize) < self.rows).then_some(row as usize)
    }

    /// x of time `t` (ms from the run's start).
    pub fn x(&self, t: f64) -> f64 {
        self.left + t / self.duration * (self.width - self.left - 4.0)
    }

    /// Time (ms from the run's start) at canvas x.
    pub fn t(&self, x: f64) -> f64 {
        (x - self.left) / (self.width - self.left - 4.0) * self.duration
    }

    /// Axis tick spacing: 1, 2 or 5 × a power of ten, about every 80 px.
    pub fn tick(&self) -> f64 {
        let raw = self.duration * 80.0 / (self.width - self.left).max(1.0);
        let power = 10f64.powf(raw.log10().floor());
        [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * power)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * power)
    }
}

/// Colours, read from the widget's CSS custom properties so that light and
/// dark schemes both read well.
#[derive(Debug, Clone)]
pub struct Palette {
    fg: String,
    muted: String,
    line: String,
    accent: String,
    ok: String,
    bad: String,
    warn: String,
}

impl Palette {
    /// Reads the palette from `host`'s computed style.
    pub fn of(host: &Element) -> Self {
        let style = web_sys::window().and_then(|w| w.get_computed_style(host).ok().flatten());
        let get = |name: &str, fallback: &str| {
            style
                .as_ref()
                .and_then(|s| s.get_property_value(name).ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| fallback.to_string())
        };
        Palette {
            fg: get("--fg", "#1b1f24"),
            muted: get("--muted", "#57606a"),
            line: get("--line", "#d0d7de"),
            accent: get("--accent", "#0b62c4"),
            ok: get("--ok", "#1a7f37"),
            bad: get("--bad", "#cf222e"),
            warn: get("--warn", "#9a6700"),
        }
    }

    fn state(&self, state: TaskState) -> &str {
        match state {
            TaskState::Done => &self.ok,
            TaskState::Error => &self.bad,
            TaskState::Cancelled => &self.warn,
            TaskState::Pending => &self.muted,
        }
    }
}

/// A mark on the timeline: one event of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The task's index in its run.
    pub task: usize,
    /// The event's index in the task's events.
    pub event: usize,
}

/// One run's canvas.
#[derive(Debug)]
pub struct Timeline {
    canvas: HtmlCanvasElement,
    ctx: CanvasRenderingContext2d,
    layout: Option<Layout>,
    /// The canvas's CSS width, read once per run: reading it every frame
    /// would force the browser to lay out the page every frame.
    width: Option<f64>,
}

impl Timeline {
    /// A canvas inside `parent`.
    pub fn new(parent: &Element, label: &str) -> Result<Self, JsValue> {
        let canvas: HtmlCanvasElement = dom::cast(dom::child(parent, "canvas", "timeline")?, "a canvas")?;
        canvas.set_attribute("tabindex", "0")?;
        canvas.set_attribute("role", "img")?;
        canvas.set_attribute(
            "aria-label",
            &format!("Timeline of {label}. Arrow keys move between tasks and their polls and wakes."),
        )?;
        let ctx: CanvasRenderingContext2d = dom::cast(
            canvas
                .get_context("2d")?
                .ok_or_else(|| JsValue::from_str("no 2d canvas context"))?,
            "a 2d context",
        )?;
        Ok(Timeline {
            canvas,
            ctx,
            layout: None,
            width: None,
        })
    }

    /// The canvas element (for listeners).
    pub fn canvas(&self) -> &HtmlCanvasElement {
        &self.canvas
    }

    /// Draws `run` as it stood at `until` (page time); `duration` fixes the
    /// time scale (ms), `mark` is highlighted.
    pub fn draw(
        &mut self,
        run: &RunRecord,
        until: f64,
        duration: f64,
        mark: Option<Mark>,
        palette: &Palette,
    ) {
        let width = *self
            .width
            .get_or_insert_with(|| f64::from(self.canvas.client_width()).max(200.0));
        let layout = Layout::new(width, duration, run.tasks.len());
        // Device pixels per CSS pixel, across (sx) and down (sy). Across, the
        // backing store is capped: a host page may make the element hundreds
        // of thousands of pixels wide, and the packed bitmap below costs
        // 4 bytes per backing pixel (browsers cap canvases for the same reason).
        let ratio = web_sys::window()
            .map_or(1.0, |w| w.device_pixel_ratio())
            .clamp(1.0, MAX_PIXEL_RATIO);
        let (sx, sy) = (ratio.min(MAX_BACKING_WIDTH / width), ratio);
        let (w, h) = (
            (width * sx).round().max(1.0) as u32,
            (layout.height() * sy).round().max(1.0) as u32,
        );
        if self.canvas.width() != w || self.canvas.height() != h {
            self.canvas.set_width(w);
            self.canvas.set_height(h);
            if let Some(style) = dom::html(&self.canvas).map(|c| c.style()) {
                let _ = style.set_property("height", &format!("{}px", layout.height()));
            }
        }
        let ctx = &self.ctx;
        let _ = ctx.set_transform(sx, 0.0, 0.0, sy, 0.0, 0.0);
        ctx.clear_rect(0.0, 0.0, width, layout.height());
        self.layout = Some(layout);
        // For tests and tools that cannot read pixels: what is drawn.
        let _ = self.canvas.set_attribute("data-tasks", &layout.tasks.to_string());
        let _ = self.canvas.set_attribute("data-rows", &layout.rows.to_string());
        let _ = self
            .canvas
            .set_attribute("data-span-ms", &format!("{:.0}", layout.duration));

        axis(ctx, &layout, palette);
        main_thread(ctx, &layout, run, until, palette);
        if layout.rows == layout.tasks {
            for (i, task) in run.tasks.iter().enumerate() {
                lane(ctx, &layout, run.start, i, task, until, palette);
            }
        } else {
            let _ = packed_lanes(ctx, &layout, (sx, sy), run, until, palette);
        }
        if let Some(mark) = mark {
            highlight(ctx, &layout, run, mark, palette);
        }
    }

    /// The mark nearest to canvas point (x, y), within a few pixels.
    pub fn mark_at(&self, run: &RunRecord, x: f64, y: f64) -> Option<Mark> {
        let layout = self.layout?;
        let row = layout.row_at(y)?;
        // The nearest event in the row, within 40 px: a pointer on a lane's
        // waiting line still finds the poll or wake next to it.
        let slack = layout.t(x + 40.0) - layout.t(x);
        let t = layout.t(x);
        let mut best: Option<(f64, Mark)> = None;
        for task in layout.tasks_in(row) {
            for (event, e) in run.tasks[task].events.iter().enumerate() {
                let distance = match *e {
                    Event::Poll { start, end, .. } => {
                        let (s, e) = (start - run.start, end - run.start);
                        if t < s {
                            s - t
                        } else if t > e {
                            t - e
                        } else {
                            0.0
                        }
                    }
                    Event::Wake { at } => (at - run.start - t).abs(),
                };
                if distance <= slack && best.is_none_or(|(d, _)| distance < d) {
                    best = Some((distance, Mark { task, event }));
                }
            }
        }
        best.map(|(_, mark)| mark)
    }
}

fn axis(ctx: &CanvasRenderingContext2d, layout: &Layout, p: &Palette) {
    ctx.set_font("11px system-ui, sans-serif");
    ctx.set_text_baseline("top");
    ctx.set_fill_style_str(&p.muted);
    ctx.set_stroke_style_str(&p.line);
    ctx.set_line_width(1.0);
    let step = layout.tick();
    let mut t = 0.0;
    while t <= layout.duration + 1e-9 {
        let x = layout.x(t).round() + 0.5;
        ctx.begin_path();
        ctx.move_to(x, AXIS_H - 4.0);
        ctx.line_to(x, layout.height());
        ctx.stroke();
        let _ = ctx.fill_text(&format!("{t:.0} ms"), x + 2.0, 2.0);
        t += step;
    }
    if layout.left > 0.0 {
        let _ = ctx.fill_text("main thread", 2.0, layout.main_top());
    }
}

fn main_thread(ctx: &CanvasRenderingContext2d, layout: &Layout, run: &RunRecord, until: f64, p: &Palette) {
    let top = layout.main_top();
    let mut last = run.start;
    let frames = run.frames.iter().copied().take_while(|f| *f <= until);
    // A running run's last gap is still open: it is drawn once it ends.
    let end = run.end.filter(|e| *e <= until);
    for frame in frames.chain(end) {
        let gap = frame - last;
        if gap > LONG_POLL_MS {
            ctx.set_fill_style_str(&p.bad);
            let x = layout.x(last - run.start);
            ctx.fill_rect(
                x,
                top + 2.0,
                (layout.x(frame - run.start) - x).max(1.0),
                MAIN_H - 4.0,
            );
        }
        last = frame;
    }
    // Long tasks the browser reported, as a darker band under the gaps.
    ctx.set_fill_style_str(&p.fg);
    for &(start, duration) in run.long_tasks.iter().filter(|(s, _)| *s <= until) {
        let x = layout.x(start - run.start);
        ctx.fill_rect(
            x,
            top + MAIN_H - 3.0,
            (layout.x(start + duration - run.start) - x).max(1.0),
            2.0,
        );
    }
    ctx.set_fill_style_str(&p.muted);
    for &frame in run.frames.iter().take_while(|f| **f <= until) {
        ctx.fill_rect(layout.x(frame - run.start), top + MAIN_H / 2.0 - 1.0, 1.0, 2.0);
    }
}

fn lane(
    ctx: &CanvasRenderingContext2d,
    layout: &Layout,
    origin: f64,
    index: usize,
    task: &TaskRecord,
    until: f64,
    p: &Palette,
) {
    let top = layout.lanes_top() + layout.row_of(index) as f64 * layout.row_h;
    let h = layout.row_h;
    let color = p.state(task.state);
    if layout.left > 0.0 && layout.rows == layout.tasks {
        ctx.set_fill_style_str(&p.fg);
        let _ = ctx.fill_text(&short_label(&task.label), 2.0, top + 1.0);
    }
    // Waiting: a thin line from the first poll to the end (or to now).
    if let Some(first) = task.first_poll.filter(|f| *f <= until) {
        let end = task.end.unwrap_or(until).min(until);
        ctx.set_fill_style_str(color);
        let x = layout.x(first - origin);
        ctx.fill_rect(x, top + h / 2.0 - 0.5, (layout.x(end - origin) - x).max(1.0), 1.0);
    }
    ctx.set_fill_style_str(color);
    let bar_h = (h - 2.0).max(1.0);
    for event in &task.events {
        match *event {
            Event::Poll { start, end, .. } if start <= until => {
                let x = layout.x(start - origin);
                let w = (layout.x(end.min(until) - origin) - x).max(1.5);
                ctx.fill_rect(x, top + (h - bar_h) / 2.0, w, bar_h);
            }
            _ => {}
        }
    }
    if h >= 6.0 {
        ctx.set_fill_style_str(&p.accent);
        for event in &task.events {
            if let Event::Wake { at } = *event {
                if at <= until {
                    ctx.fill_rect(layout.x(at - origin) - 0.5, top, 1.0, h / 2.0 - 1.0);
                }
            }
        }
    }
}

/// More tasks than rows: each row shows, pixel by pixel, whether any of its
/// tasks was waiting (muted) or being polled (green), painted into one
/// bitmap and put on the canvas in one call, however many tasks there are.
fn packed_lanes(
    ctx: &CanvasRenderingContext2d,
    layout: &Layout,
    (sx, sy): (f64, f64),
    run: &RunRecord,
    until: f64,
    p: &Palette,
) -> Result<(), JsValue> {
    let columns = (layout.width * sx).round().max(1.0) as usize;
    let row_px = ((layout.row_h * sy).round() as usize).max(1);
    let height = layout.rows * row_px;
    debug_assert!(
        columns <= MAX_BACKING_WIDTH as usize + 1,
        "the backing width is capped in draw"
    );
    let column = |t: f64| ((layout.x(t - run.start) * sx).max(0.0) as usize).min(columns - 1);
    let (waiting_rgb, busy_rgb) = (rgb(&p.muted), rgb(&p.ok));
    let mut pixels = vec![0u8; columns * height * 4];
    // Per row: a difference array counts waiting tasks per column (one +1
    // and one -1 per task, however long it waits); polls mark columns.
    let mut waiting = vec![0i32; columns + 1];
    let mut busy = vec![false; columns];
    for row in 0..layout.rows {
        waiting.iter_mut().for_each(|d| *d = 0);
        busy.iter_mut().for_each(|b| *b = false);
        for task in &run.tasks[layout.tasks_in(row)] {
            if let Some(first) = task.first_poll.filter(|f| *f <= until) {
                waiting[column(first)] += 1;
                waiting[column(task.end.unwrap_or(until).min(until)) + 1] -= 1;
            }
            for event in &task.events {
                if let Event::Poll { start, end, .. } = *event {
                    if start <= until {
                        busy[column(start)..=column(end.min(until))]
                            .iter_mut()
                            .for_each(|b| *b = true);
                    }
                }
            }
        }
        let mut count = 0;
        let line = &mut pixels[row * row_px * columns * 4..(row * row_px + 1) * columns * 4];
        for x in 0..columns {
            count += waiting[x];
            let color = if busy[x] {
                busy_rgb
            } else if count > 0 {
                waiting_rgb
            } else {
                continue;
            };
            line[x * 4..x * 4 + 4].copy_from_slice(&[color[0], color[1], color[2], 255]);
        }
        // Taller rows repeat their first pixel row.
        let (first, rest) =
            pixels[row * row_px * columns * 4..(row + 1) * row_px * columns * 4].split_at_mut(columns * 4);
        for copy in rest.chunks_mut(columns * 4) {
            copy.copy_from_slice(first);
        }
    }
    let image = web_sys::ImageData::new_with_u8_clamped_array_and_sh(
        wasm_bindgen::Clamped(&pixels),
        columns as u32,
        height.max(1) as u32,
    )?;
    ctx.put_image_data(&image, 0.0, (layout.lanes_top() * sy).round())
}

/// `#rgb` or `#rrggbb` as bytes; anything else as a mid grey.
fn rgb(color: &str) -> [u8; 3] {
    let hex = color.trim().trim_start_matches('#');
    let digit = |i: usize, len: usize| u8::from_str_radix(hex.get(i..i + len)?, 16).ok();
    match hex.len() {
        6 => [digit(0, 2), digit(2, 2), digit(4, 2)],
        3 => [
            digit(0, 1).map(|v| v * 17),
            digit(1, 1).map(|v| v * 17),
            digit(2, 1).map(|v| v * 17),
        ],
        _ => [None, None, None],
    }
    .map(|c| c.unwrap_or(128))
}

fn highlight(ctx: &CanvasRenderingContext2d, layout: &Layout, run: &RunRecord, mark: Mark, p: &Palette) {
    let Some(event) = run.tasks.get(mark.task).and_then(|t| t.events.get(mark.event)) else {
        return;
    };
    let top = layout.lanes_top() + layout.row_of(mark.task) as f64 * layout.row_h;
    let (from, to) = match *event {
        Event::Poll { start, end, .. } => (start, end),
        Event::Wake { at } => (at, at),
    };
    let x = layout.x(from - run.start) - 3.0;
    let w = layout.x(to - run.start) - x + 3.0;
    ctx.set_stroke_style_str(&p.fg);
    ctx.set_line_width(2.0);
    ctx.stroke_rect(x, top - 1.0, w.max(6.0), layout.row_h.max(4.0) + 2.0);
}

/// A lane label that fits the gutter: a URL loses its scheme and host, and
/// anything long keeps its end, which is where URLs and labels differ.
pub fn short_label(label: &str) -> String {
    let label = match label.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or(rest, |i| &rest[i..]),
        None => label,
    };
    let count = label.chars().count();
    if count <= 24 {
        label.to_string()
    } else {
        let tail: String = label.chars().skip(count - 23).collect();
        format!("…{tail}")
    }
}

/// Describes a mark for the detail line and screen readers.
pub fn describe(run: &RunRecord, mark: Mark) -> Option<String> {
    let task = run.tasks.get(mark.task)?;
    let event = task.events.get(mark.event)?;
    let at = |t: f64| format!("{:.1} ms", t - run.start);
    let what = match *event {
        Event::Poll { start, end, ready } => {
            let n = task.events[..=mark.event]
                .iter()
                .filter(|e| matches!(e, Event::Poll { .. }))
                .count();
            format!(
                "poll {n} of {}: {:.2} ms at {}, returned {}",
                task.polls,
                end - start,
                at(start),
                if ready { "Ready" } else { "Pending" }
            )
        }
        Event::Wake { at: t } => format!("woken at {}", at(t)),
    };
    Some(format!("{} ({}): {what}", task.label, task.state.as_str()))
}

/// Keyboard navigation: the mark after `key` from `from`.
pub fn step(run: &RunRecord, from: Option<Mark>, key: &str) -> Option<Mark> {
    let tasks = &run.tasks;
    let first_of = |task: usize| (!tasks.get(task)?.events.is_empty()).then_some(Mark { task, event: 0 });
    let Some(m) = from else {
        return (0..tasks.len()).find_map(first_of);
    };
    match key {
        "ArrowRight" => Some(Mark {
            event: (m.event + 1).min(tasks[m.task].events.len().saturating_sub(1)),
            ..m
        }),
        "ArrowLeft" => Some(Mark {
            event: m.event.saturating_sub(1),
            ..m
        }),
        "Home" => Some(Mark { event: 0, ..m }),
        "End" => Some(Mark {
            event: tasks[m.task].events.len().saturating_sub(1),
            ..m
        }),
        "ArrowDown" => (m.task + 1..tasks.len()).find_map(first_of).or(Some(m)),
        "ArrowUp" => (0..m.task).rev().find_map(first_of).or(Some(m)),
        _ => Some(m),
    }
}

/// For listeners: the canvas element of a timeline event target.
pub fn as_canvas(target: Option<web_sys::EventTarget>) -> Option<HtmlCanvasElement> {
    target?.dyn_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_hex_colours_parse_and_others_fall_back_to_grey() {
        assert_eq!(rgb("#1a7f37"), [0x1a, 0x7f, 0x37]);
        assert_eq!(rgb(" #fff"), [255, 255, 255]);
        assert_eq!(rgb("rgb(1, 2, 3)"), [128, 128, 128]);
    }

    #[test]
    fn labels_drop_the_origin_and_keep_their_end() {
        assert_eq!(
            short_label("http://127.0.0.1:8080/api/delay/700"),
            "/api/delay/700"
        );
        assert_eq!(short_label("task 1"), "task 1");
        assert_eq!(
            short_label("https://h/api/drip?bytes=30000&ms=1000"),
            "…rip?bytes=30000&ms=1000"
        );
    }

    #[test]
    fn few_tasks_get_a_labelled_lane_each() {
        let l = Layout::new(800.0, 1000.0, 3);
        assert_eq!((l.rows, l.row_h, l.left), (3, 14.0, GUTTER));
        assert_eq!(l.row_of(2), 2);
        assert_eq!(l.tasks_in(1), 1..2);
        assert_eq!(l.row_at(l.lanes_top() + 15.0), Some(1));
        assert_eq!(l.row_at(l.lanes_top() - 1.0), None);
    }

    #[test]
    fn ten_thousand_tasks_share_rows_and_every_task_is_in_exactly_one() {
        let l = Layout::new(800.0, 1000.0, 10_000);
        assert_eq!((l.rows, l.row_h, l.left), (360, 1.0, 0.0));
        assert!(l.height() < 420.0);
        let mut seen = 0;
        for row in 0..l.rows {
            for task in l.tasks_in(row) {
                assert_eq!(l.row_of(task), row, "task {task}");
                seen += 1;
            }
        }
        assert_eq!(seen, 10_000);
    }

    #[test]
    fn x_and_t_are_inverse_and_ticks_are_round() {
        let l = Layout::new(1000.0, 2150.0, 4);
        for t in [0.0, 12.5, 2150.0] {
            assert!((l.t(l.x(t)) - t).abs() < 1e-9);
        }
        // 2150 ms over 850 px: about 202 ms per 80 px, so a tick every 500 ms.
        assert_eq!(l.tick(), 500.0);
        assert_eq!(Layout::new(1000.0, 40.0, 1).tick(), 5.0);
    }
}
