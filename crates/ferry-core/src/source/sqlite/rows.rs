//! How a table's rows are selected from the source: the row id where no column shadows it,
//! then every column, so a row's key and values are found by position.

use super::inspect;

/// Which expression names the row id, where no column shadows it.
fn rowid_name(t: &crate::schema::Table) -> Option<&'static str> {
    if t.without_rowid {
        return None;
    }
    ["rowid", "_rowid_", "oid"].into_iter().find(|n| t.column(n).is_none())
}

/// How a table's rows are read: the row id (where no column shadows it), then every source
/// column, so keys and values are found by position (`offset` past the row id).
pub struct RowSelect {
    pub sql: String,
    pub rowid: Option<&'static str>,
    pub offset: usize,
}

impl RowSelect {
    pub fn new(t: &crate::schema::Table) -> RowSelect {
        RowSelect::with_extra(t, None)
    }

    /// The same with one more value after the columns: `extra`, an expression over the row
    /// (a column the target adds, read through the row's foreign keys).
    pub fn with_extra(t: &crate::schema::Table, extra: Option<&str>) -> RowSelect {
        let rowid = rowid_name(t);
        let mut select: Vec<String> = rowid.iter().map(|r| r.to_string()).collect();
        select.extend(t.columns.iter().map(|c| inspect::quote(&c.name)));
        select.extend(extra.map(String::from));
        RowSelect { sql: format!("SELECT {} FROM {}", select.join(", "), inspect::quote(&t.name)), rowid, offset: usize::from(rowid.is_some()) }
    }

    /// The same, for the one row with a given row id (`?1`).
    pub fn by_rowid(&self) -> Option<String> {
        self.rowid.map(|r| format!("{} WHERE {r} = ?1", self.sql))
    }
}

