//! A schema rehearsal on PostgreSQL (`dialect::rehearse::Rehearse`): DDL is transactional, so
//! everything is made in a scratch schema inside one transaction that is rolled back; each
//! statement under its own savepoint, so one refusal does not end the rest.

use super::PgConnection;
use crate::dialect::rehearse::Rehearse;
use crate::dialect::session::Session;
use crate::dialect::Dialect;
use crate::sqlexpr::quote_ident;

impl Rehearse for PgConnection {
    /// Needs the CREATE privilege on the database. Where it fails, nothing is left open.
    async fn enter_scratch(&mut self, name: &str) -> Result<(), sqlx::Error> {
        self.execute("BEGIN").await?;
        let made = match self.execute(&format!("CREATE SCHEMA {}", quote_ident(name, Dialect::Postgres))).await {
            // Undone with the transaction, as the schema is; no statement waits long for a
            // lock (only a view naming a table outside the schema takes one there).
            // Both settings end with the transaction (SET LOCAL): nothing outlives it on a
            // pooled connection.
            Ok(()) => self.execute(&format!("SET LOCAL search_path TO {}; SET LOCAL lock_timeout = '10s'", quote_ident(name, Dialect::Postgres))).await,
            Err(e) => Err(e),
        };
        if made.is_err() {
            let _ = self.execute("ROLLBACK").await;
        }
        made
    }

    async fn attempt(&mut self, sql: &str) -> Result<(), sqlx::Error> {
        self.execute("SAVEPOINT ferry_rehearsal").await?;
        match self.execute(sql).await {
            Ok(()) => self.execute("RELEASE SAVEPOINT ferry_rehearsal").await,
            Err(refused) => {
                self.execute("ROLLBACK TO SAVEPOINT ferry_rehearsal").await?;
                Err(refused)
            }
        }
    }

    /// The rollback takes the schema and all in it; outside a transaction it does nothing.
    async fn leave_scratch(&mut self, _name: &str) -> Result<(), sqlx::Error> {
        self.execute("ROLLBACK").await
    }
}

