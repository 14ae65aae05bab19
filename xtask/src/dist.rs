//! `cargo xtask dist`: one self-contained static folder, `dist/`, that runs
//! every lesson with no server of ours, from any static host and any path.
//!
//! ```text
//! dist/
//!   index.html playground.js style.css favicon.svg      the playground
//!   async-demo.js async-demo.css worker.js sw.js        the widget
//!   pkg/async_demo.js pkg/async_demo_bg.wasm pkg/async_demo.d.ts   the lessons (endpoints.wasm: sw.js's answers)
//!   pkg-sandbox/…  (the same three files)               the lessons and the sandbox
//!   docs/                                               the docs book
//!   package.json async-demo-<version>.tgz               the widget as an npm package
//! ```
//!
//! The differences from `www/`: this `async-demo.js` registers `sw.js`, the
//! Service Worker that answers the lessons' `async-demo-api/` URLs in the browser (there
//! is no dev server behind a static host), and the book's widgets are
//! pre-rendered into its pages (see [`prerender`]).

use std::path::{Path, PathBuf};

use crate::build;
use crate::run;

/// The playground's own files, below `www/`.
const PLAYGROUND: &[&str] = &["index.html", "playground.js", "style.css", "favicon.svg"];

/// The widget's files, below `www/`: what a site copies, and what the npm
/// package holds (its `files`).
const WIDGET: &[&str] = &[
    "async-demo.js",
    "async-demo.css",
    "worker.js",
    "sw.js",
    "pkg/async_demo.js",
    "pkg/async_demo_bg.wasm",
    "pkg/async_demo.d.ts",
    "pkg/endpoints.wasm",
    "pkg-sandbox/async_demo.js",
    "pkg-sandbox/async_demo_bg.wasm",
    "pkg-sandbox/async_demo.d.ts",
];

/// The build tools of the npm package, below `www/`: not copied into a site.
/// `prerender.mjs` is its `async-demo-prerender` command (and pre-renders
/// this book); `csp.mjs` its `async-demo-csp`, the strict policy of a built
/// site with the hashes of its generator's inline scripts.
const TOOLS: &[&str] = &["prerender.mjs", "csp.mjs"];

/// The line of `www/async-demo.js` that dist turns on.
const SERVICE_WORKER_OFF: &str = "const SERVICE_WORKER = false;";
const SERVICE_WORKER_ON: &str = "const SERVICE_WORKER = true;";

/// Builds the release and the book, writes `dist/`, packs the widget and
/// prints every file's size.
pub fn build() -> Result<(), String> {
    build::release()?;
    build::docs()?;
    let root = xtask::root();
    let www = root.join("www");
    let dist = root.join("dist");
    println!("==> writing {}", dist.display());
    if dist.exists() {
        std::fs::remove_dir_all(&dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    }
    for name in PLAYGROUND.iter().chain(WIDGET).chain(TOOLS) {
        copy(&www.join(name), &dist.join(name))?;
    }
    switch_service_worker_on(&dist.join("async-demo.js"))?;
    copy_dir(&root.join("docs/book"), &dist.join("docs"))?;
    let moved = strict_csp_book(&dist.join("docs"))?;
    println!("    docs/: {moved} inline scripts and data: images of mdBook moved into files, for the README's strict CSP");
    prerender(&dist)?;
    check_book(&dist)?;
    write_package_json(&dist)?;
    let tarball = npm_pack(&dist)?;
    print_sizes(&dist)?;
    println!(
        "\n    dist/ is ready: serve it from any static host, at any path (e.g. `python3 -m http.server -d dist`).\n    The widget as an npm package: dist/{tarball} (npm install ./dist/{tarball})."
    );
    Ok(())
}

/// Writes each docs page's widgets into the page as declarative shadow roots
/// (`prerender.mjs`, the npm package's `async-demo-prerender`: the widgets'
/// markup from the release wasm, run by Node, with no browser): a reader
/// sees them whole before the wasm, which loads when a widget comes near the
/// viewport.
fn prerender(dist: &Path) -> Result<(), String> {
    let tool = dist.join("prerender.mjs");
    run::status(
        "pre-rendering the book's widgets (node dist/prerender.mjs dist --only docs)",
        run::command(
            "node",
            &[&tool.to_string_lossy(), &dist.to_string_lossy(), "--only", "docs"],
        ),
    )
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    if !from.is_dir() {
        return Err(format!(
            "{} is missing: the docs book did not build",
            from.display()
        ));
    }
    for (path, relative) in files_below(from)? {
        copy(&path, &to.join(relative))?;
    }
    Ok(())
}

/// Every file below `dir` (recursively), with its path relative to `dir`, sorted.
fn files_below(dir: &Path) -> Result<Vec<(PathBuf, PathBuf)>, String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| format!("{}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).map_err(|e| e.to_string())?.to_path_buf();
                found.push((path, relative));
            }
        }
    }
    found.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(found)
}

/// dist's `async-demo.js` registers the Service Worker (see its `SERVICE_WORKER`).
fn switch_service_worker_on(module: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(module).map_err(|e| format!("{}: {e}", module.display()))?;
    if text.matches(SERVICE_WORKER_OFF).count() != 1 {
        return Err(format!(
            "www/async-demo.js must hold the line `{SERVICE_WORKER_OFF}` exactly once: dist turns it on"
        ));
    }
    std::fs::write(module, text.replace(SERVICE_WORKER_OFF, SERVICE_WORKER_ON))
        .map_err(|e| format!("{}: {e}", module.display()))
}

/// The name of the file an inline script's `code` moves to: named by its
/// content (FNV-1a), so that the pages that share a script share its file.
fn inline_script_name(code: &str) -> String {
    let hash = code.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("inline-{hash:016x}.js")
}

/// mdBook's pages carry inline scripts (the theme, the sidebar, the paths) and one `style`
/// attribute, which the README's policy (`script-src 'self'`, `style-src 'self'`) refuses: the
/// book would lose its theme, sidebar and search, and log errors (mdBook has no option for it:
/// rust-lang/mdBook#2419). Each inline script moves into a file of its own, loaded by a
/// `<script src>` in the same place (classic scripts run in order and share their top-level
/// `const`s, as inline ones do); the clearing `<div>`'s style becomes a class in
/// `strict-csp.css`; the SVG `data:` images of its stylesheets (`img-src` falls back to
/// `default-src 'self'`) become files. Returns how many scripts and images moved.
fn strict_csp_book(docs: &Path) -> Result<usize, String> {
    const OPEN: &str = "<script>";
    const CLOSE: &str = "</script>";
    const CLEAR: &str = "<div style=\"clear: both\"></div>";
    let mut moved = 0;
    for (path, relative) in files_below(docs)? {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let up = "../".repeat(relative.components().count() - 1);
        let mut out = String::with_capacity(html.len());
        let mut rest = html.as_str();
        while let Some(start) = rest.find(OPEN) {
            let code_start = start + OPEN.len();
            let Some(len) = rest[code_start..].find(CLOSE) else {
                break;
            };
            let code = &rest[code_start..code_start + len];
            let name = inline_script_name(code);
            let file = docs.join(&name);
            if !file.exists() {
                std::fs::write(&file, code).map_err(|e| format!("{}: {e}", file.display()))?;
            }
            out.push_str(&rest[..start]);
            out.push_str(&format!("<script src=\"{up}{name}\"></script>"));
            rest = &rest[code_start + len + CLOSE.len()..];
            moved += 1;
        }
        out.push_str(rest);
        if out.contains(CLEAR) {
            out = out.replace(CLEAR, "<div class=\"clear-both\"></div>").replacen(
                "</head>",
                &format!("<link rel=\"stylesheet\" href=\"{up}strict-csp.css\">\n</head>"),
                1,
            );
        }
        if out.contains(" style=\"") {
            println!(
                "    warning: docs/{} still has a style attribute, which style-src 'self' refuses",
                relative.display()
            );
        }
        std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    moved += svg_data_urls_to_files(docs)?;
    let css = docs.join("strict-csp.css");
    std::fs::write(&css, "/* mdBook's inline style=\"clear: both\", as a class (see xtask/src/dist.rs). */\n.clear-both { clear: both; }\n")
        .map_err(|e| format!("{}: {e}", css.display()))?;
    Ok(moved)
}

/// Each `url('data:image/svg+xml,…')` of the stylesheets below `docs` (mdBook
/// writes its SVG raw, continued over lines with `\`) becomes a file beside
/// the stylesheet. Returns how many.
fn svg_data_urls_to_files(docs: &Path) -> Result<usize, String> {
    let mut moved = 0;
    for (path, _) in files_below(docs)? {
        if path.extension().is_none_or(|e| e != "css") {
            continue;
        }
        let css = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut out = String::with_capacity(css.len());
        let mut rest = css.as_str();
        let next = |text: &str| {
            ["url('data:image/svg+xml,", "url(\"data:image/svg+xml,"]
                .iter()
                .filter_map(|marker| Some((text.find(marker)?, marker.len())))
                .min()
        };
        while let Some((start, marker)) = next(rest) {
            let quote = &rest[start + 4..start + 5];
            let data_start = start + marker;
            let Some(len) = rest[data_start..].find(&format!("{quote})")) else {
                break;
            };
            let svg = rest[data_start..data_start + len].replace("\\\n", "");
            if svg.contains('%') {
                return Err(format!(
                    "{}: a percent-encoded data: image, which dist cannot move yet",
                    path.display()
                ));
            }
            let name = inline_script_name(&svg).replace(".js", ".svg");
            let folder = path.parent().unwrap_or(docs);
            std::fs::write(folder.join(&name), &svg).map_err(|e| format!("{name}: {e}"))?;
            out.push_str(&rest[..start]);
            out.push_str(&format!("url(\"{name}\")"));
            rest = &rest[data_start + len + 2..];
            moved += 1;
        }
        out.push_str(rest);
        std::fs::write(&path, out).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(moved)
}

/// The book's pages must find the widget where dist puts it: every relative
/// `src` of a `<script>` in `dist/docs` names a file in `dist/`. A widget
/// whose `urls` start with `/async-demo-api/` is flagged: on a host that serves the
/// folder below its root, such a URL leaves the widget's folder, where the
/// Service Worker answers (write `../async-demo-api/…` in a chapter).
fn check_book(dist: &Path) -> Result<(), String> {
    let docs = dist.join("docs");
    let mut missing = Vec::new();
    for (path, relative) in files_below(&docs)? {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let folder = path.parent().unwrap_or(&docs);
        for src in attribute_values(&html, "<script", "src") {
            if src.contains("://") || src.starts_with('/') || src.starts_with("data:") {
                continue;
            }
            let target = folder.join(src.split(['?', '#']).next().unwrap_or_default());
            if !target.is_file() {
                missing.push(format!("docs/{}: <script src=\"{src}\">", relative.display()));
            }
        }
        for urls in attribute_values(&html, "<async-demo", "urls") {
            if urls.split_whitespace().any(|u| u.starts_with("/async-demo-api/")) {
                println!(
                    "    warning: docs/{} has a widget with urls=\"{urls}\": a root-absolute /async-demo-api/ URL works on the dev server only; under a sub-path write ../async-demo-api/…",
                    relative.display()
                );
            }
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the book's pages load scripts that dist/ does not hold:\n  {}",
            missing.join("\n  ")
        ))
    }
}

/// The values of `name="…"` in every tag of `html` that starts with `tag`.
fn attribute_values<'a>(html: &'a str, tag: &str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.match_indices(tag)
        .filter_map(|(at, _)| {
            let rest = &html[at..];
            let end = rest.find('>')?;
            let start = rest[..end].find(&needle)? + needle.len();
            let len = rest[start..end].find('"')?;
            Some(&rest[start..start + len])
        })
        .collect()
}

/// `dist/package.json`: the widget's files as an npm package, named and
/// versioned after the crate.
fn write_package_json(dist: &Path) -> Result<(), String> {
    let metadata = run::output("cargo", &["metadata", "--no-deps", "--format-version", "1"])
        .ok_or("cargo metadata failed")?;
    let metadata: serde_json::Value = serde_json::from_str(&metadata).map_err(|e| e.to_string())?;
    let crate_ = metadata["packages"]
        .as_array()
        .and_then(|p| p.iter().find(|p| p["name"] == "async-demo"))
        .ok_or("cargo metadata lists no package async-demo")?;
    // Written by hand, not through serde_json::Value (whose objects sort their
    // keys): in `exports`, conditions match in order, and TypeScript needs
    // `types` before `default`.
    let string = |v: &serde_json::Value| serde_json::to_string(v).unwrap_or_else(|_| "null".into());
    let files = WIDGET
        .iter()
        .chain(TOOLS)
        .map(|f| format!("    \"{f}\""))
        .collect::<Vec<_>>()
        .join(",\n");
    let text = format!(
        r#"{{
  "name": "async-demo",
  "version": {version},
  "description": {description},
  "license": {license},
  "private": true,
  "type": "module",
  "main": "./async-demo.js",
  "types": "./pkg/async_demo.d.ts",
  "exports": {{
    ".": "./async-demo.js",
    "./async-demo.js": "./async-demo.js",
    "./async-demo.css": "./async-demo.css",
    "./worker.js": "./worker.js",
    "./sw.js": "./sw.js",
    "./pkg/async_demo.js": {{
      "types": "./pkg/async_demo.d.ts",
      "default": "./pkg/async_demo.js"
    }},
    "./pkg/async_demo_bg.wasm": "./pkg/async_demo_bg.wasm",
    "./pkg-sandbox/async_demo.js": {{
      "types": "./pkg-sandbox/async_demo.d.ts",
      "default": "./pkg-sandbox/async_demo.js"
    }},
    "./pkg-sandbox/async_demo_bg.wasm": "./pkg-sandbox/async_demo_bg.wasm",
    "./package.json": "./package.json"
  }},
  "files": [
{files}
  ],
  "bin": {{
    "async-demo-prerender": "./prerender.mjs",
    "async-demo-csp": "./csp.mjs"
  }},
  "dependencies": {{
    "parse5": {parse5}
  }},
  "sideEffects": ["./async-demo.js"],
  "keywords": ["rust", "webassembly", "async", "futures", "custom-element", "web-component"]
}}
"#,
        version = string(&crate_["version"]),
        parse5 = string(&parse5_version()?),
        description = string(&crate_["description"]),
        license = string(&crate_["license"]),
    );
    serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| format!("dist/package.json is not JSON: {e}"))?;
    std::fs::write(dist.join("package.json"), text).map_err(|e| format!("dist/package.json: {e}"))
}

/// The version of parse5 this repository's `package.json` pins: the npm
/// package's `async-demo-prerender` reads pages with it.
fn parse5_version() -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(xtask::root().join("package.json"))
        .map_err(|e| format!("package.json: {e}"))?;
    let tools: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("package.json: {e}"))?;
    let version = &tools["devDependencies"]["parse5"];
    if version.is_string() {
        Ok(version.clone())
    } else {
        Err("package.json's devDependencies name no parse5".into())
    }
}

/// `npm pack` of `dist/package.json`; returns the tarball's file name (in `dist/`).
fn npm_pack(dist: &Path) -> Result<String, String> {
    println!("==> npm pack (the widget's files as a package)");
    let out = run::command("npm", &["pack", "--json", "--pack-destination", "."])
        .current_dir(dist)
        .env("npm_config_update_notifier", "false")
        .output()
        .map_err(|e| format!("could not start npm: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "npm pack failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let packed: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("npm pack --json printed something else: {e}"))?;
    let name = packed[0]["filename"]
        .as_str()
        .ok_or("npm pack named no tarball")?
        .to_string();
    let files: Vec<&str> = packed[0]["files"]
        .as_array()
        .map(|f| f.iter().filter_map(|f| f["path"].as_str()).collect())
        .unwrap_or_default();
    let mut expected: Vec<&str> = WIDGET
        .iter()
        .chain(TOOLS)
        .copied()
        .chain(["package.json"])
        .collect();
    let mut got = files.clone();
    expected.sort_unstable();
    got.sort_unstable();
    if got != expected {
        return Err(format!("the package holds {got:?}, not {expected:?}"));
    }
    Ok(name)
}

/// Prints every file of `dist/` with its raw and gzip -9 size, then totals.
fn print_sizes(dist: &Path) -> Result<(), String> {
    println!("==> dist/: every file, raw and gzip -9 bytes");
    println!("    {:>9} {:>9}  file", "raw", "gzip");
    let mut total = (0, 0);
    let mut widget = (0, 0);
    for (path, relative) in files_below(dist)? {
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let gzipped = crate::build::gzip_len(&bytes)?;
        let name = relative.to_string_lossy().replace('\\', "/");
        println!("    {:>9} {gzipped:>9}  {name}", bytes.len());
        total = (total.0 + bytes.len(), total.1 + gzipped);
        if WIDGET.contains(&name.as_str()) {
            widget = (widget.0 + bytes.len(), widget.1 + gzipped);
        }
    }
    println!(
        "    {:>9} {:>9}  the widget's files ({})",
        widget.0,
        widget.1,
        WIDGET.len()
    );
    println!("    {:>9} {:>9}  all of dist/", total.0, total.1);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{attribute_values, strict_csp_book};

    #[test]
    fn the_book_loses_its_inline_scripts_style_attribute_and_data_images() {
        let docs = std::env::temp_dir().join(format!("async-demo-dist-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&docs);
        std::fs::create_dir_all(docs.join("part")).expect("a temporary folder");
        std::fs::create_dir_all(docs.join("css")).expect("a temporary folder");
        let page = "<head>\n</head><script>\n  const path_to_root = \"\";\n</script><script src=\"book.js\"></script>\
                    <div style=\"clear: both\"></div><script>window.x = 1;</script>";
        std::fs::write(docs.join("a.html"), page).expect("a page");
        std::fs::write(docs.join("part/b.html"), page).expect("a page");
        std::fs::write(
            docs.join("css/chrome.css"),
            "a::before { content: url('data:image/svg+xml,<svg \\\nxmlns=\"x\"/>'); }",
        )
        .expect("a stylesheet");
        assert_eq!(strict_csp_book(&docs).expect("the book rewritten"), 5);

        let a = std::fs::read_to_string(docs.join("a.html")).expect("the page");
        assert!(!a.contains("<script>") && !a.contains("style=\""), "{a}");
        assert!(
            a.contains("<div class=\"clear-both\"></div>") && a.contains("href=\"strict-csp.css\""),
            "{a}"
        );
        let b = std::fs::read_to_string(docs.join("part/b.html")).expect("the page");
        let srcs = attribute_values(&b, "<script", "src");
        assert_eq!(srcs.len(), 3, "{b}");
        assert!(
            srcs[0].starts_with("../inline-") && srcs[1] == "book.js",
            "{srcs:?}"
        );
        // The same script in two pages is one file, its code unchanged.
        let first = std::fs::read_to_string(docs.join(&srcs[0][3..])).expect("the moved script");
        assert_eq!(first, "\n  const path_to_root = \"\";\n");
        let css = std::fs::read_to_string(docs.join("css/chrome.css")).expect("the stylesheet");
        let svg = css.split('"').nth(1).expect("a url");
        assert!(svg.starts_with("inline-") && svg.ends_with(".svg"), "{css}");
        assert_eq!(
            std::fs::read_to_string(docs.join("css").join(svg)).expect("the image"),
            "<svg xmlns=\"x\"/>"
        );
        std::fs::remove_dir_all(&docs).expect("the temporary folder removed");
    }

    #[test]
    fn reads_attributes_of_one_kind_of_tag() {
        let html = r#"<p><async-demo lesson="race" urls="/async-demo-api/delay/1 ../async-demo-api/delay/2"></async-demo>
            <script src="../async-demo.js" type="module"></script><script>x</script>
            <async-demo lesson="sleep"></async-demo>"#;
        assert_eq!(
            attribute_values(html, "<async-demo", "urls"),
            ["/async-demo-api/delay/1 ../async-demo-api/delay/2"]
        );
        assert_eq!(attribute_values(html, "<script", "src"), ["../async-demo.js"]);
    }
}
