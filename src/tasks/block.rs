//! Blocking on purpose: the browser's equivalent of Python's `time.sleep`.

use crate::clock::now;

/// Spins on the clock for `ms` milliseconds without yielding. While it runs,
/// nothing else on the page happens: no frames, no input, no other task.
/// Returns how long it actually held the thread.
pub fn block_for(ms: u32) -> f64 {
    let start = now();
    let until = start + f64::from(ms);
    let mut t = start;
    while t < until {
        t = now();
    }
    t - start
}
