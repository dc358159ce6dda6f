//! The SQLite side: open a file (or the demo), its schema and profile, the proposed plan,
//! checking an override, the target DDL preview, plans saved and opened as project files.

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::paths::Access;
use crate::state::{AppState, Loaded};
use ferry_core::plan::Plan;
use ferry_core::preflight::ColumnCheck;
use ferry_core::schema::Schema;
use ferry_core::dialect::preview::TablePreview;
use ferry_core::dialect::Dialect;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::State;
use ts_rs::TS;

/// Rows the built-in demo database holds: enough to see progress, quick to build.
const DEMO_ROWS: u64 = 20_000;

#[derive(Debug, Clone, Serialize, TS)]
pub struct SourceView {
    pub path: String,
    pub bytes: u64,
    pub schema: Schema,
}

/// What an override would do: whether the dialect knows the type, and what every value of the
/// column does under it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TypeCheck {
    pub known: bool,
    /// The one-line verdict ("12 values will not fit varchar(20)").
    pub message: String,
    pub check: Option<ColumnCheck>,
}

/// Opens a SQLite file (read-only), reads its schema and profiles every column.
#[tauri::command]
pub async fn open_source(state: State<'_, AppState>, path: String) -> IpcResult<SourceView> {
    state.chosen(&path, Access::Read)?;
    let p = PathBuf::from(&path);
    let schema = super::blocking(move || Ok(ferry_core::source::sqlite::read_source(&p, true, 2)?)).await?;
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    *state.source.lock().unwrap() = Some(Loaded { path: PathBuf::from(&path), schema: Arc::new(schema.clone()) });
    Ok(SourceView { path, bytes, schema })
}

/// Builds the demo database (the guide's commerce schema) once, in the app's data folder, and
/// returns its path.
#[tauri::command]
pub async fn demo_source(state: State<'_, AppState>) -> IpcResult<String> {
    build_demo(state.data_dir.join("demo")).await
}

/// What to open at start, as the command line said (`--demo` or a file), or nothing.
#[tauri::command]
pub async fn initial_source(state: State<'_, AppState>) -> IpcResult<Option<String>> {
    match state.initial.clone() {
        None => Ok(None),
        Some(crate::state::Initial::File(p)) => Ok(Some(p.display().to_string())),
        Some(crate::state::Initial::Demo) => build_demo(state.data_dir.join("demo")).await.map(Some),
    }
}

async fn build_demo(dir: PathBuf) -> IpcResult<String> {
    super::blocking(move || {
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("demo.sqlite");
        if !path.exists() {
            let partial = dir.join(".demo.sqlite.partial");
            ferry_core::demo::build(&partial, DEMO_ROWS, true)?;
            std::fs::rename(&partial, &path)?;
        }
        Ok(path.display().to_string())
    })
    .await
}

/// The proposed plan for the open file and a kind of target.
#[tauri::command]
pub fn propose_plan(state: State<'_, AppState>, dialect: Dialect) -> IpcResult<Plan> {
    let l = state.loaded()?;
    Ok(ferry_core::plan::propose(&l.schema, &l.path.display().to_string(), dialect))
}

/// Judges an override: is `type_sql` a type of the dialect, and which values would it refuse.
#[tauri::command]
pub async fn check_type(state: State<'_, AppState>, dialect: Dialect, table: String, column: String, type_sql: String) -> IpcResult<TypeCheck> {
    let l = state.loaded()?;
    let logical = match dialect.read_plan_type(&type_sql) {
        Ok(t) => t,
        Err(message) => return Ok(TypeCheck { known: false, message, check: None }),
    };
    let t = l.schema.tables.iter().find(|t| t.name == table).cloned().ok_or_else(|| IpcError::new(ErrorKind::Invalid, format!("no table {table:?}")))?;
    let check = super::blocking(move || Ok(ferry_core::preflight::check_column(&l.path, &t, &column, &logical, dialect)?)).await?;
    let message = verdict(&check, &type_sql);
    Ok(TypeCheck { known: true, message, check: Some(check) })
}

/// A count with its noun: "1 row", "20,000 rows".
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", ferry_core::value::group_thousands(n), if n == 1 { one } else { many })
}

/// "12 values will not fit varchar(20)"; "all 98,311 values fit uuid".
fn verdict(c: &ColumnCheck, type_sql: &str) -> String {
    match (c.rejected, c.changed) {
        (0, 0) if c.values == 0 => format!("the column is empty: {type_sql} holds it"),
        (0, 0) if c.values == 1 => format!("its one value fits {type_sql}"),
        (0, 0) => format!("all {} fit {type_sql}", plural(c.values, "value", "values")),
        (0, n) => format!("{} will arrive changed as {type_sql} ({})", plural(n, "value", "values"), c.reason.as_deref().unwrap_or("")),
        (n, _) => format!("{} will not fit {type_sql} ({}); their rows would be rejected", plural(n, "value", "values"), c.reason.as_deref().unwrap_or("")),
    }
}

/// The SQL each planned table becomes in the target.
#[tauri::command]
pub fn preview_tables(state: State<'_, AppState>, plan: Plan, pg_schema: Option<String>) -> IpcResult<Vec<TablePreview>> {
    let l = state.loaded()?;
    Ok(ferry_core::dialect::preview::preview(&l.schema, &plan, plan.dialect, pg_schema.as_deref())?)
}

/// Writes the plan as the project file `ferry migrate --plan` reads.
#[tauri::command]
pub fn save_plan(state: State<'_, AppState>, plan: Plan, path: String) -> IpcResult<()> {
    state.chosen(&path, Access::Write)?;
    std::fs::write(&path, plan.to_toml()).map_err(|e| IpcError::new(ErrorKind::Io, format!("cannot write {path}: {e}")))
}

/// Reads a plan file and checks it against the open SQLite file.
#[tauri::command]
pub fn open_plan(state: State<'_, AppState>, path: String) -> IpcResult<Plan> {
    state.chosen(&path, Access::Read)?;
    let l = state.loaded()?;
    let plan = Plan::load(std::path::Path::new(&path))?;
    plan.check_against(&l.schema, &path)?;
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_read_well() {
        let c = |values, rejected, changed, reason: Option<&str>| ColumnCheck { values, rejected, changed, examples: vec![], reason: reason.map(str::to_string) };
        let cases = [
            (c(98_311, 0, 0, None), "uuid", "all 98,311 values fit uuid"),
            (c(1, 0, 0, None), "text", "its one value fits text"),
            (c(0, 0, 0, None), "text", "the column is empty: text holds it"),
            (c(500, 12, 0, Some("longer than 20 characters")), "varchar(20)", "12 values will not fit varchar(20) (longer than 20 characters); their rows would be rejected"),
            (c(500, 0, 1, Some("NUL removed")), "text", "1 value will arrive changed as text (NUL removed)"),
        ];
        for (check, ty, want) in cases {
            assert_eq!(verdict(&check, ty), want);
        }
    }
}
