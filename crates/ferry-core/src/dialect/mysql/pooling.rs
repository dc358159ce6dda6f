//! A pooler in front of MySQL/MariaDB: PgBouncer speaks PostgreSQL's protocol only.

use crate::dialect::TargetUrl;
use crate::error::{FerryError, Result};
use crate::pooling::ServerFigures;

pub async fn figures(t: &TargetUrl) -> Result<ServerFigures> {
    Err(FerryError::Other(format!(
        "--pgbouncer: PgBouncer pools PostgreSQL connections only; for {} use ProxySQL or MaxScale (MariaDB), or the application's own pool (sized under max_connections)",
        t.server_name()
    )))
}
