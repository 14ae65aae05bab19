//! How a request's text is read: a path segment, a query string, a
//! number in the digits 0–9 alone; and how it is quoted back in a sentence.

use std::collections::HashMap;

use crate::Sentence;

/// A path segment percent-decoded; where it is not valid UTF-8 once
/// decoded (`%ff`) or holds a `%` not followed by two hex digits, the
/// segment as sent, so that the endpoint's own check refuses it with its
/// sentence.
pub fn segment(text: &str) -> String {
    percent_decode(text)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .unwrap_or_else(|| text.to_string())
}

/// `text` percent-decoded; None where a `%` is not followed by two hex digits.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
                continue;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Some(out)
}

/// A query string read as a browser's `URLSearchParams` reads it:
/// `application/x-www-form-urlencoded`, `+` as a space, bytes that are not
/// UTF-8 as U+FFFD; of a name given twice, the last value.
#[derive(Debug, Default, Clone)]
pub struct Query(HashMap<String, String>);

impl Query {
    /// `raw`: the query as sent, without its `?`.
    pub fn parse(raw: &str) -> Self {
        let decode = |text: &str| String::from_utf8_lossy(&lenient(text)).into_owned();
        let pairs = raw.split('&').filter(|pair| !pair.is_empty()).map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        });
        Query(pairs.collect())
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// Percent-decoding as URLSearchParams does it: a `%` not followed by two
/// hex digits is kept as it is.
fn lenient(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (b, _) => out.push(b),
        }
        i += 1;
    }
    out
}

/// `text` cut to a readable length for quoting in a sentence (64 characters).
pub fn quote(text: &str) -> String {
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
pub fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// `text` as a whole number from 0 to `max`, or the 400 that says what
/// `what` must be (in `unit`s).
pub fn number(what: &str, text: &str, max: u64, unit: &str) -> Result<u64, Sentence> {
    match digits(text) {
        Some(n) if n <= max => Ok(n),
        _ => Err(Sentence::new(
            400,
            format!(
                "{what} must be a whole number of {unit} from 0 to {max}, in the digits 0–9 alone; got “{}”.",
                quote(text)
            ),
        )),
    }
}

/// Parameter `name` of `query` as a whole number from 0 to `max`
/// (`default` when it is not given), or the 400 that says so.
pub fn query_number(query: &Query, name: &str, default: u64, max: u64, unit: &str) -> Result<u64, Sentence> {
    match query.get(name) {
        None => Ok(default),
        Some(text) => number(&format!("Parameter {name}"), text, max, unit),
    }
}
