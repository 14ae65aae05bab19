//! The timeline: one lane per task (polls as bars, waiting as a thin line,
//! wakes as ticks), a main-thread row (frame gaps; long ones in red), and a
//! time axis, drawn on a canvas so that 10,000 lanes cost no more DOM than one.
//! When there are more tasks than rows of pixels, several tasks share a row.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, Element, HtmlCanvasElement};

mod layout;
mod marks;
mod palette;

use super::dom;
use crate::trace::{Event, RunRecord, TaskRecord, LONG_POLL_MS};
pub use layout::Layout;
use layout::{AXIS_H, MAIN_H, MAX_BACKING_WIDTH, MAX_PIXEL_RATIO};
pub use marks::{describe, short_label, step, Mark};
use palette::rgb;
pub use palette::Palette;

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
    ) -> Result<(), JsValue> {
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
                style.set_property(
                    "height",
                    &format!("{}px", crate::fixed::fixed(layout.height(), 2)),
                )?;
            }
        }
        let ctx = &self.ctx;
        ctx.set_transform(sx, 0.0, 0.0, sy, 0.0, 0.0)?;
        ctx.clear_rect(0.0, 0.0, width, layout.height());
        self.layout = Some(layout);
        // For tests and tools that cannot read pixels: what is drawn.
        self.canvas
            .set_attribute("data-tasks", &layout.tasks.to_string())?;
        self.canvas.set_attribute("data-rows", &layout.rows.to_string())?;
        self.canvas
            .set_attribute("data-span-ms", &crate::fixed::fixed(layout.duration, 0))?;

        axis(ctx, &layout, palette)?;
        main_thread(ctx, &layout, run, until, palette);
        if layout.rows == layout.tasks {
            for (i, task) in run.tasks.iter().enumerate() {
                lane(ctx, &layout, run.start, i, task, until, palette)?;
            }
        } else {
            packed_lanes(ctx, &layout, (sx, sy), run, until, palette)?;
        }
        if let Some(mark) = mark {
            highlight(ctx, &layout, run, mark, palette);
        }
        Ok(())
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

fn axis(ctx: &CanvasRenderingContext2d, layout: &Layout, p: &Palette) -> Result<(), JsValue> {
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
        ctx.fill_text(&format!("{} ms", crate::fixed::fixed(t, 0)), x + 2.0, 2.0)?;
        t += step;
    }
    if layout.left > 0.0 {
        ctx.fill_text("main thread", 2.0, layout.main_top())?;
    }
    Ok(())
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
) -> Result<(), JsValue> {
    let top = layout.lanes_top() + layout.row_of(index) as f64 * layout.row_h;
    let h = layout.row_h;
    let color = p.state(task.state);
    if layout.left > 0.0 && layout.rows == layout.tasks {
        ctx.set_fill_style_str(&p.fg);
        ctx.fill_text(&short_label(&task.label), 2.0, top + 1.0)?;
    }
    // Waiting: a thin line from the first poll to the end (or to now).
    if let Some(first) = task.first_poll().filter(|f| *f <= until) {
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
    Ok(())
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
            if let Some(first) = task.first_poll().filter(|f| *f <= until) {
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

/// For listeners: the canvas element of a timeline event target.
pub fn as_canvas(target: Option<web_sys::EventTarget>) -> Option<HtmlCanvasElement> {
    target?.dyn_into().ok()
}
