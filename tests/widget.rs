//! Lessons run whole, and the widget that shows them: reports, DOM, bad input.

#![cfg(target_arch = "wasm32")]

mod common;

use async_demo::lessons::{self, Ctx};
use async_demo::report::Report;
use async_demo::trace::{now, Recorder, TaskState};
use async_demo::Widget;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};

wasm_bindgen_test_configure!(run_in_browser);

async fn run_lesson(name: &str, pairs: &[(&str, &str)]) -> Result<Report, async_demo::Error> {
    let lesson = lessons::find(name).expect("a lesson of that name");
    let recorder = Recorder::new();
    let ctx = Ctx::new(recorder.clone(), common::params(pairs));
    (lesson.run)(ctx).await?;
    Ok(Report::new(name, &recorder.runs(), now()))
}

#[wasm_bindgen_test]
async fn lazy_shows_a_future_with_zero_polls_beside_one_that_ran() {
    let report = run_lesson("lazy", &[("delay-ms", "50")]).await.unwrap();
    let [not_awaited, awaited] = &report.runs[..] else {
        panic!("two runs")
    };
    assert_eq!(not_awaited.tasks[0].polls, 0);
    assert_eq!(not_awaited.tasks[0].state, TaskState::Pending);
    assert_eq!(not_awaited.tasks[0].start_ms, None);
    assert_eq!(awaited.tasks[0].state, TaskState::Done);
    assert!(awaited.tasks[0].polls >= 2);
}

#[wasm_bindgen_test]
async fn gather_sequential_is_the_sum_and_concurrent_the_slowest_even_for_one_url_thrice() {
    let same = "async-demo-api/delay/300 async-demo-api/delay/300 async-demo-api/delay/300";
    let report = run_lesson("gather", &[("urls", same)]).await.unwrap();
    let [seq, con] = &report.runs[..] else {
        panic!("two runs")
    };
    assert_eq!(
        (seq.name.as_str(), con.name.as_str()),
        ("sequential", "concurrent")
    );
    assert!(seq.total_ms >= 890.0, "sequential {}", seq.total_ms);
    assert!(con.total_ms < 650.0, "concurrent {}", con.total_ms);
    assert!(con.tasks.iter().all(|t| t.state == TaskState::Done));
}

#[wasm_bindgen_test]
async fn gather_fails_only_the_bad_rows() {
    let urls = format!(
        "async-demo-api/delay/100 async-demo-api/status/500 http://127.0.0.1:9/ ftp://nowhere.test/x {}",
        "async-demo-api/delay/40000"
    );
    let report = run_lesson("gather", &[("urls", &urls), ("timeout-ms", "400")])
        .await
        .unwrap();
    for run in &report.runs {
        let states: Vec<&str> = run.tasks.iter().map(|t| t.state.as_str()).collect();
        assert_eq!(
            states,
            ["done", "error", "error", "error", "error"],
            "{}",
            run.name
        );
        let errors: Vec<&str> = run.tasks.iter().filter_map(|t| t.error.as_deref()).collect();
        assert!(errors[0].contains("HTTP 500"), "{}", errors[0]);
        assert!(errors[1].starts_with("Could not reach"), "{}", errors[1]);
        assert!(errors[2].contains("scheme “ftp:”"), "{}", errors[2]);
        // The dev server refuses delays over 30 s with a 400.
        assert!(errors[3].contains("HTTP 400"), "{}", errors[3]);
    }
}

#[wasm_bindgen_test]
async fn an_endpoint_that_does_not_answer_in_time_times_out() {
    let report = run_lesson(
        "gather",
        &[
            ("urls", "async-demo-api/delay/3000 async-demo-api/delay/50"),
            ("timeout-ms", "300"),
        ],
    )
    .await
    .unwrap();
    let con = &report.runs[1];
    assert_eq!(
        con.tasks[0].error.as_deref(),
        Some("Timed out after 300 ms; the request was cancelled.")
    );
    assert_eq!(con.tasks[1].state, TaskState::Done);
    assert!(con.total_ms < 1_000.0);
}

#[wasm_bindgen_test]
async fn absurd_parameters_are_refused_with_a_sentence() {
    for (name, value) in [("delay-ms", "-1"), ("delay-ms", "soon"), ("delay-ms", "99999999")] {
        let err = run_lesson("sleep", &[(name, value)]).await.unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("Attribute {name}=\"{value}\" is not usable")),
            "{err}"
        );
    }
    let many = vec!["async-demo-api/delay/1"; 51].join(" ");
    assert!(run_lesson("gather", &[("urls", &many)]).await.is_err());
}

#[wasm_bindgen_test]
async fn a_blocking_call_in_one_task_shifts_every_other_task() {
    let report = run_lesson("mistakes", &[("delay-ms", "100"), ("block-ms", "200")])
        .await
        .unwrap();
    let all_await = report.runs.iter().find(|r| r.name == "all tasks await").unwrap();
    let one_blocks = report.runs.iter().find(|r| r.name == "one task blocks").unwrap();
    for (calm, shifted) in all_await.tasks.iter().zip(&one_blocks.tasks[1..]) {
        let shift = shifted.end_ms.unwrap() - calm.end_ms.unwrap();
        assert!(
            (180.0..400.0).contains(&shift),
            "{} shifted by {shift} ms",
            calm.label
        );
    }
    let never = report.runs.iter().find(|r| r.name == "never spawned").unwrap();
    assert_eq!((never.tasks[0].polls, never.tasks[1].state), (0, TaskState::Done));
}

fn mount(attrs: &[(&str, &str)]) -> (HtmlElement, ShadowRoot, Widget) {
    let doc = web_sys::window().unwrap().document().unwrap();
    let host: HtmlElement = doc.create_element("div").unwrap().dyn_into().unwrap();
    for (k, v) in attrs {
        host.set_attribute(k, v).unwrap();
    }
    doc.body().unwrap().append_child(&host).unwrap();
    let root = host
        .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
        .unwrap();
    let base = format!("{}/", common::server());
    let widget = Widget::new(host.clone(), root.clone().into(), base, None).unwrap();
    (host, root, widget)
}

#[wasm_bindgen_test]
async fn the_widget_runs_and_draws_a_row_per_task() {
    // Attribute URLs resolve against the page (here the test runner's), so give them whole.
    let urls = format!(
        "{} {}",
        common::url("/async-demo-api/delay/50"),
        common::url("/async-demo-api/status/404")
    );
    let (host, root, widget) = mount(&[("lesson", "gather"), ("urls", &urls)]);
    assert_eq!(host.get_attribute("data-state").as_deref(), Some("idle"));
    let report = JsFuture::from(widget.run(wasm_bindgen::JsValue::UNDEFINED))
        .await
        .expect("the run resolves");
    assert_eq!(host.get_attribute("data-state").as_deref(), Some("done"));
    let lesson = js_sys::Reflect::get(&report, &"lesson".into()).unwrap();
    assert_eq!(lesson.as_string().as_deref(), Some("gather"));
    let rows = root.query_selector_all("section.run tbody tr").unwrap();
    assert_eq!(rows.length(), 4, "two tasks in each of two runs");
    let errors = root.query_selector_all("tr[data-state=error]").unwrap();
    assert_eq!(errors.length(), 2);
    widget.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn network_text_reaches_the_dom_as_text_never_html() {
    let evil = "data:text/html,<img%20src=x%20id=evil%20onerror=alert(1)>";
    let (host, root, widget) = mount(&[("lesson", "gather"), ("urls", evil)]);
    JsFuture::from(widget.run(wasm_bindgen::JsValue::UNDEFINED))
        .await
        .expect("the run resolves");
    assert!(
        root.query_selector("img").unwrap().is_none(),
        "markup from the body was parsed"
    );
    let text = root.text_content().unwrap_or_default();
    assert!(text.contains("<img src=x"), "the body's text is not shown");
    widget.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn cancel_stops_the_run_and_marks_tasks_cancelled() {
    let (host, _root, widget) = mount(&[("lesson", "sleep"), ("delay-ms", "5000")]);
    let running = JsFuture::from(widget.run(wasm_bindgen::JsValue::UNDEFINED));
    common::sleep(100).await;
    assert_eq!(host.get_attribute("data-state").as_deref(), Some("running"));
    let start = now();
    widget.cancel();
    let report = running
        .await
        .expect("a cancelled run still resolves with its report");
    assert!(now() - start < 500.0);
    assert_eq!(host.get_attribute("data-state").as_deref(), Some("cancelled"));
    let report: Report = serde_like(&report);
    assert_eq!(report.runs[0].tasks[0].state, TaskState::Cancelled);
    widget.destroy();
    host.remove();
}

#[wasm_bindgen_test]
async fn bad_attributes_show_an_error_in_the_widget_and_reject_run() {
    let (host, root, widget) = mount(&[("lesson", "sleep"), ("delay-ms", "forever")]);
    let err = JsFuture::from(widget.run(wasm_bindgen::JsValue::UNDEFINED))
        .await
        .expect_err("run rejects");
    let message = js_sys::Reflect::get(&err, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(message.contains("delay-ms=\"forever\""), "{message}");
    assert_eq!(host.get_attribute("data-state").as_deref(), Some("error"));
    let shown = root
        .query_selector(".error")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap();
    assert_eq!(shown, message);
    widget.destroy();
    host.remove();

    let (host, root, widget) = mount(&[("lesson", "no-such-lesson")]);
    assert_eq!(host.get_attribute("data-state").as_deref(), Some("error"));
    assert!(root
        .text_content()
        .unwrap()
        .contains("one of lazy, sleep, blocking, gather, many"));
    assert!(JsFuture::from(widget.run(wasm_bindgen::JsValue::UNDEFINED))
        .await
        .is_err());
    host.remove();
}

/// A report as JavaScript got it, read back through its JSON.
fn serde_like(report: &wasm_bindgen::JsValue) -> Report {
    let json = js_sys::JSON::stringify(report)
        .expect("a report is JSON")
        .as_string()
        .expect("JSON text");
    serde_json::from_str(&json).expect("the report's shape")
}

#[wasm_bindgen_test]
async fn blocking_freezes_frames_for_the_whole_wait_and_awaiting_does_not() {
    let report = run_lesson("blocking", &[("delay-ms", "400")]).await.unwrap();
    let [blocking, awaited] = &report.runs[..] else {
        panic!("two runs")
    };
    assert_eq!(
        (blocking.name.as_str(), awaited.name.as_str()),
        ("blocking", "async")
    );
    assert!(
        blocking.longest_frame_gap_ms >= 390.0,
        "blocking gap {}",
        blocking.longest_frame_gap_ms
    );
    assert!(
        awaited.longest_frame_gap_ms < 200.0, // blocking: the whole 400 ms
        "async gap {}",
        awaited.longest_frame_gap_ms
    );
}

#[wasm_bindgen_test]
async fn race_cancels_the_losers() {
    let report = run_lesson(
        "race",
        &[(
            "urls",
            "async-demo-api/delay/600 async-demo-api/delay/50 async-demo-api/delay/900",
        )],
    )
    .await
    .unwrap();
    let states: Vec<&str> = report.runs[0].tasks.iter().map(|t| t.state.as_str()).collect();
    assert_eq!(states, ["cancelled", "done", "cancelled"]);
    assert!(report.runs[0].total_ms < 500.0);
}

#[wasm_bindgen_test]
async fn limit_keeps_at_most_k_in_flight() {
    let report = run_lesson(
        "limit",
        &[
            ("urls", &["async-demo-api/delay/100"; 7].join(" ")),
            ("concurrency", "2"),
        ],
    )
    .await
    .unwrap();
    let tasks = &report.runs[0].tasks;
    assert_eq!(tasks.len(), 7);
    let mut edges: Vec<(f64, i32)> = tasks
        .iter()
        .flat_map(|t| [(t.start_ms.unwrap(), 1), (t.end_ms.unwrap(), -1)])
        .collect();
    edges.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut now, mut most) = (0, 0);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    assert_eq!(most, 2);
    // ceil(7 / 2) = 4 waves of 100 ms.
    assert!(report.runs[0].total_ms >= 400.0, "{}", report.runs[0].total_ms);
}

#[wasm_bindgen_test]
async fn stepping_gather_polls_one_future_per_step_and_holds_wakes_in_the_queue() {
    use async_demo::trace::{Cause, Stepper};
    use std::cell::Cell;
    use std::rc::Rc;

    let stepper = Stepper::new();
    let recorder = Recorder::stepped(stepper.clone());
    let params = common::params(&[
        (
            "urls",
            "async-demo-api/delay/60 async-demo-api/delay/120 async-demo-api/delay/180",
        ),
        ("timeout-ms", "5000"),
    ]);
    let ctx = Ctx::new(recorder.clone(), params);
    let done = Rc::new(Cell::new(false));
    let (finished, ender) = (done.clone(), stepper.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let lesson = lessons::find("gather").expect("gather");
        (lesson.run)(ctx).await.expect("gather runs");
        ender.end();
        finished.set(true);
    });
    let polls =
        |r: &Recorder| r.inspect(|runs| runs.iter().flat_map(|r| &r.tasks).map(|t| t.polls()).sum::<u32>());
    let pause = |ms| gloo_timers::future::TimeoutFuture::new(ms);

    // Paused before the first poll: the first download waits in the queue.
    pause(30).await;
    assert_eq!(polls(&recorder), 0);
    let queue = stepper.queue();
    assert_eq!((queue.len(), queue[0].cause), (1, Cause::First));
    // One step: exactly one poll.
    let first = stepper.step().await.expect("a step");
    assert_eq!((first.task, first.ready, first.cause), (0, false, Cause::First));
    assert_eq!(polls(&recorder), 1);
    // Its response arrives while nothing is stepped: woken, queued, not polled.
    pause(300).await;
    assert_eq!(polls(&recorder), 1, "no traced future is polled between steps");
    let queue = stepper.queue();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].task, queue[0].cause), (0, Cause::Woken));

    // Step to the end: one step per poll, however many there are.
    let mut steps = 1;
    while stepper.step().await.is_ok() {
        steps += 1;
    }
    assert!(done.get(), "the run finished");
    let total = polls(&recorder);
    assert_eq!(steps, total, "steps until done = the report's polls");
    let runs = recorder.runs();
    assert_eq!(runs.len(), 2);
    assert!(runs
        .iter()
        .flat_map(|r| &r.tasks)
        .all(|t| t.state == TaskState::Done));
    // In the concurrent run, join_all polled the others when one was woken.
    let siblings = runs[1]
        .tasks
        .iter()
        .flat_map(|t| &t.events)
        .filter(|e| {
            matches!(
                e,
                async_demo::trace::Event::Poll {
                    cause: Cause::Sibling,
                    ..
                }
            )
        })
        .count();
    assert!(siblings >= 2, "{siblings} sibling polls");
}

#[wasm_bindgen_test]
async fn stepping_says_what_a_traced_gloo_timer_or_promise_waits_on() {
    use async_demo::trace::Stepper;
    use futures::FutureExt;

    let stepper = Stepper::new();
    let recorder = Recorder::stepped(stepper.clone());
    let run = recorder.begin_run("foreign leaves");
    let timer = run.trace("timer", gloo_timers::future::TimeoutFuture::new(50));
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
    });
    let promise = run.trace(
        "promise",
        JsFuture::from(promise).map(|r| r.map(|_| ()).map_err(|_| "rejected")),
    );
    let block = run.trace("block", async {
        gloo_timers::future::TimeoutFuture::new(50).await
    });
    let ender = stepper.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let (_, settled, _) = futures::join!(timer, promise, block);
        assert!(settled.is_ok(), "the promise resolves");
        drop(run);
        ender.end();
    });
    for _ in 0..3 {
        let stepped = stepper.step().await.expect("a step");
        assert!(!stepped.ready);
    }
    let said: Vec<String> =
        recorder.inspect(|runs| runs[0].tasks.iter().map(|t| t.waiting_on_text()).collect());
    assert!(said[0].starts_with("a browser timer"), "{said:?}");
    assert_eq!(said[1], "a JavaScript Promise (a JsFuture)");
    assert!(said[2].starts_with("what it awaits does not say"), "{said:?}");
    stepper.resume();
}

#[wasm_bindgen_test]
async fn stepping_a_traced_future_that_holds_traced_futures_polls_them_inside_its_step() {
    use async_demo::trace::Stepper;

    // The same tree at full speed and stepped: a traced join of two traced
    // timers, as a sandbox program's `join!(sleep(40), sleep(300))` is.
    async fn tree(recorder: &Recorder) {
        let run = recorder.begin_run("nested");
        let (a, b) = (
            run.trace("sleep 40", gloo_timers::future::TimeoutFuture::new(40)),
            run.trace("sleep 300", gloo_timers::future::TimeoutFuture::new(300)),
        );
        run.trace("join", async move {
            futures::join!(a, b);
        })
        .await;
    }
    let polls =
        |r: &Recorder| -> Vec<u32> { r.inspect(|runs| runs[0].tasks.iter().map(|t| t.polls()).collect()) };

    let full = Recorder::new();
    tree(&full).await;

    let stepper = Stepper::new();
    let stepped = Recorder::stepped(stepper.clone());
    let (recorder, ender) = (stepped.clone(), stepper.clone());
    wasm_bindgen_futures::spawn_local(async move {
        tree(&recorder).await;
        ender.end();
    });
    common::sleep(20).await;
    // Only the outermost waits in the queue: its children are polled by it.
    let queue = stepper.queue();
    assert_eq!(queue.iter().map(|q| q.task).collect::<Vec<_>>(), [2]);
    let first = stepper.step().await.expect("a step");
    assert_eq!((first.task, first.ready), (2, false));
    assert_eq!(
        first.inside,
        [(0, false), (1, false)],
        "the join polled both timers in its poll"
    );
    let mut steps = 1;
    let mut inside = first.inside.len();
    while let Ok(step) = stepper.step().await {
        assert_eq!(step.task, 2, "every step polls the join, which polls its timers");
        steps += 1;
        inside += step.inside.len();
    }
    let (stepped_polls, full_polls) = (polls(&stepped), polls(&full));
    assert_eq!(
        stepped_polls, full_polls,
        "stepping changes when futures are polled, not how often"
    );
    assert_eq!(steps + inside, stepped_polls.iter().sum::<u32>() as usize);
}
