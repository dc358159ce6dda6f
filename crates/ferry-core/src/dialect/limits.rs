//! What each dialect's columns can hold and how its types behave, asked by the mapping, the
//! conversion and pre-flight so that none of them names a dialect.

use super::Dialect;

impl Dialect {
    /// Whether float and decimal columns hold ±infinity (PostgreSQL's `float8` and, since
    /// 14, `numeric`; MySQL's do not).
    pub fn holds_infinity(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether text may hold a NUL character (PostgreSQL's text and jsonb refuse it).
    pub fn holds_nul_in_text(self) -> bool {
        self != Dialect::Postgres
    }

    /// Whether a decimal column may leave precision and scale open (PostgreSQL's `numeric`);
    /// otherwise they are taken from the data.
    pub fn has_open_decimal(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether a DATE / DATETIME holds the year: MySQL's hold 1000–9999 only.
    pub fn holds_year(self, year: i32) -> bool {
        self == Dialect::Postgres || (1000..=9999).contains(&year)
    }

    /// Whether a timestamp with a time zone is its own type (PostgreSQL's `timestamptz`);
    /// MySQL's DATETIME holds UTC without saying so.
    pub fn has_zoned_timestamps(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether an indexed text column needs a bounded length (MySQL's index key limit).
    pub fn bounds_indexed_text(self) -> bool {
        self.is_mysql_family()
    }

    /// Whether AUTO_INCREMENT needs a key: a column that loses its key loses its identity.
    pub fn identity_needs_key(self) -> bool {
        self.is_mysql_family()
    }

    /// Whether a plan's column type is sent as the type the logical type formats to
    /// (PostgreSQL's binary COPY sends each type's own wire form) rather than as planned.
    pub fn loads_formatted_types(self) -> bool {
        self == Dialect::Postgres
    }

    /// Whether a plan made for `other` reads for this dialect (MySQL and MariaDB plans are
    /// one family).
    pub fn reads_plans_of(self, other: Dialect) -> bool {
        self == other || (self.is_mysql_family() && other.is_mysql_family())
    }
}

#[cfg(test)]
mod tests {
    use super::Dialect::{self, *};

    #[test]
    fn limits_by_dialect() {
        // (dialect, infinity, NUL, open decimal, year 999, year 10000, zoned, bounded index text)
        type Case = (Dialect, bool, bool, bool, bool, bool, bool, bool);
        let cases: &[Case] = &[
            (Postgres, true, false, true, true, true, true, false),
            (MySql, false, true, false, false, false, false, true),
            (MariaDb, false, true, false, false, false, false, true),
        ];
        for &(d, inf, nul, open, y999, y10k, zoned, bounded) in cases {
            assert_eq!(d.holds_infinity(), inf, "{d:?}");
            assert_eq!(d.holds_nul_in_text(), nul, "{d:?}");
            assert_eq!(d.has_open_decimal(), open, "{d:?}");
            assert_eq!(d.holds_year(999), y999, "{d:?}");
            assert_eq!(d.holds_year(10000), y10k, "{d:?}");
            assert!(d.holds_year(1000) && d.holds_year(9999), "{d:?}");
            assert_eq!(d.has_zoned_timestamps(), zoned, "{d:?}");
            assert_eq!(d.bounds_indexed_text(), bounded, "{d:?}");
        }
        assert!(MariaDb.reads_plans_of(MySql) && MySql.reads_plans_of(MariaDb));
        assert!(!Postgres.reads_plans_of(MariaDb) && !MySql.reads_plans_of(Postgres));
    }
}
