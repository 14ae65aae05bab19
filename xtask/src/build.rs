//! The release build: wasm-pack, then binaryen's wasm-opt from npm.
//!
//! Debian's wasm-opt (binaryen 108) produces modules that die on load
//! ("WebAssembly.Table.set(): Argument 1 is invalid for table"), so wasm-pack's
//! own wasm-opt step is off (Cargo.toml) and binaryen 132 from npm runs here,
//! with the features today's rustc emits enabled.

use std::path::{Path, PathBuf};

use crate::install;
use crate::run::{self, command};

const WASM_OPT_FEATURES: &[&str] = &[
    "--enable-reference-types",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-multivalue",
];

/// The lessons' build's own target folder: built without the `sandbox`
/// feature, its crate must not be the one `target/` holds for the full
/// build (a crate built again with other features is not copied out of
/// `target/` when it was fresh there).
pub const LEAN_TARGET: &str = "target/lean";

/// Builds the two release builds: `www/pkg`, the lessons (without the
/// `sandbox` feature: what every lesson's page loads), and
/// `www/pkg-sandbox`, the lessons and the sandbox (loaded only for a
/// `lesson="sandbox"` widget). Returns the path of the lessons' `.wasm`.
pub fn release() -> Result<PathBuf, String> {
    install::build_tools()?;
    let mut lean = wasm_pack("www/pkg", &["--no-default-features"]);
    lean.env("CARGO_TARGET_DIR", xtask::root().join(LEAN_TARGET));
    run::status(
        "building the lessons' release wasm (wasm-pack build --release --target web, without the sandbox)",
        lean,
    )?;
    run::status(
        "building the sandbox's release wasm (the same, with the sandbox, into www/pkg-sandbox)",
        wasm_pack("www/pkg-sandbox", &[]),
    )?;
    endpoints_wasm()?;
    let root = xtask::root();
    for dir in ["pkg", "pkg-sandbox"] {
        let wasm = root.join(format!("www/{dir}/async_demo_bg.wasm"));
        let before = size(&wasm)?;
        optimize(&wasm, &wasm, &[])?;
        println!("    {dir}/async_demo_bg.wasm: {before} → {} bytes", size(&wasm)?);
    }
    for (what, files) in [
        ("shipped (wasm + JS + CSS)", SHIPPED),
        ("the sandbox's page (wasm + JS + CSS)", SANDBOX_SHIPPED),
    ] {
        let sizes = shipped_sizes(files)?;
        println!(
            "    {what}: {} bytes, {} gzipped",
            sizes.iter().map(|s| s.raw).sum::<u64>(),
            sizes.iter().map(|s| s.gzipped).sum::<u64>()
        );
    }
    Ok(root.join("www/pkg/async_demo_bg.wasm"))
}

/// Builds `www/pkg/endpoints.wasm`: the `endpoints` crate with its `sw`
/// feature, what the static build's Service Worker answers the lessons'
/// `async-demo-api/` URLs with (the dev server's own Rust).
fn endpoints_wasm() -> Result<(), String> {
    let args = [
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "async-demo-endpoints",
        "--features",
        "sw",
    ];
    run::status(
        "building the Service Worker's endpoints (cargo build -p async-demo-endpoints --features sw)",
        command("cargo", &args),
    )?;
    let root = xtask::root();
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let built = target.join("wasm32-unknown-unknown/release/endpoints.wasm");
    let out = root.join("www/pkg/endpoints.wasm");
    optimize(&built, &out, &[])?;
    println!("    pkg/endpoints.wasm: {} bytes", size(&out)?);
    Ok(())
}

/// Builds `www/bench/pkg`: the release with the bench page's exports
/// (`--features bench`), in a target folder of its own, so that the shipped
/// build in `www/pkg` never picks up the feature (a fresh crate is not copied
/// out of `target/` again).
pub fn bench() -> Result<(), String> {
    install::build_tools()?;
    let mut build = wasm_pack("www/bench/pkg", &["--features", "bench"]);
    build.env("CARGO_TARGET_DIR", xtask::root().join("target/bench"));
    run::status(
        "building the bench page's wasm (the release with --features bench, into www/bench/pkg)",
        build,
    )?;
    let wasm = xtask::root().join("www/bench/pkg/async_demo_bg.wasm");
    optimize(&wasm, &wasm, &[])
}

/// `wasm-pack build` of the release for the web into `out_dir`, with
/// `cargo` arguments `cargo_args`.
fn wasm_pack(out_dir: &str, cargo_args: &[&str]) -> std::process::Command {
    let mut args = vec![
        "build",
        "--release",
        "--target",
        "web",
        "--out-dir",
        out_dir,
        "--no-pack",
    ];
    if !cargo_args.is_empty() {
        args.push("--");
        args.extend_from_slice(cargo_args);
    }
    command("wasm-pack", &args)
}

/// binaryen's `wasm-opt -Oz` from `input` to `output`, with `extra` flags.
pub fn optimize(input: &Path, output: &Path, extra: &[&str]) -> Result<(), String> {
    let (input, output) = (input.to_string_lossy(), output.to_string_lossy());
    let mut args = vec!["-Oz"];
    args.extend_from_slice(WASM_OPT_FEATURES);
    args.extend_from_slice(extra);
    args.extend_from_slice(&[&input, "-o", &output]);
    let wasm_opt = xtask::root().join("node_modules/.bin/wasm-opt");
    run::status(
        &format!("optimizing with binaryen's wasm-opt -Oz {}", extra.join(" ")),
        command(&wasm_opt.to_string_lossy(), &args),
    )
}

/// Builds the mdBook in `docs/` into `docs/book` (served at `/docs/`),
/// installing mdbook if it is missing.
pub fn docs() -> Result<(), String> {
    install::mdbook()?;
    run::status(
        "building the docs book (mdbook build docs)",
        command("mdbook", &["build", "docs"]),
    )
}

/// One shipped file's size.
#[derive(Debug)]
pub struct FileSize {
    /// Path below `www/`.
    pub name: &'static str,
    /// Bytes on disk.
    pub raw: u64,
    /// Bytes after gzip -9.
    pub gzipped: u64,
}

/// What a page with one widget that is not pre-rendered downloads before the
/// widget is usable, besides the page itself.
pub const SHIPPED: &[&str] = &[
    "pkg/async_demo_bg.wasm",
    "pkg/async_demo.js",
    "async-demo.js",
    "async-demo.css",
];

/// What a page whose widget is the sandbox downloads instead: the full build.
pub const SANDBOX_SHIPPED: &[&str] = &[
    "pkg-sandbox/async_demo_bg.wasm",
    "pkg-sandbox/async_demo.js",
    "async-demo.js",
    "async-demo.css",
];

/// What a page with pre-rendered widgets fetches only when a widget comes
/// near the viewport or is used (the wasm and its JS), and only when a lesson
/// needs it (the `worker` lesson's Web Worker).
pub const ON_DEMAND: &[&str] = &["pkg/async_demo_bg.wasm", "pkg/async_demo.js", "worker.js"];

/// The same for a page with a sandbox widget: its build instead of the
/// lessons' (and the worker, which loads the lessons' build).
pub const SANDBOX_ON_DEMAND: &[&str] = &[
    "pkg-sandbox/async_demo_bg.wasm",
    "pkg-sandbox/async_demo.js",
    "worker.js",
];

/// Raw and gzipped sizes of `files` (paths below `www/`).
pub fn shipped_sizes(files: &[&'static str]) -> Result<Vec<FileSize>, String> {
    let www = xtask::root().join("www");
    files
        .iter()
        .map(|name| {
            let bytes = std::fs::read(www.join(name)).map_err(|e| format!("www/{name}: {e}"))?;
            Ok(FileSize {
                name,
                raw: bytes.len() as u64,
                gzipped: gzip_len(&bytes)? as u64,
            })
        })
        .collect()
}

/// How many bytes `bytes` take after gzip -9.
pub fn gzip_len(bytes: &[u8]) -> Result<usize, String> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(gz.finish().map_err(|e| e.to_string())?.len())
}

fn size(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}
