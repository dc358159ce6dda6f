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
            (t.source.name.clone(), ViewSource::of_table(&t.name, cols))
        })
        .collect()
}

/// The views still to make, handed out one at a time in an order that works.
pub struct ViewQueue {
    dialect: Dialect,
    sources: HashMap<String, ViewSource>,
    /// Not yet made, in the file's order: (view, its SELECT or why it could not be read).
    pending: Vec<(View, Result<String, String>)>,
    /// The result columns of the view handed out last, where known.
    columns: Option<HashMap<String, crate::sqlexpr::ViewColumn>>,
}

impl ViewQueue {
    pub fn new<'p>(dialect: Dialect, planned: impl IntoIterator<Item = &'p PlannedTable>, views: &[View]) -> ViewQueue {
        let mut sources = table_sources(planned);
        let pending: Vec<(View, Result<String, String>)> = views
            .iter()
            .map(|v| (v.clone(), crate::source::sqlite::parse::view_select(&v.sql).map_err(|e| format!("its definition could not be read: {e}"))))
            .collect();
        for (v, _) in &pending {
            sources.insert(v.name.clone(), ViewSource { target: v.name.clone(), columns: None, status: ViewStatus::Pending });
        }
        ViewQueue { dialect, sources, pending, columns: None }
    }

    /// The next view that can be made now, with its translated SELECT; `None` when every
    /// view left waits for one that was not made or cannot be translated.
    pub fn next(&mut self) -> Option<(View, String)> {
        for i in 0..self.pending.len() {
            let Ok(select) = &self.pending[i].1 else { continue };
            if let Ok(t) = crate::sqlexpr::translate_view(select, self.dialect, &self.sources) {
                let (v, _) = self.pending.remove(i);
                self.columns = t.columns;
                return Some((v, t.sql));
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
                    Ok(s) => match crate::sqlexpr::translate_view(s, self.dialect, &self.sources) {
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
