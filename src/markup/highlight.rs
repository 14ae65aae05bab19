//! Syntax colouring for the code panes: a small tokenizer for the three
//! languages the widget shows (Rust, Python, JavaScript), line by line.
//!
//! It only sorts text into classes; the pane puts every piece into the DOM
//! as a text node, so nothing here can inject markup. It does not parse:
//! a string or comment that spans lines is coloured line by line, which the
//! code the lessons show never needs.

/// The languages of the panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// The lesson's own source.
    Rust,
    /// The Python twin.
    Python,
    /// The bridge lesson's JavaScript side.
    JavaScript,
}

/// What a piece of a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Anything else.
    Plain,
    /// A keyword of the language.
    Keyword,
    /// A string or character literal.
    Str,
    /// A comment, to the end of the line.
    Comment,
    /// A number.
    Number,
    /// A Rust attribute (`#[…]`) or macro call (`name!`), a Python decorator.
    Meta,
}

impl Class {
    /// The CSS class of its `<span>` (none for plain text).
    pub fn css(self) -> Option<&'static str> {
        match self {
            Class::Plain => None,
            Class::Keyword => Some("kw"),
            Class::Str => Some("str"),
            Class::Comment => Some("com"),
            Class::Number => Some("num"),
            Class::Meta => Some("meta"),
        }
    }
}

const RUST: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "false", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while",
];
const PYTHON: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
    "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
    "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];
const JAVASCRIPT: &[&str] = &[
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "else",
    "export",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "let",
    "new",
    "null",
    "of",
    "return",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "var",
    "while",
    "yield",
];

/// Splits one line of `lang` into classified pieces that together are the
/// whole line, in order.
pub fn line(lang: Lang, text: &str) -> Vec<(Class, &str)> {
    let keywords = match lang {
        Lang::Rust => RUST,
        Lang::Python => PYTHON,
        Lang::JavaScript => JAVASCRIPT,
    };
    let comment = match lang {
        Lang::Python => "#",
        Lang::Rust | Lang::JavaScript => "//",
    };
    let bytes = text.as_bytes();
    let mut out: Vec<(Class, &str)> = Vec::new();
    let (mut i, mut plain_from) = (0, 0);
    fn flush<'t>(out: &mut Vec<(Class, &'t str)>, from: usize, to: usize, text: &'t str) {
        if to > from {
            out.push((Class::Plain, &text[from..to]));
        }
    }
    while i < bytes.len() {
        let rest = &text[i..];
        let c = bytes[i];
        let (class, len) = if lang == Lang::Rust && rest.starts_with("#[") {
            (Class::Meta, rest.find(']').map_or(rest.len(), |e| e + 1))
        } else if rest.starts_with(comment) {
            (Class::Comment, rest.len())
        } else if c == b'"' || (c == b'\'' && (lang != Lang::Rust || is_char_literal(rest))) || c == b'`' {
            (Class::Str, string_len(rest, c))
        } else if c.is_ascii_digit() && (i == 0 || !is_ident(bytes[i - 1])) {
            (
                Class::Number,
                rest.bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'.')
                    .count(),
            )
        } else if is_ident(c) && (i == 0 || !is_ident(bytes[i - 1])) {
            let word = rest.bytes().take_while(|b| is_ident(*b)).count();
            let macro_call =
                lang == Lang::Rust && rest[word..].starts_with('!') && !rest[word..].starts_with("!=");
            if keywords.contains(&&rest[..word]) {
                (Class::Keyword, word)
            } else if macro_call {
                (Class::Meta, word + 1)
            } else {
                i += word;
                continue;
            }
        } else if lang == Lang::Python && c == b'@' && text[..i].trim().is_empty() {
            (Class::Meta, rest.len())
        } else {
            // Step over one whole character (never into the middle of one).
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        flush(&mut out, plain_from, i, text);
        out.push((class, &text[i..i + len]));
        i += len;
        plain_from = i;
    }
    flush(&mut out, plain_from, text.len(), text);
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A Rust `'x'` or `'\n'` rather than a lifetime `'a`.
fn is_char_literal(rest: &str) -> bool {
    let mut chars = rest.chars().skip(1);
    matches!(
        (chars.next(), chars.next()),
        (Some('\\'), _) | (Some(_), Some('\''))
    )
}

/// The length of the string literal at the start of `rest` (to its closing
/// quote, or the end of the line), escapes included.
fn string_len(rest: &str, quote: u8) -> usize {
    let bytes = rest.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(lang: Lang, text: &str) -> Vec<(Class, String)> {
        let pieces = line(lang, text);
        assert_eq!(
            pieces.iter().map(|(_, p)| *p).collect::<String>(),
            text,
            "pieces cover the line"
        );
        pieces
            .into_iter()
            .filter(|(c, _)| *c != Class::Plain)
            .map(|(c, p)| (c, p.to_string()))
            .collect()
    }

    #[test]
    fn rust_keywords_strings_comments_macros_and_lifetimes() {
        let got = classes(
            Lang::Rust,
            r#"let run = recorder.begin_run("a \"b\""); // wait: 'static"#,
        );
        assert_eq!(
            got,
            vec![
                (Class::Keyword, "let".into()),
                (Class::Str, r#""a \"b\"""#.into()),
                (Class::Comment, "// wait: 'static".into()),
            ]
        );
        let got = classes(
            Lang::Rust,
            "#[allow(unused)] format!(\"{x}\"); fn f<'a>(c: char) { 'x'; 100 << n }",
        );
        assert_eq!(got[0], (Class::Meta, "#[allow(unused)]".into()));
        assert_eq!(got[1], (Class::Meta, "format!".into()));
        assert!(got.contains(&(Class::Str, "'x'".into())));
        assert!(got.contains(&(Class::Number, "100".into())));
        assert!(
            !got.iter().any(|(_, p)| p.starts_with("'a")),
            "a lifetime is not a string: {got:?}"
        );
    }

    #[test]
    fn python_and_javascript() {
        let got = classes(
            Lang::Python,
            "    await asyncio.sleep(0.8)  # wait; 'not a string'",
        );
        assert_eq!(got[0], (Class::Keyword, "await".into()));
        assert_eq!(got[1], (Class::Number, "0.8".into()));
        assert_eq!(got[2].0, Class::Comment);
        let got = classes(Lang::JavaScript, "const waited = await sleep(ms); // `a`");
        assert_eq!(got[0], (Class::Keyword, "const".into()));
        assert_eq!(got[1], (Class::Keyword, "await".into()));
        assert_eq!(got[2].0, Class::Comment);
    }

    #[test]
    fn identifiers_with_digits_and_unicode_text_stay_whole() {
        let got = classes(Lang::Rust, "let x2 = h1 + 2; // ≈ é");
        assert_eq!(
            got,
            vec![
                (Class::Keyword, "let".into()),
                (Class::Number, "2".into()),
                (Class::Comment, "// ≈ é".into())
            ]
        );
        assert_eq!(
            classes(Lang::Python, "s = 'unterminated"),
            vec![(Class::Str, "'unterminated".into())]
        );
    }
}
