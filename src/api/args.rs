//! Reading the arguments JavaScript callers pass: every value checked, every
//! read that could throw (a getter, a Proxy) caught, so that a Promise of the
//! API rejects with a sentence and never hangs.

use std::collections::BTreeMap;

use wasm_bindgen::prelude::*;

use super::{module_base, page_base};
use crate::error::Error;
use crate::lessons::Params;

/// `params` (a `LessonParams` object, or `undefined`) as a lesson's
/// parameters: relative URLs against the page, the lesson's default URLs
/// against the module.
///
/// # Errors
/// A sentence if `params` is not an object, a value is neither a string nor
/// a finite number (an array of URLs must not fall back to the defaults
/// unnoticed), or reading it throws (a getter, a Proxy trap): a caller's
/// hostile object must make the Promise reject, never hang it.
pub(crate) fn try_lesson_params(params: &JsValue) -> Result<Params, Error> {
    let mut values = BTreeMap::new();
    if !(params.is_undefined() || params.is_null()) {
        if !params.is_object() {
            return Err(Error::Usage(format!(
                "The parameters must be an object such as {{ \"delay-ms\": 500 }}, not {}.",
                describe(params)
            )));
        }
        let threw = |e: JsValue| {
            Error::Js(format!(
                "Reading the parameters threw: {}",
                crate::error::js_message(&e)
            ))
        };
        let keys = js_sys::Reflect::own_keys(params.unchecked_ref()).map_err(threw)?;
        for key in keys.iter() {
            let Some(name) = key.as_string() else { continue }; // symbols
            let value = js_sys::Reflect::get(params, &key).map_err(threw)?;
            let text = match (value.as_string(), value.as_f64()) {
                (Some(text), _) => text,
                (None, Some(n)) if n.is_finite() => crate::fixed::js_number(n),
                _ if value.is_undefined() => continue,
                _ => {
                    return Err(Error::Usage(format!(
                        "Parameter {}: expected a string or a number, not {}.",
                        crate::error::quote(&name),
                        describe(&value)
                    )))
                }
            };
            values.insert(name, text);
        }
    }
    Ok(Params::new(values, &page_base(), &module_base()))
}

/// `urls` as a list of strings, read so that nothing it does can throw past
/// the Promise (a Proxy, a getter): a wrong value is a sentence.
pub(super) fn url_list(urls: &JsValue) -> Result<Vec<String>, Error> {
    if !js_sys::Array::is_array(urls) {
        return Err(Error::Usage(format!(
            "fetchAll needs an array of URL strings, not {}.",
            describe(urls)
        )));
    }
    let threw = |e: JsValue| {
        Error::Js(format!(
            "Reading the URLs threw: {}",
            crate::error::js_message(&e)
        ))
    };
    let length = js_sys::Reflect::get(urls, &"length".into()).map_err(threw)?;
    let length = length.as_f64().unwrap_or(0.0);
    if length > crate::lessons::MAX_FETCH_URLS as f64 {
        return Err(Error::Usage(format!(
            "fetchAll takes at most {} URLs, not {}.",
            crate::lessons::MAX_FETCH_URLS,
            crate::fixed::js_number(length)
        )));
    }
    (0..length as u32)
        .map(|i| {
            let url = js_sys::Reflect::get_u32(urls, i).map_err(threw)?;
            url.as_string().ok_or_else(|| {
                Error::Usage(format!(
                    "URL {} of fetchAll is {}, not a string.",
                    i + 1,
                    describe(&url)
                ))
            })
        })
        .collect()
}

/// What kind of JavaScript value `value` is, for a sentence.
pub(super) fn describe(value: &JsValue) -> String {
    if js_sys::Array::is_array(value) {
        "an array".into()
    } else if value.is_function() {
        "a function".into()
    } else if value.is_object() {
        "an object".into()
    } else if let Some(n) = value.as_f64() {
        format!("the number {}", crate::fixed::js_number(n))
    } else if let Some(b) = value.as_bool() {
        format!("{b}")
    } else if value.is_null() {
        "null".into()
    } else {
        value
            .js_typeof()
            .as_string()
            .map_or_else(|| "that value".into(), |t| format!("a {t}"))
    }
}
