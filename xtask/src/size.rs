//! `cargo xtask size`: where the shipped wasm's bytes are.
//!
//! The shipped module has no names, so the profile is taken of the same
//! build run through wasm-bindgen and `wasm-opt -Oz -g` (names kept, code
//! otherwise as shipped) by twiggy (crates.io). It prints the module's
//! sections, raw and gzipped, then twiggy's ten largest items and the ten
//! largest modules (items summed by their Rust path).

use std::collections::HashMap;
use std::path::Path;

use crate::run::{self, command};
use crate::{build, install};

/// Builds the release, profiles it and prints the figures.
pub fn report() -> Result<(), String> {
    let shipped = build::release()?;
    install::twiggy()?;
    let root = xtask::root();
    let dir = root.join("target/size");
    // The lessons' build (www/pkg), as every lesson's page loads it.
    let linked = root
        .join(build::LEAN_TARGET)
        .join("wasm32-unknown-unknown/release/async_demo.wasm");
    run::status(
        "wasm-bindgen, keeping the names",
        command(
            "wasm-bindgen",
            &[
                "--target",
                "web",
                "--out-dir",
                &dir.to_string_lossy(),
                &linked.to_string_lossy(),
            ],
        ),
    )?;
    let named = dir.join("named.wasm");
    build::optimize(&dir.join("async_demo_bg.wasm"), &named, &["-g"])?;

    println!("==> sections of www/pkg/async_demo_bg.wasm (raw bytes, gzipped)");
    let bytes = std::fs::read(&shipped).map_err(|e| format!("{}: {e}", shipped.display()))?;
    for (name, body) in sections(&bytes)? {
        println!("size section {name} {} {}", body.len(), build::gzip_len(body)?);
    }

    let items = twiggy_items(&named)?;
    println!("==> the ten largest items (twiggy top; bytes in the module before gzip)");
    let mut top: Vec<_> = items.iter().filter(|(name, _)| !is_names(name)).collect();
    top.sort_by_key(|item| std::cmp::Reverse(item.1));
    for (name, size) in top.iter().take(10) {
        println!("size item {size} {name}");
    }
    println!("==> the ten largest modules (items summed by Rust path)");
    let mut modules: HashMap<String, u64> = HashMap::new();
    for (name, size) in &items {
        if !is_names(name) {
            *modules.entry(module_of(name)).or_default() += size;
        }
    }
    let mut modules: Vec<_> = modules.into_iter().collect();
    modules.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (module, size) in modules.iter().take(10) {
        println!("size module {size} {module}");
    }
    Ok(())
}

/// The name section, which the shipped module does not have.
fn is_names(item: &str) -> bool {
    item.contains("names\" subsection") || item == "custom section 'name'"
}

/// twiggy's items as (name, shallow bytes).
fn twiggy_items(wasm: &Path) -> Result<Vec<(String, u64)>, String> {
    let out = command(
        "twiggy",
        &["top", "-n", "1000000", "--format", "csv", &wasm.to_string_lossy()],
    )
    .output()
    .map_err(|e| format!("could not start twiggy: {e}"))?;
    if !out.status.success() {
        return Err(format!("twiggy failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields = csv_fields(line);
            Some((fields.first()?.clone(), fields.get(1)?.parse().ok()?))
        })
        .collect())
}

/// One CSV line's fields (double quotes group, `""` is a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                fields.last_mut().unwrap().push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(String::new()),
            c => fields.last_mut().unwrap().push(c),
        }
    }
    fields
}

/// The Rust module an item belongs to: its crate, and for this crate the
/// module below it (`async_demo::view`); data segments and shims as such.
fn module_of(item: &str) -> String {
    if item.starts_with("data segment") {
        return "(data segments)".into();
    }
    // `<T as path::Trait>::f` belongs to the trait's crate.
    let item = item.split_once(" as ").map_or(item, |(_, trait_path)| trait_path);
    let mut path = String::new();
    let mut depth = 0;
    for c in item.trim_start_matches('<').chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth > 0 => {}
            c if c.is_alphanumeric() || c == '_' || c == ':' => path.push(c),
            _ => break,
        }
    }
    let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [] | [_] => "(shims and other items)".into(),
        ["async_demo", module, ..] => format!("async_demo::{module}"),
        [krate, ..] => (*krate).to_string(),
    }
}

/// A wasm module's sections as (name, body).
fn sections(bytes: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    const NAMES: [&str; 13] = [
        "custom",
        "type",
        "import",
        "function",
        "table",
        "memory",
        "global",
        "export",
        "start",
        "element",
        "code",
        "data",
        "datacount",
    ];
    let bad = || "not a wasm module".to_string();
    if !bytes.starts_with(b"\0asm") {
        return Err(bad());
    }
    let mut at = 8;
    let mut out = Vec::new();
    while at < bytes.len() {
        let id = usize::from(bytes[at]);
        at += 1;
        let (len, after) = leb128(bytes, at).ok_or_else(bad)?;
        let body = bytes.get(after..after + len).ok_or_else(bad)?;
        let mut name = NAMES.get(id).copied().unwrap_or("unknown").to_string();
        if id == 0 {
            if let Some((n, start)) = leb128(body, 0) {
                let custom = body.get(start..start + n).unwrap_or_default();
                name = format!("custom:{}", String::from_utf8_lossy(custom));
            }
        }
        out.push((name, body));
        at = after + len;
    }
    Ok(out)
}

fn leb128(bytes: &[u8], mut at: usize) -> Option<(usize, usize)> {
    let (mut value, mut shift) = (0usize, 0);
    loop {
        let byte = *bytes.get(at)?;
        at += 1;
        value |= usize::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            return Some((value, at));
        }
        shift += 7;
        if shift >= usize::BITS {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{csv_fields, module_of};

    #[test]
    fn items_are_grouped_by_crate_and_module() {
        assert_eq!(
            module_of("async_demo::view::widget::WidgetView::draw::hc9f750e9b68690c5"),
            "async_demo::view"
        );
        assert_eq!(
            module_of("<f64 as core[c5930c85a12de822]::fmt::Display>::fmt"),
            "core"
        );
        assert_eq!(module_of("core[c5930c85a12de822]::num::flt2dec::x"), "core");
        assert_eq!(module_of("data segment \".rodata.39\""), "(data segments)");
        assert_eq!(module_of("widget_new externref shim"), "(shims and other items)");
    }

    #[test]
    fn csv_fields_keep_quoted_commas() {
        assert_eq!(
            csv_fields("\"a<K, V>\",12,\"say \"\"hi\"\"\""),
            ["a<K, V>", "12", "say \"hi\""]
        );
    }
}
