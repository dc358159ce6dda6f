//! The source's triggers, made once every row is in (so none fires during the copy): each
//! translated (`sqlexpr::translate_trigger`) and made the target's way (`Ddl::create_trigger`);
//! one that cannot be is named in the report with the reason and its SQLite definition.

use std::collections::HashMap;
use std::sync::Arc;

use crate::dialect::session::{db_message, Conn};
use crate::plan::resolve::PlannedTable;
use crate::report::CreatedKind;
use crate::schema::Trigger;
use crate::sqlexpr::{translate_trigger, TriggerContext, TriggerTable};
use super::shared::Shared;

/// The run's tables as a trigger's body sees them, by source name.
pub(crate) fn trigger_tables<'t>(tables: impl IntoIterator<Item = &'t PlannedTable>) -> HashMap<String, TriggerTable> {
    tables
        .into_iter()
        .map(|t| {
            let order = t.source.columns.iter().map(|c| c.name.clone()).filter(|n| t.column_map.contains_key(n)).collect();
            (t.source.name.clone(), TriggerTable { name: t.name.clone(), columns: t.column_map.clone(), order, identity: t.identity.as_ref().map(|(c, _)| c.clone()), key: t.primary_key.as_ref().and_then(|(_, cols)| match cols.as_slice() {
                [one] => Some(one.clone()),
                // Citus put its distribution column before the source's one-column key: that
                // column was unique alone in the source, so `WHERE key = NEW.key` meant the
                // row the trigger fired for.
                [dc, one] if t.distribution_column() == Some(dc.as_str()) && t.source.primary_key.as_ref().is_some_and(|p| p.columns.len() == 1) => Some(one.clone()),
                _ => None,
            }) })
        })
        .collect()
}

pub(super) async fn make_triggers(sh: &Shared, tables: &[Arc<PlannedTable>], triggers: &[Trigger], conn: &mut Conn) {
    let map = trigger_tables(tables.iter().map(|t| t.as_ref()));
    let ctx = TriggerContext { dialect: sh.dialect, tables: &map, triggers };
    let ddl = sh.target.ddl();
    for tr in triggers {
        let object = format!("trigger {}", tr.name);
        let made = translate_trigger(&tr.sql, &ctx).and_then(|t| {
            let on = tables.iter().find(|p| p.name == t.table).map(|p| p.as_ref());
            ddl.create_trigger(&t, on).map(|stmts| (t, stmts))
        });
        let (t, stmts) = match made {
            Ok(x) => x,
            Err(e) => {
                sh.warn(Some(&tr.table), object, format!("not carried: {e}. Its SQLite definition: {}", tr.sql.trim())).await;
                continue;
            }
        };
        let mut failed = None;
        for (i, sql) in stmts.iter().enumerate() {
            if let Err(e) = conn.execute(sql).await {
                failed = Some((i, e));
                break;
            }
        }
        match failed {
            None => {
                if t.name != tr.name {
                    let note = crate::events::Warning { table: Some(tr.table.clone()), object: object.clone(), reason: format!("made as {}: {}'s names are at most {}", t.name, sh.dialect.name(), sh.dialect.ident_limit_words()) };
                    sh.report.lock().await.notes.push(note);
                }
                sh.report.lock().await.created.push(sh.created(CreatedKind::Trigger, &t.name));
                // A run stopped after this (no report written) takes it back by its journal.
                if let Some(j) = &sh.journal {
                    if let Err(e) = j.made_trigger(conn, &t.name).await {
                        sh.warn(Some(&tr.table), object, format!("made, but not noted in the run's journal: {e}")).await;
                    }
                }
            }
            Some((i, e)) => {
                // What this run made of it goes (not a function of the same name it did not make).
                if i > 0 {
                    let _ = conn.execute(&ddl.drop_trigger(&t.name)).await;
                }
                sh.warn(Some(&tr.table), object, format!("not created: {}. Its SQLite definition: {}", db_message(&e), tr.sql.trim())).await;
            }
        }
    }
}
