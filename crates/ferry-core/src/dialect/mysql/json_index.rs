//! MySQL's and MariaDB's index on one scalar key of a JSON column. MySQL 8: a functional
//! index `((CAST(col->>'$.key' AS CHAR(n))))`. MariaDB has no functional indexes: the index
//! part becomes a VIRTUAL generated column `JSON_VALUE(col, '$.key')` and an index on it
//! (`ddl::index_clause`, the same as for an SQLite expression index). VIRTUAL rather than
//! PERSISTENT: the index holds the values already, a stored copy would only make every row
//! longer and the ALTER rewrite the whole table.

use crate::dialect::{derived_name, Dialect};
use crate::plan::planned::{PlannedIndex, PlannedPart};
use crate::sqlexpr::quote_ident;

fn q(s: &str) -> String {
    quote_ident(s, Dialect::MySql)
}

/// `$.key` as a SQL string literal (the plan's key is checked to be a plain name).
fn path(key: &str) -> String {
    format!("'{}'", key.replace('\'', "''"))
}

/// The key's value as the index holds it.
pub fn key_expr(dialect: Dialect, column: &str, key: &str, len: u32) -> String {
    match dialect {
        Dialect::MariaDb => format!("JSON_VALUE({}, {})", q(column), path(key)),
        _ => format!("CAST({}->>{} AS CHAR({len}))", q(column), path(key)),
    }
}

pub fn index(dialect: Dialect, name: &str, column: &str, key: &str, len: u32) -> PlannedIndex {
    PlannedIndex {
        name: name.into(),
        unique: false,
        parts: vec![PlannedPart::Expr { sql: key_expr(dialect, column, key, len), desc: false }],
        where_sql: None,
        source_sql: format!("[[production]] json_index on {column} {key}"),
        using: None,
        opclass: None,
        include: vec![],
    }
}

/// MariaDB's generated column standing for the index's expression (as `ddl::index_clause`
/// names it).
pub fn virtual_column(dialect: Dialect, ix: &PlannedIndex) -> String {
    derived_name(dialect, &["ferry", &ix.name, "0"], "expr")
}

fn expr(ix: &PlannedIndex) -> String {
    match ix.parts.first() {
        Some(PlannedPart::Expr { sql, .. }) => sql.clone(),
        Some(PlannedPart::Column { name, .. }) => q(name),
        None => String::new(),
    }
}

pub fn sql(dialect: Dialect, table: &str, ix: &PlannedIndex) -> Vec<String> {
    match dialect {
        Dialect::MariaDb => {
            let col = virtual_column(dialect, ix);
            vec![format!("ALTER TABLE {} ADD COLUMN {} varchar(768) AS ({}) VIRTUAL, ADD INDEX {} ({})", q(table), q(&col), expr(ix), q(&ix.name), q(&col))]
        }
        _ => vec![format!("CREATE INDEX {} ON {} (({}))", q(&ix.name), q(table), expr(ix))],
    }
}

pub fn note(dialect: Dialect, table: &str, _column: &str, ix: &PlannedIndex, (_key, value): (&str, &serde_json::Value)) -> String {
    let v = match value {
        serde_json::Value::String(s) => s.replace('\'', "''"),
        other => other.to_string().replace('\'', "''"),
    };
    match dialect {
        Dialect::MariaDb => {
            let col = virtual_column(dialect, ix);
            format!(
                "MariaDB has no functional indexes: a VIRTUAL generated column {col} = {} and an index on it. VIRTUAL, not PERSISTENT: the index holds the values, a stored copy would make every row longer and rewrite the table. MariaDB's optimizer does not match the expression to the column: query the column (SELECT … FROM {} WHERE {} = '{v}'). Ferry's load, validate, diff and sync leave the column out. The trade-offs: a later document whose value is longer than 768 characters is refused (Data too long) under a strict sql_mode, MariaDB's default, and each write is a little slower",
                expr(ix),
                q(table),
                q(&col)
            )
        }
        _ => format!(
            "One key of the documents, not all of them: the optimizer uses it only where a query repeats the expression exactly (SELECT … FROM {} WHERE {} = '{v}'); the cast holds twice the longest value found, and a later document with a longer one may be refused in strict mode. The index makes each write a little slower",
            q(table),
            expr(ix)
        ),
    }
}
