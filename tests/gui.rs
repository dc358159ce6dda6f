//! The desktop app end to end: the real, built app (`target/debug/ferry-app`, with `ui/dist`
//! embedded) in a real window, driven through WebDriver, against the real PostgreSQL and
//! MariaDB.
//!
//! - `migrates_the_demo_through_the_app`: "Try with the demo database", test the connection,
//!   change one column's type in Schema & mapping, see Production propose unasked, back up
//!   the target, run, see the report say
//!   every row arrived — once into
//!   PostgreSQL and once into MariaDB — then check in each target that every table holds the
//!   source's row count and that the changed column has the chosen type. Screenshots of every
//!   view go to `docs/screenshots/` with `FERRY_UPDATE_SCREENSHOTS=1` (the README shows them).
//! - `a_wrong_password_is_shown_in_the_form`: the server's refusal, in words, in the form.
//! - `the_tls_choice_says_what_it_checks_and_takes_a_chosen_ca_file`: at 1024×700, the hint
//!   under TLS, the CA file chosen with Browse (the shell's dialog, answered through
//!   `$FERRY_TEST_PICKS`) reaching the engine, a typed one refused by the shell.
//! - `bulk_decisions_on_a_500_table_file`: the wide demo's 500 tables in Schema & mapping:
//!   how many need a look, every high-confidence suggestion taken in one click after the
//!   engine's count, undone; then idle with a text field focused, the CPU it costs.
//! - `back_and_next_lead_through_every_step_each_at_its_top`, at 1024×700: Next through every
//!   step and Back again, each opening at its top with Next in the window.
//! - `a_long_table_name_in_the_target_keeps_the_form_in_the_window`: a 63-character table name
//!   in the not-empty message leaves Port, User and TLS inside the window.
//! - `a_report_no_browser_can_show_says_where_it_is`: `xdg-open` and `gio` failing (stubs on
//!   the app's PATH), "Open the HTML report" shows the report's path and copies it.
//!
//! How it runs: it uses `$DISPLAY` when set, else starts its own `Xvfb` on a free display;
//! it starts `tauri-driver` (crates.io) on free ports with Debian's `WebKitWebDriver` as the
//! native driver, opens a WebDriver session on the app with `fantoccini`, and kills the
//! driver (with the app it launched) and Xvfb when done, pass or fail. The app keeps its files
//! in a fresh `$FERRY_DATA_DIR` per test.
//!
//! Needs what `scripts/setup.sh` installs: `tauri-driver` (on PATH or in `~/.cargo/bin`, or
//! named by `$TAURI_DRIVER`), `WebKitWebDriver` (package webkit2gtk-driver, or
//! `$WEBKIT_WEBDRIVER`), `Xvfb` (package xvfb), and a built `ui/dist`. GUI tests stay in this
//! one binary (it makes itself the reaper of the processes they leave, see `adopt_orphans`)
//! and run one at a time (`ONE_AT_A_TIME`). The driver's and the app's output goes to
//! `target/tmp/gui/*.log`, printed on failure, beside a screenshot of the window as the
//! failure found it (`<test>-failure.png`).

use std::fs;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use sqlx::Connection as _;

/// How long the app may take to show its first page (the first WebKit start is the slow one).
const STARTUP: Duration = Duration::from_secs(60);
/// How long a click may take to show its answer.
const ANSWER: Duration = Duration::from_secs(30);
/// How long a migration of the demo database may take in a debug build.
const RUN: Duration = Duration::from_secs(240);
/// A WebDriver async script that returns once the page has painted two more frames.
const NEXT_FRAMES: &str = "const done = arguments[arguments.length - 1];
    requestAnimationFrame(() => requestAnimationFrame(() => done(null)));";

/// WebKitWebDriver drives one session at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn pg_base() -> String {
    std::env::var("FERRY_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}
fn mysql_base() -> String {
    std::env::var("FERRY_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// The app under test, its driver and display, and its own data folder.
struct App {
    client: Client,
    name: &'static str,
    data_dir: PathBuf,
    logs: PathBuf,
    _driver: TauriDriver,
    _xvfb: Option<Spawned>,
}

impl App {
    async fn start(name: &'static str) -> App {
        App::start_picking(name, &[]).await
    }

    /// The app, its native file dialogs answered with `picks` in turn (`$FERRY_TEST_PICKS`,
    /// which only a debug build honours: WebDriver cannot click in a GTK dialog).
    async fn start_picking(name: &'static str, picks: &[PathBuf]) -> App {
        App::start_with(name, picks, &[]).await
    }

    /// The app with `env` set for it too (e.g. a PATH of its own).
    async fn start_with(name: &'static str, picks: &[PathBuf], env: &[(&str, std::ffi::OsString)]) -> App {
        let logs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gui");
        fs::create_dir_all(&logs).expect("create the log folder");
        let data_dir = logs.join(format!("{name}-data"));
        let _ = fs::remove_dir_all(&data_dir);
        fs::create_dir_all(&data_dir).unwrap();
        let (display, xvfb) = display(&logs);
        let driver = TauriDriver::start(&display, &logs, &data_dir, picks, env);
        let client = driver.connect(env!("CARGO_BIN_EXE_ferry-app")).await;
        App { client, name, data_dir, logs, _driver: driver, _xvfb: xvfb }
    }

    /// Ends the session (and so the app) and judges: a failure shows the window as it was.
    async fn finish(self, result: Result<(), String>) {
        let shot = self.logs.join(format!("{}-failure.png", self.name));
        let _ = fs::remove_file(&shot);
        if result.is_err() {
            if let Ok(png) = self.client.screenshot().await {
                let _ = fs::write(&shot, png);
            }
        }
        let _ = self.client.clone().close().await;
        if let Err(message) = result {
            panic!("{message}\n(the window at that moment: {})\n{}", shot.display(), self._driver.log_tail());
        }
    }

    async fn wait(&self, css: &str, within: Duration) -> Result<fantoccini::elements::Element, String> {
        self.client.wait().at_most(within).for_element(Locator::Css(css)).await.map_err(|e| format!("{css} never appeared: {e}"))
    }

    async fn click(&self, css: &str) -> Result<(), String> {
        let el = self.wait(css, ANSWER).await?;
        el.click().await.map_err(|e| format!("click {css}: {e}"))
    }

    /// Sets an input's value as typing would (an `input` event, then `change`).
    async fn fill(&self, css: &str, value: &str) -> Result<(), String> {
        let el = self.wait(css, ANSWER).await?;
        let script = "const [el, v] = arguments; el.focus(); el.value = v;
            el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true }));";
        self.client
            .execute(script, vec![serde_json::to_value(&el).unwrap(), json!(value)])
            .await
            .map(|_| ())
            .map_err(|e| format!("fill {css}: {e}"))
    }

    async fn text(&self, css: &str) -> Result<String, String> {
        self.wait(css, ANSWER).await?.text().await.map_err(|e| format!("read {css}: {e}"))
    }

    /// Waits until the text of `css` contains `needle` (or one of the `fail` words, an error).
    async fn text_with(&self, css: &str, needle: &str, within: Duration) -> Result<String, String> {
        let deadline = Instant::now() + within;
        loop {
            let shown = match self.client.find(Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if shown.contains(needle) {
                return Ok(shown);
            }
            if Instant::now() > deadline {
                return Err(format!("{css} should say {needle:?} but shows {shown:?}"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Saves what the window shows as `docs/screenshots/<name>.png` with
    /// `FERRY_UPDATE_SCREENSHOTS=1` (the README shows them), else in a scratch folder.
    async fn screenshot(&self, name: &str) -> Result<(), String> {
        // From the top of the page, as a person arriving at the view sees it.
        self.client.execute("window.scrollTo(0, 0); document.getElementById('view')?.scrollTo(0, 0);", vec![]).await.map_err(|e| format!("scroll to the top: {e}"))?;
        self.client.execute_async(NEXT_FRAMES, Vec::new()).await.map_err(|e| format!("wait for the page to paint: {e}"))?;
        let png = self.client.screenshot().await.map_err(|e| format!("take a screenshot: {e}"))?;
        if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
            return Err("the WebDriver screenshot is not a PNG".into());
        }
        let folder = if std::env::var_os("FERRY_UPDATE_SCREENSHOTS").is_some() {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots")
        } else {
            std::env::temp_dir().join(format!("ferry-screenshots-{}", std::process::id()))
        };
        let shot = folder.join(format!("{name}.png"));
        fs::create_dir_all(&folder).map_err(|e| format!("create {}: {e}", folder.display()))?;
        fs::write(&shot, png).map_err(|e| format!("write {}: {e}", shot.display()))
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    Pg,
    My,
}

/// A database made for the test on one of the servers, dropped at the end.
struct TestDb {
    target: Target,
    name: String,
}

impl TestDb {
    async fn new(target: Target) -> TestDb {
        let name = format!("ferry_gui_{}_{}", std::process::id(), std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos());
        let sql = match target {
            Target::Pg => format!("CREATE DATABASE \"{name}\""),
            Target::My => format!("CREATE DATABASE `{name}` CHARACTER SET utf8mb4"),
        };
        exec(target, None, &sql).await;
        TestDb { target, name }
    }

    async fn drop_now(self) {
        let sql = match self.target {
            Target::Pg => format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
            Target::My => format!("DROP DATABASE IF EXISTS `{}`", self.name),
        };
        exec(self.target, None, &sql).await;
    }

    /// One value (as text) of a query in this database.
    async fn scalar(&self, sql: &str) -> Option<String> {
        match self.target {
            Target::Pg => {
                let mut c = sqlx::PgConnection::connect(&with_db(&pg_base(), &self.name)).await.unwrap();
                sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&mut c).await.unwrap()
            }
            Target::My => {
                let mut c = sqlx::MySqlConnection::connect(&with_db(&mysql_base(), &self.name)).await.unwrap();
                sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql.to_string())).fetch_one(&mut c).await.unwrap()
            }
        }
    }
}

fn with_db(base: &str, db: &str) -> String {
    let mut u = url::Url::parse(base).unwrap();
    u.set_path(&format!("/{db}"));
    u.to_string()
}

async fn exec(target: Target, db: Option<&str>, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match target {
        Target::Pg => {
            let url = db.map(|d| with_db(&pg_base(), d)).unwrap_or_else(pg_base);
            let mut c = sqlx::PgConnection::connect(&url).await.expect("PostgreSQL is running");
            sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
        }
        Target::My => {
            let url = db.map(|d| with_db(&mysql_base(), d)).unwrap_or_else(mysql_base);
            let mut c = sqlx::MySqlConnection::connect(&url).await.expect("MariaDB is running");
            sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
        }
    }
}

/// Fills the target form for `target` (database `db`, password `password`) and tests it.
async fn connect_to(app: &App, target: Target, db: &str, password: &str) -> Result<(), String> {
    let base = url::Url::parse(&if target == Target::Pg { pg_base() } else { mysql_base() }).unwrap();
    app.click(if target == Target::Pg { "#kind-postgres" } else { "#kind-mysql" }).await?;
    app.fill("#host", base.host_str().unwrap()).await?;
    app.fill("#port", &base.port().unwrap().to_string()).await?;
    app.fill("#database", db).await?;
    app.fill("#user", base.username()).await?;
    app.fill("#password", password).await?;
    app.click("#test-connection").await
}

#[tokio::test]
async fn migrates_the_demo_through_the_app() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("migrate").await;
    let pg = TestDb::new(Target::Pg).await;
    let my = TestDb::new(Target::My).await;
    let result = async {
        app.wait("#try-demo", STARTUP).await?;
        let title = app.client.title().await.map_err(|e| format!("read the title: {e}"))?;
        if title != "Ferry" {
            return Err(format!("the window's title is {title:?}, not \"Ferry\""));
        }
        app.click("#try-demo").await?;
        app.text_with("#source-summary", "16 tables", RUN).await?;
        for (db, first) in [(&pg, true), (&my, false)] {
            app.click("#nav-connections").await?;
            connect_to(&app, db.target, &db.name, "").await?;
            let found = app.text_with("#connection-result", "Empty", ANSWER).await?;
            let server = if db.target == Target::Pg { "PostgreSQL" } else { "MariaDB" };
            if !found.contains(server) {
                return Err(format!("the connection result should name {server}: {found:?}"));
            }
            if first {
                app.screenshot("connections").await?;
            }
            app.click("#step-next").await?;
            change_type(&app, "tenants", "name", "varchar(200)").await?;
            if first {
                app.screenshot("mapping").await?;
            }
            // Production: proposed unasked on the first visit for each server kind, each
            // proposal with its figures and SQL (or, where the data points at none, what was
            // looked at); the run then builds what is accepted.
            app.click("#step-next").await?;
            app.wait("#production-count, #production-empty", RUN).await?;
            if count(&app, "#production-error").await? != 0 {
                return Err(format!("the proposals failed: {}", app.text("#production-error").await?));
            }
            if first {
                app.screenshot("production").await?;
            }
            // Access, a part of Production: the engine's offer for this server kind. On
            // PostgreSQL the tenant column it proposes, with its figures; isolation turned on
            // shows the engine's DDL, and off again leaves the plan without [access] (the run
            // below makes no roles: they would be the shared server's). MariaDB says it has no
            // row-level security.
            if db.target == Target::Pg {
                app.text_with("#access-tenant-hint", "tenant_id references tenants from 13 of 16 tables", ANSWER).await?;
                app.click("#access-isolation").await?;
                app.text_with("#access-ddl", "FORCE ROW LEVEL SECURITY", ANSWER).await?;
                app.text_with("#access-summary", "Tenant isolation by tenant_id", ANSWER).await?;
                app.click("#access-isolation").await?;
                app.text_with("#access-summary", "Off: the tables belong to the user Ferry connects as.", ANSWER).await?;
                if count(&app, "#access-ddl, #access-error").await? != 0 {
                    return Err("turned off, the access DDL (or an error) is still shown".into());
                }
            } else {
                app.text_with("#access-no-rls", "no row-level security", ANSWER).await?;
            }
            app.click("#nav-run").await?;
            // One click backs up the (still empty) target first, with the server's own tool.
            app.click("#backup-target").await?;
            app.wait("#backup-done", RUN).await?;
            app.click("#start-run").await?;
            let totals = totals_while_running(&app).await?;
            app.text_with("#run-result", "finished", RUN).await?;
            // The run's total was the source's from the first count on (it grew from 17,000 to
            // 20,000 while tables started).
            let rows = app.text("#run-overall").await?;
            if totals.iter().any(|t| !rows.contains(&format!(" of {t} rows"))) {
                return Err(format!("the total changed while the run went: {totals:?}, at the end {rows:?}"));
            }
            if first {
                app.screenshot("run").await?;
            }
            app.click("#to-report").await?;
            let verdict = app.text_with("#report-verdict", "Every row arrived", ANSWER).await?;
            if first {
                app.screenshot("report").await?;
            }
            check_target(&app, db).await.map_err(|e| format!("{e} (the report said {verdict:?})"))?;
        }
        Ok(())
    }
    .await;
    app.finish(result).await;
    pg.drop_now().await;
    my.drop_now().await;
}

/// The distinct totals "#run-overall" showed ("… of 20,000 rows") until the run ended, in
/// order, read every 50 ms for at most `RUN`.
async fn totals_while_running(app: &App) -> Result<Vec<String>, String> {
    let deadline = Instant::now() + RUN;
    let mut seen: Vec<String> = vec![];
    while Instant::now() < deadline {
        if app.client.find(Locator::Css("#run-result")).await.is_ok() {
            return Ok(seen);
        }
        if let Ok(el) = app.client.find(Locator::Css("#run-overall")).await {
            let text = el.text().await.unwrap_or_default();
            let total = text.split(" of ").nth(1).and_then(|t| t.split(" row").next()).unwrap_or("").to_string();
            if !total.is_empty() && total != "0" && seen.last() != Some(&total) {
                seen.push(total);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("the run did not end within {RUN:?}; totals seen: {seen:?}"))
}

/// Types a new target type for `table.column` in Schema & mapping and waits for its verdict.
async fn change_type(app: &App, table: &str, column: &str, ty: &str) -> Result<(), String> {
    app.click(&format!("[data-table=\"{table}\"]")).await?;
    let input = format!("[data-override=\"{column}\"]");
    app.fill(&input, ty).await?;
    // The verdict comes from running every value through the load's own conversion.
    app.text_with(&format!("[data-verdict=\"{column}\"]"), "fit", ANSWER).await?;
    app.click(&format!("[data-accept=\"{column}\"]")).await?;
    app.wait(&format!("[data-reset=\"{column}\"]"), ANSWER).await?;
    Ok(())
}

/// Every table of the demo holds the source's row count.
async fn same_rows(app: &App, db: &TestDb) -> Result<(), String> {
    let demo = app.data_dir.join("demo/demo.sqlite");
    let src = rusqlite::Connection::open_with_flags(&demo, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|e| format!("open {}: {e}", demo.display()))?;
    let tables: Vec<String> = src
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in &tables {
        let want: i64 = src.query_row(&format!("SELECT count(*) FROM \"{t}\""), [], |r| r.get(0)).unwrap();
        let q = if db.target == Target::Pg { format!("SELECT count(*)::text FROM \"{t}\"") } else { format!("SELECT CAST(count(*) AS CHAR) FROM `{t}`") };
        let got = db.scalar(&q).await;
        if got.as_deref() != Some(&want.to_string()) {
            return Err(format!("{:?}: table {t} holds {got:?} rows, the source {want}", db.target));
        }
    }
    Ok(())
}

/// Every table of the demo holds the source's row count, and tenants.name is varchar(200).
async fn check_target(app: &App, db: &TestDb) -> Result<(), String> {
    same_rows(app, db).await?;
    let q = if db.target == Target::Pg {
        "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'tenants'::regclass AND attname = 'name'"
    } else {
        "SELECT CAST(COLUMN_TYPE AS CHAR) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'tenants' AND COLUMN_NAME = 'name'"
    };
    let ty = db.scalar(q).await;
    let want = if db.target == Target::Pg { "character varying(200)" } else { "varchar(200)" };
    if ty.as_deref() != Some(want) {
        return Err(format!("{:?}: tenants.name is {ty:?}, not {want}", db.target));
    }
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_is_shown_in_the_form() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("password").await;
    let result = async {
        app.wait("#test-connection", STARTUP).await?;
        // Validation first: no database named.
        app.click("#kind-mysql").await?;
        app.fill("#database", "").await?;
        app.click("#test-connection").await?;
        app.text_with("#database-error", "Enter the database", ANSWER).await?;
        connect_to(&app, Target::My, "mysql", "wrong-password").await?;
        let shown = app.text_with("#connection-error-text", "refused the login", ANSWER).await?;
        if !shown.contains("root") || shown.contains("wrong-password") {
            return Err(format!("the error should name the user and never the password: {shown:?}"));
        }
        app.screenshot("connections-error").await?;
        let _ = app.text("#connection-error").await?;
        Ok(())
    }
    .await;
    app.finish(result).await;
}

/// Raw errors in words (issue 21): a port where nothing listens reads "nothing is listening",
/// not "Connection refused (os error 111)", which waits behind "Details"; without a D-Bus
/// session the keyring notice says what that means, not "Platform failure: zbus error: …".
#[tokio::test]
async fn raw_errors_are_said_in_words_with_the_raw_text_behind_details() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("words").await;
    let result = async {
        app.wait("#test-connection", STARTUP).await?;
        let port = free_port();
        app.click("#kind-postgres").await?;
        app.fill("#host", "127.0.0.1").await?;
        app.fill("#port", &port.to_string()).await?;
        app.fill("#database", "shop").await?;
        app.fill("#user", "postgres").await?;
        app.click("#test-connection").await?;
        let shown = app.text_with("#connection-error-text", "nothing is listening", ANSWER).await?;
        if shown.contains("os error") || !shown.contains(&format!("127.0.0.1:{port}")) {
            return Err(format!("the error should say it in words and name the address: {shown:?}"));
        }
        let raw = behind_details(&app, "#connection-error details code").await?;
        if raw[0].as_str().is_none_or(|t| !t.contains("os error 111")) || raw[1] != json!(false) {
            return Err(format!("the raw text should wait behind a closed Details toggle: {raw}"));
        }
        // This process has no D-Bus session (none is started for the app): the keyring notice.
        if app.client.find(Locator::Css("#keyring-unavailable")).await.is_ok() {
            // What shows: the notice without its closed Details (WebDriver's text has both).
            let note = app
                .client
                .execute("const n = document.querySelector('#keyring-unavailable').cloneNode(true); n.querySelectorAll('details').forEach((d) => d.remove()); return n.textContent;", vec![])
                .await
                .map_err(|e| format!("read the keyring notice: {e}"))?;
            let note = note.as_str().unwrap_or_default().to_string();
            if note.contains("zbus") || note.contains("Platform failure") || !note.contains("Ferry asks for it each time") {
                return Err(format!("the keyring notice should say it in words: {note:?}"));
            }
            let raw = behind_details(&app, "#keyring-unavailable details code").await?;
            if raw[0].as_str().is_none_or(str::is_empty) || raw[1] != json!(false) {
                return Err(format!("the keyring's raw error should wait behind Details: {raw}"));
            }
        }
        Ok(())
    }
    .await;
    app.finish(result).await;
}

/// Monitor on a database that has served next to nothing (issue 21: "82.1 % low", "unused
/// indexes — worth a look"): it says how long the statistics were gathered and holds its
/// verdicts; "Turn on statement statistics…" shows the exact SQL and runs it on a second
/// click, and the extension is then in the database.
#[tokio::test]
async fn monitor_holds_judgement_and_turns_on_statements_on_request() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("monitor").await;
    let pg = TestDb::new(Target::Pg).await;
    exec(Target::Pg, Some(&pg.name), "CREATE TABLE t (id int PRIMARY KEY, k int); CREATE INDEX t_k ON t (k)").await;
    let result = async {
        app.wait("#test-connection", STARTUP).await?;
        connect_to(&app, Target::Pg, &pg.name, "").await?;
        app.wait("#connection-result", ANSWER).await?;
        app.click("#nav-monitor").await?;
        app.click("#monitor-take").await?;
        app.text_with("#monitor-too-early", "Too early to judge: statistics gathered for", ANSWER).await?;
        app.text_with("#monitor-taken", "transactions, since", ANSWER).await?;
        let facts = app.text("#monitor-facts").await?;
        if facts.contains("low") || facts.contains("worth a look") {
            return Err(format!("no verdict on young statistics: {facts:?}"));
        }
        let index = app.text("[data-index=\"t_k\"]").await?;
        if !index.contains("not used yet") || index.contains("candidate to drop") {
            return Err(format!("an index not yet needed is not a candidate to drop: {index:?}"));
        }
        // pg_stat_statements: loaded by this server, so one statement turns it on here.
        app.click("#monitor-enable").await?;
        let sql = app.text("#monitor-enable-sql").await?;
        if sql != "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" {
            return Err(format!("the exact SQL is shown before it runs: {sql:?}"));
        }
        if pg.scalar("SELECT (SELECT extname::text FROM pg_extension WHERE extname = 'pg_stat_statements')").await.is_some() {
            return Err("nothing runs before the confirming click".into());
        }
        app.click("#monitor-enable-run").await?;
        app.text_with("#monitor-enabled", "statements are counted from now on", ANSWER).await?;
        if pg.scalar("SELECT (SELECT extname::text FROM pg_extension WHERE extname = 'pg_stat_statements')").await.is_none() {
            return Err("the extension should be in the database".into());
        }
        Ok(())
    }
    .await;
    app.finish(result).await;
    pg.drop_now().await;
}

/// The text of an element inside a `<details>` (which WebDriver does not read while it is
/// closed), and whether that `<details>` is open: `[text, open]`.
async fn behind_details(app: &App, css: &str) -> Result<serde_json::Value, String> {
    app.client
        .execute("const el = document.querySelector(arguments[0]); return el ? [el.textContent, !!el.closest('details')?.open] : [null, null];", vec![json!(css)])
        .await
        .map_err(|e| format!("read {css}: {e}"))
}

/// At the smallest window: the hint under TLS says what each mode checks; a verifying mode
/// asks for the CA file, whose Browse button is the shell's own dialog (answered here through
/// `$FERRY_TEST_PICKS`), and the chosen file reaches the engine in the URL; a CA path typed
/// by hand, never chosen, is refused by the shell before any connection.
#[tokio::test]
async fn the_tls_choice_says_what_it_checks_and_takes_a_chosen_ca_file() {
    let _one = ONE_AT_A_TIME.lock().await;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gui/tls-files");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    // A real PEM certificate, but not one that signed the server's: the handshake must fail.
    let ca = dir.join("other ca.pem");
    fs::write(&ca, OTHER_CA).unwrap();
    let app = App::start_picking("tls", std::slice::from_ref(&ca)).await;
    let result = async {
        app.wait("#test-connection", STARTUP).await?;
        app.client.set_window_size(1024, 700).await.map_err(|e| format!("set the window to 1024×700: {e}"))?;
        let select = app.wait("#tls", ANSWER).await?;
        select.select_by_value("require").await.map_err(|e| format!("choose require: {e}"))?;
        app.text_with("#tls-hint", "Encrypted, but the server’s certificate is not checked; use verify-full with the CA file", ANSWER).await?;
        if app.client.find(Locator::Css("#ca-file")).await.is_ok() {
            return Err("the CA field shows although require checks no certificate".into());
        }
        select.select_by_value("verify-full").await.map_err(|e| format!("choose verify-full: {e}"))?;
        app.text_with("#tls-hint", "name this host", ANSWER).await?;
        app.click("#ca-browse").await?;
        let deadline = Instant::now() + ANSWER;
        let shown = loop {
            let v = app.wait("#ca-file", ANSWER).await?.prop("value").await.map_err(|e| format!("read #ca-file: {e}"))?.unwrap_or_default();
            if !v.is_empty() || Instant::now() > deadline {
                break v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        if shown != ca.display().to_string() {
            return Err(format!("Browse should fill in the chosen CA file {}, the field shows {shown:?}", ca.display()));
        }
        // Nothing cut off at the smallest window: the select holds its widest label.
        let room: f64 = app
            .client
            .execute(
                "const s = document.querySelector('#tls'); const c = document.createElement('canvas').getContext('2d');
                 const cs = getComputedStyle(s); c.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
                 return s.clientWidth - 24 - Math.max(...Array.from(s.options).map((o) => c.measureText(o.text).width));",
                vec![],
            )
            .await
            .map_err(|e| format!("measure the TLS select: {e}"))?
            .as_f64()
            .unwrap_or(-1.0);
        if room < 0.0 {
            return Err(format!("the TLS select is {} px too narrow for its labels at 1024×700", -room));
        }
        let shot = app.logs.join("connections-tls-1024x700.png");
        fs::write(&shot, app.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?).map_err(|e| format!("write {}: {e}", shot.display()))?;

        // The chosen file reaches the engine: the server's certificate is not signed by it.
        connect_to(&app, Target::Pg, "postgres", "").await?;
        let refused = app.text_with("#connection-error-text", "TLS", ANSWER).await?;
        if refused.contains("not chosen") {
            return Err(format!("the chosen CA file was refused by the shell: {refused:?}"));
        }
        // The page cannot show a dialog of its own (whose answer the shell would not record).
        let denied = app
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 window.__TAURI_INTERNALS__.invoke('plugin:dialog|open', { options: {} }).then(() => done('opened'), (e) => done(String(e)));",
                vec![],
            )
            .await
            .map_err(|e| format!("call the dialog plugin from the page: {e}"))?;
        if !denied.as_str().is_some_and(|t| t.contains("not allowed")) {
            return Err(format!("the page reached the dialog plugin: {denied}"));
        }
        // A path typed by hand was never chosen: the shell refuses it, naming it.
        app.fill("#ca-file", "/etc/ssl/certs/ca-certificates.crt").await?;
        app.click("#test-connection").await?;
        app.text_with("#connection-error-text", "/etc/ssl/certs/ca-certificates.crt was not chosen", ANSWER).await?;
        Ok(())
    }
    .await;
    app.finish(result).await;
}

/// A CA certificate (self-signed, made once with `openssl req -x509 -newkey ec -nodes -keyout /dev/null
/// -subj "/CN=Ferry test CA that signed nothing" -days 36500`) that signed
/// nothing the test servers hold.
const OTHER_CA: &str = "-----BEGIN CERTIFICATE-----
MIIBrzCCAVWgAwIBAgIUa1eQujT/DItaM0LQNE9pgcwiVeQwCgYIKoZIzj0EAwIw
LDEqMCgGA1UEAwwhRmVycnkgdGVzdCBDQSB0aGF0IHNpZ25lZCBub3RoaW5nMCAX
DTI2MTIwNTIzNTIxN1oYDzIxMjYxMTExMjM1MjE3WjAsMSowKAYDVQQDDCFGZXJy
eSB0ZXN0IENBIHRoYXQgc2lnbmVkIG5vdGhpbmcwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATeEsdbQ7oXAy8kp5XgrjBuvYvaAtYukRe0CwpMdOCgpPN+nVWai292
fDjcWG0/uGS3F5DeXxgLyVR1WpNw3bIoo1MwUTAdBgNVHQ4EFgQU2CQuaKTAbqpO
PuQEUY2x4y0J5d0wHwYDVR0jBBgwFoAU2CQuaKTAbqpOPuQEUY2x4y0J5d0wDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiA80mFY6e+FPTQtq//AKaGR
BpTPBqj+zG9zaQgS/i5TZQIhAOLE2Mr/p5AAdl0JdMJxI/B5mTl8xe5t32S69icn
68Bc
-----END CERTIFICATE-----
";

/// A process this test started, killed with everything it started in turn when dropped.
struct Spawned {
    child: Child,
}

impl Spawned {
    /// Starts `command` in its own process group, so that dropping it also ends the
    /// processes it starts (tauri-driver → WebKitWebDriver → the app → WebKit's helpers).
    fn start(command: &mut Command, what: &str) -> Self {
        adopt_orphans();
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {what}: {e}"));
        Spawned { child }
    }

    fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        // The group's id is the child's pid (process_group(0)): a negative pid signals it all.
        let group = -(self.child.id() as libc::pid_t);
        for signal in [libc::SIGTERM, libc::SIGKILL] {
            // SAFETY: kill(2) with a process group id this test created.
            unsafe { libc::kill(group, signal) };
            if wait_until_gone(group, Duration::from_secs(5)) {
                break;
            }
        }
        let _ = self.child.wait(); // Usually reaped already by `wait_until_gone`.
    }
}

// --- state ---

/// Opens the demo, pre-flights and diffs it, migrates it into PostgreSQL, rolls the run back
/// from Backups — then Backups and the Checklist say it is rolled back — and opens another
/// file: every status that depended on the demo, its target or its run resets.
#[tokio::test]
async fn statuses_follow_the_file_and_a_rolled_back_run() {
    let _one = ONE_AT_A_TIME.lock().await;
    let other = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gui").join("state-other.sqlite");
    fs::create_dir_all(other.parent().unwrap()).unwrap();
    let _ = fs::remove_file(&other);
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('a'), ('b'), ('c');").unwrap();
    }
    let app = App::start_picking("state-file", std::slice::from_ref(&other)).await;
    let pg = TestDb::new(Target::Pg).await;
    let result = async {
        app.wait("#try-demo", STARTUP).await?;
        app.click("#try-demo").await?;
        app.text_with("#source-summary", "16 tables", RUN).await?;
        connect_to(&app, Target::Pg, &pg.name, "").await?;
        app.text_with("#connection-result", "Empty", ANSWER).await?;

        // Pre-flight: the sidebar says what the page says.
        app.click("#nav-preflight").await?;
        app.click("#run-preflight").await?;
        let verdict = app.wait("#preflight-verdict", RUN).await?;
        let ready = verdict.attr("data-ready").await.map_err(|e| format!("read data-ready: {e}"))?;
        let want = if ready.as_deref() == Some("true") { "Ready to migrate" } else { "Unresolved rows" };
        expect_hint(&app, "preflight", want).await?;
        app.click("#nav-diff").await?;
        app.click("#run-diff").await?;
        app.wait("#diff-headline", RUN).await?;
        expect_hint(&app, "diff", "Target is empty").await?;

        app.click("#nav-run").await?;
        app.click("#start-run").await?;
        app.text_with("#run-result", "finished", RUN).await?;
        expect_hint(&app, "run", "Finished").await?;
        if pg_tables(&pg).await == 0 {
            return Err("the run left no table in the target".into());
        }

        // Roll it back from Backups: the run is marked, with no second "Roll back".
        app.click("#nav-backups").await?;
        app.click("[data-rollback]").await?;
        app.click("#rollback-go").await?;
        app.wait("#rollback-outcome", RUN).await?;
        app.wait("[data-rolled-back]", ANSWER).await?;
        expect_hint(&app, "run", "Rolled back").await?;
        if count(&app, "[data-rollback]").await? != 0 {
            return Err("Backups still offers to roll back the run already rolled back".into());
        }
        if pg_tables(&pg).await != 0 {
            return Err("the rollback left tables in the target".into());
        }
        // The Checklist: what the run did is not ticked any more, and it says why.
        app.click("#nav-checklist").await?;
        for item in ["schema", "data", "indexes"] {
            let li = app.wait(&format!("li[data-item=\"{item}\"]"), ANSWER).await?;
            let by = li.attr("data-by").await.map_err(|e| format!("read data-by: {e}"))?;
            let text = li.text().await.map_err(|e| format!("read {item}: {e}"))?;
            if by.as_deref() == Some("auto") || !text.contains("was rolled back") {
                return Err(format!("Checklist {item} after the rollback: by {by:?}, says {text:?}"));
            }
        }
        let shot = app.logs.join("state-checklist-after-rollback.png");
        fs::write(&shot, app.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?).map_err(|e| format!("write {}: {e}", shot.display()))?;

        // Another file: nothing made for the demo is shown for it.
        app.click("#nav-connections").await?;
        app.click("#choose-file").await?;
        app.text_with("#source-summary", "state-other.sqlite", ANSWER).await?;
        expect_hint(&app, "preflight", "Check every value").await?;
        expect_hint(&app, "diff", "Planned vs the target").await?;
        expect_hint(&app, "run", "Not started").await?;
        app.click("#nav-run").await?;
        app.wait("#start-run", ANSWER).await?;
        if count(&app, "#run-result, tr[data-run-table]").await? != 0 {
            return Err("the Run view still shows the demo's run".into());
        }
        app.click("#nav-preflight").await?;
        app.wait("#run-preflight", ANSWER).await?;
        if count(&app, "#preflight-verdict").await? != 0 {
            return Err("Pre-flight still shows the demo's result".into());
        }
        let shot = app.logs.join("state-other-file.png");
        fs::write(&shot, app.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?).map_err(|e| format!("write {}: {e}", shot.display()))?;
        Ok(())
    }
    .await;
    app.finish(result).await;
    pg.drop_now().await;
}

/// A bigger demo, so that a cancel lands mid-run: cancelled, the Run view says so (sidebar
/// too) with nothing clickable where Cancel was, offers Undo; Undo leaves the target empty;
/// a new run then succeeds; Backups marks the undone run.
#[tokio::test]
async fn a_cancelled_run_is_undone_from_the_run_view() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("state-cancel").await;
    let pg = TestDb::new(Target::Pg).await;
    let result = async {
        // Cancel once rows are being copied.
        start_big_demo_run(&app, &pg).await?;
        let cancel = app.wait("#cancel-run", ANSWER).await?;
        // Where Cancel is in the window (viewport coordinates, as elementFromPoint takes them).
        let at = app
            .client
            .execute(
                "const el = arguments[0]; el.scrollIntoView({ block: 'center' }); const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2];",
                vec![serde_json::to_value(&cancel).unwrap()],
            )
            .await
            .map_err(|e| format!("where is Cancel: {e}"))?;
        cancel.click().await.map_err(|e| format!("click Cancel: {e}"))?;
        app.text_with("#run-status", "cancelled", RUN).await?;
        expect_hint(&app, "run", "Cancelled").await?;
        let under = app
            .client
            .execute("return document.elementFromPoint(arguments[0], arguments[1])?.closest('button')?.id ?? null;", vec![at[0].clone(), at[1].clone()])
            .await
            .map_err(|e| format!("what is where Cancel was: {e}"))?;
        if !under.is_null() {
            return Err(format!("where Cancel was there is now the button {under}"));
        }
        let made = pg_tables(&pg).await;
        if made == 0 {
            return Err("the cancel landed before any table was made: nothing to undo (make the demo bigger)".into());
        }
        let shot = app.logs.join("state-cancelled.png");
        fs::write(&shot, app.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?).map_err(|e| format!("write {}: {e}", shot.display()))?;

        // Undo, after its confirmation: the target is empty again.
        app.click("#undo-run").await?;
        app.text_with("#undo-confirm", "exactly what the run created", ANSWER).await?;
        app.click("#undo-go").await?;
        app.wait("#undo-outcome", RUN).await?;
        expect_hint(&app, "run", "Rolled back").await?;
        let left = pg_tables(&pg).await;
        if left != 0 {
            return Err(format!("Undo left {left} of the {made} tables in the target"));
        }

        // A new run, set up deliberately, succeeds on the emptied target.
        app.click("#new-run").await?;
        app.click("#start-run").await?;
        app.text_with("#run-result", "finished", RUN).await?;
        expect_hint(&app, "run", "Finished").await?;
        let shot = app.logs.join("state-run-again.png");
        fs::write(&shot, app.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?).map_err(|e| format!("write {}: {e}", shot.display()))?;

        // Backups: the undone run is marked; only the new one can be rolled back.
        app.click("#nav-backups").await?;
        app.wait("[data-rolled-back]", ANSWER).await?;
        let (marked, offered) = (count(&app, "[data-rolled-back]").await?, count(&app, "[data-rollback]").await?);
        if (marked, offered) != (1, 1) {
            return Err(format!("Backups marks {marked} run(s) rolled back and offers {offered} rollback(s); want 1 and 1"));
        }
        Ok(())
    }
    .await;
    app.finish(result).await;
    pg.drop_now().await;
}

/// Cancelled mid-run, the run is continued from the Run view ("Continue this run", as
/// `ferry migrate --resume`): it finishes, every table holds the source's rows, and the
/// run's journal is gone from the target.
#[tokio::test]
async fn a_cancelled_run_continues_from_the_run_view() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("state-continue").await;
    let pg = TestDb::new(Target::Pg).await;
    let result = async {
        start_big_demo_run(&app, &pg).await?;
        app.click("#cancel-run").await?;
        app.text_with("#run-status", "cancelled", RUN).await?;
        if pg_tables(&pg).await == 0 {
            return Err("the cancel landed before any table was made: nothing to continue (make the demo bigger)".into());
        }
        app.click("#continue-run").await?;
        app.text_with("#run-result", "finished", RUN).await?;
        expect_hint(&app, "run", "Finished").await?;
        same_rows(&app, &pg).await?;
        let journal = pg.scalar("SELECT count(*)::text FROM information_schema.tables WHERE table_name = 'ferry_run_journal'").await;
        if journal.as_deref() != Some("0") {
            return Err(format!("the finished run left its journal: {journal:?}"));
        }
        Ok(())
    }
    .await;
    app.finish(result).await;
    pg.drop_now().await;
}

/// The cancel tests' start: the big demo (`BIG_DEMO_ROWS`) opened with "Try with the demo
/// database", the empty `pg` tested, the run started; returns once rows are being copied.
async fn start_big_demo_run(app: &App, pg: &TestDb) -> Result<(), String> {
    // Where "Try with the demo database" looks: it builds its own only when none is there.
    let demo = app.data_dir.join("demo/demo.sqlite");
    fs::create_dir_all(demo.parent().unwrap()).unwrap();
    ferry_core::demo::build(&demo, BIG_DEMO_ROWS, true).map_err(|e| format!("build the demo: {e}"))?;
    app.wait("#try-demo", STARTUP).await?;
    app.click("#try-demo").await?;
    app.text_with("#source-summary", "16 tables", RUN).await?;
    connect_to(app, Target::Pg, &pg.name, "").await?;
    app.text_with("#connection-result", "Empty", ANSWER).await?;
    app.click("#nav-run").await?;
    app.click("#start-run").await?;
    app.wait("tr[data-run-table]", RUN).await?;
    Ok(())
}

/// Rows of the demo for the cancel test: enough that copying takes a few seconds.
const BIG_DEMO_ROWS: u64 = 200_000;

/// Waits until the sidebar line under step `view` says `want`.
async fn expect_hint(app: &App, view: &str, want: &str) -> Result<(), String> {
    // Its text through the DOM: WebKitWebDriver reads this <small> as "".
    let script = format!("return document.querySelector('#nav-{view} small')?.textContent ?? '';");
    let deadline = Instant::now() + ANSWER;
    loop {
        let shown = app.client.execute(&script, vec![]).await.map_err(|e| format!("read the sidebar under {view}: {e}"))?;
        let shown = shown.as_str().unwrap_or_default().trim().to_string();
        if shown == want {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the sidebar under {view} says {shown:?}, not {want:?}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The Schema & mapping of a 500-table file (the wide demo): the summary says how many need a
/// look; one click asks to take every high-confidence suggestion and says how many columns in
/// how many tables that changes (the engine's own count); a second click takes them; Undo puts
/// every column back. Then, with a text field focused and nothing happening, the app and its
/// web processes cost next to no CPU (measured from /proc over a few seconds).
#[tokio::test]
async fn bulk_decisions_on_a_500_table_file() {
    use ferry_core::plan::bulk::{self, BulkDecision, Verb, Which};
    let _one = ONE_AT_A_TIME.lock().await;
    let wide = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gui").join("wide-500.sqlite");
    fs::create_dir_all(wide.parent().unwrap()).unwrap();
    ferry_core::demo::wide::build(&wide, 500).expect("build the wide demo");
    // What the engine says, for the same file and target.
    let schema = ferry_core::source::sqlite::read_source(&wide, true, 2).unwrap();
    let proposed = ferry_core::plan::propose(&schema, &wide.display().to_string(), ferry_core::dialect::Dialect::Postgres);
    let high = BulkDecision { verb: Verb::Take, which: Which::High, tables: None };
    let want = bulk::preview(&proposed, &high);
    let mut taken = proposed.clone();
    bulk::apply(&mut taken, &high);
    let still = bulk::preview(&taken, &BulkDecision { verb: Verb::Take, which: Which::All, tables: None });
    let still_tables = still.tables;

    let app = App::start_picking("bulk", std::slice::from_ref(&wide)).await;
    let result = async {
        app.wait("#try-demo", STARTUP).await?;
        app.click("#choose-file").await?;
        app.text_with("#source-summary", "500 tables", RUN).await?;
        app.click("#nav-mapping").await?;
        app.text_with(".lead strong", "500 need a look", ANSWER).await?;

        app.click("#bulk-take-high").await?;
        let said = app.text("#bulk-count").await?;
        if said != want.summary() {
            return Err(format!("the preview says {said:?}, the engine {:?}", want.summary()));
        }
        let amount = "[data-override=\"amount\"]";
        app.click("[data-table=\"t001_invoices\"]").await?;
        expect_value(&app, amount, "double precision").await.map_err(|e| format!("{e} (a preview changed the plan)"))?;
        app.screenshot("mapping-bulk").await?;

        app.click("#bulk-confirm").await?;
        app.text_with("#bulk-done-text", &format!("Took {} suggestions", want.changes.len()), ANSWER).await?;
        expect_value(&app, amount, "numeric(12,2)").await?;
        app.text_with(".lead strong", &format!("{still_tables} need a look"), ANSWER).await?;

        app.click("#bulk-undo").await?;
        app.text_with("#bulk-done-text", "Undone", ANSWER).await?;
        expect_value(&app, amount, "double precision").await?;
        app.text_with(".lead strong", "500 need a look", ANSWER).await?;

        // Idle, a text field focused (the filter, as after typing in it): next to no CPU. The
        // caret blinking kept it at 14-15 % of a core (src-tauri/src/idle.rs). What a click
        // itself repaints (the click, then the overlay scrollbars fading out 3 s later) is
        // over within 6 s, so the measure starts after that. The blink cost 14-15 % in every
        // window; one window can catch a stray repaint (5.2 % once, in CI, where 0.0-2.4 % is
        // usual), so up to three windows are measured and the
        // quietest must be under 8 %: a steady cost still fails, a passing one does not.
        // Why 8 % and not 5 %: with WebKitGTK 2.50.6 (Debian 12's 2.50.6-1~deb12u2) a focused
        // text field costs 5.2-6.6 % alone, 7.0-7.8 % beside the other GUI tests, with the
        // blink off, in the UI process's VBlankMonitor and the web process's main thread, no
        // painting thread; and 9.0-9.4 % with the blink on (`idle::quiet` undone). The bound
        // sits between the two, so turning the blink back on still fails here.
        app.click("#table-filter").await?;
        tokio::time::sleep(Duration::from_secs(8)).await;
        let mut shares = vec![];
        for _ in 0..3 {
            let share = idle_cpu(&app.data_dir, Duration::from_secs(5))?;
            eprintln!("idle: the app and its web processes used {:.1} % of a core", share * 100.0);
            shares.push(format!("{:.1} %", share * 100.0));
            if share <= 0.08 {
                return Ok(());
            }
        }
        Err(format!(
            "sitting idle on the 500-table mapping, the app and its web processes used {} of a core in three windows of 5 s",
            shares.join(", ")
        ))
    }
    .await;
    app.finish(result).await;
}

/// Waits until the input `css` holds `want`.
async fn expect_value(app: &App, css: &str, want: &str) -> Result<(), String> {
    let deadline = Instant::now() + ANSWER;
    loop {
        let el = app.wait(css, ANSWER).await?;
        let v = el.prop("value").await.map_err(|e| format!("read {css}: {e}"))?.unwrap_or_default();
        if v == want {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{css} holds {v:?}, not {want:?}"));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The share of one core the app (the ferry-app whose `FERRY_DATA_DIR` is `data_dir`) and
/// every process under it (WebKit's web and network processes) used over `span`.
fn idle_cpu(data_dir: &Path, span: Duration) -> Result<f64, String> {
    let app = app_pid(data_dir).ok_or("no ferry-app process with this test's FERRY_DATA_DIR")?;
    let t0 = Instant::now();
    let a = tree_ticks(app);
    sleep(span);
    let b = tree_ticks(app);
    // SAFETY: sysconf takes an integer and returns one.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    Ok(b.saturating_sub(a) as f64 / hz / t0.elapsed().as_secs_f64())
}

/// (pid, parent pid, user + system ticks) of every process.
fn processes() -> Vec<(i32, i32, u64)> {
    let mut out = vec![];
    for e in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(stat) = fs::read_to_string(e.path().join("stat")) else { continue };
        // After "pid (comm) ": state ppid … utime (14th field) stime (15th).
        let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) else { continue };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.len() > 12 {
            let n = |i: usize| f[i].parse::<u64>().unwrap_or(0);
            out.push((pid, f[1].parse().unwrap_or(0), n(11) + n(12)));
        }
    }
    out
}

fn app_pid(data_dir: &Path) -> Option<i32> {
    let want = format!("FERRY_DATA_DIR={}", data_dir.display());
    processes().into_iter().map(|(pid, _, _)| pid).find(|pid| {
        let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let env = fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        comm.trim() == "ferry-app" && env.split(|&b| b == 0).any(|kv| kv == want.as_bytes())
    })
}

/// CPU ticks of `root` and all its descendants.
fn tree_ticks(root: i32) -> u64 {
    let all = processes();
    let mut inside = vec![root];
    let mut i = 0;
    while i < inside.len() {
        let parent = inside[i];
        inside.extend(all.iter().filter(|p| p.1 == parent).map(|p| p.0));
        i += 1;
    }
    all.iter().filter(|p| inside.contains(&p.0)).map(|p| p.2).sum()
}

/// How many elements match `css` now.
async fn count(app: &App, css: &str) -> Result<usize, String> {
    app.client.find_all(Locator::Css(css)).await.map(|v| v.len()).map_err(|e| format!("find {css}: {e}"))
}

/// Tables in the test database's public schema.
async fn pg_tables(db: &TestDb) -> i64 {
    db.scalar("SELECT count(*)::text FROM information_schema.tables WHERE table_schema = 'public'").await.and_then(|n| n.parse().ok()).unwrap_or(-1)
}

/// Makes this test process adopt the processes its children leave behind (WebKitWebDriver
/// does not wait for the app, tauri-driver does not wait for WebKitWebDriver), so that it can
/// reap them instead of leaving zombies to an init that may not. Only GUI tests live in this
/// binary, so reaping any child is safe here.
fn adopt_orphans() {
    // SAFETY: prctl(PR_SET_CHILD_SUBREAPER) takes plain integers and only sets a flag.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
}

/// Reaps exited children until no process of `group` is left, or `timeout` passes.
fn wait_until_gone(group: libc::pid_t, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        // SAFETY: waitpid(2) and kill(2) with integers and a valid out-pointer.
        unsafe {
            let mut status = 0;
            while libc::waitpid(-1, &mut status, libc::WNOHANG) > 0 {}
            if libc::kill(group, 0) != 0 {
                return true; // ESRCH: nothing left in the group, zombies included.
            }
        }
        if Instant::now() > deadline {
            return false;
        }
        sleep(Duration::from_millis(20));
    }
}

/// The X display to use: `$DISPLAY` when set, else a fresh Xvfb on a free display number
/// (returned too, so it lives as long as the test).
fn display(logs: &Path) -> (String, Option<Spawned>) {
    if let Some(display) = std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) {
        return (display, None);
    }
    let xvfb = find_program("Xvfb", None, &[]).unwrap_or_else(|| {
        panic!("DISPLAY is unset and Xvfb is not installed: run scripts/setup.sh (package xvfb)")
    });
    for n in 99..199 {
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        if socket.exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let log = log_file(logs, &format!("xvfb-{n}.log"));
        let mut server = Spawned::start(
            Command::new(&xvfb)
                .args([
                    format!(":{n}").as_str(),
                    "-screen",
                    "0",
                    "1280x800x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(log.try_clone().unwrap())
                .stderr(log),
            "Xvfb",
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if socket.exists() {
                return (format!(":{n}"), Some(server));
            }
            if server.has_exited() {
                break; // Another server took this number first: try the next.
            }
            sleep(Duration::from_millis(50));
        }
    }
    panic!(
        "could not start Xvfb on any display from :99 to :198 (see {})",
        logs.display()
    );
}

/// tauri-driver, listening on a free port, with WebKitWebDriver behind it.
struct TauriDriver {
    port: u16,
    log: PathBuf,
    process: Spawned,
}

impl TauriDriver {
    fn start(display: &str, logs: &Path, data_dir: &Path, picks: &[PathBuf], env: &[(&str, std::ffi::OsString)]) -> Self {
        let home_bin =
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo/bin/tauri-driver"));
        let driver = find_program("tauri-driver", Some("TAURI_DRIVER"), home_bin.as_slice())
            .unwrap_or_else(|| {
                panic!(
                    "tauri-driver is not installed (looked at $TAURI_DRIVER, PATH and ~/.cargo/bin): \
                     run scripts/setup.sh, or `cargo install tauri-driver --locked`"
                )
            });
        let native =
            find_program("WebKitWebDriver", Some("WEBKIT_WEBDRIVER"), &[]).unwrap_or_else(|| {
                panic!(
                    "WebKitWebDriver is not installed (looked at $WEBKIT_WEBDRIVER and PATH): \
                     run scripts/setup.sh, or `apt-get install webkit2gtk-driver`"
                )
            });

        let port = free_port();
        let native_port = free_port();
        let log = logs.join("tauri-driver.log");
        let out = log_file(logs, "tauri-driver.log");
        let mut process = Spawned::start(
            Command::new(&driver)
                .arg("--port")
                .arg(port.to_string())
                .arg("--native-port")
                .arg(native_port.to_string())
                .arg("--native-driver")
                .arg(&native)
                .env("DISPLAY", display)
                // The app keeps saved connections, runs and the demo here, apart from the user's.
                .env("FERRY_DATA_DIR", data_dir)
                .env("FERRY_TEST_PICKS", std::env::join_paths(picks).expect("paths without ':'"))
                // No accessibility bus under Xvfb: keep GTK from looking for one.
                .env("NO_AT_BRIDGE", "1")
                .envs(env.iter().map(|(k, v)| (k, v)))
                .stdout(out.try_clone().unwrap())
                .stderr(out),
            "tauri-driver",
        );

        // Both must listen before a session can open: tauri-driver answers at once, but
        // forwards to WebKitWebDriver, which takes a moment to start.
        let deadline = Instant::now() + Duration::from_secs(20);
        for (what, port) in [("tauri-driver", port), ("WebKitWebDriver", native_port)] {
            while TcpStream::connect(("127.0.0.1", port)).is_err() {
                if process.has_exited() || Instant::now() > deadline {
                    panic!(
                        "{what} did not start listening on port {port}\n{}",
                        tail(&log)
                    );
                }
                sleep(Duration::from_millis(50));
            }
        }
        TauriDriver { port, log, process }
    }

    /// Opens a WebDriver session on the app at `application` (an absolute path).
    async fn connect(&self, application: &str) -> Client {
        assert!(
            Path::new(application).is_file(),
            "the app binary {application} is missing"
        );
        let capabilities = json!({ "tauri:options": { "application": application } });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        // Plain HTTP to 127.0.0.1: no TLS needed.
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "could not open a WebDriver session on {application}: {e}\n{}",
                    self.log_tail()
                )
            })
    }

    fn log_tail(&self) -> String {
        let _ = &self.process; // Kept alive until the test ends.
        tail(&self.log)
    }
}

/// `name` from `$env_var`, then PATH, then `extra` places.
fn find_program(name: &str, env_var: Option<&str>, extra: &[PathBuf]) -> Option<PathBuf> {
    let named = env_var.and_then(std::env::var_os).map(PathBuf::from);
    let on_path = std::env::var_os("PATH")
        .map(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(name))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    named
        .into_iter()
        .chain(on_path)
        .chain(extra.iter().cloned())
        .find(|p| p.is_file())
}

/// A port nobody listens on now (the OS picks it; a race with another process is unlikely).
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn log_file(logs: &Path, name: &str) -> fs::File {
    let path = logs.join(name);
    fs::File::create(&path).unwrap_or_else(|e| panic!("create {}: {e}", path.display()))
}

/// The last lines of a log, to show with a failure.
fn tail(log: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut file) = fs::File::open(log) {
        let _ = file.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.len().saturating_sub(40);
    format!(
        "--- last lines of {} ---\n{}",
        log.display(),
        lines[start..].join("\n")
    )
}

// --- the guided flow, nothing clipped ---

/// The steps as the sidebar lists them, in the order Back and Next follow (ui/src/lib/steps.ts).
const STEPS: [&str; 13] = ["connections", "mapping", "production", "preflight", "diff", "run", "report", "validation", "cutover", "monitor", "backups", "checklist", "audit"];

/// Where the app is: the step shown, the view's scroll, and whether Next and Back lie inside
/// the window.
async fn step_at(app: &App) -> Result<(String, f64, bool, bool), String> {
    let got = app
        .client
        .execute(
            "const inside = (id) => { const r = document.getElementById(id).getBoundingClientRect();
               return r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight && r.right <= window.innerWidth; };
             return [document.querySelector('nav [aria-current=\"page\"]')?.id.replace('nav-', '') ?? '',
                     document.getElementById('view').scrollTop, inside('step-next'), inside('step-back')];",
            vec![],
        )
        .await
        .map_err(|e| format!("read where the app is: {e}"))?;
    let a = got.as_array().cloned().unwrap_or_default();
    let text = |i: usize| a.get(i).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let flag = |i: usize| a.get(i).and_then(|v| v.as_bool()).unwrap_or(false);
    Ok((text(0), a.get(1).and_then(|v| v.as_f64()).unwrap_or(-1.0), flag(2), flag(3)))
}

/// Scrolls the view to its end, as a person who read it all leaves it.
async fn scroll_view_down(app: &App) -> Result<(), String> {
    app.client.execute("document.getElementById('view').scrollTo(0, 1e6);", vec![]).await.map(|_| ()).map_err(|e| format!("scroll the view: {e}"))
}

/// At the smallest window, with the demo and an empty target: Next leads through every step
/// to the last and Back all the way again; each step opens at its top (though the one before
/// was left scrolled down) with Next and Back in the window.
#[tokio::test]
async fn back_and_next_lead_through_every_step_each_at_its_top() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("flow-steps").await;
    let pg = TestDb::new(Target::Pg).await;
    let result = async {
        app.wait("#try-demo", STARTUP).await?;
        app.client.set_window_size(1024, 700).await.map_err(|e| format!("set the window to 1024×700: {e}"))?;
        app.click("#try-demo").await?;
        app.text_with("#source-summary", "16 tables", RUN).await?;
        connect_to(&app, Target::Pg, &pg.name, "").await?;
        app.text_with("#connection-result", "Empty", ANSWER).await?;
        app.text_with("#step-todo", "Next: review the schema", ANSWER).await?;
        let mut walk: Vec<&str> = STEPS.to_vec();
        walk.extend(STEPS.iter().rev().skip(1));
        for (i, want) in walk.iter().enumerate() {
            let (step, top, next, back) = step_at(&app).await?;
            // The walk starts where the connection's answer was scrolled into sight; every
            // step after it is arrived at.
            let top = if i == 0 { 0.0 } else { top };
            if step != *want || top != 0.0 || !next || !back {
                return Err(format!("step {i} of the walk: want {want} at its top with Next and Back in the window; got {step}, scrollTop {top}, Next inside {next}, Back inside {back}"));
            }
            if i == STEPS.len() - 1 {
                let shot = app.logs.join("flow-last-step.png");
                fs::write(&shot, app.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?).map_err(|e| format!("write {}: {e}", shot.display()))?;
            }
            scroll_view_down(&app).await?;
            if i + 1 < walk.len() {
                app.click(if i + 1 < STEPS.len() { "#step-next" } else { "#step-back" }).await?;
            }
        }
        let disabled = app.wait("#step-back", ANSWER).await?.attr("disabled").await.map_err(|e| format!("read Back: {e}"))?;
        if disabled.is_none() {
            return Err("Back is not disabled on the first step".into());
        }
        Ok(())
    }
    .await;
    app.finish(result).await;
    pg.drop_now().await;
}

/// The form's fields a not-empty message must leave in the window.
const FORM_FIELDS: [&str; 3] = ["#port", "#user", "#tls"];

/// A target holding a table with a 63-character name (PostgreSQL's longest): tested at the
/// smallest window, the not-empty message names it, in sight, and Port, User and TLS stay
/// inside the window's width (the name wraps instead of widening the form).
#[tokio::test]
async fn a_long_table_name_in_the_target_keeps_the_form_in_the_window() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::start("flow-long-name").await;
    let pg = TestDb::new(Target::Pg).await;
    let long = "customer_loyalty_programme_membership_tier_history_by_region_an";
    assert_eq!(long.len(), 63);
    exec(Target::Pg, Some(&pg.name), &format!("CREATE TABLE \"{long}\" (id int)")).await;
    let result = async {
        app.wait("#test-connection", STARTUP).await?;
        app.client.set_window_size(1024, 700).await.map_err(|e| format!("set the window to 1024×700: {e}"))?;
        connect_to(&app, Target::Pg, &pg.name, "").await?;
        app.text_with("#connection-result", long, ANSWER).await?;
        // The answer is where the user looks: scrolled into the view, not below its fold.
        let deadline = Instant::now() + ANSWER;
        loop {
            let seen = app
                .client
                .execute(
                    "const r = document.getElementById('connection-result').getBoundingClientRect(); const v = document.getElementById('view').getBoundingClientRect();
                     return r.top >= v.top && r.bottom <= v.bottom;",
                    vec![],
                )
                .await
                .map_err(|e| format!("where is the connection result: {e}"))?;
            if seen.as_bool() == Some(true) {
                break;
            }
            if Instant::now() > deadline {
                return Err("the connection result stays out of sight below the fold".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for css in FORM_FIELDS {
            let r = app
                .client
                .execute(
                    "const r = document.querySelector(arguments[0]).getBoundingClientRect();
                     return [r.left, r.right, window.innerWidth, document.documentElement.scrollWidth];",
                    vec![json!(css)],
                )
                .await
                .map_err(|e| format!("measure {css}: {e}"))?;
            let v: Vec<f64> = r.as_array().map(|a| a.iter().map(|x| x.as_f64().unwrap_or(-1.0)).collect()).unwrap_or_default();
            if v.len() != 4 || v[0] < 0.0 || v[1] > v[2] || v[3] > v[2] {
                return Err(format!("{css} is not inside the window (left, right, window width, page width: {v:?})"));
            }
        }
        let shot = app.logs.join("flow-long-name-1024x700.png");
        fs::write(&shot, app.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?).map_err(|e| format!("write {}: {e}", shot.display()))?;
        Ok(())
    }
    .await;
    app.finish(result).await;
    pg.drop_now().await;
}

// --- a file no browser can show ---

/// The app started where every launcher fails (`xdg-open` and `gio` on its PATH exit 3, as
/// they do when no browser is installed): after a run, "Open the HTML report" says that no
/// browser started and where the report is, and "Copy path" copies it.
#[tokio::test]
async fn a_report_no_browser_can_show_says_where_it_is() {
    let _one = ONE_AT_A_TIME.lock().await;
    let stubs = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gui/no-browser-bin");
    let _ = fs::remove_dir_all(&stubs);
    fs::create_dir_all(&stubs).unwrap();
    for program in ["xdg-open", "gio"] {
        use std::os::unix::fs::PermissionsExt;
        let file = stubs.join(program);
        fs::write(&file, "#!/bin/sh\necho \"no method available for opening $*\" >&2\nexit 3\n").unwrap();
        fs::set_permissions(&file, fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = std::env::join_paths(std::iter::once(stubs.clone()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
    let app = App::start_with("flow-no-browser", &[], &[("PATH", path)]).await;
    let pg = TestDb::new(Target::Pg).await;
    let result = async {
        app.wait("#try-demo", STARTUP).await?;
        app.click("#try-demo").await?;
        app.text_with("#source-summary", "16 tables", RUN).await?;
        connect_to(&app, Target::Pg, &pg.name, "").await?;
        app.text_with("#connection-result", "Empty", ANSWER).await?;
        app.click("#nav-run").await?;
        app.click("#start-run").await?;
        app.text_with("#run-result", "finished", RUN).await?;
        app.click("#step-next").await?;
        app.click("#open-report-html").await?;
        let said = app.text_with("#not-opened-text", "Ferry could not open the report: no browser started. It is at ", ANSWER).await?;
        let shown = said.rsplit("It is at ").next().unwrap_or_default().trim().to_string();
        let report = app.data_dir.join("runs");
        if !shown.starts_with(&report.display().to_string()) || !shown.ends_with("/report.html") || !Path::new(&shown).is_file() {
            return Err(format!("the path shown is not the run's report.html under {}: {said:?}", report.display()));
        }
        app.click("#copy-path").await?;
        app.text_with("#not-opened", "Copied.", ANSWER).await?;
        let shot = app.logs.join("flow-no-browser.png");
        fs::write(&shot, app.client.screenshot().await.map_err(|e| format!("screenshot: {e}"))?).map_err(|e| format!("write {}: {e}", shot.display()))?;
        Ok(())
    }
    .await;
    app.finish(result).await;
    pg.drop_now().await;
}
