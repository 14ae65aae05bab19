//! How the server says what it answers or refuses: a sentence as plain
//! text (the `endpoints` crate's [`Said`]), a path segment as sent.

use axum::extract::FromRequestParts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
pub(super) use endpoints::quote;

/// An answer of one sentence, as the `endpoints` crate words it: a refusal
/// (400) or what an endpoint says.
#[derive(Debug)]
pub(super) struct Said(pub(super) endpoints::Sentence);

impl From<endpoints::Sentence> for Said {
    fn from(said: endpoints::Sentence) -> Self {
        Said(said)
    }
}

impl IntoResponse for Said {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        sentence(status, self.0.text)
    }
}

pub(super) const TEXT: (header::HeaderName, &str) = (header::CONTENT_TYPE, "text/plain; charset=utf-8");

/// An answer whose body is one sentence of plain text.
pub(super) fn sentence(status: StatusCode, text: impl Into<String>) -> Response {
    (status, [TEXT], text.into()).into_response()
}

/// An endpoint's last path segment as sent (still percent-encoded):
/// `endpoints::segment` decodes it, as the Service Worker does.
pub(super) struct Segment(pub(super) String);

impl<S: Send + Sync> FromRequestParts<S> for Segment {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let last = parts.uri.path().rsplit('/').next().unwrap_or_default();
        Ok(Segment(last.to_string()))
    }
}
