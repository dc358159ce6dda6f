//! Reading a SQLite file: schema, rows, profiles. The file is opened read-only, never written.
pub mod inspect;
pub mod parse;
pub mod profile;
