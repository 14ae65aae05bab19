//! The templates of `format!` and `println!`: read once here, then filled
//! by the interpreter, checked by the checker, and written out as a Python
//! `str.format` template or a JavaScript template literal.

/// A piece of a template: text (with `{{` and `}}` read as braces) or a
/// hole, `{}` (`debug: false`) or `{:?}` (`debug: true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Text, as printed.
    Text(String),
    /// A value: `{}`, or `{:?}` when `debug`.
    Hole {
        /// Written `{:?}`.
        debug: bool,
    },
}

/// The pieces of `template`, or the sentence rustc's `format!` would give
/// (the subset takes `{}` and `{:?}` only).
pub fn pieces(template: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' if chars.peek() == Some(&c) => {
                chars.next();
                text.push(c);
            }
            '{' => {
                let mut inside = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    inside.push(c);
                }
                if !closed {
                    return Err("invalid format string: expected `}` but string was terminated".into());
                }
                let debug = match inside.as_str() {
                    "" => false,
                    ":?" => true,
                    other => {
                        return Err(format!(
                            "the sandbox's format strings take `{{}}` and `{{:?}}`, not `{{{other}}}`"
                        ))
                    }
                };
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Hole { debug });
            }
            '}' => return Err("invalid format string: unmatched `}` found".into()),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// The pieces of a template the checker has passed; any other is its text.
pub fn checked_pieces(template: &str) -> Vec<Piece> {
    pieces(template).unwrap_or_else(|_| vec![Piece::Text(template.to_string())])
}

/// The template as Python's `str.format` reads it: braces doubled, and
/// `{}` for each hole (a `{:?}`'s value is passed through the twin's
/// `debug()`, which writes it as Rust's Debug does).
pub fn python_format(template: &str) -> String {
    checked_pieces(template)
        .into_iter()
        .map(|p| match p {
            Piece::Text(text) => text.replace('{', "{{").replace('}', "}}"),
            Piece::Hole { .. } => "{}".into(),
        })
        .collect()
}

/// The text of a template without holes, its braces read.
pub fn plain_text(template: &str) -> String {
    checked_pieces(template)
        .into_iter()
        .map(|p| match p {
            Piece::Text(text) => text,
            Piece::Hole { .. } => String::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{pieces, python_format, Piece};

    #[test]
    fn braces_doubled_are_text_and_holes_are_said() {
        assert_eq!(
            pieces("a {{}} {} b {:?}}}"),
            Ok(vec![
                Piece::Text("a {} ".into()),
                Piece::Hole { debug: false },
                Piece::Text(" b ".into()),
                Piece::Hole { debug: true },
                Piece::Text("}".into()),
            ])
        );
        assert_eq!(pieces(""), Ok(vec![]));
        assert_eq!(python_format("{{:?}} {:?} {}"), "{{:?}} {} {}");
        assert!(pieces("{x}").is_err_and(|e| e.contains("not `{x}`")));
        assert!(pieces("a } b").is_err_and(|e| e.contains("unmatched `}`")));
        assert!(pieces("a {").is_err_and(|e| e.contains("expected `}`")));
    }
}
