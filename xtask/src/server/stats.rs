//! The request counters of `/async-demo-api/stats`: each `/api` request is
//! counted as started, finished or aborted by its client, with the number in
//! flight and its peak.

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Body as _, Frame, SizeHint};
use serde::Serialize;

/// Request counters for `/api` (without `/async-demo-api/stats` itself).
#[derive(Debug, Default)]
pub struct Stats {
    started: AtomicU64,
    finished: AtomicU64,
    aborted: AtomicU64,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

/// The counters as `/async-demo-api/stats` reports them.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StatsSnapshot {
    /// Requests received.
    pub started: u64,
    /// Responses sent to the end.
    pub finished: u64,
    /// Requests the client gave up on before the response ended.
    pub aborted: u64,
    /// Requests under way now.
    pub in_flight: u64,
    /// The most that were under way at once.
    pub peak_in_flight: u64,
}

impl Stats {
    pub(super) fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            started: self.started.load(Ordering::SeqCst),
            finished: self.finished.load(Ordering::SeqCst),
            aborted: self.aborted.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            peak_in_flight: self.peak_in_flight.load(Ordering::SeqCst),
        }
    }

    pub(super) fn reset(&self) {
        self.started.store(0, Ordering::SeqCst);
        self.finished.store(0, Ordering::SeqCst);
        self.aborted.store(0, Ordering::SeqCst);
        // Requests still under way stay counted as in flight.
        self.peak_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

/// Counts one request from its start until its body ends (finished) or is
/// dropped early (aborted: the client went away).
pub(super) struct Tracker {
    stats: Arc<Stats>,
    done: bool,
}

impl Tracker {
    fn start(stats: Arc<Stats>) -> Self {
        stats.started.fetch_add(1, Ordering::SeqCst);
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        Tracker { stats, done: false }
    }

    fn end(&mut self, finished: bool) {
        if std::mem::replace(&mut self.done, true) {
            return;
        }
        let counter = if finished {
            &self.stats.finished
        } else {
            &self.stats.aborted
        };
        counter.fetch_add(1, Ordering::SeqCst);
        self.stats.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        // Dropped before the body ended: hyper dropped the request because
        // the client closed the connection.
        self.end(false);
    }
}

/// A response body that tells its [`Tracker`] whether it was sent in full.
pub(super) struct TrackedBody {
    inner: Body,
    tracker: Tracker,
    /// The response's Content-Length, if it has one, and the bytes sent so
    /// far: hyper stops polling a body once that many bytes are out, so the
    /// body never sees its own end, and a complete answer must not be
    /// counted as aborted.
    expected: Option<u64>,
    sent: u64,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => self.tracker.end(true),
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.sent += data.len() as u64;
                }
            }
            _ => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for TrackedBody {
    fn drop(&mut self) {
        // hyper may stop polling once the body says it has ended, or once
        // Content-Length bytes are out.
        let complete = self.expected.is_some_and(|expected| self.sent >= expected);
        if self.inner.is_end_stream() || complete {
            self.tracker.end(true);
        }
    }
}

pub(super) async fn track(State(stats): State<Arc<Stats>>, request: Request, next: Next) -> Response {
    let tracker = Tracker::start(stats);
    let response = next.run(request).await;
    let (parts, inner) = response.into_parts();
    let expected = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let body = TrackedBody {
        inner,
        tracker,
        expected,
        sent: 0,
    };
    Response::from_parts(parts, Body::new(body))
}
