//! The collation SQLite columns that ignore case (NOCASE, an application's `unicase`) get in
//! MySQL and MariaDB: case-insensitive and accent-sensitive where the server has one, no-pad
//! (`a` ≠ `a `, as in SQLite) where offered.
//!
//! - MariaDB 10.10+: `utf8mb4_uca1400_nopad_as_ci` (Unicode 14 collation, accents kept, no pad).
//!   `SHOW COLLATION` does not list the uca1400 family (10.10+ keeps it in
//!   `information_schema.COLLATION_CHARACTER_SET_APPLICABILITY`), but the server has it.
//! - older MariaDB: `utf8mb4_general_nopad_ci`, the closest `_ci` (it also ignores accents).
//! - MySQL 8: `utf8mb4_0900_as_ci` (UCA 9.0, accents kept; the 0900 family is no-pad).

/// MariaDB's choice for server version `major.minor`.
pub fn mariadb(version: (u32, u32)) -> &'static str {
    if version >= (10, 10) { "utf8mb4_uca1400_nopad_as_ci" } else { "utf8mb4_general_nopad_ci" }
}

pub const MYSQL: &str = "utf8mb4_0900_as_ci";

/// The plan's words for each.
pub const MARIADB_WORDS: &str = "utf8mb4_uca1400_nopad_as_ci (MariaDB 10.10 and later: case-insensitive, accent-sensitive, no pad; older servers get utf8mb4_general_nopad_ci, which also ignores accents)";
/// A `mysql://` target may be either server until it answers.
pub const MYSQL_WORDS: &str = "utf8mb4_0900_as_ci on MySQL 8, utf8mb4_uca1400_nopad_as_ci on MariaDB 10.10 and later (case-insensitive, accent-sensitive, no pad; older MariaDB servers get utf8mb4_general_nopad_ci, which also ignores accents)";

/// (major, minor) of a version string as `SELECT VERSION()` gives it (`10.11.19-MariaDB-…`).
pub fn major_minor(version: &str) -> (u32, u32) {
    let mut it = version.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn mariadb_versions_and_their_collation() {
        let cases = [
            ("10.11.19-MariaDB-0+deb12u1", (10, 11), "utf8mb4_uca1400_nopad_as_ci"),
            ("MariaDB 10.10.2", (10, 10), "utf8mb4_uca1400_nopad_as_ci"),
            ("11.4.2-MariaDB", (11, 4), "utf8mb4_uca1400_nopad_as_ci"),
            ("10.6.18-MariaDB", (10, 6), "utf8mb4_general_nopad_ci"),
            ("10.5", (10, 5), "utf8mb4_general_nopad_ci"),
            ("", (0, 0), "utf8mb4_general_nopad_ci"),
        ];
        for (v, mm, want) in cases {
            assert_eq!(super::major_minor(v), mm, "{v}");
            assert_eq!(super::mariadb(mm), want, "{v}");
        }
    }
}
