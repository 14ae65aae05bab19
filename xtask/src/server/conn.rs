//! Connections: the limits one client may hold of the server, the socket
//! that watches a connection's activity (and carries out a fault's
//! sabotage), and the loop that serves one.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::faults::{poll_sabotage, Sabotage, MAX_FAULT_WAIT};
use super::reply::sentence;

/// What one client may hold of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections served at once. The next ones are answered 503 with a
    /// sentence (a few at a time; beyond that they are closed at once).
    pub max_connections: usize,
    /// How long a request's headers may take to arrive, counted from the
    /// connection's start or from the end of the previous response on it
    /// (hyper's header read timeout). It is therefore also the keep-alive
    /// idle timeout: a connection kept open with no next request is closed
    /// after it. It never cuts a response: a 30-second drip is not affected.
    pub header_timeout: Duration,
    /// A connection on which no byte moves either way for this long is
    /// closed, whatever it is doing: a client that stopped reading a
    /// response, a request body that never comes. It must stay longer than
    /// the longest silence an endpoint has ([`MAX_DELAY_MS`]: a delay, a
    /// drip's single chunk).
    pub idle_timeout: Duration,
    /// How long a fault (`/async-demo-api/fault/...`) may hold a connection whose client
    /// stays: a hang or a stall is then cut unanswered, an endless stream cut
    /// mid-body ([`MAX_FAULT_WAIT`] by default).
    pub fault_wait: Duration,
}

impl Default for Limits {
    /// 10 s for headers (and between requests; Apache waits 5 s, nginx 75 s),
    /// 60 s of silence (twice the longest delay), and half the process's
    /// open-file limit in connections, between 64 and 4096, so that the
    /// server never runs out of file descriptors for its own files; faults
    /// last at most two minutes.
    fn default() -> Self {
        let files = open_file_limit().unwrap_or(1024);
        Limits {
            max_connections: (files / 2).clamp(64, 4096),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            fault_wait: MAX_FAULT_WAIT,
        }
    }
}

/// The soft limit on open files (Linux: from /proc; elsewhere unknown).
pub(super) fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// When bytes last moved on a connection.
#[derive(Debug)]
pub(super) struct Activity {
    start: Instant,
    /// Milliseconds from `start` to the last read or write.
    last_ms: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
        }
    }

    pub(super) fn touch(&self) {
        let now = self.start.elapsed().as_millis() as u64;
        self.last_ms.store(now, Ordering::Relaxed);
    }

    fn quiet_for(&self) -> Duration {
        self.start
            .elapsed()
            .saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
    }
}

/// A socket that notes in its [`Activity`] each time bytes move.
pub(super) struct Watched {
    socket: TcpStream,
    activity: Arc<Activity>,
    /// Armed by a fault endpoint: then the socket writes its plan, not hyper's bytes.
    sabotage: Arc<Sabotage>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.socket).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl Watched {
    /// One write through `write`, unless a fault is armed (then the fault
    /// answers instead); a write that moved bytes counts as activity.
    fn write_with(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        write: impl FnOnce(Pin<&mut TcpStream>, &mut Context<'_>) -> Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        let Watched {
            socket,
            activity,
            sabotage,
        } = &mut *self;
        if sabotage.armed.load(Ordering::SeqCst) {
            return poll_sabotage(socket, sabotage, activity, cx);
        }
        let polled = write(Pin::new(socket), cx);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        self.write_with(cx, |socket, cx| socket.poll_write(cx, data))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.write_with(cx, |socket, cx| socket.poll_write_vectored(cx, data))
    }

    fn is_write_vectored(&self) -> bool {
        self.socket.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.socket).poll_shutdown(cx)
    }
}

/// Serves one connection under `limits`: hyper's header timeout, and a
/// watchdog that drops the connection (closing the socket, and counting a
/// response under way as aborted) once nothing has moved for the idle timeout.
/// Each request carries the connection's [`Sabotage`] for the fault endpoints.
pub(super) async fn serve_connection(socket: TcpStream, app: Router, limits: Limits) {
    let activity = Arc::new(Activity::new());
    let sabotage = Arc::new(Sabotage::default());
    let io = TokioIo::new(Watched {
        socket,
        activity: activity.clone(),
        sabotage: sabotage.clone(),
    });
    let app = TowerToHyperService::new(app);
    let service = hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(sabotage.clone());
        request.extensions_mut().insert(limits);
        hyper::service::Service::call(&app, request)
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .serve_connection(io, service);
    let mut connection = std::pin::pin!(connection);
    loop {
        let quiet = activity.quiet_for();
        if quiet >= limits.idle_timeout {
            return;
        }
        tokio::select! {
            _ = connection.as_mut() => return,
            () = tokio::time::sleep(limits.idle_timeout - quiet) => {}
        }
    }
}

/// Answers one connection beyond the cap with a 503 and a sentence, then
/// closes it. Its headers are read first (for at most 2 s) so that the client
/// sees the answer rather than a reset.
pub(super) async fn refuse(socket: TcpStream, limits: Limits) {
    let max = limits.max_connections;
    let answer = hyper::service::service_fn(move |_request| async move {
        let mut busy = sentence(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "The dev server is serving {max} connections, its limit; try again when some have closed."
            ),
        );
        let headers = busy.headers_mut();
        headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        Ok::<_, Infallible>(busy)
    });
    let header_timeout = limits.header_timeout.min(Duration::from_secs(2));
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .keep_alive(false)
        .serve_connection(TokioIo::new(socket), answer);
    let _ = tokio::time::timeout(header_timeout * 2, connection).await;
}

/// An accept error that concerns one connection only (the client gave up
/// before it was accepted); others (out of file descriptors) call for a pause.
pub(super) fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}
