//! A SQLite collation name → what it means for the target. SQLite knows BINARY, NOCASE and
//! RTRIM; any other name was registered by the application that made the file (`unicase`,
//! `nocase_utf8`, …), so only its name says what it does. Names that say they ignore case are
//! carried with the target's case-insensitive collation; others with the target's default
//! (binary) one, and the plan and report say so.

/// What a column's collation does, as far as its name tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    /// BINARY: bytes compared, the target's default.
    Binary,
    /// SQLite's NOCASE: ASCII letters compared without case.
    Nocase,
    /// An application's collation whose name says it ignores case (`unicase`, `icase`,
    /// `utf8_general_ci`): compared by Unicode case folding.
    CaseInsensitive,
    /// RTRIM: trailing spaces ignored.
    Rtrim,
    /// A name with no known meaning.
    Unknown,
}

impl Meaning {
    /// Compares without case (NOCASE, or an application's case-insensitive collation).
    pub fn ignores_case(self) -> bool {
        matches!(self, Meaning::Nocase | Meaning::CaseInsensitive)
    }
}

/// SQLite's own collations.
pub fn is_builtin(name: &str) -> bool {
    ["BINARY", "NOCASE", "RTRIM"].iter().any(|b| name.eq_ignore_ascii_case(b))
}

/// What the collation `name` means.
pub fn meaning(name: &str) -> Meaning {
    let lower = name.to_ascii_lowercase();
    let bare: String = lower.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    match bare.as_str() {
        "binary" | "bin" => return Meaning::Binary,
        "nocase" => return Meaning::Nocase,
        "rtrim" => return Meaning::Rtrim,
        _ => {}
    }
    let words = ["nocase", "unicase", "icase", "ignorecase", "caseinsensitive", "insensitive", "casefold", "nocasefold"];
    let ci_suffix = lower.ends_with("_ci") || lower.ends_with("-ci") || bare == "ci";
    if ci_suffix || words.iter().any(|w| bare.contains(w)) {
        return Meaning::CaseInsensitive;
    }
    Meaning::Unknown
}

/// The words the plan adds to a text column's reason for its collation, given the target's
/// case-insensitive collation (`ci`: its name and why it was chosen); None for BINARY.
pub fn reason(name: &str, ci: &str) -> Option<String> {
    Some(match meaning(name) {
        Meaning::Binary => return None,
        Meaning::Nocase => format!("COLLATE {name} → {ci}; SQLite's NOCASE folds only ASCII letters, this also equates É and é (pre-flight lists the keys that then collide)"),
        Meaning::CaseInsensitive => format!("COLLATE {name} (the application's own collation; its name says it ignores case, and Ferry reads it by Unicode case folding) → {ci}"),
        Meaning::Rtrim => format!("COLLATE {name} not carried: no target collation ignores trailing spaces only; the column compares as the target's default"),
        Meaning::Unknown => format!("COLLATE {name} not carried: the application that made the file registers it and its name says nothing Ferry knows; carried with the target's default collation (bytes compared), read as BINARY"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collation_names_and_what_they_mean() {
        use Meaning::*;
        let cases = [
            ("BINARY", Binary),
            ("binary", Binary),
            ("NOCASE", Nocase),
            ("nocase", Nocase),
            ("RTRIM", Rtrim),
            ("unicase", CaseInsensitive),
            ("UNICASE", CaseInsensitive),
            ("nocase_utf8", CaseInsensitive),
            ("utf8_nocase", CaseInsensitive),
            ("icase", CaseInsensitive),
            ("utf8_general_ci", CaseInsensitive),
            ("und-ci", CaseInsensitive),
            ("case_insensitive", CaseInsensitive),
            ("IgnoreCase", CaseInsensitive),
            ("localized", Unknown),
            ("unicode", Unknown),
            ("natural_sort", Unknown),
            ("pinyin", Unknown),
            ("circle", Unknown),
        ];
        for (name, want) in cases {
            assert_eq!(meaning(name), want, "{name}");
        }
        assert!(is_builtin("nocase") && is_builtin("Binary") && !is_builtin("unicase"));
        assert!(Nocase.ignores_case() && CaseInsensitive.ignores_case() && !Unknown.ignores_case() && !Rtrim.ignores_case());
        assert!(reason("BINARY", "x").is_none());
        assert!(reason("NOCASE", "ferry_nocase").unwrap().contains("ferry_nocase"));
        assert!(reason("pinyin", "x").unwrap().contains("default collation"));
    }
}
