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

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use tauri::test::{mock_builder, mock_context, noop_assets};
    use tauri::WebviewWindowBuilder;

    /// Calls `cmd` with `args` through Tauri's real IPC, as the page does (ipc.ts).
    fn call(cmd: &str, args: Value) -> Value {
        let app = crate::setup(mock_builder()).build(mock_context(noop_assets())).expect("mock app builds");
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window opens");
        crate::commands::ipc_call(&window, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e}"))
    }

    /// Preview, apply and undo, with the arguments as the page sends them.
    #[test]
    fn bulk_commands_through_ipc() {
        let suggestion = json!({ "type": "boolean", "reason": "all 120 values are integers, 0 and 1 only → boolean?", "transform": "bool_01", "kind": "boolean", "confidence": "high" });
        let plan = json!({ "ferry_version": "0.1.0", "source": "s.sqlite", "dialect": "postgres", "tables": [
            { "source": "t", "target": "t", "columns": [{ "source": "is_paid", "target": "is_paid", "type": "bigint", "reason": "declared INTEGER", "suggestion": suggestion }] }
        ] });
        let decision = json!({ "verb": "take", "which": "high", "tables": null });
        let preview = call("bulk_preview", json!({ "plan": plan, "decision": decision }));
        assert_eq!((preview["changes"].as_array().unwrap().len(), preview["tables"].as_u64()), (1, Some(1)), "{preview}");
        let done = call("bulk_apply", json!({ "plan": plan, "decision": decision }));
        let col = &done["plan"]["tables"][0]["columns"][0];
        assert_eq!((col["type"].as_str(), col["transform"].as_str()), (Some("boolean"), Some("bool_01")), "{col}");
        assert!(col["reason"].as_str().unwrap().starts_with("suggestion accepted: all 120 values"), "{col}");
        let back = call("bulk_undo", json!({ "plan": done["plan"], "undo": done["undo"] }));
        let want: ferry_core::plan::Plan = serde_json::from_value(plan).unwrap();
        assert_eq!(serde_json::from_value::<ferry_core::plan::Plan>(back).unwrap(), want);
    }
}
