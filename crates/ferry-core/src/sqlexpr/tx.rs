//! The translator (`Tx`): one walk over the parsed text, by construct in this folder's files,
//! each adding its own `impl Tx`. Its state and `R` sit here, below all of those files: mod.rs
//! calls them, so they cannot take what they share from mod.rs without an import circle.

use std::collections::HashMap;

use crate::dialect::expr::Spelling;
use crate::dialect::Dialect;
use crate::schema::LogicalType;

pub(super) type R<T> = Result<T, String>;

/// A name visible to qualified column references in a view: (lower-case source name, the
/// target's qualifier SQL, the table when it is one whose columns are known).
pub(super) type Scope<'a> = Vec<(String, String, Option<&'a super::sources::ViewSource>)>;

pub(super) struct Tx<'a> {
    /// How the target spells what the translation decides.
    pub(super) sp: &'static dyn Spelling,
    pub(super) src: &'a str,
    pub(super) cols: Option<&'a HashMap<String, (String, LogicalType)>>,
    pub(super) tables: Option<&'a HashMap<String, super::sources::ViewSource>>,
    pub(super) scopes: Vec<Scope<'a>>,
    pub(super) ctes: Vec<Vec<String>>,
    pub(super) derived: usize,
    /// How deep the expression walk is (`Tx::expr`), held under `MAX_DEPTH`.
    pub(super) depth: usize,
    /// Translating a column DEFAULT: functions that draw new values (`randomblob`) are
    /// meant, as they are nowhere else (`defaults::default_function`).
    pub(super) in_default: bool,
    /// How deep the query walk is (1: the view's own query).
    pub(super) queries: usize,
    /// The view's output columns, where known: (name, kind, SQLite affinity); `None` where
    /// the SELECT's result names cannot all be told (set operations).
    pub(super) outputs: Option<Vec<(String, super::values::Kind, crate::mapping::declared::Affinity)>>,
    /// The last top-level SELECT's result items as translated (`None` for `*`).
    pub(super) items: Vec<Option<super::values::Tr>>,
    /// In a trigger: the columns `NEW.`/`OLD.` name (`trigger.rs`).
    pub(super) row: Option<&'a HashMap<String, (String, LogicalType)>>,
    /// The names a view gives its columns (`CREATE VIEW v(a, b) AS …`), in place of the
    /// SELECT's own; empty when it gives none.
    pub(super) names: Vec<String>,
    /// Translating a result column that is a bare column reference (`SELECT t.c AS x`).
    pub(super) bare_item: bool,
    /// The view's result columns that carry a number the load made a timestamp, by name.
    pub(super) marked: Vec<(String, super::sources::ViewColumn)>,
}

/// The deepest expression translated. SQLite itself stores none deeper than 1,000 levels
/// (`SQLITE_MAX_EXPR_DEPTH`); the walk recurses once per level, on a stack made for this
/// depth (`sqlexpr::on_deep_stack`).
pub(super) const MAX_DEPTH: usize = 1200;

impl<'a> Tx<'a> {
    pub(super) fn new(d: Dialect, src: &'a str) -> Tx<'a> {
        Tx { sp: d.spelling(), src, cols: None, tables: None, scopes: Vec::new(), ctes: Vec::new(), derived: 0, depth: 0, in_default: false, queries: 0, outputs: None, items: Vec::new(), row: None, names: Vec::new(), bare_item: false, marked: Vec::new() }
    }

    pub(super) fn qi(&self, name: &str) -> String {
        self.sp.quote_ident(name)
    }

    pub(super) fn ql(&self, s: &str) -> String {
        self.sp.quote_literal(s)
    }

    /// The collation that compares like SQLite's BINARY (memcmp of UTF-8, no pad).
    pub(super) fn bin_collation(&self) -> &'static str {
        self.sp.binary_collation()
    }

    pub(super) fn view_mode(&self) -> bool {
        self.tables.is_some()
    }
}
