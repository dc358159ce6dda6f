//! SQLite's `printf(format, …)` (alias `format`) where the target can make the same text:
//! a literal format of plain text, `%%`, `%s` and `%d` without flags, width or precision.
//! SQLite prints a NULL argument as `''` for `%s` and `0` for `%d`, and a missing one the
//! same way; `%d` of an integer column is its decimal text. Refused: `%f`, `%.2f` and the
//! other conversions, flags and widths, `%d` of anything but an integer column (SQLite
//! truncates reals and parses text). SQLite rounds the double's exact value half away from
//! zero: `printf('%.2f', 2.675)` is `2.67` (the double is 2.67499999…), of 0.125 `0.13`;
//! PostgreSQL's `round(x::numeric, 2)` keeps 15 digits (`2.68`) and its `to_char` rounds
//! exact halves to even (`0.12`); MariaDB's `ROUND` says `2.68` and `0.12`, `FORMAT` adds
//! thousands separators. No target spelling gives SQLite's digits for every double.

use sqlparser::ast::Expr;

use super::parse::strip_nested;
use super::tx::{Tx, R};
use super::values::{Kind, Lit, Tr};

enum Piece {
    Text(String),
    Str,
    Int,
}

fn pieces(fmt: &str) -> R<Vec<Piece>> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = fmt.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        let p = match chars.next() {
            Some('%') => {
                text.push('%');
                continue;
            }
            Some('s') => Piece::Str,
            Some('d' | 'i') => Piece::Int,
            Some(x) => return Err(format!("printf() conversion %{x}…: SQLite formats it its own way (the double's exact value rounded half away from zero: printf('%.2f', 2.675) is 2.67, of 0.125 0.13; flags, widths), the target's rounding differs (2.68, 0.12)")),
            None => return Err("printf() format ends with %".into()),
        };
        if !text.is_empty() {
            out.push(Piece::Text(std::mem::take(&mut text)));
        }
        out.push(p);
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    Ok(out)
}

impl<'a> Tx<'a> {
    pub(super) fn printf(&mut self, name: &str, args: &[&Expr]) -> R<Tr> {
        let fmt = match strip_nested(args[0]) {
            Expr::Value(v) => match self.value_lit(v)? {
                Lit::Str(s) => s,
                _ => return Err(format!("{name}() with a format that is not text")),
            },
            _ => return Err(format!("{name}() with a computed format")),
        };
        let mut rest = args[1..].iter();
        let mut sqls = Vec::new();
        let mut operands = Vec::new();
        for p in pieces(&fmt)? {
            let sql = match p {
                Piece::Text(t) => self.ql(&t),
                Piece::Str => match rest.next() {
                    None => "''".to_string(),
                    Some(a) => {
                        let t = self.expr(a)?;
                        let t = self.as_text(t, "printf('%s')")?;
                        match &t.lit {
                            Some(Lit::Str(s)) => self.ql(s),
                            Some(Lit::Null) => "''".to_string(),
                            _ => format!("COALESCE({}, '')", t.sql),
                        }
                    }
                },
                Piece::Int => match rest.next() {
                    None => "'0'".to_string(),
                    Some(a) => {
                        let t = self.expr(a)?;
                        match (&t.lit, t.kind) {
                            (Some(Lit::Int(n)), _) => self.ql(&n.to_string()),
                            (Some(Lit::Null), _) => "'0'".to_string(),
                            (None, Kind::Int) => {
                                let t = self.as_text(t, "printf('%d')")?;
                                format!("COALESCE({}, '0')", t.sql)
                            }
                            (_, k) => return Err(format!("printf('%d') of {}: SQLite converts it to an integer its own way", k.a_value())),
                        }
                    }
                },
            };
            operands.push(sql.clone());
            sqls.push(sql);
        }
        if rest.next().is_some() {
            return Err(format!("{name}() with more arguments than its format uses"));
        }
        if sqls.is_empty() {
            return Ok(self.lit_tr(Lit::Str(String::new())));
        }
        if sqls.len() == 1 {
            return Ok(Tr::new(sqls.remove(0), Kind::Text, true));
        }
        let (sql, atom) = self.sp.concat(&sqls, &operands);
        Ok(Tr::new(sql, Kind::Text, atom))
    }
}
