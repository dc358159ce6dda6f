//! The server's ids of a target's sessions, kept apart from `session` so that the bulk path
//! (`mysql::infile`), which `session` opens, can note its own.

/// The server's ids of the sessions a target opened (PostgreSQL backend pids, MySQL and
/// MariaDB connection ids, the bulk path's included): a cancel reaches the statements they
/// are running (`Target::interrupt`), not only the next batch.
#[derive(Clone, Default)]
pub struct SessionIds(std::sync::Arc<std::sync::Mutex<Vec<i64>>>);

impl SessionIds {
    pub fn add(&self, id: i64) {
        self.0.lock().expect("session ids").push(id);
    }
    pub fn all(&self) -> Vec<i64> {
        self.0.lock().expect("session ids").clone()
    }
}

