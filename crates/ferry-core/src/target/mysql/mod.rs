//! MySQL and MariaDB: types, DDL, batched INSERT loading, inspection.
pub mod types;
