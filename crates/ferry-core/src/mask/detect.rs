//! Which columns look personal, and by what evidence: a column's name, and a sample of its
//! values (addresses, phone numbers, IP addresses, JSON documents with personal keys).
//! Pure functions over names and sampled text; `plan::masks` reads the samples and writes
//! the rules into a plan.

use super::apply::json_key_rule;
use super::forms::is_email;
use super::rule::Rule;

/// A rule proposed for a column, with why.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: Rule,
    pub evidence: String,
}

/// The words of a column name: `customerEmail`, `customer_email`, `Customer-Email` all give
/// ["customer", "email"].
fn words(name: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Tables whose bare `name` column names a person.
const PERSON_TABLES: &[&str] = &["customer", "user", "person", "people", "employee", "contact", "member", "patient", "student", "client", "account", "author", "staff", "subscriber", "guest"];

/// The rule a column's name calls for, with the words that say so; None when the name says
/// nothing personal.
pub fn by_name(table: &str, column: &str) -> Option<(Rule, String)> {
    let w = words(column);
    let has = |x: &str| w.iter().any(|y| y == x);
    let joined = w.concat();
    let said = |what: &str| format!("the name {column:?} says {what}");
    if has("email") || has("mail") || joined.contains("email") {
        return Some((Rule::Email, said("email")));
    }
    if has("phone") || has("mobile") || has("tel") || has("telephone") || has("fax") || has("cell") || joined.contains("phone") {
        return Some((Rule::Phone, said("phone")));
    }
    if has("ip") || joined == "ipaddress" || joined == "remoteaddr" || joined.ends_with("ipaddress") {
        return Some((Rule::Ip, said("IP address")));
    }
    if has("ssn") || has("passport") || has("iban") || joined.contains("creditcard") || joined.contains("cardnumber") || joined.contains("taxid") || joined.contains("nationalid") {
        return Some((Rule::KeepLast(4), said("an identity or card number")));
    }
    if has("dob") || has("birthday") || joined.contains("birthdate") || joined.contains("dateofbirth") {
        return Some((Rule::ShiftDays(365), said("birth date")));
    }
    if has("address") || has("street") || has("addr") || has("postcode") || has("zip") || has("zipcode") || joined.contains("postalcode") || joined.starts_with("addressline") {
        return Some((Rule::Text, said("street address")));
    }
    let person_names = ["fullname", "firstname", "lastname", "surname", "givenname", "familyname", "displayname", "username", "middlename", "nickname", "contactname", "customername"];
    if person_names.iter().any(|n| joined == *n || joined.ends_with(n)) {
        return Some((Rule::Name, said("a person's name")));
    }
    let t = words(table).concat();
    if joined == "name" && PERSON_TABLES.iter().any(|p| t.contains(p)) {
        return Some((Rule::Name, format!("a name in the table {table:?}, which holds people")));
    }
    if has("notes") || has("note") || has("comment") || has("comments") || has("remarks") || has("bio") {
        return Some((Rule::Text, said("free text about someone")));
    }
    None
}

/// Shaped as a phone number: a `+` or separators, 7 to 15 digits, nothing but digits,
/// spaces and `+-().`.
pub fn is_phone(s: &str) -> bool {
    let s = s.trim();
    let digits = s.chars().filter(|c| c.is_ascii_digit()).count();
    let seps = s.chars().filter(|c| matches!(c, ' ' | '-' | '(' | ')' | '.')).count();
    (7..=15).contains(&digits) && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.')) && (s.starts_with('+') || seps > 0) && !s.ends_with('-')
}

fn is_ip(s: &str) -> bool {
    s.trim().parse::<std::net::IpAddr>().is_ok()
}

/// The personal keys a JSON document holds, at any depth.
fn personal_keys(doc: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match doc {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                let personal = json_key_rule(k).is_some() && !matches!(v, serde_json::Value::Null | serde_json::Value::Bool(_));
                if personal {
                    out.insert(k.clone());
                }
                personal_keys(v, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| personal_keys(v, out)),
        _ => {}
    }
}

/// The rule sampled values call for: addresses, IP addresses or phone numbers in at least
/// half of them; JSON documents with personal keys in any. `json`: the column holds JSON.
pub fn by_values(samples: &[String], json: bool) -> Option<(Rule, String)> {
    let n = samples.len();
    if n == 0 {
        return None;
    }
    let of = |k: usize, what: &str| format!("{what}: {k} of {}", crate::value::plural(n as u64, "sampled value", "sampled values"));
    let count = |f: fn(&str) -> bool| samples.iter().filter(|s| f(s)).count();
    let mut keys = std::collections::BTreeSet::new();
    let mut docs = 0;
    for s in samples {
        let t = s.trim_start();
        if json || t.starts_with('{') || t.starts_with('[') {
            if let Ok(d) = serde_json::from_str::<serde_json::Value>(s) {
                let mut found = std::collections::BTreeSet::new();
                personal_keys(&d, &mut found);
                if !found.is_empty() {
                    docs += 1;
                    keys.extend(found);
                }
            }
        }
    }
    if !keys.is_empty() {
        let names: Vec<&str> = keys.iter().map(String::as_str).take(6).collect();
        return Some((Rule::Json, of(docs, &format!("JSON documents with the personal keys {}", names.join(", ")))));
    }
    let half = n.div_ceil(2);
    for (f, rule, what) in [(is_email as fn(&str) -> bool, Rule::Email, "email addresses"), (is_ip, Rule::Ip, "IP addresses"), (is_phone, Rule::Phone, "phone numbers")] {
        let k = count(f);
        if k >= half {
            return Some((rule, of(k, what)));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_say_personal() {
        let cases: &[(&str, &str, Option<Rule>)] = &[
            ("customers", "email", Some(Rule::Email)),
            ("users", "contactEmail", Some(Rule::Email)),
            ("customers", "full_name", Some(Rule::Name)),
            ("customers", "phone", Some(Rule::Phone)),
            ("people", "mobile_number", Some(Rule::Phone)),
            ("users", "name", Some(Rule::Name)),
            ("products", "name", None),
            ("tenants", "name", None),
            ("audit_logs", "ip_address", Some(Rule::Ip)),
            ("sessions", "remote_addr", Some(Rule::Ip)),
            ("customers", "street_address", Some(Rule::Text)),
            ("customers", "notes", Some(Rule::Text)),
            ("people", "date_of_birth", Some(Rule::ShiftDays(365))),
            ("payments", "card_number", Some(Rule::KeepLast(4))),
            ("orders", "status", None),
            ("orders", "shipped_at", None),
            ("tenants", "slug", None),
            ("products", "description", None),
            ("export_chunks", "storage_url", None),
        ];
        for (t, c, want) in cases {
            assert_eq!(by_name(t, c).map(|f| f.0), *want, "{t}.{c}");
        }
    }

    #[test]
    fn values_that_say_personal() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases: &[(Vec<String>, bool, Option<Rule>)] = &[
            (s(&["alice@example.com", "bob@example.org", "system"]), false, Some(Rule::Email)),
            (s(&["system", "cron", "alice@example.com"]), false, None),
            (s(&["+1-555-0123", "+33 6 12 34 56 78", "(555) 010-9999"]), false, Some(Rule::Phone)),
            (s(&["12345678", "87654321"]), false, None),
            (s(&["203.0.113.7", "2001:db8::1"]), false, Some(Rule::Ip)),
            (s(&[r#"{"by":"José Álvarez"}"#, r#"{"from":"pending"}"#]), true, Some(Rule::Json)),
            (s(&[r#"{"color":"red","size":"M"}"#]), true, None),
            (s(&[r#"{"changed":["email","phone"]}"#]), true, None),
            (s(&["Classic Mug", "Tote Bag"]), false, None),
            (vec![], false, None),
        ];
        for (v, json, want) in cases {
            let got = by_values(v, *json);
            assert_eq!(got.as_ref().map(|f| f.0), *want, "{v:?}: {got:?}");
        }
        let (_, why) = by_values(&s(&["a@b.co", "c@d.co"]), false).unwrap();
        assert_eq!(why, "email addresses: 2 of 2 sampled values");
    }
}
