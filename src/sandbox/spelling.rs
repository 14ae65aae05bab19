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

/// The JavaScript helper a prelude function of the Rust is.
pub(super) fn js_helper(name: &str) -> &str {
    match name {
        "fetch" => "fetchText",
        "join_all" => "joinAll",
        "try_join_all" => "tryJoinAll",
        "select_all" => "selectAll",
        "buffer_unordered" => "bufferUnordered",
        "spawn_local" => "spawnLocal",
        other => other,
    }
}

/// A Rust name as a JavaScript one: a reserved word, or a name the
/// twin's own code calls (a helper, a global), gets a `_`.
pub(super) fn js_name(name: &str) -> String {
    const RESERVED: &str = "break case catch class const continue debugger default delete do else export \
        extends finally function if import in instanceof new return super switch this throw try typeof var \
        void while with yield let static enum await implements package protected interface private public \
        null true false undefined arguments eval console Math Promise BASE main process fetch Error JSON \
        String Number Array Object URL AbortSignal AbortController performance setTimeout clearTimeout";
    suffixed(
        name,
        RESERVED,
        include_str!("twin_helpers.js"),
        &["const ", "function ", "class "],
    )
}

/// `name` with a `_` after it where it is one of `reserved` (words
/// separated by blanks) or a name that `helpers` defines at the start of a
/// line (after one of `defining`): inside main() the program's own name
/// would hide the twin's.
fn suffixed(name: &str, reserved: &str, helpers: &str, defining: &[&str]) -> String {
    let defined = helpers.lines().any(|line| {
        defining.iter().any(|d| {
            line.strip_prefix(d).is_some_and(|rest| {
                rest.strip_prefix(name)
                    .is_some_and(|after| !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
            })
        })
    });
    if defined || reserved.split_whitespace().any(|w| w == name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

// Python.

/// A Rust name as a Python one: a keyword, or a name the twin's own code
/// calls (a helper, a builtin, a module), gets a `_` after it.
pub(super) fn py_name(name: &str) -> String {
    const RESERVED: &str = "False None True and as assert async await break class continue def del elif \
        else except finally for from global if import in is lambda nonlocal not or pass raise return try \
        while with yield print range list tuple len str int isinstance asyncio json re sys time aiohttp \
        urljoin BASE main";
    suffixed(
        name,
        RESERVED,
        include_str!("twin_helpers.py"),
        &["def ", "async def ", "class ", ""],
    )
}

/// What a call of `name` calls in Python: a helper of the prelude's, as
/// named, or a closure the program holds (named by [`py_name`]).
pub(super) fn py_callee(name: &str) -> String {
    if super::check::FUTURE_FNS.contains(&name) || name == "spawn_local" {
        name.to_string()
    } else {
        py_name(name)
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
