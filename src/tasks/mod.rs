//! The real work lessons run, as plain futures: timers, downloads, blocking
//! loops. Nothing here knows about lessons, tracing or the DOM.

mod block;
pub mod by_hand;
mod fetch;
mod spawn;
mod timer;
mod worker;

pub use block::block_for;
pub use fetch::{
    download, download_limited, download_text, download_with_progress, AbortGuard, Download, MAX_BODY_BYTES,
};
pub use spawn::spawn;
pub use timer::{js_timeout_promise, with_timeout, Sleep};
pub use worker::{count_primes, count_primes_in_worker, primes_bound_for, WorkerResult};
