//! How the server says what it answers or refuses: a sentence as plain
//! text, a refused parameter as HTTP 400, numbers read in the digits 0–9
//! alone, a path segment.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// A refused request: HTTP 400 with a sentence.
#[derive(Debug)]
pub(super) struct BadRequest(pub(super) String);

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        sentence(StatusCode::BAD_REQUEST, self.0)
    }
}

pub(super) const TEXT: (header::HeaderName, &str) = (header::CONTENT_TYPE, "text/plain; charset=utf-8");

/// An answer whose body is one sentence of plain text.
pub(super) fn sentence(status: StatusCode, text: impl Into<String>) -> Response {
    (status, [TEXT], text.into()).into_response()
}

/// `text` cut to a readable length for quoting in a sentence.
pub(super) fn quote(text: &str) -> String {
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
pub(super) fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

pub(super) fn parse_number(what: &str, text: &str, max: u64, unit: &str) -> Result<u64, BadRequest> {
    match digits(text) {
        Some(n) if n <= max => Ok(n),
        _ => Err(BadRequest(format!(
            "{what} must be a whole number of {unit} from 0 to {max}, in the digits 0–9 alone; got “{}”.",
            quote(text)
        ))),
    }
}

pub(super) fn query_number(
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
pub(super) struct Segment(pub(super) String);

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
