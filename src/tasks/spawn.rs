//! `spawn_local` with a handle: await it for the output, drop it to stop the
//! task. (A bare `spawn_local` task is detached: cancelling a lesson would
//! leave it running, its timers firing after the widget said "cancelled".)
//!
//! futures' `remote_handle` does exactly this: the task half runs on the
//! executor, the handle half resolves to its output and, when dropped,
//! drops the task at its next wake.

use std::future::Future;

use futures::future::{FutureExt, RemoteHandle};
use wasm_bindgen_futures::spawn_local;

/// Runs `future` on the browser's event loop as a task of its own, and
/// returns its handle: awaiting it gives the output, dropping it cancels the
/// task.
///
/// # Example
/// ```no_run
/// # async fn demo() {
/// let handle = async_demo::tasks::spawn(async { 6 * 7 });
/// assert_eq!(handle.await, 42);
/// # }
/// ```
pub fn spawn<F>(future: F) -> RemoteHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let (task, handle) = future.remote_handle();
    spawn_local(task);
    handle
}
