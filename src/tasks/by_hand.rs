//! What the compiler makes of an `async fn`, written out by hand: the book's
//! "Build it" chapter shows this file beside the `async fn` it stands for,
//! and `tests/trace.rs` holds the two to the same polls, wakes and time.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use super::Sleep;

// ANCHOR: async_fn
/// Two naps in a row, as one writes it.
pub async fn two_naps(ms: u32) {
    Sleep::new(ms).await;
    Sleep::new(ms).await;
}
// ANCHOR_END: async_fn

// ANCHOR: by_hand
/// [`two_naps`] as the state machine the compiler makes of it: one variant
/// per place where the body can stand, holding what lives across that place.
#[derive(Debug)]
#[allow(missing_docs)] // each variant says what its fields hold
pub enum TwoNaps {
    /// Called, not yet polled: only the argument is kept.
    Start { ms: u32 },
    /// Waiting at the first `.await`.
    First { nap: Sleep, ms: u32 },
    /// Waiting at the second `.await`.
    Second { nap: Sleep },
    /// Returned `Ready`; polling it again is a bug.
    Done,
}

impl TwoNaps {
    /// What calling `two_naps(ms)` does.
    pub fn new(ms: u32) -> Self {
        TwoNaps::Start { ms } // runs nothing: futures are lazy
    }
}

impl Future for TwoNaps {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut(); // a Sleep can move, so TwoNaps can too
        loop {
            match this {
                TwoNaps::Start { ms } => {
                    // The body up to the first `.await`.
                    *this = TwoNaps::First {
                        nap: Sleep::new(*ms),
                        ms: *ms,
                    };
                }
                TwoNaps::First { nap, ms } => {
                    // `.await`: poll the inner future with the same waker;
                    // Pending goes straight up (that is what `ready!` does).
                    ready!(Pin::new(nap).poll(cx));
                    *this = TwoNaps::Second { nap: Sleep::new(*ms) };
                }
                TwoNaps::Second { nap } => {
                    ready!(Pin::new(nap).poll(cx));
                    *this = TwoNaps::Done;
                    return Poll::Ready(());
                }
                TwoNaps::Done => panic!("TwoNaps polled after it returned Ready"),
            }
        }
    }
}
// ANCHOR_END: by_hand
