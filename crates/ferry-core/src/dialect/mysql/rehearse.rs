//! A schema rehearsal on MySQL / MariaDB (`dialect::rehearse::Rehearse`): DDL commits as it
//! goes, so everything is made in a scratch database, dropped at the end.

use super::{ddl, MySqlConnection};
use crate::dialect::rehearse::{Rehearse, Step};
use super::flavor::Flavor;
use crate::dialect::session::Session;
use crate::dialect::Dialect;
use crate::plan::resolve::PlannedTable;
use crate::sqlexpr::quote_ident;

impl Rehearse for MySqlConnection {
    /// Needs the CREATE privilege on the server, not only on the target database. Where it
    /// fails, nothing is left, and nothing is dropped that this did not make.
    async fn enter_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        let q = quote_ident(name, Dialect::MySql);
        self.execute(&format!("CREATE DATABASE {q} CHARACTER SET utf8mb4")).await?;
        let used = self.execute(&format!("USE {q}")).await;
        if used.is_err() {
            let _ = self.leave_scratch(name).await;
        }
        used
    }

    async fn attempt(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        self.execute(sql).await
    }

    async fn leave_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        self.execute(&format!("DROP DATABASE IF EXISTS {}", quote_ident(name, Dialect::MySql))).await
    }
}

/// The keys came with the table; the secondary indexes one ALTER each, as `migrate`
/// makes them where the server refuses them all in one. A partial UNIQUE index is left
/// off by `migrate` without asking the server (it says why), so it is not tried.
pub fn key_steps(flavor: &Flavor, t: &PlannedTable) -> Vec<Step> {
    t.indexes
        .iter()
        .filter(|ix| !(ix.unique && ix.where_sql.is_some()))
        .map(|ix| {
            let (columns, clause) = ddl::index_clause(t, ix, flavor, &mut vec![]);
            let all: Vec<String> = columns.into_iter().chain([clause]).collect();
            Step { object: format!("index {}", ix.name), sql: ddl::alter(t, &all) }
        })
        .collect()
}
