//! Access control after the move: roles (owner / application / read-only) and tenant isolation
//! (row-level security on the tenant column, tables that reach the tenant only through a
//! foreign key included), kept in the plan as `[access]` entries and turned into DDL by the
//! dialect (`dialect/*/access.rs`). Opt-in: `ferry plan --roles`, `ferry migrate --roles`,
//! `--tenant-isolation COLUMN`.
//!
//! - The owner role owns the run's tables and views (PostgreSQL; on MySQL/MariaDB, where
//!   tables have no owner, it holds every privilege on the database): schema changes are its.
//! - The application role may SELECT, INSERT, UPDATE and DELETE the run's tables (and take
//!   values from their identity sequences), read its views, and nothing else: no DROP, ALTER
//!   or CREATE.
//! - The read-only role may SELECT them.
//! - Login users (`<role>_login`) where asked, with passwords generated here and handed back
//!   once (`Report::logins`, never serialized): never in the plan, the report or the audit log.
//!
//! Roles are the server's, not the database's (PostgreSQL: cluster-wide): one that already
//! exists is refused unless the run is told to reuse it, and a rollback drops only the roles
//! its run made, and only once they own nothing else.

use crate::dialect::access::{AccessSql, Guard, Isolate, Place, RoleNames};
use crate::dialect::ddl::Step;
use crate::dialect::session::{db_message, Conn, Target};
use crate::dialect::Dialect;
use crate::error::{FerryError, Result};
use crate::events::Warning;
use crate::plan::Plan;
use crate::report::{CreatedKind, CreatedObject};
use crate::schema::{IndexPart, Schema, Table};
pub use crate::plan::access::{Access, IsolatedBy, IsolatedTable, Isolation, Roles};
pub use crate::secret::{Login, Password};

/// What `--roles` / `--tenant-isolation` ask for, before the plan says it.
#[derive(Debug, Clone, Default)]
pub struct AccessRequest {
    /// Roles named `<prefix>_owner`, `<prefix>_app`, `<prefix>_read` (the CLI gives the
    /// database's name unless told another); None: no roles.
    pub roles: Option<String>,
    /// Login users for the roles, with generated passwords.
    pub login: bool,
    /// The tenant column to isolate by.
    pub tenant_column: Option<String>,
    /// The setting's name; `app.tenant_id` by default.
    pub setting: Option<String>,
    /// Roles or users of these names that exist already are granted to as they are, not
    /// refused (and a rollback leaves them).
    pub reuse: bool,
}

/// The setting a policy compares with when none is named.
pub const DEFAULT_SETTING: &str = "app.tenant_id";

fn names_of(r: &Roles) -> RoleNames<'_> {
    RoleNames { owner: &r.owner, app: &r.app, read: &r.read }
}

/// A name made of the database's: lower case, letters, digits and `_` only.
fn prefix_of(name: &str) -> String {
    let mut s: String = name.trim().to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

/// Whether a role name is one Ferry writes: `[a-z_][a-z0-9_]*`, within the server's limit
/// with `_login` after it. Names go into DDL quoted anyway; this keeps them plain.
fn check_name(sql: &dyn AccessSql, name: &str, login: bool) -> std::result::Result<(), String> {
    let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !plain {
        return Err(format!("role name {name:?}: use lower-case letters, digits and _ (starting with a letter)"));
    }
    let longest = if login { Roles::login_of(name) } else { name.to_string() };
    if longest.len() > sql.name_limit() {
        return Err(format!("role name {longest:?} is longer than the server's {} characters: name the roles with --roles SHORTER", sql.name_limit()));
    }
    Ok(())
}

/// Whether a setting's name is one PostgreSQL takes for the application's own: `a.b`.
fn check_setting(s: &str) -> std::result::Result<(), String> {
    let ok = |p: &str| p.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    match s.split_once('.') {
        Some((a, b)) if ok(a) && ok(b) => Ok(()),
        _ => Err(format!("setting {s:?}: name it prefix.name in lower case (app.tenant_id)")),
    }
}

/// The plan's `[access]` for a request: role names, and (where the server has row-level
/// security) each table's way to its tenant.
pub fn propose(plan: &Plan, schema: &Schema, dialect: Dialect, req: &AccessRequest) -> std::result::Result<Access, String> {
    let mut access = Access::default();
    if let Some(prefix) = &req.roles {
        let p = prefix_of(prefix);
        if p.is_empty() {
            return Err("--roles: name the roles' prefix (--roles shop)".into());
        }
        access.roles = Some(Roles { owner: format!("{p}_owner"), app: format!("{p}_app"), read: format!("{p}_read"), login: req.login });
    }
    if let Some(column) = &req.tenant_column {
        access.isolation = Some(isolation(plan, schema, column, req.setting.as_deref().unwrap_or(DEFAULT_SETTING))?);
    }
    check(&access, plan, dialect)?;
    Ok(access)
}

/// Checks a plan's `[access]` for the target: names the server takes, row-level security
/// where the server has it, tables and columns the plan has.
pub fn check(a: &Access, plan: &Plan, dialect: Dialect) -> std::result::Result<(), String> {
    let sql = dialect.access_sql();
    if let Some(r) = &a.roles {
        for n in r.all() {
            check_name(sql, n, r.login)?;
        }
        if r.owner == r.app || r.owner == r.read || r.app == r.read {
            return Err("the owner, application and read-only roles need three different names".into());
        }
    }
    if let Some(iso) = &a.isolation {
        sql.row_security().map_err(|why| format!("tenant isolation on {}: {why}", dialect.name()))?;
        check_setting(&iso.setting)?;
        for t in &iso.tables {
            let tp = plan.table(&t.table).ok_or_else(|| format!("[access.isolation] names table {:?}, which the plan does not have", t.table))?;
            for c in t.column.iter().chain(&t.through) {
                if !tp.columns.iter().any(|x| x.source == *c) {
                    return Err(format!("[access.isolation] names column {}.{c}, which the plan does not have", t.table));
                }
            }
            if let Some(p) = &t.parent {
                let pp = plan.table(p).ok_or_else(|| format!("[access.isolation] names parent table {p:?}, which the plan does not have"))?;
                if t.through.is_empty() || t.through.len() != t.parent_columns.len() || t.parent_columns.iter().any(|c| !pp.columns.iter().any(|x| x.source == *c)) {
                    return Err(format!("[access.isolation] table {}: through and parent_columns must name the foreign key's columns and {p}'s, as many of each", t.table));
                }
            } else if t.column.is_none() {
                return Err(format!("[access.isolation] table {}: by {:?} needs a column", t.table, t.by));
            }
        }
    }
    Ok(())
}

/// Whether a table has an index (or key) whose first column is `column`.
fn led_by(t: &Table, column: &str) -> Option<String> {
    let is = |c: &str| c.eq_ignore_ascii_case(column);
    if t.primary_key.as_ref().is_some_and(|p| p.columns.first().is_some_and(|c| is(c))) {
        return Some("its primary key".into());
    }
    if let Some(u) = t.uniques.iter().find(|u| u.columns.first().is_some_and(|c| is(c))) {
        return Some(format!("its UNIQUE ({})", u.columns.join(", ")));
    }
    t.indexes.iter().filter(|i| i.where_clause.is_none()).find(|i| matches!(i.parts.first(), Some(IndexPart::Column { name, .. }) if is(name))).map(|i| format!("index {}", i.name))
}

fn isolation(plan: &Plan, schema: &Schema, column: &str, setting: &str) -> std::result::Result<Isolation, String> {
    let column = column.trim();
    let in_plan = |t: &Table| plan.table(&t.name).is_some_and(|tp| !tp.skip);
    let tables: Vec<&Table> = schema.tables.iter().filter(|t| in_plan(t)).collect();
    let direct: Vec<&Table> = tables.iter().copied().filter(|t| t.column(column).is_some()).collect();
    if direct.is_empty() {
        return Err(format!("--tenant-isolation {column}: no table has a column {column:?}"));
    }
    // The tenants table: the one the column's foreign keys reference most.
    let mut refs: Vec<(String, String)> = vec![];
    for t in &direct {
        for fk in t.foreign_keys.iter().filter(|fk| fk.columns.len() == 1 && fk.columns[0].eq_ignore_ascii_case(column)) {
            let Some(parent) = schema.table(&fk.ref_table) else { continue };
            let key = fk.ref_columns.first().cloned().or_else(|| parent.primary_key.as_ref().and_then(|p| p.columns.first().cloned()));
            if let Some(key) = key {
                refs.push((parent.name.clone(), key));
            }
        }
    }
    let tenants = refs.iter().max_by_key(|r| refs.iter().filter(|x| *x == *r).count()).cloned();
    let mut out: Vec<IsolatedTable> = vec![];
    for t in &direct {
        let col = t.column(column).map(|c| c.name.clone()).unwrap_or_default();
        let (index, why) = match led_by(t, &col) {
            Some(by) => (false, format!("{col} compared with {setting}; {by} leads with it")),
            None => (true, format!("{col} compared with {setting}; an index on {col} is made (none led with it)")),
        };
        out.push(IsolatedTable { table: t.name.clone(), by: IsolatedBy::Column, column: Some(col), parent: None, through: vec![], parent_columns: vec![], index, why });
    }
    if let Some((name, key)) = &tenants {
        if !out.iter().any(|x| x.table == *name) && tables.iter().any(|t| t.name == *name) {
            out.push(IsolatedTable {
                table: name.clone(),
                by: IsolatedBy::Key,
                column: Some(key.clone()),
                parent: None,
                through: vec![],
                parent_columns: vec![],
                index: false,
                why: format!("the tenants table ({column} references its {key}): a tenant sees its own row; a new tenant's row is written with {setting} set to its {key}"),
            });
        }
    }
    // Tables without the column, through a foreign key to a table already held, nearest first.
    loop {
        let mut added = false;
        for t in &tables {
            if out.iter().any(|x| x.table == t.name) {
                continue;
            }
            let held = |fk: &&crate::schema::ForeignKey| !fk.ref_table.eq_ignore_ascii_case(&t.name) && out.iter().any(|x| x.table.eq_ignore_ascii_case(&fk.ref_table));
            let not_null = |fk: &crate::schema::ForeignKey| fk.columns.iter().all(|c| t.column(c).is_some_and(|c| c.not_null) || t.primary_key.as_ref().is_some_and(|p| p.columns.contains(c)));
            let mut fks: Vec<&crate::schema::ForeignKey> = t.foreign_keys.iter().filter(held).collect();
            fks.sort_by_key(|fk| !not_null(fk));
            let Some(fk) = fks.first() else { continue };
            let Some(parent) = schema.table(&fk.ref_table) else { continue };
            let parent_cols: Vec<String> = if fk.ref_columns.is_empty() { parent.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default() } else { fk.ref_columns.clone() };
            if parent_cols.len() != fk.columns.len() {
                continue;
            }
            let on = fk.columns.iter().zip(&parent_cols).map(|(c, p)| format!("{c} → {}.{p}", parent.name)).collect::<Vec<_>>().join(", ");
            let mut why = format!(
                "no {column}: held through {} ({on}) — a row is seen when its {} row is, under that table's own policy. Cost: one lookup of the parent by its key per row read (an index probe each, felt in scans of many rows); carrying {column} down into {} with an index on it would make it a column comparison",
                parent.name, parent.name, t.name
            );
            if !not_null(fk) {
                why.push_str(&format!("; rows whose {} is NULL are seen by no tenant", fk.columns.join(", ")));
            }
            out.push(IsolatedTable { table: t.name.clone(), by: IsolatedBy::Parent, column: None, parent: Some(parent.name.clone()), through: fk.columns.clone(), parent_columns: parent_cols, index: false, why });
            added = true;
        }
        if !added {
            break;
        }
    }
    let open = tables.iter().filter(|t| !out.iter().any(|x| x.table == t.name)).map(|t| format!("{}: no {column} and no foreign key to a table that has it — every tenant sees all its rows", t.name)).collect();
    Ok(Isolation { column: column.to_string(), setting: setting.to_string(), open, tables: out })
}

/// The column most tables reach their tenant by, proposed unasked: a single-column foreign
/// key of the same name to the same table on more than half of the tables. Returns the
/// column, the table it references, and how many tables have it.
pub fn tenant_column(schema: &Schema) -> Option<(String, String, usize)> {
    let mut counts: Vec<((String, String), usize)> = vec![];
    for t in &schema.tables {
        let mut seen: Vec<(String, String)> = vec![];
        for fk in t.foreign_keys.iter().filter(|f| f.columns.len() == 1 && !f.ref_table.eq_ignore_ascii_case(&t.name)) {
            let key = (fk.columns[0].to_ascii_lowercase(), fk.ref_table.to_ascii_lowercase());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key.clone());
            match counts.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => *n += 1,
                None => counts.push((key, 1)),
            }
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let ((column, table), n) = counts.into_iter().next()?;
    (n * 2 > schema.tables.len() && n >= 2).then_some((column, table, n))
}

/// The run's tables (target names) the plan loads.
fn target_tables(plan: &Plan) -> Vec<String> {
    plan.tables.iter().filter(|t| !t.skip).map(|t| t.target.clone()).collect()
}

/// Row-level security's statements, table by table, in the order they must run: tables held
/// by their own column and the tenants table first, children after their parents; with the
/// tenant column's indexes for a preview (a run makes them with the tables' own indexes).
fn isolation_steps(iso: &Isolation, plan: &Plan, dialect: Dialect, schema: &str, with_index: bool) -> Result<Vec<Step>> {
    let sql = dialect.access_sql();
    let bad = |detail: String| FerryError::PlanUnreadable { path: "[access.isolation]".into(), detail };
    let target_of = |table: &str, column: &str| -> Result<(String, String, String)> {
        let tp = plan.table(table).ok_or_else(|| bad(format!("no table {table:?} in the plan")))?;
        let cp = tp.columns.iter().find(|c| c.source == column).ok_or_else(|| bad(format!("no column {table}.{column} in the plan")))?;
        let ty = crate::dialect::clean_type(&cp.target_type).ok_or_else(|| bad(format!("column {table}.{column}: type {:?} is not one Ferry writes", cp.target_type)))?;
        Ok((tp.target.clone(), cp.target.clone(), ty))
    };
    let mut out = vec![];
    for t in &iso.tables {
        let tname = plan.table(&t.table).map(|tp| tp.target.clone()).ok_or_else(|| bad(format!("no table {:?} in the plan", t.table)))?;
        let (guard, index) = match (t.by, &t.column, &t.parent) {
            (IsolatedBy::Parent, _, Some(parent)) => {
                let mut columns = vec![];
                let mut ptarget = String::new();
                for (c, p) in t.through.iter().zip(&t.parent_columns) {
                    let (_, ctarget, _) = target_of(&t.table, c)?;
                    let (pt, pc, _) = target_of(parent, p)?;
                    ptarget = pt;
                    columns.push((ctarget, pc));
                }
                (Guard::Parent { parent: ptarget, columns }, None)
            }
            (_, Some(column), _) => {
                let (_, ctarget, type_sql) = target_of(&t.table, column)?;
                let index = (with_index && t.index).then(|| (crate::dialect::derived_name(dialect, &[tname.as_str(), ctarget.as_str()], "idx"), ctarget.clone()));
                (Guard::Column { column: ctarget, type_sql }, index)
            }
            _ => return Err(bad(format!("table {}: by {:?} without its column or parent", t.table, t.by))),
        };
        let steps = sql.isolate(&Isolate { schema, table: &tname, guard, setting: &iso.setting, index }).map_err(|why| FerryError::Other(format!("tenant isolation on {}: {why}", dialect.name())))?;
        out.extend(steps);
    }
    Ok(out)
}

/// The statements `[access]` runs once the rows are in, as shown to a person: login users
/// with `<generated>` for their passwords, the identity sequences' grant as a comment (it
/// names the sequences the server made).
pub fn preview(a: &Access, plan: &Plan, dialect: Dialect, database: &str, schema: &str, views: &[String]) -> Result<Vec<String>> {
    let sql = dialect.access_sql();
    let tables = target_tables(plan);
    let mut out = vec![];
    if let Some(r) = &a.roles {
        for n in r.all() {
            out.push(sql.create_role(n));
        }
        let place = Place { database, schema, tables: &tables, views };
        out.extend(sql.grants(names_of(r), place).into_iter().map(|s| s.sql));
        if sql.sequences(place).is_some() {
            out.push(format!("-- and USAGE on the tables' identity sequences to {}", r.app));
        }
        if r.login {
            for n in r.all() {
                out.extend(sql.create_login_shown(&Roles::login_of(n), n));
            }
        }
    }
    if let Some(iso) = &a.isolation {
        out.extend(isolation_steps(iso, plan, dialect, schema, true)?.into_iter().map(|s| s.sql));
    }
    Ok(out)
}

/// The names a run would make (roles, and login users where asked), with whether each is a
/// login user.
fn names(r: &Roles) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = r.all().iter().map(|n| (n.to_string(), false)).collect();
    if r.login {
        out.extend(r.all().iter().map(|n| (Roles::login_of(n), true)));
    }
    out
}

async fn exists(sql: &dyn AccessSql, conn: &mut Conn, name: &str) -> Result<bool> {
    let q = sql.role_exists(name);
    Ok(conn.query_i64(&q).await.map_err(|e| FerryError::Target { object: format!("whether role {name} exists"), detail: db_message(&e) })?.unwrap_or(0) > 0)
}

/// Before anything is written: the roles and users the plan names that exist already are
/// refused (unless reused), named.
pub async fn check_existing(target: &Target, conn: &mut Conn, a: &Access, reuse: bool) -> Result<()> {
    let Some(r) = &a.roles else { return Ok(()) };
    let sql = target.dialect.access_sql();
    let mut there = vec![];
    for (n, _) in names(r) {
        if exists(sql, conn, &n).await? {
            there.push(n);
        }
    }
    if there.is_empty() || reuse {
        return Ok(());
    }
    Err(FerryError::Other(format!(
        "{} already {} on the server ({}): add --roles-reuse to grant to {} as {} (a rollback then leaves {}), or name other roles with --roles PREFIX",
        there.join(", "),
        if there.len() == 1 { "exists" } else { "exist" },
        if target.dialect.has_schemas() { "roles are the whole server's on PostgreSQL, not one database's" } else { "users and roles are the whole server's" },
        if there.len() == 1 { "it" } else { "them" },
        if there.len() == 1 { "it is" } else { "they are" },
        if there.len() == 1 { "it" } else { "them" },
    )))
}

/// What `apply` made and found.
#[derive(Debug, Default)]
pub struct Applied {
    pub created: Vec<CreatedObject>,
    pub logins: Vec<Login>,
    pub notes: Vec<Warning>,
    pub warnings: Vec<Warning>,
}

/// Makes the roles, grants and policies of `[access]` on the loaded tables and `views`. What it
/// made goes into `out` as it goes, so a failure part way still lists it for a rollback.
pub async fn apply(target: &Target, conn: &mut Conn, a: &Access, plan: &Plan, views: &[String], reuse: bool, out: &mut Applied) -> Result<()> {
    let sql = target.dialect.access_sql();
    let tables = target_tables(plan);
    let schema = target.pg_schema.clone();
    let place = Place { database: &target.url.database, schema: &schema, tables: &tables, views };
    let run = |step: &Step, e: sqlx::Error| FerryError::Target { object: format!("access: {}", step.object), detail: db_message(&e) };
    if let Some(r) = &a.roles {
        for n in r.all() {
            if exists(sql, conn, n).await? {
                if !reuse {
                    return Err(FerryError::Other(format!("role {n} exists already: add --roles-reuse to grant to it as it is")));
                }
                out.notes.push(Warning { table: None, object: format!("role {n}"), reason: "existed already: granted to as it is, and a rollback leaves it".into() });
                continue;
            }
            let step = Step { object: format!("role {n}"), sql: sql.create_role(n) };
            conn.execute(&step.sql).await.map_err(|e| run(&step, e))?;
            out.created.push(CreatedObject { kind: CreatedKind::Role, schema: None, name: n.to_string() });
        }
        for step in sql.grants(names_of(r), place) {
            conn.execute(&step.sql).await.map_err(|e| run(&step, e))?;
        }
        if let Some(q) = sql.sequences(place) {
            let seqs: Vec<String> = conn.query_texts(&q).await.map_err(|e| FerryError::Target { object: "access: the tables' sequences".into(), detail: db_message(&e) })?.into_iter().flatten().collect();
            if let Some(step) = sql.grant_sequences(&seqs, &r.app) {
                conn.execute(&step.sql).await.map_err(|e| run(&step, e))?;
            }
        }
    }
    if let Some(iso) = &a.isolation {
        // The tenant column's indexes were made with each table's own (`plan::resolve`).
        for step in isolation_steps(iso, plan, target.dialect, &schema, false)? {
            conn.execute(&step.sql).await.map_err(|e| run(&step, e))?;
        }
        for t in iso.tables.iter().filter(|t| t.by == IsolatedBy::Parent) {
            out.notes.push(Warning { table: Some(t.table.clone()), object: format!("row-level security on {}", t.table), reason: t.why.clone() });
        }
        for o in &iso.open {
            let table = o.split(':').next().unwrap_or_default().to_string();
            out.warnings.push(Warning { table: Some(table.clone()), object: format!("row-level security on {table}"), reason: format!("not isolated: {}", o.split_once(": ").map(|x| x.1).unwrap_or(o)) });
        }
        out.notes.push(Warning {
            table: None,
            object: format!("row-level security by {}", iso.column),
            reason: format!(
                "FORCE ROW LEVEL SECURITY holds the tables' owner too: only a superuser or a role with BYPASSRLS sees every row (`ferry validate` and `ferry sync` must connect as one), and the application must SET {} (or set_config('{}', …, true) per transaction behind a pooler) before each request: unset, every table reads empty",
                iso.setting, iso.setting
            ),
        });
    }
    if let Some(r) = &a.roles {
        if r.login {
            for role in r.all() {
                let user = Roles::login_of(role);
                if exists(sql, conn, &user).await? {
                    out.notes.push(Warning { table: None, object: format!("login user {user}"), reason: "existed already: kept with its own password".into() });
                    continue;
                }
                let password = Password::generate();
                for (i, s) in sql.create_login(&user, role, password.reveal()).iter().enumerate() {
                    // The statement holds the password: a refusal names the user, never the SQL.
                    conn.execute(s).await.map_err(|e| FerryError::Target { object: format!("access: login user {user}"), detail: db_message(&e) })?;
                    if i == 0 {
                        out.created.push(CreatedObject { kind: CreatedKind::Login, schema: None, name: user.clone() });
                    }
                }
                out.logins.push(Login { user, role: role.to_string(), password });
            }
        }
    }
    Ok(())
}

/// A rollback's part: drops the roles and login users a run made (logins first, the owner
/// last), each once it owns nothing in this database; a role that owns objects the run did not
/// make, or holds privileges elsewhere on the server, is kept and said why. Returns (dropped,
/// kept) as words.
pub async fn drop_roles(target: &Target, conn: &mut Conn, made: &[CreatedObject], savepoints: bool, mut progress: impl FnMut(&str)) -> (Vec<String>, Vec<String>) {
    let sql = target.dialect.access_sql();
    let (mut dropped, mut kept) = (vec![], vec![]);
    let word = |login: bool| if login { "login user" } else { "role" };
    for c in made.iter().rev().filter(|c| matches!(c.kind, CreatedKind::Role | CreatedKind::Login)) {
        let login = c.kind == CreatedKind::Login;
        let what = format!("{} {}", word(login), c.name);
        match exists(sql, conn, &c.name).await {
            Ok(false) => continue,
            Ok(true) => {}
            Err(e) => {
                kept.push(format!("{what}: {e}"));
                continue;
            }
        }
        if let Some(q) = sql.owned_objects(&c.name) {
            match conn.query_i64(&q).await {
                Ok(Some(n)) if n > 0 => {
                    kept.push(format!("{what}: it owns {} in this database the run did not make (roles are the whole server's: drop it yourself once they are gone)", crate::value::plural(n as u64, "object", "objects")));
                    continue;
                }
                Ok(_) => {}
                Err(e) => {
                    kept.push(format!("{what}: {}", db_message(&e)));
                    continue;
                }
            }
        }
        if savepoints {
            let _ = conn.execute("SAVEPOINT ferry_role").await;
        }
        let mut failed = None;
        for s in sql.drop_role(&c.name, login) {
            progress(&s);
            if let Err(e) = conn.execute(&s).await {
                failed = Some(db_message(&e));
                break;
            }
        }
        match failed {
            None => dropped.push(what),
            Some(why) => {
                if savepoints {
                    let _ = conn.execute("ROLLBACK TO SAVEPOINT ferry_role").await;
                }
                kept.push(format!("{what}: {why} (roles are the whole server's: it may hold privileges in another database)"));
            }
        }
    }
    (dropped, kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_plain_and_fit() {
        let pg = Dialect::Postgres.access_sql();
        let my = Dialect::MySql.access_sql();
        let cases: &[(&dyn AccessSql, &str, bool, bool)] = &[
            (pg, "shop_app", true, true),
            (pg, "Shop_app", false, false),
            (pg, "shop-app", false, false),
            (pg, "1shop", false, false),
            (pg, "a\"; DROP ROLE x; --", false, false),
            (pg, &"x".repeat(58), true, false),
            (pg, &"x".repeat(57), true, true),
            (my, "a_rather_long_database_name_app", false, true),
            (my, "a_rather_long_database_name_app", true, false),
        ];
        for (sql, name, login, ok) in cases {
            assert_eq!(check_name(*sql, name, *login).is_ok(), *ok, "{name} login={login}");
        }
        assert_eq!(prefix_of("My-Shop"), "my_shop");
        assert_eq!(prefix_of("2024db"), "_2024db");
    }

    #[test]
    fn settings_are_prefix_dot_name() {
        for (s, ok) in [("app.tenant_id", true), ("tenant_id", false), ("app.tenant_id'; --", false), ("App.x", false), ("a.b.c", false)] {
            assert_eq!(check_setting(s).is_ok(), ok, "{s}");
        }
    }

    #[test]
    fn passwords_are_long_random_and_hidden() {
        let a = Password::generate();
        let b = Password::generate();
        assert_eq!(a.reveal().len(), 24);
        assert!(a.reveal().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
        assert!(!format!("{a:?}").contains(a.reveal()));
    }

    #[test]
    fn the_demo_is_isolated_table_by_table() {
        let dir = std::env::temp_dir().join(format!("ferry-access-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let src = dir.join("demo.sqlite");
        crate::demo::build(&src, 2_000, true).unwrap();
        let schema = crate::source::sqlite::read_source(&src, true, 1).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let plan = crate::plan::propose(&schema, "demo.sqlite", Dialect::Postgres);
        let req = AccessRequest { roles: Some("shop".into()), tenant_column: Some("tenant_id".into()), ..Default::default() };
        let a = propose(&plan, &schema, Dialect::Postgres, &req).unwrap();
        let r = a.roles.as_ref().unwrap();
        assert_eq!((r.owner.as_str(), r.app.as_str(), r.read.as_str()), ("shop_owner", "shop_app", "shop_read"));
        let iso = a.isolation.as_ref().unwrap();
        let by = |t: &str| iso.tables.iter().find(|x| x.table == t).unwrap_or_else(|| panic!("{t} isolated"));
        assert_eq!(by("tenants").by, IsolatedBy::Key);
        assert_eq!(by("tenants").column.as_deref(), Some("id"));
        assert_eq!(by("orders").by, IsolatedBy::Column);
        assert!(!by("orders").index, "orders has idx_orders_tenant_created");
        assert!(by("price_history").index, "price_history has no index on tenant_id");
        let items = by("order_items");
        assert_eq!((items.by, items.parent.as_deref(), items.through.as_slice()), (IsolatedBy::Parent, Some("orders"), &["order_id".to_string()][..]));
        assert!(items.why.contains("Cost"), "{}", items.why);
        assert_eq!(by("export_chunks").parent.as_deref(), Some("export_jobs"));
        let isolated = iso.tables.len() + iso.open.len();
        assert_eq!(isolated, plan.tables.len(), "every table is either isolated or listed as open: {:?}", iso.open);
        // Parents come before their children, so a policy never names a table not yet held.
        for (i, t) in iso.tables.iter().enumerate() {
            if let Some(p) = &t.parent {
                assert!(iso.tables[..i].iter().any(|x| x.table == *p), "{} after {p}", t.table);
            }
        }
        assert_eq!(tenant_column(&schema), Some(("tenant_id".to_string(), "tenants".to_string(), 13)), "proposed unasked");
        let sql = preview(&a, &plan, Dialect::Postgres, "shop", "public", &[]).unwrap().join(";\n");
        assert!(sql.contains("ALTER TABLE \"public\".\"orders\" OWNER TO \"shop_owner\""), "{sql}");
        assert!(sql.contains("FORCE ROW LEVEL SECURITY"));
        assert!(propose(&plan, &schema, Dialect::MariaDb, &req).unwrap_err().contains("no row-level security"));
        let plan_toml = { let mut p = plan.clone(); p.access = Some(a.clone()); p.to_toml() };
        let back = Plan::from_toml(&plan_toml, "t").unwrap();
        assert_eq!(back.access, Some(a));
    }
}
