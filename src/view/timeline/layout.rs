//! Where things go on a timeline canvas: pure geometry, no drawing.

pub(super) const AXIS_H: f64 = 18.0;
pub(super) const MAIN_H: f64 = 12.0;
pub(super) const GAP: f64 = 6.0;
/// Height of the lane area when tasks are many.
pub(super) const LANES_MAX_H: f64 = 360.0;
/// A lane this tall or taller gets its label drawn.
pub(super) const LABEL_MIN_H: f64 = 12.0;
pub(super) const GUTTER: f64 = 150.0;

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
pub(super) const MAX_BACKING_WIDTH: f64 = 4096.0;

/// The highest device pixel ratio honoured (zoomed-in pages report more).
pub(super) const MAX_PIXEL_RATIO: f64 = 4.0;

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

#[cfg(test)]
mod tests {
    use super::*;

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
