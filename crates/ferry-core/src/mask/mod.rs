//! Masked copies: each column's values through a rule (`email`, `name`, `phone`, `text`,
//! `hash`, `null`, `keep_last:N`, `shift_days:±N`, `noise:±P%`, …) that keeps their format,
//! drawn from a keyed hash of the value (HMAC-SHA256 with the user's key), so the same input
//! gives the same output in every table and every run with that key: joins and foreign keys
//! still line up, and without the key nothing leads back.
//!
//! Where a masked column is unique, two inputs may mask alike: `Masker::make_unique` finds
//! such collisions before the load and moves all but the first (by input order) to the next
//! round of the hash, so the load never fails on them. The key never leaves this module
//! but as its fingerprint; it is never written to a plan, report, log or audit.
//!
//! This module knows rules and values; which column takes which rule is the plan's.

mod apply;
pub mod detect;
mod forms;
mod hmac;
mod rule;

pub use apply::{json_key_rule, Column};
pub use rule::Rule;

use crate::error::{FerryError, Result};
use rusqlite::types::{Value, ValueRef};
use std::collections::HashMap;

/// The environment variable the CLI reads the key from.
pub const KEY_ENV: &str = "FERRY_MASK_KEY";

/// The user's secret key. Its bytes are kept only as the prepared HMAC; `Debug` shows the
/// fingerprint.
#[derive(Clone)]
pub struct MaskKey {
    hmac: hmac::Hmac,
    fingerprint: String,
}

impl std::fmt::Debug for MaskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MaskKey({})", self.fingerprint)
    }
}

impl MaskKey {
    /// Bytes a key needs at least.
    pub const MIN_BYTES: usize = 16;

    /// A key of at least `MIN_BYTES` bytes; `from` says where it came from, for the refusal.
    pub fn new(bytes: &[u8], from: &str) -> Result<MaskKey> {
        if bytes.len() < Self::MIN_BYTES {
            return Err(FerryError::MaskKey(format!(
                "the mask key from {from} is {} long; a mask key needs at least {} bytes (e.g. `openssl rand -hex 32`)",
                crate::value::plural(bytes.len() as u64, "byte", "bytes"),
                Self::MIN_BYTES
            )));
        }
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"ferry mask key fingerprint\0");
        h.update(bytes);
        let fingerprint = crate::value::hex(&h.finalize()[..6]).to_ascii_lowercase();
        Ok(MaskKey { hmac: hmac::Hmac::new(bytes), fingerprint })
    }

    /// The key from the file `file` (its content less a final line break), else from the
    /// environment variable `FERRY_MASK_KEY`; refused when neither gives one.
    pub fn from_file_or_env(file: Option<&std::path::Path>) -> Result<MaskKey> {
        if let Some(p) = file {
            let bytes = std::fs::read(p).map_err(|e| FerryError::MaskKey(format!("cannot read the mask key file {}: {e}", p.display())))?;
            let trimmed = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
            let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
            return MaskKey::new(trimmed, &format!("the file {}", p.display()));
        }
        match std::env::var_os(KEY_ENV) {
            Some(v) => MaskKey::new(v.as_encoded_bytes(), KEY_ENV),
            None => Err(FerryError::MaskKey(format!("the plan masks columns but no mask key was given: set {KEY_ENV} or pass --mask-key-file PATH (at least {} bytes; keep it secret, the same key gives the same copy)", Self::MIN_BYTES))),
        }
    }

    /// A short hash of the key (12 hex digits), to tell keys apart in an audit log without
    /// revealing them.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// Masks values with one key, remembering the collisions resolved for unique columns.
#[derive(Clone, Debug)]
pub struct Masker {
    key: MaskKey,
    /// (rule, input) → the round its mask is drawn from, where not the first.
    rounds: HashMap<(Rule, Box<[u8]>), u32>,
}

/// What `make_unique` found among a unique column's values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Collisions {
    /// Inputs whose first mask another input had taken, given another.
    pub resolved: u64,
    /// Inputs for which no free mask was found (the load may then refuse their rows).
    pub unresolved: u64,
}

/// How many rounds are tried for one input before it is counted unresolved.
const MAX_ROUNDS: u32 = 64;

impl Masker {
    pub fn new(key: MaskKey) -> Masker {
        Masker { key, rounds: HashMap::new() }
    }

    pub fn key(&self) -> &MaskKey {
        &self.key
    }

    /// The value `v` of a column masked by `rule`.
    pub fn mask(&self, rule: Rule, v: ValueRef<'_>, col: Column<'_>) -> Value {
        let round = if self.rounds.is_empty() { 0 } else { self.rounds.get(&(rule, Box::from(&*apply::identity(v)))).copied().unwrap_or(0) };
        apply::apply(&self.key.hmac, rule, round, v, col)
    }

    /// Makes the masks of `values` (the distinct values of the unique columns masked by
    /// `rule`, all of them together) distinct as a unique index compares them (case and
    /// trailing spaces aside, as MySQL's collations do): inputs are taken in byte order,
    /// the first to draw a mask keeps it, and each later one draws the next round until
    /// its mask is free. The same values and key give the same answer in every run.
    pub fn make_unique(&mut self, rule: Rule, col: Column<'_>, values: impl IntoIterator<Item = Value>) -> Collisions {
        if matches!(rule, Rule::Clear | Rule::Null) {
            return Collisions::default();
        }
        let mut inputs: Vec<(Box<[u8]>, Value)> = values.into_iter().filter(|v| *v != Value::Null).map(|v| (Box::from(&*apply::identity((&v).into())), v)).collect();
        inputs.sort_by(|a, b| a.0.cmp(&b.0));
        inputs.dedup_by(|a, b| a.0 == b.0);
        let mut taken: HashMap<String, ()> = HashMap::with_capacity(inputs.len());
        let mut found = Collisions::default();
        for (id, v) in inputs {
            let mut placed = false;
            for round in 0..MAX_ROUNDS {
                let out = folded(&apply::apply(&self.key.hmac, rule, round, (&v).into(), col));
                if taken.insert(out, ()).is_none() {
                    if round > 0 {
                        self.rounds.insert((rule, id.clone()), round);
                        found.resolved += 1;
                    }
                    placed = true;
                    break;
                }
            }
            if !placed {
                found.unresolved += 1;
            }
        }
        found
    }
}

/// A masked value as a unique index compares it: text lower-cased without trailing spaces.
fn folded(v: &Value) -> String {
    match v {
        Value::Text(t) => t.trim_end_matches(' ').to_lowercase(),
        Value::Integer(i) => i.to_string(),
        Value::Real(f) => crate::value::f64_text(*f),
        Value::Blob(b) => crate::value::hex(b),
        Value::Null => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::LogicalType;

    fn masker(key: &[u8]) -> Masker {
        Masker::new(MaskKey::new(key, "a test").unwrap())
    }

    #[test]
    fn keys_shorter_than_sixteen_bytes_are_refused() {
        let cases: &[(&[u8], bool)] = &[(b"", false), (b"fifteen-bytes!!", false), (b"sixteen-bytes!!!", true), (&[0xff; 40], true)];
        for (k, ok) in cases {
            let r = MaskKey::new(k, "FERRY_MASK_KEY");
            assert_eq!(r.is_ok(), *ok, "{} bytes", k.len());
            if let Err(e) = r {
                let msg = e.to_string();
                assert!(msg.contains("at least 16 bytes") && msg.contains("FERRY_MASK_KEY"), "{msg}");
            }
        }
        let k = MaskKey::new(b"sixteen-bytes!!!", "x").unwrap();
        assert_eq!(k.fingerprint().len(), 12);
        assert!(!format!("{k:?}").contains("sixteen"), "Debug shows no key");
        assert_ne!(k.fingerprint(), MaskKey::new(b"sixteen-bytes!!?", "x").unwrap().fingerprint());
    }

    #[test]
    fn collisions_in_a_unique_column_are_resolved_the_same_way_every_run() {
        // keep_last:1 on two-digit codes: 10 first digits for 100 inputs, collisions certain.
        let rule = Rule::KeepLast(1);
        let ty = LogicalType::Text { max: Some(2) };
        let col = Column { logical: &ty, transform: None };
        let values: Vec<Value> = (0..100).map(|i| Value::Text(format!("{i:02}"))).collect();
        let mut m = masker(b"0123456789abcdef");
        let plain: std::collections::HashSet<String> = values.iter().map(|v| folded(&m.mask(rule, v.into(), col))).collect();
        assert!(plain.len() < 100, "the test needs collisions: {} distinct", plain.len());
        let found = m.make_unique(rule, col, values.iter().rev().cloned());
        assert_eq!(found.unresolved, 0);
        assert!(found.resolved as usize >= 100 - plain.len(), "{found:?}, {} distinct", plain.len());
        let masked: Vec<Value> = values.iter().map(|v| m.mask(rule, v.into(), col)).collect();
        let distinct: std::collections::HashSet<String> = masked.iter().map(folded).collect();
        assert_eq!(distinct.len(), 100, "every mask distinct");
        // Another run, the values in another order: the same masks.
        let mut again = masker(b"0123456789abcdef");
        again.make_unique(rule, col, values.iter().cloned());
        assert_eq!(masked, values.iter().map(|v| again.mask(rule, v.into(), col)).collect::<Vec<_>>());
        // Collisions are counted as an index compares: by case too.
        let mut m = masker(b"0123456789abcdef");
        let ci = m.make_unique(Rule::Clear, col, [Value::Text("a".into()), Value::Text("A".into())]);
        assert_eq!(ci, Collisions::default(), "clear values are not masked");
    }
}
