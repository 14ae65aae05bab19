//! The lexer: the program's text as tokens, its comments kept aside.

use super::{Diagnostic, Span};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Int(u64),
    Str(String),
    Punct(&'static str),
    Eof,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) span: Span,
}

pub(super) const PUNCTS: &[&str] = &[
    "..=", "::", "..", "=>", "->", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]", "{", "}", ",",
    ";", ":", ".", "?", "=", "!", "|", "&", "+", "-", "*", "/", "%", "<", ">", "#", "'", "@", "^", "~", "$",
];

pub(super) fn lex(source: &str, comments: &mut Vec<(Span, String)>) -> Result<Vec<Token>, Diagnostic> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let c = source[at..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        if source[at..].starts_with("//") {
            let end = source[at..].find('\n').map_or(source.len(), |i| at + i);
            let text = source[at + 2..end].trim();
            comments.push((Span::new(at, end), text.to_string()));
            at = end;
            continue;
        }
        if source[at..].starts_with("/*") {
            // Nested, as Rust's are.
            let (mut depth, mut i) = (0usize, at);
            loop {
                if i >= bytes.len() {
                    return Err(
                        Diagnostic::error(Span::new(at, at + 2), "unterminated block comment").code("E0758"),
                    );
                }
                if source[i..].starts_with("/*") {
                    depth += 1;
                    i += 2;
                } else if source[i..].starts_with("*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += source[i..].chars().next().map_or(1, char::len_utf8);
                }
            }
            at = i;
            continue;
        }
        let start = at;
        if c.is_ascii_alphabetic() || c == '_' {
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            tokens.push(Token {
                tok: Tok::Ident(source[start..at].to_string()),
                span: Span::new(start, at),
            });
            continue;
        }
        if c.is_ascii_digit() {
            while at < bytes.len() && (bytes[at].is_ascii_digit() || bytes[at] == b'_') {
                at += 1;
            }
            // A suffix (`300u64`) is read and must name an integer type.
            let digits_end = at;
            while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
                at += 1;
            }
            let span = Span::new(start, at);
            let suffix = &source[digits_end..at];
            if !suffix.is_empty() && suffix != "u64" {
                let hint = if suffix.starts_with('.') || suffix.starts_with('e') {
                    "the sandbox has whole numbers only"
                } else {
                    "the sandbox's numbers are u64: write the number alone, or with the suffix u64"
                };
                return Err(
                    Diagnostic::error(span, format!("invalid suffix `{suffix}` for number literal"))
                        .help(hint),
                );
            }
            if at < bytes.len() && bytes[at] == b'.' && bytes.get(at + 1).is_some_and(u8::is_ascii_digit) {
                return Err(Diagnostic::error(
                    Span::new(start, at + 2),
                    "the sandbox has whole numbers only",
                )
                .help("write milliseconds as a whole number, such as 1500"));
            }
            let digits: String = source[start..digits_end].chars().filter(|&c| c != '_').collect();
            let value = digits.parse::<u64>().map_err(|_| {
                Diagnostic::error(span, "integer literal is too large")
                    .help("the largest u64 is 18446744073709551615")
            })?;
            tokens.push(Token {
                tok: Tok::Int(value),
                span,
            });
            continue;
        }
        if c == '"' {
            let (text, end) = string_literal(source, at)?;
            tokens.push(Token {
                tok: Tok::Str(text),
                span: Span::new(start, end),
            });
            at = end;
            continue;
        }
        match PUNCTS.iter().find(|p| source[at..].starts_with(**p)) {
            Some(p) => {
                tokens.push(Token {
                    tok: Tok::Punct(p),
                    span: Span::new(at, at + p.len()),
                });
                at += p.len();
            }
            None => {
                return Err(Diagnostic::error(
                    Span::new(at, at + c.len_utf8()),
                    format!("unknown start of token: {}", c.escape_debug()),
                ))
            }
        }
    }
    tokens.push(Token {
        tok: Tok::Eof,
        span: Span::new(source.len(), source.len()),
    });
    Ok(tokens)
}

/// A string literal starting at `start` (its opening quote): its value and
/// where it ends.
pub(super) fn string_literal(source: &str, start: usize) -> Result<(String, usize), Diagnostic> {
    let mut text = String::new();
    let mut chars = source[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        let at = start + 1 + i;
        match c {
            '"' => return Ok((text, at + 1)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                let escaped = match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '0' => '\0',
                    '\\' => '\\',
                    '"' => '"',
                    '\'' => '\'',
                    '\n' => {
                        // A line continuation: the newline and the next line's
                        // leading spaces go.
                        let rest = &source[at + 2..];
                        let skip = rest.len() - rest.trim_start().len();
                        for _ in rest[..skip].chars() {
                            chars.next();
                        }
                        continue;
                    }
                    'u' => {
                        let rest = &source[at + 2..];
                        let close = rest.find('}').filter(|_| rest.starts_with('{'));
                        let value = close
                            .and_then(|end| u32::from_str_radix(&rest[1..end], 16).ok())
                            .and_then(char::from_u32);
                        match (close, value) {
                            (Some(end), Some(value)) => {
                                for _ in rest[..=end].chars() {
                                    chars.next();
                                }
                                value
                            }
                            _ => {
                                return Err(Diagnostic::error(
                                    Span::new(at, at + 2),
                                    "invalid unicode character escape",
                                )
                                .help("format of unicode escape sequences is `\\u{...}`"))
                            }
                        }
                    }
                    other => {
                        return Err(Diagnostic::error(
                            Span::new(at, at + 1 + other.len_utf8()),
                            format!("unknown character escape: `{}`", other.escape_debug()),
                        ))
                    }
                };
                text.push(escaped);
            }
            c => text.push(c),
        }
    }
    Err(Diagnostic::error(Span::new(start, start + 1), "unterminated double quote string").code("E0765"))
}
