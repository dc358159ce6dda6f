//! The scanner over the tokens, following SQLite's grammar (`parse.y`): column definitions,
//! table and column constraints, index parts, each expression kept as its source text.

use super::lex::{dequote, tokenize, Kind, Tok};
use super::parsed::{ParsedColumn, ParsedTable};
use crate::schema::{Check, Generated, IndexPart};

/// The type SQLite stores for a column whose type tokens span `raw` (see `sqlite3AddColumn`).
pub(super) fn declared_type(raw: &str) -> String {
    let mut s = raw;
    // SQLite's grammar reads `GENERATED ALWAYS` as part of the type and trims it off again;
    // this scanner stops before it, but the same trimming applies to any type ending in them.
    let ends_ci = |s: &str, w: &str| {
        s.len() >= w.len() && s.as_bytes()[s.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
    };
    if s.len() >= 16 && ends_ci(s, "always") {
        s = s[..s.len() - 6].trim_end();
        if s.len() >= 9 && ends_ci(s, "generated") {
            s = s[..s.len() - 9].trim_end();
        }
    }
    dequote(s)
}

pub(super) struct Parser<'a> {
    pub(super) sql: &'a str,
    pub(super) toks: Vec<Tok>,
}

/// Words that end a column's type name: the starts of column constraints (SQLite's `ccons`).
pub(super) const COLUMN_CONSTRAINT_WORDS: &[&str] = &[
    "CONSTRAINT",
    "PRIMARY",
    "NOT",
    "NULL",
    "UNIQUE",
    "CHECK",
    "DEFAULT",
    "COLLATE",
    "REFERENCES",
    "AS",
    "DEFERRABLE",
];

/// Words that start a table constraint (SQLite's `tcons`).
pub(super) const TABLE_CONSTRAINT_WORDS: &[&str] = &["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"];

impl<'a> Parser<'a> {
    pub(super) fn new(sql: &'a str) -> Result<Self, String> {
        Ok(Parser {
            sql,
            toks: tokenize(sql)?,
        })
    }

    pub(super) fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub(super) fn text(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        &self.sql[t.start..t.end]
    }

    /// The source text from token `a` to token `b - 1`, both included.
    pub(super) fn span(&self, a: usize, b: usize) -> &'a str {
        &self.sql[self.toks[a].start..self.toks[b - 1].end]
    }

    pub(super) fn describe(&self, i: usize) -> String {
        if i < self.toks.len() {
            format!("`{}`", self.text(i))
        } else {
            "the end of the statement".to_string()
        }
    }

    pub(super) fn is_kw(&self, i: usize, kw: &str) -> bool {
        self.kind(i) == Some(Kind::Word) && self.text(i).eq_ignore_ascii_case(kw)
    }

    pub(super) fn is_any_kw(&self, i: usize, kws: &[&str]) -> bool {
        kws.iter().any(|k| self.is_kw(i, k))
    }

    pub(super) fn is_punct(&self, i: usize, c: u8) -> bool {
        self.kind(i) == Some(Kind::Punct(c))
    }

    pub(super) fn expect_kw(&self, i: usize, kw: &str) -> Result<usize, String> {
        if self.is_kw(i, kw) {
            Ok(i + 1)
        } else {
            Err(format!("expected {kw}, found {}", self.describe(i)))
        }
    }

    pub(super) fn is_name(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word | Kind::Quoted | Kind::Str))
    }

    /// An identifier, unquoted (SQLite accepts a single-quoted string where a name goes).
    pub(super) fn ident(&self, i: usize) -> Result<String, String> {
        if self.is_name(i) {
            Ok(dequote(self.text(i)))
        } else {
            Err(format!("expected a name, found {}", self.describe(i)))
        }
    }

    pub(super) fn skip_if_not_exists(&self, i: usize) -> usize {
        if self.is_kw(i, "IF") && self.is_kw(i + 1, "NOT") && self.is_kw(i + 2, "EXISTS") {
            i + 3
        } else {
            i
        }
    }

    /// `[schema.]name` → (name, index after it).
    pub(super) fn qualified_name(&self, i: usize) -> Result<(String, usize), String> {
        let first = self.ident(i)?;
        if self.is_punct(i + 1, b'.') {
            Ok((self.ident(i + 2)?, i + 3))
        } else {
            Ok((first, i + 1))
        }
    }

    /// The index of the `)` matching the `(` at `open`.
    pub(super) fn matching(&self, open: usize) -> Result<usize, String> {
        let mut depth = 0usize;
        for j in open..self.toks.len() {
            match self.toks[j].kind {
                Kind::Punct(b'(') => depth += 1,
                Kind::Punct(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(j);
                    }
                }
                _ => {}
            }
        }
        Err("unbalanced parentheses".into())
    }

    /// The index after the token at `i`, or after the parenthesised group it opens.
    pub(super) fn skip_item(&self, i: usize) -> Result<usize, String> {
        if self.is_punct(i, b'(') {
            Ok(self.matching(i)? + 1)
        } else {
            Ok(i + 1)
        }
    }

    /// The text between the parentheses `open` and `close`, which must not be empty.
    pub(super) fn inner(&self, open: usize, close: usize) -> Result<&'a str, String> {
        if close <= open + 1 {
            return Err("empty parentheses".into());
        }
        Ok(self.span(open + 1, close))
    }

    /// `(` at `i` → (its inner text, index after its `)`).
    pub(super) fn paren_expr(&self, i: usize, what: &str) -> Result<(&'a str, usize), String> {
        if !self.is_punct(i, b'(') {
            return Err(format!(
                "expected `(` after {what}, found {}",
                self.describe(i)
            ));
        }
        let close = self.matching(i)?;
        Ok((self.inner(i, close)?, close + 1))
    }

    /// Splits tokens `lo..hi` at top-level commas into `(start, end)` ranges.
    pub(super) fn split_items(&self, lo: usize, hi: usize) -> Result<Vec<(usize, usize)>, String> {
        let mut items = Vec::new();
        let mut a = lo;
        let mut j = lo;
        while j < hi {
            if self.is_punct(j, b',') {
                items.push((a, j));
                a = j + 1;
                j += 1;
            } else {
                j = self.skip_item(j)?;
            }
        }
        if a < hi || !items.is_empty() {
            items.push((a, hi));
        }
        if items.iter().any(|(a, b)| a >= b) {
            return Err("an empty item in a comma-separated list".into());
        }
        Ok(items)
    }

    /// The body of `CREATE TABLE ( … )`: column definitions, then table constraints.
    pub(super) fn table_body(&self, lo: usize, hi: usize, t: &mut ParsedTable) -> Result<(), String> {
        let mut i = lo;
        while i < hi {
            if self.is_any_kw(i, TABLE_CONSTRAINT_WORDS) {
                // Table constraints come last; SQLite lets them follow each other without commas.
                while i < hi {
                    i = self.table_constraint(i, hi, t)?;
                }
                break;
            }
            let mut end = i;
            while end < hi && !self.is_punct(end, b',') {
                end = self.skip_item(end)?;
            }
            if end == i {
                return Err("an empty column definition".into());
            }
            self.column(i, end, t)?;
            i = end + 1;
            if end + 1 == hi {
                return Err("a trailing comma in the table body".into());
            }
        }
        if t.columns.is_empty() {
            return Err("a table without columns".into());
        }
        Ok(())
    }

    /// One column definition in tokens `lo..hi`.
    pub(super) fn column(&self, lo: usize, hi: usize, t: &mut ParsedTable) -> Result<(), String> {
        let name = self.ident(lo)?;
        let mut col = ParsedColumn {
            name: name.clone(),
            ..ParsedColumn::default()
        };

        // The type: names up to a constraint keyword, then an optional `( … )`.
        let ty_start = lo + 1;
        let mut ty_end = ty_start;
        let mut j = ty_start;
        while j < hi {
            let generated_always = self.is_kw(j, "GENERATED") && self.is_kw(j + 1, "ALWAYS");
            if self.is_name(j) && !self.is_any_kw(j, COLUMN_CONSTRAINT_WORDS) && !generated_always {
                j += 1;
                ty_end = j;
            } else if self.is_punct(j, b'(') && ty_end > ty_start {
                j = self.matching(j)? + 1;
                ty_end = j;
            } else {
                break;
            }
        }
        if ty_end > ty_start {
            col.declared_type = declared_type(self.span(ty_start, ty_end));
        }

        // Column constraints. A `CONSTRAINT name` names the constraint right after it.
        let mut pending: Option<String> = None;
        while j < hi {
            if self.is_kw(j, "CONSTRAINT") {
                pending = Some(self.ident(j + 1)?);
                j += 2;
            } else if self.is_kw(j, "PRIMARY") {
                if let Some(n) = pending.take() {
                    t.pk_name = Some(n);
                }
                j += 1;
            } else if self.is_kw(j, "AUTOINCREMENT") {
                t.autoincrement = true;
                j += 1;
            } else if self.is_kw(j, "UNIQUE") {
                if let Some(n) = pending.take() {
                    t.unique_names.push((vec![name.clone()], n));
                }
                j += 1;
            } else if self.is_kw(j, "REFERENCES") {
                if let Some(n) = pending.take() {
                    t.fk_names.push((vec![name.clone()], n));
                }
                j += 1;
            } else if self.is_kw(j, "CHECK") {
                let (expr, next) = self.paren_expr(j + 1, "CHECK")?;
                t.checks.push(Check {
                    name: pending.take(),
                    expr: expr.to_string(),
                });
                j = next;
            } else if self.is_kw(j, "DEFAULT") && !self.is_kw(j - 1, "SET") {
                // DEFAULT [+|-] term, or DEFAULT ( expr ). (`ON DELETE SET DEFAULT` is not one.)
                pending = None;
                j += 1;
                while self.is_punct(j, b'+') || self.is_punct(j, b'-') {
                    j += 1;
                }
                if j >= hi {
                    return Err(format!("DEFAULT without a value for column `{name}`"));
                }
                j = self.skip_item(j)?;
            } else if self.is_kw(j, "COLLATE") {
                col.collation = Some(self.ident(j + 1)?);
                pending = None;
                j += 2;
            } else if self.is_kw(j, "AS")
                || (self.is_kw(j, "GENERATED")
                    && self.is_kw(j + 1, "ALWAYS")
                    && self.is_kw(j + 2, "AS"))
            {
                let open = if self.is_kw(j, "AS") { j + 1 } else { j + 3 };
                let (expr, mut next) = self.paren_expr(open, "AS")?;
                let stored = self.is_kw(next, "STORED");
                if stored || self.is_kw(next, "VIRTUAL") {
                    next += 1;
                }
                col.generated = Some(Generated {
                    expr: expr.to_string(),
                    stored,
                });
                pending = None;
                j = next;
            } else {
                if self.is_any_kw(j, &["NOT", "NULL", "DEFERRABLE"]) {
                    pending = None;
                }
                j = self.skip_item(j)?;
            }
        }
        t.columns.push(col);
        Ok(())
    }

    /// One table constraint starting at `i` (leading commas skipped); returns the index after it.
    pub(super) fn table_constraint(
        &self,
        mut i: usize,
        hi: usize,
        t: &mut ParsedTable,
    ) -> Result<usize, String> {
        while i < hi && self.is_punct(i, b',') {
            i += 1;
        }
        if i >= hi {
            return if i == hi && self.is_punct(i - 1, b',') {
                Err("a trailing comma in the table body".into())
            } else {
                Ok(i)
            };
        }
        let mut name = None;
        if self.is_kw(i, "CONSTRAINT") {
            name = Some(self.ident(i + 1)?);
            i += 2;
        }
        if self.is_kw(i, "PRIMARY") && self.is_kw(i + 1, "KEY") {
            let (_, next) = self.key_columns(i + 2, "PRIMARY KEY", t)?;
            if name.is_some() {
                t.pk_name = name;
            }
            i = next;
        } else if self.is_kw(i, "UNIQUE") {
            let (cols, next) = self.key_columns(i + 1, "UNIQUE", t)?;
            if let Some(n) = name {
                t.unique_names.push((cols, n));
            }
            i = next;
        } else if self.is_kw(i, "CHECK") {
            let (expr, next) = self.paren_expr(i + 1, "CHECK")?;
            t.checks.push(Check {
                name,
                expr: expr.to_string(),
            });
            i = next;
        } else if self.is_kw(i, "FOREIGN") && self.is_kw(i + 1, "KEY") {
            let (cols, next) = self.key_columns(i + 2, "FOREIGN KEY", t)?;
            if let Some(n) = name {
                t.fk_names.push((cols, n));
            }
            i = next;
        } else {
            return Err(format!(
                "expected a table constraint, found {}",
                self.describe(i)
            ));
        }
        // The rest: ON CONFLICT …, REFERENCES … ON DELETE … DEFERRABLE …
        while i < hi && !self.is_punct(i, b',') && !self.is_any_kw(i, TABLE_CONSTRAINT_WORDS) {
            i = self.skip_item(i)?;
        }
        Ok(i)
    }

    /// `( col [COLLATE c] [ASC|DESC], … [AUTOINCREMENT] )` at `i` → (column names, index after).
    pub(super) fn key_columns(
        &self,
        i: usize,
        what: &str,
        t: &mut ParsedTable,
    ) -> Result<(Vec<String>, usize), String> {
        if !self.is_punct(i, b'(') {
            return Err(format!(
                "expected `(` after {what}, found {}",
                self.describe(i)
            ));
        }
        let close = self.matching(i)?;
        let mut cols = Vec::new();
        for (a, mut b) in self.split_items(i + 1, close)? {
            if self.is_kw(b - 1, "AUTOINCREMENT") {
                t.autoincrement = true;
                b -= 1;
            }
            if b > a + 1 && (self.is_kw(b - 1, "ASC") || self.is_kw(b - 1, "DESC")) {
                b -= 1;
            }
            if b > a + 2 && self.is_kw(b - 2, "COLLATE") {
                b -= 2;
            }
            cols.push(if b == a + 1 {
                self.ident(a)?
            } else {
                self.span(a, b).to_string()
            });
        }
        if cols.is_empty() {
            return Err(format!("{what} without columns"));
        }
        Ok((cols, close + 1))
    }

    /// One indexed term in tokens `a..b`.
    pub(super) fn index_part(&self, a: usize, b: usize) -> Result<IndexPart, String> {
        let mut e = b;
        let mut desc = false;
        if e > a + 1 && self.is_kw(e - 1, "DESC") {
            desc = true;
            e -= 1;
        } else if e > a + 1 && self.is_kw(e - 1, "ASC") {
            e -= 1;
        }
        let (core, collation) = if e > a + 2 && self.is_kw(e - 2, "COLLATE") {
            (e - 2, Some(self.ident(e - 1)?))
        } else {
            (e, None)
        };
        // A bare name, or a name in redundant parentheses, is a column.
        let name_at = if core == a + 1 && self.is_name(a) {
            Some(a)
        } else if core == a + 3
            && self.is_punct(a, b'(')
            && self.is_name(a + 1)
            && self.is_punct(a + 2, b')')
        {
            Some(a + 1)
        } else {
            None
        };
        Ok(match name_at {
            Some(k) => IndexPart::Column {
                name: self.ident(k)?,
                desc,
                collation,
            },
            None => IndexPart::Expr {
                expr: self.span(a, e).to_string(),
                desc,
            },
        })
    }
}
