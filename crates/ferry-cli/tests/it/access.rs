//! Access control after the move (#20): `--roles` makes an owner, an application and a
//! read-only role (and login users with generated passwords, handed over once); as the
//! application the demo's tables read and write but DROP, ALTER and CREATE are refused; as the
//! reader writing is refused; a rollback drops the roles again — on both targets.
//! `--tenant-isolation tenant_id` (PostgreSQL): as the application with `app.tenant_id` set,
//! every table shows exactly that tenant's rows, another tenant's row is refused, unset shows
//! none; MySQL/MariaDB refuse it, saying why.

use crate::common::*;
use sqlx::{Connection, Row};
use std::collections::BTreeMap;
use std::path::Path;

/// Drops the roles and users a test made, whatever happened: on PostgreSQL the database
/// goes first (its grants hold the roles), before the `TestDb` drops it again.
pub struct Roles {
    pub kind: Kind,
    pub db: String,
    pub names: Vec<String>,
}

impl Drop for Roles {
    fn drop(&mut self) {
        let sql = match self.kind {
            Kind::Pg => {
                // Apart: DROP DATABASE cannot share a message (a transaction) with anything.
                cleanup(Kind::Pg, format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.db), 30);
                self.names.iter().map(|n| format!("DROP ROLE IF EXISTS \"{n}\"")).collect::<Vec<_>>().join("; ")
            }
            Kind::My => self.names.iter().map(|n| format!("DROP USER IF EXISTS '{n}'@'%'; DROP ROLE IF EXISTS `{n}`")).collect::<Vec<_>>().join("; "),
        };
        cleanup(self.kind, sql, 30);
    }
}

pub fn role_names(prefix: &str) -> Vec<String> {
    let roles = ["owner", "app", "read"].map(|r| format!("{prefix}_{r}"));
    roles.iter().cloned().chain(roles.iter().map(|r| format!("{r}_login"))).collect()
}

/// `user\trole\tpassword` lines of a passwords file, by role.
pub fn passwords(file: &Path) -> BTreeMap<String, (String, String)> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[1].to_string(), (f[0].to_string(), f[2].to_string()))
        })
        .collect()
}

fn url_as(db: &TestDb, user: &str, password: &str) -> String {
    let mut u = url::Url::parse(&db.url).unwrap();
    u.set_username(user).unwrap();
    u.set_password(Some(password)).unwrap();
    u.to_string()
}

/// One session as another user, whichever the target.
enum Session {
    Pg(sqlx::PgConnection),
    My(sqlx::MySqlConnection),
}

impl Session {
    async fn open(kind: Kind, url: &str) -> Session {
        match kind {
            Kind::Pg => Session::Pg(sqlx::PgConnection::connect(url).await.unwrap_or_else(|e| panic!("connect {url}: {e}"))),
            Kind::My => Session::My(sqlx::MySqlConnection::connect(url).await.unwrap_or_else(|e| panic!("connect {url}: {e}"))),
        }
    }
    async fn exec(&mut self, sql: &str) -> Result<(), String> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Session::Pg(c) => sqlx::raw_sql(sql).execute(c).await.map(|_| ()).map_err(|e| e.to_string()),
            Session::My(c) => sqlx::raw_sql(sql).execute(c).await.map(|_| ()).map_err(|e| e.to_string()),
        }
    }
    async fn count(&mut self, sql: &str) -> Result<i64, String> {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self {
            Session::Pg(c) => sqlx::query(sql).fetch_one(c).await.map(|r| r.get::<i64, _>(0)).map_err(|e| e.to_string()),
            Session::My(c) => sqlx::query(sql).fetch_one(c).await.map(|r| r.get::<i64, _>(0)).map_err(|e| e.to_string()),
        }
    }
}

async fn existing_roles(kind: Kind, names: &[String]) -> Vec<String> {
    let list = names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(", ");
    match kind {
        Kind::Pg => {
            let mut c = sqlx::PgConnection::connect(&pg_base()).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT rolname::text FROM pg_roles WHERE rolname IN ({list}) ORDER BY 1"))).fetch_all(&mut c).await.unwrap().iter().map(|r| r.get::<String, _>(0)).collect()
        }
        Kind::My => {
            let mut c = sqlx::MySqlConnection::connect(&mysql_base()).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT CAST(User AS CHAR) FROM mysql.user WHERE User IN ({list}) ORDER BY 1"))).fetch_all(&mut c).await.unwrap().iter().map(|r| r.get::<String, _>(0)).collect()
        }
    }
}

#[tokio::test]
async fn the_app_role_reads_and_writes_rows_and_nothing_else() {
    let dir = Scratch::new();
    let src = demo_of(&dir, 2_000);
    let counts = source_counts(&src);
    for kind in Kind::all() {
        let db = TestDb::new(kind, "access").await;
        let names = role_names(&db.name);
        let _roles = Roles { kind, db: db.name.clone(), names: names.clone() };
        let file = dir.path(&format!("{}.passwords", db.name));
        let (run, rep) = migrate(&src, &db, &["--roles", "--roles-login", "--roles-passwords", file.to_str().unwrap()]);
        // Both targets carry the demo's trigger (MySQL/MariaDB as a BEFORE UPDATE trigger), so
        // the run completes with nothing left behind.
        let completed_with: i32 = 0;
        assert!(run.code == completed_with && rep["completed"] == true, "{kind:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(mode(&file), 0o600, "{kind:?}: the passwords' file is its owner's alone");
        let pw = passwords(&file);
        assert_eq!(pw.len(), 3, "{kind:?}: {pw:?}");
        // The passwords are nowhere else: not in the output, the report or the audit log.
        let audit = std::fs::read_to_string(std::env::temp_dir().join(format!("ferry-test-audit-{}.jsonl", std::process::id()))).unwrap_or_default();
        for (_, secret) in pw.values() {
            assert_eq!(secret.len(), 24);
            for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr), ("report", &rep.to_string()), ("audit log", &audit)] {
                assert!(!text.contains(secret.as_str()), "{kind:?}: a password is in the {what}");
            }
        }
        let plan_roles = &rep["plan"]["access"]["roles"];
        assert_eq!(plan_roles["app"], format!("{}_app", db.name), "{kind:?}: the names are in the plan");
        assert_eq!(existing_roles(kind, &names).await.len(), 6, "{kind:?}");

        let app_role = format!("{}_app", db.name);
        let (user, secret) = &pw[&app_role];
        let mut app = Session::open(kind, &url_as(&db, user, secret)).await;
        let want = counts.iter().find(|(t, _)| t == "orders").unwrap().1;
        assert_eq!(app.count("SELECT COUNT(*) FROM orders").await, Ok(want), "{kind:?}: the app reads");
        let audit_rows = counts.iter().find(|(t, _)| t == "audit_logs").unwrap().1;
        // An identity column takes its next value: the sequence is the app's to use.
        app.exec("INSERT INTO audit_logs (tenant_id, action, entity_type) SELECT id, 'test', 'test' FROM tenants ORDER BY id LIMIT 1").await.unwrap_or_else(|e| panic!("{kind:?}: the app inserts: {e}"));
        assert_eq!(app.count("SELECT COUNT(*) FROM audit_logs").await, Ok(audit_rows + 1), "{kind:?}");
        app.exec("UPDATE products SET name = CONCAT(name, '!') WHERE id IN (SELECT id FROM (SELECT id FROM products ORDER BY id LIMIT 3) x)").await.unwrap_or_else(|e| panic!("{kind:?}: the app updates: {e}"));
        app.exec("DELETE FROM audit_logs WHERE action = 'test'").await.unwrap_or_else(|e| panic!("{kind:?}: the app deletes: {e}"));
        let create = if kind == Kind::Pg { "CREATE TABLE public.sneaky (id int)".to_string() } else { format!("CREATE TABLE `{}`.sneaky (id int)", db.name) };
        for sql in ["DROP TABLE order_items", "ALTER TABLE orders ADD COLUMN sneaky int", "TRUNCATE TABLE audit_logs", create.as_str()] {
            let refused = app.exec(sql).await;
            assert!(refused.is_err(), "{kind:?}: the app role may not {sql}");
        }

        let read_role = format!("{}_read", db.name);
        let (user, secret) = &pw[&read_role];
        let mut reader = Session::open(kind, &url_as(&db, user, secret)).await;
        assert_eq!(reader.count("SELECT COUNT(*) FROM orders").await, Ok(want), "{kind:?}: the reader reads");
        for sql in ["DELETE FROM order_items", "UPDATE orders SET status = 'paid'", "INSERT INTO audit_logs (tenant_id, action, entity_type) SELECT id, 'r', 'r' FROM tenants LIMIT 1"] {
            assert!(reader.exec(sql).await.is_err(), "{kind:?}: the read-only role may not {sql}");
        }

        let owner_role = format!("{}_owner", db.name);
        let (user, secret) = &pw[&owner_role];
        let mut owner = Session::open(kind, &url_as(&db, user, secret)).await;
        owner.exec("ALTER TABLE tenants ADD COLUMN note_by_owner int").await.unwrap_or_else(|e| panic!("{kind:?}: the owner changes the schema: {e}"));
        owner.exec("ALTER TABLE tenants DROP COLUMN note_by_owner").await.unwrap();
        drop((app, reader, owner));

        // Roles are the server's: a second run into another database with the same names is
        // refused before it writes anything, and goes with --roles-reuse.
        let other = TestDb::new(kind, "access2").await;
        let prefix = format!("--roles={}", db.name);
        let (again, _) = migrate(&src, &other, &[&prefix]);
        assert_eq!(again.code, 1, "{kind:?}: {}{}", again.stdout, again.stderr);
        assert!(again.stderr.contains("already exist") && again.stderr.contains("--roles-reuse"), "{kind:?}: {}", again.stderr);
        let tables = match kind {
            Kind::Pg => other.texts("SELECT count(*)::text FROM information_schema.tables WHERE table_schema = 'public'").await,
            Kind::My => other.texts(&format!("SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.tables WHERE table_schema = '{}'", other.name)).await,
        };
        assert_eq!(tables, vec![Some("0".into())], "{kind:?}: nothing written");
        let (reused, rep2) = migrate(&src, &other, &[&prefix, "--roles-reuse"]);
        assert!(reused.code == completed_with && rep2["completed"] == true, "{kind:?}: {}{}", reused.stdout, reused.stderr);
        assert!(rep2["created"].as_array().unwrap().iter().all(|c| c["kind"] != "role"), "{kind:?}: reused roles are not the run's");
        drop(other);

        // A rollback drops the roles and users the run made.
        let report = src.with_extension(format!("{}.report.json", db.name));
        let back = ferry(&["rollback", report.to_str().unwrap(), "--to", &db.url]);
        assert_eq!(back.code, 0, "{kind:?}: {}{}", back.stdout, back.stderr);
        assert_eq!(existing_roles(kind, &names).await, Vec::<String>::new(), "{kind:?}: {}", back.stdout);
    }
}

/// What the source holds for one tenant, table by table, following the plan's isolation: a
/// table by its column (or the tenants table by its key), a child through its parent's rows.
fn tenant_counts(src: &Path, iso: &serde_json::Value, tenant: &str) -> BTreeMap<String, i64> {
    let c = rusqlite::Connection::open_with_flags(src, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let tables = iso["tables"].as_array().unwrap();
    // The rows of a table one tenant sees, as a SELECT of its rowids.
    fn seen(tables: &[serde_json::Value], table: &str, tenant: &str, depth: u32) -> String {
        assert!(depth < 10, "a cycle in the isolation");
        let t = tables.iter().find(|t| t["table"] == table).unwrap_or_else(|| panic!("{table} isolated"));
        match t["by"].as_str().unwrap() {
            "column" | "key" => format!("SELECT * FROM \"{table}\" WHERE \"{}\" = '{tenant}'", t["column"].as_str().unwrap()),
            _ => {
                let parent = t["parent"].as_str().unwrap();
                let on: Vec<String> = t["through"].as_array().unwrap().iter().zip(t["parent_columns"].as_array().unwrap()).map(|(c, p)| format!("p.\"{}\" = \"{table}\".\"{}\"", p.as_str().unwrap(), c.as_str().unwrap())).collect();
                format!("SELECT * FROM \"{table}\" WHERE EXISTS (SELECT 1 FROM ({}) p WHERE {})", seen(tables, parent, tenant, depth + 1), on.join(" AND "))
            }
        }
    }
    tables
        .iter()
        .map(|t| {
            let name = t["table"].as_str().unwrap();
            let n: i64 = c.query_row(&format!("SELECT count(*) FROM ({})", seen(tables, name, tenant, 0)), [], |r| r.get(0)).unwrap();
            (name.to_string(), n)
        })
        .collect()
}

#[tokio::test]
async fn postgres_rows_are_kept_to_their_tenant() {
    let dir = Scratch::new();
    let src = demo_of(&dir, 3_000);
    let db = TestDb::new(Kind::Pg, "tenants").await;
    let names = role_names(&db.name);
    let _roles = Roles { kind: Kind::Pg, db: db.name.clone(), names };
    let file = dir.path("passwords");
    let (run, rep) = migrate(&src, &db, &["--roles", "--roles-login", "--roles-passwords", file.to_str().unwrap(), "--tenant-isolation", "tenant_id"]);
    assert!(run.code == 0 && rep["completed"] == true, "{}{}", run.stdout, run.stderr);
    let iso = &rep["plan"]["access"]["isolation"];
    assert_eq!(iso["setting"], "app.tenant_id");
    assert!(iso["open"].as_array().is_none_or(|o| o.is_empty()), "every demo table is isolated: {}", iso["open"]);
    let isolated: Vec<&str> = iso["tables"].as_array().unwrap().iter().map(|t| t["table"].as_str().unwrap()).collect();
    assert_eq!(isolated.len(), source_counts(&src).len(), "{isolated:?}");
    // Where no index led with tenant_id, one was made.
    for t in iso["tables"].as_array().unwrap().iter().filter(|t| t["index"] == true) {
        let name = t["table"].as_str().unwrap();
        let defs = db.texts(&format!("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = '{name}'")).await;
        assert!(defs.iter().flatten().any(|d| d.contains("(tenant_id)")), "{name}: {defs:?}");
    }
    let tenants: Vec<String> = db.texts("SELECT id::text FROM tenants ORDER BY id").await.into_iter().flatten().collect();
    assert!(tenants.len() >= 2, "{tenants:?}");
    let pw = passwords(&file);
    let (user, secret) = &pw[&format!("{}_app", db.name)];
    let app_url = url_as(&db, user, secret);

    for tenant in &tenants[..2] {
        let want = tenant_counts(&src, iso, tenant);
        let mut app = Session::open(Kind::Pg, &app_url).await;
        app.exec(&format!("SET app.tenant_id = '{tenant}'")).await.unwrap();
        let mut got = BTreeMap::new();
        for t in want.keys() {
            got.insert(t.clone(), app.count(&format!("SELECT count(*) FROM \"{t}\"")).await.unwrap());
        }
        assert_eq!(got, want, "tenant {tenant}: each table shows exactly its rows");
        assert!(want.values().filter(|n| **n > 0).count() > 5, "the tenant has rows in most tables: {want:?}");
    }
    let (a, b) = (&tenants[0], &tenants[1]);
    let mut app = Session::open(Kind::Pg, &app_url).await;
    app.exec(&format!("SET app.tenant_id = '{a}'")).await.unwrap();
    app.exec(&format!("INSERT INTO audit_logs (tenant_id, action, entity_type) VALUES ('{a}', 'own', 'test')")).await.expect("a row of the tenant's own goes in");
    let refused = app.exec(&format!("INSERT INTO audit_logs (tenant_id, action, entity_type) VALUES ('{b}', 'other', 'test')")).await;
    assert!(refused.as_ref().is_err_and(|e| e.contains("row-level security")), "another tenant's row is refused: {refused:?}");
    let moved = app.exec(&format!("UPDATE orders SET tenant_id = '{b}'")).await;
    assert!(moved.is_err(), "a row cannot be moved to another tenant: {moved:?}");
    app.exec("DELETE FROM audit_logs WHERE action = 'own'").await.unwrap();
    // Unset (never set, or reset): nothing at all.
    for setup in ["", "RESET app.tenant_id"] {
        let mut fresh = Session::open(Kind::Pg, &app_url).await;
        if !setup.is_empty() {
            fresh.exec(&format!("SET app.tenant_id = '{a}'")).await.unwrap();
            fresh.exec(setup).await.unwrap();
        }
        for t in &isolated {
            assert_eq!(fresh.count(&format!("SELECT count(*) FROM \"{t}\"")).await, Ok(0), "{t} with the setting unset ({setup:?})");
        }
    }
    drop(app);
    // Ferry itself, connecting as the superuser it loaded with, still sees every row; by the
    // run's plan the tenant indexes are expected.
    let run_report = src.with_extension(format!("{}.report.json", db.name));
    let v = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--run-report", run_report.to_str().unwrap()]);
    assert_eq!(v.code, 0, "validate after isolation: {}{}", v.stdout, v.stderr);
}

#[tokio::test]
async fn mysql_says_it_has_no_row_level_security() {
    let dir = Scratch::new();
    let src = demo_of(&dir, 300);
    let db = TestDb::new(Kind::My, "norls").await;
    for cmd in ["plan", "migrate"] {
        let r = ferry(&[cmd, src.to_str().unwrap(), "--to", &db.url, "--tenant-isolation", "tenant_id"]);
        assert_eq!(r.code, 1, "{cmd}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("no row-level security"), "{cmd}: {}", r.stderr);
    }
    let tables = db.texts(&format!("SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.tables WHERE table_schema = '{}'", db.name)).await;
    assert_eq!(tables, vec![Some("0".into())], "nothing written");
}

#[test]
fn the_plan_holds_the_names_and_shows_the_ddl() {
    let dir = Scratch::new();
    let src = demo_of(&dir, 300);
    let out = dir.path("plan.toml");
    let r = ferry(&["plan", src.to_str().unwrap(), "--to", "postgres://u@127.0.0.1/shop", "--roles", "--roles-login", "--tenant-isolation", "tenant_id", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let plan = std::fs::read_to_string(&out).unwrap();
    for want in ["[access.roles]", "owner = \"shop_owner\"", "app = \"shop_app\"", "read = \"shop_read\"", "login = true", "setting = \"app.tenant_id\"", "by = \"parent\"", "parent = \"orders\""] {
        assert!(plan.contains(want), "{want} in the plan:\n{plan}");
    }
    for want in ["CREATE ROLE \"shop_app\" NOLOGIN", "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE", "CREATE ROLE \"shop_app_login\" LOGIN INHERIT PASSWORD '<generated>' IN ROLE \"shop_app\"", "FORCE ROW LEVEL SECURITY", "CREATE POLICY ferry_tenant_isolation ON \"public\".\"order_items\" USING (EXISTS"] {
        assert!(r.stdout.contains(want), "{want} shown:\n{}", r.stdout);
    }
    assert!(!plan.contains("PASSWORD"), "no password in the plan");
    // MariaDB: roles, grants and login users alike; tables have no owner there.
    let r = ferry(&["plan", src.to_str().unwrap(), "--to", "mariadb://u@127.0.0.1/shop", "--roles=crm", "--roles-login"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for want in ["CREATE ROLE `crm_owner`", "GRANT ALL PRIVILEGES ON `shop`.* TO `crm_owner`", "GRANT SELECT, INSERT, UPDATE, DELETE ON `shop`.`orders` TO `crm_app`", "GRANT `crm_read` TO 'crm_read_login'@'%'", "SET DEFAULT ROLE `crm_app` FOR 'crm_app_login'@'%'"] {
        assert!(r.stderr.contains(want), "{want} shown (beside the plan, on stderr):\n{}", r.stderr);
    }
    assert!(!r.stderr.contains("OWNER TO") && !r.stderr.contains("POLICY"), "{}", r.stderr);
    // Not asked for isolation: proposed, where the server has it (not on MariaDB).
    assert!(!r.stderr.contains("--tenant-isolation tenant_id would"), "{}", r.stderr);
    let hint = ferry(&["plan", src.to_str().unwrap(), "--to", "postgres://u@127.0.0.1/shop", "--roles"]);
    assert!(hint.stderr.contains("tenant_id references tenants from 13 of 16 tables: --tenant-isolation tenant_id would"), "{}", hint.stderr);
    assert!(r.stdout.contains("owner = \"crm_owner\""), "the plan on stdout");
}

/// A hosted server's admin is no superuser: it may create roles (CREATEROLE) and owns the
/// database. `--roles` still gives the tables to the owner role (the loader joins it first),
/// and the application reads through its login.
#[tokio::test]
async fn postgres_roles_from_a_loading_user_that_is_not_superuser() {
    let dir = Scratch::new();
    let src = demo_of(&dir, 500);
    let db = TestDb::new(Kind::Pg, "loader").await;
    let loader = format!("{}_loader", db.name);
    let mut names = role_names(&db.name);
    names.push(loader.clone());
    let _roles = Roles { kind: Kind::Pg, db: db.name.clone(), names };
    let mut admin = sqlx::PgConnection::connect(&pg_base()).await.unwrap();
    for sql in [format!("CREATE ROLE \"{loader}\" LOGIN CREATEROLE"), format!("ALTER DATABASE \"{}\" OWNER TO \"{loader}\"", db.name)] {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut admin).await.unwrap();
    }
    let mut as_loader = url::Url::parse(&db.url).unwrap();
    as_loader.set_username(&loader).unwrap();
    let file = dir.path("passwords");
    let report = dir.path("run.json");
    let r = ferry(&["migrate", src.to_str().unwrap(), "--to", as_loader.as_str(), "--roles", "--roles-login", "--roles-passwords", file.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert!(r.code == 2 || r.code == 0, "{}{}", r.stdout, r.stderr);
    let owners = db.texts("SELECT DISTINCT tableowner::text FROM pg_tables WHERE schemaname = 'public'").await;
    assert_eq!(owners, vec![Some(format!("{}_owner", db.name))]);
    let pw = passwords(&file);
    let (user, secret) = &pw[&format!("{}_app", db.name)];
    let mut app = Session::open(Kind::Pg, &url_as(&db, user, secret)).await;
    assert!(app.count("SELECT count(*) FROM orders").await.unwrap() > 0);
    assert!(app.exec("DROP TABLE order_items").await.is_err());
}
