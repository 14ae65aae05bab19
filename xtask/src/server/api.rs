//! The endpoints the lessons download from: `delay`, `drip`, `binary`,
//! `status`, `flaky`, and the counters' `stats` and `stats/reset`. What
//! each answers (its checks, sentences and bytes) is the `endpoints`
//! crate's, which the static build's Service Worker runs too; how it is
//! sent (tokio's timers, hyper's bodies) is here.

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use endpoints::{Query, CHUNK};

use super::guard::is_local_origin;
use super::reply::{quote, sentence, Said, Segment, TEXT};
use super::stats::{Stats, StatsSnapshot};

/// The query of a request, read as the `endpoints` crate reads it.
pub(super) fn query(RawQuery(raw): RawQuery) -> Query {
    Query::parse(raw.as_deref().unwrap_or_default())
}

pub(super) async fn delay(Segment(ms): Segment) -> Result<Response, Said> {
    let ms = endpoints::delay(&ms)?;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(([TEXT], endpoints::waited(ms)).into_response())
}

/// `/async-demo-api/drip`: a step of dots every 50 ms. A step larger than
/// [`CHUNK`] goes as several pieces of at most that, cut from one shared
/// buffer of dots: hyper asks for the next piece only when the connection
/// has taken the last, so a client that does not read costs a piece or two
/// of buffer, not the 10 MB of a `bytes=10000000&ms=0` drip's one step.
pub(super) async fn drip(raw: RawQuery) -> Result<Response, Said> {
    let plan = endpoints::drip(&query(raw))?;
    let interval = Duration::from_millis(plan.interval_ms);
    // (steps taken, bytes of the current step not yet sent)
    let stream = futures_util::stream::unfold((0u64, 0u64), move |(mut step, mut left)| async move {
        if left == 0 {
            if step == plan.steps {
                return None;
            }
            tokio::time::sleep(interval).await;
            left = plan.step_bytes(step);
            step += 1;
        }
        let size = left.min(CHUNK);
        Some((
            Ok::<_, io::Error>(dots().slice(..size as usize)),
            (step, left - size),
        ))
    });
    let length = (header::CONTENT_LENGTH, plan.bytes.to_string());
    Ok(([TEXT], [length], Body::from_stream(stream)).into_response())
}

/// [`CHUNK`] dots, made once and shared by every drip.
pub(super) fn dots() -> &'static Bytes {
    static DOTS: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    DOTS.get_or_init(|| Bytes::from(vec![b'.'; CHUNK as usize]))
}

/// The first [`CHUNK`] bytes of every `/async-demo-api/binary` body, made once.
/// Its bytes ([`endpoints::binary_byte`]) repeat every 32 KiB, so every
/// chunk (they start at multiples of 64 KiB) is this one, or the start of it.
pub(super) fn binary_chunk() -> &'static Bytes {
    static FIRST: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    FIRST.get_or_init(|| (0..CHUNK).map(endpoints::binary_byte).collect::<Vec<u8>>().into())
}

/// `/async-demo-api/binary`: sent one chunk at a time as the connection takes it, so a
/// client that asks for 10 MB and does not read costs the server a chunk or
/// two of buffer, not 10 MB; and a chunk is a shared slice, not made anew
/// (200 slow readers of 10 MB would otherwise keep the server busy making bytes).
pub(super) async fn binary(raw: RawQuery) -> Result<Response, Said> {
    let bytes = endpoints::binary(&query(raw))?;
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

pub(super) async fn status(Segment(code): Segment) -> Said {
    Said(endpoints::status(&code))
}

/// How many times each `/async-demo-api/flaky` id has been asked for.
#[derive(Debug, Default)]
pub(super) struct Flaky(Mutex<endpoints::Flaky>);

pub(super) async fn flaky(State(flaky): State<Arc<Flaky>>, raw: RawQuery) -> Said {
    let query = query(raw);
    match flaky.0.lock() {
        Ok(mut seen) => Said(seen.answer(&query)),
        Err(_) => Said(endpoints::Sentence::new(500, "The flaky counter is broken.")),
    }
}

pub(super) async fn read_stats(State(stats): State<Arc<Stats>>) -> Json<StatsSnapshot> {
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
pub(super) async fn reset(State(stats): State<Arc<Stats>>, headers: HeaderMap) -> Response {
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
