//! Text as the targets' case-insensitive, accent-sensitive collations compare it (PostgreSQL's
//! ICU `und-u-ks-level2`, MariaDB's `utf8mb4_uca1400_nopad_as_ci`, MySQL's
//! `utf8mb4_0900_as_ci`: the Unicode Collation Algorithm to its second level): two strings are
//! equal there when their folds are. Case and the compatibility forms (full-width `Ａ`, the
//! ligature `ﬁ`, superscripts) are third-level differences and vanish; accents are second-level
//! and stay; control and format characters weigh nothing. SQLite's NOCASE folds only ASCII, so
//! keys it keeps apart (`É`/`é`) can collide in the target: pre-flight finds them with this.
//! Checked against both servers by `tests/it/collation.rs` over Latin, Greek, Cyrillic, the
//! full-width forms and the general punctuation block. Not modelled (the servers differ from it
//! there): lone combining marks, C1 controls, IPA ligatures (`ʣ` = `Ǳ` to ICU), long s (`ſ`).
//! A key this misses is still refused by the target at load time and reported by row.

use unicode_normalization::UnicodeNormalization;

/// Format characters the collation algorithm ignores (control characters, `char::is_control`,
/// are ignored too).
fn ignorable(c: char) -> bool {
    c.is_control()
        || matches!(c as u32, 0x00AD | 0x034F | 0x061C | 0x180B..=0x180F | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFE00..=0xFE0F | 0xFEFF | 0xFFF9..=0xFFFB)
}

/// The fold: compatibility decomposition, ignorable characters dropped, each character's
/// simple lower case (final sigma as sigma).
pub fn fold(s: &str) -> String {
    s.nfkd()
        .filter(|c| !ignorable(*c))
        .map(|c| {
            if c == 'ς' {
                return 'σ';
            }
            let mut low = c.to_lowercase();
            match (low.next(), low.next()) {
                (Some(l), None) => l,
                _ => c,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn folds_case_and_forms_but_not_accents() {
        let same = [
            ("alice@example.com", "ALICE@EXAMPLE.COM"),
            ("É", "é"),
            ("é", "e\u{301}"),
            ("Ａ", "a"),
            ("ﬁ", "FI"),
            ("x²", "X2"),
            ("a\u{0}b", "ab"),
            ("a\u{200B}b", "ab"),
            ("ΣΑΣ", "σας"),
            ("İ", "i\u{307}"),
        ];
        for (a, b) in same {
            assert_eq!(super::fold(a), super::fold(b), "{a:?} {b:?}");
        }
        let apart = [("é", "e"), ("ß", "ss"), ("æ", "ae"), ("a ", "a"), ("😀", "😁"), ("ø", "o")];
        for (a, b) in apart {
            assert_ne!(super::fold(a), super::fold(b), "{a:?} {b:?}");
        }
    }
}
