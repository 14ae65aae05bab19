//! The endpoints the lessons download from: `delay`, `drip`, `binary`,
//! `status`, `flaky`, and the counters' `stats` and `stats/reset`.

use std::collections::HashMap;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::guard::is_local_origin;
use super::reply::{digits, parse_number, query_number, quote, sentence, BadRequest, Segment, TEXT};
use super::stats::{Stats, StatsSnapshot};
use super::{MAX_BYTES, MAX_DELAY_MS};

pub(super) async fn delay(Segment(ms): Segment) -> Result<Response, BadRequest> {
    let ms = parse_number("The delay", &ms, MAX_DELAY_MS, "milliseconds")?;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(([TEXT], format!("waited {ms} ms")).into_response())
}

/// `/async-demo-api/drip`: a step of dots every 50 ms. A step larger than
/// [`CHUNK`] goes as several pieces of at most that, cut from one shared
/// buffer of dots: hyper asks for the next piece only when the connection
/// has taken the last, so a client that does not read costs a piece or two
/// of buffer, not the 10 MB of a `bytes=10000000&ms=0` drip's one step.
pub(super) async fn drip(Query(query): Query<HashMap<String, String>>) -> Result<Response, BadRequest> {
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
pub(super) const CHUNK: u64 = 64 * 1024;

/// [`CHUNK`] dots, made once and shared by every drip.
pub(super) fn dots() -> &'static Bytes {
    static DOTS: std::sync::OnceLock<Bytes> = std::sync::OnceLock::new();
    DOTS.get_or_init(|| Bytes::from(vec![b'.'; CHUNK as usize]))
}

/// The first [`CHUNK`] bytes of every `/async-demo-api/binary` body, made once.
/// Byte `i` is bits 7–14 of `i × 2654435761`, which depend on the low 15
/// bits of `i` alone: the bytes repeat every 32 KiB, so every chunk (they
/// start at multiples of 64 KiB) is this one, or the start of it.
pub(super) fn binary_chunk() -> &'static Bytes {
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
pub(super) async fn binary(Query(query): Query<HashMap<String, String>>) -> Result<Response, BadRequest> {
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

pub(super) async fn status(Segment(code): Segment) -> Result<Response, BadRequest> {
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
pub(super) struct Flaky {
    seen: std::sync::Mutex<HashMap<String, u64>>,
}

/// The longest `/async-demo-api/flaky` id, in characters (Unicode scalar values, not bytes).
pub(super) const MAX_ID_CHARS: usize = 64;

pub(super) async fn flaky(
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
