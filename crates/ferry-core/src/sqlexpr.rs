//! SQLite expression text → PostgreSQL / MySQL / MariaDB SQL.
//!
//! The schema keeps every expression as the SQLite text it was written in: column DEFAULTs
//! (`PRAGMA table_info.dflt_value`), CHECK bodies, partial-index predicates, index and
//! generated-column expressions, and view SELECTs. This module parses that text with
//! `sqlparser` (`SQLiteDialect`), walks the tree, and prints SQL for the target dialect itself
//! (sqlparser's `Display` prints SQLite back, it does not translate).
//!
//! What it must do: produce SQL that means, on the target, what the expression meant in SQLite —
//! SQLite's dynamic typing, ASCII-only case folding in `LIKE`, binary string comparison, integer
//! division, NULL on division by zero, `YYYY-MM-DD HH:MM:SS` UTC text for `CURRENT_TIMESTAMP`.
//! Where a faithful equivalent exists it is emitted; where it does not, the function returns
//! `Err` with a reason a person can read.
//!
//! What it must not do: guess. It never emits SQL that is accepted by the target but silently
//! means something different (a different type of division, a case-insensitive comparison, a
//! function with other NULL rules); it never touches a database, never reads the schema itself,
//! and never renames anything on its own — names come from the caller's maps.
//!
//! Conventions this module relies on (owned by `target::*::types` / the copy):
//! - a `Timestamp` column is PostgreSQL `timestamp` (tz: false) holding UTC wall-clock time or
//!   `timestamptz` (tz: true), and MySQL/MariaDB `DATETIME(n)` holding UTC wall-clock time —
//!   SQLite text without an offset is UTC, as SQLite's own `CURRENT_TIMESTAMP` is;
//! - `Boolean` is PostgreSQL `boolean`, MySQL/MariaDB `TINYINT(1)`/`BOOLEAN` (0/1);
//! - MySQL/MariaDB text columns are `utf8mb4` with the binary no-pad collation (NOCASE columns a
//!   case-insensitive one), so comparisons there follow the column as SQLite's do; sessions run
//!   with `NO_BACKSLASH_ESCAPES` (MySQL) and `standard_conforming_strings` (PostgreSQL).
//!
//! Known, documented limits: `lower`/`upper`/`LIKE` fold only ASCII letters in SQLite but all of
//! Unicode in the targets (a pattern containing a non-ASCII letter is refused; a value containing
//! one is folded by the target); in views, column types are unknown, so text comparisons there
//! use the target column's collation and unaliased expression columns get the target's names.

use std::collections::HashMap;

use sqlparser::ast::{
    BinaryOperator, CastKind, CeilFloorKind, DateTimeField, Distinct, Expr, Function,
    FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, InTarget, Join,
    JoinConstraint, JoinOperator, LimitClause, ObjectName, ObjectNamePart, OrderByExpr,
    OrderByKind, OrderBySort, Query, Select, SelectFlavor, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, SetOperator, SetQuantifier, Statement,
    TableAlias, TableFactor, TableWithJoins, UnaryOperator, Value, ValueWithSpan,
    WildcardAdditionalOptions,
};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token};

use crate::schema::LogicalType;
use crate::target::Dialect;

type R<T> = Result<T, String>;

/// What the expression's identifiers mean in the target: source column name → (target column name, logical type).
pub struct ExprContext<'a> {
    pub dialect: Dialect,
    pub columns: &'a HashMap<String, (String, LogicalType)>,
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/// Quote an identifier for the dialect ("x" with "" doubling for PostgreSQL, `x` with `` doubling
/// for MySQL/MariaDB).
pub fn quote_ident(name: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
        Dialect::MySql | Dialect::MariaDb => format!("`{}`", name.replace('`', "``")),
    }
}

/// A string literal for the dialect. PostgreSQL runs with standard_conforming_strings on and
/// MySQL/MariaDB sessions with NO_BACKSLASH_ESCAPES, so both need only `''` doubling.
pub fn quote_literal(s: &str, _dialect: Dialect) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A column DEFAULT (the text of PRAGMA table_info's dflt_value) for a column of logical type
/// `ty`. `Ok(None)` when the default is NULL (no DEFAULT clause needed); `Err(reason)` when it
/// cannot be carried. The result is what follows the `DEFAULT` keyword.
pub fn translate_default(dflt: &str, ty: &LogicalType, dialect: Dialect) -> Result<Option<String>, String> {
    let expr = parse_expr(dflt)?;
    let tx = Tx::new(dialect, dflt);
    let value = tx.default_value(strip_nested(&expr))
        .map_err(|e| format!("DEFAULT {}: {e}", dflt.trim()))?;
    tx.render_default(value, ty).map_err(|e| format!("DEFAULT {} on a {} column: {e}", dflt.trim(), ty.label()))
}

/// CHECK bodies, WHERE predicates, index and generated expressions.
pub fn translate_expr(expr: &str, ctx: &ExprContext) -> Result<String, String> {
    let parsed = parse_expr(expr)?;
    let mut tx = Tx::new(ctx.dialect, expr);
    tx.cols = Some(ctx.columns);
    let t = tx.expr(&parsed).map_err(|e| format!("`{}`: {e}", expr.trim()))?;
    Ok(t.sql)
}

/// A view's SELECT (or its whole `CREATE VIEW … AS SELECT …`); `tables` maps source table (and
/// view) names to target names; column names are carried unchanged. Returns the SELECT only.
pub fn translate_select(select: &str, dialect: Dialect, tables: &HashMap<String, String>) -> Result<String, String> {
    let d = SQLiteDialect {};
    let stmts = Parser::parse_sql(&d, select).map_err(|e| format!("cannot parse the view: {e}"))?;
    if stmts.len() != 1 {
        return Err(format!("expected one SELECT statement, found {}", stmts.len()));
    }
    let query = match &stmts[0] {
        Statement::Query(q) => q.clone(),
        Statement::CreateView(cv) => {
            if !cv.columns.is_empty() {
                return Err("the view names its columns (`CREATE VIEW v(a, b) AS …`); give the column list to CREATE VIEW on the target".into());
            }
            cv.query.clone()
        }
        other => return Err(format!("not a SELECT: `{other}`")),
    };
    let mut tx = Tx::new(dialect, select);
    tx.tables = Some(tables);
    tx.query(&query)
}

// ---------------------------------------------------------------------------------------------
// Parsing helpers
// ---------------------------------------------------------------------------------------------

fn parse_expr(text: &str) -> R<Expr> {
    let d = SQLiteDialect {};
    let mut p = Parser::new(&d).try_with_sql(text).map_err(|e| format!("cannot parse `{}`: {e}", text.trim()))?;
    let e = p.parse_expr().map_err(|e| format!("cannot parse `{}`: {e}", text.trim()))?;
    let next = p.peek_token().token;
    if next != Token::EOF {
        return Err(format!("cannot parse `{}`: unexpected `{next}`", text.trim()));
    }
    Ok(e)
}

fn strip_nested(mut e: &Expr) -> &Expr {
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    e
}

/// The source text starting at a token's location (line and column count from 1, in chars).
fn text_at(src: &str, loc: Location) -> Option<&str> {
    if loc.line == 0 || loc.column == 0 {
        return None;
    }
    let line = src.split('\n').nth(loc.line as usize - 1)?;
    let start = line.char_indices().nth(loc.column as usize - 1).map(|(i, _)| i)?;
    Some(&line[start..])
}

fn one_part(name: &ObjectName) -> Option<&Ident> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(id)] => Some(id),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Values and kinds
// ---------------------------------------------------------------------------------------------

/// What the translator knows about a value's type in the target.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Bool,
    Int,
    Dec,
    Float,
    Text,
    Bytes,
    Date,
    Ts(bool),
    Json,
    Uuid,
    Null,
    Unknown,
}

impl Kind {
    fn from_logical(t: &LogicalType) -> R<Kind> {
        Ok(match t {
            LogicalType::Integer { .. } => Kind::Int,
            LogicalType::Decimal { .. } => Kind::Dec,
            LogicalType::Float => Kind::Float,
            LogicalType::Boolean => Kind::Bool,
            LogicalType::Text { .. } => Kind::Text,
            LogicalType::Bytes => Kind::Bytes,
            LogicalType::Uuid => Kind::Uuid,
            LogicalType::Date => Kind::Date,
            LogicalType::Timestamp { tz } => Kind::Ts(*tz),
            LogicalType::Json => Kind::Json,
            LogicalType::Unsupported { reason } => return Err(format!("the column is not carried ({reason})")),
        })
    }
    fn label(self) -> &'static str {
        match self {
            Kind::Bool => "boolean",
            Kind::Int => "integer",
            Kind::Dec => "decimal",
            Kind::Float => "float",
            Kind::Text => "text",
            Kind::Bytes => "bytes",
            Kind::Date => "date",
            Kind::Ts(_) => "timestamp",
            Kind::Json => "JSON",
            Kind::Uuid => "UUID",
            Kind::Null => "NULL",
            Kind::Unknown => "untyped",
        }
    }
    fn numeric(self) -> bool {
        matches!(self, Kind::Int | Kind::Dec | Kind::Float)
    }
    /// SQLite's `typeof()` of a non-NULL value of a column carried as this kind.
    fn sqlite_typeof(self) -> Option<&'static str> {
        match self {
            Kind::Int | Kind::Bool => Some("integer"),
            Kind::Float => Some("real"),
            Kind::Text | Kind::Date | Kind::Ts(_) | Kind::Json | Kind::Uuid => Some("text"),
            Kind::Bytes => Some("blob"),
            _ => None,
        }
    }
}

/// A literal as SQLite sees it.
#[derive(Clone, Debug, PartialEq)]
enum Lit {
    Int(i64),
    /// The literal's text (sign included) and its value.
    Real(String, f64),
    Str(String),
    Blob(Vec<u8>),
    Null,
}

/// A translated expression.
#[derive(Clone, Debug)]
struct Tr {
    sql: String,
    kind: Kind,
    /// Set when the expression is a literal (the SQLite value).
    lit: Option<Lit>,
    /// Set when the expression is SQLite's current time (`datetime('now', …)` and friends).
    now: Option<NowSpec>,
    /// True when `sql` can be used as an operand without parentheses.
    atom: bool,
}

impl Tr {
    fn new(sql: String, kind: Kind, atom: bool) -> Tr {
        Tr { sql, kind, lit: None, now: None, atom }
    }
    fn boolean(sql: String) -> Tr {
        Tr::new(sql, Kind::Bool, false)
    }
    fn operand(&self) -> String {
        if self.atom { self.sql.clone() } else { format!("({})", self.sql) }
    }
    fn is_const(&self) -> bool {
        self.lit.is_some() || self.now.is_some()
    }
}

/// `sqlite3`'s text for a REAL ("%!.15g"), when it is certain: ≤ 15 significant digits and
/// printed without an exponent.
fn sqlite_real_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    if f == 0.0 {
        return Some("0.0".into());
    }
    let a = f.abs();
    if !(1e-4..1e15).contains(&a) {
        return None;
    }
    let s = format!("{f:?}");
    if s.contains('e') || s.contains('E') {
        return None;
    }
    let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    let significant = digits.trim_start_matches('0').trim_end_matches('0');
    if significant.len() > 15 {
        return None;
    }
    Some(s)
}

/// What SQLite's numeric affinity makes of a text: an integer or a real, or None when the text
/// is not a number.
fn numeric_text(s: &str) -> Option<Lit> {
    let t = s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n' || c == '\r');
    if t.is_empty() {
        return None;
    }
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    if body.is_empty() || !body.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    if body.chars().all(|c| c.is_ascii_digit()) {
        if let Ok(n) = t.trim_start_matches('+').parse::<i64>() {
            return Some(Lit::Int(n));
        }
    }
    if !body.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-')) {
        return None;
    }
    let f: f64 = t.trim_start_matches('+').parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    if f.fract() == 0.0 && f.abs() < 9.2e18 {
        return Some(Lit::Int(f as i64));
    }
    Some(Lit::Real(t.trim_start_matches('+').to_string(), f))
}

fn parse_number(s: &str) -> R<Lit> {
    if s.chars().all(|c| c.is_ascii_digit()) {
        if let Ok(n) = s.parse::<i64>() {
            return Ok(Lit::Int(n));
        }
    }
    let f: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !f.is_finite() {
        return Err(format!("`{s}` is out of range for a double"));
    }
    Ok(Lit::Real(s.to_string(), f))
}

fn hex_decode(h: &str) -> R<Vec<u8>> {
    if h.len() % 2 != 0 {
        return Err(format!("X'{h}' has an odd number of hex digits"));
    }
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).map_err(|_| format!("X'{h}' is not hex")))
        .collect()
}

fn hex_encode(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A SQLite time string as stored text, normalised to UTC: (`YYYY-MM-DD HH:MM:SS[.f]`,
/// date-only?).
fn parse_timestamp_text(s: &str) -> Option<(String, bool)> {
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
    let t = s.trim();
    if t.len() == 10 {
        let d = NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()?;
        return Some((format!("{} 00:00:00", d.format("%Y-%m-%d")), true));
    }
    if t.len() < 16 {
        return None;
    }
    let (date, rest) = t.split_at(10);
    let rest = rest.strip_prefix([' ', 'T'])?;
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    // Time zone suffix: Z or ±HH:MM.
    let (time, offset_min) = if let Some(x) = rest.strip_suffix(['Z', 'z']) {
        (x, 0i64)
    } else if rest.len() > 6 && matches!(&rest[rest.len() - 6..rest.len() - 5], "+" | "-") && &rest[rest.len() - 3..rest.len() - 2] == ":" {
        let sign = if &rest[rest.len() - 6..rest.len() - 5] == "-" { -1 } else { 1 };
        let hh: i64 = rest[rest.len() - 5..rest.len() - 3].parse().ok()?;
        let mm: i64 = rest[rest.len() - 2..].parse().ok()?;
        (&rest[..rest.len() - 6], sign * (hh * 60 + mm))
    } else {
        (rest, 0)
    };
    let (hms, frac) = match time.split_once('.') {
        Some((a, f)) if !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()) => (a, Some(f)),
        Some(_) => return None,
        None => (time, None),
    };
    let tm = match hms.len() {
        5 => NaiveTime::parse_from_str(hms, "%H:%M").ok()?,
        8 => NaiveTime::parse_from_str(hms, "%H:%M:%S").ok()?,
        _ => return None,
    };
    if frac.is_some() && hms.len() != 8 {
        return None;
    }
    let frac = frac.unwrap_or("");
    // Targets keep microseconds; more digits would be rounded by them.
    if frac.len() > 6 && frac[6..].chars().any(|c| c != '0') {
        return None;
    }
    let frac = &frac[..frac.len().min(6)];
    let ndt = NaiveDateTime::new(d, tm) - chrono::Duration::minutes(offset_min);
    let mut out = ndt.format("%Y-%m-%d %H:%M:%S").to_string();
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some((out, false))
}

fn valid_date_text(s: &str) -> bool {
    s.len() == 10 && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn canonical_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

// ---------------------------------------------------------------------------------------------
// SQLite's current time: CURRENT_TIMESTAMP, datetime('now', …), strftime(fmt, 'now', …)
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Month,
    Year,
}

impl Unit {
    fn pg(self) -> &'static str {
        match self {
            Unit::Second => "second",
            Unit::Minute => "minute",
            Unit::Hour => "hour",
            Unit::Day => "day",
            Unit::Month => "month",
            Unit::Year => "year",
        }
    }
    fn my(self) -> &'static str {
        match self {
            Unit::Second => "SECOND",
            Unit::Minute => "MINUTE",
            Unit::Hour => "HOUR",
            Unit::Day => "DAY",
            Unit::Month => "MONTH",
            Unit::Year => "YEAR",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mod {
    /// `localtime`: UTC → the local time zone. In the targets: the session's time zone
    /// (PostgreSQL `TimeZone`, MySQL `time_zone`), the closest thing to SQLite's process zone.
    Local,
    Add(i64, Unit),
    Start(Unit),
}

#[derive(Clone, Debug, PartialEq)]
struct NowSpec {
    /// The strftime format of the text SQLite produces.
    fmt: String,
    mods: Vec<Mod>,
}

/// How fine a time format is, when it is a timestamp or a date SQLite's text could stand for.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    Day,
    Minute,
    Second,
    Milli,
}

impl NowSpec {
    fn parse_mod(m: &str) -> R<Mod> {
        let l = m.trim().to_ascii_lowercase();
        match l.as_str() {
            "localtime" => return Ok(Mod::Local),
            "start of day" => return Ok(Mod::Start(Unit::Day)),
            "start of month" => return Ok(Mod::Start(Unit::Month)),
            "start of year" => return Ok(Mod::Start(Unit::Year)),
            _ => {}
        }
        let mut parts = l.split_whitespace();
        let (n, unit) = (parts.next(), parts.next());
        if let (Some(n), Some(unit), None) = (n, unit, parts.next()) {
            let n: i64 = n.trim_start_matches('+').parse()
                .map_err(|_| format!("the time modifier '{m}' is not supported (only whole numbers of units)"))?;
            let unit = match unit.trim_end_matches('s') {
                "second" => Unit::Second,
                "minute" => Unit::Minute,
                "hour" => Unit::Hour,
                "day" => Unit::Day,
                "month" => Unit::Month,
                "year" => Unit::Year,
                _ => return Err(format!("the time modifier '{m}' is not supported")),
            };
            return Ok(Mod::Add(n, unit));
        }
        Err(format!("the time modifier '{m}' is not supported"))
    }

    fn new(fmt: &str, mods: &[String]) -> R<NowSpec> {
        let mut out = Vec::new();
        // Month and year arithmetic is the same in SQLite and the targets only from the first
        // of a month (SQLite normalises Jan 31 + 1 month to Mar 3, the targets clamp to Feb 28).
        let mut on_first = false;
        for m in mods {
            let m = NowSpec::parse_mod(m)?;
            match m {
                Mod::Start(Unit::Month | Unit::Year) => on_first = true,
                Mod::Add(_, Unit::Month | Unit::Year) => {
                    if !on_first {
                        return Err("month and year arithmetic on the current date differs between SQLite (which normalises Jan 31 + 1 month to Mar 3) and the target; it is carried only after 'start of month' or 'start of year'".into());
                    }
                }
                _ => on_first = false,
            }
            out.push(m);
        }
        // Validate the format.
        let mut chars = fmt.chars();
        while let Some(c) = chars.next() {
            if c == '%' {
                match chars.next() {
                    Some('Y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'f' | 'j' | '%') => {}
                    Some(x) => return Err(format!("strftime format %{x} has no faithful equivalent in the target")),
                    None => return Err("strftime format ends with %".into()),
                }
            }
        }
        Ok(NowSpec { fmt: fmt.to_string(), mods: out })
    }

    fn shape(&self) -> Option<Shape> {
        let f = self.fmt.strip_suffix('Z').unwrap_or(&self.fmt);
        match f {
            "%Y-%m-%d" => Some(Shape::Day),
            "%Y-%m-%d %H:%M" | "%Y-%m-%dT%H:%M" => Some(Shape::Minute),
            "%Y-%m-%d %H:%M:%S" | "%Y-%m-%dT%H:%M:%S" => Some(Shape::Second),
            "%Y-%m-%d %H:%M:%f" | "%Y-%m-%dT%H:%M:%f" => Some(Shape::Milli),
            _ => None,
        }
    }

    fn needs_millis(&self) -> bool {
        self.fmt.contains("%f")
    }
}

// ---------------------------------------------------------------------------------------------
// The translator
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cmp {
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    /// SQLite `IS` / `IS NOT` between values: NULL-safe (in)equality.
    Is,
    IsNot,
}

impl Cmp {
    fn flip(self) -> Cmp {
        match self {
            Cmp::Lt => Cmp::Gt,
            Cmp::LtEq => Cmp::GtEq,
            Cmp::Gt => Cmp::Lt,
            Cmp::GtEq => Cmp::LtEq,
            x => x,
        }
    }
    fn ordering(self) -> bool {
        matches!(self, Cmp::Lt | Cmp::LtEq | Cmp::Gt | Cmp::GtEq)
    }
    fn sym(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::NotEq => "<>",
            Cmp::Lt => "<",
            Cmp::LtEq => "<=",
            Cmp::Gt => ">",
            Cmp::GtEq => ">=",
            Cmp::Is => "IS",
            Cmp::IsNot => "IS NOT",
        }
    }
}

/// A name visible to qualified column references in a view: (lower-case source name, the
/// target's qualifier SQL).
type Scope = Vec<(String, String)>;

/// One default value as SQLite sees it.
enum DefaultValue {
    Null,
    Lit(Lit),
    Now(NowSpec),
}

struct Tx<'a> {
    d: Dialect,
    src: &'a str,
    cols: Option<&'a HashMap<String, (String, LogicalType)>>,
    tables: Option<&'a HashMap<String, String>>,
    scopes: Vec<Scope>,
    ctes: Vec<Vec<String>>,
    derived: usize,
}

impl<'a> Tx<'a> {
    fn new(d: Dialect, src: &'a str) -> Tx<'a> {
        Tx { d, src, cols: None, tables: None, scopes: Vec::new(), ctes: Vec::new(), derived: 0 }
    }

    fn pg(&self) -> bool {
        self.d == Dialect::Postgres
    }

    fn qi(&self, name: &str) -> String {
        quote_ident(name, self.d)
    }

    fn ql(&self, s: &str) -> String {
        quote_literal(s, self.d)
    }

    /// The collation that compares like SQLite's BINARY (memcmp of UTF-8, no pad).
    fn bin_collation(&self) -> &'static str {
        match self.d {
            Dialect::Postgres => "\"C\"",
            Dialect::MySql => "utf8mb4_0900_bin",
            Dialect::MariaDb => "utf8mb4_nopad_bin",
        }
    }

    fn view_mode(&self) -> bool {
        self.tables.is_some()
    }

    // --- literals -----------------------------------------------------------------------------

    fn value_lit(&self, v: &ValueWithSpan) -> R<Lit> {
        match &v.value {
            Value::Number(s, _) => parse_number(s),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Ok(Lit::Str(s.clone())),
            Value::HexStringLiteral(h) => {
                let is_int = text_at(self.src, v.span.start).is_some_and(|t| t.starts_with("0x") || t.starts_with("0X"));
                if is_int {
                    if h.len() > 16 {
                        return Err(format!("hex integer 0x{h} is too large"));
                    }
                    let u = u64::from_str_radix(h, 16).map_err(|_| format!("0x{h} is not a hex integer"))?;
                    Ok(Lit::Int(u as i64))
                } else {
                    Ok(Lit::Blob(hex_decode(h)?))
                }
            }
            Value::Boolean(b) => Ok(Lit::Int(*b as i64)),
            Value::Null => Ok(Lit::Null),
            Value::Placeholder(p) => Err(format!("parameter {p} has no value here")),
            other => Err(format!("literal `{other}` is not SQLite syntax")),
        }
    }

    fn render_lit(&self, l: &Lit) -> (String, bool) {
        match l {
            Lit::Int(n) => (n.to_string(), *n >= 0),
            Lit::Real(s, _) => (s.clone(), !s.starts_with('-')),
            Lit::Str(s) => (self.ql(s), true),
            Lit::Blob(b) => {
                if self.pg() {
                    (format!("'\\x{}'::bytea", hex_encode(b)), false)
                } else {
                    (format!("X'{}'", hex_encode(b)), true)
                }
            }
            Lit::Null => ("NULL".into(), true),
        }
    }

    fn lit_tr(&self, l: Lit) -> Tr {
        let (sql, atom) = self.render_lit(&l);
        let kind = match &l {
            Lit::Int(_) => Kind::Int,
            Lit::Real(..) => Kind::Float,
            Lit::Str(_) => Kind::Text,
            Lit::Blob(_) => Kind::Bytes,
            Lit::Null => Kind::Null,
        };
        Tr { sql, kind, lit: Some(l), now: None, atom }
    }

    /// A literal number, folding a leading sign.
    fn signed_lit(&self, op: &UnaryOperator, e: &Expr) -> R<Option<Lit>> {
        let neg = match op {
            UnaryOperator::Minus => true,
            UnaryOperator::Plus => false,
            _ => return Ok(None),
        };
        let Expr::Value(v) = e else { return Ok(None) };
        if let Value::Number(s, _) = &v.value {
            if neg && s == "9223372036854775808" {
                return Ok(Some(Lit::Int(i64::MIN)));
            }
        }
        match self.value_lit(v)? {
            Lit::Int(n) => Ok(Some(Lit::Int(if neg { -n } else { n }))),
            Lit::Real(s, f) => Ok(Some(if neg { Lit::Real(format!("-{s}"), -f) } else { Lit::Real(s, f) })),
            _ => Ok(None),
        }
    }

    // --- defaults -----------------------------------------------------------------------------

    fn default_value(&self, e: &Expr) -> R<DefaultValue> {
        match e {
            Expr::Value(v) => Ok(match self.value_lit(v)? {
                Lit::Null => DefaultValue::Null,
                l => DefaultValue::Lit(l),
            }),
            Expr::UnaryOp { op, expr } => match self.signed_lit(op, strip_nested(expr))? {
                Some(l) => Ok(DefaultValue::Lit(l)),
                None => Err("only a literal, NULL or the current time can be carried as a default".into()),
            },
            // SQLite reads a double-quoted or bare word in a DEFAULT as a string.
            Expr::Identifier(id) => Ok(DefaultValue::Lit(Lit::Str(id.value.clone()))),
            Expr::Function(f) => match self.now_function(f)? {
                Some(spec) => Ok(DefaultValue::Now(spec)),
                None => Err(format!("`{}` cannot be carried faithfully: {}", e, self.why_not_function(f))),
            },
            _ => Err(format!("`{e}` is an expression; only a literal, NULL or the current time can be carried as a default")),
        }
    }

    fn why_not_function(&self, f: &Function) -> String {
        let name = f.name.to_string().to_ascii_lowercase();
        match name.as_str() {
            "random" | "randomblob" => format!("{name}() draws SQLite's own random numbers; the target's generator yields other values and types"),
            "julianday" | "unixepoch" => format!("{name}() returns a number SQLite computes from its own calendar; there is no exact equivalent"),
            _ => format!("{name}() has no faithful equivalent as a default"),
        }
    }

    fn render_default(&self, v: DefaultValue, ty: &LogicalType) -> R<Option<String>> {
        let kind = Kind::from_logical(ty)?;
        let lit = match v {
            DefaultValue::Null => return Ok(None),
            DefaultValue::Now(spec) => {
                let t = self.now_as(kind, &spec)?;
                return Ok(Some(format!("({})", t.sql)));
            }
            DefaultValue::Lit(l) => l,
        };
        let mysql8 = self.d == Dialect::MySql;
        // MySQL 8 accepts literals on TEXT/BLOB/JSON columns only as expressions `(…)`;
        // MariaDB and PostgreSQL take the literal.
        let wrap = |s: String| if mysql8 { format!("({s})") } else { s };
        let out = match kind {
            Kind::Int => match lit {
                Lit::Int(n) => n.to_string(),
                Lit::Real(_, f) if f.fract() == 0.0 && f.abs() < 9.2e18 => (f as i64).to_string(),
                Lit::Real(s, _) => return Err(format!("SQLite keeps {s} as a real in an integer column")),
                Lit::Str(s) => match numeric_text(&s) {
                    Some(Lit::Int(n)) => n.to_string(),
                    _ => return Err(format!("SQLite keeps the text {} in an integer column", self.ql(&s))),
                },
                Lit::Blob(_) => return Err("a blob cannot be an integer".into()),
                Lit::Null => return Ok(None),
            },
            Kind::Dec | Kind::Float => match lit {
                Lit::Int(n) => n.to_string(),
                Lit::Real(s, _) => s,
                Lit::Str(s) => match numeric_text(&s) {
                    Some(Lit::Int(n)) => n.to_string(),
                    Some(Lit::Real(t, _)) => t,
                    _ => return Err(format!("the text {} is not a number", self.ql(&s))),
                },
                Lit::Blob(_) => return Err("a blob cannot be a number".into()),
                Lit::Null => return Ok(None),
            },
            Kind::Bool => {
                let b = match &lit {
                    Lit::Int(0) => false,
                    Lit::Int(1) => true,
                    Lit::Real(_, f) if *f == 0.0 => false,
                    Lit::Real(_, f) if *f == 1.0 => true,
                    Lit::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                        "0" | "f" | "false" => false,
                        "1" | "t" | "true" => true,
                        _ => return Err(format!("{} is not a boolean", self.ql(s))),
                    },
                    _ => return Err(format!("{} is not a boolean", self.render_lit(&lit).0)),
                };
                if self.pg() { b.to_string() } else { (b as i64).to_string() }
            }
            Kind::Text => {
                let s = match lit {
                    Lit::Str(s) => s,
                    Lit::Int(n) => n.to_string(),
                    Lit::Real(s, f) => sqlite_real_text(f)
                        .ok_or_else(|| format!("SQLite would store {s} as text in its own float format"))?,
                    Lit::Blob(_) => return Err("SQLite keeps a blob in this text column".into()),
                    Lit::Null => return Ok(None),
                };
                wrap(self.ql(&s))
            }
            Kind::Bytes => {
                let b = match lit {
                    Lit::Blob(b) => b,
                    // SQLite keeps the text; the copy carries text in a bytes column as its UTF-8.
                    Lit::Str(s) => s.into_bytes(),
                    _ => return Err("a number cannot be carried into a bytes column".into()),
                };
                if self.pg() { format!("'\\x{}'::bytea", hex_encode(&b)) } else { wrap(format!("X'{}'", hex_encode(&b))) }
            }
            Kind::Uuid => match lit {
                Lit::Str(s) if canonical_uuid(&s) => self.ql(&s),
                _ => return Err("only a UUID in its 36-character text form can be a UUID default".into()),
            },
            Kind::Date => match lit {
                Lit::Str(s) if valid_date_text(&s) => self.ql(&s),
                _ => return Err("only a YYYY-MM-DD text can be a date default".into()),
            },
            Kind::Ts(tz) => match lit {
                Lit::Str(s) => {
                    let (norm, _) = parse_timestamp_text(&s).ok_or_else(|| format!("{} is not a timestamp SQLite's date functions read", self.ql(&s)))?;
                    self.ts_literal(&norm, tz)
                }
                _ => return Err("a number is not a timestamp (is it seconds, days, milliseconds?)".into()),
            },
            Kind::Json => {
                let s = match lit {
                    Lit::Str(s) => s,
                    Lit::Int(n) => n.to_string(),
                    Lit::Real(s, f) => sqlite_real_text(f).ok_or_else(|| format!("{s} cannot be kept exactly as JSON text"))?,
                    _ => return Err("a blob is not JSON".into()),
                };
                serde_json::from_str::<serde_json::Value>(&s).map_err(|e| format!("{} is not valid JSON ({e})", self.ql(&s)))?;
                wrap(self.ql(&s))
            }
            Kind::Null | Kind::Unknown => unreachable!(),
        };
        Ok(Some(out))
    }

    /// A UTC timestamp literal (normalised text) for the target: PostgreSQL `timestamptz` gets an
    /// explicit `+00` so the session's time zone cannot shift it; `timestamp` and MySQL
    /// `DATETIME` are never shifted by a session.
    fn ts_literal(&self, norm: &str, tz: bool) -> String {
        if self.pg() && tz {
            format!("'{norm}+00'")
        } else {
            format!("'{norm}'")
        }
    }

    // --- the current time ----------------------------------------------------------------------

    /// `Some` when `f` is SQLite's current time (CURRENT_TIMESTAMP, datetime('now', …), …).
    fn now_function(&self, f: &Function) -> R<Option<NowSpec>> {
        let Some(name) = one_part(&f.name) else { return Ok(None) };
        let name = name.value.to_ascii_lowercase();
        let args: Vec<&Expr> = match &f.args {
            FunctionArguments::None => {
                let fmt = match name.as_str() {
                    "current_timestamp" => "%Y-%m-%d %H:%M:%S",
                    "current_date" => "%Y-%m-%d",
                    "current_time" => "%H:%M:%S",
                    _ => return Ok(None),
                };
                return Ok(Some(NowSpec::new(fmt, &[])?));
            }
            FunctionArguments::List(l) => {
                let mut v = Vec::new();
                for a in &l.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => v.push(e),
                        _ => return Ok(None),
                    }
                }
                v
            }
            FunctionArguments::Subquery(_) => return Ok(None),
        };
        let strs: Option<Vec<String>> = args.iter().map(|e| match strip_nested(e) {
            Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => Some(s.clone()),
            _ => None,
        }).collect();
        let (fmt, rest) = match name.as_str() {
            "datetime" => ("%Y-%m-%d %H:%M:%S".to_string(), strs),
            "date" => ("%Y-%m-%d".to_string(), strs),
            "time" => ("%H:%M:%S".to_string(), strs),
            "strftime" => match strs {
                Some(mut v) if !v.is_empty() => {
                    let f = v.remove(0);
                    (f, Some(v))
                }
                _ => return Ok(None),
            },
            "current_timestamp" | "current_date" | "current_time" if args.is_empty() => {
                return self.now_function(&Function { args: FunctionArguments::None, ..f.clone() })
            }
            _ => return Ok(None),
        };
        let Some(rest) = rest else { return Ok(None) };
        match rest.split_first() {
            Some((first, mods)) if first.eq_ignore_ascii_case("now") => Ok(Some(NowSpec::new(&fmt, mods)?)),
            _ => Ok(None),
        }
    }

    /// The wall-clock time (a timestamp without zone) after the modifiers. `millis`: keep
    /// milliseconds (MySQL's clock functions take the precision).
    fn now_wall(&self, spec: &NowSpec, millis: bool) -> R<String> {
        let mut mods = spec.mods.as_slice();
        let mut w = if mods.first() == Some(&Mod::Local) {
            mods = &mods[1..];
            if self.pg() { "LOCALTIMESTAMP".to_string() } else if millis { "NOW(3)".into() } else { "NOW()".into() }
        } else if self.pg() {
            "(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')".into()
        } else if millis {
            "UTC_TIMESTAMP(3)".into()
        } else {
            "UTC_TIMESTAMP()".into()
        };
        for m in mods {
            w = match (m, self.pg()) {
                (Mod::Local, true) => format!("CAST({w} AT TIME ZONE 'UTC' AS timestamp)"),
                (Mod::Local, false) => return Err("'localtime' after other modifiers is not supported for MySQL/MariaDB".into()),
                (Mod::Add(n, u), true) => format!("({w} + INTERVAL '{n} {}')", u.pg()),
                (Mod::Add(n, u), false) => format!("({w} + INTERVAL {n} {})", u.my()),
                (Mod::Start(u), true) => format!("date_trunc('{}', {w})", u.pg()),
                (Mod::Start(Unit::Day), false) => format!("CAST(CAST({w} AS DATE) AS DATETIME)"),
                (Mod::Start(Unit::Month), false) => format!("CAST(DATE_FORMAT({w}, '%Y-%m-01') AS DATETIME)"),
                (Mod::Start(Unit::Year), false) => format!("CAST(DATE_FORMAT({w}, '%Y-01-01') AS DATETIME)"),
                (Mod::Start(_), false) => unreachable!(),
            };
        }
        Ok(w)
    }

    /// The text SQLite would produce.
    fn now_text(&self, spec: &NowSpec) -> R<String> {
        let w = self.now_wall(spec, spec.needs_millis())?;
        if self.pg() {
            let mut out = String::new();
            let mut lit = String::new();
            let flush = |lit: &mut String, out: &mut String| {
                if lit.is_empty() {
                    return;
                }
                if lit.chars().any(|c| c.is_ascii_alphanumeric() || c == '"' || c == '\\') {
                    out.push('"');
                    out.push_str(&lit.replace('\\', "\\\\").replace('"', "\\\""));
                    out.push('"');
                } else {
                    out.push_str(lit);
                }
                lit.clear();
            };
            let mut chars = spec.fmt.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    lit.push(c);
                    continue;
                }
                let code = chars.next().unwrap_or('%');
                if code == '%' {
                    lit.push('%');
                    continue;
                }
                flush(&mut lit, &mut out);
                out.push_str(match code {
                    'Y' => "YYYY",
                    'm' => "MM",
                    'd' => "DD",
                    'H' => "HH24",
                    'M' => "MI",
                    'S' => "SS",
                    'f' => "SS.MS",
                    'j' => "DDD",
                    _ => unreachable!(),
                });
            }
            flush(&mut lit, &mut out);
            // to_char's argument is the wall-clock timestamp; drop the outer parentheses.
            let w = w.strip_prefix('(').and_then(|x| x.strip_suffix(')')).filter(|_| w.starts_with("(CURRENT_TIMESTAMP AT")).map(str::to_string).unwrap_or(w);
            Ok(format!("to_char({w}, {})", self.ql(&out)))
        } else {
            enum Piece {
                Fmt(String),
                Millis,
            }
            let mut pieces = vec![Piece::Fmt(String::new())];
            let push = |pieces: &mut Vec<Piece>, s: &str| match pieces.last_mut() {
                Some(Piece::Fmt(f)) => f.push_str(s),
                _ => pieces.push(Piece::Fmt(s.to_string())),
            };
            let mut chars = spec.fmt.chars();
            while let Some(c) = chars.next() {
                if c != '%' {
                    push(&mut pieces, &c.to_string());
                    continue;
                }
                match chars.next().unwrap_or('%') {
                    'Y' => push(&mut pieces, "%Y"),
                    'm' => push(&mut pieces, "%m"),
                    'd' => push(&mut pieces, "%d"),
                    'H' => push(&mut pieces, "%H"),
                    'M' => push(&mut pieces, "%i"),
                    'S' => push(&mut pieces, "%s"),
                    'j' => push(&mut pieces, "%j"),
                    '%' => push(&mut pieces, "%%"),
                    'f' => {
                        push(&mut pieces, "%s.");
                        pieces.push(Piece::Millis);
                    }
                    _ => unreachable!(),
                }
            }
            let parts: Vec<String> = pieces
                .iter()
                .filter(|p| !matches!(p, Piece::Fmt(f) if f.is_empty()))
                .map(|p| match p {
                    // Pure literal text needs no DATE_FORMAT.
                    Piece::Fmt(f) if !f.replace("%%", "").contains('%') => self.ql(&f.replace("%%", "%")),
                    Piece::Fmt(f) => format!("DATE_FORMAT({w}, {})", self.ql(f)),
                    Piece::Millis => format!("LEFT(DATE_FORMAT({w}, '%f'), 3)"),
                })
                .collect();
            Ok(match parts.len() {
                0 => "''".into(),
                1 => parts.into_iter().next().unwrap(),
                _ => format!("CONCAT({})", parts.join(", ")),
            })
        }
    }

    /// The current time as a value of a column of `kind`.
    fn now_as(&self, kind: Kind, spec: &NowSpec) -> R<Tr> {
        let shape = spec.shape();
        let only_local = spec.mods == [Mod::Local];
        let sql = match kind {
            Kind::Text | Kind::Unknown | Kind::Null => self.now_text(spec)?,
            Kind::Ts(tz) => {
                let shape = shape.ok_or_else(|| format!("the text '{}' makes is not a timestamp", spec.fmt))?;
                if self.pg() {
                    let unit = match shape {
                        Shape::Day => "day",
                        Shape::Minute => "minute",
                        Shape::Second => "second",
                        Shape::Milli => "milliseconds",
                    };
                    if tz && spec.mods.is_empty() && matches!(shape, Shape::Second | Shape::Milli) {
                        format!("date_trunc('{unit}', CURRENT_TIMESTAMP)")
                    } else {
                        let w = self.now_wall(spec, true)?;
                        let t = format!("date_trunc('{unit}', {w})");
                        // SQLite's text carries no zone; the copy reads such text as UTC.
                        if tz { format!("{t} AT TIME ZONE 'UTC'") } else { t }
                    }
                } else {
                    let w = self.now_wall(spec, shape == Shape::Milli)?;
                    match shape {
                        Shape::Second | Shape::Milli => w,
                        Shape::Minute => format!("CAST(DATE_FORMAT({w}, '%Y-%m-%d %H:%i:00') AS DATETIME)"),
                        Shape::Day => format!("CAST(CAST({w} AS DATE) AS DATETIME)"),
                    }
                }
            }
            Kind::Date => {
                if shape != Some(Shape::Day) {
                    return Err(format!("SQLite would store the text '{}' makes (not a bare date) in a date column", spec.fmt));
                }
                match (self.pg(), spec.mods.is_empty(), only_local) {
                    (true, _, true) => "CURRENT_DATE".into(),
                    (true, _, _) => format!("CAST({} AS date)", self.now_wall(spec, false)?),
                    (false, true, _) => "UTC_DATE()".into(),
                    (false, _, true) => "CURDATE()".into(),
                    (false, _, _) => format!("CAST({} AS DATE)", self.now_wall(spec, false)?),
                }
            }
            other => return Err(format!("the current time cannot be a {} value", other.label())),
        };
        let atom = !sql.contains(" AT TIME ZONE ") || sql.starts_with("to_char(");
        Ok(Tr { sql, kind: if kind == Kind::Unknown || kind == Kind::Null { Kind::Text } else { kind }, lit: None, now: Some(spec.clone()), atom })
    }

    // --- expressions ---------------------------------------------------------------------------

    fn expr(&mut self, e: &Expr) -> R<Tr> {
        match e {
            Expr::Identifier(id) => self.column(std::slice::from_ref(id)),
            Expr::CompoundIdentifier(ids) => self.column(ids),
            Expr::Nested(inner) => {
                let t = self.expr(inner)?;
                Ok(Tr { sql: format!("({})", t.sql), atom: true, ..t })
            }
            Expr::Value(v) => Ok(self.lit_tr(self.value_lit(v)?)),
            Expr::UnaryOp { op, expr } => {
                if let Some(l) = self.signed_lit(op, strip_nested(expr))? {
                    return Ok(self.lit_tr(l));
                }
                match op {
                    UnaryOperator::Not => {
                        let t = self.expr(expr)?;
                        let t = self.to_pred(t)?;
                        Ok(Tr::boolean(format!("NOT {}", t.operand())))
                    }
                    UnaryOperator::Minus | UnaryOperator::Plus => {
                        let t = self.expr(expr)?;
                        let t = self.to_num(t, "a sign")?;
                        let s = if *op == UnaryOperator::Minus { "-" } else { "+" };
                        Ok(Tr::new(format!("{s}{}", t.operand()), t.kind, false))
                    }
                    UnaryOperator::BitwiseNot if self.pg() => {
                        let t = self.expr(expr)?;
                        self.int_only(&t, "~")?;
                        Ok(Tr::new(format!("~{}", t.operand()), Kind::Int, false))
                    }
                    UnaryOperator::BitwiseNot => Err("MySQL/MariaDB's ~ works on unsigned 64-bit integers, SQLite's on signed ones".into()),
                    _ => Err(format!("operator `{op}` is not SQLite")),
                }
            }
            Expr::BinaryOp { left, op, right } => self.binary(left, op, right),
            Expr::IsNull(x) | Expr::IsNotNull(x) => {
                let t = self.expr(x)?;
                let not = if matches!(e, Expr::IsNotNull(_)) { " NOT" } else { "" };
                Ok(Tr::boolean(format!("{} IS{not} NULL", t.operand())))
            }
            Expr::IsTrue(x) | Expr::IsFalse(x) | Expr::IsNotTrue(x) | Expr::IsNotFalse(x) => {
                let t = self.expr(x)?;
                let t = self.to_pred(t)?;
                let what = match e {
                    Expr::IsTrue(_) => "IS TRUE",
                    Expr::IsFalse(_) => "IS FALSE",
                    Expr::IsNotTrue(_) => "IS NOT TRUE",
                    _ => "IS NOT FALSE",
                };
                Ok(Tr::boolean(format!("{} {what}", t.operand())))
            }
            Expr::IsDistinctFrom(l, r) => self.compare(l, Cmp::IsNot, r),
            Expr::IsNotDistinctFrom(l, r) => self.compare(l, Cmp::Is, r),
            Expr::In { expr, target, negated, .. } => self.in_expr(expr, target, *negated),
            Expr::Between { expr, negated, low, high } => self.between(expr, *negated, low, high),
            Expr::Like { negated, any: false, expr, pattern, escape_char } => {
                self.like(expr, pattern, escape_char.as_deref(), *negated)
            }
            Expr::Case { operand, conditions, else_result, .. } => {
                self.case(operand.as_deref(), conditions, else_result.as_deref())
            }
            Expr::Cast { kind: CastKind::Cast, expr, data_type, format: None } => self.cast(expr, &data_type.to_string()),
            Expr::Function(f) => self.function(f),
            Expr::Substring { expr, substring_from, substring_for, .. } => {
                self.substr(expr, substring_from.as_deref(), substring_for.as_deref())
            }
            Expr::Trim { trim_where: None, trim_what: None, expr, trim_characters } => {
                let chars = match trim_characters.as_deref() {
                    None => None,
                    Some([c]) => Some(c),
                    Some(_) => return Err("trim() takes one set of characters".into()),
                };
                self.trim("trim", expr, chars)
            }
            Expr::Ceil { expr, field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) }
            | Expr::Floor { expr, field: CeilFloorKind::DateTimeField(DateTimeField::NoDateTime) } => {
                let t = self.expr(expr)?;
                let t = self.to_num(t, "ceil/floor")?;
                let f = if matches!(e, Expr::Ceil { .. }) { "ceil" } else { "floor" };
                let f = if self.pg() { f.to_string() } else { f.to_uppercase() };
                Ok(Tr::new(format!("{f}({})", t.sql), t.kind, true))
            }
            Expr::Collate { expr, collation } => {
                let c = collation.to_string();
                if c.eq_ignore_ascii_case("binary") {
                    // SQLite's default; the comparisons below already compare like BINARY.
                    self.expr(expr)
                } else {
                    Err(format!("COLLATE {c} has no faithful equivalent in {} (SQLite's NOCASE folds only ASCII, RTRIM ignores trailing spaces)", self.d.name()))
                }
            }
            Expr::Exists { subquery, negated } => {
                self.need_view("a subquery")?;
                let q = self.query(subquery)?;
                let not = if *negated { "NOT " } else { "" };
                Ok(Tr::boolean(format!("{not}EXISTS ({q})")))
            }
            Expr::Subquery(q) => {
                self.need_view("a subquery")?;
                let q = self.query(q)?;
                Ok(Tr::new(format!("({q})"), Kind::Unknown, true))
            }
            _ => Err(format!("`{e}` has no faithful translation")),
        }
    }

    fn need_view(&self, what: &str) -> R<()> {
        if self.view_mode() { Ok(()) } else { Err(format!("{what} cannot appear here")) }
    }

    /// A column reference.
    fn column(&mut self, parts: &[Ident]) -> R<Tr> {
        if let Some(cols) = self.cols {
            let name = &parts.last().expect("identifier").value;
            if parts.len() > 3 {
                return Err(format!("`{}` is not a column", parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join(".")));
            }
            let found = cols.get(name).or_else(|| {
                cols.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
            });
            return match found {
                Some((target, ty)) => {
                    let kind = Kind::from_logical(ty).map_err(|e| format!("column {name}: {e}"))?;
                    Ok(Tr::new(self.qi(target), kind, true))
                }
                // SQLite reads a double-quoted word that names no column as a string literal.
                None if parts.len() == 1 && parts[0].quote_style == Some('"') => Ok(self.lit_tr(Lit::Str(name.clone()))),
                None if ["rowid", "oid", "_rowid_"].contains(&name.to_ascii_lowercase().as_str()) => {
                    Err(format!("`{name}` is SQLite's hidden row id, which the target does not have"))
                }
                None => Err(format!("`{name}` is not a column of the table")),
            };
        }
        // A view: column names are carried unchanged; qualifiers follow the FROM clauses.
        let parts: Vec<&Ident> = match parts {
            [schema, rest @ ..] if parts.len() == 3 && schema.value.eq_ignore_ascii_case("main") => rest.iter().collect(),
            _ => parts.iter().collect(),
        };
        match parts.as_slice() {
            [col] => {
                if col.quote_style.is_none() && ["rowid", "oid", "_rowid_"].contains(&col.value.to_ascii_lowercase().as_str()) {
                    return Err(format!("`{}` is SQLite's hidden row id, which the target does not have", col.value));
                }
                Ok(Tr::new(self.qi(&col.value), Kind::Unknown, true))
            }
            [q, col] => {
                let qual = self.resolve_qualifier(&q.value)?;
                Ok(Tr::new(format!("{qual}.{}", self.qi(&col.value)), Kind::Unknown, true))
            }
            _ => Err(format!("`{}` is not a column reference the target can resolve", parts.iter().map(|p| p.value.as_str()).collect::<Vec<_>>().join("."))),
        }
    }

    fn resolve_qualifier(&self, q: &str) -> R<String> {
        let l = q.to_ascii_lowercase();
        for scope in self.scopes.iter().rev() {
            if let Some((_, t)) = scope.iter().rev().find(|(n, _)| *n == l) {
                return Ok(t.clone());
            }
        }
        Err(format!("`{q}` names no table in the query"))
    }

    /// As a truth value (PostgreSQL needs booleans where SQLite takes any number).
    fn to_pred(&self, t: Tr) -> R<Tr> {
        if !self.pg() {
            return Ok(t);
        }
        match t.kind {
            Kind::Bool | Kind::Null | Kind::Unknown => Ok(t),
            Kind::Int | Kind::Dec | Kind::Float => match &t.lit {
                Some(Lit::Int(n)) => Ok(Tr::new((*n != 0).to_string(), Kind::Bool, true)),
                Some(Lit::Real(_, f)) => Ok(Tr::new((*f != 0.0).to_string(), Kind::Bool, true)),
                _ => Ok(Tr::boolean(format!("{} <> 0", t.operand()))),
            },
            k => Err(format!("SQLite tests the truth of a {} value by converting it to a number; there is no faithful equivalent", k.label())),
        }
    }

    fn pred(&mut self, e: &Expr) -> R<Tr> {
        let t = self.expr(e)?;
        self.to_pred(t)
    }

    /// As a number (PostgreSQL booleans become 0/1).
    fn to_num(&self, t: Tr, what: &str) -> R<Tr> {
        match t.kind {
            Kind::Bool if self.pg() => Ok(Tr::new(format!("CAST({} AS integer)", t.sql), Kind::Int, true)),
            Kind::Bool => Ok(Tr { kind: Kind::Int, ..t }),
            Kind::Int | Kind::Dec | Kind::Float | Kind::Null | Kind::Unknown => Ok(t),
            Kind::Text => match &t.lit {
                Some(Lit::Str(s)) => match numeric_text(s) {
                    Some(l) => Ok(self.lit_tr(l)),
                    None => Err(format!("{what} on the text {}: SQLite converts it to a number first", t.sql)),
                },
                _ => Err(format!("{what} on a text value: SQLite converts it to a number first, the target does not do it the same way")),
            },
            k => Err(format!("{what} on a {} value has no faithful equivalent", k.label())),
        }
    }

    fn int_only(&self, t: &Tr, what: &str) -> R<()> {
        match t.kind {
            Kind::Int | Kind::Null => Ok(()),
            k => Err(format!("`{what}` on a {} value: SQLite first converts it to an integer", k.label())),
        }
    }

    fn binary(&mut self, l: &Expr, op: &BinaryOperator, r: &Expr) -> R<Tr> {
        use BinaryOperator as B;
        match op {
            B::And | B::Or => {
                let a = self.pred(l)?;
                let b = self.pred(r)?;
                let o = if *op == B::And { "AND" } else { "OR" };
                Ok(Tr::boolean(format!("{} {o} {}", a.operand(), b.operand())))
            }
            B::Eq => self.compare(l, Cmp::Eq, r),
            B::NotEq => self.compare(l, Cmp::NotEq, r),
            B::Lt => self.compare(l, Cmp::Lt, r),
            B::LtEq => self.compare(l, Cmp::LtEq, r),
            B::Gt => self.compare(l, Cmp::Gt, r),
            B::GtEq => self.compare(l, Cmp::GtEq, r),
            B::Is => self.compare(l, Cmp::Is, r),
            B::IsNot => self.compare(l, Cmp::IsNot, r),
            B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo => self.arith(l, op, r),
            B::StringConcat => self.concat(l, r),
            B::Glob => self.glob(l, r),
            B::BitwiseAnd | B::BitwiseOr if self.pg() => {
                let a = self.expr(l)?;
                let a = self.to_num(a, "a bitwise operator")?;
                let b = self.expr(r)?;
                let b = self.to_num(b, "a bitwise operator")?;
                self.int_only(&a, &op.to_string())?;
                self.int_only(&b, &op.to_string())?;
                Ok(Tr::new(format!("{} {op} {}", a.operand(), b.operand()), Kind::Int, false))
            }
            B::BitwiseAnd | B::BitwiseOr => Err("MySQL/MariaDB's bitwise operators work on unsigned 64-bit integers, SQLite's on signed ones".into()),
            B::Regexp | B::Match => Err(format!("SQLite's {op} calls an application-defined function; it has no meaning on the target")),
            B::Arrow | B::LongArrow => Err("SQLite's -> and ->> JSON operators return SQLite values the target's JSON operators do not".into()),
            _ => Err(format!("operator `{op}` has no faithful translation")),
        }
    }

    // --- comparisons ---------------------------------------------------------------------------

    fn compare(&mut self, l: &Expr, op: Cmp, r: &Expr) -> R<Tr> {
        // typeof(col) = 'integer' — answerable from the column's target type.
        if let Some(t) = self.typeof_compare(l, op, r)? {
            return Ok(t);
        }
        if let Some(t) = self.typeof_compare(r, op, l)? {
            return Ok(t);
        }
        let a = self.expr(l)?;
        let b = self.expr(r)?;
        self.compare_tr(a, op, b)
    }

    fn compare_tr(&self, a: Tr, op: Cmp, b: Tr) -> R<Tr> {
        let (a, op, b) = self.align(a, op, b)?;
        let sql = match op {
            Cmp::Is if self.pg() => format!("{} IS NOT DISTINCT FROM {}", a.operand(), b.operand()),
            Cmp::IsNot if self.pg() => format!("{} IS DISTINCT FROM {}", a.operand(), b.operand()),
            Cmp::Is => format!("{} <=> {}", a.operand(), b.operand()),
            Cmp::IsNot => format!("NOT ({} <=> {})", a.operand(), b.operand()),
            _ => format!("{} {} {}", a.operand(), op.sym(), b.operand()),
        };
        Ok(Tr::boolean(sql))
    }

    /// Make the two sides of a comparison compare as SQLite compares them.
    fn align(&self, a: Tr, op: Cmp, b: Tr) -> R<(Tr, Cmp, Tr)> {
        if b.is_const() && !a.is_const() {
            let (b, op) = self.coerce_to(&a, b, op)?;
            let a = self.collate_for(a, &b, op);
            return Ok((a, op, b));
        }
        if a.is_const() && !b.is_const() {
            let (a, op) = self.coerce_to(&b, a, op.flip())?;
            let op = op.flip();
            let b = self.collate_for(b, &a, op);
            return Ok((a, op, b));
        }
        if a.is_const() && b.is_const() {
            return Ok((a, op, b));
        }
        // Two non-literal values.
        use Kind as K;
        let (a, b) = match (a.kind, b.kind) {
            (K::Bool, K::Int | K::Dec | K::Float) if self.pg() => (self.to_num(a, "a comparison")?, b),
            (K::Int | K::Dec | K::Float, K::Bool) if self.pg() => {
                let b = self.to_num(b, "a comparison")?;
                (a, b)
            }
            (x, y) if x == y => (a, b),
            (x, y) if x.numeric() && y.numeric() => (a, b),
            (K::Bool, x) | (x, K::Bool) if x.numeric() => (a, b),
            (K::Unknown | K::Null, _) | (_, K::Unknown | K::Null) => (a, b),
            (x, y) => {
                return Err(format!(
                    "compares a {} value with a {} value; SQLite's comparison rules for mixed types have no faithful equivalent",
                    x.label(), y.label()
                ))
            }
        };
        if a.kind == K::Json || b.kind == K::Json {
            if !matches!(op, Cmp::Is | Cmp::IsNot) || !(a.kind == K::Null || b.kind == K::Null) {
                return Err("compares JSON values: SQLite compares their text, the target compares JSON".into());
            }
        }
        if a.kind == K::Uuid && op.ordering() {
            return Err("orders UUIDs: SQLite orders their text, the target orders the values".into());
        }
        let a = self.collate_for(a, &b, op);
        Ok((a, op, b))
    }

    /// Text compared with text: SQLite compares with the column's collation (BINARY unless
    /// declared otherwise). MySQL/MariaDB tables are created with the binary no-pad collation
    /// (NOCASE columns with a case-insensitive one), so the column's own collation already does
    /// what SQLite does there. PostgreSQL's equality is exact, but its ordering follows the
    /// database locale: pin ordering comparisons to "C" (byte order, as SQLite's memcmp).
    fn collate_for(&self, t: Tr, other: &Tr, op: Cmp) -> Tr {
        if !self.pg() || !op.ordering() || t.kind != Kind::Text || t.is_const() {
            return t;
        }
        if !matches!(other.kind, Kind::Text | Kind::Unknown) {
            return t;
        }
        Tr::new(format!("{} COLLATE {}", t.operand(), self.bin_collation()), Kind::Text, false)
    }

    /// Turn a literal (or the current time) into what SQLite compares `col` with, given SQLite's
    /// affinity rules.
    fn coerce_to(&self, col: &Tr, c: Tr, op: Cmp) -> R<(Tr, Cmp)> {
        if let Some(spec) = &c.now {
            return match col.kind {
                Kind::Ts(_) | Kind::Date | Kind::Text | Kind::Unknown | Kind::Null => Ok((self.now_as(col.kind, spec)?, op)),
                k => Err(format!("compares a {} value with the current time", k.label())),
            };
        }
        let lit = c.lit.clone().expect("literal");
        if lit == Lit::Null {
            return Ok((c, op));
        }
        let bad = |why: &str| Err(format!("compares a {} value with {}: {why}", col.kind.label(), c.sql));
        match col.kind {
            Kind::Unknown | Kind::Null => Ok((c, op)),
            Kind::Bool => {
                let v = match &lit {
                    Lit::Int(n) => Some(*n),
                    Lit::Real(_, f) if f.fract() == 0.0 => Some(*f as i64),
                    Lit::Str(s) => match numeric_text(s) {
                        Some(Lit::Int(n)) => Some(n),
                        _ => None,
                    },
                    _ => None,
                };
                match v {
                    Some(n @ (0 | 1)) if self.pg() => Ok((Tr::new((n == 1).to_string(), Kind::Bool, true), op)),
                    Some(n @ (0 | 1)) => Ok((self.lit_tr(Lit::Int(n)), op)),
                    Some(n) if !self.pg() => Ok((self.lit_tr(Lit::Int(n)), op)),
                    _ => bad("a boolean column holds only 0 and 1"),
                }
            }
            Kind::Int | Kind::Dec | Kind::Float => match &lit {
                Lit::Int(_) | Lit::Real(..) => Ok((c, op)),
                Lit::Str(s) => match numeric_text(s) {
                    Some(l) => Ok((self.lit_tr(l), op)),
                    None => bad("SQLite orders every number before every text"),
                },
                _ => bad("SQLite orders every number before every blob"),
            },
            Kind::Text => match &lit {
                Lit::Str(_) => Ok((c, op)),
                Lit::Int(n) => Ok((self.lit_tr(Lit::Str(n.to_string())), op)),
                Lit::Real(_, f) => match sqlite_real_text(*f) {
                    Some(s) => Ok((self.lit_tr(Lit::Str(s)), op)),
                    None => bad("SQLite compares it as its own float text"),
                },
                _ => bad("SQLite orders every text before every blob"),
            },
            Kind::Bytes => match &lit {
                Lit::Blob(_) => Ok((c, op)),
                _ => bad("SQLite never finds a blob equal to a number or a text"),
            },
            Kind::Date => match &lit {
                Lit::Str(s) if valid_date_text(s) => Ok((c, op)),
                _ => bad("only a YYYY-MM-DD text compares the same way with a date"),
            },
            Kind::Ts(tz) => match &lit {
                Lit::Str(s) => match parse_timestamp_text(s) {
                    Some((norm, false)) => Ok((Tr::new(self.ts_literal(&norm, tz), col.kind, true), op)),
                    // SQLite compares text: '2020-01-01' sorts before every time on that day.
                    Some((norm, true)) => {
                        let op = match op {
                            Cmp::Gt => Cmp::GtEq,
                            Cmp::LtEq => Cmp::Lt,
                            Cmp::GtEq | Cmp::Lt => op,
                            _ => return bad("SQLite compares the text, and a date alone never equals a stored timestamp"),
                        };
                        let mut t = Tr::new(self.ts_literal(&norm, tz), col.kind, true);
                        t.lit = Some(Lit::Str(norm));
                        Ok((t, op))
                    }
                    None => bad("not a timestamp"),
                },
                _ => bad("SQLite compares timestamps as text"),
            },
            Kind::Json => bad("SQLite compares JSON as text, the target compares JSON values"),
            Kind::Uuid => match &lit {
                Lit::Str(s) if canonical_uuid(s) && matches!(op, Cmp::Eq | Cmp::NotEq | Cmp::Is | Cmp::IsNot) => Ok((c, op)),
                _ => bad("only equality with a UUID in its 36-character form compares the same way"),
            },
        }
    }

    /// `typeof(col) = 'integer'` and friends, on a column whose target type fixes the answer.
    fn typeof_compare(&mut self, f: &Expr, op: Cmp, other: &Expr) -> R<Option<Tr>> {
        let Some(arg) = typeof_arg(f) else { return Ok(None) };
        let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(name), .. }) = strip_nested(other) else {
            return Err("typeof() can only be compared with a type name here".into());
        };
        let negated = match op {
            Cmp::Eq | Cmp::Is => false,
            Cmp::NotEq | Cmp::IsNot => true,
            _ => return Err("typeof() can only be tested for equality".into()),
        };
        self.typeof_test(arg, &[name.clone()], negated).map(Some)
    }

    fn typeof_test(&mut self, arg: &Expr, names: &[String], negated: bool) -> R<Tr> {
        let t = self.expr(arg)?;
        if t.lit.is_some() || t.sql.is_empty() {
            return Err("typeof() of a literal".into());
        }
        let tn = t.kind.sqlite_typeof().ok_or_else(|| {
            format!("typeof() of a {} value: SQLite's answer depends on how each value was stored", t.kind.label())
        })?;
        let names: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let non_null = names.iter().any(|n| n == tn);
        let null = names.iter().any(|n| n == "null");
        let (sql, bool_lit) = match (non_null, null) {
            (true, true) => (String::new(), Some(true)),
            (true, false) => (format!("{} IS NOT NULL", t.operand()), None),
            (false, true) => (format!("{} IS NULL", t.operand()), None),
            (false, false) => (String::new(), Some(false)),
        };
        Ok(match (bool_lit, negated) {
            (Some(b), neg) => {
                let v = b != neg;
                Tr::new(if self.pg() { v.to_string() } else { (v as i64).to_string() }, Kind::Bool, true)
            }
            (None, false) => Tr::boolean(sql),
            (None, true) => Tr::boolean(format!("NOT ({sql})")),
        })
    }

    fn in_expr(&mut self, x: &Expr, target: &InTarget, negated: bool) -> R<Tr> {
        let not = if negated { "NOT " } else { "" };
        match target {
            InTarget::List(items) => {
                if items.is_empty() {
                    return Err("an empty IN list".into());
                }
                if let Some(arg) = typeof_arg(x) {
                    let names: Option<Vec<String>> = items.iter().map(|i| match strip_nested(i) {
                        Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) => Some(s.clone()),
                        _ => None,
                    }).collect();
                    let names = names.ok_or("typeof() can only be compared with type names")?;
                    return self.typeof_test(arg, &names, negated);
                }
                let xt = self.expr(x)?;
                let mut out = Vec::new();
                let mut xt_final = xt.clone();
                for item in items {
                    let it = self.expr(item)?;
                    let (a, op, b) = self.align(xt.clone(), Cmp::Eq, it)?;
                    if op != Cmp::Eq {
                        return Err("an IN list item that does not compare as equality".into());
                    }
                    // `align` may have cast or collated the left side; keep its last form.
                    if xt.is_const() {
                        return Err("a literal on the left of IN".into());
                    }
                    xt_final = a;
                    out.push(b.sql);
                }
                Ok(Tr::boolean(format!("{} {not}IN ({})", xt_final.operand(), out.join(", "))))
            }
            InTarget::Subquery(q) => {
                self.need_view("a subquery")?;
                let xt = self.expr(x)?;
                let q = self.query(q)?;
                Ok(Tr::boolean(format!("{} {not}IN ({q})", xt.operand())))
            }
            _ => Err("`IN table` has no faithful translation; write IN (SELECT …)".into()),
        }
    }

    fn between(&mut self, x: &Expr, negated: bool, lo: &Expr, hi: &Expr) -> R<Tr> {
        let xt = self.expr(x)?;
        let lt = self.expr(lo)?;
        let ht = self.expr(hi)?;
        let (a1, op1, l) = self.align(xt.clone(), Cmp::GtEq, lt)?;
        let (_, op2, h) = self.align(xt, Cmp::LtEq, ht)?;
        if op1 != Cmp::GtEq || op2 != Cmp::LtEq {
            return Err("BETWEEN with a bound SQLite compares as text differently; write the two comparisons".into());
        }
        let not = if negated { "NOT " } else { "" };
        Ok(Tr::boolean(format!("{} {not}BETWEEN {} AND {}", a1.operand(), l.operand(), h.operand())))
    }

    // --- arithmetic and strings ------------------------------------------------------------------

    fn arith(&mut self, l: &Expr, op: &BinaryOperator, r: &Expr) -> R<Tr> {
        use BinaryOperator as B;
        let a = self.expr(l)?;
        let a = self.to_num(a, "arithmetic")?;
        let b = self.expr(r)?;
        let b = self.to_num(b, "arithmetic")?;
        let float = a.kind == Kind::Float || b.kind == Kind::Float;
        let kind = if float {
            Kind::Float
        } else if a.kind == Kind::Int && b.kind == Kind::Int {
            Kind::Int
        } else if a.kind == Kind::Dec || b.kind == Kind::Dec {
            Kind::Dec
        } else {
            Kind::Unknown
        };
        let (sa, sb) = (self.arith_operand(&a), self.arith_operand(&b));
        // SQLite gives NULL for a division by zero; the targets raise an error.
        let divisor = |t: &Tr, s: String| match &t.lit {
            Some(Lit::Int(n)) if *n != 0 => s,
            Some(Lit::Real(_, f)) if *f != 0.0 => s,
            _ => format!("NULLIF({s}, 0)"),
        };
        let sql = match op {
            B::Plus => format!("{sa} + {sb}"),
            B::Minus => format!("{sa} - {sb}"),
            B::Multiply => format!("{sa} * {sb}"),
            B::Divide => {
                if float {
                    format!("{sa} / {}", divisor(&b, sb))
                } else if kind == Kind::Int {
                    let o = if self.pg() { "/" } else { "DIV" };
                    format!("{sa} {o} {}", divisor(&b, sb))
                } else {
                    return Err("division: SQLite divides integers as integers and reals as reals, value by value; with these operand types the target cannot do the same".into());
                }
            }
            B::Modulo => {
                if kind == Kind::Int {
                    format!("{sa} % {}", divisor(&b, sb))
                } else {
                    return Err("% on non-integers: SQLite first converts both to integers".into());
                }
            }
            _ => unreachable!(),
        };
        Ok(Tr::new(sql, kind, false))
    }

    /// A REAL literal in arithmetic stays a double on the target (PostgreSQL and MySQL read
    /// `1.5` as an exact decimal).
    fn arith_operand(&self, t: &Tr) -> String {
        match &t.lit {
            Some(Lit::Real(s, _)) if self.pg() => format!("CAST({s} AS double precision)"),
            Some(Lit::Real(s, _)) if !s.contains(['e', 'E']) => format!("{s}E0"),
            _ => t.operand(),
        }
    }

    fn concat(&mut self, l: &Expr, r: &Expr) -> R<Tr> {
        // Flatten a || b || c.
        fn collect<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
            match e {
                Expr::BinaryOp { left, op: BinaryOperator::StringConcat, right } => {
                    collect(left, out);
                    collect(right, out);
                }
                _ => out.push(e),
            }
        }
        let mut parts = Vec::new();
        collect(l, &mut parts);
        collect(r, &mut parts);
        let mut out = Vec::new();
        for p in parts {
            let t = self.expr(p)?;
            out.push(self.as_text(t, "||")?);
        }
        if self.pg() {
            Ok(Tr::new(out.iter().map(|t| t.operand()).collect::<Vec<_>>().join(" || "), Kind::Text, false))
        } else {
            Ok(Tr::new(format!("CONCAT({})", out.iter().map(|t| t.sql.clone()).collect::<Vec<_>>().join(", ")), Kind::Text, true))
        }
    }

    /// A value as SQLite's text of it.
    fn as_text(&self, t: Tr, what: &str) -> R<Tr> {
        match (&t.lit, t.kind) {
            (Some(Lit::Int(n)), _) => Ok(self.lit_tr(Lit::Str(n.to_string()))),
            (Some(Lit::Real(s, f)), _) => match sqlite_real_text(*f) {
                Some(x) => Ok(self.lit_tr(Lit::Str(x))),
                None => Err(format!("{what} on {s}: SQLite prints reals its own way")),
            },
            (Some(Lit::Blob(_)), _) => Err(format!("{what} on a blob")),
            (_, Kind::Text | Kind::Unknown | Kind::Null) => Ok(t),
            (_, Kind::Int) if self.pg() => Ok(Tr::new(format!("CAST({} AS text)", t.sql), Kind::Text, true)),
            (_, Kind::Int) => Ok(t),
            (_, Kind::Bool) if self.pg() => Ok(Tr::new(format!("CAST(CAST({} AS integer) AS text)", t.sql), Kind::Text, true)),
            (_, Kind::Bool) => Ok(t),
            (_, k) => Err(format!("{what} on a {} value: SQLite's text for it differs from the target's", k.label())),
        }
    }

    fn like(&mut self, x: &Expr, pattern: &Expr, escape: Option<&Expr>, negated: bool) -> R<Tr> {
        let xt = self.expr(x)?;
        let xt = match xt.kind {
            Kind::Text | Kind::Unknown | Kind::Null => xt,
            Kind::Int if self.pg() => self.as_text(xt, "LIKE")?,
            k => return Err(format!("LIKE on a {} value: SQLite matches its text form", k.label())),
        };
        let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(p), .. }) = strip_nested(pattern) else {
            return Err("LIKE with a pattern that is not a literal: SQLite folds only ASCII case, and the target's folding of an unknown pattern cannot be checked".into());
        };
        if p.chars().any(|c| !c.is_ascii() && (c.is_lowercase() || c.is_uppercase())) {
            return Err(format!("LIKE {}: SQLite matches non-ASCII letters case-sensitively, the target does not", self.ql(p)));
        }
        let esc = match escape.map(strip_nested) {
            None => None,
            Some(Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(e), .. })) if e.chars().count() == 1 => Some(e.clone()),
            Some(_) => return Err("LIKE … ESCAPE needs a single-character literal".into()),
        };
        let not = if negated { "NOT " } else { "" };
        if self.pg() {
            // PostgreSQL's LIKE escapes with a backslash unless told otherwise; SQLite does not.
            let esc_sql = match &esc {
                Some(e) => format!(" ESCAPE {}", self.ql(e)),
                None if p.contains('\\') => " ESCAPE ''".to_string(),
                None => String::new(),
            };
            Ok(Tr::boolean(format!("{} {not}ILIKE {}{esc_sql}", xt.operand(), self.ql(p))))
        } else {
            // ASCII-only case folding and exact comparison of everything else: lower-case the
            // value and the pattern and match under a binary collation (the default collations
            // also ignore accents). MySQL/MariaDB escape with a backslash even under
            // NO_BACKSLASH_ESCAPES, and refuse ESCAPE '': pick a character the pattern lacks.
            let lp = p.to_ascii_lowercase();
            let esc_sql = match &esc {
                Some(e) => format!(" ESCAPE {}", self.ql(&e.to_ascii_lowercase())),
                None if p.contains('\\') => {
                    let c = ['!', '#', '~', '^', '|', '&', '@', '$', '`', ';']
                        .into_iter()
                        .find(|c| !p.contains(*c))
                        .ok_or("LIKE pattern uses every candidate escape character")?;
                    format!(" ESCAPE '{c}'")
                }
                None => String::new(),
            };
            Ok(Tr::boolean(format!(
                "LOWER({}) COLLATE {} {not}LIKE {}{esc_sql}",
                xt.sql,
                self.bin_collation(),
                self.ql(&lp)
            )))
        }
    }

    fn glob(&mut self, x: &Expr, pattern: &Expr) -> R<Tr> {
        let xt = self.expr(x)?;
        if !matches!(xt.kind, Kind::Text | Kind::Unknown | Kind::Null) {
            return Err(format!("GLOB on a {} value", xt.kind.label()));
        }
        let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(p), .. }) = strip_nested(pattern) else {
            return Err("GLOB with a pattern that is not a literal".into());
        };
        if p.contains('[') {
            return Err(format!("GLOB {}: character classes have no LIKE equivalent", self.ql(p)));
        }
        // Case-sensitive LIKE with * → %, ? → _, and LIKE's own wildcards escaped.
        let mut lp = String::new();
        for c in p.chars() {
            match c {
                '*' => lp.push('%'),
                '?' => lp.push('_'),
                '%' | '_' | '!' => {
                    lp.push('!');
                    lp.push(c);
                }
                c => lp.push(c),
            }
        }
        if self.pg() {
            Ok(Tr::boolean(format!("{} LIKE {} ESCAPE '!'", xt.operand(), self.ql(&lp))))
        } else {
            Ok(Tr::boolean(format!("{} COLLATE {} LIKE {} ESCAPE '!'", xt.operand(), self.bin_collation(), self.ql(&lp))))
        }
    }

    fn case(&mut self, operand: Option<&Expr>, conds: &[sqlparser::ast::CaseWhen], els: Option<&Expr>) -> R<Tr> {
        let mut out = String::from("CASE");
        let op = match operand {
            Some(o) => {
                let t = self.expr(o)?;
                if t.is_const() {
                    return Err("CASE on a literal".into());
                }
                Some(t)
            }
            None => None,
        };
        let mut when_sqls = Vec::new();
        let mut op_sql = op.as_ref().map(|t| t.operand());
        for c in conds {
            if let Some(o) = &op {
                let w = self.expr(&c.condition)?;
                let (a, cmp, b) = self.align(o.clone(), Cmp::Eq, w)?;
                if cmp != Cmp::Eq {
                    return Err("a CASE branch that does not compare as equality".into());
                }
                op_sql = Some(a.operand());
                when_sqls.push(b.sql);
            } else {
                when_sqls.push(self.pred(&c.condition)?.sql);
            }
        }
        if let Some(o) = op_sql {
            out.push(' ');
            out.push_str(&o);
        }
        // Results: literals follow the type of the first non-literal result.
        let mut results = Vec::new();
        for c in conds {
            results.push(self.expr(&c.result)?);
        }
        if let Some(e) = els {
            results.push(self.expr(e)?);
        }
        let anchor = results.iter().find(|t| !t.is_const() && t.kind != Kind::Unknown && t.kind != Kind::Null).cloned();
        let mut kind = anchor.as_ref().map(|t| t.kind);
        let mut rs = Vec::new();
        for t in results {
            let t = match &anchor {
                Some(a) if t.is_const() => self.coerce_to(a, t, Cmp::Eq)?.0,
                _ => t,
            };
            if anchor.is_some() && t.kind != Kind::Null && !t.is_const() && Some(t.kind) != kind {
                kind = Some(Kind::Unknown);
            }
            rs.push(t.sql);
        }
        for (i, w) in when_sqls.iter().enumerate() {
            out.push_str(&format!(" WHEN {w} THEN {}", rs[i]));
        }
        if els.is_some() {
            out.push_str(&format!(" ELSE {}", rs[conds.len()]));
        }
        out.push_str(" END");
        let kind = kind.unwrap_or_else(|| {
            // All results literal: a common literal kind, else unknown.
            Kind::Unknown
        });
        Ok(Tr::new(out, kind, true))
    }

    fn cast(&mut self, e: &Expr, type_name: &str) -> R<Tr> {
        let t = self.expr(e)?;
        let up = type_name.to_ascii_uppercase();
        // SQLite's type affinity rules, in order.
        if up.contains("INT") {
            let sql = match (t.kind, self.pg()) {
                (Kind::Bool, true) => format!("CAST({} AS integer)", t.sql),
                (Kind::Bool | Kind::Int, false) => format!("CAST({} AS SIGNED)", t.sql),
                // SQLite truncates toward zero; the targets round.
                (Kind::Float | Kind::Dec, true) => format!("CAST(trunc({}) AS bigint)", t.sql),
                (Kind::Float | Kind::Dec, false) => format!("CAST(TRUNCATE({}, 0) AS SIGNED)", t.sql),
                (Kind::Int | Kind::Text | Kind::Unknown | Kind::Null, true) => format!("CAST({} AS bigint)", t.sql),
                (Kind::Text | Kind::Unknown | Kind::Null, false) => format!("CAST({} AS SIGNED)", t.sql),
                (k, _) => return Err(format!("CAST of a {} value to INTEGER has no faithful equivalent", k.label())),
            };
            return Ok(Tr::new(sql, Kind::Int, true));
        }
        if up.contains("CHAR") || up.contains("CLOB") || up.contains("TEXT") {
            let before = t.sql.clone();
            let inner = self.as_text(t, "CAST AS TEXT")?;
            let sql = if inner.sql != before && inner.lit.is_none() {
                inner.sql // already converted to text
            } else if self.pg() {
                format!("CAST({} AS text)", inner.sql)
            } else {
                format!("CAST({} AS CHAR)", inner.sql)
            };
            return Ok(Tr::new(sql, Kind::Text, true));
        }
        if up.contains("REAL") || up.contains("FLOA") || up.contains("DOUB") {
            let t = self.to_num(t, "CAST AS REAL")?;
            let sql = if self.pg() { format!("CAST({} AS double precision)", t.sql) } else { format!("CAST({} AS DOUBLE)", t.sql) };
            return Ok(Tr::new(sql, Kind::Float, true));
        }
        Err(format!("CAST(… AS {type_name}): SQLite's conversion has no faithful equivalent"))
    }

    fn substr(&mut self, x: &Expr, from: Option<&Expr>, len: Option<&Expr>) -> R<Tr> {
        let xt = self.expr(x)?;
        if !matches!(xt.kind, Kind::Text | Kind::Unknown | Kind::Bytes | Kind::Null) {
            return Err(format!("substr() of a {} value: SQLite takes its text form", xt.kind.label()));
        }
        let int_lit = |e: Option<&Expr>, this: &Self| -> R<Option<i64>> {
            match e {
                None => Ok(None),
                Some(e) => match strip_nested(e) {
                    Expr::Value(v) => match this.value_lit(v)? {
                        Lit::Int(n) => Ok(Some(n)),
                        _ => Err("substr() with a position that is not an integer".into()),
                    },
                    Expr::UnaryOp { op, expr } => match this.signed_lit(op, strip_nested(expr))? {
                        Some(Lit::Int(n)) => Ok(Some(n)),
                        _ => Err("substr() with a computed position".into()),
                    },
                    _ => Err("substr() with a computed position or length: SQLite counts zero and negative values differently from the target".into()),
                },
            }
        };
        let start = int_lit(from, self)?.ok_or("substr() needs a start")?;
        let n = int_lit(len, self)?;
        if start < 1 {
            return Err("substr() with a start below 1: SQLite counts it differently from the target".into());
        }
        if matches!(n, Some(n) if n < 0) {
            return Err("substr() with a negative length: SQLite takes the characters before the start".into());
        }
        let f = if self.pg() { "substr" } else { "SUBSTRING" };
        let sql = match n {
            Some(n) => format!("{f}({}, {start}, {n})", xt.sql),
            None => format!("{f}({}, {start})", xt.sql),
        };
        Ok(Tr::new(sql, if xt.kind == Kind::Bytes { Kind::Bytes } else { Kind::Text }, true))
    }

    fn trim(&mut self, which: &str, x: &Expr, chars: Option<&Expr>) -> R<Tr> {
        let xt = self.expr(x)?;
        if !matches!(xt.kind, Kind::Text | Kind::Unknown | Kind::Null) {
            return Err(format!("{which}() of a {} value", xt.kind.label()));
        }
        let sql = match (chars, self.pg()) {
            (None, true) => format!("{which}({})", xt.sql),
            (None, false) => format!("{}({})", which.to_uppercase(), xt.sql),
            (Some(c), true) => {
                let ct = self.expr(c)?;
                let f = if which == "trim" { "btrim" } else { which };
                format!("{f}({}, {})", xt.sql, ct.sql)
            }
            (Some(c), false) => {
                // MySQL's TRIM removes a string, SQLite's a set of characters: the same only for one.
                let Expr::Value(ValueWithSpan { value: Value::SingleQuotedString(s), .. }) = strip_nested(c) else {
                    return Err(format!("{which}() with computed characters"));
                };
                if s.chars().count() != 1 {
                    return Err(format!("{which}(x, {}): MySQL/MariaDB trim a whole string, SQLite each of the characters", self.ql(s)));
                }
                let side = match which {
                    "ltrim" => "LEADING",
                    "rtrim" => "TRAILING",
                    _ => "BOTH",
                };
                format!("TRIM({side} {} FROM {})", self.ql(s), xt.sql)
            }
        };
        Ok(Tr::new(sql, Kind::Text, true))
    }

    fn function(&mut self, f: &Function) -> R<Tr> {
        if let Some(spec) = self.now_function(f)? {
            let sql = self.now_text(&spec)?;
            return Ok(Tr { sql, kind: Kind::Text, lit: None, now: Some(spec), atom: true });
        }
        let Some(name_id) = one_part(&f.name) else {
            return Err(format!("function `{}` is not SQLite's", f.name));
        };
        let name = name_id.value.to_ascii_lowercase();
        if f.over.is_some() {
            return Err(format!("window function {name}() OVER (…) is not supported"));
        }
        if f.filter.is_some() || !f.within_group.is_empty() || f.null_treatment.is_some() || !matches!(f.parameters, FunctionArguments::None) {
            return Err(format!("{name}() with FILTER or other clauses is not supported"));
        }
        let (args, distinct, star): (Vec<&Expr>, bool, bool) = match &f.args {
            FunctionArguments::None => (vec![], false, false),
            FunctionArguments::List(l) => {
                if !l.clauses.is_empty() {
                    return Err(format!("{name}() with ORDER BY or other clauses inside is not supported"));
                }
                let mut v = Vec::new();
                let mut star = false;
                for a in &l.args {
                    match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => v.push(e),
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                        _ => return Err(format!("{name}() with named or qualified-wildcard arguments")),
                    }
                }
                let distinct = matches!(l.duplicate_treatment, Some(sqlparser::ast::DuplicateTreatment::Distinct));
                (v, distinct, star)
            }
            FunctionArguments::Subquery(_) => return Err(format!("{name}(SELECT …) is not supported")),
        };
        let pg = self.pg();
        let n = args.len();
        let arity = |ok: bool| if ok { Ok(()) } else { Err(format!("{name}() with {n} arguments")) };
        if star && name != "count" {
            return Err(format!("{name}(*) is not SQLite"));
        }
        if distinct && !matches!(name.as_str(), "count" | "sum" | "avg" | "min" | "max") {
            return Err(format!("{name}(DISTINCT …) is not supported"));
        }
        let dist = if distinct { "DISTINCT " } else { "" };
        let fname = |pgname: &str, myname: &str| if pg { pgname.to_string() } else { myname.to_string() };
        match name.as_str() {
            "lower" | "upper" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                    return Err(format!("{name}() of a {} value", t.kind.label()));
                }
                Ok(Tr::new(format!("{}({})", fname(&name, &name.to_uppercase()), t.sql), Kind::Text, true))
            }
            "length" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let sql = match (t.kind, pg) {
                    (Kind::Bytes, true) => format!("length({})", t.sql),
                    (Kind::Bytes, false) => format!("LENGTH({})", t.sql),
                    (Kind::Text | Kind::Unknown | Kind::Null, true) => format!("length({})", t.sql),
                    (Kind::Text | Kind::Unknown | Kind::Null, false) => format!("CHAR_LENGTH({})", t.sql),
                    (Kind::Int | Kind::Bool, _) => {
                        let tt = self.as_text(t, "length()")?;
                        if pg { format!("length({})", tt.sql) } else { format!("CHAR_LENGTH({})", tt.sql) }
                    }
                    (k, _) => return Err(format!("length() of a {} value: SQLite measures its text form", k.label())),
                };
                Ok(Tr::new(sql, Kind::Int, true))
            }
            "abs" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let t = self.to_num(t, "abs()")?;
                Ok(Tr::new(format!("{}({})", fname("abs", "ABS"), t.sql), t.kind, true))
            }
            "coalesce" | "ifnull" => {
                arity(if name == "ifnull" { n == 2 } else { n >= 2 })?;
                let ts = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                let (sqls, kind) = self.same_kind(ts)?;
                Ok(Tr::new(format!("{}({})", fname("COALESCE", "COALESCE"), sqls.join(", ")), kind, true))
            }
            "nullif" => {
                arity(n == 2)?;
                let a = self.expr(args[0])?;
                let b = self.expr(args[1])?;
                let kind = a.kind;
                let (a, _, b) = self.align(a, Cmp::Eq, b)?;
                Ok(Tr::new(format!("NULLIF({}, {})", a.sql, b.sql), kind, true))
            }
            "iif" => {
                arity(n == 3)?;
                let c = self.pred(args[0])?;
                let ts = vec![self.expr(args[1])?, self.expr(args[2])?];
                let (sqls, kind) = self.same_kind(ts)?;
                Ok(Tr::new(format!("CASE WHEN {} THEN {} ELSE {} END", c.sql, sqls[0], sqls[1]), kind, true))
            }
            "likely" | "unlikely" => {
                arity(n == 1)?;
                self.expr(args[0])
            }
            "likelihood" => {
                arity(n == 2)?;
                self.expr(args[0])
            }
            "ltrim" | "rtrim" | "trim" => {
                arity(n == 1 || n == 2)?;
                self.trim(&name, args[0], args.get(1).copied())
            }
            "substr" | "substring" => {
                arity(n == 2 || n == 3)?;
                self.substr(args[0], Some(args[1]), args.get(2).copied())
            }
            "replace" => {
                arity(n == 3)?;
                let ts = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                for t in &ts {
                    if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                        return Err(format!("replace() on a {} value", t.kind.label()));
                    }
                }
                // MySQL's REPLACE matches case-sensitively, like SQLite's.
                Ok(Tr::new(format!("{}({}, {}, {})", fname("replace", "REPLACE"), ts[0].sql, ts[1].sql, ts[2].sql), Kind::Text, true))
            }
            "instr" => {
                arity(n == 2)?;
                let a = self.expr(args[0])?;
                let b = self.expr(args[1])?;
                for t in [&a, &b] {
                    if !matches!(t.kind, Kind::Text | Kind::Unknown | Kind::Null) {
                        return Err(format!("instr() on a {} value", t.kind.label()));
                    }
                }
                let sql = if pg {
                    format!("strpos({}, {})", a.sql, b.sql)
                } else {
                    format!("INSTR({} COLLATE {}, {})", a.operand(), self.bin_collation(), b.sql)
                };
                Ok(Tr::new(sql, Kind::Int, true))
            }
            "max" | "min" if n >= 2 => {
                let ts = args.iter().map(|a| self.expr(a)).collect::<R<Vec<_>>>()?;
                for t in &ts {
                    if !matches!(t.kind, Kind::Int | Kind::Dec | Kind::Float | Kind::Unknown | Kind::Null) {
                        return Err(format!("scalar {name}() of {} values: SQLite orders mixed and text values its own way", t.kind.label()));
                    }
                }
                let nullable: Vec<bool> = ts.iter().map(|t| !matches!(&t.lit, Some(l) if *l != Lit::Null)).collect();
                let (sqls, kind) = self.same_kind(ts)?;
                let g = if name == "max" { "GREATEST" } else { "LEAST" };
                let sql = if pg {
                    // SQLite's scalar max/min is NULL when any argument is; GREATEST/LEAST skip NULLs.
                    let nulls = sqls.iter().zip(&nullable).filter(|(_, n)| **n).map(|(s, _)| format!("{s} IS NULL")).collect::<Vec<_>>().join(" OR ");
                    format!("CASE WHEN {nulls} THEN NULL ELSE {g}({}) END", sqls.join(", "))
                } else {
                    format!("{g}({})", sqls.join(", "))
                };
                Ok(Tr::new(sql, kind, true))
            }
            "count" => {
                self.need_view("an aggregate")?;
                if star {
                    return Ok(Tr::new(fname("count(*)", "COUNT(*)"), Kind::Int, true));
                }
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                Ok(Tr::new(format!("{}({dist}{})", fname("count", "COUNT"), t.sql), Kind::Int, true))
            }
            "sum" | "max" | "min" => {
                self.need_view("an aggregate")?;
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                Ok(Tr::new(format!("{}({dist}{})", name.to_uppercase(), t.sql), if name == "sum" { Kind::Unknown } else { t.kind }, true))
            }
            "avg" => {
                self.need_view("an aggregate")?;
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                let t = self.to_num(t, "avg()")?;
                // SQLite's avg is a double; the targets' avg of integers is a decimal.
                let sql = if pg {
                    format!("avg({dist}CAST({} AS double precision))", t.sql)
                } else {
                    format!("AVG({dist}CAST({} AS DOUBLE))", t.sql)
                };
                Ok(Tr::new(sql, Kind::Float, true))
            }
            "group_concat" | "string_agg" => {
                self.need_view("an aggregate")?;
                arity(n == 1 || n == 2)?;
                if !pg {
                    return Err("group_concat() on MySQL/MariaDB silently truncates at group_concat_max_len".into());
                }
                let t = self.expr(args[0])?;
                let t = self.as_text(t, "group_concat()")?;
                let sep = match args.get(1) {
                    Some(s) => self.expr(s)?.sql,
                    None if name == "string_agg" => return Err("string_agg() needs a separator".into()),
                    None => "','".to_string(),
                };
                Ok(Tr::new(format!("string_agg({dist}{}, {sep})", t.sql), Kind::Text, true))
            }
            "date" if n == 1 => {
                let t = self.expr(args[0])?;
                let sql = match (t.kind, pg) {
                    (Kind::Ts(false), true) => format!("CAST({} AS date)", t.sql),
                    (Kind::Ts(true), true) => format!("CAST({} AT TIME ZONE 'UTC' AS date)", t.operand()),
                    (Kind::Ts(_), false) => format!("CAST({} AS DATE)", t.sql),
                    (Kind::Date, _) => t.sql.clone(),
                    _ => return Err("date() of a value that is not a timestamp column: SQLite parses its text".into()),
                };
                Ok(Tr::new(sql, Kind::Date, true))
            }
            "json_valid" => {
                arity(n == 1)?;
                let t = self.expr(args[0])?;
                match (t.kind, pg) {
                    // A json/jsonb column holds only valid JSON; keep NULL → NULL.
                    (Kind::Json, true) => Ok(Tr::boolean(format!("{} IS NOT NULL OR NULL", t.operand()))),
                    (Kind::Json | Kind::Text | Kind::Unknown, false) => Ok(Tr::new(format!("JSON_VALID({})", t.sql), Kind::Int, true)),
                    (k, true) => Err(format!("json_valid() of a {} value: PostgreSQL 15 has no test that returns false for invalid JSON", k.label())),
                    (k, false) => Err(format!("json_valid() of a {} value", k.label())),
                }
            }
            "typeof" => Err("typeof() can only be compared with type names (typeof(x) = 'integer') on a column".into()),
            "glob" => {
                arity(n == 2)?;
                self.glob(args[1], args[0])
            }
            "like" => Err("like() as a function is not supported; write x LIKE pattern".into()),
            "random" | "randomblob" => Err(format!("{name}() draws SQLite's own random values")),
            "round" => Err("round(): SQLite rounds doubles half away from zero, the targets' rounding of doubles differs".into()),
            "julianday" | "unixepoch" | "strftime" | "datetime" | "time" | "date" | "timediff" => {
                Err(format!("{name}() of anything but 'now': SQLite parses the text itself; there is no faithful equivalent"))
            }
            "printf" | "format" | "quote" | "hex" | "unhex" | "char" | "unicode" | "soundex" | "zeroblob"
            | "total" | "last_insert_rowid" | "changes" | "total_changes" | "sqlite_version" => {
                Err(format!("{name}() has no faithful equivalent in {}", self.d.name()))
            }
            n if n.starts_with("json") || n.starts_with("jsonb") => {
                Err(format!("{n}() returns SQLite values (text, numbers, SQL NULL for JSON null) that the target's JSON functions do not"))
            }
            _ => Err(format!("function {name}() has no known equivalent in {}", self.d.name())),
        }
    }

    /// Arguments that must share a type (COALESCE, GREATEST, …): literals follow the first typed one.
    fn same_kind(&self, ts: Vec<Tr>) -> R<(Vec<String>, Kind)> {
        let anchor = ts.iter().find(|t| !t.is_const() && !matches!(t.kind, Kind::Unknown | Kind::Null)).cloned();
        let mut out = Vec::new();
        let mut kind = anchor.as_ref().map(|a| a.kind).unwrap_or(Kind::Unknown);
        for t in ts {
            let t = match &anchor {
                Some(a) if t.is_const() => self.coerce_to(a, t, Cmp::Eq)?.0,
                Some(a) if t.kind != a.kind && !matches!(t.kind, Kind::Unknown | Kind::Null) => {
                    if t.kind.numeric() && a.kind.numeric() {
                        kind = Kind::Unknown;
                        t
                    } else {
                        return Err(format!("mixes {} and {} values", a.kind.label(), t.kind.label()));
                    }
                }
                _ => t,
            };
            out.push(t.sql);
        }
        Ok((out, kind))
    }

    // --- queries (views) -------------------------------------------------------------------------

    fn query(&mut self, q: &Query) -> R<String> {
        if q.fetch.is_some() || !q.locks.is_empty() || q.for_clause.is_some() || q.settings.is_some() || q.format_clause.is_some() || !q.pipe_operators.is_empty() {
            return Err(format!("`{q}` uses clauses SQLite does not have"));
        }
        let mut out = String::new();
        let pushed_ctes = q.with.is_some();
        if let Some(with) = &q.with {
            self.ctes.push(with.cte_tables.iter().map(|c| c.alias.name.value.to_ascii_lowercase()).collect());
            out.push_str(if with.recursive { "WITH RECURSIVE " } else { "WITH " });
            let mut parts = Vec::new();
            for cte in &with.cte_tables {
                if cte.materialized.is_some() || cte.from.is_some() {
                    return Err("MATERIALIZED hints on a CTE are not supported".into());
                }
                let cols = self.alias_columns(&cte.alias)?;
                let body = self.query(&cte.query)?;
                parts.push(format!("{}{cols} AS ({body})", self.qi(&cte.alias.name.value)));
            }
            out.push_str(&parts.join(", "));
            out.push(' ');
        }
        // ORDER BY may qualify columns with the SELECT's table names: keep its scope open.
        let own_scope = matches!(&*q.body, SetExpr::Select(_));
        if own_scope {
            self.scopes.push(Vec::new());
        }
        let result = (|| -> R<String> {
            let mut s = match &*q.body {
                SetExpr::Select(sel) => {
                    self.check_select(sel)?;
                    self.select_inner(sel)?
                }
                other => self.set_expr(other)?,
            };
            if let Some(ob) = &q.order_by {
                let OrderByKind::Expressions(items) = &ob.kind else { return Err("ORDER BY ALL is not SQLite".into()) };
                if ob.interpolate.is_some() {
                    return Err("ORDER BY … INTERPOLATE is not SQLite".into());
                }
                // ORDER BY may name output columns: keep the body's scope visible.
                let keys = self.order_by(items)?;
                s.push_str(&format!(" ORDER BY {keys}"));
            }
            if let Some(lc) = &q.limit_clause {
                let (limit, offset) = match lc {
                    LimitClause::LimitOffset { limit, offset, limit_by } => {
                        if !limit_by.is_empty() {
                            return Err("LIMIT BY is not SQLite".into());
                        }
                        (limit.as_ref(), offset.as_ref().map(|o| &o.value))
                    }
                    LimitClause::OffsetCommaLimit { offset, limit } => (Some(limit), Some(offset)),
                };
                let num = |e: &Expr, this: &Self| -> R<i64> {
                    match strip_nested(e) {
                        Expr::Value(v) => match this.value_lit(v)? {
                            Lit::Int(n) if n >= 0 => Ok(n),
                            _ => Err("LIMIT/OFFSET must be a non-negative integer here".into()),
                        },
                        _ => Err("LIMIT/OFFSET must be a non-negative integer here".into()),
                    }
                };
                match (limit, offset) {
                    (Some(l), Some(o)) => s.push_str(&format!(" LIMIT {} OFFSET {}", num(l, self)?, num(o, self)?)),
                    (Some(l), None) => s.push_str(&format!(" LIMIT {}", num(l, self)?)),
                    (None, Some(_)) => return Err("OFFSET without LIMIT is not SQLite".into()),
                    (None, None) => {}
                }
            }
            Ok(s)
        })();
        if own_scope {
            self.scopes.pop();
        }
        if pushed_ctes {
            self.ctes.pop();
        }
        out.push_str(&result?);
        Ok(out)
    }

    fn alias_columns(&self, alias: &TableAlias) -> R<String> {
        if alias.columns.is_empty() {
            return Ok(String::new());
        }
        let cols: Vec<String> = alias.columns.iter().map(|c| {
            if c.data_type.is_some() { Err("typed alias columns are not SQLite".to_string()) } else { Ok(self.qi(&c.name.value)) }
        }).collect::<R<_>>()?;
        Ok(format!("({})", cols.join(", ")))
    }

    fn set_expr(&mut self, s: &SetExpr) -> R<String> {
        match s {
            SetExpr::Select(sel) => self.select(sel),
            SetExpr::Query(q) => Ok(format!("({})", self.query(q)?)),
            SetExpr::SetOperation { left, op, set_quantifier, right } => {
                let o = match op {
                    SetOperator::Union => "UNION",
                    SetOperator::Except => "EXCEPT",
                    SetOperator::Intersect => "INTERSECT",
                    SetOperator::Minus => return Err("MINUS is not SQLite".into()),
                };
                let q = match set_quantifier {
                    SetQuantifier::All => " ALL",
                    SetQuantifier::None | SetQuantifier::Distinct => "",
                    _ => return Err("UNION BY NAME is not SQLite".into()),
                };
                let l = self.set_expr(left)?;
                let r = self.set_expr(right)?;
                Ok(format!("{l} {o}{q} {r}"))
            }
            SetExpr::Values(v) => {
                if !self.pg() {
                    return Err("VALUES as a query: MySQL/MariaDB name its columns differently from SQLite".into());
                }
                let mut rows = Vec::new();
                for row in &v.rows {
                    let items = row.iter().map(|e| self.expr(e).map(|t| t.sql)).collect::<R<Vec<_>>>()?;
                    rows.push(format!("({})", items.join(", ")));
                }
                Ok(format!("VALUES {}", rows.join(", ")))
            }
            other => Err(format!("`{other}` is not a SELECT")),
        }
    }

    fn select(&mut self, s: &Select) -> R<String> {
        self.check_select(s)?;
        self.scopes.push(Vec::new());
        let r = self.select_inner(s);
        self.scopes.pop();
        r
    }

    fn check_select(&self, s: &Select) -> R<()> {
        if s.top.is_some() || s.into.is_some() || !s.lateral_views.is_empty() || s.prewhere.is_some() || !s.connect_by.is_empty()
            || !s.cluster_by.is_empty() || !s.distribute_by.is_empty() || !s.sort_by.is_empty() || s.qualify.is_some()
            || s.value_table_mode.is_some() || s.exclude.is_some() || s.select_modifiers.is_some() || !s.optimizer_hints.is_empty()
            || s.flavor != SelectFlavor::Standard
        {
            return Err("the SELECT uses clauses SQLite does not have".into());
        }
        if !s.named_window.is_empty() {
            return Err("WINDOW clauses are not supported".into());
        }
        Ok(())
    }

    fn select_inner(&mut self, s: &Select) -> R<String> {
        // FROM first: it defines the names the rest refers to.
        let from = if s.from.is_empty() {
            String::new()
        } else {
            let multi_with_joins = s.from.len() > 1 && s.from.iter().any(|t| !t.joins.is_empty());
            let mut parts = Vec::new();
            for twj in &s.from {
                parts.push(self.table_with_joins(twj)?);
            }
            // A comma binds looser than JOIN in the targets but not in SQLite.
            let sep = if multi_with_joins { " CROSS JOIN " } else { ", " };
            format!(" FROM {}", parts.join(sep))
        };
        let mut out = String::from("SELECT ");
        match &s.distinct {
            None | Some(Distinct::All) => {}
            Some(Distinct::Distinct) => out.push_str("DISTINCT "),
            Some(Distinct::On(_)) => return Err("DISTINCT ON is not SQLite".into()),
        }
        let mut items = Vec::new();
        for item in &s.projection {
            items.push(match item {
                SelectItem::UnnamedExpr(e) => self.expr(e)?.sql,
                SelectItem::ExprWithAlias { expr, alias } => format!("{} AS {}", self.expr(expr)?.sql, self.qi(&alias.value)),
                SelectItem::Wildcard(opts) => {
                    plain_wildcard(opts)?;
                    "*".into()
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), opts) => {
                    plain_wildcard(opts)?;
                    let q = match name.0.as_slice() {
                        [ObjectNamePart::Identifier(t)] => t,
                        [ObjectNamePart::Identifier(sch), ObjectNamePart::Identifier(t)] if sch.value.eq_ignore_ascii_case("main") => t,
                        _ => return Err(format!("`{name}.*` is not supported")),
                    };
                    format!("{}.*", self.resolve_qualifier(&q.value)?)
                }
                other => return Err(format!("`{other}` is not supported")),
            });
        }
        out.push_str(&items.join(", "));
        out.push_str(&from);
        if let Some(w) = &s.selection {
            out.push_str(&format!(" WHERE {}", self.pred(w)?.sql));
        }
        match &s.group_by {
            GroupByExpr::Expressions(exprs, mods) => {
                if !mods.is_empty() {
                    return Err("GROUP BY … WITH ROLLUP/CUBE is not SQLite".into());
                }
                if !exprs.is_empty() {
                    let g = exprs.iter().map(|e| self.expr(e).map(|t| t.sql)).collect::<R<Vec<_>>>()?;
                    out.push_str(&format!(" GROUP BY {}", g.join(", ")));
                }
            }
            GroupByExpr::All(_) => return Err("GROUP BY ALL is not SQLite".into()),
        }
        if let Some(h) = &s.having {
            out.push_str(&format!(" HAVING {}", self.pred(h)?.sql));
        }
        Ok(out)
    }

    fn table_with_joins(&mut self, twj: &TableWithJoins) -> R<String> {
        let mut out = self.table_factor(&twj.relation)?;
        for j in &twj.joins {
            out.push(' ');
            out.push_str(&self.join(j)?);
        }
        Ok(out)
    }

    fn join(&mut self, j: &Join) -> R<String> {
        if j.global {
            return Err("GLOBAL JOIN is not SQLite".into());
        }
        let (kw, c) = match &j.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => ("JOIN", c),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => ("LEFT JOIN", c),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => ("RIGHT JOIN", c),
            JoinOperator::FullOuter(c) => {
                if !self.pg() {
                    return Err("FULL OUTER JOIN: MySQL/MariaDB have none".into());
                }
                ("FULL JOIN", c)
            }
            JoinOperator::CrossJoin(c) => ("CROSS JOIN", c),
            other => return Err(format!("join `{other:?}` is not SQLite")),
        };
        let rel = self.table_factor(&j.relation)?;
        Ok(match c {
            JoinConstraint::None if kw == "JOIN" => format!("CROSS JOIN {rel}"),
            JoinConstraint::None => {
                if kw != "CROSS JOIN" {
                    return Err(format!("{kw} without ON or USING"));
                }
                format!("{kw} {rel}")
            }
            JoinConstraint::Natural => format!("NATURAL {kw} {rel}"),
            JoinConstraint::On(e) => format!("{kw} {rel} ON {}", self.pred(e)?.sql),
            JoinConstraint::Using(cols) => {
                let cs = cols.iter().map(|c| match one_part(c) {
                    Some(id) => Ok(self.qi(&id.value)),
                    None => Err(format!("USING ({c})")),
                }).collect::<R<Vec<_>>>()?;
                format!("{kw} {rel} USING ({})", cs.join(", "))
            }
            JoinConstraint::UsingAlias(..) => return Err("USING … AS is not SQLite".into()),
        })
    }

    fn table_factor(&mut self, t: &TableFactor) -> R<String> {
        match t {
            TableFactor::Table { name, alias, args, version, with_ordinality, partitions, json_path, sample, inheritance, .. } => {
                if args.is_some() {
                    return Err(format!("table-valued function `{name}` (…) has no equivalent"));
                }
                if version.is_some() || *with_ordinality || !partitions.is_empty() || json_path.is_some() || sample.is_some() || inheritance.is_some() {
                    return Err(format!("`{t}` uses clauses SQLite does not have"));
                }
                let id = match name.0.as_slice() {
                    [ObjectNamePart::Identifier(t)] => t,
                    [ObjectNamePart::Identifier(s), ObjectNamePart::Identifier(t)] if s.value.eq_ignore_ascii_case("main") => t,
                    _ => return Err(format!("`{name}` is not a table of the main database")),
                };
                let lower = id.value.to_ascii_lowercase();
                let is_cte = self.ctes.iter().any(|c| c.contains(&lower));
                let target = if is_cte {
                    self.qi(&id.value)
                } else {
                    let tables = self.tables.expect("view mode");
                    let found = tables.get(&id.value).or_else(|| tables.iter().find(|(k, _)| k.eq_ignore_ascii_case(&id.value)).map(|(_, v)| v));
                    match found {
                        Some(t) => self.qi(t),
                        None => return Err(format!("the view reads `{}`, which is not among the migrated tables", id.value)),
                    }
                };
                match alias {
                    Some(a) => {
                        let cols = self.alias_columns(a)?;
                        let q = self.qi(&a.name.value);
                        self.scopes.last_mut().expect("scope").push((a.name.value.to_ascii_lowercase(), q.clone()));
                        Ok(format!("{target} AS {q}{cols}"))
                    }
                    None => {
                        self.scopes.last_mut().expect("scope").push((lower, target.clone()));
                        Ok(target)
                    }
                }
            }
            TableFactor::Derived { lateral, subquery, alias, .. } => {
                if *lateral {
                    return Err("LATERAL is not SQLite".into());
                }
                let q = self.query(subquery)?;
                // PostgreSQL 15 and MySQL need a name for a subquery in FROM; SQLite does not.
                let (name, cols) = match alias {
                    Some(a) => (a.name.value.clone(), self.alias_columns(a)?),
                    None => {
                        self.derived += 1;
                        (format!("ferry_subquery_{}", self.derived), String::new())
                    }
                };
                let qn = self.qi(&name);
                self.scopes.last_mut().expect("scope").push((name.to_ascii_lowercase(), qn.clone()));
                Ok(format!("({q}) AS {qn}{cols}"))
            }
            TableFactor::NestedJoin { table_with_joins, alias } => {
                if alias.is_some() {
                    return Err("an alias on a parenthesised join is not supported".into());
                }
                Ok(format!("({})", self.table_with_joins(table_with_joins)?))
            }
            other => Err(format!("`{other}` is not supported in a view")),
        }
    }

    fn order_by(&mut self, items: &[OrderByExpr]) -> R<String> {
        let mut keys = Vec::new();
        for it in items {
            if it.with_fill.is_some() {
                return Err("WITH FILL is not SQLite".into());
            }
            let desc = match it.options.sort {
                None | Some(OrderBySort::Asc) => false,
                Some(OrderBySort::Desc) => true,
                Some(_) => return Err("ORDER BY USING is not SQLite".into()),
            };
            let t = self.expr(&it.expr)?;
            let dir = if desc { " DESC" } else { "" };
            // SQLite sorts NULLs first ascending and last descending, as MySQL does;
            // PostgreSQL does the opposite unless told.
            let nulls_first = it.options.nulls_first.unwrap_or(!desc);
            if self.pg() {
                let n = if nulls_first { "NULLS FIRST" } else { "NULLS LAST" };
                keys.push(format!("{}{dir} {n}", t.sql));
            } else if nulls_first == !desc {
                keys.push(format!("{}{dir}", t.sql));
            } else {
                if matches!(t.lit, Some(Lit::Int(_))) {
                    return Err("ORDER BY a column number with NULLS FIRST/LAST on MySQL/MariaDB".into());
                }
                let nd = if nulls_first { " DESC" } else { "" };
                keys.push(format!("{} IS NULL{nd}, {}{dir}", t.operand(), t.sql));
            }
        }
        Ok(keys.join(", "))
    }
}

fn plain_wildcard(o: &WildcardAdditionalOptions) -> R<()> {
    if o.opt_ilike.is_some() || o.opt_exclude.is_some() || o.opt_except.is_some() || o.opt_replace.is_some() || o.opt_rename.is_some() || o.opt_alias.is_some() {
        return Err("`* EXCEPT/REPLACE/…` is not SQLite".into());
    }
    Ok(())
}

/// The argument of `typeof(x)`.
fn typeof_arg(e: &Expr) -> Option<&Expr> {
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

#[cfg(test)]
mod probe {
    use super::*;
    #[test]
    fn probe_print() {
        let mut cols = HashMap::new();
        cols.insert("qty".to_string(), ("qty".to_string(), LogicalType::Integer { bits: 64 }));
        cols.insert("price".to_string(), ("price".to_string(), LogicalType::Decimal { precision: Some(10), scale: Some(2) }));
        cols.insert("ratio".to_string(), ("ratio".to_string(), LogicalType::Float));
        cols.insert("active".to_string(), ("is_active".to_string(), LogicalType::Boolean));
        cols.insert("name".to_string(), ("Name".to_string(), LogicalType::Text { max: None }));
        cols.insert("data".to_string(), ("data".to_string(), LogicalType::Json));
        cols.insert("created".to_string(), ("created".to_string(), LogicalType::Timestamp { tz: true }));
        cols.insert("seen".to_string(), ("seen".to_string(), LogicalType::Timestamp { tz: false }));
        cols.insert("day".to_string(), ("day".to_string(), LogicalType::Date));
        cols.insert("blob".to_string(), ("blob".to_string(), LogicalType::Bytes));
        let exprs = ["qty > 0", "active IN (0,1)", "active = 1", "active", "NOT active", "qty", "name LIKE 'ab%'", "name LIKE 'a\\b%'",
            "name || '-' || qty", "qty / 2", "ratio / 2", "price / 2", "qty % 3", "length(name) > 3", "lower(name)", "coalesce(name, 'x')",
            "ifnull(qty, 0) + 1", "substr(name, 1, 3)", "trim(name)", "trim(name, 'xy')", "replace(name, 'a', 'b')",
            "created > '2020-01-01 10:00:00'", "created > '2020-01-01'", "seen <= '2020-01-01T10:00:00+02:00'", "created < datetime('now', '-7 days')",
            "day >= '2020-01-01'", "name = 5", "qty = '5'", "qty BETWEEN 1 AND 10", "name BETWEEN 'a' AND 'm'", "name < 'm'",
            "CASE WHEN qty > 0 THEN 'pos' ELSE 'neg' END", "CASE active WHEN 1 THEN 'y' ELSE 'n' END", "CAST(ratio AS INTEGER)", "CAST(qty AS TEXT)",
            "typeof(qty) = 'integer'", "typeof(name) IN ('text', 'null')", "json_valid(data)", "name GLOB 'a*_?'", "\"name\" IS NOT NULL", "status = \"active\"",
            "qty IS 5", "qty IS NOT NULL AND qty > 0", "max(qty, 5)", "iif(active, 1, 0)", "name IN ('a', 'b')", "qty * 1.5 > 2", "random()", "json_extract(data, '$.a')",
            "x > 0", "rowid > 5", "abs(qty) < 100", "date(created)", "upper(name) = name", "(qty > 0) + (ratio > 0) = 1", "instr(name, 'x') > 0", "0x1F = qty", "name COLLATE NOCASE = 'a'",
        ];
        for d in [Dialect::Postgres, Dialect::MariaDb] {
            let ctx = ExprContext { dialect: d, columns: &cols };
            for e in exprs {
                println!("{:?} {e:50} => {:?}", d, translate_expr(e, &ctx));
            }
        }
        let defaults = [("'it''s'", LogicalType::Text { max: None }), ("'\"0\"'", LogicalType::Text { max: None }), ("\"\"", LogicalType::Text { max: None }),
            ("0", LogicalType::Integer { bits: 32 }), ("-1.5", LogicalType::Float), ("NULL", LogicalType::Integer { bits: 32 }),
            ("CURRENT_TIMESTAMP", LogicalType::Timestamp { tz: true }), ("CURRENT_TIMESTAMP", LogicalType::Timestamp { tz: false }), ("CURRENT_TIMESTAMP", LogicalType::Text { max: None }),
            ("current_date", LogicalType::Date), ("current_date", LogicalType::Text { max: None }), ("(datetime('now'))", LogicalType::Timestamp { tz: false }),
            ("DATETIME('now','localtime')", LogicalType::Timestamp { tz: false }), ("DATETIME('now','localtime')", LogicalType::Text { max: None }),
            ("(strftime('%Y-%m-%dT%H:%M:%fZ','now'))", LogicalType::Text { max: None }), ("(strftime('%Y-%m-%dT%H:%M:%fZ','now'))", LogicalType::Timestamp { tz: true }),
            ("X'00ff'", LogicalType::Bytes), ("TRUE", LogicalType::Boolean), ("'t'", LogicalType::Boolean), ("'{}'", LogicalType::Json),
            ("'2020-01-01 10:00:00'", LogicalType::Timestamp { tz: true }), ("'2020-01-01T10:00:00+02:00'", LogicalType::Timestamp { tz: false }),
            ("random()", LogicalType::Integer { bits: 64 }), ("(lower(hex(randomblob(16))))", LogicalType::Text { max: None }), ("0x10", LogicalType::Integer { bits: 64 }),
            ("1.5", LogicalType::Text { max: None }), ("(datetime('now', 'start of month', '+1 month', '-1 day'))", LogicalType::Text { max: None }), ("date('now')", LogicalType::Date),
        ];
        for d in [Dialect::Postgres, Dialect::MySql, Dialect::MariaDb] {
            for (t, ty) in &defaults {
                println!("{:?} DEFAULT {t:45} {:10} => {:?}", d, ty.label(), translate_default(t, ty, d));
            }
        }
        let mut tables = HashMap::new();
        tables.insert("orders".to_string(), "Orders".to_string());
        tables.insert("customers".to_string(), "customers".to_string());
        let views = ["SELECT o.id, c.name AS customer, total / 100.0 AS amount FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'paid' ORDER BY o.id DESC LIMIT 10",
            "CREATE VIEW v AS SELECT orders.id, count(*) FROM orders, customers LEFT JOIN orders x ON x.id = customers.id GROUP BY orders.id HAVING count(*) > 1",
            "WITH t AS (SELECT * FROM orders) SELECT * FROM t WHERE id IN (SELECT id FROM customers) AND name LIKE 'a%'",
            "SELECT * FROM (SELECT id FROM orders) WHERE id > 0 ORDER BY id NULLS LAST", "SELECT group_concat(name) FROM customers", "SELECT * FROM missing"];
        for d in [Dialect::Postgres, Dialect::MariaDb] {
            for v in views {
                println!("{:?} VIEW {v}\n   => {:?}", d, translate_select(v, d, &tables));
            }
        }
    }
}
