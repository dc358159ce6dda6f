//! The plan's `[access]` (`crate::access` proposes, checks and runs it): the roles' names,
//! and how each table is held to its tenant by row-level security.

use serde::{Deserialize, Serialize};

/// The plan's `[access]`: roles, tenant isolation, or both.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Access {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Roles>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isolation: Option<Isolation>,
}

/// The three roles, by name (edit them in the plan to name others).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Roles {
    /// Owns the tables: schema changes.
    pub owner: String,
    /// The application's: reads and writes rows, nothing else.
    pub app: String,
    /// Reports and replicas: reads.
    pub read: String,
    /// Make a login user for each role (`<role>_login`) with a generated password.
    #[serde(default, skip_serializing_if = "is_false")]
    pub login: bool,
}

/// Row-level security by a tenant column.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Isolation {
    /// The tenant column (source name).
    pub column: String,
    /// The setting the application sets per request (`SET app.tenant_id = '…'`, or
    /// `set_config('app.tenant_id', '…', true)` per transaction behind a pooler).
    pub setting: String,
    /// Tables no policy covers (no tenant column and no foreign key to a table that has
    /// one), each with why: every tenant sees all their rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open: Vec<String>,
    pub tables: Vec<IsolatedTable>,
}

/// How one table is held to the tenant.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum IsolatedBy {
    /// Its own tenant column equals the setting.
    Column,
    /// The tenants table: its key equals the setting.
    Key,
    /// A foreign key to a table isolated itself: a row is seen when its parent row is.
    Parent,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IsolatedTable {
    /// Source name.
    pub table: String,
    pub by: IsolatedBy,
    /// `column` / `key`: the column compared with the setting (source name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// `parent`: the table it reaches the tenant through, and the foreign key's columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub through: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parent_columns: Vec<String>,
    /// An index leading with the tenant column is made (the table had none).
    #[serde(default, skip_serializing_if = "is_false")]
    pub index: bool,
    /// Why this way, and what it costs.
    pub why: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Roles {
    /// The three names: owner, application, read-only.
    pub fn all(&self) -> [&str; 3] {
        [&self.owner, &self.app, &self.read]
    }
    /// The login user of a role.
    pub fn login_of(role: &str) -> String {
        format!("{role}_login")
    }
}
