//! What access control asks of a dialect (`AccessSql`, implemented in `dialect/*/access.rs`
//! and chosen in `choose.rs`): roles and login users made, the grants of the owner, the
//! application and the read-only role, row-level security where the server has it, and the
//! roles dropped again by a rollback. Only statements: `crate::access` runs them.

use crate::dialect::ddl::Step;

/// The three roles of a database, by name.
#[derive(Debug, Clone, Copy)]
pub struct RoleNames<'a> {
    pub owner: &'a str,
    pub app: &'a str,
    pub read: &'a str,
}

/// What the grants are over: the database (its name), the PostgreSQL schema, and the run's
/// tables and views by their target names.
#[derive(Debug, Clone, Copy)]
pub struct Place<'a> {
    pub database: &'a str,
    pub schema: &'a str,
    pub tables: &'a [String],
    pub views: &'a [String],
}

/// How a table's rows are kept to one tenant.
#[derive(Debug, Clone)]
pub enum Guard {
    /// The table's own column (target name, target type as the plan names it) equals the
    /// setting.
    Column { column: String, type_sql: String },
    /// A row of the parent (target name) referenced through these (child, parent) columns
    /// exists, and the parent's own policy lets it be seen.
    Parent { parent: String, columns: Vec<(String, String)> },
}

/// One table's row-level security.
#[derive(Debug, Clone)]
pub struct Isolate<'a> {
    pub schema: &'a str,
    pub table: &'a str,
    pub guard: Guard,
    /// The setting the application sets per request (`app.tenant_id`).
    pub setting: &'a str,
    /// An index to make: (its name, the column it leads with).
    pub index: Option<(String, String)>,
}

pub trait AccessSql: Sync {
    /// The longest role or user name the server takes.
    fn name_limit(&self) -> usize;
    /// A query giving how many roles or users have this name (0 or more).
    fn role_exists(&self, name: &str) -> String;
    /// Makes a role nobody logs in as.
    fn create_role(&self, name: &str) -> String;
    /// Makes the login user `user` acting as `role` with `password`, as its statements.
    fn create_login(&self, user: &str, role: &str, password: &str) -> Vec<String>;
    /// The same statements with the password left out, to be shown.
    fn create_login_shown(&self, user: &str, role: &str) -> Vec<String> {
        self.create_login(user, role, "<generated>")
    }
    /// The grants (and, where tables have owners, the ownership) that give each role its part.
    fn grants(&self, roles: RoleNames<'_>, place: Place<'_>) -> Vec<Step>;
    /// A query listing the sequences behind the tables' columns, schema-qualified and quoted
    /// (identity columns); None where the dialect keeps no sequences apart.
    fn sequences(&self, place: Place<'_>) -> Option<String>;
    /// Lets the application role take values from these sequences (as quoted by `sequences`).
    fn grant_sequences(&self, sequences: &[String], app: &str) -> Option<Step>;
    /// Row-level security on one table, or why the server has none.
    fn isolate(&self, t: &Isolate<'_>) -> Result<Vec<Step>, &'static str>;
    /// Whether the server has row-level security; why not when it has none.
    fn row_security(&self) -> Result<(), &'static str>;
    /// A query counting the objects `name` owns in this database (a rollback keeps a role
    /// that owns objects the run did not make); None where objects have no owner.
    fn owned_objects(&self, name: &str) -> Option<String>;
    /// Drops a role or login user, with the privileges it holds in this database.
    fn drop_role(&self, name: &str, login: bool) -> Vec<String>;
}
