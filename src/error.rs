//! One error type for everything a lesson's task can run into.
//!
//! JavaScript exceptions are turned into [`Error`] once, where they cross into
//! Rust ([`js_message`]); the rest of the crate only sees readable sentences.

use std::fmt;

use wasm_bindgen::{JsCast, JsValue};

/// Why a task (or a whole run) failed. `Display` gives the sentence the widget
/// shows and the report carries in a task's `error` field.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The text is not a URL the browser can fetch.
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// `fetch` rejected: the host is unreachable, refused the connection, or
    /// the response was withheld by CORS. Browsers deliberately do not say which.
    Network {
        /// The URL that could not be fetched.
        url: String,
        /// The browser's own message.
        detail: String,
    },
    /// The server answered with a status outside 200–299.
    Http {
        /// The URL that answered.
        url: String,
        /// HTTP status code.
        status: u16,
        /// The status line's reason phrase, when the browser exposes one.
        status_text: String,
        /// A sentence after the failure, or empty: where the widget's own
        /// endpoints are, for a 404 that looks meant for them ([`api_hint`]).
        hint: String,
    },
    /// The body grew past the limit a lesson sets; the download was stopped.
    BodyTooLarge {
        /// The URL being read.
        url: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// Reading the body failed after the response had started.
    Body {
        /// The URL being read.
        url: String,
        /// The browser's own message.
        detail: String,
    },
    /// A deadline passed before the task finished.
    TimedOut {
        /// The deadline, in milliseconds.
        after_ms: u32,
    },
    /// A widget attribute or parameter is out of range or not a number.
    Param {
        /// The attribute's name, e.g. `delay-ms`.
        name: String,
        /// The text that was given.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A caller of the JavaScript API passed something unusable.
    Usage(String),
    /// The Web Worker could not start, failed or went away.
    Worker(String),
    /// The page lacks something the lesson needs (no fetch, no JavaScript
    /// side for the bridge lesson).
    Setup(String),
    /// Any other JavaScript exception, by its message.
    Js(String),
    /// A sandbox program's own failure (`fail("why")`), or what stopped it
    /// at run time (a number out of range, too many futures), as said.
    Program(String),
}

/// Quoted input is cut to this many characters: a sentence that repeats a
/// 10,000-character attribute or a megabyte `data:` URL is read by nobody.
const QUOTE_MAX_CHARS: usize = 80;

/// `text` as it appears in a sentence: whole if short, otherwise its first
/// [`QUOTE_MAX_CHARS`] characters, "…" and its length.
pub fn cut(text: &str) -> std::borrow::Cow<'_, str> {
    cut_to(text, QUOTE_MAX_CHARS)
}

/// `text` whole if it has at most `max` characters, otherwise its first
/// `max`, "…" and its length.
pub fn cut_to(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((end, _)) => format!("{}… ({} characters)", &text[..end], text.chars().count()).into(),
    }
}

/// `text` in double quotes, [`cut`] to a readable length.
pub fn quote(text: &str) -> String {
    format!("\"{}\"", cut(text))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidUrl { url, reason } => {
                write!(f, "“{}” is not a URL that can be fetched: {reason}.", cut(url))
            }
            Error::Network { url, detail } => write!(
                f,
                "Could not reach {}: the browser reports a network failure ({detail}). \
                 The host may be down or refuse the connection; or, if it is another origin, it \
                 may not allow this page (CORS), or the browser's local-network protection may \
                 have blocked a request to a private or loopback address.",
                cut(url)
            ),
            Error::Http {
                url,
                status,
                status_text,
                hint,
            } => {
                let reason = if status_text.is_empty() {
                    status_reason(*status)
                } else {
                    status_text
                };
                write!(
                    f,
                    "{} answered HTTP {status} {reason}: the download failed.",
                    cut(url)
                )?;
                if !hint.is_empty() {
                    write!(f, " {hint}")?;
                }
                Ok(())
            }
            Error::BodyTooLarge { url, limit } => {
                write!(
                    f,
                    "{} sent more than {limit} bytes; the download was stopped there.",
                    cut(url)
                )
            }
            Error::Body { url, detail } => write!(f, "Reading the body of {} failed: {detail}.", cut(url)),
            Error::TimedOut { after_ms } => {
                write!(f, "Timed out after {after_ms} ms; the request was cancelled.")
            }
            Error::Param {
                name,
                value,
                expected,
            } => {
                write!(
                    f,
                    "Attribute {}={} is not usable: expected {expected}.",
                    cut(name),
                    quote(value)
                )
            }
            Error::Usage(message)
            | Error::Worker(message)
            | Error::Setup(message)
            | Error::Js(message)
            | Error::Program(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

impl From<Error> for JsValue {
    fn from(error: Error) -> JsValue {
        js_sys::Error::new(&error.to_string()).into()
    }
}

/// The readable message of a thrown JavaScript value: an `Error`'s message,
/// a thrown string as is, anything else as the debug form of the value.
pub fn js_message(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        let name = String::from(error.name());
        let message = String::from(error.message());
        if name.is_empty() || name == "Error" {
            message
        } else {
            format!("{name}: {message}")
        }
    } else if let Some(text) = value.as_string() {
        text
    } else {
        format!("{value:?}")
    }
}

/// Turns any thrown JavaScript value into [`Error::Js`].
pub fn js_to_error(value: JsValue) -> Error {
    Error::Js(js_message(&value))
}

/// For a download that answered `status` at `url`: a sentence saying where
/// the widget's own endpoints are (`api`, the URL of its `async-demo-api/`
/// folder), when the URL looks meant for one of them (by its name, under
/// `async-demo-api/` or `api/`, their folder's name before) but is
/// elsewhere. A site with
/// directory URLs (`gather/index.html`) turns a page-relative
/// `api/delay/300` into `gather/api/delay/300`, a 404 that otherwise says
/// nothing of why. Empty for any other answer.
pub fn api_hint(url: &str, status: u16, api: &str) -> String {
    if status != 404 || api.is_empty() || url.starts_with(api) {
        return String::new();
    }
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let segments: Vec<&str> = path.split('/').collect();
    let meant = segments.windows(2).any(|pair| {
        matches!(pair[0], "async-demo-api" | "api")
            && endpoints::Endpoint::ALL.iter().any(|e| e.name() == pair[1])
    });
    if !meant {
        return String::new();
    }
    format!(
        "This widget's own endpoints are at {}: written as async-demo-api/… (with nothing before it), \
         a URL in urls resolves there from any page.",
        cut(api)
    )
}

/// The standard reason phrase, for browsers that leave `statusText` empty
/// (HTTP/2 has none): the one the dev server and the Service Worker send
/// (the `endpoints` crate's, hyper's).
fn status_reason(status: u16) -> &'static str {
    endpoints::reason(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_input_is_cut_in_sentences() {
        let long = "x".repeat(10_000);
        let sentence = Error::Param {
            name: "delay-ms".into(),
            value: long.clone(),
            expected: "a whole number".into(),
        }
        .to_string();
        assert!(sentence.len() < 200, "{sentence}");
        assert!(sentence.contains("(10000 characters)"), "{sentence}");
        let url = format!("data:text/plain,{}", "é".repeat(5000));
        let sentence = Error::Http {
            url,
            status: 500,
            status_text: String::new(),
            hint: String::new(),
        }
        .to_string();
        assert!(sentence.chars().count() < 200, "{sentence}");
        assert_eq!(quote("short"), "\"short\"");
    }

    #[test]
    fn http_error_names_status_and_reason_even_without_status_text() {
        let e = Error::Http {
            url: "http://h/x".into(),
            status: 503,
            status_text: String::new(),
            hint: String::new(),
        };
        assert_eq!(
            e.to_string(),
            "http://h/x answered HTTP 503 Service Unavailable: the download failed."
        );
    }

    #[test]
    fn a_404_meant_for_the_widgets_endpoints_says_where_they_are() {
        let api = "http://h/site/async-demo-api/";
        // Directory URLs: a page-relative URL under the page's own folder.
        for url in [
            "http://h/site/gather/api/delay/300",
            "http://h/site/gather/async-demo-api/delay/300?x=1",
            "http://h/async-demo-api/stats",
        ] {
            let hint = api_hint(url, 404, api);
            assert_eq!(
                hint,
                "This widget's own endpoints are at http://h/site/async-demo-api/: written as \
                 async-demo-api/… (with nothing before it), a URL in urls resolves there from any page.",
                "{url}"
            );
            let sentence = Error::Http {
                url: url.into(),
                status: 404,
                status_text: "Not Found".into(),
                hint,
            }
            .to_string();
            assert!(
                sentence.starts_with(&format!(
                    "{url} answered HTTP 404 Not Found: the download failed. This widget's"
                )),
                "{sentence}"
            );
        }
        // Not for the widget's own folder, another status, or another path.
        assert_eq!(api_hint("http://h/site/async-demo-api/delay/x", 404, api), "");
        assert_eq!(api_hint("http://h/site/gather/api/delay/300", 500, api), "");
        assert_eq!(api_hint("http://h/site/api/users/3", 404, api), "");
        assert_eq!(api_hint("http://h/site/gather/api/delay/300", 404, ""), "");
    }

    #[test]
    fn param_error_quotes_the_bad_value() {
        let e = Error::Param {
            name: "delay-ms".into(),
            value: "soon".into(),
            expected: "a whole number".into(),
        };
        assert!(e.to_string().contains("delay-ms=\"soon\""));
    }
}
