//! PostgreSQL: types, DDL, COPY loading, inspection.
pub mod types;
