//! Production features in the app (`ferry plan --production`): proposing them for the open
//! file under the user's plan, and taking or leaving one. The plan stays the page's (as with
//! masks): each command takes it and gives it back, and Save writes `[[production]]` with it.

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::state::AppState;
use ferry_core::plan::production::Proposal;
use ferry_core::plan::Plan;
use tauri::State;

/// `plan` with `production` proposed afresh for the open file (`plan::production::propose`,
/// every proposal with its evidence, note and SQL). Where a proposal was there before (same
/// table, kind, columns, form, key and predicate), the user's accept is kept; proposals no
/// longer made are dropped.
#[tauri::command]
pub async fn propose_production(state: State<'_, AppState>, plan: Plan) -> IpcResult<Plan> {
    let l = state.loaded()?;
    super::blocking(move || {
        let mut plan = plan;
        let fresh = ferry_core::plan::production::propose(&l.schema, &plan, &l.path)?;
        plan.production = keep_choices(fresh, &plan.production);
        Ok(plan)
    })
    .await
}

/// `plan` with proposal `index` taken (`accept`) or left. Taking one the engine would refuse
/// (its table skipped, a column the file does not have, a parameter its kind cannot take) is
/// refused as `invalid`, with the engine's words; leaving one is always allowed.
#[tauri::command]
pub fn set_production_accept(state: State<'_, AppState>, plan: Plan, index: usize, accept: bool) -> IpcResult<Plan> {
    let l = state.loaded()?;
    let mut plan = plan;
    let n = plan.production.len();
    let Some(p) = plan.production.get_mut(index) else {
        return Err(IpcError::new(ErrorKind::Invalid, format!("no production proposal {} (the plan has {n}): propose again", index + 1)));
    };
    p.accept = accept;
    if accept {
        let at = format!("[[production]] {} ", index + 1);
        let problems: Vec<String> = ferry_core::plan::production::problems(&plan, &l.schema).into_iter().filter(|m| m.starts_with(&at)).collect();
        if !problems.is_empty() {
            return Err(IpcError::new(ErrorKind::Invalid, problems.join("; ")));
        }
    }
    Ok(plan)
}

/// Whether two proposals are the same proposal (the user's choice on one holds for the
/// other): table, kind, columns, form, key and predicate; evidence, note and SQL may differ
/// (the data moved on).
fn same(a: &Proposal, b: &Proposal) -> bool {
    a.table == b.table && a.kind == b.kind && a.columns == b.columns && a.using == b.using && a.key == b.key && a.predicate == b.predicate
}

/// `fresh` with each proposal's accept taken from the same one in `earlier`, if any.
fn keep_choices(mut fresh: Vec<Proposal>, earlier: &[Proposal]) -> Vec<Proposal> {
    for p in &mut fresh {
        if let Some(e) = earlier.iter().find(|e| same(e, p)) {
            p.accept = e.accept;
        }
    }
    fresh
}

#[cfg(test)]
mod tests {
    use super::super::safety::tests::{app, call, temp_dir};
    use super::*;
    use ferry_core::plan::production::ProposalKind;
    use serde_json::{json, Value};
    use tauri::Manager;

    fn proposal(table: &str, kind: ProposalKind, columns: &[&str], accept: bool) -> Proposal {
        let mut p = Proposal::new(table, kind, format!("{} on {table}", kind.name()));
        p.columns = columns.iter().map(|c| c.to_string()).collect();
        p.accept = accept;
        p
    }

    #[test]
    fn choices_follow_the_same_proposal_and_only_it() {
        let with = |mut p: Proposal, f: &dyn Fn(&mut Proposal)| {
            f(&mut p);
            p
        };
        let base = proposal("orders", ProposalKind::JsonIndex, &["metadata"], true);
        // (what the user had, what is proposed now, the accept it ends with)
        let cases: Vec<(Proposal, Proposal, bool)> = vec![
            (with(base.clone(), &|p| p.accept = false), base.clone(), false),
            (base.clone(), with(base.clone(), &|p| p.accept = false), true),
            // The figures moved on: still the same proposal.
            (with(base.clone(), &|p| p.accept = false), with(base.clone(), &|p| { p.evidence = "other figures".into(); p.sql = vec!["CREATE INDEX x".into()] }), false),
            // Another column, form, key, predicate, table or kind: the fresh proposal's own.
            (with(base.clone(), &|p| p.accept = false), with(base.clone(), &|p| p.columns = vec!["tags".into()]), true),
            (with(base.clone(), &|p| p.accept = false), with(base.clone(), &|p| p.using = Some("jsonb_ops".into())), true),
            (with(base.clone(), &|p| p.accept = false), with(base.clone(), &|p| p.key = Some("$.source".into())), true),
            (with(base.clone(), &|p| p.accept = false), with(base.clone(), &|p| p.predicate = Some("is_active = 1".into())), true),
            (with(base.clone(), &|p| p.accept = false), with(base.clone(), &|p| p.table = "events".into()), true),
            (with(base.clone(), &|p| p.accept = false), with(base.clone(), &|p| p.kind = Some(ProposalKind::Search)), true),
        ];
        for (i, (earlier, fresh, want)) in cases.into_iter().enumerate() {
            let got = keep_choices(vec![fresh], std::slice::from_ref(&earlier));
            assert_eq!(got[0].accept, want, "case {i}: {earlier:?} then {:?}", got[0]);
        }
        // Proposals no longer made are dropped; none made, none kept.
        assert!(keep_choices(vec![], &[base]).is_empty());
    }

    /// The demo's plan with two proposals filled by hand (the kinds' own proposals are tested
    /// in ferry-core): a JSON index taken, an extension with a trade-off left.
    fn hand_filled(plan: &Value) -> Value {
        let mut plan = plan.clone();
        let mut json = proposal("products", ProposalKind::JsonIndex, &["attributes"], true);
        json.using = Some("jsonb_path_ops".into());
        json.sql = vec!["CREATE INDEX products_attributes_gin ON products USING gin (attributes jsonb_path_ops)".into()];
        let mut ext = proposal("", ProposalKind::Extension, &[], false);
        ext.using = Some("pg_stat_statements".into());
        ext.note = Some("needs shared_preload_libraries and a restart of the server".into());
        ext.sql = vec!["CREATE EXTENSION IF NOT EXISTS pg_stat_statements".into()];
        plan["production"] = serde_json::to_value(vec![json, ext]).unwrap();
        plan
    }

    #[test]
    fn production_through_ipc_proposes_keeps_choices_and_refuses_what_the_engine_would() {
        let dir = temp_dir("production");
        let source = dir.join("demo.sqlite");
        ferry_core::demo::build(&source, 200, true).expect("the demo builds");
        let (app_, w) = app(&dir.join("data"));
        app_.state::<AppState>().grants.grant_dropped(std::slice::from_ref(&dir));

        call(&w, "open_source", json!({ "path": source.display().to_string() })).expect("the source opens");
        let proposed = call(&w, "propose_plan", json!({ "dialect": "postgres" })).unwrap();
        // In an app with no file open: the kind the page sends the user to Connections for.
        let (_bare, w0) = app(&dir.join("bare"));
        for (cmd, args) in [("propose_production", json!({ "plan": proposed })), ("set_production_accept", json!({ "plan": proposed, "index": 0, "accept": true }))] {
            assert_eq!(call(&w0, cmd, args).unwrap_err()["kind"], "no_source", "{cmd}");
        }

        // Proposed: what the engine proposes for this file and plan, every field as it made it.
        let plan = call(&w, "propose_production", json!({ "plan": proposed })).expect("production is proposed");
        let l = app_.state::<AppState>().loaded().unwrap();
        let engine = ferry_core::plan::production::propose(&l.schema, &serde_json::from_value(proposed.clone()).unwrap(), &l.path).unwrap();
        // (The plan leaves an empty list out, as its file does.)
        let production = |plan: &Value| plan.get("production").cloned().unwrap_or_else(|| json!([]));
        assert_eq!(production(&plan), serde_json::to_value(&engine).unwrap());
        assert_eq!(plan["tables"], proposed["tables"], "the rest of the plan is the user's");

        // Taken and left, one at a time.
        let filled = hand_filled(&proposed);
        let left = call(&w, "set_production_accept", json!({ "plan": filled, "index": 0, "accept": false })).unwrap();
        assert_eq!((&left["production"][0]["accept"], &left["production"][1]["accept"]), (&json!(false), &json!(false)));
        let taken = call(&w, "set_production_accept", json!({ "plan": left, "index": 1, "accept": true })).unwrap();
        assert_eq!((&taken["production"][0]["accept"], &taken["production"][1]["accept"]), (&json!(false), &json!(true)));
        assert_eq!(taken["production"][1]["note"], filled["production"][1]["note"], "nothing else changes");

        // Saved as the project file and read back: the choices are in `[[production]]`.
        let file = dir.join("plan.toml");
        call(&w, "save_plan", json!({ "plan": taken, "path": file.display().to_string() })).expect("the plan saves");
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("[[production]]") && text.contains("kind = \"extension\""), "{text}");
        let back = call(&w, "open_plan", json!({ "path": file.display().to_string() })).expect("the plan reads back");
        assert_eq!(back["production"], taken["production"]);

        // Refused with the engine's words: out of range, a column the file lacks, a skipped table.
        let e = call(&w, "set_production_accept", json!({ "plan": taken, "index": 2, "accept": true })).unwrap_err();
        assert_eq!(e["kind"], "invalid", "{e}");
        assert!(e["message"].as_str().unwrap().contains("no production proposal 3 (the plan has 2)"), "{e}");
        let mut hostile = taken.clone();
        hostile["production"][0]["columns"] = json!(["no_such_column"]);
        let e = call(&w, "set_production_accept", json!({ "plan": hostile, "index": 0, "accept": true })).unwrap_err();
        assert_eq!(e["kind"], "invalid", "{e}");
        assert!(e["message"].as_str().unwrap().contains("column products.no_such_column is not in the source"), "{e}");
        // Leaving it is always allowed.
        call(&w, "set_production_accept", json!({ "plan": hostile, "index": 0, "accept": false })).expect("a proposal can always be left");
        let mut skipped = taken.clone();
        for t in skipped["tables"].as_array_mut().unwrap().iter_mut().filter(|t| t["source"] == "products") {
            t["skip"] = json!(true);
        }
        let e = call(&w, "set_production_accept", json!({ "plan": skipped, "index": 0, "accept": true })).unwrap_err();
        assert!(e["kind"] == "invalid" && e["message"].as_str().unwrap().contains("table products is skipped by the plan"), "{e}");

        // Proposed again over the user's plan: what the engine still proposes keeps their
        // choice, and what it does not propose any more is gone.
        let again = call(&w, "propose_production", json!({ "plan": taken })).unwrap();
        let mut want = engine.clone();
        let earlier: Vec<Proposal> = serde_json::from_value(taken["production"].clone()).unwrap();
        for p in &mut want {
            if let Some(e) = earlier.iter().find(|e| same(e, p)) {
                p.accept = e.accept;
            }
        }
        assert_eq!(production(&again), serde_json::to_value(&want).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
