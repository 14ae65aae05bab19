//! `cargo xtask serve | build | docs | dist | test | bench | size`
//!
//! - `serve [--port N]`: installs what is missing, builds the release wasm
//!   into `www/pkg` and the docs book, serves the playground on
//!   127.0.0.1:8080 (or `PORT`) and the book at `/docs/`.
//! - `build`: the same build, without serving.
//! - `docs`: the release build (the book's widgets load it), then the book
//!   into `docs/book` (installing mdbook if it is missing).
//! - `dist`: the release, the docs book and the widget's npm package in one
//!   static folder, `dist/`, whose Service Worker answers the lessons' `async-demo-api/`
//!   URLs: it runs every lesson on any static host ([`dist`]).
//! - `test [--suite NAME]…`: installs what the tests need (browsers,
//!   drivers, Python with aiohttp), then runs every suite: native unit and
//!   dev-server tests, wasm-bindgen tests in headless Chrome and Firefox, and
//!   end-to-end tests of the release build in headless Chromium (the Python
//!   twins' parity among them) and in Firefox. `--suite` runs only the suites
//!   named ([`Selection`]): `native`, `wasm` or `wasm:<file in tests/>`,
//!   `e2e` or `e2e:<name>` (`tests/e2e/<name>.test.mjs`), `firefox` or
//!   `firefox:<name>`.
//! - `bench`: builds the release and prints the performance figures.
//! - `size`: builds the release and prints where the wasm's bytes are
//!   (sections, and twiggy's largest items and modules).

mod build;
mod dist;
mod install;
mod run;
mod size;
mod suites;

use std::net::SocketAddr;
use std::process::ExitCode;

use suites::{files_named, Kind, Selection};
use xtask::server::Server;

const USAGE: &str =
    "usage: cargo xtask <serve [--port N] | build | docs | dist | test [--suite NAME]… | bench | size>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => port(&args[1..]).and_then(serve),
        Some("build") => build::release().map(|_| ()),
        Some("docs") => build::release().and_then(|_| build::docs()),
        Some("dist") => dist::build(),
        Some("test") => Selection::parse(&args[1..]).and_then(|only| test(&only)),
        Some("bench") => bench(),
        Some("size") => size::report(),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `--port N`, else `PORT`, else 8080.
fn port(args: &[String]) -> Result<u16, String> {
    let text = match args {
        [] => std::env::var("PORT").unwrap_or_else(|_| "8080".into()),
        [flag, value] if flag == "--port" => value.clone(),
        _ => return Err(USAGE.to_string()),
    };
    text.parse()
        .map_err(|_| format!("the port must be a number from 0 to 65535, not “{text}”"))
}

fn serve(port: u16) -> Result<(), String> {
    build::release()?;
    build::docs()?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let server = Server::bind(addr, xtask::root().join("www"))
            .await
            .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
        let addr = server.addr().map_err(|e| e.to_string())?;
        println!("\nasync-demo playground: http://{addr}/   docs: http://{addr}/docs/   (Ctrl-C to stop)");
        tokio::select! {
            served = server.run() => served.map_err(|e| e.to_string()),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}

/// Starts a dev server on a free port in `runtime`; returns its origin.
fn background_server(runtime: &tokio::runtime::Runtime) -> Result<String, String> {
    let server = runtime
        .block_on(Server::bind(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            xtask::root().join("www"),
        ))
        .map_err(|e| format!("cannot start the dev server: {e}"))?;
    let origin = format!("http://{}", server.addr().map_err(|e| e.to_string())?);
    runtime.spawn(server.run());
    Ok(origin)
}

/// `cargo xtask bench`: one line per figure, `bench <name> <value>`.
fn bench() -> Result<(), String> {
    install::test_tools()?;
    // The release, the book, and dist/ with the book's widgets pre-rendered.
    dist::build()?;
    build::bench()?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let origin = background_server(&runtime)?;
    println!("==> bench page, cold loads and Lighthouse in headless Chromium ({origin}, and dist/ served statically)");
    let out = run::command("node", &["xtask/bench.mjs", &origin, "dist"])
        .output()
        .map_err(|e| format!("could not start node: {e}"))?;
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    if !out.status.success() {
        return Err(format!("the bench page failed: {stdout}"));
    }
    let figures: serde_json::Value =
        serde_json::from_str(last).map_err(|e| format!("bench output {last:?}: {e}"))?;
    if let Some(medians) = figures["medians_ms"].as_object() {
        for (kind, ms) in medians {
            println!(
                "bench median_ms_10k_timers_{} {:.2}",
                kind.replace('-', "_"),
                ms.as_f64().unwrap_or(f64::NAN)
            );
        }
    }
    for name in [
        "traced_over_untraced_10k_timers",
        "traced_over_untraced_10k_sleeps",
        "sandbox_interpreted_over_compiled_10k_sleeps",
        "sandbox_interpreted_over_compiled_90k_sleeps",
        "demo_over_js_10k_timers",
        "gloo_traced_over_js_10k_timers",
        "longest_frame_ms_render_10k",
        "longest_frame_ms_render_100k",
        "bytes_per_traced_future",
        // Where the last three come from: one clock read, and `many`'s start
        // without the widget (cold in a fresh page, then warm), untraced and
        // traced, with the memory it grows per future.
        "clock_read_ns",
        "start_ms_100k_untraced_cold",
        "start_ms_100k_untraced_warm",
        "start_ms_100k_traced_cold",
        "start_ms_100k_traced_warm",
        "bytes_per_untraced_future_no_widget",
        "bytes_per_traced_future_no_widget",
        "time_to_first_widget_ms",
        "lighthouse_performance_playground",
        "lighthouse_performance_docs",
        "lighthouse_performance_docs_static",
        "layout_shift_playground",
        "layout_shift_docs",
        "layout_shift_docs_static",
        "first_contentful_paint_ms_playground",
        "first_contentful_paint_ms_docs",
        "first_contentful_paint_ms_docs_static",
        "time_to_interactive_ms_playground",
        "time_to_interactive_ms_docs",
        "time_to_interactive_ms_docs_static",
        "transfer_bytes_playground",
        "transfer_bytes_docs",
        "transfer_bytes_docs_static",
        "lighthouse_performance_worst_chapter",
        "layout_shift_worst_chapter",
    ] {
        println!("bench {name} {:.3}", figures[name].as_f64().unwrap_or(f64::NAN));
    }
    let chapters = &figures["chapters"];
    println!(
        "    of {} chapter pages (served and in dist/, one Lighthouse run each): lowest score {}, largest layout shift {}",
        chapters["count"],
        chapters["worst"].as_str().unwrap_or("?"),
        chapters["most_shifted"].as_str().unwrap_or("?")
    );
    let page = build::shipped_sizes(build::SHIPPED)?;
    let wasm_js: u64 = page
        .iter()
        .filter(|s| !s.name.ends_with(".css"))
        .map(|s| s.gzipped)
        .sum();
    println!("bench wasm_js_gzip_bytes {wasm_js}");
    // A page whose widget is pre-rendered (the static build's book): what it
    // fetched of the widget's files before the widget is usable, as measured
    // in the browser, plus the widget's markup in the HTML.
    let prerendered = &figures["prerendered"];
    println!(
        "bench page_gzip_bytes {}",
        figures["page_gzip_bytes"].as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "    {} (widget {:.0} px below the first screen): its markup in the HTML {} gzipped",
        prerendered["chapter"].as_str().unwrap_or("?"),
        prerendered["widget_below_fold_px"].as_f64().unwrap_or(f64::NAN),
        prerendered["markup_gzip_bytes"]
    );
    for file in prerendered["files"].as_array().into_iter().flatten() {
        println!(
            "    fetched before the widget was near: {} {} gzipped",
            file[0], file[1]
        );
    }
    // A page whose widget is not pre-rendered (the playground, the dev
    // server's book, an embedder's own page): all of it before the widget shows.
    println!(
        "bench eager_page_gzip_bytes {}",
        page.iter().map(|s| s.gzipped).sum::<u64>()
    );
    let on_demand = build::shipped_sizes(build::ON_DEMAND)?;
    let lessons_gzip: u64 = on_demand.iter().map(|s| s.gzipped).sum();
    println!("bench on_demand_gzip_bytes {lessons_gzip}");
    // The sandbox's build, loaded instead on a page with a sandbox widget:
    // what the sandbox adds is the difference (the lessons' pages load pkg/
    // and pay none of it).
    let sandbox = build::shipped_sizes(build::SANDBOX_ON_DEMAND)?;
    let sandbox_gzip: u64 = sandbox.iter().map(|s| s.gzipped).sum();
    println!("bench sandbox_on_demand_gzip_bytes {sandbox_gzip}");
    println!(
        "bench sandbox_adds_gzip_bytes {}",
        sandbox_gzip.saturating_sub(lessons_gzip)
    );
    let more = on_demand.iter().filter(|f| !build::SHIPPED.contains(&f.name));
    for file in page.iter().chain(more) {
        println!("    {}: {} bytes, {} gzipped", file.name, file.raw, file.gzipped);
    }
    Ok(())
}

fn test(only: &Selection) -> Result<(), String> {
    install::test_tools()?;
    let mut suites = run::Suites::default();

    if only.wants(Kind::Native) {
        suites.run(
            "native unit and dev-server tests",
            run::cargo(&["test", "--workspace"]),
        );
    }
    let browsers = [Kind::Wasm, Kind::E2e, Kind::Firefox];
    if !browsers.iter().any(|&kind| only.wants(kind)) {
        return suites.finish();
    }

    // One dev server for the browser suites, on a free port.
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let origin = background_server(&runtime)?;
    println!("==> dev server for the browser tests: {origin}");

    // One wasm-pack call per suite, so that a failure in one still lets the
    // others run (cargo test stops at the first failing test binary).
    for suite in only.pick(Kind::Wasm, files_named("tests", ".rs")?)? {
        let mut wasm = run::command(
            "wasm-pack",
            &["test", "--headless", "--chrome", "--firefox", "--test", &suite],
        );
        wasm.env("ASYNC_DEMO_SERVER", &origin);
        // The runner's limit is for a whole suite (20 s by default); the
        // sandbox's twins run some 230 programs twice, for real.
        wasm.env("WASM_BINDGEN_TEST_TIMEOUT", "900");
        suites.run(
            &format!("wasm-bindgen tests/{suite}.rs (headless Chrome and Firefox)"),
            wasm,
        );
    }
    if !only.wants(Kind::E2e) && !only.wants(Kind::Firefox) {
        return suites.finish();
    }

    // dist builds the release and the book too; tests/e2e/dist.test.mjs serves it.
    // The generators the recipes of the README are followed with; the test
    // fails, rather than skips, when they could not be installed.
    let sites = install::site_generators();
    if let Err(e) = &sites {
        println!("==> the docs generators could not be installed: {e}");
    }
    match dist::build() {
        Ok(()) => {
            let sites = sites
                .as_ref()
                .map_or_else(|e| format!("missing: {e}"), |p| p.display().to_string());
            for (kind, folder, what) in [
                (
                    Kind::E2e,
                    "tests/e2e",
                    "end-to-end tests (release build, headless Chromium)",
                ),
                // The core of it again in Debian's Firefox ESR, over
                // WebDriver (MkDocs and VitePress sites among it).
                (
                    Kind::Firefox,
                    "tests/firefox",
                    "end-to-end tests in Firefox (geckodriver)",
                ),
            ] {
                if !only.wants(kind) {
                    continue;
                }
                let files = only.pick(kind, files_named(folder, ".test.mjs")?)?;
                let mut args = vec!["--test".to_string(), "--test-concurrency=1".to_string()];
                args.extend(files.iter().map(|name| format!("{folder}/{name}.test.mjs")));
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let mut node = run::command("node", &args);
                node.env("ASYNC_DEMO_URL", &origin);
                node.env("ASYNC_DEMO_SITES", &sites);
                suites.run(what, node);
            }
        }
        Err(e) => suites.fail("release build and dist/ for the end-to-end tests", &e),
    }
    suites.finish()
}
