//! Reading a SQLite file: schema, rows, profiles. The file is opened read-only, never written.
pub mod collation;
pub mod fts;
pub mod inspect;
pub mod open;
pub mod parse;
pub mod profile;
pub mod read;
pub mod rows;

pub use read::{read_schema_check_beside, read_source, read_source_sampled, read_source_spread, Integrity};
