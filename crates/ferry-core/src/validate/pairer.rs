//! Pairing rows of the same key offered from both sides in any order.

use std::collections::HashMap;

use super::canonical::Row;
use super::spec::Spec;

/// Rows held unpaired in `compare_in_load_order` before it gives up on the two orders agreeing.
pub(crate) const UNPAIRED_BYTES: usize = 32 << 20;

/// Pairs rows of the same key offered from both sides in any order. A row whose partner has
/// not come yet waits in a map; what still waits at the end is missing (source) or extra
/// (target). Memory grows with how far the two orders disagree, up to a budget.
pub(crate) struct Pairer {
    key: Vec<usize>,
    source: HashMap<Vec<u8>, Row>,
    target: HashMap<Vec<u8>, Row>,
    bytes: usize,
    budget: usize,
    /// A key came twice from one side: rows cannot be paired by it.
    repeated: bool,
}

impl Pairer {
    pub(crate) fn new(key: Vec<usize>, budget: usize) -> Pairer {
        Pairer { key, source: HashMap::new(), target: HashMap::new(), bytes: 0, budget, repeated: false }
    }

    /// Offers a source row (`from_source`) or a target row: the pair (source, target) when its
    /// partner was waiting, else it waits.
    pub(crate) fn offer(&mut self, from_source: bool, r: Row) -> Option<(Row, Row)> {
        let k = r.key_bytes(&self.key);
        let (mine, theirs) = if from_source { (&mut self.source, &mut self.target) } else { (&mut self.target, &mut self.source) };
        match theirs.remove(&k) {
            Some(other) => {
                self.bytes -= other.bytes();
                Some(if from_source { (r, other) } else { (other, r) })
            }
            None => {
                self.bytes += r.bytes();
                self.repeated |= mine.insert(k, r).is_some();
                None
            }
        }
    }

    /// Pairing by this key cannot go on: a key repeated, or the rows waiting outgrew the budget.
    pub(crate) fn stuck(&self) -> bool {
        self.repeated || self.bytes > self.budget
    }

    /// The rows that never met their partner, each side in key order: (source, target).
    pub(crate) fn unpaired(self, spec: &Spec) -> (Vec<Row>, Vec<Row>) {
        let sorted = |m: HashMap<Vec<u8>, Row>| {
            let mut v: Vec<Row> = m.into_values().collect();
            v.sort_by(|x, y| spec.cmp_keys(x, y));
            v
        };
        (sorted(self.source), sorted(self.target))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::LogicalType;

    /// A one-column-key row: (key, value); `None` key for a NULL.
    fn row(key: Option<&str>, value: &str) -> Row {
        let mut r = Row::with_columns(2);
        r.push(key);
        r.push(Some(value));
        r
    }

    #[test]
    fn rows_pair_by_key_whatever_order_they_come_in() {
        let spec = Spec { cols: vec![("k".into(), "k".into(), LogicalType::Integer { bits: 64 }, 0), ("v".into(), "v".into(), LogicalType::Text { max: None }, 1)], transforms: vec![None, None], choices: Default::default(), key: vec![0], key_what: "primary key".into() };
        // (source keys in order, target keys in order, pairs made, missing, extra, stuck)
        type Case = (&'static [Option<&'static str>], &'static [Option<&'static str>], usize, &'static [&'static str], &'static [&'static str], bool);
        let cases: &[Case] = &[
            (&[Some("1"), Some("2"), Some("3")], &[Some("3"), Some("1"), Some("2")], 3, &[], &[], false),
            (&[Some("1"), Some("2"), Some("3")], &[Some("2"), Some("4")], 1, &["1", "3"], &["4"], false),
            (&[Some("10"), Some("9"), Some("100")], &[], 0, &["9", "10", "100"], &[], false),
            (&[], &[Some("5")], 0, &[], &["5"], false),
            // A key twice from one side: pairing by it stops (the caller compares otherwise).
            (&[Some("1"), Some("1")], &[Some("2")], 0, &["1"], &["2"], true),
            (&[None, None], &[], 0, &[], &[], true),
            // One NULL key pairs with the other side's NULL key.
            (&[None], &[None], 1, &[], &[], false),
        ];
        for (src, tgt, pairs, missing, extra, stuck) in cases {
            let mut p = Pairer::new(vec![0], 1 << 20);
            let mut made = 0;
            for (i, k) in src.iter().enumerate() {
                if let Some((x, y)) = p.offer(true, row(*k, &format!("s{i}"))) {
                    assert_eq!((x.get(1).unwrap().as_bytes()[0], y.get(1).unwrap().as_bytes()[0]), (b's', b't'));
                    assert_eq!(x.get(0), y.get(0));
                    made += 1;
                }
            }
            for (i, k) in tgt.iter().enumerate() {
                if let Some((x, y)) = p.offer(false, row(*k, &format!("t{i}"))) {
                    assert_eq!((x.get(1).unwrap().as_bytes()[0], y.get(1).unwrap().as_bytes()[0]), (b's', b't'));
                    made += 1;
                }
            }
            assert_eq!((made, p.stuck()), (*pairs, *stuck), "{src:?} / {tgt:?}");
            if !stuck {
                let (m, e) = p.unpaired(&spec);
                let keys = |v: &[Row]| v.iter().map(|r| r.get(0).unwrap().to_string()).collect::<Vec<_>>();
                assert_eq!((keys(&m), keys(&e)), (missing.iter().map(|s| s.to_string()).collect::<Vec<_>>(), extra.iter().map(|s| s.to_string()).collect::<Vec<_>>()), "{src:?} / {tgt:?}");
            }
        }
        // Past the budget, pairing stops; a pair made frees what its partner held.
        let mut p = Pairer::new(vec![0], 3 * row(Some("1"), "s").bytes());
        for k in ["1", "2", "3"] {
            assert!(p.offer(true, row(Some(k), "s")).is_none());
        }
        assert!(!p.stuck());
        assert!(p.offer(false, row(Some("2"), "t")).is_some());
        assert!(p.offer(true, row(Some("4"), "s")).is_none());
        assert!(!p.stuck());
        assert!(p.offer(true, row(Some("5"), "s")).is_none());
        assert!(p.stuck());
    }
}
