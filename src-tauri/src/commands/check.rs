//! The checks before a migration: the pre-flight (every value through the load's conversion,
//! every foreign key in the source) and the diff (the planned schema against the target).
//! Both only read.

use crate::error::IpcResult;
use crate::state::AppState;
use ferry_core::dialect::session::Target;
use ferry_core::diff::SchemaDiff;
use ferry_core::plan::Plan;
use ferry_core::preflight::Preflight;
use tauri::State;

/// Tables read at once by the pre-flight: the app leaves the machine usable meanwhile.
const JOBS: usize = 2;

/// What the target would refuse or change under `plan`, grouped by cause, for the open
/// SQLite file; and the objects that will not be carried, and the renames. With the target's
/// `url`, the schema is rehearsed there too when it can be reached (in a scratch schema or
/// database, taken away after), so the objects the server refuses are listed; the result's
/// `rehearsal` says how that went, or why not.
#[tauri::command]
pub async fn run_preflight(state: State<'_, AppState>, plan: Plan, url: Option<String>, pg_schema: Option<String>) -> IpcResult<Preflight> {
    let l = state.loaded()?;
    let url = url.filter(|u| !u.is_empty());
    if let Some(u) = &url {
        state.grants.check_url(u)?;
    }
    // In the audit log too: the checklist ticks "pre-flight is clean" from it.
    let mut rec = super::audit::start(&state, "preflight");
    rec.source(&l.path);
    rec.option("dialect", plan.dialect.name());
    let path = l.path.clone();
    let result = match url {
        None => super::blocking(move || Ok(ferry_core::preflight::preflight(&path, plan.dialect, Some(&plan), JOBS)?)).await,
        Some(url) => {
            rec.target(&url);
            let schema = pg_schema.as_deref().filter(|s| !s.is_empty());
            ferry_core::preflight::preflight_against(&path, &url, schema, Some(&plan), &[], JOBS, &Default::default()).await.map(|(pf, _)| pf).map_err(Into::into)
        }
    };
    if let Ok(pf) = &result {
        rec.option("ready", pf.is_clean());
        rec.option("unresolved", pf.unresolved().len() as u64);
        rec.option("rows_checked", pf.rows_checked);
    }
    super::audit::finish(rec, &result, |pf| Some(if pf.is_clean() { "ready to migrate".into() } else { format!("{} of refused values left to decide", super::source::plural(pf.unresolved().len() as u64, "group", "groups")) }));
    result
}

/// The schema `plan` makes from the open SQLite file against what the target at `url`
/// holds, side by side. Reads the target's catalogs; writes nothing.
#[tauri::command]
pub async fn schema_diff(state: State<'_, AppState>, url: String, plan: Plan, pg_schema: Option<String>) -> IpcResult<SchemaDiff> {
    state.grants.check_url(&url)?;
    let l = state.loaded()?;
    let (target, mut conn) = Target::open(&url, pg_schema.as_deref().filter(|s| !s.is_empty())).await?;
    plan.check_dialect(target.dialect, "the plan")?;
    plan.check_against(&l.schema, "the plan")?;
    let planned = ferry_core::diff::built_tables(&l.schema, &plan, target.dialect)?;
    Ok(ferry_core::diff::diff_planned(&target, &mut conn, &planned).await?)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use sqlx::Connection;
    use tauri::test::{mock_builder, mock_context, noop_assets, MockRuntime};
    use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

    fn pg_url() -> String {
        std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
    }

    /// The app on Tauri's mock runtime (its data in `dir`), with one window to call commands from.
    fn app(dir: &std::path::Path) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
        let app = crate::setup(mock_builder()).build(mock_context(noop_assets())).expect("mock app builds");
        // The setup hook runs with the event loop, which the mock runtime does not start.
        app.manage(crate::state::AppState::new(dir.join("data")));
        // The test's folder, as if dropped on the window: its files were chosen by the user.
        app.state::<crate::state::AppState>().grants.grant_dropped(&[dir.to_path_buf()]);
        let window = WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window opens");
        (app, window)
    }

    /// Calls `cmd` with `args` through Tauri's real IPC path, from the app's own page.
    fn call(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
        crate::commands::ipc_call(window, cmd, args)
    }

    /// A shop with an order whose customer is missing (foreign keys are not enforced in
    /// SQLite) and a trigger, which no target gets.
    fn shop(dir: &std::path::Path) -> std::path::PathBuf {
        let path = dir.join("shop.sqlite");
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "PRAGMA foreign_keys = OFF;
             CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);
             CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), total NUMERIC(10,2));
             CREATE TRIGGER orders_touch AFTER INSERT ON orders BEGIN SELECT 1; END;
             INSERT INTO customers VALUES (1, 'a@example.com'), (2, 'b@example.com');
             INSERT INTO orders VALUES (1, 1, 9.5), (2, 2, 12.25), (3, 99, 3.0);",
        )
        .unwrap();
        path
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("ferry-app-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn preflight_needs_an_open_file_then_finds_orphans_and_triggers() {
        let dir = temp_dir("preflight");
        let path = shop(&dir);
        let (_app, w) = app(&dir);
        let schema = ferry_core::source::sqlite::read_source(&path, true, 1).unwrap();
        let made_elsewhere = serde_json::to_value(ferry_core::plan::propose(&schema, "shop.sqlite", ferry_core::dialect::Dialect::Postgres)).unwrap();
        let err = call(&w, "run_preflight", json!({ "plan": made_elsewhere })).unwrap_err();
        assert_eq!(err["kind"], "no_source", "{err}");

        call(&w, "open_source", json!({ "path": path })).expect("opens");
        let plan = call(&w, "propose_plan", json!({ "dialect": "postgres" })).expect("a plan");
        let p = call(&w, "run_preflight", json!({ "plan": plan })).expect("pre-flight runs");
        assert_eq!(p["rows_checked"], 5, "{p}");
        let groups = p["groups"].as_array().unwrap();
        assert_eq!(groups.len(), 1, "{p}");
        assert_eq!(groups[0]["table"], "orders");
        assert_eq!(groups[0]["outcome"], "kept (foreign key not validated)");
        assert_eq!(groups[0]["count"], 1);
        assert!(groups[0]["cause"].as_str().unwrap().starts_with("orphan: no matching row in customers"), "{p}");
        assert_eq!(groups[0]["examples"][0]["row"]["id"], 3, "{p}");
        assert!(p["objects"].as_array().unwrap().iter().any(|o| o["object"] == "trigger orders_touch"), "{p}");
        assert_eq!(p.get("rehearsal"), None, "no target, no rehearsal: {p}");

        // With the target: the schema rehearsed there (nothing of this file is refused), and
        // the rest as before.
        let with = call(&w, "run_preflight", json!({ "plan": plan, "url": pg_url() })).expect("pre-flight runs");
        let note = with["rehearsal"].as_str().unwrap_or_else(|| panic!("a rehearsal: {with}"));
        assert!(note.starts_with("schema rehearsed on PostgreSQL") && note.ends_with(": 0 objects refused"), "{note}");
        assert_eq!((&with["groups"], &with["objects"]), (&p["groups"], &p["objects"]));

        // A plan made for another file is refused by kind, with the engine's message.
        let mut other = plan.clone();
        other["tables"][0]["columns"][0]["source"] = json!("no_such_column");
        let err = call(&w, "run_preflight", json!({ "plan": other })).unwrap_err();
        assert_eq!(err["kind"], "plan_mismatch", "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_type_field_refuses_what_is_not_an_accepted_form_and_says_which_are() {
        let dir = temp_dir("typecheck");
        let (_app, w) = app(&dir);
        let path = shop(&dir);
        call(&w, "open_source", json!({ "path": path })).expect("opens");
        // (dialect, type typed, accepted)
        let cases = [
            ("postgres", "varchar(10 /*", false),
            ("postgres", "varchar(10) /* x */", false),
            ("postgres", "text; DROP TABLE customers", false),
            ("postgres", "timestamp(3)", false),
            ("postgres", "varchar(10,2)", false),
            ("postgres", "varchar(40)", true),
            ("postgres", "numeric(12, 2)", true),
            ("mariadb", "varchar(10 /*", false),
            ("mariadb", "int) ; DROP DATABASE d; -- (", false),
            ("mariadb", "text(10)", false),
            ("mariadb", "varchar(40)", true),
            ("mariadb", "int(11)", true),
        ];
        for (dialect, ty, ok) in cases {
            let c = call(&w, "check_type", json!({ "dialect": dialect, "table": "customers", "column": "email", "typeSql": ty })).expect("checks");
            assert_eq!(c["known"], ok, "{dialect} {ty:?}: {c}");
            let msg = c["message"].as_str().unwrap();
            if ok {
                assert!(msg.contains("fit") && c["check"].is_object(), "{dialect} {ty:?}: {msg}");
            } else {
                assert!(msg.contains("Ferry accepts") && msg.contains("Accepted: ") && msg.contains("varchar(n)") && c["check"].is_null(), "{dialect} {ty:?}: {msg}");
                assert!(!msg.contains(" fit"), "{dialect} {ty:?}: never answered as fitting: {msg}");
            }
        }
    }

    #[test]
    fn schema_diff_reads_the_real_target() {
        let dir = temp_dir("diff");
        let path = shop(&dir);
        let admin = pg_url();
        let db = format!("ferry_app_diff_{}", std::process::id());
        let url = {
            let mut u = url::Url::parse(&admin).unwrap();
            u.set_path(&db);
            u.to_string()
        };
        let sql = |stmts: Vec<String>, at: String| {
            tauri::async_runtime::block_on(async move {
                let mut c = sqlx::PgConnection::connect(&at).await.expect("PostgreSQL is running (FERRY_TEST_PG_URL)");
                for s in stmts {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(s)).execute(&mut c).await.unwrap();
                }
                c.close().await.unwrap();
            })
        };
        sql(vec![format!("DROP DATABASE IF EXISTS {db}"), format!("CREATE DATABASE {db}")], admin.clone());

        let (_app, w) = app(&dir);
        call(&w, "open_source", json!({ "path": path })).expect("opens");
        let plan = call(&w, "propose_plan", json!({ "dialect": "postgres" })).expect("a plan");

        // An empty target: everything would be created, nothing is destructive.
        let d = call(&w, "schema_diff", json!({ "url": url, "plan": plan, "pgSchema": null })).expect("diff runs");
        let statuses: Vec<&str> = d["tables"].as_array().unwrap().iter().map(|t| t["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["create", "create"], "{d}");
        assert_eq!(d["destructive"], json!([]));
        assert_eq!(d["dialect"], "postgres");

        // A column that cannot hold every planned value as it is, and an extra table: different, destructive and extra, both listed apart.
        sql(vec!["CREATE TABLE customers (id bigint PRIMARY KEY, email bytea NOT NULL)".into(), "CREATE TABLE legacy (x int)".into()], url.clone());
        let d = call(&w, "schema_diff", json!({ "url": url, "plan": plan, "pgSchema": "" })).expect("diff runs");
        let table = |name: &str| d["tables"].as_array().unwrap().iter().find(|t| t["name"] == name).cloned().unwrap_or_else(|| panic!("no {name} in {d}"));
        assert_eq!(table("orders")["status"], "create");
        assert_eq!(table("legacy")["status"], "extra");
        let email = table("customers")["items"].as_array().unwrap().iter().find(|i| i["name"] == "email").cloned().unwrap();
        assert_eq!(email["status"], "destructive", "{d}");
        let actions: Vec<&str> = d["destructive"].as_array().unwrap().iter().map(|s| s["action"].as_str().unwrap()).collect();
        assert!(actions.contains(&"drop table") && actions.contains(&"change type"), "{d}");

        // A plan for another kind of server is refused by kind.
        let mut mysql_plan = plan.clone();
        mysql_plan["dialect"] = json!("mysql");
        let err = call(&w, "schema_diff", json!({ "url": url, "plan": mysql_plan, "pgSchema": null })).unwrap_err();
        assert_eq!(err["kind"], "plan_mismatch", "{err}");

        // A database that is not there: its own kind, and the password never in the message.
        let missing = url.replace(&db, "ferry_no_such_db").replacen("postgres://postgres@", "postgres://postgres:s3cret@", 1);
        let err = call(&w, "schema_diff", json!({ "url": missing, "plan": plan, "pgSchema": null })).unwrap_err();
        assert_eq!(err["kind"], "no_database", "{err}");
        assert!(!err.to_string().contains("s3cret"), "{err}");

        sql(vec![format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")], admin);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
