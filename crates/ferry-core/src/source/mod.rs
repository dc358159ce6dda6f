//! Where the data comes from. Only SQLite, today.
pub mod sqlite;
