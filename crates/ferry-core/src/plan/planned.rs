//! The schema as it will be created, table by table: what `resolve` makes of the source and
//! the plan, and what the dialects' DDL and the copy pipeline read. Kept apart from `resolve`
//! so that the plan's parts that change planned tables (`production`) need not import it.

use crate::events::Warning;
use crate::schema::{FkAction, LogicalType, Table};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedColumn {
    pub source: String,
    pub name: String,
    pub logical: LogicalType,
    /// How the source values are read into `logical` (the plan's `transform`).
    pub transform: Option<crate::convert::Transform>,
    pub type_sql: String,
    pub not_null: bool,
    /// Position of the column in the source table.
    pub source_index: usize,
    /// The DEFAULT translated for the target.
    pub default_sql: Option<String>,
    /// A generated column's expression translated for the target; such columns are not loaded.
    pub generated_sql: Option<(String, bool)>,
    /// The best type, where the plan carries the column wider so that every row arrives (its
    /// `narrower` suggestion): the values it cannot hold are listed in pre-flight and the report.
    pub narrower: Option<Narrower>,
    /// Text compared without case, as the source's collation does (NOCASE, `unicase`): the
    /// dialect gives it its case-insensitive collation.
    pub case_insensitive: bool,
}

/// A column's best type, narrower than the type it is carried in.
#[derive(Debug, Clone, PartialEq)]
pub struct Narrower {
    pub logical: LogicalType,
    pub transform: Option<crate::convert::Transform>,
    /// As the plan spells it.
    pub type_sql: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlannedIndex {
    pub name: String,
    pub unique: bool,
    /// Each part as target SQL: a quoted column (with DESC) or an expression in parentheses.
    pub parts: Vec<PlannedPart>,
    pub where_sql: Option<String>,
    /// The SQLite definition, for messages.
    pub source_sql: String,
    /// Columns the index carries without searching by them (PostgreSQL `INCLUDE`), target
    /// names; a covering index (`[[production]]` covering_index).
    pub include: Vec<String>,
    /// PostgreSQL: the access method (`gin`) where not the default B-tree; MySQL never has one.
    pub using: Option<String>,
    /// PostgreSQL: the operator class of each column part (`jsonb_path_ops`).
    pub opclass: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PlannedPart {
    Column { name: String, desc: bool },
    Expr { sql: String, desc: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedCheck {
    pub name: String,
    pub sql: String,
    pub source_sql: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlannedForeignKey {
    pub name: String,
    /// Source names (for reports) and target names.
    pub columns: Vec<String>,
    pub target_columns: Vec<String>,
    pub ref_source_table: String,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_update: FkAction,
    pub on_delete: FkAction,
    /// The plan's choice for this key's orphans. `reject_rows`: they are taken out (reported),
    /// with their own children, and the key is validated. Otherwise (`keep_unchecked`, the
    /// default) they load and the key is left unchecked against them; `--strict` stops at
    /// them unless the plan chose so.
    pub orphans: Option<crate::plan::kinds::Choice>,
}

impl PlannedForeignKey {
    /// Orphans are taken out (the plan chose `reject_rows`), not loaded unchecked.
    pub fn rejects_orphans(&self) -> bool {
        self.orphans == Some(crate::plan::kinds::Choice::RejectRows)
    }
}

#[derive(Debug, Clone, Default)]
pub struct PlannedTable {
    pub source: Table,
    pub name: String,
    pub columns: Vec<PlannedColumn>,
    /// Source column name → (target name, logical type), for expression translation.
    pub column_map: HashMap<String, (String, LogicalType)>,
    pub primary_key: Option<(String, Vec<String>)>,
    /// UNIQUE constraints: (name, target columns).
    pub uniques: Vec<(String, Vec<String>)>,
    pub indexes: Vec<PlannedIndex>,
    pub checks: Vec<PlannedCheck>,
    pub foreign_keys: Vec<PlannedForeignKey>,
    /// The rowid-alias column that continues as an identity / AUTO_INCREMENT, and where.
    pub identity: Option<(String, i64)>,
    /// What could not be carried as it was, found while planning.
    pub warnings: Vec<Warning>,
    /// Citus: the table's role by the plan's distribution; None without one.
    pub citus: Option<CitusTable>,
    /// A column the source table does not have, filled while loading (Citus: the distribution
    /// column of a table that reaches it through foreign keys).
    pub added: Option<AddedColumn>,
    /// What the plan made differently from the source by design (Citus's rewrite of keys),
    /// for the report's notes.
    pub notes: Vec<Warning>,
    /// An FTS table's search on the target (`plan::search`).
    pub search: Option<crate::plan::search::PlannedSearch>,
    /// Range partitions by a time column (an accepted `[[production]]` partition).
    pub partition: Option<PlannedPartition>,
}

/// A table made as range partitions of one time column, one per month or year of the span
/// the plan names, and a catch-all for the rows outside it (`production::partition`).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedPartition {
    /// The partition key (target name).
    pub column: String,
    /// One range per period, in order, each from its start to the next one's.
    pub ranges: Vec<PartitionRange>,
    /// The partition for rows outside every range (PostgreSQL's DEFAULT; MySQL's range up to
    /// MAXVALUE, whose first range also holds the rows before the span).
    pub default_name: String,
}

/// One period's partition: its name where the dialect names partitions as tables
/// (PostgreSQL), its label (`y2024m01`, `y2024`) where it names them within the table, and
/// its bounds [from, to).
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionRange {
    pub name: String,
    pub label: String,
    pub from: PartitionBound,
    pub to: PartitionBound,
}

/// A bound as the column holds it: the first instant of a date (a date or timestamp column,
/// read in UTC) or a number of seconds / milliseconds since 1970 (an integer column).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PartitionBound {
    Date(chrono::NaiveDate),
    Epoch(i64),
}

/// A table's place in a Citus cluster.
#[derive(Debug, Clone, PartialEq)]
pub struct CitusTable {
    pub role: crate::plan::distribute::Role,
    /// A distributed table's distribution column (target name).
    pub column: Option<String>,
    /// The table it is co-located with (target name); None for the first, which the others
    /// follow.
    pub colocate_with: Option<String>,
}

/// A column only the target has, with the SQLite expression that gives its value for a row
/// of the source table (read beside the row's own columns).
#[derive(Debug, Clone, PartialEq)]
pub struct AddedColumn {
    pub name: String,
    pub logical: LogicalType,
    pub type_sql: String,
    pub fill_sql: String,
    /// Where the values come from, for messages ("orders.tenant_id").
    pub from: String,
}

impl PlannedTable {
    /// The target columns a load writes, in the order its rows carry them: the planned ones
    /// but the generated, then the added one.
    pub fn loaded_columns(&self) -> Vec<String> {
        self.columns.iter().filter(|c| c.generated_sql.is_none()).map(|c| c.name.clone()).chain(self.added.iter().map(|a| a.name.clone())).collect()
    }

    /// A Citus table's role where it lives on the nodes (distributed or reference); None for
    /// a table on the coordinator alone or on one server.
    pub fn role_on_nodes(&self) -> Option<crate::plan::distribute::Role> {
        self.citus.as_ref().map(|c| c.role).filter(|r| *r != crate::plan::distribute::Role::Local)
    }

    /// A Citus distributed table's distribution column (target name); None for any other
    /// table.
    pub fn distribution_column(&self) -> Option<&str> {
        self.citus.as_ref().filter(|c| c.role == crate::plan::distribute::Role::Distributed).and_then(|c| c.column.as_deref())
    }

    /// The type of `p`'s partition key, as planned (a date where the column is not found).
    pub fn partition_key_type(&self, p: &PlannedPartition) -> LogicalType {
        self.columns.iter().find(|c| c.name == p.column).map(|c| c.logical.clone()).unwrap_or(LogicalType::Date)
    }

    /// Where a server has no partial indexes (MySQL/MariaDB make a partial, non-unique one over
    /// all rows), the index that already serves everything this one would over all rows: an
    /// index that leads with the same parts, full or partial and listed before it (so of two
    /// alike one is made). `None` for a full or unique index, or when none covers it.
    pub fn covered_when_full(&self, ix: &PlannedIndex) -> Option<&PlannedIndex> {
        if ix.where_sql.is_none() || ix.unique {
            return None;
        }
        let at = self.indexes.iter().position(|i| std::ptr::eq(i, ix)).unwrap_or(usize::MAX);
        self.indexes.iter().enumerate().find_map(|(n, other)| {
            let usable = other.where_sql.is_none() || (n < at && !other.unique);
            (n != at && usable && other.parts.len() >= ix.parts.len() && other.parts.starts_with(&ix.parts)).then_some(other)
        })
    }

    /// Whether loading and finishing the table as `other` plans it does exactly what this plan
    /// does: the same target names, column types, transforms, defaults, keys, indexes,
    /// constraints and identity. The source's profile and the planning notes are not compared.
    pub fn same_shape(&self, other: &PlannedTable) -> bool {
        self.name == other.name
            && self.columns == other.columns
            && self.column_map == other.column_map
            && self.primary_key == other.primary_key
            && self.uniques == other.uniques
            && self.indexes == other.indexes
            && self.checks == other.checks
            && self.foreign_keys == other.foreign_keys
            && self.identity == other.identity
            && self.citus == other.citus
            && self.added == other.added
            && self.search == other.search
            && self.partition == other.partition
    }

    pub fn column(&self, source: &str) -> Option<&PlannedColumn> {
        self.columns.iter().find(|c| c.source == source).or_else(|| self.columns.iter().find(|c| c.source.eq_ignore_ascii_case(source)))
    }

    /// Target name of a source column (the source name when unknown).
    pub fn target_column(&self, source: &str) -> String {
        self.column(source).map(|c| c.name.clone()).unwrap_or_else(|| source.to_string())
    }

    /// Every target column with its logical type.
    pub fn typed_columns(&self) -> Vec<(String, LogicalType)> {
        self.columns.iter().map(|c| (c.name.clone(), c.logical.clone())).collect()
    }


    /// The source columns of the primary key the target gets (none when it cannot have one):
    /// what names a row in the report.
    pub fn pk_columns(&self) -> Vec<String> {
        match (&self.primary_key, &self.source.primary_key) {
            (Some(_), Some(p)) => p.columns.clone(),
            _ => vec![],
        }
    }

    /// A source row's key for the report: its primary key's values where the plan keeps the
        /// key, else its row id. `offset`: the columns before the source's (`RowSelect`).
    pub(crate) fn row_key(&self, rowid: Option<i64>, row: &rusqlite::Row<'_>, offset: usize) -> serde_json::Value {
        let pk = self.pk_columns();
        if !pk.is_empty() {
            let mut m = serde_json::Map::new();
            for c in &pk {
                if let Some(i) = self.source.column_index(c) {
                    m.insert(self.source.columns[i].name.clone(), row.get_ref(i + offset).map(crate::value::value_to_json).unwrap_or_default());
                }
            }
            return serde_json::Value::Object(m);
        }
        serde_json::json!({ "rowid": rowid })
    }
}


/// The planned table made from source table `source`; None when the plan skips it.
pub fn table_mut<'a>(tables: &'a mut [PlannedTable], source: &str) -> Option<&'a mut PlannedTable> {
    tables.iter_mut().find(|t| t.source.name == source)
}
