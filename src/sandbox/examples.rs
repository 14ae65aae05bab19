//! Programs a reader loads with one click, each with the question it
//! answers: predicted before Run, graded from the run that follows (never
//! from a stored number).

use crate::lessons::{Param, Prediction};
use crate::trace::{RunRecord, TaskRecord, TaskState};

/// One example: its button, its program, its question.
#[derive(Debug)]
pub struct Example {
    /// The button's text.
    pub label: &'static str,
    /// The program.
    pub program: &'static str,
    /// The question, graded from the run.
    pub predict: Prediction,
}

/// The program's run (examples make one).
fn run(runs: &[RunRecord]) -> Option<&RunRecord> {
    runs.first()
}

/// The tasks of the run whose label starts with `start`.
fn tasks<'a>(runs: &'a [RunRecord], start: &'a str) -> impl Iterator<Item = &'a TaskRecord> + 'a {
    run(runs).into_iter().flat_map(move |r| {
        r.tasks
            .iter()
            .filter(move |t| t.label.starts_with(start))
            .map(|t| &**t)
    })
}

/// How long task `t` took from its first poll to its end (ms).
fn span(t: &TaskRecord) -> Option<f64> {
    Some(t.end? - t.first_poll()?)
}

const NO_PARAMS: &[Param] = &[];

/// The examples, in the order of the buttons.
pub static EXAMPLES: &[Example] = &[
    Example {
        label: "join inside a timeout",
        program: "// Three downloads, one deadline for all of them.\n\
let all = join_all([\n    fetch(\"async-demo-api/delay/200\"),\n    fetch(\"async-demo-api/delay/400\"),\n    fetch(\"async-demo-api/delay/900\"),\n]);\n\
let outcome = timeout(500, all).await;\nprintln!(\"{:?}\", outcome);",
        predict: Prediction {
            question: "The deadline passes at 500 ms. How many of the three downloads are cancelled (their requests aborted)?",
            unit: "downloads",
            measure: |runs| Some(tasks(runs, "fetch(").filter(|t| t.state == TaskState::Cancelled).count() as f64),
            tolerance: 0.0,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "select: the loser",
        program: "let quick = fetch(\"async-demo-api/delay/200\");\n\
let slow = fetch(\"async-demo-api/delay/800\");\n\
let _ = select(quick, slow).await; // the loser is dropped here: its request is aborted\n\
sleep(800).await; // the loser would have finished by now",
        predict: Prediction {
            question: "How many times is the losing download (delay/800) polled?",
            unit: "polls",
            measure: |runs| tasks(runs, "fetch(\"async-demo-api/delay/800\")").next().map(|t| f64::from(t.polls())),
            tolerance: 0.0,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "a loop of awaits vs join_all",
        program: "// One after another: the waits add up.\nfor i in 1..4 {\n    sleep(i * 100).await;\n}\n\
// All at once: the longest wait is the total.\njoin_all(repeat(3, |i| sleep((i + 1) * 100))).await;",
        predict: Prediction {
            question: "The loop of three sleeps (100, 200, 300 ms) takes about 600 ms. How long does join_all of the same three take?",
            unit: "ms",
            measure: |runs| tasks(runs, "join_all(").next().and_then(span),
            tolerance: 0.25,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "spawn_local, then return",
        program: "spawn_local(async move {\n    sleep(500).await;\n    println!(\"the spawned task is done\");\n});\n\
println!(\"the body returns\");",
        predict: Prediction {
            question: "The body returns at once. When does the spawned task end (ms from the start), if at all?",
            unit: "ms",
            measure: |runs| {
                let run = run(runs)?;
                let block = run.tasks.iter().find(|t| t.label.starts_with("async move"))?;
                Some(block.end? - run.start)
            },
            tolerance: 0.25,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "block inside a join",
        program: "// A busy loop of 300 ms joined first, two sleeps of 200 ms after it.\n\
join!(block(300), sleep(200), sleep(200));",
        predict: Prediction {
            question: "The sleeps wait 200 ms each and the busy loop holds the thread for 300 ms. When does the join end (ms from the start)?",
            unit: "ms",
            measure: |runs| {
                let run = run(runs)?;
                Some(tasks(runs, "join!(").next()?.end? - run.start)
            },
            tolerance: 0.25,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "join_all of 10: sibling polls",
        program: "// Ten sleeps of 50, 100, … 500 ms, joined.\njoin_all(repeat(10, |i| sleep(i * 50 + 50))).await;",
        predict: Prediction {
            question: "join_all of up to 30 futures polls every unfinished one whenever one is woken. How many times is the slowest sleep polled?",
            unit: "polls",
            measure: |runs| tasks(runs, "sleep(").map(|t| f64::from(t.polls())).reduce(f64::max),
            tolerance: 0.0,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "100,000 futures under join_all",
        program: "// 99,999 sleeps and their join_all: 100,000 futures, the most a run may make.\n// Past 30 futures, join_all polls only the woken ones.\njoin_all(repeat(99999, |_| sleep(1))).await;",
        predict: Prediction {
            question: "join_all of 99,999 sleeps of 1 ms: how many times is each sleep polled, at most?",
            unit: "polls",
            measure: |runs| tasks(runs, "sleep(").map(|t| f64::from(t.polls())).reduce(f64::max),
            tolerance: 0.0,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "try_join! stops at an error",
        program: "let page = fetch(\"async-demo-api/delay/800\");\n\
let broken = fetch(\"async-demo-api/status/500\");\n\
let outcome = try_join!(page, broken);\nprintln!(\"{:?}\", outcome);",
        predict: Prediction {
            question: "One download answers HTTP 500 at once. How many of the two downloads are cancelled?",
            unit: "downloads",
            measure: |runs| Some(tasks(runs, "fetch(").filter(|t| t.state == TaskState::Cancelled).count() as f64),
            tolerance: 0.0,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "a forgotten .await",
        program: "let saved = sleep(300); // built, and never awaited\nsleep(500).await;",
        predict: Prediction {
            question: "How many times is sleep(300) polled?",
            unit: "polls",
            measure: |runs| tasks(runs, "sleep(300)").next().map(|t| f64::from(t.polls())),
            tolerance: 0.0,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "retry an error",
        program: "// An endpoint that always answers 503.\n\
let outcome = retry(3, || fetch(\"async-demo-api/status/503\")).await;\nprintln!(\"{:?}\", outcome);",
        predict: Prediction {
            question: "How many requests does retry(3, …) make before it gives up?",
            unit: "requests",
            measure: |runs| Some(tasks(runs, "fetch(").count() as f64),
            tolerance: 0.0,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "two at a time",
        program: "// Six downloads of 300 ms, at most two in flight.\n\
let pages = buffer_unordered(2, repeat(6, |_| fetch(\"async-demo-api/delay/300\"))).await;\n\
println!(\"{:?}\", pages);",
        predict: Prediction {
            question: "Six downloads of 300 ms, two at a time: how long does buffer_unordered take?",
            unit: "ms",
            measure: |runs| tasks(runs, "buffer_unordered(").next().and_then(span),
            tolerance: 0.25,
            assumes: NO_PARAMS,
        },
    },
    Example {
        label: "a click or a deadline",
        program: "// Press the widget's \"Click me\" within 3 s, or do not.\n\
let _ = select(click(), sleep(3000)).await;\nprintln!(\"one of them won\");",
        predict: Prediction {
            question: "How many times is the deadline, sleep(3000), polled if you click after one second?",
            unit: "polls",
            measure: |runs| tasks(runs, "sleep(3000)").next().map(|t| f64::from(t.polls())),
            tolerance: 0.0,
            assumes: NO_PARAMS,
        },
    },
];

/// The example whose program `program` is (white space aside), if any.
pub fn matching(program: &str) -> Option<&'static Example> {
    let squeeze = |text: &str| text.split_whitespace().collect::<String>();
    let wanted = squeeze(program);
    EXAMPLES.iter().find(|e| squeeze(e.program) == wanted)
}
