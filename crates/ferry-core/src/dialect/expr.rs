//! How each target spells the SQL of a translated SQLite expression.
//!
//! `sqlexpr` owns what an expression means in SQLite (affinity, NULL rules, integer division,
//! the current time as text) and decides what the target must compute; a `Spelling` says how
//! the target writes it: quoting, literals, casts, concatenation, LIKE and GLOB, the clock
//! functions, and the few capabilities that change what can be carried (a real boolean type,
//! signed bitwise operators, FULL JOIN, …). One implementation per dialect folder:
//! `postgres::expr::POSTGRES`, `mysql::expr::{MYSQL, MARIADB}`, chosen by
//! `Dialect::spelling` (`dialect/choose.rs`).


type R<T> = Result<T, String>;

/// How fine a time format is, when it is a timestamp or a date SQLite's text could stand for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TimeShape {
    Day,
    Minute,
    Second,
    Milli,
}

/// A dialect's spellings of the expressions `sqlexpr` translates. Arguments named `sql` are
/// translated SQL; `operand` is the same SQL parenthesised when it is not an atom.
pub trait Spelling: Sync {
    /// The dialect's name in messages.
    fn name(&self) -> &'static str;
    /// An identifier, quoted.
    fn quote_ident(&self, name: &str) -> String;
    /// A string literal. PostgreSQL runs with standard_conforming_strings on and MySQL/MariaDB
    /// sessions with NO_BACKSLASH_ESCAPES, so both need only `''` doubling.
    fn quote_literal(&self, s: &str) -> String {
        format!("'{}'", s.replace('\'', "''"))
    }
    /// The collation that compares like SQLite's BINARY (memcmp of UTF-8, no pad).
    fn binary_collation(&self) -> &'static str;

    // --- booleans and numbers ---------------------------------------------------------------

    /// True when booleans are a type of their own (PostgreSQL): SQLite's numbers used as truth
    /// values must be tested (`x <> 0`), and booleans used as numbers cast.
    fn has_boolean_type(&self) -> bool;
    fn bool_literal(&self, b: bool) -> String;
    /// A boolean as the integer 0/1; `None` when it already is one.
    fn bool_as_int(&self, sql: &str) -> Option<String>;
    /// A REAL literal kept a double in arithmetic (the targets read `1.5` as an exact decimal);
    /// `None`: the literal as it is.
    fn double_literal(&self, text: &str) -> Option<String>;
    /// The integer division operator.
    fn int_divide(&self) -> &'static str;
    /// True when `&`, `|` and `~` work on signed 64-bit integers, as SQLite's do.
    fn signed_bitwise(&self) -> bool;
    /// `ceil`, `abs`, `lower`, …: the name a function shared with SQLite is written with.
    fn function_name(&self, lower: &str) -> String;

    // --- literals and defaults --------------------------------------------------------------

    /// A blob literal from its hex digits, and whether it is an atom.
    fn blob_literal(&self, hex: &str) -> (String, bool);
    /// A UTC timestamp literal (normalised text) for a column with (`tz`) or without zone.
    fn timestamp_literal(&self, utc: &str, tz: bool) -> String;
    /// A literal DEFAULT of a text, JSON or blob column.
    fn text_default(&self, literal: String) -> String;
    /// A blob DEFAULT from its hex digits.
    fn blob_default(&self, hex: &str) -> String;
    /// `randomblob(n)` in a DEFAULT: `n` bytes the server draws at random, with no extension.
    fn random_bytes(&self, n: u32) -> String;
    /// `hex(x)` of bytes (`text`: of a text's UTF-8), upper-case as SQLite's.
    fn hex_upper(&self, sql: &str, text: bool) -> String;
    /// `strftime('%s', 'now')`: the whole seconds since 1970 as an integer.
    fn epoch_seconds_now(&self) -> String;

    // --- the current time -------------------------------------------------------------------

    /// The current wall-clock time in UTC, or in the session's zone (`local`); `millis` keeps
    /// milliseconds.
    fn now_wall(&self, local: bool, millis: bool) -> String;
    /// `localtime` after other modifiers.
    fn to_local(&self, wall: &str) -> R<String>;
    /// `wall` plus `n` units (`second` … `year`).
    fn add_interval(&self, wall: &str, n: i64, unit: &str) -> String;
    /// `start of day|month|year`.
    fn start_of(&self, wall: &str, unit: &str) -> String;
    /// The text SQLite's strftime(`format`) makes of the wall-clock time `wall`.
    fn format_time(&self, wall: &str, format: &str) -> String;
    /// The current time as a timestamp of `shape`; `wall(millis)` gives the wall-clock time,
    /// `unmodified` says SQLite applied no modifier.
    fn now_timestamp(&self, wall: &dyn Fn(bool) -> R<String>, shape: TimeShape, tz: bool, unmodified: bool) -> R<String>;
    /// Today as a date; `only_local`: the one modifier is `localtime`.
    fn now_date(&self, wall: &dyn Fn(bool) -> R<String>, unmodified: bool, only_local: bool) -> R<String>;
    /// `date()` of a timestamp column.
    fn date_of(&self, sql: &str, operand: &str, tz: bool) -> String;

    // --- date and time functions of a column (views) -----------------------------------------

    /// A date column's value as a wall-clock timestamp (midnight).
    fn date_wall(&self, sql: &str) -> String;
    /// A timestamp column's value as a UTC wall-clock timestamp (`tz`: one with zone).
    fn timestamp_wall(&self, operand: &str, tz: bool) -> String;
    /// An integer of seconds since 1970-01-01 UTC as a wall-clock timestamp (`'unixepoch'`).
    fn epoch_wall(&self, sql: &str) -> String;
    /// `wall` plus `n` months as SQLite adds them: the day of the month is kept and overflows
    /// into the next month (2024-01-31 + 1 month is 2024-03-02), where the targets clamp.
    fn add_months_overflow(&self, wall: &str, n: i64) -> String;
    /// SQLite's `weekday N`: forward to the next day whose weekday is `n` (0 Sunday), or stay.
    fn next_weekday(&self, wall: &str, n: i64) -> String;
    /// The whole milliseconds since 1970-01-01 SQLite counts for a wall-clock time
    /// (`computeJD`): the fraction of the second read as a double (microseconds over 10⁶,
    /// the same double SQLite reads from up to six digits), capped at 0.999, then
    /// `(seconds + fraction) * 1000 + 0.5` truncated, in double arithmetic.
    fn wall_millis(&self, wall: &str) -> String;
    /// A count of milliseconds since 1970-01-01 as a wall-clock time, exactly.
    fn millis_wall(&self, ms: &str) -> String;
    /// SQLite's `julianday()` of a count of milliseconds since 1970: `iJD / 86400000.0`,
    /// one division of two doubles.
    fn julian_day(&self, ms: &str) -> String;
    /// SQLite's `unixepoch()` of a count of milliseconds since 1970: the whole seconds,
    /// rounded down.
    fn millis_seconds(&self, ms: &str) -> String;

    // --- comparisons ------------------------------------------------------------------------

    /// SQLite's `a IS b` (`negated`: `IS NOT`), NULL-safe.
    fn null_safe_equal(&self, a: &str, b: &str, negated: bool) -> String;
    /// A timestamp without zone read as UTC to compare it with one with zone; `None` when the
    /// dialect has one kind of timestamp.
    fn utc_zoned(&self, operand: &str) -> Option<String>;
    /// True when text ordering follows the database locale and must be pinned to
    /// `binary_collation` (PostgreSQL); MySQL/MariaDB columns already carry a binary one.
    fn locale_ordering(&self) -> bool;

    // --- strings ----------------------------------------------------------------------------

    /// `a || b || …` as SQLite concatenates text; (SQL, atom).
    fn concat(&self, sqls: &[String], operands: &[String]) -> (String, bool);
    /// An integer as its text; `None` when the target converts it itself.
    fn int_as_text(&self, sql: &str) -> Option<String>;
    /// A boolean as its text ("0"/"1"); `None` when the target converts it itself.
    fn bool_as_text(&self, sql: &str) -> Option<String>;
    /// A UUID column's value as its text (lowercase, 8-4-4-4-12: what SQLite holds, as the
    /// load takes no other form into a UUID column); `None` where the column is text already.
    fn uuid_as_text(&self, sql: &str) -> Option<String>;
    /// True when LIKE can match an integer column's text.
    fn like_on_integers(&self) -> bool;
    /// `x LIKE pattern [ESCAPE e]` with SQLite's ASCII-only case folding.
    fn like(&self, sql: &str, operand: &str, pattern: &str, escape: Option<&str>, negated: bool) -> R<String>;
    /// A case-sensitive LIKE with `!` as the escape character (SQLite's GLOB rewritten).
    fn glob(&self, operand: &str, like_pattern: &str) -> String;
    /// `substr(x, start[, n])`'s function name.
    fn substring_function(&self) -> &'static str;
    /// True when trim(x, chars) removes a set of characters, as SQLite's does; otherwise only
    /// one literal character can be carried (`trim_one`).
    fn trims_character_sets(&self) -> bool;
    /// `trim|ltrim|rtrim(x)`, or with a set of characters `chars`.
    fn trim(&self, which: &str, sql: &str, chars: Option<&str>) -> String;
    /// `trim|ltrim|rtrim(x, 'c')` with one character.
    fn trim_one(&self, which: &str, sql: &str, c: &str) -> String;
    /// SQLite's length() of text (characters) or of a blob (bytes).
    fn length(&self, sql: &str, bytes: bool) -> String;
    /// instr(a, b): 1-based position, binary comparison.
    fn instr(&self, a: &str, a_operand: &str, b: &str) -> String;
    /// `replace(a, b, c)`, matching bytes as SQLite's does.
    fn replace(&self, a: &str, _a_operand: &str, b: &str, c: &str) -> String {
        format!("{}({a}, {b}, {c})", self.function_name("replace"))
    }
    /// Scalar max()/min() (`GREATEST`/`LEAST`), NULL when an argument in `nullable` is.
    fn greatest_least(&self, function: &str, sqls: &[String], nullable: &[bool]) -> String;

    // --- casts ------------------------------------------------------------------------------

    /// CAST(x AS INTEGER): from a boolean, truncating a real (`truncate`), or from another value.
    fn cast_integer(&self, sql: &str, from_bool: bool, truncate: bool) -> String;
    fn cast_text(&self, sql: &str) -> String;
    fn cast_double(&self, sql: &str) -> String;

    // --- aggregates and JSON ----------------------------------------------------------------

    fn avg_double(&self, distinct: &str, sql: &str) -> String;
    /// group_concat() faithfully, or why not.
    fn string_agg(&self, distinct: &str, sql: &str, separator: &str) -> R<String>;
    /// Why group_concat() is refused before its arguments are read, if it is.
    fn string_agg_refused(&self) -> Option<&'static str>;
    /// json_valid(x) of a JSON column (`json`), of text or an untyped value (`text`), of
    /// another (`label`); (SQL, is a boolean).
    fn json_valid(&self, sql: &str, operand: &str, json: bool, text: bool, label: &str) -> R<(String, bool)>;

    // --- queries ----------------------------------------------------------------------------

    /// True when VALUES can stand as a query with SQLite's column names.
    fn values_query(&self) -> bool;
    fn full_join(&self) -> bool;
    /// One ORDER BY key with SQLite's NULL order; `column_number`: the key is `ORDER BY 2`.
    fn order_key(&self, sql: &str, operand: &str, desc: bool, nulls_first: bool, column_number: bool) -> R<String>;
}

