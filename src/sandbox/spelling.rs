//! How the translations spell what the program says: a Rust name in
//! JavaScript or Python (a reserved word gets a `_`), a string, a
//! `format!` template, a pattern.

use super::syntax::Pat;

// JavaScript.

/// `text` as a JavaScript string literal.
pub(super) fn js_str(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// A `format!` template with its values, as a template literal: `{}` the
/// value as text, `{:?}` through `debug` (given the value's Rust type where
/// the checker knows one that matters, see `Emitter::debug_type`).
pub(super) fn template_literal(template: &str, values: &[(String, Option<String>)]) -> String {
    use super::template::Piece;
    let mut out = String::from("`");
    let mut values = values.iter();
    for piece in super::template::checked_pieces(template) {
        match piece {
            Piece::Text(text) => {
                for c in text.chars() {
                    if matches!(c, '`' | '\\' | '$') {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Piece::Hole { debug } => match (debug, values.next()) {
                (true, Some((value, Some(ty)))) => {
                    out.push_str(&format!("${{debug({value}, {})}}", js_str(ty)))
                }
                (true, Some((value, None))) => out.push_str(&format!("${{debug({value})}}")),
                (false, Some((value, _))) => out.push_str(&format!("${{{value}}}")),
                (_, None) => {}
            },
        }
    }
    out.push('`');
    out
}

/// A `format!` template with its values, as a Python `str.format` call:
/// `{:?}` through `debug` (given the value's Rust type where the checker
/// knows one that matters, see `Emitter::debug_type`).
pub(super) fn python_format(template: &str, values: &[(String, Option<String>)]) -> String {
    use super::super::lessons::twin::python_str;
    use super::template::Piece;
    let debug = super::template::checked_pieces(template)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Hole { debug } => Some(debug),
            Piece::Text(_) => None,
        });
    let values: Vec<String> = values
        .iter()
        .zip(debug.chain(std::iter::repeat(false)))
        .map(|((v, ty), debug)| match (debug, ty) {
            (true, Some(ty)) => format!("debug({v}, {})", python_str(ty)),
            (true, None) => format!("debug({v})"),
            (false, _) => v.clone(),
        })
        .collect();
    if values.is_empty() {
        python_str(&super::template::plain_text(template))
    } else {
        let template = python_str(&super::template::python_format(template));
        format!("{template}.format({})", values.join(", "))
    }
}

/// A Rust name as a JavaScript one (a reserved word gets a `_`).
pub(super) fn js_name(name: &str) -> String {
    const RESERVED: &[&str] = &[
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "export",
        "extends",
        "finally",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "let",
        "static",
        "enum",
        "await",
        "implements",
        "package",
        "protected",
        "interface",
        "private",
        "public",
        "null",
        "true",
        "false",
        "undefined",
        "arguments",
        "eval",
    ];
    if RESERVED.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

// Python.

/// A Rust name as a Python one: a Python keyword gets a `_` after it.
pub(super) fn py_name(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
        "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
        "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
    ];
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

pub(super) fn pattern(pat: &Pat) -> String {
    match pat {
        Pat::Ident { name, .. } => py_name(name),
        Pat::Wild(_) => "_".into(),
        Pat::Tuple(items, _) if items.is_empty() => "_".into(),
        Pat::Tuple(items, _) => {
            let parts: Vec<String> = items.iter().map(pattern).collect();
            if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(", "))
            }
        }
    }
}
