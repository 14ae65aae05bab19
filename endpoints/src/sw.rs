//! The C ABI that the static build's Service Worker (`www/sw.js`) calls:
//! see the crate's documentation. One request at a time: a Service Worker
//! runs its handlers on one thread, and each call here finishes before it
//! returns.

use std::cell::RefCell;
use std::fmt::Write as _;

use crate::{Endpoint, Flaky, Query, Sentence};

thread_local! {
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static FLAKY: RefCell<Flaky> = RefCell::new(Flaky::default());
}

/// A buffer of `len` bytes for the request (`METHOD\npath\nquery`).
#[no_mangle]
pub extern "C" fn input(len: usize) -> *mut u8 {
    INPUT.with_borrow_mut(|input| {
        input.clear();
        input.resize(len, 0);
        input.as_mut_ptr()
    })
}

/// Where the last answer ([`ask`], [`binary_chunk`]) is.
#[no_mangle]
pub extern "C" fn output() -> *const u8 {
    OUTPUT.with_borrow(|output| output.as_ptr())
}

/// Reads the request in the input buffer; its answer, one line of JSON, is
/// at [`output`], and this is its length:
/// - `{"sentence":{"status":…,"reason":…,"text":…},"counted":…}`: an answer
///   of one sentence (a refusal, `status`, `flaky`), and whether the request
///   counts in `stats`;
/// - `{"delay":ms,"text":…}`, `{"drip":{"bytes":…,"steps":…,"interval":…}}`,
///   `{"binary":bytes}`: a body the worker makes over time;
/// - `{"stats":true}`, `{"reset":true}`: the worker's own counters.
#[no_mangle]
pub extern "C" fn ask() -> usize {
    let request = INPUT.with_borrow(|input| String::from_utf8_lossy(input).into_owned());
    let mut lines = request.splitn(3, '\n');
    let (method, path, query) = (
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
        lines.next().unwrap_or_default(),
    );
    let answer = answer(method, path, query);
    OUTPUT.with_borrow_mut(|output| {
        *output = answer.into_bytes();
        output.len()
    })
}

fn answer(method: &str, path: &str, query: &str) -> String {
    let (endpoint, param) = match crate::route(method, path) {
        Ok(found) => found,
        Err(refused) => return sentence(&refused, false),
    };
    let param = param.unwrap_or_default();
    let query = Query::parse(query);
    let counted = endpoint.counted();
    let made = match endpoint {
        Endpoint::Delay => {
            crate::delay(param).map(|ms| format!(r#"{{"delay":{ms},"text":{}}}"#, json(&crate::waited(ms))))
        }
        Endpoint::Drip => crate::drip(&query).map(|d| {
            format!(
                r#"{{"drip":{{"bytes":{},"steps":{},"interval":{}}}}}"#,
                d.bytes, d.steps, d.interval_ms
            )
        }),
        Endpoint::Binary => crate::binary(&query).map(|bytes| format!(r#"{{"binary":{bytes}}}"#)),
        Endpoint::Status => Err(crate::status(param)),
        Endpoint::Flaky => Err(FLAKY.with_borrow_mut(|flaky| flaky.answer(&query))),
        Endpoint::Stats => Ok(r#"{"stats":true}"#.to_string()),
        Endpoint::Reset => Ok(r#"{"reset":true}"#.to_string()),
    };
    made.unwrap_or_else(|said| sentence(&said, counted))
}

fn sentence(said: &Sentence, counted: bool) -> String {
    // hyper writes "<none>" where a status has no phrase (299).
    let reason = Some(crate::reason(said.status)).filter(|r| !r.is_empty());
    format!(
        r#"{{"sentence":{{"status":{},"reason":{},"text":{}}},"counted":{counted}}}"#,
        said.status,
        json(reason.unwrap_or("<none>")),
        json(&said.text)
    )
}

/// `text` as a JSON string.
fn json(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The bytes of step `step` of a drip of `bytes` in `steps` steps.
#[no_mangle]
pub extern "C" fn drip_step(bytes: u32, steps: u32, step: u32) -> u32 {
    let drip = crate::Drip {
        bytes: bytes.into(),
        steps: u64::from(steps).max(1),
        interval_ms: 0,
    };
    drip.step_bytes(step.into()) as u32
}

/// Bytes `start..start + len` of a `binary` body, at [`output`].
#[no_mangle]
pub extern "C" fn binary_chunk(start: u32, len: u32) -> *const u8 {
    OUTPUT.with_borrow_mut(|output| {
        output.clear();
        output.extend((u64::from(start)..u64::from(start) + u64::from(len)).map(crate::binary_byte));
        output.as_ptr()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_are_json_lines() {
        assert_eq!(
            super::answer("GET", "delay/5", ""),
            r#"{"delay":5,"text":"waited 5 ms"}"#
        );
        assert_eq!(
            super::answer("GET", "nope", ""),
            r#"{"sentence":{"status":404,"reason":"Not Found","text":"No such endpoint under /async-demo-api/."},"counted":false}"#
        );
        assert_eq!(
            super::answer("GET", "status/%22", ""),
            r#"{"sentence":{"status":400,"reason":"Bad Request","text":"The status must be a whole number from 200 to 599, in the digits 0–9 alone; got “\"”."},"counted":true}"#
        );
        assert!(super::answer("GET", "status/299", "").contains(r#""status":299,"reason":"<none>""#));
        assert_eq!(super::json("a\u{1}\\"), r#""a\u0001\\""#);
    }
}
