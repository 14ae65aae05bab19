//! The dev server: the static `www/` folder plus the `/api` endpoints the
//! lessons and tests download from.
//!
//! - `GET /api/delay/{ms}`: answers after `ms` milliseconds (0–30000).
//! - `GET /api/drip?bytes=N&ms=T`: streams N bytes (≤ 10 MB) evenly over T ms (≤ 30000).
//! - `GET /api/binary?bytes=N`: N bytes (≤ 10 MB) of binary data.
//! - `GET /api/status/{code}`: answers with that status (200–599).
//! - `GET /api/flaky?id=X&fail=N`: the first N requests (≤ 10) with that id
//!   (≤ 64 characters) answer 503, the next ones 200: for retry lessons.
//! - `GET /api/stats`: requests started / finished / aborted by the client,
//!   in flight and the peak in flight, as JSON; `POST /api/stats/reset` zeroes them.
//!
//! Malformed or out-of-range parameters get HTTP 400 with a sentence. `/api`
//! answers any origin (CORS), so test pages served from other ports can
//! call it. Paths that try to leave `www/` are refused.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body::{Body as _, Frame, SizeHint};
use serde::Serialize;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The longest delay or drip the server agrees to.
pub const MAX_DELAY_MS: u64 = 30_000;
/// The largest body the server agrees to send.
pub const MAX_BYTES: u64 = 10_000_000;

/// Request counters for `/api` (without `/api/stats` itself).
#[derive(Debug, Default)]
pub struct Stats {
    started: AtomicU64,
    finished: AtomicU64,
    aborted: AtomicU64,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

/// The counters as `/api/stats` reports them.
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
    fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            started: self.started.load(Ordering::SeqCst),
            finished: self.finished.load(Ordering::SeqCst),
            aborted: self.aborted.load(Ordering::SeqCst),
            in_flight: self.in_flight.load(Ordering::SeqCst),
            peak_in_flight: self.peak_in_flight.load(Ordering::SeqCst),
        }
    }

    fn reset(&self) {
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
struct Tracker {
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
struct TrackedBody {
    inner: Body,
    tracker: Tracker,
}

impl http_body::Body for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(None) = polled {
            self.tracker.end(true);
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
        // hyper may stop polling once the body says it has ended.
        if self.inner.is_end_stream() {
            self.tracker.end(true);
        }
    }
}

async fn track(State(stats): State<Arc<Stats>>, request: Request, next: Next) -> Response {
    let tracker = Tracker::start(stats);
    let response = next.run(request).await;
    let (parts, inner) = response.into_parts();
    Response::from_parts(parts, Body::new(TrackedBody { inner, tracker }))
}

/// A refused request: HTTP 400 with a sentence.
#[derive(Debug)]
struct BadRequest(String);

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            self.0,
        )
            .into_response()
    }
}

fn parse_number(what: &str, text: &str, max: u64, unit: &str) -> Result<u64, BadRequest> {
    match text.trim().parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(BadRequest(format!(
            "{what} must be a whole number of {unit} from 0 to {max}; got “{text}”."
        ))),
    }
}

fn query_number(
    query: &HashMap<String, String>,
    name: &str,
    default: u64,
    max: u64,
    unit: &str,
) -> Result<u64, BadRequest> {
    match query.get(name) {
        None => Ok(default),
        Some(text) => parse_number(&format!("Parameter {name}"), text, max, unit),
    }
}

const TEXT: (header::HeaderName, &str) = (header::CONTENT_TYPE, "text/plain; charset=utf-8");

async fn delay(Path(ms): Path<String>) -> Result<Response, BadRequest> {
    let ms = parse_number("The delay", &ms, MAX_DELAY_MS, "milliseconds")?;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(([TEXT], format!("waited {ms} ms")).into_response())
}

async fn drip(Query(query): Query<HashMap<String, String>>) -> Result<Response, BadRequest> {
    let bytes = query_number(&query, "bytes", 1000, MAX_BYTES, "bytes")?;
    let ms = query_number(&query, "ms", 1000, MAX_DELAY_MS, "milliseconds")?;
    // One chunk every 50 ms (at least one chunk, at most one per byte).
    let chunks = (ms / 50).clamp(1, bytes.max(1));
    let interval = Duration::from_millis(ms / chunks);
    let stream = futures_util::stream::unfold(0u64, move |sent_chunks| async move {
        if sent_chunks == chunks {
            return None;
        }
        tokio::time::sleep(interval).await;
        let size = bytes * (sent_chunks + 1) / chunks - bytes * sent_chunks / chunks;
        Some((
            Ok::<_, std::io::Error>(Bytes::from(vec![b'.'; size as usize])),
            sent_chunks + 1,
        ))
    });
    let length = (header::CONTENT_LENGTH, bytes.to_string());
    Ok(([TEXT], [length], Body::from_stream(stream)).into_response())
}

async fn binary(Query(query): Query<HashMap<String, String>>) -> Result<Response, BadRequest> {
    let bytes = query_number(&query, "bytes", 1024, MAX_BYTES, "bytes")?;
    let body: Vec<u8> = (0..bytes)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    Ok(([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response())
}

async fn status(Path(code): Path<String>) -> Result<Response, BadRequest> {
    let status = code
        .trim()
        .parse::<u16>()
        .ok()
        .filter(|c| (200..=599).contains(c))
        .and_then(|c| StatusCode::from_u16(c).ok())
        .ok_or_else(|| {
            BadRequest(format!(
                "The status must be a whole number from 200 to 599; got “{code}”."
            ))
        })?;
    Ok((status, [TEXT], format!("HTTP {} as requested", status.as_u16())).into_response())
}

/// How many times each `/api/flaky` id has been asked for.
#[derive(Debug, Default)]
struct Flaky {
    seen: std::sync::Mutex<HashMap<String, u64>>,
}

async fn flaky(
    State(flaky): State<Arc<Flaky>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, BadRequest> {
    let fail = query_number(&query, "fail", 2, 10, "failures")?;
    let id = query.get("id").map(String::as_str).unwrap_or_default();
    if id.is_empty() || id.len() > 64 {
        return Err(BadRequest(format!(
            "Parameter id must be 1 to 64 characters; got “{id}”."
        )));
    }
    let attempt = {
        let mut seen = flaky
            .seen
            .lock()
            .map_err(|_| BadRequest("The flaky counter is broken.".into()))?;
        if seen.len() > 10_000 {
            seen.clear(); // a bound on memory: old ids are forgotten
        }
        let n = seen.entry(id.to_string()).or_insert(0);
        *n += 1;
        *n
    };
    if attempt <= fail {
        let body = format!("attempt {attempt} of “{id}” fails on purpose ({fail} will)");
        Ok((StatusCode::SERVICE_UNAVAILABLE, [TEXT], body).into_response())
    } else {
        Ok(([TEXT], format!("attempt {attempt} of “{id}” succeeded")).into_response())
    }
}

async fn read_stats(State(stats): State<Arc<Stats>>) -> Json<StatsSnapshot> {
    Json(stats.snapshot())
}

async fn reset(State(stats): State<Arc<Stats>>) -> Json<StatsSnapshot> {
    stats.reset();
    Json(stats.snapshot())
}

/// The whole app: `/api`, the docs book under `/docs/` (built by
/// `cargo xtask docs` into `docs/book`), and the static files under `www`.
pub fn app(www: PathBuf, stats: Arc<Stats>) -> Router {
    let book = www
        .parent()
        .map(|root| root.join("docs/book"))
        .unwrap_or_else(|| PathBuf::from("docs/book"));
    let tracked = Router::new()
        .route("/delay/{ms}", get(delay))
        .route("/drip", get(drip))
        .route("/binary", get(binary))
        .route("/status/{code}", get(status))
        .route("/flaky", get(flaky).with_state(Arc::new(Flaky::default())))
        .route_layer(middleware::from_fn_with_state(stats.clone(), track));
    let api = Router::new()
        .route("/stats", get(read_stats))
        .route("/stats/reset", post(reset))
        .merge(tracked)
        .fallback(|| async { (StatusCode::NOT_FOUND, "No such endpoint under /api.") })
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
    let files = ServeDir::new(www).append_index_html_on_directories(true);
    Router::new()
        .nest("/api", api)
        .nest_service(
            "/docs",
            ServeDir::new(book).append_index_html_on_directories(true),
        )
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

/// A server bound and ready to run.
#[derive(Debug)]
pub struct Server {
    listener: tokio::net::TcpListener,
    /// Its counters.
    pub stats: Arc<Stats>,
    www: PathBuf,
}

impl Server {
    /// Binds `addr` (port 0 for any free port).
    pub async fn bind(addr: SocketAddr, www: PathBuf) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        Ok(Server {
            listener,
            stats: Arc::default(),
            www,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until the process ends.
    pub async fn run(self) -> std::io::Result<()> {
        axum::serve(self.listener, app(self.www, self.stats)).await
    }
}
