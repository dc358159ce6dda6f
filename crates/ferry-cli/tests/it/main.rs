//! End-to-end tests of `ferry` against the real PostgreSQL and MariaDB: one binary, one
//! module per concern.

mod backup;
mod bad_input;
mod common;
mod compare;
mod corpus;
mod demo;
mod roundtrip;
mod validate;
