//! The dev server: the static `www/` folder plus the `/api` endpoints the
//! lessons and tests download from.
//!
//! - `GET /async-demo-api/delay/{ms}`: answers after `ms` milliseconds (0–30000).
//! - `GET /async-demo-api/drip?bytes=N&ms=T`: streams N bytes (≤ 10 MB) evenly over T ms (≤ 30000).
//! - `GET /async-demo-api/binary?bytes=N`: N bytes (≤ 10 MB) of binary data, streamed.
//! - `GET /async-demo-api/status/{code}`: answers with that status (200–599).
//! - `GET /async-demo-api/flaky?id=X&fail=N`: the first N requests (≤ 10) with that id
//!   (1 to 64 characters) answer 503, the next ones 200: for retry lessons.
//! - `GET /async-demo-api/stats`: requests started / finished / aborted by the client,
//!   in flight and the peak in flight, as JSON; `POST /async-demo-api/stats/reset` zeroes them.
//! - `GET /async-demo-api/fault/...`: a server that misbehaves on purpose, for the fault
//!   suite: `hang` (no answer), `stall` (a head, then silence), `reset` and
//!   `close` (the connection cut before the status line), `truncated` (less
//!   body than `Content-Length`), `length/{short,conflicting,invalid}` (a
//!   `Content-Length` that lies), `endless` (bytes for ever, slowly),
//!   `redirect/{n}` (a redirect loop), `garbage` (invalid UTF-8 as text).
//!   Each is bounded: it ends when its client goes, and within
//!   [`MAX_FAULT_WAIT`] otherwise.
//!
//! Malformed or out-of-range parameters get HTTP 400 with a sentence; a
//! number is written in the digits 0–9 alone (`+5`, ` 5` and `5.0` are
//! refused, leading zeros are accepted: `007` is 7). `/api` answers any
//! origin (CORS), so test pages served from other ports can call it. Paths
//! that try to leave `www/` are refused; every 404, 405 and 500 has a sentence.
//!
//! Static files, the docs book and `/async-demo-api/stats` are compressed (gzip or
//! brotli, as the client asks); the other `/api` bodies are not: the lessons
//! count their bytes against `Content-Length` and watch drips arrive.
//!
//! Limits ([`Limits`]), so that no client can wear the server out: a
//! request's headers must arrive within [`Limits::header_timeout`], a
//! connection on which nothing moves for [`Limits::idle_timeout`] is closed,
//! at most [`Limits::max_connections`] connections are served at once (the
//! next ones get a 503 with a sentence), and large bodies are streamed, never
//! built in memory.
//!
//! Who may talk to it (see `guard.rs`, and `reset` in `api.rs`): only requests whose
//! `Host` is `localhost` or an IP address (a defence against DNS rebinding),
//! and only pages on this machine may reset the counters.

mod api;
mod conn;
mod faults;
mod files;
mod guard;
mod reply;
mod stats;

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue, Method};
use axum::middleware;
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use api::{binary, delay, drip, flaky, read_stats, reset, status, Flaky};
pub use conn::Limits;
use conn::{is_connection_error, refuse, serve_connection};
use endpoints::Endpoint;
use faults::{
    fault_close, fault_endless, fault_garbage, fault_hang, fault_length, fault_redirect, fault_reset,
    fault_stall, fault_truncated,
};
pub use faults::{MAX_ENDLESS_BYTES, MAX_FAULT_WAIT, MAX_REDIRECTS};
use files::Files;
use guard::check_host;
use reply::Said;
use stats::track;
pub use stats::{Stats, StatsSnapshot};

pub use endpoints::{MAX_BYTES, MAX_DELAY_MS};

/// The whole app: `/api`, the docs book under `/docs/` (built by
/// `cargo xtask docs` into `docs/book`), and the static files under `www`.
pub fn app(www: PathBuf, stats: Arc<Stats>) -> Router {
    let book = www
        .parent()
        .map(|root| root.join("docs/book"))
        .unwrap_or_else(|| PathBuf::from("docs/book"));
    // The endpoints the Service Worker answers too: their paths (and what
    // they answer) are the `endpoints` crate's.
    let mut tracked = Router::new();
    let mut counters = Router::new();
    for endpoint in Endpoint::ALL {
        let path = endpoint.path();
        match endpoint {
            Endpoint::Delay => tracked = tracked.route(path, get(delay)),
            Endpoint::Drip => tracked = tracked.route(path, get(drip)),
            Endpoint::Binary => tracked = tracked.route(path, get(binary)),
            Endpoint::Status => tracked = tracked.route(path, get(status)),
            Endpoint::Flaky => {
                tracked = tracked.route(path, get(flaky).with_state(Arc::new(Flaky::default())))
            }
            Endpoint::Stats => counters = counters.route(path, get(read_stats)),
            Endpoint::Reset => counters = counters.route(path, post(reset)),
        }
    }
    let tracked = tracked
        .route("/fault/hang", get(fault_hang))
        .route("/fault/stall", get(fault_stall))
        .route("/fault/reset", get(fault_reset))
        .route("/fault/close", get(fault_close))
        .route("/fault/truncated", get(fault_truncated))
        .route("/fault/length/{kind}", get(fault_length))
        .route("/fault/endless", get(fault_endless))
        .route("/fault/redirect/{n}", get(fault_redirect))
        .route("/fault/garbage", get(fault_garbage))
        .route_layer(middleware::from_fn_with_state(stats.clone(), track));
    // JSON is compressed; the tracked bodies are not (see the module's doc).
    let counters = counters.layer(CompressionLayer::new());
    let api = Router::new()
        .merge(counters)
        .merge(tracked)
        .fallback(|| async { Said(endpoints::not_found()) })
        .method_not_allowed_fallback(|method: Method| async move {
            Said(endpoints::wrong_method(method.as_str()))
        })
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods(Any)
                .allow_headers(Any),
        )
        .with_state(stats);
    Router::new()
        .nest("/async-demo-api", api)
        .nest_service("/docs", Files::router(book, "the docs book"))
        .fallback_service(Files::router(www, "the playground"))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(middleware::from_fn(check_host))
}

/// How many connections may wait to be accepted (the kernel caps it at
/// `net.core.somaxconn`, 4096 on current Linux).
pub const BACKLOG: u32 = 1024;

/// A server bound and ready to run.
#[derive(Debug)]
pub struct Server {
    listener: tokio::net::TcpListener,
    /// Its counters.
    pub stats: Arc<Stats>,
    www: PathBuf,
    limits: Limits,
}

impl Server {
    /// Binds `addr` (port 0 for any free port), with the default [`Limits`].
    ///
    /// The queue of connections not yet accepted holds [`BACKLOG`]: with
    /// the standard library's 128, a burst of a thousand connections (a load
    /// test, many pages at once) overflows it, and the connections whose
    /// first packet was dropped wait a whole second for its retransmission.
    pub async fn bind(addr: SocketAddr, www: PathBuf) -> io::Result<Self> {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        // As the standard library does: a restarted server can bind at once.
        socket.set_reuseaddr(true)?;
        socket.bind(addr)?;
        let listener = socket.listen(BACKLOG)?;
        Ok(Server {
            listener,
            stats: Arc::default(),
            www,
            limits: Limits::default(),
        })
    }

    /// The same server under other limits.
    pub fn with_limits(self, limits: Limits) -> Self {
        Server { limits, ..self }
    }

    /// The address it listens on.
    pub fn addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends: each connection in a task of its own,
    /// at most [`Limits::max_connections`] at once.
    pub async fn run(self) -> io::Result<()> {
        let app = app(self.www, self.stats);
        let limits = self.limits;
        let served = Arc::new(Semaphore::new(limits.max_connections));
        // Connections being told 503: bounded too, so that a flood costs at
        // most this many more file descriptors; past it they are closed at once.
        let refused = Arc::new(Semaphore::new((limits.max_connections / 8).clamp(4, 256)));
        loop {
            let socket = match self.listener.accept().await {
                Ok((socket, _)) => socket,
                Err(e) if is_connection_error(&e) => continue,
                Err(_) => {
                    // Out of file descriptors, most likely: let some close.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            // Drips are many small writes: send each at once.
            let _ = socket.set_nodelay(true);
            // Served if there is room; told 503 otherwise. When even the
            // refusals are all busy, the next accept waits for one of them
            // (a few ms each: a client sends its request at once) or for a
            // served place: every connection the OS has accepted gets an
            // answer, none a reset, and the ones behind it wait in the
            // kernel's queue ([`BACKLOG`]), costing no file descriptor.
            let served = served.clone();
            let refused = refused.clone();
            tokio::select! {
                biased;
                Ok(permit) = served.acquire_owned() => {
                    let app = app.clone();
                    tokio::spawn(async move {
                        serve_connection(socket, app, limits).await;
                        drop(permit);
                    });
                }
                Ok(permit) = refused.acquire_owned() => {
                    tokio::spawn(async move {
                        refuse(socket, limits).await;
                        drop(permit);
                    });
                }
            }
        }
    }
}
