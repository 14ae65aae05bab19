//! Every error the checker gives, and what it lets through.

use super::super::syntax::parse;
use super::*;

fn checked(source: &str) -> Checked {
    let program = parse(source).unwrap_or_else(|e| panic!("{source:?} does not parse: {}", e.render(source)));
    check(&program).unwrap_or_else(|e| panic!("{source:?} does not check: {}", e.render(source)))
}

fn error(source: &str) -> String {
    let program = parse(source).unwrap_or_else(|e| panic!("{source:?} does not parse: {}", e.render(source)));
    match check(&program) {
        Ok(_) => panic!("{source:?} checked"),
        Err(e) => e.sentence(source),
    }
}

#[test]
fn programs_of_the_subset_check_and_their_futures_are_listed() {
    let source = "let a = sleep(300);\nlet b = fetch(\"async-demo-api/delay/500\");\nlet (x, y) = join!(a, b);\ny?;\nlet _ = x;";
    let ok = checked(source);
    let labels: Vec<&str> = ok.written.iter().map(|w| w.label.as_str()).collect();
    assert_eq!(
        labels,
        ["sleep(300)", "fetch(\"async-demo-api/delay/500\")", "join!(a, b)"]
    );
    for program in [
        "join_all(repeat(10, |i| sleep(i * 10))).await;",
        "let r = timeout(50, fetch(\"x\")).await; println!(\"{:?}\", r.is_ok);".replace(".is_ok", "").as_str(),
        "try_join!(fetch(\"a\"), fail(\"no\"))?;",
        "let winner = select(sleep(10), sleep(20)).await; drop(winner);",
        "let (first, index, rest) = select_all(vec![sleep(5), sleep(6)]).await; println!(\"{:?} {}\", first, index); drop(rest);",
        "let pages = buffer_unordered(2, repeat(4, |i| fetch(format!(\"async-demo-api/delay/{}\", i)))).await;",
        "let page = retry(3, || fetch(\"async-demo-api/flaky?id=a&fail=2\")).await?; println!(\"{}\", page);",
        "spawn_local(async move { sleep(100).await; });",
        "let f = async { sleep(1).await; 5 }; let n = f.await + 1; println!(\"{}\", n);",
        "let url = format!(\"a/{}\", 1); fetch(&url).await?; fetch(url).await?;",
        "for i in 0..3 { sleep(i).await; }",
        "let b = async { fetch(\"x\").await?; Ok::<_, Error>(()) }; b.await?;",
        "let v: Vec<Task<()>> = vec![sleep(1), sleep(2)]; join_all(v).await;",
        "let f = |ms| sleep(ms); f(1).await; f(2).await;",
        "ready(5).await;",
        "click().await; block(10).await;",
    ] {
        checked(program);
    }
}

#[test]
fn names_rust_does_not_know_are_said_with_a_hint() {
    assert_eq!(
        error("slep(300).await;"),
        "1:1: error[E0425]: cannot find function `slep` in this scope."
    );
    assert_eq!(
        error("let a = 1; b;"),
        "1:12: error[E0425]: cannot find value `b` in this scope."
    );
    assert_eq!(
        error("dbg!(1);"),
        "1:1: error: cannot find macro `dbg` in this scope."
    );
    assert_eq!(
        error("let x: u32 = 1;"),
        "1:14: error: the sandbox's numbers are u64, not u32."
    );
}

#[test]
fn a_missing_await_is_caught_where_the_value_is_used() {
    assert_eq!(
        error("let page = fetch(\"x\")?;"),
        "1:12: error[E0277]: the `?` operator can only be applied to values that implement `Try`."
    );
    assert_eq!(
        error("let n = ready(5) + 1;"),
        "1:9: error[E0369]: cannot apply `+` to `Task<u64>`: the sandbox's arithmetic is on u64."
    );
    assert_eq!(
        error("sleep(ready(5));"),
        "1:7: error[E0308]: mismatched types: expected `u64`, found `Task<u64>`."
    );
    assert_eq!(
        error("let p = fetch(\"x\"); println!(\"{}\", p);"),
        "1:36: error[E0277]: `Task<Result<String, Error>>` doesn't implement `std::fmt::Display`."
    );
}

#[test]
fn await_and_question_mark_stand_only_where_rust_lets_them() {
    assert_eq!(
        error("let f = || sleep(1).await;"),
        "1:12: error[E0728]: `await` is only allowed inside `async` functions and blocks."
    );
    assert_eq!(error("5.await;"), "1:1: error[E0277]: `u64` is not a future.");
    assert_eq!(
        error("let b = async { fetch(\"x\").await?; Ok(()) };"),
        "1:17: error[E0282]: type annotations needed."
    );
    assert_eq!(
        error("let f = || fetch(\"x\")?;"),
        "1:12: error[E0277]: the `?` operator can only be applied to values that implement `Try`."
    );
}

#[test]
fn types_rust_would_refuse_are_refused() {
    assert_eq!(
        error("join_all([sleep(1), fetch(\"x\")]).await;"),
        "1:21: error[E0308]: mismatched types: expected `Task<()>`, found `Task<Result<String, Error>>`."
    );
    assert_eq!(
        error("join_all([async { 1 }, async { 1 }]).await;"),
        "1:24: error[E0308]: mismatched types: expected `` `async` block (impl Future<Output = u64>) ``, found `` `async` block (impl Future<Output = u64>) ``."
            .replace("`` `async` block (impl Future<Output = u64>) ``", "``async` block (impl Future<Output = u64>)`")
            .as_str()
    );
    assert_eq!(
        error("sleep(\"300\");"),
        "1:7: error[E0308]: mismatched types: expected `u64`, found `&str`."
    );
    assert_eq!(
        error("fetch(5);"),
        "1:7: error[E0308]: mismatched types: expected `String`, found `u64`."
    );
    assert_eq!(
        error("sleep(1, 2);"),
        "1:1: error[E0061]: this function takes 1 argument but 2 arguments were supplied."
    );
    assert_eq!(
        error("spawn_local(fetch(\"x\"));"),
        "1:13: error[E0271]: type mismatch resolving `<… as Future>::Output == ()`: this future's output is `Result<String, Error>`."
    );
    assert_eq!(
        error("try_join!(sleep(1));"),
        "1:11: error[E0277]: try_join! takes futures whose output is a `Result<_, Error>`."
    );
    assert_eq!(
        error("println!(\"{}\", (1, 2));"),
        "1:16: error[E0277]: `(u64, u64)` doesn't implement `std::fmt::Display`."
    );
    assert_eq!(
        error("println!(\"{} {}\", 1);"),
        "1:1: error: 2 positional arguments in format string, but there is 1 argument."
    );
}

#[test]
fn a_value_used_after_a_move_is_refused() {
    assert_eq!(
        error("let a = sleep(1); a.await; a.await;"),
        "1:28: error[E0382]: use of moved value: `a`."
    );
    assert_eq!(
        error("let a = sleep(1); for i in 0..2 { drop(a); }"),
        "1:40: error[E0382]: use of moved value: `a`."
    );
    assert_eq!(
        error("let a = sleep(1); let b = async move { a.await }; a.await;"),
        "1:51: error[E0382]: use of moved value: `a`."
    );
    // Copy values may be used again and again.
    checked("let ms = 5; sleep(ms).await; sleep(ms).await; let s = \"x\"; fetch(s); fetch(s);");
    // A String lent with & stays.
    checked("let u = format!(\"x\"); fetch(&u); fetch(&u); fetch(u);");
}

#[test]
fn closures_and_async_blocks_follow_rusts_borrowing() {
    assert_eq!(
        error("let fs = repeat(3, |i| async { sleep(i).await });"),
        "1:24: error[E0373]: async block may outlive the current function, but it borrows `i`, which is owned by the current function."
    );
    checked("let fs = repeat(3, |i| async move { sleep(i).await });");
    assert_eq!(
        error("let u = format!(\"x\"); retry(3, || fetch(u)).await;"),
        "1:32: error[E0525]: expected a closure that implements the `FnMut` trait, but this closure only implements `FnOnce`."
    );
    checked("let u = format!(\"x\"); retry(3, || fetch(&u)).await;");
    assert_eq!(
        error("repeat(3, || sleep(1));"),
        "1:11: error[E0593]: closure is expected to take 1 argument, but it takes 0."
    );
}

#[test]
fn a_future_made_and_dropped_at_once_is_legal_and_warned_about() {
    let ok = checked("sleep(300);\nlet _unused = fetch(\"x\");");
    assert_eq!(ok.warnings.len(), 1);
    // rustc 1.95's words for each kind of future dropped as a statement.
    assert_eq!(
        ok.warnings[0].message,
        "unused pinned boxed `Future` trait object that must be used"
    );
    assert!(ok.warnings[0].warning);
    let block = checked("async { sleep(1).await; };\nlet a = sleep(1);\na;");
    let said: Vec<&str> = block.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        said,
        [
            "unused implementer of `Future` that must be used",
            "path statement drops value"
        ]
    );
}
