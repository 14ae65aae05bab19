//! Which suites `cargo xtask test` runs: every one, or those its `--suite`
//! arguments name.

use crate::USAGE;

/// The files of `folder` (relative to the workspace root) whose names end
/// in `suffix`, by name without it, sorted: the suites of a kind.
pub fn files_named(folder: &str, suffix: &str) -> Result<Vec<String>, String> {
    let dir = xtask::root().join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(suffix).map(str::to_string))
        .collect();
    names.sort();
    Ok(names)
}

/// A kind of test suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `cargo test --workspace`.
    Native,
    /// The wasm-bindgen tests: one suite per `.rs` file of `tests/`.
    Wasm,
    /// The end-to-end tests in Chromium: `tests/e2e/<name>.test.mjs`.
    E2e,
    /// The end-to-end tests in Firefox: `tests/firefox/<name>.test.mjs`.
    Firefox,
}

/// The suites `cargo xtask test` runs: every one, or those its `--suite`
/// arguments name (`native`, `wasm`, `e2e`, `firefox`, each but `native`
/// with an optional `:<name>` of one of its files).
#[derive(Debug, Default, PartialEq)]
pub struct Selection(Vec<(Kind, Option<String>)>);

impl Selection {
    pub fn parse(args: &[String]) -> Result<Self, String> {
        const NAMES: &str =
            "the suites are native, wasm, e2e and firefox, each but native with an optional :<name> of one of its files";
        let mut picked = Vec::new();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let name = match arg.strip_prefix("--suite=") {
                Some(name) => name,
                None if arg == "--suite" => args.next().ok_or(format!("--suite needs a name: {NAMES}"))?,
                None => return Err(USAGE.to_string()),
            };
            let (kind, file) = match name.split_once(':') {
                Some((kind, file)) => (kind, Some(file)),
                None => (name, None),
            };
            let kind = match kind {
                "native" if file.is_none() => Kind::Native,
                "wasm" => Kind::Wasm,
                "e2e" => Kind::E2e,
                "firefox" => Kind::Firefox,
                _ => return Err(format!("no suite “{name}”: {NAMES}")),
            };
            picked.push((kind, file.map(str::to_string)));
        }
        Ok(Selection(picked))
    }

    /// Whether any suite of `kind` runs.
    pub fn wants(&self, kind: Kind) -> bool {
        self.0.is_empty() || self.0.iter().any(|(k, _)| *k == kind)
    }

    /// Of the files `all` of `kind`, those that run (every one unless only
    /// some are named); a name that is not among them is an error.
    pub fn pick(&self, kind: Kind, all: Vec<String>) -> Result<Vec<String>, String> {
        if self.0.is_empty() || self.0.iter().any(|(k, file)| *k == kind && file.is_none()) {
            return Ok(all);
        }
        let mut picked = Vec::new();
        for (_, name) in self.0.iter().filter(|(k, _)| *k == kind) {
            let name = name.as_deref().unwrap_or_default();
            if !all.iter().any(|file| file == name) {
                return Err(format!(
                    "no {kind:?} suite “{name}”: there are {}",
                    all.join(", ")
                ));
            }
            picked.push(name.to_string());
        }
        Ok(picked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn no_suite_named_runs_every_suite_and_every_file() {
        let all = Selection::parse(&[]).unwrap();
        for kind in [Kind::Native, Kind::Wasm, Kind::E2e, Kind::Firefox] {
            assert!(all.wants(kind));
        }
        let files = vec!["a".to_string(), "b".to_string()];
        assert_eq!(all.pick(Kind::Wasm, files.clone()).unwrap(), files);
    }

    #[test]
    fn suites_named_run_alone_and_a_file_must_exist() {
        let only =
            Selection::parse(&args("--suite wasm:trace --suite=e2e:stepping --suite e2e:api")).unwrap();
        assert!(!only.wants(Kind::Native));
        assert!(!only.wants(Kind::Firefox));
        let files = |names: &str| args(names);
        assert_eq!(
            only.pick(Kind::Wasm, files("fetch trace widget")).unwrap(),
            ["trace"]
        );
        assert_eq!(
            only.pick(Kind::E2e, files("api dist stepping")).unwrap(),
            ["stepping", "api"]
        );
        let missing = only.pick(Kind::Wasm, files("fetch widget")).unwrap_err();
        assert!(
            missing.contains("“trace”") && missing.contains("fetch, widget"),
            "{missing}"
        );
        let whole = Selection::parse(&args("--suite e2e --suite e2e:api")).unwrap();
        assert_eq!(whole.pick(Kind::E2e, files("api dist")).unwrap(), ["api", "dist"]);
    }

    #[test]
    fn an_unknown_suite_or_argument_is_refused_with_the_names() {
        for bad in ["--suite", "--suite unit", "--suite native:x", "--all"] {
            let error = Selection::parse(&args(bad)).unwrap_err();
            assert!(
                error.contains("native") || error.contains("usage"),
                "{bad}: {error}"
            );
        }
    }
}
