//! Blocking on purpose: the browser's equivalent of Python's `time.sleep`.

use crate::clock::now;

/// Spins on the clock for `ms` milliseconds without yielding. While it runs,
/// nothing else on the page happens: no frames, no input, no other task.
/// Returns how long it actually held the thread.
pub fn block_for(ms: u32) -> f64 {
    let start = now();
    let mut held = 0.0;
    // Compared as the difference it returns: `start + ms` rounds, and a
    // clock reading past it could still give `t - start` a hair under `ms`.
    while held < f64::from(ms) {
        held = now() - start;
    }
    held
}
