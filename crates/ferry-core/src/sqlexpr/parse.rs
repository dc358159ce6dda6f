//! Parsing SQLite text with sqlparser, and small helpers over its tree.

use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName, ObjectNamePart};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token};

use super::tx::R;

pub(super) fn parse_expr(text: &str) -> R<Expr> {
    let d = SQLiteDialect {};
    let mut p = Parser::new(&d).try_with_sql(text).map_err(|e| format!("cannot parse `{}`: {e}", text.trim()))?;
    let e = p.parse_expr().map_err(|e| format!("cannot parse `{}`: {e}", text.trim()))?;
    let next = p.peek_token().token;
    if next != Token::EOF {
        return Err(format!("cannot parse `{}`: unexpected `{next}`", text.trim()));
    }
    Ok(e)
}

pub(super) fn strip_nested(mut e: &Expr) -> &Expr {
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// The source text starting at a token's location (line and column count from 1, in chars).
pub(super) fn text_at(src: &str, loc: Location) -> Option<&str> {
    if loc.line == 0 || loc.column == 0 {
        return None;
    }
    let line = src.split('\n').nth(loc.line as usize - 1)?;
    let start = line.char_indices().nth(loc.column as usize - 1).map(|(i, _)| i)?;
    Some(&line[start..])
}

pub(super) fn one_part(name: &ObjectName) -> Option<&Ident> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id),
        _ => None,
    }
}

/// True when `s` is one function call `name(…)` or one parenthesised whole `(…)` (usable as an
/// operand as it is).
pub(super) fn is_call(s: &str) -> bool {
    let Some(open) = s.find('(') else { return false };
    if !s[..open].chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return false;
    }
    let mut depth = 0i32;
    let mut in_str = false;
    for (i, c) in s.char_indices().skip_while(|(i, _)| *i < open) {
        match c {
            '\'' => in_str = !in_str,
            '(' if !in_str => depth += 1,
            ')' if !in_str => {
                depth -= 1;
                if depth == 0 {
                    return i == s.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// The argument of `typeof(x)`.
pub(super) fn typeof_arg(e: &Expr) -> Option<&Expr> {
    let Expr::Function(f) = strip_nested(e) else { return None };
    if !one_part(&f.name)?.value.eq_ignore_ascii_case("typeof") {
        return None;
    }
    match &f.args {
        FunctionArguments::List(l) if l.args.len() == 1 => match &l.args[0] {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        },
        _ => None,
    }
}
