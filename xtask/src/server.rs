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
//! Who may talk to it (see `check_host` and `reset` below): only requests whose
//! `Host` is `localhost` or an IP address (a defence against DNS rebinding),
//! and only pages on this machine may reset the counters.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{FromRequestParts, OriginalUri, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body::{Body as _, Frame, SizeHint};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde::Serialize;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The longest delay or drip the server agrees to.
pub const MAX_DELAY_MS: u64 = 30_000;
/// The largest body the server agrees to send.
pub const MAX_BYTES: u64 = 10_000_000;

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

async fn track(State(stats): State<Arc<Stats>>, request: Request, next: Next) -> Response {
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

/// A refused request: HTTP 400 with a sentence.
#[derive(Debug)]
struct BadRequest(String);

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        sentence(StatusCode::BAD_REQUEST, self.0)
    }
}

const TEXT: (header::HeaderName, &str) = (header::CONTENT_TYPE, "text/plain; charset=utf-8");

/// An answer whose body is one sentence of plain text.
fn sentence(status: StatusCode, text: impl Into<String>) -> Response {
    (status, [TEXT], text.into()).into_response()
}

/// `text` cut to a readable length for quoting in a sentence.
fn quote(text: &str) -> String {
    const MAX_CHARS: usize = 64;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A whole number written in the digits 0–9 alone. `str::parse` alone would
/// also take a leading `+` (`%2B5`); signs, spaces (a `+` in a query string
/// is one), points and exponents are refused. Leading zeros are accepted:
/// `007` is unambiguous in decimal, and refusing it would help nobody.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_number(what: &str, text: &str, max: u64, unit: &str) -> Result<u64, BadRequest> {
    match digits(text) {
        Some(n) if n <= max => Ok(n),
        _ => Err(BadRequest(format!(
            "{what} must be a whole number of {unit} from 0 to {max}, in the digits 0–9 alone; got “{}”.",
            quote(text)
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

/// An endpoint's last path segment, percent-decoded as axum's `Path` does;
/// where it is not valid UTF-8 once decoded (`%ff`), the segment as sent, so
/// that the endpoint's own check refuses it with its sentence (as the
/// Service Worker does) rather than axum with its own.
struct Segment(String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(text)) => Ok(Segment(text)),
            Err(_) => Ok(Segment(
                parts
                    .uri
                    .path()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )),
        }
    }
}

async fn delay(Segment(ms): Segment) -> Result<Response, BadRequest> {
    let ms = parse_number("The delay", &ms, MAX_DELAY_MS, "milliseconds")?;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(([TEXT], format!("waited {ms} ms")).into_response())
}

/// `/async-demo-api/drip`: a step of dots every 50 ms. A step larger than
/// [`CHUNK`] goes as several pieces of at most that, cut from one shared
/// buffer of dots: hyper asks for the next piece only when the connection
/// has taken the last, so a client that does not read costs a piece or two
/// of buffer, not the 10 MB of a `bytes=10000000&ms=0` drip's one step.
async fn drip(Query(query): Query<HashMap<String, String>>) -> Result<Response, BadRequest> {
    let bytes = query_number(&query, "bytes", 1000, MAX_BYTES, "bytes")?;
    let ms = query_number(&query, "ms", 1000, MAX_DELAY_MS, "milliseconds")?;
    // One step every 50 ms (at least one step, at most one per byte).
    let steps = (ms / 50).clamp(1, bytes.max(1));
    let interval = Duration::from_millis(ms / steps);
    // (steps taken, bytes of the current step not yet sent)
    let stream = futures_util::stream::unfold((0u64, 0u64), move |(mut step, mut left)| async move {
        if left == 0 {
            if step == steps {
                return None;
            }
            tokio::time::sleep(interval).await;
            left = bytes * (step + 1) / steps - bytes * step / steps;
            step += 1;
        }
        let size = left.min(CHUNK);
        Some((
            Ok::<_, io::Error>(dots().slice(..size as usize)),
            (step, left - size),
        ))
    });
    let length = (header::CONTENT_LENGTH, bytes.to_string());
    Ok(([TEXT], [length], Body::from_stream(stream)).into_response())
}

/// The largest piece of a streamed body (drip, binary) made or sent at once.
const CHUNK: u64 = 64 * 1024;

/// [`CHUNK`] dots, made once and shared by every drip.
fn dots() -> &'static Bytes {
    static DOTS: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    DOTS.get_or_init(|| Bytes::from(vec![b'.'; CHUNK as usize]))
}

/// The first [`CHUNK`] bytes of every `/async-demo-api/binary` body, made once.
/// Byte `i` is bits 7–14 of `i × 2654435761`, which depend on the low 15
/// bits of `i` alone: the bytes repeat every 32 KiB, so every chunk (they
/// start at multiples of 64 KiB) is this one, or the start of it.
fn binary_chunk() -> &'static Bytes {
    static FIRST: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    FIRST.get_or_init(|| {
        (0..CHUNK)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect::<Vec<u8>>()
            .into()
    })
}

/// `/async-demo-api/binary`: sent one chunk at a time as the connection takes it, so a
/// client that asks for 10 MB and does not read costs the server a chunk or
/// two of buffer, not 10 MB; and a chunk is a shared slice, not made anew
/// (200 slow readers of 10 MB would otherwise keep the server busy making bytes).
async fn binary(Query(query): Query<HashMap<String, String>>) -> Result<Response, BadRequest> {
    let bytes = query_number(&query, "bytes", 1024, MAX_BYTES, "bytes")?;
    let chunks = (0..bytes).step_by(CHUNK as usize).map(move |start| {
        let end = (start + CHUNK).min(bytes);
        Ok::<_, io::Error>(binary_chunk().slice(..(end - start) as usize))
    });
    let headers = [
        (header::CONTENT_TYPE, "application/octet-stream".to_string()),
        (header::CONTENT_LENGTH, bytes.to_string()),
    ];
    Ok((headers, Body::from_stream(futures_util::stream::iter(chunks))).into_response())
}

async fn status(Segment(code): Segment) -> Result<Response, BadRequest> {
    let status = digits(&code)
        .filter(|c| (200..=599).contains(c))
        .and_then(|c| StatusCode::from_u16(c as u16).ok())
        .ok_or_else(|| {
            BadRequest(format!(
                "The status must be a whole number from 200 to 599, in the digits 0–9 alone; got “{}”.",
                quote(&code)
            ))
        })?;
    Ok((status, [TEXT], format!("HTTP {} as requested", status.as_u16())).into_response())
}

/// How many times each `/async-demo-api/flaky` id has been asked for.
#[derive(Debug, Default)]
struct Flaky {
    seen: std::sync::Mutex<HashMap<String, u64>>,
}

/// The longest `/async-demo-api/flaky` id, in characters (Unicode scalar values, not bytes).
const MAX_ID_CHARS: usize = 64;

async fn flaky(
    State(flaky): State<Arc<Flaky>>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, BadRequest> {
    let fail = query_number(&query, "fail", 2, 10, "failures")?;
    let id = query.get("id").map(String::as_str).unwrap_or_default();
    let chars = id.chars().count();
    if chars == 0 || chars > MAX_ID_CHARS {
        return Err(BadRequest(format!(
            "Parameter id must be 1 to {MAX_ID_CHARS} characters long; got {chars}: “{}”.",
            quote(id)
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

/// `POST /async-demo-api/stats/reset`, refused (403 with a sentence) when the request
/// comes from a page that is not on this machine.
///
/// Why: `/api` answers any origin on purpose (test pages on other ports call
/// it), and a form-like `POST` is a "simple" request that a browser sends
/// without asking first, so CORS alone would let any web site a developer
/// visits zero the counters while a test or a lesson reads them. Resetting is
/// the only endpoint that changes shared state, so it alone checks `Origin`:
/// absent (curl, Node's `fetch`, the tests' raw sockets) or a page served from
/// `localhost` / a loopback address (any port) is allowed; any other origin,
/// and the opaque `null` origin, is refused. The `GET` endpoints stay open to
/// any origin: they change nothing another page could use.
async fn reset(State(stats): State<Arc<Stats>>, headers: HeaderMap) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let text = String::from_utf8_lossy(origin.as_bytes());
        if !is_local_origin(&text) {
            return sentence(
                StatusCode::FORBIDDEN,
                format!(
                    "Only pages served from this machine (localhost or a loopback address) may reset the counters; this request came from “{}”.",
                    quote(&text)
                ),
            );
        }
    }
    stats.reset();
    Json(stats.snapshot()).into_response()
}

/// The host of an authority (`host`, `host:port`, `[v6]:port`), without the port.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    match authority.rsplit_once(':') {
        // One colon: a port. More: a bare IPv6 address.
        Some((host, _)) if !host.contains(':') => host,
        _ => authority,
    }
}

/// `localhost` or a name under `.localhost` (RFC 6761: always this machine).
fn is_localhost_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    host == "localhost" || host.ends_with(".localhost")
}

/// An origin (`scheme://host[:port]`) on this machine.
fn is_local_origin(origin: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false; // "null" and anything else unparseable
    };
    let host = host_of(authority);
    matches!(scheme, "http" | "https")
        && (is_localhost_name(host) || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()))
}

/// Refuses (403 with a sentence) a request whose `Host` is a name other than
/// `localhost`: the defence against DNS rebinding.
///
/// Why: the server listens on a loopback address only, but a web site can
/// point its own name at 127.0.0.1 after the page has loaded (DNS
/// rebinding); the browser then treats this server as that site's own
/// origin, so its scripts could read every file and answer here. Such
/// requests carry the site's name in `Host`. A `Host` that is an IP address
/// (any: an address cannot be rebound) or `localhost` / `*.localhost` is
/// answered; a request without `Host` (HTTP/1.0; browsers always send it) too.
async fn check_host(request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    if let Some(authority) = host {
        let name = host_of(&authority);
        if !is_localhost_name(name) && name.parse::<IpAddr>().is_err() {
            return sentence(
                StatusCode::FORBIDDEN,
                format!(
                    "This dev server answers only to localhost and IP addresses, not to the host name “{}” (a guard against DNS rebinding); open it as http://127.0.0.1:PORT/ or http://localhost:PORT/.",
                    quote(name)
                ),
            );
        }
    }
    next.run(request).await
}

/// A folder served as static files, with a sentence on every refusal.
#[derive(Debug, Clone)]
struct Files {
    dir: ServeDir,
    base: PathBuf,
    /// What the folder is, for the sentences: "the playground" or "the docs book".
    what: &'static str,
}

impl Files {
    fn router(base: PathBuf, what: &'static str) -> Router {
        let dir = ServeDir::new(&base).append_index_html_on_directories(true);
        Router::new()
            .fallback(serve_files)
            .with_state(Files { dir, base, what })
            .layer(CompressionLayer::new())
    }
}

async fn serve_files(State(files): State<Files>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| request.uri().path().to_string(), |u| u.path().to_string());
    let Files { mut dir, base, what } = files;
    let not_found = || {
        let text = if base.is_dir() {
            format!("No such file in {what}: “{}”.", quote(&path))
        } else if what == "the docs book" {
            "The docs book is not built here: `cargo xtask docs` builds it into docs/book.".into()
        } else {
            format!("No such file: {} is not a folder.", base.display())
        };
        sentence(StatusCode::NOT_FOUND, text)
    };
    let response = match dir.try_call(request).await {
        Ok(response) => response,
        // A name longer than the file system allows (255 bytes), a file used
        // as a folder: there is no such file, which is a 404, not a 500.
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::InvalidFilename | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory
            ) =>
        {
            return not_found()
        }
        Err(e) => {
            return sentence(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("The dev server could not read “{}”: {e}.", quote(&path)),
            )
        }
    };
    match response.status() {
        StatusCode::NOT_FOUND => not_found(),
        StatusCode::METHOD_NOT_ALLOWED => {
            let mut refusal = sentence(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("Files are served to GET and HEAD only, not to {method}."),
            );
            refusal
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            refusal
        }
        _ => response.into_response(),
    }
}

// ---- Faults: a misbehaving server on purpose (`/async-demo-api/fault/...`) ----
//
// The fault suite points lessons at these to check that every way a server
// can misbehave ends the one task it affects, with a sentence or at its
// deadline. They live on the dev server itself, so a page reaches them from
// its own origin (Chromium's local-network protection would block another
// loopback port). Each is bounded: none runs on after its client has gone,
// and none runs forever while its client stays.

/// The longest a fault keeps a connection waiting, or streams to it, before
/// giving up on it: the default of [`Limits::fault_wait`]. (The idle timeout,
/// when it is shorter, closes a silent connection first.)
pub const MAX_FAULT_WAIT: Duration = Duration::from_secs(120);
/// The most `/async-demo-api/fault/endless` sends before it stops (by cutting the connection).
pub const MAX_ENDLESS_BYTES: u64 = 200_000_000;
/// How many hops `/async-demo-api/fault/redirect/{n}` gives before it answers 508.
pub const MAX_REDIRECTS: u64 = 100;

/// What a fault endpoint asks of its own connection, below HTTP. hyper only
/// writes well-formed responses, so the connection's socket ([`Watched`])
/// carries these out in hyper's place, at the response's first write.
#[derive(Debug, Default)]
struct Sabotage {
    /// Set once a plan is in; read on every write, so it is a plain flag.
    armed: AtomicBool,
    plan: std::sync::Mutex<Option<Plan>>,
}

#[derive(Debug)]
enum Plan {
    /// Reset the connection (TCP RST) before anything of the response is sent.
    Reset,
    /// Send these bytes instead of hyper's response, then close the connection.
    Raw { bytes: Vec<u8>, sent: usize },
}

impl Sabotage {
    fn arm(&self, plan: Plan) {
        *self
            .plan
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(plan);
        self.armed.store(true, Ordering::SeqCst);
    }
}

/// Carries out the plan on `socket`: every write of hyper's ends here, and
/// ends in an error, so that hyper drops the connection once the plan is done.
fn poll_sabotage(
    socket: &mut TcpStream,
    sabotage: &Sabotage,
    activity: &Activity,
    cx: &mut Context<'_>,
) -> Poll<io::Result<usize>> {
    let mut plan = sabotage
        .plan
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(Plan::Raw { bytes, sent }) = plan.as_mut() {
        while *sent < bytes.len() {
            match Pin::new(&mut *socket).poll_write(cx, &bytes[*sent..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    *sent += n;
                    activity.touch();
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        // Closed with a FIN when hyper drops the socket, after what was sent.
        return Poll::Ready(Err(io::Error::other(
            "closed on purpose after a raw answer (/async-demo-api/fault)",
        )));
    }
    // No linger: closing the socket sends a reset, not a FIN.
    let _ = socket.set_zero_linger();
    Poll::Ready(Err(io::Error::new(
        io::ErrorKind::ConnectionReset,
        "reset on purpose (/async-demo-api/fault)",
    )))
}

/// How long the faults of `request`'s connection may last ([`Limits::fault_wait`]).
fn fault_wait(request: &Request) -> Duration {
    request
        .extensions()
        .get::<Limits>()
        .map_or(MAX_FAULT_WAIT, |limits| limits.fault_wait)
}

/// Arms `plan` on the request's connection. The response returned stands in
/// for hyper; its body never ends, so the request counts as aborted, and
/// nothing of it is sent. Served by something other than [`Server`] (no
/// connection to sabotage), the answer is a 501 with a sentence.
fn sabotaged(request: &Request, plan: Plan) -> Response {
    let Some(sabotage) = request.extensions().get::<Arc<Sabotage>>() else {
        return sentence(
            StatusCode::NOT_IMPLEMENTED,
            "This fault needs the dev server's own connections (xtask::server::Server); it cannot be played here.",
        );
    };
    sabotage.arm(plan);
    let never = futures_util::stream::pending::<Result<Bytes, io::Error>>();
    ([TEXT], Body::from_stream(never)).into_response()
}

/// A raw response head (HTTP/1.1, CRLF line ends, the blank line included),
/// with the headers every `/api` answer has.
fn raw_head(status_line: &str, headers: &[&str]) -> Vec<u8> {
    let mut head = format!("HTTP/1.1 {status_line}\r\nContent-Type: text/plain; charset=utf-8\r\n");
    for line in headers
        .iter()
        .chain(&["Cache-Control: no-store", "Access-Control-Allow-Origin: *"])
    {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// `GET /async-demo-api/fault/hang`: no answer, ever. It ends when the client goes
/// (hyper then drops this handler), when the connection's idle timeout
/// strikes, or after [`Limits::fault_wait`], when the connection is closed unanswered.
async fn fault_hang(request: Request) -> Response {
    tokio::time::sleep(fault_wait(&request)).await;
    sabotaged(
        &request,
        Plan::Raw {
            bytes: Vec::new(),
            sent: 0,
        },
    )
}

/// `GET /async-demo-api/fault/stall`: a 200 head promising 1,000 bytes, then silence
/// (ended like [`fault_hang`]: the connection is cut after [`Limits::fault_wait`]).
async fn fault_stall(request: Request) -> Response {
    let wait = fault_wait(&request);
    let silence = futures_util::stream::once(async move {
        tokio::time::sleep(wait).await;
        Err::<Bytes, _>(io::Error::other("the stalled body was given up"))
    });
    (
        [TEXT],
        [(header::CONTENT_LENGTH, "1000")],
        Body::from_stream(silence),
    )
        .into_response()
}

/// `GET /async-demo-api/fault/reset`: the connection is reset (RST) before the status line.
async fn fault_reset(request: Request) -> Response {
    sabotaged(&request, Plan::Reset)
}

/// `GET /async-demo-api/fault/close`: the connection is closed (FIN) before the status line.
async fn fault_close(request: Request) -> Response {
    sabotaged(
        &request,
        Plan::Raw {
            bytes: Vec::new(),
            sent: 0,
        },
    )
}

/// `GET /async-demo-api/fault/truncated`: `Content-Length: 1000`, 300 bytes, then the
/// connection is closed.
async fn fault_truncated(request: Request) -> Response {
    let mut bytes = raw_head("200 OK", &["Content-Length: 1000"]);
    bytes.extend_from_slice(&[b'.'; 300]);
    sabotaged(&request, Plan::Raw { bytes, sent: 0 })
}

/// `GET /async-demo-api/fault/length/{kind}`: a `Content-Length` that lies about a
/// 100-byte body: `short` says 10, `conflicting` says both 10 and 100,
/// `invalid` says "ten"; then the connection is closed.
async fn fault_length(Segment(kind): Segment, request: Request) -> Response {
    let header = match kind.as_str() {
        "short" => vec!["Content-Length: 10"],
        "conflicting" => vec!["Content-Length: 10", "Content-Length: 100"],
        "invalid" => vec!["Content-Length: ten"],
        _ => {
            return sentence(
                StatusCode::NOT_FOUND,
                format!(
                    "No such length fault: “{}”; there are short, conflicting and invalid.",
                    quote(&kind)
                ),
            )
        }
    };
    let mut bytes = raw_head("200 OK", &header);
    bytes.extend_from_slice(&[b'x'; 100]);
    sabotaged(&request, Plan::Raw { bytes, sent: 0 })
}

/// `GET /async-demo-api/fault/endless?bytes=N&ms=T`: N bytes (1–65536, default 1000)
/// every T ms (1–30000, default 100), with no length and no end. It stops
/// when the client goes, and otherwise after [`Limits::fault_wait`] or
/// [`MAX_ENDLESS_BYTES`], by cutting the connection (never a clean end).
async fn fault_endless(request: Request) -> Result<Response, BadRequest> {
    let wait = fault_wait(&request);
    let Query(query) = Query::<HashMap<String, String>>::try_from_uri(request.uri())
        .map_err(|e| BadRequest(format!("The query cannot be read: {e}.")))?;
    let chunk = query_number(&query, "bytes", 1000, 65_536, "bytes")?.max(1);
    let ms = query_number(&query, "ms", 100, MAX_DELAY_MS, "milliseconds")?.max(1);
    let started = Instant::now();
    let stream = futures_util::stream::unfold(0u64, move |sent| async move {
        if sent == u64::MAX {
            return None;
        }
        if started.elapsed() >= wait || sent >= MAX_ENDLESS_BYTES {
            // An error, not an end: hyper cuts the connection mid-body.
            return Some((
                Err(io::Error::other("the endless stream reached its cap")),
                u64::MAX,
            ));
        }
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Some((Ok(Bytes::from(vec![b'~'; chunk as usize])), sent + chunk))
    });
    Ok(([TEXT], Body::from_stream(stream)).into_response())
}

/// `GET /async-demo-api/fault/redirect/{n}`: a redirect to `/async-demo-api/fault/redirect/{n+1}`,
/// for ever as far as a client can tell (browsers give up after 20); past
/// [`MAX_REDIRECTS`] hops, a 508 with a sentence.
async fn fault_redirect(Segment(n): Segment) -> Result<Response, BadRequest> {
    let n = parse_number("The hop", &n, 1_000_000, "hops")?;
    if n >= MAX_REDIRECTS {
        return Ok(sentence(
            StatusCode::LOOP_DETECTED,
            format!("This redirect loop has gone {n} hops; it stops here."),
        ));
    }
    let next = format!("/async-demo-api/fault/redirect/{}", n + 1);
    Ok((
        StatusCode::FOUND,
        [TEXT],
        [(header::LOCATION, next)],
        "Round and round.",
    )
        .into_response())
}

/// One round of `/async-demo-api/fault/garbage`: invalid UTF-8 of every kind (a lone
/// continuation byte, an overlong `/`, a UTF-16 surrogate, bytes that never
/// occur in UTF-8, a cut sequence), NUL, control characters, and markup.
const GARBAGE: &[u8] = b"\xff\xfe\x80 \xc0\xaf \xed\xa0\x80 \xf8\x88\x80\x80\x80 \xe2\x82\0\x1b[31m\x07\x08<script>window.pwned=1</script><img src=x onerror=window.pwned=1>\r\n";

/// `GET /async-demo-api/fault/garbage?bytes=N`: N bytes (default 1024, ≤ [`MAX_BYTES`])
/// of [`GARBAGE`] over and over, labelled `text/plain; charset=utf-8`;
/// streamed like `/async-demo-api/binary`.
async fn fault_garbage(Query(query): Query<HashMap<String, String>>) -> Result<Response, BadRequest> {
    let bytes = query_number(&query, "bytes", 1024, MAX_BYTES, "bytes")?;
    let chunks = (0..bytes).step_by(CHUNK as usize).map(move |start| {
        let end = (start + CHUNK).min(bytes);
        let chunk: Vec<u8> = (start..end)
            .map(|i| GARBAGE[(i % GARBAGE.len() as u64) as usize])
            .collect();
        Ok::<_, io::Error>(Bytes::from(chunk))
    });
    let length = (header::CONTENT_LENGTH, bytes.to_string());
    Ok((
        [TEXT],
        [length],
        Body::from_stream(futures_util::stream::iter(chunks)),
    )
        .into_response())
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
    let counters = Router::new()
        .route("/stats", get(read_stats))
        .route("/stats/reset", post(reset))
        .layer(CompressionLayer::new());
    let api = Router::new()
        .merge(counters)
        .merge(tracked)
        .fallback(|| async { sentence(StatusCode::NOT_FOUND, "No such endpoint under /async-demo-api/.") })
        .method_not_allowed_fallback(|method: Method| async move {
            sentence(
                StatusCode::METHOD_NOT_ALLOWED,
                format!(
                    "This endpoint does not answer {method}: /async-demo-api/stats/reset takes POST, the others GET."
                ),
            )
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
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// When bytes last moved on a connection.
#[derive(Debug)]
struct Activity {
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

    fn touch(&self) {
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
struct Watched {
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
async fn serve_connection(socket: TcpStream, app: Router, limits: Limits) {
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
async fn refuse(socket: TcpStream, limits: Limits) {
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
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
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
