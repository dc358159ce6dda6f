//! End-to-end tests of `ferry` against the real PostgreSQL and MariaDB: one binary, one
//! module per concern.

mod backup;
mod bad_input;
mod bulk;
mod busy_inputs;
mod common;
mod compare;
mod connect;
mod corpus;
mod demo;
mod diff;
mod exit_status;
mod faults;
mod infer;
mod load_data;
mod lossless;
mod pg_cluster;
mod pooler;
mod monitor;
mod orphans;
mod plan_match;
mod my_server;
mod not_empty;
mod passwords;
mod preflight;
mod refused_objects;
mod resume;
mod rehearse;
mod roundtrip;
mod safety;
mod sampled_plan;
mod source_folder;
mod statistics;
mod time_limits;
mod tls;
mod validate;
