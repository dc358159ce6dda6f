//! The neutral schema model: what a SQLite database holds, in terms no dialect owns.
//!
//! `source::sqlite` fills it; `mapping` turns each column into a `LogicalType`; the target
//! dialects format it. Expressions (defaults, CHECKs, partial-index predicates, view bodies)
//! are kept as the SQLite text they were written in; `sqlexpr` translates them per dialect.

use serde::{Deserialize, Serialize};

/// The whole source database.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Schema {
    pub tables: Vec<Table>,
    pub views: Vec<View>,
    pub triggers: Vec<Trigger>,
    /// Virtual tables (FTS5, R-Tree, …) and their shadow tables: named in the report, not carried.
    pub virtual_tables: Vec<VirtualTable>,
}

impl Schema {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
            .or_else(|| self.tables.iter().find(|t| t.name.eq_ignore_ascii_case(name)))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Table {
    pub name: String,
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    /// `WITHOUT ROWID`: no hidden rowid; the primary key is the storage key.
    pub without_rowid: bool,
    /// `STRICT` table (SQLite 3.37+): declared types are enforced.
    pub strict: bool,
    /// The column that aliases the rowid (`x INTEGER PRIMARY KEY`), if any.
    pub rowid_alias: Option<String>,
    /// `sqlite_sequence.seq` for an `AUTOINCREMENT` table.
    pub sqlite_sequence: Option<i64>,
    pub uniques: Vec<Unique>,
    pub foreign_keys: Vec<ForeignKey>,
    pub checks: Vec<Check>,
    /// Indexes made by `CREATE INDEX` (not the automatic ones behind PRIMARY KEY / UNIQUE).
    pub indexes: Vec<Index>,
    pub row_count: u64,
    /// The `CREATE TABLE` statement as stored in `sqlite_master`.
    pub sql: String,
    /// Set when the columns' profiles rest on a sample of this many rows (a quick look, asked
    /// for with `ferry inspect --sample`), not on every row; plans never rest on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_sample: Option<u64>,
    /// An FTS3/4/5 virtual table read as a table of its documents (`source::sqlite::fts`):
    /// its row id, then its columns as text. The target indexes them for search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub fts: Option<Fts>,
}

/// What an FTS table searches, as its `CREATE VIRTUAL TABLE` says.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Fts {
    /// `fts3`, `fts4` or `fts5`.
    pub module: String,
    /// The `tokenize` option as written (`porter unicode61`); empty: the module's default.
    pub tokenizer: String,
    /// Columns stored but not searched (FTS5 `UNINDEXED`, FTS4 `notindexed=`).
    pub unindexed: Vec<String>,
    /// The external content table (`content='t'`) whose rows are the documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub content: Option<String>,
    /// The shadow tables SQLite keeps its index in: not copied.
    pub shadow_tables: Vec<String>,
}

impl Fts {
    /// The tokenizer's words, lowercased (`["porter", "unicode61"]`); the default when none.
    pub fn tokenizer_words(&self) -> Vec<String> {
        let words: Vec<String> = self.tokenizer.split(|c: char| c.is_whitespace() || c == '\'' || c == '"').filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect();
        if words.is_empty() {
            return vec![if self.module == "fts5" { "unicode61".into() } else { "simple".into() }];
        }
        words
    }
    /// Whether words are searched by their stem (the `porter` tokenizer).
    pub fn stems(&self) -> bool {
        self.tokenizer_words().first().is_some_and(|w| w == "porter")
    }
    /// The tokenizer by name (`porter unicode61`, `unicode61`, `trigram`), for messages: its
    /// options left out (`porter` wraps the tokenizer named after it).
    pub fn tokenizer_name(&self) -> String {
        let w = self.tokenizer_words();
        match w.first().map(String::as_str) {
            Some("porter") if w.len() > 1 && self.module == "fts5" => format!("porter {}", w[1]),
            Some(first) => first.to_string(),
            None => String::new(),
        }
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
            .or_else(|| self.columns.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
    }
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
            .or_else(|| self.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name)))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Column {
    pub name: String,
    /// The declared type exactly as written (`""` when none).
    pub declared_type: String,
    pub not_null: bool,
    /// The default expression as SQLite text (`'it''s'`, `CURRENT_TIMESTAMP`, `(datetime('now'))`).
    pub default: Option<String>,
    pub collation: Option<String>,
    /// The collation a PRIMARY KEY, UNIQUE constraint or unique index gives this column's part
    /// (`UNIQUE (tenant_id, email COLLATE NOCASE)`) where it differs from the column's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub key_collation: Option<String>,
    pub generated: Option<Generated>,
    /// Storage and value statistics, filled by profiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<ColumnProfile>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Generated {
    pub expr: String,
    pub stored: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PrimaryKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub autoincrement: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unique {
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    SetNull,
    SetDefault,
    Cascade,
}

impl FkAction {
    pub fn parse(s: &str) -> FkAction {
        match s.to_ascii_uppercase().as_str() {
            "RESTRICT" => FkAction::Restrict,
            "SET NULL" => FkAction::SetNull,
            "SET DEFAULT" => FkAction::SetDefault,
            "CASCADE" => FkAction::Cascade,
            _ => FkAction::NoAction,
        }
    }
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
            FkAction::Cascade => "CASCADE",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    /// Empty in SQLite when the reference names only the table: its primary key is meant.
    pub ref_columns: Vec<String>,
    pub on_update: FkAction,
    pub on_delete: FkAction,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Check {
    pub name: Option<String>,
    /// The expression inside `CHECK ( … )`, SQLite text.
    pub expr: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum IndexPart {
    Column { name: String, desc: bool, collation: Option<String> },
    Expr { expr: String, desc: bool },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Index {
    pub name: String,
    pub unique: bool,
    pub parts: Vec<IndexPart>,
    /// The predicate of a partial index, SQLite text.
    pub where_clause: Option<String>,
    pub sql: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct View {
    pub name: String,
    pub sql: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Trigger {
    pub name: String,
    pub table: String,
    pub sql: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VirtualTable {
    pub name: String,
    pub module: String,
    pub sql: String,
    /// The shadow tables SQLite made for it (`docs_data`, `docs_idx`, …), skipped with it.
    pub shadow_tables: Vec<String>,
    /// Why it is not carried, where Ferry knows more than that it exists only in SQLite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub why: Option<String>,
}

/// What the values of one column hold (one streaming pass over every row).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ColumnProfile {
    pub rows: u64,
    pub nulls: u64,
    pub integers: u64,
    pub reals: u64,
    pub texts: u64,
    pub blobs: u64,
    pub min_integer: Option<i64>,
    pub max_integer: Option<i64>,
    pub min_real: Option<f64>,
    pub max_real: Option<f64>,
    /// Longest text in characters (bytes when not UTF-8) and longest blob in bytes.
    pub max_text_chars: u64,
    pub max_blob_bytes: u64,
    /// Reals whose shortest decimal form has a fraction, and the largest scale / integer digits seen.
    pub max_scale: u32,
    pub max_int_digits: u32,
    pub non_integral_reals: u64,
    pub infinite_reals: u64,
    /// Texts that are not UTF-8, texts holding NUL.
    pub invalid_utf8: u64,
    pub with_nul: u64,
    /// Counts of texts parsing as each candidate.
    pub text_numeric: u64,
    pub text_iso_timestamp: u64,
    pub text_iso_date: u64,
    pub text_uuid: u64,
    /// Texts that are a JSON document, as `json_valid` reads them: an object or array, or a
    /// bare string, number, `true`, `false` or `null`.
    pub text_json: u64,
    pub text_bool: u64,
    /// Of `text_json`, the bare scalars (`42`, `"x"`, `true`, `null`): JSON in a column
    /// declared JSON, but no reason to take a TEXT column for JSON.
    #[serde(default)]
    pub text_json_scalar: u64,
    /// Blobs that are UTF-8 text without NUL (carried as text in a text column).
    pub blob_utf8: u64,
    /// Timestamps whose fraction is finer than microseconds.
    pub sub_micro: u64,
    pub min_text: Option<String>,
    pub max_text: Option<String>,
    /// Texts that are a UUID in any case (`text_uuid` counts the lowercase ones only).
    #[serde(default)]
    pub text_uuid_any_case: u64,
    /// ISO timestamps in text that name their offset (`Z`, `+02:00`); the others read as UTC.
    #[serde(default)]
    pub text_ts_offset: u64,
    /// 16-byte blobs with a UUID's version and variant bits.
    #[serde(default)]
    pub blob_uuid: u64,
    /// The distinct texts, sorted, while there are at most `DISTINCT_TEXTS` of them and none
    /// is longer than `DISTINCT_TEXT_CHARS` bytes; empty once `many_texts`.
    #[serde(default)]
    pub distinct_texts: Vec<String>,
    /// More distinct texts than that (or a longer one): too many to list.
    #[serde(default)]
    pub many_texts: bool,
    /// How many values each of `distinct_texts` holds, in its order (empty in a profile made
    /// before they were counted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub distinct_counts: Vec<u64>,
    /// Integers equal to 1 (a flag's set side).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub integer_ones: u64,
    /// The JSON objects and their top-level keys, where the profile counted them (the plan's
    /// pass over every row does; a load's does not): what `plan --production` proposes a JSON
    /// index from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub json_keys: Option<JsonKeys>,
    /// The words of the column's first `WORD_ROWS` rows, where the profile counted them: what
    /// `plan --production` reads a column as prose or names from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub words: Option<TextWords>,
}

/// Top-level keys of a column's JSON objects a profile follows; past them it says `many` and
/// the plan asks the source.
pub const JSON_KEYS: usize = 64;
/// JSON kinds as SQLite's `json_each` names them, in the order `JsonKey::kinds` counts them.
pub const JSON_KINDS: [&str; 8] = ["text", "integer", "real", "true", "false", "null", "object", "array"];
/// Rows whose words a profile counts: the first ones of the table.
pub const WORD_ROWS: u64 = 5_000;

/// The object documents of a JSON column and their top-level keys.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct JsonKeys {
    /// Texts that are JSON objects.
    pub objects: u64,
    /// The keys in the order first seen, at most `JSON_KEYS`.
    pub keys: Vec<JsonKey>,
    /// More distinct keys than that: the list is not all of them.
    pub many: bool,
}

/// One top-level key of a column's object documents.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct JsonKey {
    pub key: String,
    /// Its values of each JSON kind (`JSON_KINDS`), a key written twice in a document counted twice.
    pub kinds: [u64; 8],
    /// Its longest value in characters, as SQLite's `length()` has it (a number as SQLite
    /// writes it, an object or array minified, `null` 0).
    pub max_len: u64,
}

/// What the non-empty values of a column's first `WORD_ROWS` rows hold, trimmed of spaces
/// (as SQLite's `trim`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct TextWords {
    /// Rows looked at (NULLs included).
    pub rows: u64,
    /// Non-empty values, their characters, their words (spaces and line feeds + 1), those
    /// holding a digit, those holding an `@`.
    pub values: u64,
    pub chars: u64,
    pub words: u64,
    pub with_digit: u64,
    pub with_at: u64,
    /// A value these figures do not read as SQLite would (a blob, text with NUL or not UTF-8).
    pub other: bool,
}

/// Distinct texts a profile counts exactly before it says "many".
pub const DISTINCT_TEXTS: usize = 64;
/// Texts longer than this (in bytes) are not enum-like: the profile stops listing.
pub const DISTINCT_TEXT_CHARS: usize = 64;

impl ColumnProfile {
    /// An empty profile that also counts what `plan --production` reads (JSON keys, words).
    pub fn counting() -> ColumnProfile {
        ColumnProfile { json_keys: Some(JsonKeys::default()), words: Some(TextWords::default()), ..Default::default() }
    }

    pub fn non_null(&self) -> u64 {
        self.rows - self.nulls
    }

    /// The narrowest integer width (16, 32 or 64 bits) holding every integer seen.
    pub fn int_bits(&self) -> u8 {
        match (self.min_integer, self.max_integer) {
            (Some(lo), Some(hi)) if lo >= i16::MIN as i64 && hi <= i16::MAX as i64 => 16,
            (Some(lo), Some(hi)) if lo >= i32::MIN as i64 && hi <= i32::MAX as i64 => 32,
            (Some(_), Some(_)) => 64,
            _ => 16,
        }
    }
}

/// The logical type a column is carried as: neutral, formatted per dialect by `dialect::*::types`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LogicalType {
    Integer { bits: u8 },
    /// `precision`/`scale` None: unconstrained (PostgreSQL `numeric`; MySQL needs both).
    Decimal { precision: Option<u32>, scale: Option<u32> },
    Float,
    Boolean,
    Text { max: Option<u32> },
    Bytes,
    Uuid,
    Date,
    Timestamp { tz: bool },
    Json,
    Unsupported { reason: String },
}

impl LogicalType {
    pub fn label(&self) -> String {
        match self {
            LogicalType::Integer { bits } => format!("integer({bits})"),
            LogicalType::Decimal { precision: Some(p), scale: Some(s) } => format!("decimal({p},{s})"),
            LogicalType::Decimal { .. } => "decimal".into(),
            LogicalType::Float => "float".into(),
            LogicalType::Boolean => "boolean".into(),
            LogicalType::Text { max: Some(n) } => format!("text({n})"),
            LogicalType::Text { max: None } => "text".into(),
            LogicalType::Bytes => "bytes".into(),
            LogicalType::Uuid => "uuid".into(),
            LogicalType::Date => "date".into(),
            LogicalType::Timestamp { .. } => "timestamp".into(),
            LogicalType::Json => "json".into(),
            LogicalType::Unsupported { reason } => format!("unsupported({reason})"),
        }
    }
}

/// The values an integer of `bits` holds in either target: 16 and 32 bits as SMALLINT and
/// INTEGER, wider as BIGINT.
pub fn int_range(bits: u8) -> (i64, i64) {
    match bits {
        0..=16 => (i16::MIN as i64, i16::MAX as i64),
        17..=32 => (i32::MIN as i64, i32::MAX as i64),
        _ => (i64::MIN, i64::MAX),
    }
}
