//! MySQL/MariaDB roles: CREATE ROLE, grants on the database's tables to each role, login users
//! given their role (GRANT role TO user) and made to start in it (SET DEFAULT ROLE). Tables
//! have no owners here: the owner role holds every privilege on the database (schema changes
//! included), the application role SELECT, INSERT, UPDATE and DELETE on the run's tables, the
//! read-only role SELECT. There is no row-level security on either server.

use crate::dialect::access::{AccessSql, Isolate, Place, RoleNames};
use crate::dialect::ddl::Step;
use crate::dialect::Dialect;
use crate::sqlexpr::{quote_ident, quote_literal};

fn q(s: &str) -> String {
    quote_ident(s, Dialect::MySql)
}

fn lit(s: &str) -> String {
    quote_literal(s, Dialect::MySql)
}

/// A login user, from any host.
fn user(name: &str) -> String {
    format!("{}@'%'", lit(name))
}

pub struct MyAccess {
    mariadb: bool,
}

pub static MYSQL: MyAccess = MyAccess { mariadb: false };
pub static MARIADB: MyAccess = MyAccess { mariadb: true };

/// Why tenant isolation is not offered here, said plainly.
pub const NO_ROW_SECURITY: &str = "MySQL and MariaDB have no row-level security: nothing in the server keeps one tenant from reading another's rows. Isolation stays with the application's queries (every query filtered by the tenant column), or one database per tenant; views with a WHERE on a session variable are not a security boundary";

impl AccessSql for MyAccess {
    fn name_limit(&self) -> usize {
        // User names: MariaDB 80 characters (role names 128), MySQL 8 32.
        if self.mariadb { 80 } else { 32 }
    }
    fn role_exists(&self, name: &str) -> String {
        format!("SELECT COUNT(*) FROM mysql.user WHERE User = {}", lit(name))
    }
    fn create_role(&self, name: &str) -> String {
        format!("CREATE ROLE {}", q(name))
    }
    fn create_login(&self, name: &str, role: &str, password: &str) -> Vec<String> {
        // MySQL 8 spells it SET DEFAULT ROLE … TO, MariaDB … FOR.
        let word = if self.mariadb { "FOR" } else { "TO" };
        vec![
            format!("CREATE USER {} IDENTIFIED BY {}", user(name), lit(password)),
            format!("GRANT {} TO {}", q(role), user(name)),
            format!("SET DEFAULT ROLE {} {word} {}", q(role), user(name)),
        ]
    }
    fn grants(&self, r: RoleNames<'_>, p: Place<'_>) -> Vec<Step> {
        let db = q(p.database);
        let mut out = vec![Step { object: format!("role {}", r.owner), sql: format!("GRANT ALL PRIVILEGES ON {db}.* TO {}", q(r.owner)) }];
        for t in p.tables {
            out.push(Step { object: format!("table {t}"), sql: format!("GRANT SELECT, INSERT, UPDATE, DELETE ON {db}.{} TO {}", q(t), q(r.app)) });
        }
        for v in p.views {
            out.push(Step { object: format!("view {v}"), sql: format!("GRANT SELECT ON {db}.{} TO {}", q(v), q(r.app)) });
        }
        for t in p.tables.iter().chain(p.views) {
            out.push(Step { object: format!("table {t}"), sql: format!("GRANT SELECT ON {db}.{} TO {}", q(t), q(r.read)) });
        }
        out
    }
    fn sequences(&self, _p: Place<'_>) -> Option<String> {
        // AUTO_INCREMENT is the table's: INSERT is all it takes.
        None
    }
    fn grant_sequences(&self, _sequences: &[String], _app: &str) -> Option<Step> {
        None
    }
    fn isolate(&self, _t: &Isolate<'_>) -> Result<Vec<Step>, &'static str> {
        Err(NO_ROW_SECURITY)
    }
    fn row_security(&self) -> Result<(), &'static str> {
        Err(NO_ROW_SECURITY)
    }
    fn owned_objects(&self, _name: &str) -> Option<String> {
        None
    }
    fn drop_role(&self, name: &str, login: bool) -> Vec<String> {
        if login {
            vec![format!("DROP USER IF EXISTS {}", user(name))]
        } else {
            vec![format!("DROP ROLE IF EXISTS {}", q(name))]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_starts_in_its_role_as_each_server_spells_it() {
        let my = MYSQL.create_login("shop_app_login", "shop_app", "pw");
        assert_eq!(my, ["CREATE USER 'shop_app_login'@'%' IDENTIFIED BY 'pw'", "GRANT `shop_app` TO 'shop_app_login'@'%'", "SET DEFAULT ROLE `shop_app` TO 'shop_app_login'@'%'"]);
        assert_eq!(MARIADB.create_login("u", "r", "pw")[2], "SET DEFAULT ROLE `r` FOR 'u'@'%'");
        assert!(MARIADB.row_security().is_err());
    }
}
