//! `[[production]]` proposals of kind `json` (see mod.rs).

use super::proposal::Proposal;
use crate::dialect::{Dialect, Names};
use crate::error::Result;
use crate::plan::model::Plan;
use crate::plan::planned::PlannedTable;
use crate::schema::Schema;
use std::path::Path;

/// The proposals for this schema; `conn` reads the source (`path` names it in messages).
pub fn propose(_schema: &Schema, _plan: &Plan, _dialect: Dialect, _conn: &rusqlite::Connection, _path: &Path) -> Result<Vec<Proposal>> {
    Ok(vec![])
}

/// What is wrong with one proposal's parameters.
pub fn check(_p: &Proposal, _plan: &Plan, _schema: &Schema) -> Vec<String> {
    vec![]
}

/// One accepted proposal applied to the planned tables.
pub fn apply(_p: &Proposal, _tables: &mut [PlannedTable], _schema: &Schema, _dialect: Dialect, _names: &mut Names) -> Result<()> {
    Ok(())
}
