//! Downloads through the browser's `fetch`, awaited as Rust futures.
//!
//! Two browser facts shape this file:
//! - Dropping a `JsFuture` does not cancel the request behind it. Every
//!   download owns an [`AbortGuard`] that aborts its request when the download
//!   future is dropped (cancelled, timed out, lost a race).
//! - Browsers hold concurrent GETs of one cacheable URL behind a single cache
//!   entry, so three identical downloads would run one after another. Every
//!   request here opts out of the HTTP cache (`cache: "no-store"`).

use std::fmt;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader, Request, RequestCache, RequestInit, Response};

use crate::error::{js_message, Error};
use crate::waits::Described;

/// The most a lesson downloads from one URL before it stops with
/// [`Error::BodyTooLarge`]: the lessons measure time, not bulk.
pub const MAX_BODY_BYTES: u64 = 5_000_000;

/// How many leading bytes of a body are kept for the preview.
const PREVIEW_BYTES: usize = 48;

/// A finished download: what came back, not the body itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Download {
    /// The URL fetched.
    pub url: String,
    /// The HTTP status (200–299; others are errors). `data:` and `blob:` URLs report 200.
    pub status: u16,
    /// Body size in bytes.
    pub bytes: u64,
    /// The `Content-Type` header, or empty.
    pub content_type: String,
    /// The start of the body if it is text, or `None` for binary data.
    pub preview: Option<String>,
}

impl fmt::Display for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}, {} bytes", self.status, self.bytes)?;
        match &self.preview {
            Some(text) if !text.is_empty() => write!(f, ": “{text}”"),
            Some(_) => Ok(()),
            None => write!(f, " of binary data"),
        }
    }
}

/// Owns an `AbortController`; aborts its request when dropped, unless the
/// request finished first ([`AbortGuard::disarm`]).
#[must_use = "the request is aborted as soon as the guard is dropped"]
#[derive(Debug)]
pub struct AbortGuard {
    controller: Option<AbortController>,
}

impl AbortGuard {
    /// A new controller.
    pub fn new() -> Result<Self, Error> {
        let controller = AbortController::new().map_err(|e| Error::Js(js_message(&e)))?;
        Ok(AbortGuard {
            controller: Some(controller),
        })
    }

    /// The signal to hand to `fetch`.
    pub fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.controller.as_ref().map(AbortController::signal)
    }

    /// The request completed: dropping the guard no longer aborts anything.
    pub fn disarm(mut self) {
        self.controller = None;
    }
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if let Some(controller) = self.controller.take() {
            controller.abort();
        }
    }
}

/// Downloads `url` (absolute: `http(s):`, `data:` or `blob:`) and counts its
/// body, up to [`MAX_BODY_BYTES`].
///
/// # Errors
/// [`Error::InvalidUrl`], [`Error::Network`], [`Error::Http`] for a status
/// outside 200–299, [`Error::BodyTooLarge`], [`Error::Body`].
///
/// # Example
/// ```no_run
/// # async fn demo() -> Result<(), async_demo::Error> {
/// let done = async_demo::tasks::download("http://127.0.0.1:8080/async-demo-api/delay/100").await?;
/// assert_eq!(done.status, 200);
/// # Ok(()) }
/// ```
pub async fn download(url: &str) -> Result<Download, Error> {
    download_limited(url, MAX_BODY_BYTES).await
}

/// [`download`] with a body limit of `limit` bytes.
pub async fn download_limited(url: &str, limit: u64) -> Result<Download, Error> {
    download_with_progress(url, limit, |_, _| {}).await
}

/// [`download`] that calls `progress(bytes_so_far, content_length)` after
/// the headers and after each chunk of the body (`content_length` is `None`
/// when the server does not say).
pub async fn download_with_progress(
    url: &str,
    limit: u64,
    progress: impl Fn(u64, Option<u64>),
) -> Result<Download, Error> {
    download_keeping(url, limit, PREVIEW_BYTES, progress)
        .await
        .map(|(download, _)| download)
}

/// [`download`], keeping the body as text (invalid UTF-8 as U+FFFD): what a
/// sandbox program's `fetch(url)` gives.
pub async fn download_text(url: &str) -> Result<String, Error> {
    let (_, body) = download_keeping(url, MAX_BODY_BYTES, MAX_BODY_BYTES as usize, |_, _| {}).await?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The download, and the first `keep` bytes of its body.
async fn download_keeping(
    url: &str,
    limit: u64,
    keep: usize,
    progress: impl Fn(u64, Option<u64>),
) -> Result<(Download, Vec<u8>), Error> {
    check_url(url)?;
    let guard = AbortGuard::new()?;
    let init = RequestInit::new();
    init.set_method("GET");
    init.set_cache(RequestCache::NoStore);
    init.set_signal(guard.signal().as_ref());
    let request = Request::new_with_str_and_init(url, &init).map_err(|e| Error::InvalidUrl {
        url: url.to_string(),
        reason: js_message(&e),
    })?;

    let waiting = || format!("the response of {}", crate::error::cut(url));
    let response: Response = Described::new(JsFuture::from(fetch(&request)?), waiting)
        .await
        .map_err(|e| Error::Network {
            url: url.to_string(),
            detail: js_message(&e),
        })?
        .dyn_into()
        .map_err(|_| Error::Setup("fetch resolved with something that is not a Response".into()))?;

    if !response.ok() {
        let status = response.status();
        return Err(Error::Http {
            url: url.to_string(),
            status,
            status_text: response.status_text(),
            hint: crate::error::api_hint(url, status, &crate::api::api_folder()),
        });
    }
    let headers = response.headers();
    let content_type = headers.get("content-type").ok().flatten().unwrap_or_default();
    let declared = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(Error::BodyTooLarge {
            url: url.to_string(),
            limit,
        });
    }

    progress(0, declared);
    let (bytes, head) = read_body(url, &response, limit, keep, |n| progress(n, declared)).await?;
    guard.disarm();
    let download = Download {
        url: url.to_string(),
        status: response.status(),
        bytes,
        preview: preview(&content_type, &head[..head.len().min(PREVIEW_BYTES)]),
        content_type,
    };
    Ok((download, head))
}

/// Refuses what `fetch` cannot or should not load, with a sentence that
/// says why (the browser's own "Failed to fetch" would say nothing).
fn check_url(url: &str) -> Result<(), Error> {
    let invalid = |reason: &str| Error::InvalidUrl {
        url: url.to_string(),
        reason: reason.to_string(),
    };
    if url.trim().is_empty() {
        return Err(invalid("it is empty"));
    }
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("http" | "https" | "data" | "blob") => {}
        Some(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) => {
            return Err(invalid(&format!(
                "the scheme “{s}:” is not one fetch can load (use http, https, data or blob)"
            )));
        }
        _ => return Err(invalid("it is not an absolute URL")),
    }
    web_sys::Url::new(url)
        .map(|_| ())
        .map_err(|_| invalid("the browser cannot parse it"))
}

/// `fetch` from the page or from a worker.
fn fetch(request: &Request) -> Result<Promise, Error> {
    // The global `fetch` as it is at the call (a page may have replaced it),
    // with whatever it does caught: a replacement that throws is a failed
    // download with a sentence, and one that returns something other than a
    // Promise is taken as `Promise.resolve` takes it. (web-sys's binding
    // would let the exception unwind through the wasm, leaving the run and
    // the widget half-changed, and `JsFuture` would call a missing `then`.)
    if !js_sys::Reflect::has(&js_sys::global(), &"fetch".into()).unwrap_or(false) {
        return Err(Error::Setup("this JavaScript environment has no fetch".into()));
    }
    let answer = global_fetch(request).map_err(|e| {
        Error::Setup(format!(
            "The page's fetch function threw before a request for {} could start ({}): a script on \
             the page has replaced window.fetch with one that fails.",
            crate::error::cut(&request.url()),
            js_message(&e)
        ))
    })?;
    Ok(Promise::resolve(&answer))
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(request: &Request) -> Result<JsValue, JsValue>;
}

/// Reads the body chunk by chunk, counting bytes and keeping the first
/// `keep`; stops with an error past `limit`.
async fn read_body(
    url: &str,
    response: &Response,
    limit: u64,
    keep: usize,
    progress: impl Fn(u64),
) -> Result<(u64, Vec<u8>), Error> {
    let body_error = |e: JsValue| Error::Body {
        url: url.to_string(),
        detail: js_message(&e),
    };
    let Some(stream) = response.body() else {
        return Ok((0, Vec::new()));
    };
    let reader: ReadableStreamDefaultReader = stream
        .get_reader()
        .dyn_into()
        .map_err(|_| Error::Setup("the body stream gave no default reader".into()))?;
    let mut bytes: u64 = 0;
    let mut head = Vec::with_capacity(keep.min(PREVIEW_BYTES));
    loop {
        let more = || format!("more bytes of {} (read so far: {bytes})", crate::error::cut(url));
        let chunk = Described::new(JsFuture::from(reader.read()), more)
            .await
            .map_err(body_error)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).map_err(body_error)?;
        if done.as_bool().unwrap_or(true) {
            break;
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).map_err(body_error)?;
        let Some(array) = value.dyn_ref::<Uint8Array>() else {
            continue;
        };
        let len = array.length();
        if head.len() < keep {
            let take = (keep - head.len()).min(len as usize) as u32;
            head.extend(array.subarray(0, take).to_vec());
        }
        bytes += u64::from(len);
        progress(bytes);
        if bytes > limit {
            // Stop reading; the guard in `download_limited` aborts the request.
            let _ = reader.cancel();
            return Err(Error::BodyTooLarge {
                url: url.to_string(),
                limit,
            });
        }
    }
    Ok((bytes, head))
}

/// The start of a text body, made safe to show as one line; `None` if the
/// body looks binary.
fn preview(content_type: &str, head: &[u8]) -> Option<String> {
    let textual_type = content_type.is_empty()
        || content_type.starts_with("text/")
        || content_type.contains("json")
        || content_type.contains("xml")
        || content_type.contains("javascript");
    let text = String::from_utf8_lossy(head);
    // A cut multi-byte character at the end is not a sign of binary data.
    let text = text.trim_end_matches('\u{fffd}');
    let binary = text
        .chars()
        .any(|c| c == '\u{fffd}' || (c.is_control() && !c.is_whitespace()));
    if !textual_type || binary {
        return None;
    }
    let mut line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if head.len() >= PREVIEW_BYTES {
        line.push('…');
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use super::preview;

    #[test]
    fn text_bodies_preview_on_one_line() {
        assert_eq!(
            preview("text/plain", b"waited\n 300 ms"),
            Some("waited 300 ms".into())
        );
    }

    #[test]
    fn binary_bodies_have_no_preview() {
        assert_eq!(preview("application/octet-stream", b"abc"), None);
        assert_eq!(preview("text/plain", &[0, 159, 146, 150]), None);
    }

    #[test]
    fn a_full_head_is_cut_with_an_ellipsis_even_mid_character() {
        let mut head = vec![b'a'; super::PREVIEW_BYTES - 1];
        head.push("é".as_bytes()[0]);
        let p = preview("text/plain", &head).expect("text, not binary");
        assert!(p.ends_with("a…"), "{p}");
    }
}
