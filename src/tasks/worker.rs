//! CPU-bound work, on the main thread or in a Web Worker awaited as a future.

use futures::channel::oneshot;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::error::{js_message, Error};

/// Counts the primes below `bound` by trial division: deliberately plain
/// CPU work, a few hundred milliseconds to seconds for bounds in the millions.
pub fn count_primes(bound: u32) -> u32 {
    (2..bound).filter(|&n| is_prime(n)).count() as u32
}

fn is_prime(n: u32) -> bool {
    if n < 4 {
        return n >= 2;
    }
    if n % 2 == 0 {
        return false;
    }
    let mut d = 3;
    while d * d <= n {
        if n % d == 0 {
            return false;
        }
        d += 2;
    }
    true
}

/// What the worker sent back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WorkerResult {
    /// The number of primes.
    pub count: u32,
    /// How long the worker computed (its own clock), ms.
    pub ms: f64,
}

impl std::fmt::Display for WorkerResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} primes, computed in {:.0} ms off the main thread",
            self.count, self.ms
        )
    }
}

impl crate::trace::TaskOutput for WorkerResult {
    fn outcome(&self) -> crate::trace::Outcome {
        crate::trace::Outcome::Done(Some(self.to_string()))
    }
}

/// A started worker. Dropping it terminates the worker: cancelling the
/// future cancels the computation too.
struct Running {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Counts primes below `bound` in a module worker loaded from `script`
/// (`www/worker.js`), and waits for its answer without blocking the page.
///
/// # Errors
/// [`Error::Js`] if the worker cannot start or fails.
pub async fn count_primes_in_worker(script: &str, bound: u32) -> Result<WorkerResult, Error> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(script, &options)
        .map_err(|e| Error::Js(format!("the worker {script} could not start: {}", js_message(&e))))?;
    let (send, answer) = oneshot::channel::<Result<WorkerResult, Error>>();
    let send = std::rc::Rc::new(std::cell::RefCell::new(Some(send)));
    let reply = send.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let field = |name: &str| {
            js_sys::Reflect::get(&data, &name.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        let result = match (field("count"), field("ms")) {
            (Some(count), Some(ms)) => Ok(WorkerResult {
                count: count as u32,
                ms,
            }),
            _ => Err(Error::Js(format!("the worker answered {data:?}"))),
        };
        if let Some(send) = reply.borrow_mut().take() {
            let _ = send.send(result);
        }
    });
    let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |event: ErrorEvent| {
        let message = event.message();
        let message = if message.is_empty() {
            "it failed to load or threw".to_string()
        } else {
            message
        };
        if let Some(send) = send.borrow_mut().take() {
            let _ = send.send(Err(Error::Js(format!("the worker stopped: {message}"))));
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let running = Running {
        worker,
        _on_message: on_message,
        _on_error: on_error,
    };
    running
        .worker
        .post_message(&JsValue::from(bound))
        .map_err(|e| Error::Js(js_message(&e)))?;
    let result = answer
        .await
        .unwrap_or_else(|_| Err(Error::Js("the worker went away".into())));
    drop(running);
    result
}

#[cfg(test)]
mod tests {
    use super::count_primes;

    #[test]
    fn counts_primes() {
        assert_eq!(count_primes(0), 0);
        assert_eq!(count_primes(3), 1);
        assert_eq!(count_primes(10), 4);
        assert_eq!(count_primes(100), 25);
        assert_eq!(count_primes(100_000), 9592);
    }
}
