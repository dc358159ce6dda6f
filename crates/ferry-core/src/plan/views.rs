//! The views of a run, in the order they can be made: what each reads (the planned tables,
//! typed, and the views made before it, typed where their result columns are known),
//! translated with `sqlexpr::translate_view`. A view
//! that reads another view waits until that one is made, whatever their order in the file;
//! one that reads a view that could not be made is refused with both reasons.

use std::collections::HashMap;

use crate::dialect::Dialect;
use crate::plan::resolve::PlannedTable;
use crate::schema::View;
use crate::sqlexpr::{ViewSource, ViewStatus};

/// The tables a view may read, with their columns' target names, types and SQLite
/// affinities.
pub fn table_sources<'p>(planned: impl IntoIterator<Item = &'p PlannedTable>) -> HashMap<String, ViewSource> {
    let planned: Vec<&PlannedTable> = planned.into_iter().collect();
    // Citus: each distributed table's distribution column (target names).
    let shard_column: HashMap<&str, &str> = planned
        .iter()
        .filter_map(|t| t.distribution_column().map(|c| (t.name.as_str(), c)))
        .collect();
    planned
        .into_iter()
        .map(|t| {
            let cols = t.columns.iter().map(|c| {
                let declared = t.source.column(&c.source).map(|s| s.declared_type.clone()).unwrap_or_default();
                // 0/1 integers read as booleans are what the translator's booleans stand for;
                // the other transforms change what SQLite would compare.
                let changed = c.transform.is_some_and(|t| t != crate::convert::Transform::Bool01);
                (c.source.clone(), c.name.clone(), c.logical.clone(), changed, declared)
            });
            let mut source = ViewSource::of_table(&t.name, cols);
            // Numbers loaded as their timestamp (epoch seconds: what SQLite's 'unixepoch' reads).
            use crate::convert::Transform as T;
            for c in t.columns.iter() {
                if let (Some(tr @ (T::EpochS | T::EpochMs | T::JulianDay)), crate::schema::LogicalType::Timestamp { tz }) = (c.transform, &c.logical) {
                    source = source.with_time_of_number(&c.source, tr.name(), *tz);
                }
            }
            // Citus: the rest of a key between co-located tables that includes both shard columns.
            if let Some(own) = shard_column.get(t.name.as_str()) {
                for fk in &t.foreign_keys {
                    let Some(theirs) = shard_column.get(fk.ref_table.as_str()) else { continue };
                    let pairs: Vec<(&String, &String)> = fk.target_columns.iter().zip(&fk.ref_columns).collect();
                    if !pairs.iter().any(|(a, b)| a == own && b == theirs) {
                        continue;
                    }
                    if let [(x, y)] = pairs.iter().filter(|(a, b)| !(a == own && b == theirs)).collect::<Vec<_>>().as_slice() {
                        if let Some(c) = t.columns.iter().find(|c| c.name == **x) {
                            let join = crate::sqlexpr::SameShard { table: fk.ref_table.clone(), column: (*y).clone(), own: own.to_string(), theirs: theirs.to_string() };
                            source = source.with_same_shard(&c.source, join);
                        }
                    }
                }
            }
            // A one-column SQLite key the target widened (Citus, partitions).
            if let (Some(pk), Some((_, target_key))) = (t.source.primary_key.as_ref(), t.primary_key.as_ref()) {
                if let [one] = pk.columns.as_slice() {
                    let own = t.columns.iter().find(|c| c.source == *one).map(|c| c.name.clone());
                    let added: Vec<String> = target_key.iter().filter(|k| Some(*k) != own.as_ref()).cloned().collect();
                    if own.is_some_and(|o| target_key.contains(&o)) && !added.is_empty() {
                        source = source.with_key_widened(one, added);
                    }
                }
            }
            (t.source.name.clone(), source)
        })
        .collect()
}

/// The views still to make, handed out one at a time in an order that works.
pub struct ViewQueue {
    dialect: Dialect,
    sources: HashMap<String, ViewSource>,
    /// Not yet made, in the file's order: (view, the names it gives its columns and its
    /// SELECT, or why it could not be read).
    pending: Vec<(View, Result<(Vec<String>, String), String>)>,
    /// The result columns of the view handed out last, where known.
    columns: Option<HashMap<String, crate::sqlexpr::ViewColumn>>,
}

impl ViewQueue {
    pub fn new<'p>(dialect: Dialect, planned: impl IntoIterator<Item = &'p PlannedTable>, views: &[View]) -> ViewQueue {
        let mut sources = table_sources(planned);
        let pending: Vec<(View, Result<(Vec<String>, String), String>)> = views
            .iter()
            .map(|v| (v.clone(), crate::source::sqlite::parse::parse_create_view(&v.sql).map_err(|e| format!("its definition could not be read: {e}"))))
            .collect();
        for (v, _) in &pending {
            sources.insert(v.name.clone(), ViewSource { target: v.name.clone(), columns: None, status: ViewStatus::Pending });
        }
        ViewQueue { dialect, sources, pending, columns: None }
    }

    /// The next view that can be made now, with the names it gives its columns (empty for
    /// none) and its translated SELECT; `None` when every view left waits for one that was
    /// not made or cannot be translated.
    pub fn next(&mut self) -> Option<(View, Vec<String>, String)> {
        for i in 0..self.pending.len() {
            let Ok((names, select)) = &self.pending[i].1 else { continue };
            if let Ok(t) = crate::sqlexpr::translate_named_view(select, names, self.dialect, &self.sources) {
                let (v, read) = self.pending.remove(i);
                self.columns = t.columns;
                return Some((v, read.map(|(n, _)| n).unwrap_or_default(), t.sql));
            }
        }
        None
    }

    /// The view handed out last was made (`Ok`) or the target refused it (`Err`, why): the
    /// views that read it follow it, or say why they cannot.
    pub fn done(&mut self, name: &str, made: Result<(), String>) {
        let columns = self.columns.take();
        let (status, columns) = match made {
            Ok(()) => (ViewStatus::Made, columns),
            Err(e) => (ViewStatus::Refused(e), None),
        };
        self.sources.insert(name.to_string(), ViewSource { target: name.to_string(), columns, status });
    }

    /// The views that cannot be made, each with the reason (`next` has returned `None`).
    pub fn refused(mut self) -> Vec<(View, String)> {
        let mut out = Vec::new();
        // Those refused for a reason of their own first, then those that read them.
        while !self.pending.is_empty() {
            let mut settled = None;
            for i in 0..self.pending.len() {
                let reason = match &self.pending[i].1 {
                    Err(e) => e.clone(),
                    Ok((names, s)) => match crate::sqlexpr::translate_named_view(s, names, self.dialect, &self.sources) {
                        Err(e) if e.contains(crate::sqlexpr::PENDING_VIEW) => continue,
                        Err(e) => e,
                        Ok(_) => "it reads a view that was not made".to_string(),
                    },
                };
                settled = Some((i, reason));
                break;
            }
            // Views that read each other, or nothing left to settle.
            let (i, reason) = settled.unwrap_or_else(|| (0, "it reads views that read it in turn".to_string()));
            let (v, _) = self.pending.remove(i);
            self.sources.insert(v.name.clone(), ViewSource { target: v.name.clone(), columns: None, status: ViewStatus::Refused(reason.clone()) });
            out.push((v, reason));
        }
        out
    }
}
