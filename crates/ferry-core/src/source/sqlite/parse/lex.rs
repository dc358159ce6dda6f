//! The tokenizer: SQLite's four quoting styles, its numbers, strings, blobs and comments, as
//! spans of the source text (`Tok`), and how a quoted name reads unquoted (`dequote`).

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A bare word: an identifier or a keyword.
    Word,
    /// `"x"`, `[x]` or `` `x` ``.
    Quoted,
    /// `'x'`.
    Str,
    /// `X'00ff'`.
    Blob,
    Number,
    /// `?1`, `:name`, `@name`, `$name`.
    Variable,
    /// Any other single byte (operators are split into bytes; only `( ) , . ;` matter here).
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
}

pub(super) fn is_id_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

pub(super) fn tokenize(sql: &str) -> Result<Vec<Tok>, String> {
    let b = sql.as_bytes();
    let len = b.len();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < len {
        let c = b[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0c => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < len && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                // SQLite accepts a comment left open at the end of the text.
                i = match sql[i + 2..].find("*/") {
                    Some(k) => i + 2 + k + 2,
                    None => len,
                };
                continue;
            }
            b'\'' | b'"' | b'`' => {
                let mut j = i + 1;
                loop {
                    if j >= len {
                        return Err(format!("unterminated quote starting at byte {start}"));
                    }
                    if b[j] == c {
                        if b.get(j + 1) == Some(&c) {
                            j += 2;
                            continue;
                        }
                        j += 1;
                        break;
                    }
                    j += 1;
                }
                i = j;
                if c == b'\'' {
                    Kind::Str
                } else {
                    Kind::Quoted
                }
            }
            b'[' => {
                let k = sql[i + 1..]
                    .find(']')
                    .ok_or_else(|| format!("unterminated `[` starting at byte {start}"))?;
                i = i + 1 + k + 1;
                Kind::Quoted
            }
            b'x' | b'X' if b.get(i + 1) == Some(&b'\'') => {
                let k = sql[i + 2..]
                    .find('\'')
                    .ok_or_else(|| format!("unterminated blob literal at byte {start}"))?;
                i = i + 2 + k + 1;
                Kind::Blob
            }
            b'0'..=b'9' => {
                i = scan_number(b, i);
                Kind::Number
            }
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = scan_number(b, i);
                Kind::Number
            }
            b'?' | b':' | b'@' | b'$' => {
                i += 1;
                while i < len && is_id_char(b[i]) {
                    i += 1;
                }
                Kind::Variable
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                while i < len && is_id_char(b[i]) {
                    i += 1;
                }
                Kind::Word
            }
            c => {
                i += 1;
                Kind::Punct(c)
            }
        };
        toks.push(Tok {
            kind,
            start,
            end: i,
        });
    }
    // A trailing `;` is not part of the statement.
    while toks.last().is_some_and(|t| t.kind == Kind::Punct(b';')) {
        toks.pop();
    }
    Ok(toks)
}

/// Scans a numeric literal (decimal, with fraction and exponent, or hexadecimal).
pub(super) fn scan_number(b: &[u8], mut i: usize) -> usize {
    let hex = b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X'));
    while i < b.len() {
        let c = b[i];
        if !hex && (c == b'e' || c == b'E') && matches!(b.get(i + 1), Some(b'+' | b'-')) {
            i += 2;
        } else if c.is_ascii_alphanumeric() || c == b'.' || c == b'_' {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// SQLite's `sqlite3Dequote`: when `s` starts with a quote, the text up to its closing quote,
/// doubled quotes made single; otherwise `s` unchanged.
pub(super) fn dequote(s: &str) -> String {
    let b = s.as_bytes();
    let close = match b.first() {
        Some(b'"') => b'"',
        Some(b'\'') => b'\'',
        Some(b'`') => b'`',
        Some(b'[') => b']',
        _ => return s.to_string(),
    };
    let mut out = Vec::with_capacity(b.len());
    let mut i = 1;
    while i < b.len() {
        if b[i] == close {
            if b.get(i + 1) == Some(&close) {
                out.push(close);
                i += 2;
                continue;
            }
            break;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
