//! The tracer and the scheduling facts the lessons teach, in a real browser:
//! laziness, exact poll/wake sequences, cancellation, sequential vs
//! concurrent timing, ordering.

#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use async_demo::trace::{Recorder, TaskState};
use async_demo::Error;
use futures::future::{join_all, select, Either};
use futures::FutureExt;
use gloo_timers::future::TimeoutFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn an_async_fn_runs_nothing_until_awaited() {
    let ran = Rc::new(Cell::new(false));
    let recorder = Recorder::new();
    let run = recorder.begin_run("lazy");
    let flag = ran.clone();
    let future = run.trace("body sets a flag", async move { flag.set(true) });
    common::sleep(30).await;
    assert!(!ran.get(), "the body ran before anything polled it");
    assert_eq!(recorder.runs()[0].tasks[0].polls(), 0);
    future.await;
    assert!(ran.get());
    assert_eq!(recorder.runs()[0].tasks[0].polls(), 1);
}

#[wasm_bindgen_test]
async fn a_ready_future_is_polled_once_and_never_woken() {
    let recorder = Recorder::new();
    let run = recorder.begin_run("ready");
    run.trace("ready", async {}).await;
    let task = &recorder.runs()[0].tasks[0];
    assert_eq!((task.polls(), task.wakes(), task.state), (1, 0, TaskState::Done));
}

#[wasm_bindgen_test]
async fn a_timeout_future_is_polled_twice_and_woken_once() {
    let recorder = Recorder::new();
    let run = recorder.begin_run("timer");
    run.trace("sleep 20 ms", TimeoutFuture::new(20)).await;
    let task = &recorder.runs()[0].tasks[0];
    assert_eq!((task.polls(), task.wakes(), task.state), (2, 1, TaskState::Done));
    let elapsed = task.end.unwrap() - task.first_poll().unwrap();
    assert!(elapsed >= 19.0, "finished after {elapsed} ms");
}

#[wasm_bindgen_test]
async fn a_pending_future_that_is_dropped_is_cancelled() {
    let recorder = Recorder::new();
    let run = recorder.begin_run("race");
    let slow = run.trace("slow", TimeoutFuture::new(5_000));
    let fast = TimeoutFuture::new(10);
    match select(slow, fast).await {
        Either::Right(((), slow)) => drop(slow),
        Either::Left(_) => panic!("the 5 s timer won against 10 ms"),
    }
    let task = &recorder.runs()[0].tasks[0];
    assert_eq!(task.state, TaskState::Cancelled);
    // `select` polls both sides whenever either wakes: once at the start,
    // once when the fast timer fires. The slow one itself was never woken.
    assert_eq!((task.polls(), task.wakes()), (2, 0));
    assert!(task.end.is_some());
}

#[wasm_bindgen_test]
async fn an_error_output_is_recorded_as_its_sentence() {
    let recorder = Recorder::new();
    let run = recorder.begin_run("fails");
    let result: Result<(), Error> = run
        .trace("fails", async { Err(Error::TimedOut { after_ms: 7 }) })
        .await;
    assert!(result.is_err());
    let task = &recorder.runs()[0].tasks[0];
    assert_eq!(task.state, TaskState::Error);
    assert_eq!(
        task.error(),
        Some("Timed out after 7 ms; the request was cancelled.")
    );
}

#[wasm_bindgen_test]
async fn sequential_takes_the_sum_and_join_all_the_slowest() {
    let delays = [100u32, 200, 300];
    let recorder = Recorder::new();

    let run = recorder.begin_run("sequential");
    for ms in delays {
        run.trace(format!("{ms}"), async move { TimeoutFuture::new(ms).await })
            .await;
    }
    run.finish().await;

    let run = recorder.begin_run("concurrent");
    join_all(delays.map(|ms| run.trace(format!("{ms}"), async move { TimeoutFuture::new(ms).await }))).await;
    run.finish().await;

    let runs = recorder.runs();
    let total = |i: usize| runs[i].end.unwrap() - runs[i].start;
    let (sequential, concurrent) = (total(0), total(1));
    // Sum is 600, slowest is 300: bounds far apart, and far from each other.
    assert!(
        sequential >= 590.0,
        "sequential took {sequential} ms, less than the sum"
    );
    assert!(
        (290.0..480.0).contains(&concurrent),
        "concurrent took {concurrent} ms, not about the slowest"
    );
    // In the sequential run each task starts when the one before ends.
    let seq = &runs[0].tasks;
    assert!(seq[1].first_poll().unwrap() >= seq[0].end.unwrap());
    assert!(seq[2].first_poll().unwrap() >= seq[1].end.unwrap());
}

#[wasm_bindgen_test]
async fn join_all_keeps_input_order_whatever_the_finishing_order() {
    let recorder = Recorder::new();
    let run = recorder.begin_run("order");
    let delays = [120u32, 20, 70];
    let results = join_all(delays.map(|ms| {
        run.trace(format!("{ms} ms"), async move {
            TimeoutFuture::new(ms).await;
            ms
        })
    }))
    .await;
    assert_eq!(results, delays);
    let ends: Vec<f64> = recorder.runs()[0].tasks.iter().map(|t| t.end.unwrap()).collect();
    assert!(
        ends[1] < ends[2] && ends[2] < ends[0],
        "finishing order was {ends:?}"
    );
}

#[wasm_bindgen_test]
async fn a_blocking_task_holds_every_other_task_back() {
    let recorder = Recorder::new();
    let run = recorder.begin_run("blocks");
    let blocker = run.trace("block 150 ms", async { async_demo::tasks::block_for(150) });
    let other = run.trace("wait 20 ms", async { TimeoutFuture::new(20).await });
    let (held, ()) = futures::join!(blocker, other);
    assert!(held >= 150.0);
    let runs = recorder.runs();
    let [blocker, other] = &runs[0].tasks[..] else {
        panic!("two tasks")
    };
    assert!(blocker.longest_poll() >= 150.0);
    assert!(blocker
        .warnings(true)
        .iter()
        .any(|w| w.contains("blocked the page")));
    assert!(
        other.first_poll().unwrap() >= blocker.end.unwrap(),
        "the other task started during the block"
    );
}

#[wasm_bindgen_test]
async fn a_second_run_sees_no_spurious_polls_from_the_first() {
    let recorder = Recorder::new();
    let first = recorder.begin_run("first");
    first.trace("sleep 20 ms", TimeoutFuture::new(20)).await;
    first.finish().await;
    let second = recorder.begin_run("second");
    second.trace("sleep 20 ms", TimeoutFuture::new(20)).await;
    second.finish().await;
    let runs = recorder.runs();
    let counts: Vec<(u32, u32)> = runs
        .iter()
        .map(|r| (r.tasks[0].polls(), r.tasks[0].wakes()))
        .collect();
    assert_eq!(counts, [(2, 1), (2, 1)]);
}

#[wasm_bindgen_test]
async fn dropping_a_pending_gloo_timeout_future_wakes_its_task_once_but_sleep_does_not() {
    // A fact the timeline shows: gloo's TimeoutFuture, dropped before it
    // fires, drops its channel's sender, which wakes the task that polled it.
    for (which, expected_polls) in [("TimeoutFuture", 3), ("Sleep", 2)] {
        let recorder = Recorder::new();
        let run = recorder.begin_run(which);
        let probe = run.trace("20 ms", TimeoutFuture::new(20));
        let (first, loser) = match which {
            "TimeoutFuture" => (
                TimeoutFuture::new(5).boxed_local(),
                TimeoutFuture::new(1_000).boxed_local(),
            ),
            _ => (
                async_demo::tasks::Sleep::new(5).boxed_local(),
                async_demo::tasks::Sleep::new(1_000).boxed_local(),
            ),
        };
        let both = async move {
            let _ = select(first, loser).await; // the 1 s loser is dropped here
            probe.await
        };
        both.await;
        assert_eq!(recorder.runs()[0].tasks[0].polls(), expected_polls, "{which}");
    }
}

#[wasm_bindgen_test]
async fn sleeps_never_fire_early_and_those_sharing_a_deadline_all_fire() {
    use async_demo::tasks::Sleep;
    let start = async_demo::trace::now();
    let sleeps = (0..500).map(|i| async move {
        Sleep::new(30 + i % 3).await;
        async_demo::trace::now()
    });
    let ends = join_all(sleeps).await;
    for (i, end) in ends.iter().enumerate() {
        let waited = end - start;
        assert!(
            waited >= f64::from(30 + (i as u32) % 3) - 0.01,
            "sleep {i} fired after {waited} ms"
        );
        assert!(waited < 500.0, "sleep {i} took {waited} ms");
    }
}

/// Two sleeps of one length made a moment apart end together, in one wake,
/// even when the clock's millisecond turns between their makings (without
/// which their deadlines differ by one and each has a timer of its own); two
/// sleeps whose lengths differ by one millisecond never do.
#[wasm_bindgen_test]
async fn sleeps_of_one_length_made_together_end_in_one_wake_and_others_do_not() {
    use async_demo::tasks::Sleep;
    use async_demo::trace::now;
    let mut checked = 0;
    for round in 0..12 {
        let start = now();
        let first = Sleep::new(20);
        // A few tenths of a millisecond: often across a millisecond's turn.
        while now() - start < 0.4 {}
        let mut second = Sleep::new(20);
        let apart = now() - start;
        first.await;
        let ended = futures::poll!(&mut second).is_ready();
        // A machine that paused a millisecond between the two makings made
        // them apart, not together: nothing to check then.
        if apart < 0.9 {
            assert!(
                ended,
                "round {round}: made {apart} ms apart, the second sleep had not ended with the first"
            );
            checked += 1;
        }
        second.await;
    }
    assert!(checked > 0, "every round was paused between the two sleeps");
    for round in 0..4 {
        let first = Sleep::new(20);
        let mut second = Sleep::new(21);
        first.await;
        assert!(
            futures::poll!(&mut second).is_pending(),
            "round {round}: a sleep of 21 ms ended with one of 20 ms made with it"
        );
        second.await;
    }
}

#[wasm_bindgen_test]
async fn a_dropped_sleep_leaves_the_others_of_its_deadline_running() {
    use async_demo::tasks::Sleep;
    let kept = Sleep::new(40);
    drop(Sleep::new(40)); // same deadline, dropped: must not clear the shared timer
    let start = async_demo::trace::now();
    select(kept, Sleep::new(1_000)).await;
    assert!(
        async_demo::trace::now() - start < 500.0,
        "the kept sleep never fired"
    );
}

#[wasm_bindgen_test]
async fn a_spawned_task_runs_on_its_own_and_dropping_its_handle_cancels_it() {
    use async_demo::tasks::{spawn, Sleep};
    // Awaited: the output comes back.
    assert_eq!(spawn(async { 6 * 7 }).await, 42);
    // Spawned, its handle kept: it runs without being awaited.
    let ran = Rc::new(Cell::new(false));
    let flag = ran.clone();
    let kept = spawn(async move { flag.set(true) });
    Sleep::new(20).await;
    assert!(ran.get(), "the executor ran the spawned task");
    drop(kept);
    // Dropped while it waits: it never gets past its timer.
    let finished = Rc::new(Cell::new(false));
    let flag = finished.clone();
    let handle = spawn(async move {
        Sleep::new(30).await;
        flag.set(true);
    });
    Sleep::new(5).await;
    drop(handle);
    Sleep::new(80).await;
    assert!(!finished.get(), "the task went on after its handle was dropped");
}

#[wasm_bindgen_test]
async fn the_hand_written_state_machine_polls_and_waits_as_its_async_fn() {
    use async_demo::tasks::by_hand::{two_naps, TwoNaps};
    let recorder = Recorder::new();
    let run = recorder.begin_run("build it");
    let clock = || web_sys::window().unwrap().performance().unwrap().now();
    let started = clock();
    run.trace("two_naps(60)", two_naps(60)).await;
    let compiled = clock() - started;
    let started = clock();
    run.trace("TwoNaps::new(60)", TwoNaps::new(60)).await;
    let by_hand = clock() - started;
    let tasks = &recorder.runs()[0].tasks;
    // First poll: first nap set, Pending; second: it fired, the second nap
    // set, Pending; third: Ready. One wake per nap.
    for task in tasks {
        assert_eq!((task.polls(), task.wakes()), (3, 2), "{}", task.label);
        assert_eq!(task.state, TaskState::Done, "{}", task.label);
    }
    // Each nap waits its 60 ms, one after the other (a lower bound only).
    assert!(compiled >= 119.0 && by_hand >= 119.0, "{compiled} / {by_hand} ms");
}

/// The frame meters of five runs at once (each a frame loop, as a widget's
/// redraws, ticker and replay are) ride on one `requestAnimationFrame` a
/// frame: the page's one scheduler, not one request per loop.
#[wasm_bindgen_test]
async fn the_frame_loops_of_a_page_share_one_animation_frame_request() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};

    let window = web_sys::window().unwrap();
    let key = JsValue::from_str("requestAnimationFrame");
    let original: js_sys::Function = js_sys::Reflect::get(&window, &key).unwrap().unchecked_into();
    let requests = Rc::new(Cell::new(0u32));
    let counting = {
        let (requests, window) = (requests.clone(), window.clone());
        Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |callback: JsValue| {
            requests.set(requests.get() + 1);
            original.call1(&window, &callback).unwrap_or(JsValue::UNDEFINED)
        })
    };
    js_sys::Reflect::set(&window, &key, counting.as_ref()).unwrap();
    let recorders: Vec<Recorder> = (0..5).map(|_| Recorder::new()).collect();
    let runs: Vec<_> = recorders.iter().map(|r| r.begin_run("frames")).collect();
    // At least 8 frames, however slow the machine (a frame is about 17 ms).
    let mut waited = 0;
    while recorders[0].runs()[0].frames.len() < 8 && waited < 5_000 {
        TimeoutFuture::new(50).await;
        waited += 50;
    }
    let frames: Vec<usize> = recorders.iter().map(|r| r.runs()[0].frames.len()).collect();
    let asked = requests.get();
    drop(runs);
    // The page's own method again (the counting one was an own property).
    js_sys::Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &key).unwrap();
    assert!(frames[0] >= 8, "only {frames:?} frames in {waited} ms");
    let (least, most) = (frames.iter().min().unwrap(), frames.iter().max().unwrap());
    assert!(most - least <= 1, "the loops saw different frames: {frames:?}");
    // One request a frame (and one ahead); five loops of their own would
    // have asked five times a frame.
    let seen = u32::try_from(*most).unwrap();
    assert!(
        asked <= seen + 2,
        "{asked} frame requests for {seen} frames of 5 loops"
    );
}

/// A sleep longer than a browser timer can wait (2³¹ − 1 ms, about 24.8
/// days) waits that long, not nothing: `setTimeout` wraps a longer delay
/// around and fires at once (the sandbox's `sleep(2147483647)` ended in
/// about 40 ms).
#[wasm_bindgen_test]
async fn a_sleep_longer_than_a_timer_can_wait_does_not_end_at_once() {
    use async_demo::tasks::Sleep;
    for ms in [i32::MAX as u32, i32::MAX as u32 + 1, u32::MAX] {
        match select(Box::pin(Sleep::new(ms)), Box::pin(Sleep::new(150))).await {
            Either::Left(_) => panic!("Sleep::new({ms}) ended before a sleep of 150 ms"),
            Either::Right(_) => {}
        }
    }
}
