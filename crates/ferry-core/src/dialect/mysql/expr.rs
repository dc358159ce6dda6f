//! MySQL's and MariaDB's spellings of translated SQLite expressions (see `dialect::expr`);
//! the two differ in their binary collation's name and in how a text DEFAULT is written.

use crate::dialect::expr::{Spelling, TimeShape};

type R<T> = Result<T, String>;

pub struct MySql {
    /// MariaDB rather than MySQL 8.
    pub mariadb: bool,
}

pub static MYSQL: MySql = MySql { mariadb: false };
pub static MARIADB: MySql = MySql { mariadb: true };

impl Spelling for MySql {
    fn name(&self) -> &'static str {
        if self.mariadb { "MariaDB" } else { "MySQL" }
    }
    fn quote_ident(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }
    fn binary_collation(&self) -> &'static str {
        if self.mariadb { "utf8mb4_nopad_bin" } else { "utf8mb4_0900_bin" }
    }

    fn has_boolean_type(&self) -> bool {
        false
    }
    fn bool_literal(&self, b: bool) -> String {
        (b as i64).to_string()
    }
    fn bool_as_int(&self, _sql: &str) -> Option<String> {
        None
    }
    fn double_literal(&self, text: &str) -> Option<String> {
        if text.contains(['e', 'E']) { None } else { Some(format!("{text}E0")) }
    }
    fn int_divide(&self) -> &'static str {
        "DIV"
    }
    fn signed_bitwise(&self) -> bool {
        // MySQL/MariaDB's bitwise operators work on unsigned 64-bit integers.
        false
    }
    fn function_name(&self, lower: &str) -> String {
        lower.to_uppercase()
    }

    fn blob_literal(&self, hex: &str) -> (String, bool) {
        (format!("X'{hex}'"), true)
    }
    fn timestamp_literal(&self, utc: &str, _tz: bool) -> String {
        // DATETIME is never shifted by a session.
        format!("'{utc}'")
    }
    fn text_default(&self, literal: String) -> String {
        // MySQL 8 accepts literals on TEXT/BLOB/JSON columns only as expressions `(…)`;
        // MariaDB takes the literal.
        if self.mariadb { literal } else { format!("({literal})") }
    }
    fn blob_default(&self, hex: &str) -> String {
        self.text_default(format!("X'{hex}'"))
    }
    /// `RANDOM_BYTES` (MySQL 5.6.17+, MariaDB 10.10+; an older MariaDB refuses the DEFAULT,
    /// and the run leaves it off and names it). At most 1,024 bytes.
    fn random_bytes(&self, n: u32) -> String {
        format!("RANDOM_BYTES({})", n.clamp(1, 1024))
    }
    fn hex_upper(&self, sql: &str, _text: bool) -> String {
        format!("HEX({sql})")
    }
    fn epoch_seconds_now(&self) -> String {
        "UNIX_TIMESTAMP()".into()
    }

    fn now_wall(&self, local: bool, millis: bool) -> String {
        match (local, millis) {
            (true, true) => "NOW(3)".into(),
            // MariaDB reads a DEFAULT of NOW() / NOW(0) as CURRENT_TIMESTAMP at the column's
            // precision (microseconds on DATETIME(6)): the CAST keeps whole seconds.
            (true, false) => "CAST(NOW() AS DATETIME)".into(),
            (false, true) => "UTC_TIMESTAMP(3)".into(),
            (false, false) => "UTC_TIMESTAMP()".into(),
        }
    }
    fn to_local(&self, _wall: &str) -> R<String> {
        Err("'localtime' after other modifiers is not supported for MySQL/MariaDB".into())
    }
    fn add_interval(&self, wall: &str, n: i64, unit: &str) -> String {
        format!("({wall} + INTERVAL {n} {})", unit.to_uppercase())
    }
    fn start_of(&self, wall: &str, unit: &str) -> String {
        match unit {
            "day" => format!("CAST(CAST({wall} AS DATE) AS DATETIME)"),
            "month" => format!("CAST(DATE_FORMAT({wall}, '%Y-%m-01') AS DATETIME)"),
            "year" => format!("CAST(DATE_FORMAT({wall}, '%Y-01-01') AS DATETIME)"),
            _ => unreachable!(),
        }
    }
    fn format_time(&self, w: &str, format: &str) -> String {
        enum Piece {
            Fmt(String),
            Millis,
        }
        let mut pieces = vec![Piece::Fmt(String::new())];
        let push = |pieces: &mut Vec<Piece>, s: &str| match pieces.last_mut() {
            Some(Piece::Fmt(f)) => f.push_str(s),
            _ => pieces.push(Piece::Fmt(s.to_string())),
        };
        let mut chars = format.chars();
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
                Piece::Fmt(f) if !f.replace("%%", "").contains('%') => self.quote_literal(&f.replace("%%", "%")),
                Piece::Fmt(f) => format!("DATE_FORMAT({w}, {})", self.quote_literal(f)),
                Piece::Millis => format!("LEFT(DATE_FORMAT({w}, '%f'), 3)"),
            })
            .collect();
        match parts.len() {
            0 => "''".into(),
            1 => parts.into_iter().next().unwrap(),
            _ => format!("CONCAT({})", parts.join(", ")),
        }
    }
    fn now_timestamp(&self, wall: &dyn Fn(bool) -> R<String>, shape: TimeShape, _tz: bool, _unmodified: bool) -> R<String> {
        let w = wall(shape == TimeShape::Milli)?;
        Ok(match shape {
            TimeShape::Second | TimeShape::Milli => w,
            TimeShape::Minute => format!("CAST(DATE_FORMAT({w}, '%Y-%m-%d %H:%i:00') AS DATETIME)"),
            TimeShape::Day => format!("CAST(CAST({w} AS DATE) AS DATETIME)"),
        })
    }
    fn now_date(&self, wall: &dyn Fn(bool) -> R<String>, unmodified: bool, only_local: bool) -> R<String> {
        Ok(match (unmodified, only_local) {
            (true, _) => "UTC_DATE()".into(),
            (_, true) => "CURDATE()".into(),
            _ => format!("CAST({} AS DATE)", wall(false)?),
        })
    }
    fn date_of(&self, sql: &str, _operand: &str, _tz: bool) -> String {
        format!("CAST({sql} AS DATE)")
    }
    fn date_wall(&self, sql: &str) -> String {
        format!("CAST({sql} AS DATETIME)")
    }
    fn timestamp_wall(&self, operand: &str, _tz: bool) -> String {
        operand.to_string()
    }
    fn epoch_wall(&self, sql: &str) -> String {
        // FROM_UNIXTIME would give the session's zone.
        format!("(CAST('1970-01-01 00:00:00' AS DATETIME) + INTERVAL {sql} SECOND)")
    }
    fn add_months_overflow(&self, wall: &str, n: i64) -> String {
        // From the first of the month (no clamping there), then the time it was past it.
        let first = self.start_of(wall, "month");
        format!("({first} + INTERVAL {n} MONTH + INTERVAL TIMESTAMPDIFF(MICROSECOND, {first}, {wall}) MICROSECOND)")
    }
    fn next_weekday(&self, wall: &str, n: i64) -> String {
        format!("({wall} + INTERVAL (({n} + 8 - DAYOFWEEK({wall})) % 7) DAY)")
    }
    fn wall_millis(&self, wall: &str) -> String {
        // Whole minutes exactly (TIMESTAMPDIFF truncates toward zero, so from a minute's
        // start); the seconds' arithmetic is SQLite's, in doubles.
        format!(
            "(TIMESTAMPDIFF(MINUTE, CAST('1970-01-01 00:00:00' AS DATETIME), CAST(DATE_FORMAT({wall}, '%Y-%m-%d %H:%i:00') AS DATETIME)) * 60000 + CAST(FLOOR((CAST(SECOND({wall}) AS DOUBLE) + LEAST(CAST(MICROSECOND({wall}) AS DOUBLE) / 1000000e0, 0.999e0)) * 1000e0 + 0.5e0) AS SIGNED))"
        )
    }
    fn millis_wall(&self, ms: &str) -> String {
        format!("(CAST('1970-01-01 00:00:00' AS DATETIME(6)) + INTERVAL ({ms}) * 1000 MICROSECOND)")
    }
    fn julian_day(&self, ms: &str) -> String {
        format!("(({ms} + 210866760000000) / 86400000e0)")
    }
    fn millis_seconds(&self, ms: &str) -> String {
        format!("CAST(FLOOR(({ms}) / 1000) AS SIGNED)")
    }

    fn null_safe_equal(&self, a: &str, b: &str, negated: bool) -> String {
        if negated { format!("NOT ({a} <=> {b})") } else { format!("{a} <=> {b}") }
    }
    fn utc_zoned(&self, _operand: &str) -> Option<String> {
        None
    }
    fn locale_ordering(&self) -> bool {
        false
    }

    fn concat(&self, sqls: &[String], _operands: &[String]) -> (String, bool) {
        (format!("CONCAT({})", sqls.join(", ")), true)
    }
    fn int_as_text(&self, _sql: &str) -> Option<String> {
        None
    }
    fn bool_as_text(&self, _sql: &str) -> Option<String> {
        None
    }
    /// `char(36)`: the text itself.
    fn uuid_as_text(&self, _sql: &str) -> Option<String> {
        None
    }
    fn like_on_integers(&self) -> bool {
        false
    }
    fn like(&self, sql: &str, _operand: &str, pattern: &str, escape: Option<&str>, negated: bool) -> R<String> {
        let not = if negated { "NOT " } else { "" };
        // ASCII-only case folding and exact comparison of everything else: lower-case the value
        // and the pattern and match under a binary collation (the default collations also
        // ignore accents). MySQL/MariaDB escape with a backslash even under
        // NO_BACKSLASH_ESCAPES, and refuse ESCAPE '': pick a character the pattern lacks.
        let lp = pattern.to_ascii_lowercase();
        let esc_sql = match escape {
            Some(e) => format!(" ESCAPE {}", self.quote_literal(&e.to_ascii_lowercase())),
            None if pattern.contains('\\') => {
                let c = ['!', '#', '~', '^', '|', '&', '@', '$', '`', ';']
                    .into_iter()
                    .find(|c| !pattern.contains(*c))
                    .ok_or("LIKE pattern uses every candidate escape character")?;
                format!(" ESCAPE '{c}'")
            }
            None => String::new(),
        };
        Ok(format!("LOWER({sql}) COLLATE {} {not}LIKE {}{esc_sql}", self.binary_collation(), self.quote_literal(&lp)))
    }
    fn glob(&self, operand: &str, like_pattern: &str) -> String {
        format!("{operand} COLLATE {} LIKE {} ESCAPE '!'", self.binary_collation(), self.quote_literal(like_pattern))
    }
    fn substring_function(&self) -> &'static str {
        "SUBSTRING"
    }
    fn trims_character_sets(&self) -> bool {
        // MySQL's TRIM removes a string, SQLite's a set of characters: the same only for one.
        false
    }
    fn trim(&self, which: &str, sql: &str, _chars: Option<&str>) -> String {
        format!("{}({sql})", which.to_uppercase())
    }
    fn trim_one(&self, which: &str, sql: &str, c: &str) -> String {
        let side = match which {
            "ltrim" => "LEADING",
            "rtrim" => "TRAILING",
            _ => "BOTH",
        };
        format!("TRIM({side} {} FROM {sql})", self.quote_literal(c))
    }
    fn length(&self, sql: &str, bytes: bool) -> String {
        if bytes { format!("LENGTH({sql})") } else { format!("CHAR_LENGTH({sql})") }
    }
    fn instr(&self, _a: &str, a_operand: &str, b: &str) -> String {
        format!("INSTR({a_operand} COLLATE {}, {b})", self.binary_collation())
    }
    fn greatest_least(&self, function: &str, sqls: &[String], _nullable: &[bool]) -> String {
        format!("{function}({})", sqls.join(", "))
    }

    fn cast_integer(&self, sql: &str, _from_bool: bool, truncate: bool) -> String {
        if truncate {
            // SQLite truncates toward zero; the targets round.
            format!("CAST(TRUNCATE({sql}, 0) AS SIGNED)")
        } else {
            format!("CAST({sql} AS SIGNED)")
        }
    }
    fn cast_text(&self, sql: &str) -> String {
        format!("CAST({sql} AS CHAR)")
    }
    fn cast_double(&self, sql: &str) -> String {
        format!("CAST({sql} AS DOUBLE)")
    }

    fn avg_double(&self, distinct: &str, sql: &str) -> String {
        format!("AVG({distinct}CAST({sql} AS DOUBLE))")
    }
    fn string_agg(&self, _distinct: &str, _sql: &str, _separator: &str) -> R<String> {
        Err(self.string_agg_refused().unwrap_or_default().into())
    }
    fn string_agg_refused(&self) -> Option<&'static str> {
        // A view runs in its reader's session: Ferry cannot set the variable for it, and
        // raising the server's global value is the administrator's choice.
        Some("group_concat() on MySQL/MariaDB silently truncates at group_concat_max_len (1024 bytes by default on MySQL, 1 MiB on MariaDB), a setting of the session that reads the view; SQLite never truncates")
    }
    fn json_valid(&self, sql: &str, _operand: &str, json: bool, text: bool, label: &str) -> R<(String, bool)> {
        if json || text {
            Ok((format!("JSON_VALID({sql})"), false))
        } else {
            Err(format!("json_valid() of a {label} value"))
        }
    }

    fn values_query(&self) -> bool {
        false
    }
    fn full_join(&self) -> bool {
        false
    }
    fn order_key(&self, sql: &str, operand: &str, desc: bool, nulls_first: bool, column_number: bool) -> R<String> {
        // SQLite sorts NULLs first ascending and last descending, as MySQL does.
        let dir = if desc { " DESC" } else { "" };
        if nulls_first != desc {
            return Ok(format!("{sql}{dir}"));
        }
        if column_number {
            return Err("ORDER BY a column number with NULLS FIRST/LAST on MySQL/MariaDB".into());
        }
        let nd = if nulls_first { " DESC" } else { "" };
        Ok(format!("{operand} IS NULL{nd}, {sql}{dir}"))
    }
}
