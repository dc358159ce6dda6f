//! MySQL/MariaDB DDL text for a planned table. Keys and UNIQUE constraints are created with
//! the table (InnoDB clusters rows on the primary key: adding it later rebuilds the table),
//! so a duplicate is refused at load time and reported by row. Secondary indexes and
//! foreign keys come after the data.

use super::flavor::Flavor;
use crate::events::Warning;
use crate::schema::FkAction;
use crate::sqlexpr::quote_ident;
use crate::plan::resolve::{PlannedForeignKey, PlannedIndex, PlannedPart, PlannedTable};
use crate::dialect::Dialect;

fn q(s: &str) -> String {
    quote_ident(s, Dialect::MySql)
}

fn cols(c: &[String]) -> String {
    c.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

/// `CREATE TABLE` with the keys and, when `with_checks`, the CHECKs: adding a CHECK to a
/// loaded InnoDB table copies the whole table, so they belong here; a row that fails one is
/// refused at load time and reported like any other.
pub fn create_table(t: &PlannedTable, flavor: &Flavor, with_checks: bool) -> String {
    let mut defs = vec![];
    for c in &t.columns {
        let mut d = format!("{} {}", q(&c.name), c.type_sql);
        if c.case_insensitive {
            d.push_str(&format!(" COLLATE {}", flavor.nocase_collation()));
        }
        if let Some((expr, stored)) = &c.generated_sql {
            d.push_str(&format!(" AS ({expr}) {}", if *stored { "STORED" } else { "VIRTUAL" }));
            defs.push(d);
            continue;
        }
        if c.not_null {
            d.push_str(" NOT NULL");
        }
        if let Some(dflt) = &c.default_sql {
            d.push_str(&format!(" DEFAULT {dflt}"));
        }
        if t.identity.as_ref().is_some_and(|(n, _)| *n == c.name) {
            d.push_str(" AUTO_INCREMENT");
        }
        defs.push(d);
    }
    if let Some(s) = &t.search {
        defs.push(super::search::text_column(&s.vector, &s.columns));
    }
    if let Some((_, c)) = &t.primary_key {
        defs.push(format!("PRIMARY KEY ({})", cols(c)));
    }
    for (name, c) in &t.uniques {
        defs.push(format!("CONSTRAINT {} UNIQUE ({})", q(name), cols(c)));
    }
    if with_checks {
        for ck in &t.checks {
            defs.push(format!("CONSTRAINT {} CHECK ({})", q(&ck.name), ck.sql));
        }
    }
    let partitions = t.partition.as_ref().map(|p| {
        let logical = t.partition_key_type(p);
        super::partition::clause(p, &logical)
    });
    format!(
        "CREATE TABLE {} (\n  {}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE={}{}",
        q(&t.name),
        defs.join(",\n  "),
        flavor.binary_collation(),
        partitions.unwrap_or_default()
    )
}

/// The index clause (`INDEX name (parts)`) for one ALTER TABLE, and for MariaDB (no
/// functional indexes) the virtual columns that stand in for expressions.
pub fn index_clause(t: &PlannedTable, ix: &PlannedIndex, flavor: &Flavor, notes: &mut Vec<Warning>) -> (Vec<String>, String) {
    let mut columns = vec![];
    let mut parts = vec![];
    for (i, p) in ix.parts.iter().enumerate() {
        match p {
            PlannedPart::Column { name, desc } => parts.push(format!("{}{}", q(name), if *desc { " DESC" } else { "" })),
            PlannedPart::Expr { sql, desc } if flavor.functional_indexes() => parts.push(format!("(({sql})){}", if *desc { " DESC" } else { "" })),
            PlannedPart::Expr { sql, desc } => {
                let col = crate::dialect::derived_name(flavor.dialect, &["ferry", &ix.name, &i.to_string()], "expr");
                columns.push(format!("ADD COLUMN {} varchar(768) AS ({sql}) VIRTUAL", q(&col)));
                notes.push(Warning {
                    table: Some(t.source.name.clone()),
                    object: format!("index {}", ix.name),
                    reason: format!("{} has no expression indexes: indexed the virtual column {col} = {sql}", flavor.dialect.name()),
                });
                parts.push(format!("{}{}", q(&col), if *desc { " DESC" } else { "" }));
            }
        }
    }
    (columns, format!("ADD {}INDEX {} ({})", if ix.unique { "UNIQUE " } else { "" }, q(&ix.name), parts.join(", ")))
}

/// One ALTER TABLE for several clauses: InnoDB builds all the indexes in one pass.
pub fn alter(t: &PlannedTable, clauses: &[String]) -> String {
    format!("ALTER TABLE {} {}", q(&t.name), clauses.join(", "))
}

/// The index InnoDB needs under a foreign key, when none of the table's keys and indexes
/// begins with its columns: `ADD INDEX` named as InnoDB would name the one it makes itself
/// when the key is added. Built with the table's other indexes (one pass over the rows, while
/// other tables still load) instead of alone in the foreign key phase.
pub fn foreign_key_index(t: &PlannedTable, fk: &PlannedForeignKey) -> Option<String> {
    let starts_with = |cols: &[&str]| cols.len() >= fk.target_columns.len() && fk.target_columns.iter().zip(cols).all(|(a, b)| a.eq_ignore_ascii_case(b));
    fn as_strs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    let mut keys: Vec<Vec<&str>> = vec![];
    if let Some((_, pk)) = &t.primary_key {
        keys.push(as_strs(pk));
    }
    keys.extend(t.uniques.iter().map(|(_, c)| as_strs(c)));
    // A partial UNIQUE index is not made in MySQL (see copy::finish_table).
    for ix in t.indexes.iter().filter(|ix| !(ix.unique && ix.where_sql.is_some())) {
        // Leading plain columns only: an expression part ends what a foreign key can use.
        keys.push(ix.parts.iter().map_while(|p| if let PlannedPart::Column { name, .. } = p { Some(name.as_str()) } else { None }).collect());
    }
    if fk.target_columns.is_empty() || keys.iter().any(|k| starts_with(k)) {
        return None;
    }
    Some(format!("ADD INDEX {} ({})", q(&fk.name), cols(&fk.target_columns)))
}

/// InnoDB has no SET DEFAULT action: such keys are created with NO ACTION (and a warning).
pub fn fk_action(a: FkAction) -> FkAction {
    if a == FkAction::SetDefault { FkAction::NoAction } else { a }
}

pub fn foreign_key(t: &PlannedTable, fk: &PlannedForeignKey) -> String {
    format!(
        "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({}) ON UPDATE {} ON DELETE {}",
        q(&t.name),
        q(&fk.name),
        cols(&fk.target_columns),
        q(&fk.ref_table),
        cols(&fk.ref_columns),
        fk_action(fk.on_update).sql(),
        fk_action(fk.on_delete).sql()
    )
}

pub fn drop_foreign_key(t: &PlannedTable, fk: &PlannedForeignKey) -> String {
    format!("ALTER TABLE {} DROP FOREIGN KEY {}", q(&t.name), q(&fk.name))
}

pub fn check(t: &PlannedTable, name: &str, sql: &str) -> String {
    format!("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({sql})", q(&t.name), q(name))
}

pub fn max_of(t: &PlannedTable, column: &str) -> String {
    format!("SELECT CAST(MAX({}) AS SIGNED) FROM {}", q(column), q(&t.name))
}

pub fn create_view(name: &str, columns: &[String], select: &str) -> String {
    let list = if columns.is_empty() { String::new() } else { format!(" ({})", columns.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")) };
    format!("CREATE VIEW {}{list} AS {select}", q(name))
}

/// `INSERT INTO t (cols) VALUES ` for the loaded (not generated) columns, carrying Ferry's
/// strict `sql_mode` itself (MariaDB's `SET STATEMENT … FOR`, MySQL's `SET_VAR` hint): a proxy
/// may send it on a server connection that never saw the session's, and a lenient one would
/// clip a value that does not fit instead of refusing it. (The mode cannot change how the
/// statement itself is read: the literals are written to read the same in any mode.)
pub fn insert_prefix(t: &PlannedTable, flavor: &Flavor) -> String {
    let c: Vec<String> = t.columns.iter().filter(|c| c.generated_sql.is_none()).map(|c| q(&c.name)).collect();
    let mode = super::SQL_MODE;
    let (before, hint) = match flavor.dialect {
        Dialect::MariaDb => (format!("SET STATEMENT sql_mode = '{mode}' FOR "), String::new()),
        _ => (String::new(), format!("/*+ SET_VAR(sql_mode = '{mode}') */ ")),
    };
    format!("{before}INSERT {hint}INTO {} ({}) VALUES ", q(&t.name), c.join(", "))
}

/// MySQL's or MariaDB's DDL for tables in the connection's database.
/// The keys came with the table; the secondary indexes one ALTER each, as `migrate`
/// makes them where the server refuses them all in one. A partial UNIQUE index is left
/// off by `migrate` without asking the server (it says why), so it is not tried.
pub fn key_steps(flavor: &Flavor, t: &PlannedTable) -> Vec<crate::dialect::ddl::Step> {
    let mut steps: Vec<crate::dialect::ddl::Step> = t.indexes
        .iter()
        .filter(|ix| !(ix.unique && ix.where_sql.is_some()))
        .map(|ix| {
            let (columns, clause) = index_clause(t, ix, flavor, &mut vec![]);
            let all: Vec<String> = columns.into_iter().chain([clause]).collect();
            crate::dialect::ddl::Step { object: format!("index {}", ix.name), sql: alter(t, &all) }
        })
        .collect();
    if let Some(s) = &t.search {
        steps.push(crate::dialect::ddl::Step { object: format!("FULLTEXT index {}", s.index), sql: alter(t, &[super::search::index_clause(&s.index, &s.vector)]) });
    }
    steps
}

pub struct MyDdl {
    pub flavor: Flavor,
}

impl crate::dialect::ddl::Ddl for MyDdl {
    fn table(&self, name: &str) -> String {
        q(name)
    }
    fn place(&self, database: &str) -> String {
        format!("database {database:?}")
    }
    fn create_table(&self, t: &PlannedTable, checks: bool) -> String {
        create_table(t, &self.flavor, checks)
    }
    /// Always: adding a CHECK to a loaded InnoDB table copies the whole table.
    fn checks_at_create(&self, _speculative: bool) -> bool {
        true
    }
    fn load_statement(&self, t: &PlannedTable, _speculative: bool) -> String {
        insert_prefix(t, &self.flavor)
    }
    fn load_tx(&self, _speculative: bool) -> crate::dialect::ddl::LoadTx {
        crate::dialect::ddl::LoadTx::Chunked
    }
    fn check(&self, t: &PlannedTable, name: &str, sql: &str) -> String {
        check(t, name, sql)
    }
    fn foreign_key(&self, t: &PlannedTable, fk: &PlannedForeignKey) -> String {
        foreign_key(t, fk)
    }
    fn drop_foreign_key(&self, t: &PlannedTable, fk: &PlannedForeignKey) -> String {
        drop_foreign_key(t, fk)
    }
    fn set_default(&self, t: &PlannedTable, column: &str, default_sql: &str) -> String {
        format!("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {default_sql}", q(&t.name), q(column))
    }
    fn unchecked_foreign_key(&self) -> &'static str {
        "created with foreign_key_checks off"
    }
    fn foreign_key_note(&self, fk: &PlannedForeignKey) -> Option<String> {
        (fk.on_delete == FkAction::SetDefault || fk.on_update == FkAction::SetDefault).then(|| "InnoDB has no SET DEFAULT action: created with NO ACTION".to_string())
    }
    fn max_of(&self, t: &PlannedTable, column: &str) -> String {
        max_of(t, column)
    }
    /// InnoDB's statistics and, on MariaDB, the engine-independent ones it keeps in
    /// mysql.table_stats (use_stat_tables, on by default).
    fn analyze(&self, t: &PlannedTable) -> String {
        format!("ANALYZE TABLE {}", q(&t.name))
    }
    fn key_steps(&self, t: &PlannedTable) -> Vec<crate::dialect::ddl::Step> {
        key_steps(&self.flavor, t)
    }
    fn create_view(&self, name: &str, columns: &[String], select: &str) -> String {
        create_view(name, columns, select)
    }
    fn create_trigger(&self, t: &crate::sqlexpr::TranslatedTrigger, _on: Option<&PlannedTable>) -> Result<Vec<String>, String> {
        super::triggers::create(t)
    }
    fn drop_trigger(&self, name: &str) -> String {
        super::triggers::drop(name)
    }
    fn trigger_exists(&self, name: &str) -> String {
        super::triggers::exists(name)
    }
    fn drop_table(&self, name: &str) -> String {
        format!("DROP TABLE IF EXISTS {}", q(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(pk: &[&str], uniques: &[&[&str]], indexes: Vec<PlannedIndex>) -> PlannedTable {
        let v = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        PlannedTable {
            name: "items".into(),
            primary_key: (!pk.is_empty()).then(|| ("items_pkey".to_string(), v(pk))),
            uniques: uniques.iter().map(|u| ("u".to_string(), v(u))).collect(),
            indexes,
            ..Default::default()
        }
    }

    fn index(parts: &[&str], unique: bool, partial: bool) -> PlannedIndex {
        PlannedIndex {
            name: "ix".into(),
            unique,
            // `(…)` stands for an expression part.
            parts: parts
                .iter()
                .map(|p| if p.starts_with('(') { PlannedPart::Expr { sql: p.to_string(), desc: false } } else { PlannedPart::Column { name: p.to_string(), desc: false } })
                .collect(),
            where_sql: partial.then(|| "x > 0".into()),
            source_sql: String::new(),
            include: vec![],
            using: None,
            opclass: None,
        }
    }

    fn fk(cols: &[&str]) -> PlannedForeignKey {
        PlannedForeignKey {
            name: "items_fk".into(),
            columns: cols.iter().map(|s| s.to_string()).collect(),
            target_columns: cols.iter().map(|s| s.to_string()).collect(),
            ref_source_table: "p".into(),
            ref_table: "p".into(),
            ref_columns: vec!["id".into()],
            on_update: FkAction::NoAction,
            on_delete: FkAction::NoAction,
            orphans: None,
        }
    }

    /// A partial index is made over all rows here; where another index already leads with its
    /// parts it is not made at all (the advisor's duplicate_index on the demo's orders).
    #[test]
    fn a_partial_index_already_served_over_all_rows_is_not_made() {
        let named = |name: &str, parts: &[&str], unique: bool, partial: bool| PlannedIndex { name: name.into(), ..index(parts, unique, partial) };
        let cases: Vec<(Vec<PlannedIndex>, usize, Option<&str>)> = vec![
            (vec![named("full", &["a", "b"], false, false), named("part", &["a", "b"], false, true)], 1, Some("full")),
            (vec![named("part", &["a", "b"], false, true), named("full", &["a", "b"], false, false)], 0, Some("full")),
            (vec![named("full", &["a", "b", "c"], false, false), named("part", &["a", "b"], false, true)], 1, Some("full")),
            (vec![named("full", &["a"], false, false), named("part", &["a", "b"], false, true)], 1, None),
            (vec![named("full", &["b", "a"], false, false), named("part", &["a", "b"], false, true)], 1, None),
            (vec![named("p1", &["a"], false, true), named("p2", &["a"], false, true)], 1, Some("p1")),
            (vec![named("p1", &["a"], false, true), named("p2", &["a"], false, true)], 0, None),
            (vec![named("uniq", &["a"], true, true), named("part", &["a"], false, true)], 1, None),
            (vec![named("full", &["a"], false, false), named("upart", &["a"], true, true)], 1, None),
            (vec![named("full", &["a"], false, false), named("plain", &["a"], false, false)], 1, None),
        ];
        for (indexes, at, want) in cases {
            let t = table(&["id"], &[], indexes);
            assert_eq!(t.covered_when_full(&t.indexes[at]).map(|i| i.name.as_str()), want, "{:?} at {at}", t.indexes.iter().map(|i| &i.name).collect::<Vec<_>>());
        }
    }

    /// The index under a foreign key is made only where no key or index begins with its
    /// columns, in their order (as InnoDB decides whether it must make one).
    #[test]
    fn foreign_key_index_only_where_innodb_would_make_one() {
        let made = Some("ADD INDEX `items_fk` (`a`, `b`)".to_string());
        let cases: Vec<(PlannedTable, Vec<&str>, Option<String>)> = vec![
            (table(&[], &[], vec![]), vec!["a", "b"], made.clone()),
            (table(&["a", "b", "c"], &[], vec![]), vec!["a", "b"], None),
            (table(&["b", "a"], &[], vec![]), vec!["a", "b"], made.clone()),
            (table(&["id"], &[&["A", "B"]], vec![]), vec!["a", "b"], None),
            (table(&["id"], &[], vec![index(&["a", "b", "x"], false, false)]), vec!["a", "b"], None),
            (table(&["id"], &[], vec![index(&["a"], false, false)]), vec!["a", "b"], made.clone()),
            (table(&["id"], &[], vec![index(&["a", "(lower(b))"], false, false)]), vec!["a", "b"], made.clone()),
            // A partial index is made over all rows; a partial UNIQUE one is not made at all.
            (table(&["id"], &[], vec![index(&["a", "b"], false, true)]), vec!["a", "b"], None),
            (table(&["id"], &[], vec![index(&["a", "b"], true, true)]), vec!["a", "b"], made.clone()),
            (table(&["id"], &[], vec![]), vec![], None),
        ];
        for (t, cols, want) in cases {
            assert_eq!(foreign_key_index(&t, &fk(&cols)), want, "pk {:?} uniques {:?} fk {cols:?}", t.primary_key, t.uniques);
        }
    }
}
