//! The static files (`www/`, the docs book), with a sentence on every refusal.

use std::io;
use std::path::PathBuf;

use axum::extract::{OriginalUri, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

use super::reply::{quote, sentence};

/// A folder served as static files, with a sentence on every refusal.
#[derive(Debug, Clone)]
pub(super) struct Files {
    dir: ServeDir,
    base: PathBuf,
    /// What the folder is, for the sentences: "the playground" or "the docs book".
    what: &'static str,
}

impl Files {
    pub(super) fn router(base: PathBuf, what: &'static str) -> Router {
        let dir = ServeDir::new(&base).append_index_html_on_directories(true);
        Router::new()
            .fallback(serve_files)
            .with_state(Files { dir, base, what })
            .layer(CompressionLayer::new())
    }
}

pub(super) async fn serve_files(State(files): State<Files>, request: Request) -> Response {
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
