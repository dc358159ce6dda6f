//! A schema rehearsal on MySQL / MariaDB (`dialect::rehearse::Rehearse`): DDL commits as it
//! goes, so everything is made in a scratch database, dropped at the end.

use super::MySqlConnection;
use crate::dialect::rehearse::Rehearse;
use crate::dialect::session::Session;
use crate::dialect::Dialect;
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

