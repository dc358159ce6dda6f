//! A column's mask rule as the plan spells it (`mask = "email"`, `"keep_last:4"`,
//! `"shift_days:±30"`, `"noise:±10%"`, `"clear"`): read, written back the same way, and
//! named in messages. What a rule does to a value is `apply`'s.

use crate::schema::LogicalType;
use serde::{Deserialize, Serialize};

/// What a masked copy writes for a column's values (NULL stays NULL under every rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Rule {
    /// Copied as it is: in a safe copy, the plan's explicit word that a column is not personal.
    Clear,
    /// Still an email: the local part and the domain's name replaced, the same lengths, the
    /// top-level domain kept (`.com`, `.de`); all addresses at one domain share one new domain.
    Email,
    /// Each word a made-up name of the same length, capitalised.
    Name,
    /// Digits replaced by digits, everything else (`+`, spaces, dashes) kept: the same length.
    Phone,
    /// Letters replaced by letters and digits by digits, word by word; spaces and punctuation
    /// kept: the same length and shape.
    Text,
    /// An IP address: IPv4 another IPv4, IPv6 hex digits replaced; else as `text`.
    Ip,
    /// JSON: the values under known personal keys (`email`, `name`, `phone`, `address`, `ip`,
    /// …) masked by those keys' rules, at any depth; the rest kept.
    Json,
    /// The keyed hash: hex text (cut to the column's length), a UUID in a UUID column, a
    /// positive integer in an integer column, bytes of the same length in a blob.
    Hash,
    /// NULL (refused on a NOT NULL column when the plan is checked).
    Null,
    /// All but the last N characters replaced as `text` replaces them.
    KeepLast(u32),
    /// Dates and timestamps moved by 1 to N days, earlier or later, per value.
    ShiftDays(u32),
    /// Numbers moved by up to P percent, per value, keeping their sign, decimals and zero.
    Noise(u32),
}

impl Rule {
    /// Every rule's name with a parameter's placeholder, for messages.
    pub const NAMES: &'static str = "clear, email, name, phone, text, ip, json, hash, null, keep_last:N, shift_days:±N, noise:±P%";

    pub fn parse(s: &str) -> Result<Rule, String> {
        let s = s.trim();
        let (name, arg) = match s.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (s, None),
        };
        let bad = || format!("{s:?} is not a mask (the masks: {})", Rule::NAMES);
        let number = |a: Option<&str>, what: &str, max: u32| -> Result<u32, String> {
            let a = a.ok_or_else(|| format!("mask {name:?} needs {what} ({name}:{})", if name == "noise" { "±10%" } else if name == "keep_last" { "4" } else { "±30" }))?;
            let digits = a.trim_start_matches('±').trim_start_matches("+-").trim_end_matches('%');
            match digits.parse::<u32>() {
                Ok(n) if n >= 1 && n <= max => Ok(n),
                _ => Err(format!("mask {s:?}: {what} must be a whole number from 1 to {max}")),
            }
        };
        let simple = match name {
            "clear" => Some(Rule::Clear),
            "email" => Some(Rule::Email),
            "name" => Some(Rule::Name),
            "phone" => Some(Rule::Phone),
            "text" => Some(Rule::Text),
            "ip" => Some(Rule::Ip),
            "json" => Some(Rule::Json),
            "hash" => Some(Rule::Hash),
            "null" => Some(Rule::Null),
            _ => None,
        };
        if let Some(r) = simple {
            return if arg.is_some() { Err(format!("mask {name:?} takes no parameter: {s:?}")) } else { Ok(r) };
        }
        match name {
            "keep_last" => Ok(Rule::KeepLast(number(arg, "a count of characters", 1000)?)),
            "shift_days" => Ok(Rule::ShiftDays(number(arg, "a number of days", 36_500)?)),
            "noise" => Ok(Rule::Noise(number(arg, "a percentage", 99)?)),
            _ => Err(bad()),
        }
    }

    /// The name the rule's keyed hash is drawn under: the same rule gives the same value for
    /// the same input in every table (that is what keeps joins), another rule another.
    pub(crate) fn tag(self) -> std::borrow::Cow<'static, str> {
        match self {
            Rule::Clear => "clear".into(),
            Rule::Email => "email".into(),
            Rule::Name => "name".into(),
            Rule::Phone => "phone".into(),
            Rule::Text => "text".into(),
            Rule::Ip => "ip".into(),
            Rule::Json => "json".into(),
            Rule::Hash => "hash".into(),
            Rule::Null => "null".into(),
            _ => self.to_string().into(),
        }
    }

    pub fn is_clear(self) -> bool {
        self == Rule::Clear
    }

    /// Why the rule cannot mask a column of type `ty` (`not_null`: the column refuses
    /// NULL), in words that follow "mask \"x\""; None when it can.
    pub fn refuses(self, ty: &LogicalType, not_null: bool) -> Option<String> {
        use LogicalType as T;
        let text = matches!(ty, T::Text { .. });
        let ok = match self {
            Rule::Clear => true,
            Rule::Null => !not_null,
            Rule::Email | Rule::Name | Rule::Text | Rule::Ip => text,
            Rule::Phone | Rule::KeepLast(_) => text || matches!(ty, T::Integer { .. } | T::Decimal { .. }),
            Rule::Json => text || matches!(ty, T::Json),
            Rule::Hash => text || matches!(ty, T::Uuid | T::Integer { .. } | T::Decimal { .. } | T::Float | T::Bytes),
            Rule::ShiftDays(_) => matches!(ty, T::Date | T::Timestamp { .. }),
            Rule::Noise(_) => matches!(ty, T::Integer { .. } | T::Float | T::Decimal { .. }),
        };
        if ok {
            return None;
        }
        Some(match self {
            Rule::Null => "cannot apply: the column is NOT NULL (choose another mask)".into(),
            Rule::Email | Rule::Name | Rule::Text | Rule::Ip => format!("needs a text column, not {} (for JSON use \"json\")", ty.label()),
            Rule::Phone | Rule::KeepLast(_) => format!("needs a text or integer column, not {}", ty.label()),
            Rule::Json => format!("needs a JSON or text column, not {}", ty.label()),
            Rule::Hash => format!("cannot hash a {} column (use shift_days for dates, null or clear)", ty.label()),
            Rule::ShiftDays(_) => format!("needs a date or timestamp column, not {}", ty.label()),
            _ => format!("needs a number column, not {}", ty.label()),
        })
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rule::Clear => f.write_str("clear"),
            Rule::Email => f.write_str("email"),
            Rule::Name => f.write_str("name"),
            Rule::Phone => f.write_str("phone"),
            Rule::Text => f.write_str("text"),
            Rule::Ip => f.write_str("ip"),
            Rule::Json => f.write_str("json"),
            Rule::Hash => f.write_str("hash"),
            Rule::Null => f.write_str("null"),
            Rule::KeepLast(n) => write!(f, "keep_last:{n}"),
            Rule::ShiftDays(n) => write!(f, "shift_days:±{n}"),
            Rule::Noise(p) => write!(f, "noise:±{p}%"),
        }
    }
}

impl TryFrom<String> for Rule {
    type Error = String;
    fn try_from(s: String) -> Result<Rule, String> {
        Rule::parse(&s)
    }
}

impl From<Rule> for String {
    fn from(r: Rule) -> String {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn rules_read_and_write_back() {
        let cases: &[(&str, Option<Rule>, &str)] = &[
            ("email", Some(Rule::Email), "email"),
            (" name ", Some(Rule::Name), "name"),
            ("clear", Some(Rule::Clear), "clear"),
            ("keep_last:4", Some(Rule::KeepLast(4)), "keep_last:4"),
            ("shift_days:±30", Some(Rule::ShiftDays(30)), "shift_days:±30"),
            ("shift_days:30", Some(Rule::ShiftDays(30)), "shift_days:±30"),
            ("shift_days:+-7", Some(Rule::ShiftDays(7)), "shift_days:±7"),
            ("noise:±10%", Some(Rule::Noise(10)), "noise:±10%"),
            ("noise:5", Some(Rule::Noise(5)), "noise:±5%"),
            ("noise:±100%", None, ""),
            ("noise:0", None, ""),
            ("keep_last", None, ""),
            ("email:3", None, ""),
            ("emial", None, ""),
            ("", None, ""),
        ];
        for (text, want, back) in cases {
            let got = Rule::parse(text);
            assert_eq!(got.as_ref().ok(), want.as_ref(), "{text:?}: {got:?}");
            if let Ok(r) = got {
                assert_eq!(r.to_string(), *back);
                assert_eq!(Rule::parse(back), Ok(r));
            }
        }
        assert!(Rule::parse("emial").unwrap_err().contains("keep_last:N"), "the error lists the masks");
    }
}
