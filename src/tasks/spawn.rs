//! `spawn_local` with a handle: await it for the output, drop it to stop the
//! task. (A bare `spawn_local` task is detached: cancelling a lesson would
//! leave it running, its timers firing after the widget said "cancelled".)

use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::future::{select, Either};
use wasm_bindgen_futures::spawn_local;

/// Runs `future` on the browser's event loop as a task of its own.
///
/// # Example
/// ```no_run
/// # async fn demo() {
/// let handle = async_demo::tasks::spawn(async { 6 * 7 });
/// assert_eq!(handle.await, Some(42));
/// # }
/// ```
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let (mut sender, receiver) = oneshot::channel();
    spawn_local(async move {
        let output = match select(pin!(future), sender.cancellation()).await {
            Either::Left((output, _)) => Some(output),
            // The handle was dropped: stop here, dropping the future.
            Either::Right(((), _)) => None,
        };
        if let Some(output) = output {
            let _ = sender.send(output);
        }
    });
    JoinHandle { receiver }
}

/// The handle of a [`spawn`]ed task. Resolves to the task's output;
/// dropping it cancels the task at its next wake.
#[must_use = "dropping the handle cancels the task"]
#[derive(Debug)]
pub struct JoinHandle<T> {
    receiver: oneshot::Receiver<T>,
}

impl<T> Future for JoinHandle<T> {
    /// `None` only if the task could not finish (the page is unloading).
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        Pin::new(&mut self.receiver).poll(cx).map(Result::ok)
    }
}
