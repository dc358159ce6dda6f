//! PostgreSQL roles and row-level security. Roles are the server's (every database sees
//! them); tables have owners: the owner role owns the run's tables and views (so schema
//! changes are its), the application role may read and write their rows and take values
//! from their identity sequences, the read-only role may read. Row-level security: ENABLE and
//! FORCE (so the owner is held too), one policy per table comparing the tenant column with a
//! setting read once per query (a sub-select is an init plan, not a per-row call).

use crate::dialect::access::{AccessSql, Guard, Isolate, Place, RoleNames};
use crate::dialect::ddl::Step;
use crate::dialect::Dialect;
use crate::sqlexpr::{quote_ident, quote_literal};

fn q(s: &str) -> String {
    quote_ident(s, Dialect::Postgres)
}

fn lit(s: &str) -> String {
    quote_literal(s, Dialect::Postgres)
}

fn qual(schema: &str, name: &str) -> String {
    format!("{}.{}", q(schema), q(name))
}

/// The policy every isolated table gets.
pub const POLICY: &str = "ferry_tenant_isolation";

pub struct PgAccess;

pub static POSTGRES: PgAccess = PgAccess;

impl AccessSql for PgAccess {
    fn name_limit(&self) -> usize {
        63
    }
    fn role_exists(&self, name: &str) -> String {
        format!("SELECT count(*) FROM pg_catalog.pg_roles WHERE rolname = {}", lit(name))
    }
    fn create_role(&self, name: &str) -> String {
        format!("CREATE ROLE {} NOLOGIN", q(name))
    }
    fn create_login(&self, user: &str, role: &str, password: &str) -> Vec<String> {
        vec![format!("CREATE ROLE {} LOGIN INHERIT PASSWORD {} IN ROLE {}", q(user), lit(password), q(role))]
    }
    fn grants(&self, r: RoleNames<'_>, p: Place<'_>) -> Vec<Step> {
        let step = |object: String, sql: String| Step { object, sql };
        let (owner, app, read) = (q(r.owner), q(r.app), q(r.read));
        let mut out = vec![
            // Giving a table to the owner takes membership in it: a loading user that is not a
            // superuser (a hosted server's admin, with CREATEROLE) becomes a member first.
            step(
                format!("role {}", r.owner),
                format!("DO $ferry$ BEGIN IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN EXECUTE format('GRANT %I TO %I', {}, current_user); END IF; END $ferry$", lit(r.owner)),
            ),
            step(format!("database {}", p.database), format!("GRANT CONNECT ON DATABASE {} TO {owner}, {app}, {read}", q(p.database))),
            step(format!("schema {}", p.schema), format!("GRANT USAGE, CREATE ON SCHEMA {} TO {owner}", q(p.schema))),
            step(format!("schema {}", p.schema), format!("GRANT USAGE ON SCHEMA {} TO {app}, {read}", q(p.schema))),
        ];
        for t in p.tables {
            out.push(step(format!("table {t}"), format!("ALTER TABLE {} OWNER TO {owner}", qual(p.schema, t))));
        }
        // A partitioned table's partitions are tables of their own, which the ALTER above
        // leaves to the loading user: given to the owner too (at every level of the tree).
        if !p.tables.is_empty() {
            let parents = p.tables.iter().map(|t| lit(&qual(p.schema, t))).collect::<Vec<_>>().join(", ");
            out.push(step(
                format!("role {}", r.owner),
                format!(
                    "DO $ferry$ DECLARE part regclass; BEGIN FOR part IN WITH RECURSIVE tree(rel) AS (SELECT inhrelid FROM pg_catalog.pg_inherits WHERE inhparent = ANY (ARRAY[{parents}]::regclass[]) UNION SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN tree ON i.inhparent = tree.rel) SELECT rel::regclass FROM tree LOOP EXECUTE format('ALTER TABLE %s OWNER TO %I', part, {}); END LOOP; END $ferry$",
                    lit(r.owner)
                ),
            ));
        }
        for v in p.views {
            out.push(step(format!("view {v}"), format!("ALTER VIEW {} OWNER TO {owner}", qual(p.schema, v))));
        }
        let list = |names: &[String]| names.iter().map(|n| qual(p.schema, n)).collect::<Vec<_>>().join(", ");
        if !p.tables.is_empty() {
            out.push(step(format!("role {}", r.app), format!("GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {} TO {app}", list(p.tables))));
        }
        let all: Vec<String> = p.tables.iter().chain(p.views).cloned().collect();
        if !p.views.is_empty() {
            out.push(step(format!("role {}", r.app), format!("GRANT SELECT ON TABLE {} TO {app}", list(p.views))));
        }
        if !all.is_empty() {
            out.push(step(format!("role {}", r.read), format!("GRANT SELECT ON TABLE {} TO {read}", list(&all))));
        }
        // Tables the owner makes later get the same grants.
        let s = q(p.schema);
        out.push(step(format!("role {}", r.app), format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}")));
        out.push(step(format!("role {}", r.app), format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT USAGE ON SEQUENCES TO {app}")));
        out.push(step(format!("role {}", r.read), format!("ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {s} GRANT SELECT ON TABLES TO {read}")));
        out
    }
    fn sequences(&self, p: Place<'_>) -> Option<String> {
        if p.tables.is_empty() {
            return None;
        }
        let names = p.tables.iter().map(|t| lit(t)).collect::<Vec<_>>().join(", ");
        Some(format!(
            "SELECT format('%I.%I', sn.nspname, s.relname) FROM pg_catalog.pg_depend d \
             JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' \
             JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace \
             JOIN pg_catalog.pg_class t ON t.oid = d.refobjid \
             JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace \
             WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass \
             AND tn.nspname = {} AND t.relname IN ({names}) ORDER BY 1",
            lit(p.schema)
        ))
    }
    fn grant_sequences(&self, sequences: &[String], app: &str) -> Option<Step> {
        if sequences.is_empty() {
            return None;
        }
        // USAGE is what nextval() needs; currval() too. No UPDATE: setval() is the owner's.
        Some(Step { object: format!("role {app}"), sql: format!("GRANT USAGE ON SEQUENCE {} TO {}", sequences.join(", "), q(app)) })
    }
    fn isolate(&self, t: &Isolate<'_>) -> Result<Vec<Step>, &'static str> {
        let table = qual(t.schema, t.table);
        // NULLIF: a setting once set and then RESET reads '' (not NULL), which no cast takes.
        let setting = |ty: &str| format!("(SELECT NULLIF(current_setting({}, true), '')::{ty})", lit(t.setting));
        let expr = match &t.guard {
            Guard::Column { column, type_sql } => format!("{} = {}", q(column), setting(type_sql)),
            Guard::Parent { parent, columns } => {
                let on = columns.iter().map(|(c, p)| format!("ferry_parent.{} = {}.{}", q(p), q(t.table), q(c))).collect::<Vec<_>>().join(" AND ");
                format!("EXISTS (SELECT 1 FROM {} ferry_parent WHERE {on})", qual(t.schema, parent))
            }
        };
        let object = format!("table {}", t.table);
        let mut out = vec![
            Step { object: object.clone(), sql: format!("ALTER TABLE {table} ENABLE ROW LEVEL SECURITY") },
            Step { object: object.clone(), sql: format!("ALTER TABLE {table} FORCE ROW LEVEL SECURITY") },
            Step { object: format!("policy {POLICY} on {}", t.table), sql: format!("CREATE POLICY {POLICY} ON {table} USING ({expr}) WITH CHECK ({expr})") },
        ];
        if let Some((name, column)) = &t.index {
            out.push(Step { object: format!("index {name}"), sql: format!("CREATE INDEX {} ON {table} ({})", q(name), q(column)) });
        }
        Ok(out)
    }
    fn row_security(&self) -> Result<(), &'static str> {
        Ok(())
    }
    fn owned_objects(&self, name: &str) -> Option<String> {
        Some(format!(
            "SELECT count(*) FROM pg_catalog.pg_shdepend d JOIN pg_catalog.pg_database db ON db.oid = d.dbid \
             WHERE db.datname = current_database() AND d.deptype = 'o' AND d.classid <> 'pg_catalog.pg_default_acl'::regclass \
             AND d.refobjid = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = {})",
            lit(name)
        ))
    }
    fn drop_role(&self, name: &str, _login: bool) -> Vec<String> {
        // DROP OWNED takes back the privileges (and default privileges) the role holds in
        // this database; a rollback calls it once the role owns nothing here.
        vec![format!("DROP OWNED BY {}", q(name)), format!("DROP ROLE {}", q(name))]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_reads_the_setting_once_and_a_child_goes_through_its_parent() {
        let col = Isolate { schema: "s", table: "orders", guard: Guard::Column { column: "tenant_id".into(), type_sql: "uuid".into() }, setting: "app.tenant_id", index: Some(("orders_tenant_id_idx".into(), "tenant_id".into())) };
        let sql: Vec<String> = POSTGRES.isolate(&col).unwrap().into_iter().map(|s| s.sql).collect();
        assert_eq!(sql[0], "ALTER TABLE \"s\".\"orders\" ENABLE ROW LEVEL SECURITY");
        assert_eq!(sql[1], "ALTER TABLE \"s\".\"orders\" FORCE ROW LEVEL SECURITY");
        let want = "\"tenant_id\" = (SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)";
        assert_eq!(sql[2], format!("CREATE POLICY ferry_tenant_isolation ON \"s\".\"orders\" USING ({want}) WITH CHECK ({want})"));
        assert_eq!(sql[3], "CREATE INDEX \"orders_tenant_id_idx\" ON \"s\".\"orders\" (\"tenant_id\")");
        let child = Isolate { schema: "s", table: "order_items", guard: Guard::Parent { parent: "orders".into(), columns: vec![("order_id".into(), "id".into())] }, setting: "app.tenant_id", index: None };
        let sql: Vec<String> = POSTGRES.isolate(&child).unwrap().into_iter().map(|s| s.sql).collect();
        assert_eq!(sql.len(), 3);
        assert!(sql[2].contains("USING (EXISTS (SELECT 1 FROM \"s\".\"orders\" ferry_parent WHERE ferry_parent.\"id\" = \"order_items\".\"order_id\"))"), "{}", sql[2]);
    }
}
