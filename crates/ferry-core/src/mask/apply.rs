//! One source value through one rule → the value the masked copy writes, before the
//! conversion to the target's type (so a masked value is converted, checked and reported
//! as any other). Pure: the key and the round (`unique`'s answer to a collision) come in.

use super::forms::{self, Stream};
use super::hmac::Hmac;
use super::rule::Rule;
use crate::convert::Transform;
use crate::schema::LogicalType;
use rusqlite::types::{Value, ValueRef};
use std::borrow::Cow;

/// A value's identity for the keyed hash: its text (numbers as SQLite prints them), so an
/// email or an id gives the same mask whatever column or storage class it is found in.
pub(crate) fn identity<'a>(v: ValueRef<'a>) -> Cow<'a, [u8]> {
    match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => Cow::Borrowed(t),
        ValueRef::Integer(i) => Cow::Owned(i.to_string().into_bytes()),
        ValueRef::Real(f) => Cow::Owned(crate::value::f64_text(f).into_bytes()),
        ValueRef::Null => Cow::Borrowed(&[]),
    }
}

fn owned(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Integer(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// The column a value is masked for: its type and how its values are read.
#[derive(Clone, Copy)]
pub struct Column<'a> {
    pub logical: &'a LogicalType,
    pub transform: Option<Transform>,
}

/// Masks `v` by `rule` (NULL stays NULL; `clear` leaves it as it is).
pub(crate) fn apply(key: &Hmac, rule: Rule, round: u32, v: ValueRef<'_>, col: Column<'_>) -> Value {
    if let ValueRef::Null = v {
        return Value::Null;
    }
    let id = identity(v);
    let mut s = Stream::new(key, &rule.tag(), round, &id);
    match rule {
        Rule::Clear => owned(v),
        Rule::Null => Value::Null,
        Rule::Hash => hash(&mut s, v, col),
        Rule::ShiftDays(n) => shift_days(&mut s, n, v, col),
        Rule::Noise(p) => match noise(&mut s, p, v) {
            Some(x) => x,
            None => textual(key, Rule::Text, &mut s, v),
        },
        Rule::Json => match std::str::from_utf8(&id).ok().and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()) {
            Some(mut doc) => {
                json(key, round, None, &mut doc);
                Value::Text(doc.to_string())
            }
            None => textual(key, Rule::Text, &mut s, v),
        },
        _ => textual(key, rule, &mut s, v),
    }
}

/// The rules that work on text: the value's text masked; an integer masked as phone or
/// keep_last stays an integer; bytes that are not text become bytes of the same length.
fn textual(key: &Hmac, rule: Rule, s: &mut Stream, v: ValueRef<'_>) -> Value {
    let text: Cow<str> = match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => match std::str::from_utf8(t) {
            Ok(t) => t.into(),
            Err(_) => return Value::Blob((0..t.len()).map(|_| s.byte()).collect()),
        },
        ValueRef::Integer(i) => i.to_string().into(),
        ValueRef::Real(f) => crate::value::f64_text(f).into(),
        ValueRef::Null => return Value::Null,
    };
    let out = mask_text(key, rule, s, &text);
    match v {
        ValueRef::Integer(_) if matches!(rule, Rule::Phone | Rule::KeepLast(_)) => out.parse().map(Value::Integer).unwrap_or(Value::Text(out)),
        ValueRef::Blob(_) => Value::Blob(out.into_bytes()),
        _ => Value::Text(out),
    }
}

fn mask_text(key: &Hmac, rule: Rule, s: &mut Stream, text: &str) -> String {
    match rule {
        Rule::Email => forms::email(s, |d| Stream::new(key, "email-domain", 0, d.as_bytes()), text).unwrap_or_else(|| forms::words(s, text, false)),
        Rule::Name => forms::name(s, text),
        Rule::Phone => forms::phone(s, text),
        Rule::Ip => forms::ip(s, text).unwrap_or_else(|| forms::words(s, text, false)),
        Rule::KeepLast(n) => forms::keep_last(s, text, n as usize),
        _ => forms::words(s, text, false),
    }
}

fn hash(s: &mut Stream, v: ValueRef<'_>, col: Column<'_>) -> Value {
    let is_uuid = |t: &[u8]| crate::value::parse_uuid_text(t).is_some();
    match (v, col.logical) {
        (ValueRef::Blob(b), _) if col.transform != Some(Transform::UuidText) => Value::Blob((0..b.len().max(1)).map(|_| s.byte()).collect()),
        (_, LogicalType::Uuid) => Value::Text(forms::uuid(s)),
        (ValueRef::Text(t), _) if is_uuid(t) => Value::Text(forms::uuid(s)),
        (_, LogicalType::Integer { bits }) => Value::Integer((s.u64() >> (65 - (*bits).clamp(8, 64) as u32)) as i64),
        (_, LogicalType::Float) => Value::Real((s.u64() >> 11) as f64),
        (_, LogicalType::Decimal { precision, scale }) => {
            let digits = precision.map(|p| p.saturating_sub(scale.unwrap_or(0))).unwrap_or(15).clamp(1, 15);
            Value::Integer((s.u64() % 10u64.pow(digits)) as i64)
        }
        (_, LogicalType::Text { max }) => Value::Text(forms::hex(s, max.map(|m| (m as usize).min(64)).unwrap_or(64))),
        _ => Value::Text(forms::hex(s, 64)),
    }
}

/// A whole number of days, 1 to n, earlier or later.
fn days(s: &mut Stream, n: u32) -> i64 {
    let d = 1 + s.below(n as u64) as i64;
    if s.byte() & 1 == 0 { d } else { -d }
}

fn shift_days(s: &mut Stream, n: u32, v: ValueRef<'_>, col: Column<'_>) -> Value {
    let d = days(s, n);
    match (v, col.transform) {
        (ValueRef::Integer(i), Some(Transform::EpochS)) => Value::Integer(i.saturating_add(d * 86_400)),
        (ValueRef::Integer(i), Some(Transform::EpochMs)) => Value::Integer(i.saturating_add(d * 86_400_000)),
        (ValueRef::Integer(i), Some(Transform::JulianDay)) => Value::Integer(i + d),
        (ValueRef::Real(f), Some(Transform::JulianDay)) => Value::Real(f + d as f64),
        (ValueRef::Text(t), _) => {
            // The date is the first ten characters of a date or an ISO timestamp: moved there,
            // the time and any offset kept as they were written.
            let Ok(text) = std::str::from_utf8(t) else { return owned(v) };
            let moved = text.get(..10).and_then(crate::value::parse_iso_date).and_then(|date| date.checked_add_signed(chrono::Duration::days(d)));
            match moved {
                Some(m) => Value::Text(format!("{}{}", m.format("%Y-%m-%d"), &text[10..])),
                None => owned(v),
            }
        }
        // Not a date this column reads: the conversion refuses it as it would unmasked.
        _ => owned(v),
    }
}

/// A number moved by up to `p` percent; its sign, its decimals and whether it is zero kept.
/// None when the value is not a number.
fn noise(s: &mut Stream, p: u32, v: ValueRef<'_>) -> Option<Value> {
    // Hundredths of a percent, -p% to +p%.
    let k = s.below(2 * p as u64 * 100 + 1) as i64 - p as i64 * 100;
    let moved_float = |f: f64, decimals: usize| -> f64 {
        let r = f * (1.0 + k as f64 / 10_000.0);
        let r: f64 = format!("{r:.decimals$}").parse().unwrap_or(f);
        if r == 0.0 && f != 0.0 { f } else { r }
    };
    let decimals = |t: &str| -> Option<usize> {
        if t.contains(['e', 'E']) {
            return None;
        }
        Some(t.split_once('.').map(|(_, d)| d.len()).unwrap_or(0))
    };
    match v {
        ValueRef::Integer(i) => {
            let moved = i as i128 + (i as i128 * k as i128) / 10_000;
            let moved = if moved == 0 && i != 0 { i.signum() as i128 } else { moved };
            Some(Value::Integer(moved.clamp(i64::MIN as i128, i64::MAX as i128) as i64))
        }
        ValueRef::Real(f) if f.is_finite() => {
            let d = crate::value::f64_scale_and_int_digits(f).0.min(17) as usize;
            Some(Value::Real(moved_float(f, d)))
        }
        ValueRef::Real(f) => Some(Value::Real(f)),
        ValueRef::Text(t) => {
            let t = std::str::from_utf8(t).ok()?.trim();
            let f: f64 = t.parse().ok().filter(|f: &f64| f.is_finite())?;
            let d = decimals(t)?;
            let r = moved_float(f, d);
            Some(Value::Text(format!("{r:.d$}")))
        }
        _ => None,
    }
}

/// The rule for a JSON document's key that names something personal, by the key's name
/// (any case, `_` and `-` ignored); None for the others.
pub fn json_key_rule(key: &str) -> Option<Rule> {
    let k: String = key.chars().filter(|c| *c != '_' && *c != '-' && *c != ' ').flat_map(char::to_lowercase).collect();
    let rule = match k.as_str() {
        "email" | "mail" | "emailaddress" | "contactemail" | "useremail" => Rule::Email,
        "name" | "fullname" | "firstname" | "lastname" | "surname" | "givenname" | "familyname" | "displayname" | "username" | "by" | "author" | "actor" | "user" | "customer"
        | "contact" | "owner" | "createdby" | "updatedby" | "changedby" | "requestedby" | "recipient" | "sender" => Rule::Name,
        "phone" | "phonenumber" | "mobile" | "tel" | "telephone" | "cell" | "fax" => Rule::Phone,
        "address" | "street" | "streetaddress" | "address1" | "address2" | "addressline1" | "addressline2" | "city" | "postcode" | "postalcode" | "zip" | "zipcode"
        | "comment" | "comments" | "note" | "notes" | "bio" => Rule::Text,
        "ip" | "ipaddress" | "remoteaddr" | "remoteip" | "clientip" => Rule::Ip,
        "dob" | "birthdate" | "dateofbirth" | "birthday" => Rule::ShiftDays(365),
        _ => return None,
    };
    Some(rule)
}

/// Masks a JSON document in place: under a personal key (`json_key_rule`), every string and
/// number below it by that key's rule (an address-looking string by `email`); elsewhere
/// the document is walked and kept.
fn json(key: &Hmac, round: u32, rule: Option<Rule>, doc: &mut serde_json::Value) {
    use serde_json::Value as J;
    match doc {
        J::Object(m) => {
            for (k, v) in m.iter_mut() {
                json(key, round, json_key_rule(k).or(rule), v);
            }
        }
        J::Array(a) => {
            for v in a {
                json(key, round, rule, v);
            }
        }
        J::String(t) => {
            let Some(rule) = rule else { return };
            let rule = if forms::is_email(t) && !matches!(rule, Rule::Text) { Rule::Email } else { rule };
            let masked = apply(key, rule, round, ValueRef::Text(t.as_bytes()), Column { logical: &LogicalType::Text { max: None }, transform: None });
            *doc = match masked {
                Value::Text(m) => J::String(m),
                _ => J::Null,
            };
        }
        J::Number(n) => {
            let Some(rule) = rule else { return };
            let text = n.to_string();
            let masked = apply(key, if matches!(rule, Rule::Phone) { Rule::Phone } else { Rule::Text }, round, ValueRef::Text(text.as_bytes()), Column { logical: &LogicalType::Text { max: None }, transform: None });
            if let Value::Text(m) = masked {
                *doc = m.parse::<serde_json::Number>().map(J::Number).unwrap_or(J::String(m));
            }
        }
        J::Bool(_) | J::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Hmac {
        Hmac::new(b"sixteen-byte-key-for-tests")
    }

    fn text(max: Option<u32>) -> LogicalType {
        LogicalType::Text { max }
    }

    fn run(rule: Rule, v: Value, ty: &LogicalType, transform: Option<Transform>) -> Value {
        apply(&key(), rule, 0, (&v).into(), Column { logical: ty, transform })
    }

    #[test]
    fn each_rule_keeps_the_values_kind() {
        let t = text(None);
        let int = LogicalType::Integer { bits: 64 };
        let ts = LogicalType::Timestamp { tz: false };
        type Check = fn(&Value, &Value) -> bool;
        let same_len: Check = |a, b| matches!((a, b), (Value::Text(a), Value::Text(b)) if a.chars().count() == b.chars().count() && a != b);
        let cases: &[(Rule, Value, &LogicalType, Option<Transform>, Check)] = &[
            (Rule::Email, Value::Text("alice.smith12@example.com".into()), &t, None, |a, b| matches!(b, Value::Text(s) if s.contains('@') && s.ends_with(".com") && s.len() == 25 && Value::Text(s.clone()) != *a)),
            (Rule::Name, Value::Text("Alice Smith".into()), &t, None, same_len),
            (Rule::Phone, Value::Text("+1-555-0123".into()), &t, None, same_len),
            (Rule::Phone, Value::Integer(5550123), &int, None, |a, b| matches!((a, b), (Value::Integer(x), Value::Integer(y)) if x.to_string().len() == y.to_string().len() && x != y)),
            (Rule::Text, Value::Text("Ring twice".into()), &t, None, same_len),
            (Rule::KeepLast(4), Value::Text("4111-1111-1111-1234".into()), &t, None, |_, b| matches!(b, Value::Text(s) if s.ends_with("-1234") && s.len() == 19 && !s.starts_with("4111-1111"))),
            (Rule::Null, Value::Text("x".into()), &t, None, |_, b| *b == Value::Null),
            (Rule::Clear, Value::Text("x".into()), &t, None, |a, b| a == b),
            (Rule::Hash, Value::Text("x".into()), &text(Some(10)), None, |_, b| matches!(b, Value::Text(s) if s.len() == 10 && s.bytes().all(|c| c.is_ascii_hexdigit()))),
            (Rule::Hash, Value::Text("6f1c...".into()), &LogicalType::Uuid, None, |_, b| matches!(b, Value::Text(s) if uuid::Uuid::parse_str(s).is_ok())),
            (Rule::Hash, Value::Integer(42), &LogicalType::Integer { bits: 32 }, None, |_, b| matches!(b, Value::Integer(i) if (0..=i32::MAX as i64).contains(i) && *i != 42)),
            (Rule::Hash, Value::Blob(vec![1; 16]), &LogicalType::Bytes, None, |_, b| matches!(b, Value::Blob(x) if x.len() == 16 && *x != vec![1; 16])),
            (Rule::ShiftDays(30), Value::Text("2024-03-05".into()), &LogicalType::Date, None, |_, b| matches!(b, Value::Text(s) if s.len() == 10 && s.as_str() != "2024-03-05" && crate::value::parse_iso_date(s).is_some_and(|d| (d - chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap()).num_days().abs() <= 30))),
            (Rule::ShiftDays(3), Value::Text("2024-03-05T10:11:12.345Z".into()), &ts, None, |_, b| matches!(b, Value::Text(s) if s.ends_with("T10:11:12.345Z") && !s.starts_with("2024-03-05"))),
            (Rule::ShiftDays(1), Value::Integer(1_700_000_000_000), &ts, Some(Transform::EpochMs), |_, b| matches!(b, Value::Integer(i) if (i - 1_700_000_000_000).abs() == 86_400_000)),
            (Rule::Noise(10), Value::Integer(1000), &int, None, |_, b| matches!(b, Value::Integer(i) if (900..=1100).contains(i))),
            (Rule::Noise(50), Value::Integer(1), &int, None, |_, b| *b == Value::Integer(1)),
            (Rule::Noise(10), Value::Real(19.99), &LogicalType::Float, None, |_, b| matches!(b, Value::Real(f) if (17.99..=21.99).contains(f) && format!("{f}").split('.').nth(1).is_none_or(|d| d.len() <= 2))),
            (Rule::Noise(10), Value::Text("-12.50".into()), &t, None, |_, b| matches!(b, Value::Text(s) if s.starts_with('-') && s.split('.').nth(1).is_some_and(|d| d.len() == 2))),
            (Rule::Ip, Value::Text("203.0.113.7".into()), &t, None, |_, b| matches!(b, Value::Text(s) if s.parse::<std::net::Ipv4Addr>().is_ok() && s != "203.0.113.7")),
            (Rule::Email, Value::Null, &t, None, |_, b| *b == Value::Null),
        ];
        for (rule, v, ty, tr, check) in cases {
            let got = run(*rule, v.clone(), ty, *tr);
            assert!(check(v, &got), "{rule} of {v:?} → {got:?}");
            assert_eq!(got, run(*rule, v.clone(), ty, *tr), "{rule}: deterministic");
        }
    }

    #[test]
    fn the_same_input_masks_the_same_in_any_column() {
        let e = Value::Text("Bob@Example.org".into());
        let a = run(Rule::Email, e.clone(), &text(Some(255)), None);
        let b = run(Rule::Email, e.clone(), &text(None), None);
        assert_eq!(a, b);
        assert_ne!(a, apply(&Hmac::new(b"another-key-of-16-bytes"), Rule::Email, 0, (&e).into(), Column { logical: &text(None), transform: None }), "another key, another copy");
        assert_ne!(a, apply(&key(), Rule::Email, 1, (&e).into(), Column { logical: &text(None), transform: None }), "another round, another value");
        // An id as an integer or as its text: one identity.
        assert_eq!(run(Rule::Hash, Value::Integer(7), &LogicalType::Integer { bits: 64 }, None), run(Rule::Hash, Value::Text("7".into()), &LogicalType::Integer { bits: 64 }, None));
    }

    #[test]
    fn json_masks_known_keys_at_any_depth() {
        let doc = r#"{"by":"José Álvarez","before":{"price":"1.00"},"contact":{"email":"a.b@example.com","phone":"+1-555-0100"},"changed":["email","phone"],"ip":"203.0.113.9","note":"call 555-0101","n":3}"#;
        let Value::Text(out) = run(Rule::Json, Value::Text(doc.into()), &LogicalType::Json, None) else { panic!() };
        let j: serde_json::Value = serde_json::from_str(&out).unwrap();
        for clear in ["José", "Álvarez", "a.b@example.com", "555-0100", "203.0.113.9", "555-0101"] {
            assert!(!out.contains(clear), "{clear} masked: {out}");
        }
        assert_eq!(j["before"]["price"], "1.00", "other keys kept");
        assert_eq!(j["changed"], serde_json::json!(["email", "phone"]), "values that are key names are not personal");
        assert_eq!(j["n"], 3);
        assert!(j["contact"]["email"].as_str().unwrap().ends_with(".com"));
        // The name in the document masks as the same name in a column would.
        assert_eq!(Value::Text(j["by"].as_str().unwrap().into()), run(Rule::Name, Value::Text("José Álvarez".into()), &text(None), None));
        assert_eq!(json_key_rule("Email_Address"), Some(Rule::Email));
        assert_eq!(json_key_rule("price"), None);
    }
}
