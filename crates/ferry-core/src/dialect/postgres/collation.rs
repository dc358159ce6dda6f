//! The collation SQLite columns that ignore case (NOCASE, an application's `unicase`) get in
//! PostgreSQL: a nondeterministic ICU collation Ferry creates in the target schema, case-
//! insensitive and accent-sensitive (`und-u-ks-level2`), so `ALICE@EXAMPLE.COM` and
//! `alice@example.com` are one key, as in SQLite, while `é` and `e` stay two.
//!
//! Chosen over `citext`: the column stays `text` (the same type, the same COPY form, the same
//! validation), keys and indexes honour it natively, and no extension has to be installed
//! (CREATE EXTENSION needs rights a migration user may lack). citext compares `lower()` of
//! both sides by the database's locale, which is what ICU does better. The price, in
//! PostgreSQL 15: LIKE and regular expressions refuse a nondeterministic collation, so
//! Ferry's translated LIKE reads the column `COLLATE "C"` (ASCII case folding, as SQLite's LIKE).

use crate::dialect::Dialect;
use crate::sqlexpr::quote_ident;

/// The collation's name in the target schema.
pub const NOCASE: &str = "ferry_nocase";

/// The plan's words for it.
pub const WORDS: &str = "collation ferry_nocase, which Ferry creates (ICU und-u-ks-level2, nondeterministic): case-insensitive and accent-sensitive, chosen over citext because the column stays text and needs no extension";

/// The collation as SQL, qualified by `schema`.
pub fn qualified(schema: &str) -> String {
    format!("{}.{}", quote_ident(schema, Dialect::Postgres), quote_ident(NOCASE, Dialect::Postgres))
}

/// Makes the collation in `schema` unless it is there.
pub fn create(schema: &str) -> String {
    format!("CREATE COLLATION IF NOT EXISTS {} (provider = icu, locale = 'und-u-ks-level2', deterministic = false)", qualified(schema))
}
