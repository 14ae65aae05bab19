//! Widget attributes as lesson parameters: parsed when a run starts, with a
//! sentence for anything out of range.

use std::collections::BTreeMap;

use crate::error::Error;

/// The most URLs a lesson takes: each becomes a row and a real request (two
/// in the lessons that compare ways), so a page cannot start hundreds.
pub const MAX_URLS: usize = 50;

/// The widget's own endpoints' folder, next to `async-demo.js`: the dev
/// server's, or the one its Service Worker answers in a static build.
pub const API_FOLDER: &str = "async-demo-api/";

/// One attribute a lesson reads.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// The attribute name, e.g. `delay-ms`.
    pub name: &'static str,
    /// The form label.
    pub label: &'static str,
    /// Used when the attribute is absent or empty.
    pub default: &'static str,
    /// What it holds.
    pub kind: ParamKind,
}

/// The kinds of parameter.
#[derive(Debug, Clone, Copy)]
pub enum ParamKind {
    /// A whole number from `min` to `max`.
    Number {
        /// Smallest accepted.
        min: u32,
        /// Largest accepted.
        max: u32,
    },
    /// A whole number from `min` to `max`, shown as a slider.
    Range {
        /// Smallest accepted.
        min: u32,
        /// Largest accepted.
        max: u32,
    },
    /// Space-separated URLs, relative to the page (defaults: relative to the
    /// widget's module, so that the dev server's endpoints are found from
    /// any page).
    Urls,
    /// A sandbox program: text, edited in the widget's editor.
    Program,
}

/// The attribute values of one run, and the bases for relative URLs.
#[derive(Debug, Clone, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
    page_base: String,
    default_base: String,
}

impl Params {
    /// `values` by attribute name; relative URLs given by the user resolve
    /// against `page_base`, the lesson's default URLs against `default_base`.
    pub fn new(values: BTreeMap<String, String>, page_base: &str, default_base: &str) -> Self {
        Params {
            values,
            page_base: page_base.to_string(),
            default_base: default_base.to_string(),
        }
    }

    fn given(&self, param: &Param) -> Option<&str> {
        self.values
            .get(param.name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The text of `param` as given (not trimmed: a program's lines count),
    /// or its default when absent or blank. A program given empty stays
    /// empty: an emptied editor holds no program, not the default one.
    pub fn text(&self, param: &Param) -> String {
        match self.values.get(param.name) {
            Some(text) if matches!(param.kind, ParamKind::Program) => text.clone(),
            Some(text) if !text.trim().is_empty() => text.clone(),
            _ => param.default.to_string(),
        }
    }

    /// The URL of the widget's folder (where `async-demo.js` is), against
    /// which the lessons' own URLs resolve.
    pub fn module_base(&self) -> &str {
        &self.default_base
    }

    /// The number in `param`, or its default.
    ///
    /// # Errors
    /// [`Error::Param`] if it is not a whole number within the range.
    pub fn number(&self, param: &Param) -> Result<u32, Error> {
        let (ParamKind::Number { min, max } | ParamKind::Range { min, max }) = param.kind else {
            debug_assert!(false, "{} is not a number parameter: this is a bug", param.name);
            return Err(Error::Setup(format!("{} is not a number parameter", param.name)));
        };
        let text = self.given(param).unwrap_or(param.default);
        let bad = || Error::Param {
            name: param.name.to_string(),
            value: text.to_string(),
            expected: format!("a whole number from {min} to {max}"),
        };
        // Digits only: Rust's parse would also take "+5", which no form or
        // attribute should pass off as a plain number.
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let value: u32 = text.parse().map_err(|_| bad())?;
        if (min..=max).contains(&value) {
            Ok(value)
        } else {
            Err(bad())
        }
    }

    /// Checks each of `params` as the lesson will read it (a number in its
    /// range, at most [`MAX_URLS`] URLs), so that a run can be refused
    /// before it clears anything. A program is checked by the sandbox.
    ///
    /// # Errors
    /// The first parameter's [`Error::Param`].
    pub fn check(&self, params: &[Param]) -> Result<(), Error> {
        for param in params {
            match param.kind {
                ParamKind::Number { .. } | ParamKind::Range { .. } => {
                    self.number(param)?;
                }
                ParamKind::Urls => {
                    self.urls(param)?;
                }
                ParamKind::Program => {}
            }
        }
        Ok(())
    }

    /// The URLs in `param`, resolved to absolute URLs. Text that cannot be
    /// resolved is passed through as it is, so that the one download it
    /// affects fails with a clear error and the others still run.
    ///
    /// A given URL resolves against the page, as any attribute's does,
    /// except one that starts with `async-demo-api/`: that folder is the
    /// widget's own (no site has one by chance), so it resolves against the
    /// widget's folder, as the defaults do, and means the same endpoints on
    /// every page of a site, however deep (`gather/index.html` included).
    ///
    /// # Errors
    /// [`Error::Param`] for more than [`MAX_URLS`] URLs.
    pub fn urls(&self, param: &Param) -> Result<Vec<String>, Error> {
        let (text, given) = match self.given(param) {
            Some(text) => (text, true),
            None => (param.default, false),
        };
        let base = |url: &str| {
            if given && !url.starts_with(API_FOLDER) {
                &self.page_base
            } else {
                &self.default_base
            }
        };
        let urls: Vec<&str> = text.split_whitespace().collect();
        if urls.len() > MAX_URLS {
            return Err(Error::Param {
                name: param.name.to_string(),
                value: format!("{} URLs", urls.len()),
                expected: format!("at most {MAX_URLS} space-separated URLs"),
            });
        }
        Ok(urls.into_iter().map(|u| resolve(u, base(u))).collect())
    }

    /// Whether the run takes `param` at its default: absent or empty, or
    /// given as the same number, or as URLs that resolve to the default ones.
    pub fn is_default(&self, param: &Param) -> bool {
        if matches!(param.kind, ParamKind::Program) {
            return self.text(param) == param.default;
        }
        if self.given(param).is_none() {
            return true;
        }
        match param.kind {
            ParamKind::Number { .. } | ParamKind::Range { .. } => {
                self.number(param).ok() == param.default.parse().ok()
            }
            ParamKind::Program => unreachable!("answered above"),
            ParamKind::Urls => {
                let defaults: Vec<String> = param
                    .default
                    .split_whitespace()
                    .map(|u| resolve(u, &self.default_base))
                    .collect();
                self.urls(param).ok() == Some(defaults)
            }
        }
    }

    /// `path` (a lesson's own default URL) resolved like a default URL:
    /// against the widget's module, so the dev server is found from any page.
    pub fn resolve_default(&self, path: &str) -> String {
        resolve(path, &self.default_base)
    }

    /// The value shown in the form for `param`: as given, or the default.
    /// Default URLs are shown resolved (absolute): they are relative to the
    /// widget's module, while what a person types is relative to the page,
    /// so an edited default must not change what it points at.
    pub fn shown(&self, param: &Param) -> String {
        match (self.given(param), param.kind) {
            (_, ParamKind::Program) => self.text(param),
            (Some(given), _) => given.to_string(),
            (None, ParamKind::Urls) => param
                .default
                .split_whitespace()
                .map(|u| resolve(u, &self.default_base))
                .collect::<Vec<_>>()
                .join(" "),
            (None, _) => param.default.to_string(),
        }
    }

    /// Whether `lesson`'s downloads go to the widget's own `async-demo-api/` endpoints:
    /// its default URLs, `urls` that point there, or endpoints it calls by
    /// itself ([`Lesson::endpoints`](crate::lessons::Lesson::endpoints)).
    pub fn relies_on_module_api(&self, lesson: &crate::lessons::Lesson) -> bool {
        let api = format!("{}{API_FOLDER}", self.default_base);
        let urls = lesson.params.iter().find(|p| matches!(p.kind, ParamKind::Urls));
        !lesson.endpoints.is_empty()
            || urls.is_some_and(|urls| {
                self.given(urls).is_none()
                    || self
                        .urls(urls)
                        .is_ok_and(|all| all.iter().any(|u| u.starts_with(&api)))
            })
    }

    /// A sentence for each attribute that is not `lesson`, a global HTML
    /// attribute or one of `reads`: a typo such as `timout-ms` must not pass
    /// silently.
    pub fn unread(&self, lesson: &str, reads: &[Param]) -> Vec<String> {
        // `theme` is the element's own (light, dark or auto), read by async-demo.js.
        const GLOBAL: [&str; 15] = [
            "lesson", "autorun", "theme", "id", "class", "style", "title", "hidden", "lang", "dir",
            "tabindex", "slot", "part", "role", "is",
        ];
        let known = |name: &str| {
            GLOBAL.contains(&name)
                || name.starts_with("data-")
                || name.starts_with("aria-")
                || reads.iter().any(|p| p.name == name)
        };
        let names: Vec<&str> = reads.iter().map(|p| p.name).collect();
        let reads = if names.is_empty() {
            "no parameters".to_string()
        } else {
            names.join(", ")
        };
        self.values
            .keys()
            .filter(|name| !known(name))
            .map(|name| {
                format!(
                    "The attribute {} is not read by the {lesson} lesson and has no effect (it reads {reads}).",
                    crate::error::quote(name)
                )
            })
            .collect()
    }
}

#[cfg(target_arch = "wasm32")]
fn resolve(url: &str, base: &str) -> String {
    web_sys::Url::new_with_base(url, base)
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_string())
}

#[cfg(not(target_arch = "wasm32"))]
fn resolve(url: &str, base: &str) -> String {
    if url.contains("://") {
        url.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), url.trim_start_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DELAY: Param = Param {
        name: "delay-ms",
        label: "delay",
        default: "2000",
        kind: ParamKind::Number { min: 0, max: 30_000 },
    };
    const URLS: Param = Param {
        name: "urls",
        label: "URLs",
        default: "async-demo-api/a async-demo-api/b",
        kind: ParamKind::Urls,
    };

    fn params(pairs: &[(&str, &str)]) -> Params {
        let values = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Params::new(values, "http://page/", "http://module/")
    }

    #[test]
    fn a_value_that_reads_as_the_default_is_the_default() {
        assert!(params(&[]).is_default(&DELAY));
        assert!(params(&[("delay-ms", " 2000 ")]).is_default(&DELAY));
        assert!(!params(&[("delay-ms", "1200")]).is_default(&DELAY));
        assert!(!params(&[("delay-ms", "soon")]).is_default(&DELAY));
        assert!(params(&[("urls", "")]).is_default(&URLS));
        // Typed URLs resolve against the page, the defaults (and any
        // `async-demo-api/…`) against the module.
        assert!(params(&[(
            "urls",
            "http://module/async-demo-api/a http://module/async-demo-api/b"
        )])
        .is_default(&URLS));
        assert!(params(&[("urls", "async-demo-api/a async-demo-api/b")]).is_default(&URLS));
        assert!(!params(&[("urls", "./async-demo-api/a ./async-demo-api/b")]).is_default(&URLS));
        assert!(!params(&[("urls", "http://module/async-demo-api/a")]).is_default(&URLS));
    }

    #[test]
    fn a_program_given_empty_stays_empty() {
        use crate::lessons::PROGRAM;
        assert_eq!(params(&[]).text(&PROGRAM), PROGRAM.default);
        assert!(params(&[]).is_default(&PROGRAM));
        assert_eq!(params(&[("program", "")]).text(&PROGRAM), "");
        assert!(!params(&[("program", "")]).is_default(&PROGRAM));
        assert_eq!(params(&[("program", " \n")]).text(&PROGRAM), " \n");
    }

    #[test]
    fn absent_or_blank_means_default() {
        assert_eq!(params(&[]).number(&DELAY).expect("the test sets this up"), 2000);
        assert_eq!(
            params(&[("delay-ms", "  ")])
                .number(&DELAY)
                .expect("the test sets this up"),
            2000
        );
        assert_eq!(
            params(&[("delay-ms", " 15 ")])
                .number(&DELAY)
                .expect("the test sets this up"),
            15
        );
    }

    #[test]
    fn absurd_numbers_are_refused_with_the_range() {
        for bad in [
            "-5",
            "+5",
            "abc",
            "1e9",
            "30001",
            "2.5",
            "99999999999999",
            "0x10",
            "５",
        ] {
            let err = params(&[("delay-ms", bad)]).number(&DELAY).unwrap_err();
            assert_eq!(
                err.to_string(),
                format!(
                    "Attribute delay-ms=\"{bad}\" is not usable: expected a whole number from 0 to 30000."
                )
            );
        }
    }

    #[test]
    fn default_urls_are_shown_absolute_so_editing_them_keeps_their_target() {
        assert_eq!(
            params(&[]).shown(&URLS),
            "http://module/async-demo-api/a http://module/async-demo-api/b"
        );
        assert_eq!(params(&[("urls", "x")]).shown(&URLS), "x");
        assert_eq!(params(&[]).shown(&DELAY), "2000");
    }

    #[test]
    fn a_lesson_relies_on_the_module_api_through_its_defaults_or_urls_there() {
        let gather = crate::lessons::find("gather").expect("gather");
        assert!(params(&[]).relies_on_module_api(gather));
        assert!(params(&[("urls", "http://module/async-demo-api/delay/5")]).relies_on_module_api(gather));
        assert!(!params(&[("urls", "https://example.org/x")]).relies_on_module_api(gather));
        let sleep = crate::lessons::find("sleep").expect("sleep");
        assert!(!params(&[]).relies_on_module_api(sleep));
        let errors = crate::lessons::find("errors").expect("errors");
        assert!(params(&[("urls", "https://example.org/x")]).relies_on_module_api(errors));
    }

    #[test]
    fn attributes_the_lesson_does_not_read_get_a_sentence() {
        let p = params(&[
            ("delay-ms", "5"),
            ("timout-ms", "9"),
            ("data-x", "1"),
            ("class", "c"),
            ("lesson", "l"),
        ]);
        assert_eq!(
            p.unread("sleep", &[DELAY]),
            vec!["The attribute \"timout-ms\" is not read by the sleep lesson and has no effect (it reads delay-ms)."]
        );
        assert!(params(&[("urls", "x")]).unread("gather", &[URLS]).is_empty());
    }

    #[test]
    fn default_urls_and_the_widgets_own_folder_resolve_against_the_module_and_the_rest_against_the_page() {
        assert_eq!(
            params(&[]).urls(&URLS).expect("the test sets this up"),
            vec!["http://module/async-demo-api/a", "http://module/async-demo-api/b"]
        );
        assert_eq!(
            params(&[("urls", "x  y")])
                .urls(&URLS)
                .expect("the test sets this up"),
            vec!["http://page/x", "http://page/y"]
        );
        // The widget's own folder is the widget's wherever the page is
        // (`../async-demo-api/` and `/async-demo-api/` stay as written).
        assert_eq!(
            params(&[(
                "urls",
                "async-demo-api/delay/5 ../async-demo-api/x /async-demo-api/y"
            )])
            .urls(&URLS)
            .expect("the test sets this up"),
            vec![
                "http://module/async-demo-api/delay/5",
                "http://page/../async-demo-api/x",
                "http://page/async-demo-api/y"
            ]
        );
        assert!(params(&[("urls", "async-demo-api/delay/5")])
            .relies_on_module_api(crate::lessons::find("gather").expect("gather")));
        let too_many = vec!["x"; MAX_URLS + 1].join(" ");
        assert!(params(&[("urls", too_many.as_str())]).urls(&URLS).is_err());
    }
}
