//! The release build: wasm-pack, then binaryen's wasm-opt from npm.
//!
//! Debian's wasm-opt (binaryen 108) produces modules that die on load
//! ("WebAssembly.Table.set(): Argument 1 is invalid for table"), so wasm-pack's
//! own wasm-opt step is off (Cargo.toml) and binaryen 132 from npm runs here,
//! with the features today's rustc emits enabled.

use std::path::PathBuf;

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

/// Builds `www/pkg` for release; returns the path of the `.wasm`.
pub fn release() -> Result<PathBuf, String> {
    install::build_tools()?;
    run::status(
        "building the release wasm (wasm-pack build --release --target web)",
        command(
            "wasm-pack",
            &[
                "build",
                "--release",
                "--target",
                "web",
                "--out-dir",
                "www/pkg",
                "--no-pack",
            ],
        ),
    )?;
    let root = xtask::root();
    let wasm = root.join("www/pkg/async_demo_bg.wasm");
    let before = size(&wasm)?;
    let wasm_str = wasm.to_string_lossy().into_owned();
    let mut args = vec!["-Oz"];
    args.extend_from_slice(WASM_OPT_FEATURES);
    args.extend_from_slice(&[&wasm_str, "-o", &wasm_str]);
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    run::status(
        "optimizing with binaryen's wasm-opt -Oz",
        command(&wasm_opt.to_string_lossy(), &args),
    )?;
    println!("    async_demo_bg.wasm: {before} → {} bytes", size(&wasm)?);
    Ok(wasm)
}

fn size(path: &std::path::Path) -> Result<u64, String> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}
