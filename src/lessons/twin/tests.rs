//! Tests of the twins: rendering, markers, quoting, and the files themselves.

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::lessons::{find, ALL};

/// The base the twins' files are written against.
const DEV_SERVER: &str = "http://127.0.0.1:8080/";

fn params(pairs: &[(&str, &str)], default_base: &str) -> Params {
    let values: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Params::new(values, "http://page.test/docs/", default_base)
}

fn lesson(name: &str) -> &'static Lesson {
    find(name).expect("the lesson exists")
}

fn twins() -> impl Iterator<Item = &'static &'static Lesson> {
    // The bridge lesson has no twin; the sandbox's is written from its program.
    ALL.iter().filter(|l| l.name != "bridge" && !l.is_program())
}

fn line_of<'a>(source: &'a str, name: &str) -> &'a str {
    let prefix = format!("{name} = ");
    source
        .lines()
        .find(|l| l.starts_with(&prefix))
        .expect("the twin sets this constant")
}

/// A twin opens with the lesson's own code: its imports and parameters, then
/// its first function within the first screen of the pane; the helpers that
/// print the runs (START, log, trace) come after main(), where a reader who
/// wants the idea has already found it.
#[test]
fn every_twin_shows_the_lessons_own_code_before_its_reporting_helpers() {
    for lesson in twins() {
        let lines: Vec<&str> = lesson.python.lines().collect();
        let first = lines
            .iter()
            .position(|l| l.starts_with("def ") || l.starts_with("async def "))
            .expect("the twin defines functions");
        assert!(
            first < 15,
            "{}.py: its first function begins on line {}",
            lesson.name,
            first + 1
        );
        let at = |prefix: &str| lines.iter().position(|l| l.starts_with(prefix));
        let main = at("async def main(").expect("the twin has main()");
        for helper in ["START = ", "def log(", "async def trace("] {
            let line = at(helper).unwrap_or_else(|| panic!("{}.py has no {helper}", lesson.name));
            assert!(
                line > main,
                "{}.py: {helper} comes before main(), on line {}",
                lesson.name,
                line + 1
            );
        }
    }
}

#[test]
fn given_values_replace_the_marked_constants() {
    let given = params(
        &[
            (
                "urls",
                "async-demo-api/delay/5 api/delay/6 http://x.test/a?b=1&c=2",
            ),
            ("timeout-ms", " 250 "),
        ],
        "http://module.test/",
    );
    let source = render(lesson("gather"), &given).expect("usable parameters");
    assert_eq!(
        line_of(&source, "URLS"),
        // async-demo-api/ is the widget's folder from any page; the rest is the page's.
        r#"URLS = ["http://module.test/async-demo-api/delay/5", "http://page.test/docs/api/delay/6", "http://x.test/a?b=1&c=2"]  # param: urls"#
    );
    assert_eq!(
        line_of(&source, "TIMEOUT_MS"),
        "TIMEOUT_MS = 250  # param: timeout-ms"
    );
    // Everything else is the file as written.
    let unmarked = |s: &str| {
        s.lines()
            .filter(|l| marked(l).is_none())
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(unmarked(&source), unmarked(lesson("gather").python));
}

#[test]
fn one_url_repeated_is_written_as_a_repeated_list() {
    let given = params(&[("urls", "a a a"), ("concurrency", "2")], DEV_SERVER);
    let source = render(lesson("limit"), &given).expect("usable parameters");
    assert_eq!(
        line_of(&source, "URLS"),
        r#"URLS = ["http://page.test/docs/a"] * 3  # param: urls"#
    );
    let given = params(&[("urls", "a")], DEV_SERVER);
    let source = render(lesson("limit"), &given).expect("usable parameters");
    assert_eq!(
        line_of(&source, "URLS"),
        r#"URLS = ["http://page.test/docs/a"]  # param: urls"#
    );
}

#[test]
fn absent_values_are_the_defaults_resolved_like_the_lessons() {
    let source = render(lesson("errors"), &params(&[], "http://module.test/x/")).expect("defaults");
    assert_eq!(
        line_of(&source, "URLS"),
        r#"URLS = ["http://module.test/x/async-demo-api/delay/400", "http://module.test/x/async-demo-api/status/500", "http://module.test/x/async-demo-api/delay/900"]  # param: urls"#
    );
    assert_eq!(line_of(&source, "FAILURES"), "FAILURES = 3  # param: failures");
    assert_eq!(
        line_of(&source, "FLAKY_URL"),
        r#"FLAKY_URL = "http://module.test/x/async-demo-api/flaky"  # url: async-demo-api/flaky"#
    );
}

#[test]
fn each_file_holds_its_lessons_defaults_against_the_dev_server() {
    // Rendering with no attributes against the dev server changes
    // nothing: the numbers and URLs in the files are the Params' defaults.
    for lesson in ALL {
        let source = render(lesson, &params(&[], DEV_SERVER)).expect("defaults are usable");
        assert_eq!(
            source, lesson.python,
            "{}.py differs from its lesson's defaults",
            lesson.name
        );
    }
}

#[test]
fn urls_are_quoted_so_that_no_value_escapes_its_string() {
    assert_eq!(python_str(r#"a"b\c"#), r#""a\"b\\c""#);
    assert_eq!(python_str("tab\there\r"), r#""tab\there\r""#);
    assert_eq!(python_str("\u{7f}é\u{2028}😀"), r#""\x7f\xe9\u2028\U0001f600""#);
    assert_eq!(python_str("'''{x}#"), r#""'''{x}#""#);
    let hostile = r#"http://x.test/"]+__import__("os").system("id")+["  # param: urls"#;
    let given = params(&[("urls", hostile)], DEV_SERVER);
    let source = render(lesson("race"), &given).expect("usable parameters");
    assert_eq!(
        line_of(&source, "URLS"),
        r#"URLS = ["http://x.test/\"]+__import__(\"os\").system(\"id\")+[\"", "#.to_string()
            + r#""http://page.test/docs/#", "http://page.test/docs/param:", "http://page.test/docs/urls"]  # param: urls"#
    );
    assert_eq!(source.lines().count(), lesson("race").python.lines().count());
}

#[test]
fn unusable_values_are_refused_with_the_lessons_sentence() {
    let err = render(lesson("timeout"), &params(&[("timeout-ms", "soon")], DEV_SERVER)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Attribute timeout-ms=\"soon\" is not usable: expected a whole number from 1 to 120000."
    );
}

#[test]
fn markers_and_parameters_match_one_to_one() {
    for lesson in twins() {
        let mut marked_params = BTreeSet::new();
        for m in lesson.python.lines().filter_map(marked) {
            if let Marker::Param(attribute) = m.marker {
                assert!(
                    lesson.params.iter().any(|p| p.name == attribute),
                    "{}.py marks {} with “{attribute}”, which {} does not read",
                    lesson.name,
                    m.name,
                    lesson.name
                );
                assert!(
                    marked_params.insert(attribute),
                    "{}.py marks {attribute} twice",
                    lesson.name
                );
            }
        }
        let read: BTreeSet<&str> = lesson.params.iter().map(|p| p.name).collect();
        assert_eq!(
            marked_params, read,
            "{}.py must set every parameter its lesson reads",
            lesson.name
        );
    }
}

#[test]
fn every_twin_is_a_program_named_like_its_runs() {
    for lesson in twins() {
        let py = lesson.python;
        assert!(
            py.contains("\nimport asyncio\n"),
            "{}.py imports asyncio",
            lesson.name
        );
        assert!(
            py.contains("\nif __name__ == \"__main__\":\n") && py.contains("    asyncio.run(main())\n"),
            "{}.py runs main() under if __name__ == \"__main__\"",
            lesson.name
        );
        // Every run the Rust names literally is named the same in Python.
        let file = format!("{}/src/lessons/{}.rs", env!("CARGO_MANIFEST_DIR"), lesson.name);
        let source = std::fs::read_to_string(&file).expect("the lesson's file");
        for name in source.split("begin_run(\"").skip(1) {
            let name = name.split('"').next().unwrap_or_default();
            assert!(
                py.contains(&format!("\"{name}\"")),
                "{}.py has no run named {name:?}",
                lesson.name
            );
        }
    }
}

#[test]
fn a_lesson_without_a_twin_says_why_in_words() {
    let bridge = lesson("bridge");
    assert!(bridge.python.contains("loop.create_future"));
    assert!(!bridge.python.contains("import "));
    let source = render(bridge, &params(&[("delay-ms", "5")], DEV_SERVER)).expect("no markers");
    assert_eq!(source, bridge.python);
}

#[test]
fn only_marked_constants_are_read_as_markers() {
    assert!(marked("x = 1  # param: delay-ms").is_none());
    assert!(marked("    DELAY_MS = 1  # param: delay-ms").is_none());
    assert!(marked("DELAY_MS = 1  # the delay").is_none());
    let m = marked("DELAY_MS = 1  # param: delay-ms").expect("marked");
    assert_eq!((m.name, m.marker), ("DELAY_MS", Marker::Param("delay-ms")));
}
