//! The lessons' `async-demo-api/` endpoints, written once.
//!
//! Two servers answer them: the dev server (`cargo xtask serve`, axum, in
//! `xtask/src/server/`) and, in the static build, the Service Worker
//! `sw.js`, which runs this crate compiled to `endpoints.wasm` (see
//! [`sw`](crate#the-service-workers-abi)). What an answer *is* lives here:
//! which paths and methods name an endpoint ([`Endpoint`], [`route`]), how
//! a parameter is read and refused ([`delay`], [`status`], [`drip`],
//! [`binary`], [`Flaky`]), the sentences of every 400, 404 and 405, the
//! bytes of a body ([`binary_byte`], [`Drip::step_bytes`]), and the reason
//! phrase of a status ([`reason`], the `http` crate's, as hyper writes it).
//! How it is sent (a tokio timer and a hyper body, or a `setTimeout` and a
//! `ReadableStream`) stays with each server.
//!
//! # The Service Worker's ABI
//!
//! With the `sw` feature, the crate exports four functions for `sw.js` (no
//! wasm-bindgen: a classic Service Worker instantiates the module itself):
//! `input(len)` gives a buffer for the request, written as
//! `METHOD\npath\nquery` (the path below `async-demo-api/`, the query
//! undecoded, without `?`); `ask()` reads it and gives the length of its
//! answer, one line of JSON at `output()`; `drip_step(bytes, steps, step)`
//! and `binary_chunk(start, len)` make the bodies.

mod read;
#[cfg(any(feature = "sw", test))]
mod sw;

use std::collections::HashMap;

pub use read::{digits, number, query_number, quote, segment, Query};

/// The longest delay or drip, in milliseconds.
pub const MAX_DELAY_MS: u64 = 30_000;
/// The largest body, in bytes.
pub const MAX_BYTES: u64 = 10_000_000;
/// The longest `flaky` id, in characters (Unicode scalar values, not bytes).
pub const MAX_ID_CHARS: usize = 64;
/// The most failures a `flaky` id may ask for.
pub const MAX_FAILURES: u64 = 10;
/// The largest piece of a streamed body (drip, binary) made or sent at once.
pub const CHUNK: u64 = 64 * 1024;

/// An endpoint below `async-demo-api/`: each is answered by both servers
/// (the dev server's `fault/…` endpoints are its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `GET delay/{ms}`: "waited {ms} ms", after `ms`.
    Delay,
    /// `GET drip?bytes=N&ms=T`: N dots spread evenly over T ms.
    Drip,
    /// `GET binary?bytes=N`: N bytes of [`binary_byte`].
    Binary,
    /// `GET status/{code}`: that status, with a sentence.
    Status,
    /// `GET flaky?id=X&fail=N`: 503 for the first N requests of an id, then 200.
    Flaky,
    /// `GET stats`: the request counters, as JSON.
    Stats,
    /// `POST stats/reset`: zeroes them.
    Reset,
}

impl Endpoint {
    /// Every endpoint.
    pub const ALL: [Endpoint; 7] = [
        Endpoint::Delay,
        Endpoint::Drip,
        Endpoint::Binary,
        Endpoint::Status,
        Endpoint::Flaky,
        Endpoint::Stats,
        Endpoint::Reset,
    ];

    /// Its path below `async-demo-api`, as axum's router writes it.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Delay => "/delay/{ms}",
            Endpoint::Drip => "/drip",
            Endpoint::Binary => "/binary",
            Endpoint::Status => "/status/{code}",
            Endpoint::Flaky => "/flaky",
            Endpoint::Stats => "/stats",
            Endpoint::Reset => "/stats/reset",
        }
    }

    /// The method it answers (a `GET` endpoint answers `HEAD` too).
    pub fn method(self) -> &'static str {
        match self {
            Endpoint::Reset => "POST",
            _ => "GET",
        }
    }

    /// Whether its requests count in `stats` (all but `stats` and `reset`).
    pub fn counted(self) -> bool {
        !matches!(self, Endpoint::Stats | Endpoint::Reset)
    }

    /// The first segment of its path: what a URL names it by.
    pub fn name(self) -> &'static str {
        self.path()[1..].split('/').next().unwrap_or_default()
    }
}

/// An answer that is one sentence of plain text: a refusal (400, 404,
/// 405), or what `status` and `flaky` say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub text: String,
}

impl Sentence {
    /// `text`, answered with `status`.
    pub fn new(status: u16, text: impl Into<String>) -> Self {
        Sentence {
            status,
            text: text.into(),
        }
    }
}

/// The endpoint that `method` and `path` (below `async-demo-api`, with or
/// without its leading `/`) name, and its path parameter as sent (see
/// [`segment`]); or the 404 or 405 sentence.
pub fn route<'p>(method: &str, path: &'p str) -> Result<(Endpoint, Option<&'p str>), Sentence> {
    let parts: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let found = Endpoint::ALL.into_iter().find_map(|endpoint| {
        let pattern: Vec<&str> = endpoint.path()[1..].split('/').collect();
        if pattern.len() != parts.len() {
            return None;
        }
        let mut param = None;
        for (want, got) in pattern.iter().zip(&parts) {
            if want.starts_with('{') {
                if got.is_empty() {
                    return None;
                }
                param = Some(*got);
            } else if want != got {
                return None;
            }
        }
        Some((endpoint, param))
    });
    let Some((endpoint, param)) = found else {
        return Err(not_found());
    };
    let allowed = method == endpoint.method() || (method == "HEAD" && endpoint.method() == "GET");
    if !allowed {
        return Err(wrong_method(method));
    }
    Ok((endpoint, param))
}

/// The 404 of a path that names no endpoint.
pub fn not_found() -> Sentence {
    Sentence::new(404, "No such endpoint under /async-demo-api/.")
}

/// The 405 of an endpoint asked with another method.
pub fn wrong_method(method: &str) -> Sentence {
    Sentence::new(
        405,
        format!(
            "This endpoint does not answer {method}: /async-demo-api/stats/reset takes POST, the others GET."
        ),
    )
}

/// `delay/{ms}`'s wait, from its path segment as sent.
pub fn delay(raw: &str) -> Result<u64, Sentence> {
    number("The delay", &segment(raw), MAX_DELAY_MS, "milliseconds")
}

/// What `delay/{ms}` says after its wait.
pub fn waited(ms: u64) -> String {
    format!("waited {ms} ms")
}

/// `status/{code}`'s answer, from its path segment as sent.
pub fn status(raw: &str) -> Sentence {
    let text = segment(raw);
    match digits(&text).filter(|code| (200..=599).contains(code)) {
        Some(code) => Sentence::new(code as u16, format!("HTTP {code} as requested")),
        None => Sentence::new(
            400,
            format!(
                "The status must be a whole number from 200 to 599, in the digits 0–9 alone; got “{}”.",
                quote(&text)
            ),
        ),
    }
}

/// A `drip`: `bytes` dots in `steps` steps, one every `interval_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drip {
    /// The whole body, in bytes.
    pub bytes: u64,
    /// How many steps (one every 50 ms; at least one, at most one per byte).
    pub steps: u64,
    /// The wait before each step.
    pub interval_ms: u64,
}

/// `drip?bytes=N&ms=T`, checked.
pub fn drip(query: &Query) -> Result<Drip, Sentence> {
    let bytes = query_number(query, "bytes", 1000, MAX_BYTES, "bytes")?;
    let ms = query_number(query, "ms", 1000, MAX_DELAY_MS, "milliseconds")?;
    let steps = (ms / 50).clamp(1, bytes.max(1));
    Ok(Drip {
        bytes,
        steps,
        interval_ms: ms / steps,
    })
}

impl Drip {
    /// The bytes of step `step` (0-based): the steps share the body evenly.
    pub fn step_bytes(&self, step: u64) -> u64 {
        self.bytes * (step + 1) / self.steps - self.bytes * step / self.steps
    }
}

/// `binary?bytes=N`, checked.
pub fn binary(query: &Query) -> Result<u64, Sentence> {
    query_number(query, "bytes", 1024, MAX_BYTES, "bytes")
}

/// Byte `i` of every `binary` body: bits 7–14 of `i × 2654435761`, which
/// depend on the low 15 bits of `i` alone (the bytes repeat every 32 KiB).
pub fn binary_byte(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 7) as u8
}

/// How many times each `flaky` id has been asked for.
#[derive(Debug, Default)]
pub struct Flaky {
    seen: HashMap<String, u64>,
}

impl Flaky {
    /// `flaky?id=X&fail=N`'s answer: 400 for a bad parameter, 503 for the
    /// first N requests of an id, 200 after.
    pub fn answer(&mut self, query: &Query) -> Sentence {
        let fail = match query_number(query, "fail", 2, MAX_FAILURES, "failures") {
            Ok(fail) => fail,
            Err(refused) => return refused,
        };
        let id = query.get("id").unwrap_or_default();
        let chars = id.chars().count();
        if chars == 0 || chars > MAX_ID_CHARS {
            return Sentence::new(
                400,
                format!(
                    "Parameter id must be 1 to {MAX_ID_CHARS} characters long; got {chars}: “{}”.",
                    quote(id)
                ),
            );
        }
        if self.seen.len() > 10_000 {
            self.seen.clear(); // a bound on memory: old ids are forgotten
        }
        let attempt = self.seen.entry(id.to_string()).or_insert(0);
        *attempt += 1;
        if *attempt <= fail {
            Sentence::new(
                503,
                format!("attempt {attempt} of “{id}” fails on purpose ({fail} will)"),
            )
        } else {
            Sentence::new(200, format!("attempt {attempt} of “{id}” succeeded"))
        }
    }
}

/// The reason phrase of `status` as hyper writes it (the `http` crate's
/// canonical one), or "" for a code that has none.
pub fn reason(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
