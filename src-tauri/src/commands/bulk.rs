//! Deciding once for many columns in Schema & mapping: what a decision would change, carrying
//! it out (with what undoes it), and undoing it — all by `ferry_core::plan::bulk`, on the plan
//! the page holds, so the page's plan is what choosing each column alone would have made.

use ferry_core::plan::bulk::{self, BulkDecision, BulkPreview, BulkUndo};
use ferry_core::plan::Plan;
use serde::Serialize;
use ts_rs::TS;

/// A decision carried out: the plan after it, what it changed, and what undoes it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BulkApplied {
    pub plan: Plan,
    pub preview: BulkPreview,
    pub undo: BulkUndo,
}

/// What `decision` would change in `plan`; nothing changes.
#[tauri::command]
pub fn bulk_preview(plan: Plan, decision: BulkDecision) -> BulkPreview {
    bulk::preview(&plan, &decision)
}

#[tauri::command]
pub fn bulk_apply(mut plan: Plan, decision: BulkDecision) -> BulkApplied {
    let preview = bulk::preview(&plan, &decision);
    let undo = bulk::apply(&mut plan, &decision);
    BulkApplied { plan, preview, undo }
}

#[tauri::command]
pub fn bulk_undo(mut plan: Plan, undo: BulkUndo) -> Plan {
    bulk::undo(&mut plan, &undo);
    plan
}
