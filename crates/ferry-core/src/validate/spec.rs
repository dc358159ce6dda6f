//! What is compared: a table's loaded columns, their transforms and its key, and how keys
//! order.

use crate::plan::resolve::PlannedTable;
use crate::schema::LogicalType;
use serde_json::Value as J;
use std::cmp::Ordering;

use super::canonical::{float_of, float_text, shown, Row};

/// A table's compared columns (loaded ones: generated columns are computed by the target)
/// and its key.
pub(crate) struct Spec {
    /// (source name, target name, logical type, source position)
    pub(crate) cols: Vec<(String, String, LogicalType, usize)>,
    /// The plan's transform of each column in `cols`, as the load applied it.
    pub(crate) transforms: Vec<Option<crate::convert::Transform>>,
    /// The plan's pre-flight choices for refused values (set NULL, strip NULs), by source
    /// column, as the load applied them.
    pub(crate) choices: crate::plan::choices::ValueChoices,
    pub(crate) key: Vec<usize>,
    pub(crate) key_what: String,
}

impl Spec {
    pub(crate) fn new(t: &PlannedTable) -> Spec {
        let mut cols: Vec<(String, String, LogicalType, usize)> =
            t.columns.iter().filter(|c| c.generated_sql.is_none()).map(|c| (c.source.clone(), c.name.clone(), c.logical.clone(), c.source_index)).collect();
        // A column only the target has (Citus: the distribution column of a table that reaches
        // it through foreign keys): read after the source's columns, through its parents.
        let added = t.added.as_ref().map(|a| (a.name.clone(), a.name.clone(), a.logical.clone(), t.source.columns.len()));
        let pos = |src: &str| cols.iter().position(|c| c.0.eq_ignore_ascii_case(src));
        let all = |names: &[String]| names.iter().map(|n| pos(n)).collect::<Option<Vec<usize>>>();
        let not_null = |names: &[String]| names.iter().all(|n| t.column(n).is_some_and(|c| c.not_null));
        let mut key = vec![];
        let mut key_what = String::new();
        let pk = t.pk_columns();
        if let Some(k) = all(&pk).filter(|k| !k.is_empty()) {
            key = k;
            key_what = "primary key".into();
        } else {
            let uniques = t.source.uniques.iter().map(|u| u.columns.clone()).chain(t.source.indexes.iter().filter(|i| i.unique && i.where_clause.is_none()).filter_map(|i| {
                i.parts
                    .iter()
                    .map(|p| match p {
                        crate::schema::IndexPart::Column { name, .. } => Some(name.clone()),
                        _ => None,
                    })
                    .collect::<Option<Vec<String>>>()
            }));
            for u in uniques {
                if let Some(k) = all(&u).filter(|k| !k.is_empty() && not_null(&u)) {
                    key = k;
                    key_what = "NOT NULL UNIQUE".into();
                    break;
                }
            }
        }
        let mut transforms: Vec<_> = t.columns.iter().filter(|c| c.generated_sql.is_none()).map(|c| c.transform).collect();
        if let Some(a) = added {
            cols.push(a);
            transforms.push(None);
        }
        Spec { choices: Default::default(), cols, transforms, key, key_what }
    }

    pub(crate) fn typed(&self) -> Vec<(String, LogicalType)> {
        self.cols.iter().map(|c| (c.1.clone(), c.2.clone())).collect()
    }

    pub(crate) fn key_names(&self) -> Vec<String> {
        self.key.iter().map(|&i| self.cols[i].0.clone()).collect()
    }

    pub(crate) fn cmp_keys(&self, a: &Row, b: &Row) -> Ordering {
        for &i in &self.key {
            let o = cmp_values(&self.cols[i].2, a.get(i), b.get(i));
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }

    /// A merge of two streams ordered by key (validate's pairing, sync's diff): which side's
    /// row comes next — `Less` the source's alone, `Greater` the target's alone, `Equal` both,
    /// paired; `None` once both have run out.
    pub(crate) fn merge_step(&self, a: Option<&Row>, b: Option<&Row>) -> Option<Ordering> {
        match (a, b) {
            (None, None) => None,
            (Some(_), None) => Some(Ordering::Less),
            (None, Some(_)) => Some(Ordering::Greater),
            (Some(x), Some(y)) => Some(self.cmp_keys(x, y)),
        }
    }

    /// A stream that gave `next` after `prev` out of key order (a merge needs both sides in
    /// the same order), said as what went wrong; `None` in order or at the stream's end.
    pub(crate) fn out_of_order(&self, prev: &Row, next: Option<&Row>, side: &str) -> Option<String> {
        match next {
            Some(n) if self.cmp_keys(prev, n) != Ordering::Less => Some(format!("the {side} returned key {} after {}", self.key_json(n), self.key_json(prev))),
            _ => None,
        }
    }

    /// The row's key as a report names it: `{"id": 7}`; numbers as numbers.
    pub(crate) fn key_json(&self, r: &Row) -> J {
        let idx: Vec<usize> = if self.key.is_empty() { (0..self.cols.len()).collect() } else { self.key.clone() };
        let mut m = serde_json::Map::new();
        for i in idx {
            let (name, _, t, _) = &self.cols[i];
            let v = match (r.get(i), t) {
                (None, _) => J::Null,
                (Some(s), LogicalType::Integer { .. }) => s.parse::<i64>().map(J::from).unwrap_or_else(|_| J::String(s.into())),
                (Some(s), LogicalType::Float) => J::String(float_text(s)),
                (Some(s), _) => J::String(shown(Some(s)).unwrap_or_default()),
            };
            m.insert(name.clone(), v);
        }
        J::Object(m)
    }
}

/// Orders two canonical values as both databases order the key: numbers by value, the rest
/// by bytes (SQLite BINARY, PostgreSQL `COLLATE "C"`, MySQL's binary collation).
pub(crate) fn cmp_values(t: &LogicalType, a: Option<&str>, b: Option<&str>) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, _) => return Ordering::Less,
        (_, None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a, b),
    };
    match t {
        LogicalType::Integer { .. } => match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.as_bytes().cmp(b.as_bytes()),
        },
        LogicalType::Float => match (float_of(a), float_of(b)) {
            (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => a.as_bytes().cmp(b.as_bytes()),
        },
        LogicalType::Decimal { .. } => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => a.as_bytes().cmp(b.as_bytes()),
        },
        _ => a.as_bytes().cmp(b.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_the_databases_do() {
        use LogicalType::*;
        let cases = [
            (Integer { bits: 64 }, "9", "10", Ordering::Less),
            (Integer { bits: 64 }, "-1", "-10", Ordering::Greater),
            (Decimal { precision: None, scale: None }, "2.5", "10", Ordering::Less),
            (Text { max: None }, "B", "a", Ordering::Less),
            (Text { max: None }, "é", "z", Ordering::Greater),
            (Uuid, "0b9e1d6c-0000-4c1e-8d43-5a2b7e3f9c10", "0b9e1d6c-ffff-4c1e-8d43-5a2b7e3f9c10", Ordering::Less),
        ];
        for (t, a, b, want) in cases {
            assert_eq!(cmp_values(&t, Some(a), Some(b)), want, "{a} vs {b}");
        }
        assert_eq!(cmp_values(&Text { max: None }, None, Some("")), Ordering::Less);
    }
}
