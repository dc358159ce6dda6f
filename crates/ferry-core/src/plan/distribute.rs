//! The distribution of a plan over a Citus cluster (`ferry plan --distribute tenant_id`): each
//! table's role — distributed by the column and co-located with the others, a reference table
//! copied to every node, or local on the coordinator — with the evidence for it, and, for a
//! table without the column that hangs off a distributed table by a foreign key, the chain of
//! keys its column is filled through while loading. Only decides; `resolve` rewrites the
//! schema by it and the dialect writes the SQL.

use crate::schema::{Schema, Table};
use serde::{Deserialize, Serialize};

/// `[distribution]` of a plan: the column, and each table's role. Edit a table's `role` to
/// choose otherwise (a table with a global UNIQUE made `reference`, say).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Distribution {
    /// The distribution column, by its source name (`tenant_id`).
    pub column: String,
    pub tables: Vec<TableRole>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Sharded by the column over the workers, co-located with every other such table.
    Distributed,
    /// Copied whole to every node.
    Reference,
    /// A plain table on the coordinator.
    Local,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Distributed => "distributed",
            Role::Reference => "reference",
            Role::Local => "local",
        }
    }
}

/// One foreign key of a chain: this table's `columns` name the `parent`'s `parent_columns`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Hop {
    pub columns: Vec<String>,
    pub parent: String,
    pub parent_columns: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TableRole {
    /// The source table.
    pub table: String,
    pub role: Role,
    /// Why, from the schema and the rows.
    pub evidence: String,
    /// A distributed table without the column: the foreign keys from it to a table that has
    /// the column; the column is added and filled through them while loading.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filled_from: Vec<Hop>,
    /// The user chose this role (`--role`, the app's Distribution panel): kept when the
    /// others are placed again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub chosen: bool,
}

/// A role the user chose for one table (`--role orders=reference`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RoleChoice {
    pub table: String,
    pub role: Role,
}

impl RoleChoice {
    /// `orders=reference` → the choice; Err: one line saying what is expected.
    pub fn parse(s: &str) -> Result<RoleChoice, String> {
        let Some((table, role)) = s.split_once('=') else { return Err(format!("--role {s}: expected TABLE=ROLE, ROLE one of distributed, reference, local")) };
        let role = match role.trim().to_ascii_lowercase().as_str() {
            "distributed" => Role::Distributed,
            "reference" => Role::Reference,
            "local" => Role::Local,
            other => return Err(format!("--role {s}: {other:?} is not a role: distributed, reference or local")),
        };
        if table.trim().is_empty() {
            return Err(format!("--role {s}: name the table before ="));
        }
        Ok(RoleChoice { table: table.trim().to_string(), role })
    }
}

impl Distribution {
    pub fn role(&self, table: &str) -> Option<&TableRole> {
        self.tables.iter().find(|r| r.table == table)
    }
    /// How many tables have each role, in a line: "12 distributed, 1 reference, 0 local".
    pub fn summary(&self) -> String {
        let n = |r: Role| self.tables.iter().filter(|t| t.role == r).count();
        format!("{} distributed, {} reference, {} local", n(Role::Distributed), n(Role::Reference), n(Role::Local))
    }
}

fn has_column(t: &Table, c: &str) -> bool {
    t.column(c).is_some()
}

/// The parent's columns a foreign key names (its primary key when the key names none).
pub(crate) fn parent_columns(parent: &Table, fk: &crate::schema::ForeignKey) -> Vec<String> {
    if fk.ref_columns.is_empty() {
        parent.primary_key.as_ref().map(|p| p.columns.clone()).unwrap_or_default()
    } else {
        fk.ref_columns.clone()
    }
}

/// Whether every row of `t` has a value in each of `cols` (declared NOT NULL, or none found).
fn never_null(t: &Table, cols: &[String]) -> bool {
    cols.iter().all(|c| t.column(c).is_some_and(|c| c.not_null || c.profile.as_ref().is_some_and(|p| p.nulls == 0 && p.rows > 0)))
}

/// Proposes each table's role for distributing by `column`. Err: one line saying what is
/// wrong (no table has the column).
pub fn propose(schema: &Schema, column: &str) -> Result<Distribution, String> {
    propose_with(schema, column, &[])
}

/// Proposes each table's role with the user's `chosen` ones kept, the others placed around
/// them: a table whose column was filled through a table no longer distributed finds another
/// way or stays local; a table chosen distributed without the column is filled through its
/// foreign keys. Err: one line (a table not in the file, a table that cannot be distributed).
pub fn propose_with(schema: &Schema, column: &str, chosen: &[RoleChoice]) -> Result<Distribution, String> {
    let column = column.trim();
    if schema.tables.iter().all(|t| !has_column(t, column)) {
        return Err(no_such_column(schema, column));
    }
    let rows = |n: u64| crate::value::plural(n, "row", "rows");
    let mut wanted: Vec<Option<Role>> = vec![None; schema.tables.len()];
    for c in chosen {
        let Some(i) = schema.tables.iter().position(|t| t.name.eq_ignore_ascii_case(&c.table)) else {
            return Err(format!("--role {}: the file has no table {}", c.table, c.table));
        };
        wanted[i] = Some(c.role);
    }
    let mut roles: Vec<Option<TableRole>> = vec![None; schema.tables.len()];
    // The chosen reference and local tables, and the chosen distributed ones that have the
    // column (those without it are filled below, through their keys).
    for (i, t) in schema.tables.iter().enumerate() {
        let Some(role) = wanted[i] else { continue };
        let evidence = match role {
            Role::Reference => format!("chosen: a reference table ({} copied to every node)", rows(t.row_count)),
            Role::Local => format!("chosen: a plain table on the coordinator ({})", rows(t.row_count)),
            Role::Distributed if !has_column(t, column) => continue,
            Role::Distributed => {
                let nulls = t.column(column).and_then(|c| c.profile.as_ref()).map_or(0, |p| p.nulls);
                if nulls > 0 {
                    return Err(format!("--role {}=distributed: {column} is NULL in {} of its {}, and a row without it cannot be placed on a shard: make it a reference table, or fill {column} first", t.name, crate::value::plural(nulls, "row", "rows"), rows(t.row_count)));
                }
                format!("chosen: distributed by {column} ({}), co-located with the others", rows(t.row_count))
            }
        };
        roles[i] = Some(TableRole { table: t.name.clone(), role, evidence, filled_from: vec![], chosen: true });
    }
    // The tables that have the column.
    for (i, t) in schema.tables.iter().enumerate() {
        if roles[i].is_some() || wanted[i].is_some() {
            continue;
        }
        if has_column(t, column) {
            // A row whose column is NULL cannot be placed on a shard (Citus refuses it): such
            // a table keeps every row as a reference table.
            let nulls = t.column(column).and_then(|c| c.profile.as_ref()).map_or(0, |p| p.nulls);
            roles[i] = Some(if nulls > 0 {
                TableRole {
                    table: t.name.clone(),
                    role: Role::Reference,
                    evidence: format!("has {column}, but it is NULL in {} of its {}: a row without it cannot be placed on a shard, so a reference table (copied to every node) keeps every row", crate::value::plural(nulls, "row", "rows"), rows(t.row_count)),
                    filled_from: vec![],
                    chosen: false,
                }
            } else {
                TableRole { table: t.name.clone(), role: Role::Distributed, evidence: format!("has {column} ({}): distributed by it, co-located with the others", rows(t.row_count)), filled_from: vec![], chosen: false }
            });
        }
    }
    // The table the column itself points to (the tenants table): a reference table.
    let mut pointers: Vec<(usize, Vec<String>)> = vec![];
    for t in schema.tables.iter().filter(|t| has_column(t, column)) {
        for fk in &t.foreign_keys {
            if fk.columns.len() == 1 && fk.columns[0].eq_ignore_ascii_case(column) {
                if let Some(pi) = schema.tables.iter().position(|p| p.name.eq_ignore_ascii_case(&fk.ref_table)) {
                    if roles[pi].is_none() && wanted[pi].is_none() {
                        match pointers.iter_mut().find(|(i, _)| *i == pi) {
                            Some((_, from)) => from.push(t.name.clone()),
                            None => pointers.push((pi, vec![t.name.clone()])),
                        }
                    }
                }
            }
        }
    }
    for (pi, from) in pointers {
        let p = &schema.tables[pi];
        let key = p.primary_key.as_ref().map(|k| k.columns.join(", ")).unwrap_or_default();
        let global: Vec<String> = p.uniques.iter().map(|u| u.columns.join(", ")).collect();
        let keeps = if global.is_empty() { String::new() } else { format!("; it keeps its UNIQUE ({}), which distributed by {key} it could not", global.join("), (")) };
        roles[pi] = Some(TableRole {
            table: p.name.clone(),
            role: Role::Reference,
            evidence: format!(
                "{column} of {} points to it: a reference table ({} copied to every node), so every tenant's rows join it on their own node and the keys to it hold{keeps}",
                and_list(&from, 3),
                rows(p.row_count)
            ),
            filled_from: vec![],
            chosen: false,
        });
    }
    // Tables without the column that hang off a distributed table by a foreign key, chains
    // included: the column is added and filled from the parent. Nearest parents first.
    loop {
        let mut found = false;
        for (i, t) in schema.tables.iter().enumerate() {
            if roles[i].is_some() {
                continue;
            }
            let mut best: Option<(Vec<Hop>, String)> = None;
            for fk in &t.foreign_keys {
                let Some(pi) = schema.tables.iter().position(|p| p.name.eq_ignore_ascii_case(&fk.ref_table)) else { continue };
                let Some(pr) = roles[pi].as_ref().filter(|r| r.role == Role::Distributed) else { continue };
                let p = &schema.tables[pi];
                let pcols = parent_columns(p, fk);
                if pcols.len() != fk.columns.len() || pcols.is_empty() || !never_null(t, &fk.columns) {
                    continue;
                }
                let mut chain = vec![Hop { columns: fk.columns.clone(), parent: p.name.clone(), parent_columns: pcols }];
                chain.extend(pr.filled_from.iter().cloned());
                if best.as_ref().is_none_or(|(b, _)| chain.len() < b.len()) {
                    best = Some((chain, p.name.clone()));
                }
            }
            if let Some((chain, parent)) = best {
                let path: Vec<String> = std::iter::once(t.name.clone()).chain(chain.iter().map(|h| h.parent.clone())).collect();
                let via = chain[0].columns.join(", ");
                let by = if wanted[i].is_some() { "chosen: distributed; " } else { "" };
                roles[i] = Some(TableRole {
                    table: t.name.clone(),
                    role: Role::Distributed,
                    evidence: format!(
                        "{by}no {column}, but ({via}) → {parent} ({}): {column} added, filled from {} while loading, so each row lives beside its parent",
                        rows(t.row_count),
                        if chain.len() == 1 { parent.clone() } else { path.join(" → ") }
                    ),
                    filled_from: chain,
                    chosen: wanted[i].is_some(),
                });
                found = true;
            }
        }
        if !found {
            break;
        }
    }
    // Tables distributed or reference tables point to: reference tables, so the keys hold.
    loop {
        let mut found = false;
        for (i, t) in schema.tables.iter().enumerate() {
            let Some(r) = roles[i].clone() else { continue };
            if r.role == Role::Local {
                continue;
            }
            for fk in &t.foreign_keys {
                let Some(pi) = schema.tables.iter().position(|p| p.name.eq_ignore_ascii_case(&fk.ref_table)) else { continue };
                if roles[pi].is_some() || wanted[pi].is_some() {
                    continue;
                }
                let p = &schema.tables[pi];
                roles[pi] = Some(TableRole {
                    table: p.name.clone(),
                    role: Role::Reference,
                    evidence: format!("no {column}; {} ({}) → it: a reference table ({} copied to every node), so that key holds", t.name, fk.columns.join(", "), rows(p.row_count)),
                    filled_from: vec![],
                    chosen: false,
                });
                found = true;
            }
        }
        if !found {
            break;
        }
    }
    // A table chosen distributed that has neither the column nor a key to fill it through.
    if let Some(t) = schema.tables.iter().zip(&roles).zip(&wanted).find(|((_, r), w)| r.is_none() && **w == Some(Role::Distributed)).map(|((t, _), _)| t) {
        return Err(format!(
            "--role {}=distributed: it has no {column}, and none of its foreign keys (never NULL) reaches a distributed table to fill {column} from: make it a reference or local table",
            t.name
        ));
    }
    let tables = schema
        .tables
        .iter()
        .zip(roles)
        .map(|(t, r)| {
            r.unwrap_or_else(|| TableRole {
                table: t.name.clone(),
                role: Role::Local,
                evidence: format!("no {column} and no foreign key that reaches it ({}): stays a plain table on the coordinator", rows(t.row_count)),
                filled_from: vec![],
                chosen: false,
            })
        })
        .collect();
    Ok(Distribution { column: column.to_string(), tables })
}

/// "no table has a column named x; columns that key several tables: account_id (2 tables)":
/// the single-column foreign keys' column names most tables share.
fn no_such_column(schema: &Schema, column: &str) -> String {
    let mut counts: Vec<(String, u64)> = vec![];
    for t in &schema.tables {
        for fk in t.foreign_keys.iter().filter(|f| f.columns.len() == 1) {
            match counts.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&fk.columns[0])) {
                Some((_, k)) => *k += 1,
                None => counts.push((fk.columns[0].clone(), 1)),
            }
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let named: Vec<String> = counts.iter().take(3).map(|(n, k)| format!("{n} ({})", crate::value::plural(*k, "table", "tables"))).collect();
    if named.is_empty() {
        format!("--distribute {column}: no table has a column named {column}: name a column the tables have")
    } else {
        format!("--distribute {column}: no table has a column named {column}; the columns that key most tables: {}", named.join(", "))
    }
}

fn and_list(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!("{} and {} more", items[..max].join(", "), items.len() - max)
}

/// How the rows spread over the distribution column's values, from the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Skew {
    /// Distinct values (tenants) over the tables that have the column.
    pub tenants: u64,
    /// The rows of the largest tenant, and of all the tables that have the column.
    pub largest: u64,
    pub rows: u64,
}

impl Skew {
    pub fn describe(&self, column: &str) -> String {
        let share = if self.rows == 0 { 0.0 } else { self.largest as f64 * 100.0 / self.rows as f64 };
        format!(
            "{} of {column}; the largest holds {} of the {} distributed rows that have it ({share:.1}%)",
            crate::value::plural(self.tenants, "distinct value", "distinct values"),
            crate::value::group_thousands(self.largest),
            crate::value::group_thousands(self.rows)
        )
    }
}

/// Reads the skew from the source: the rows per value of the column over every table that has
/// it (read-only, one GROUP BY per table).
pub fn skew(source: &std::path::Path, schema: &Schema, d: &Distribution) -> crate::error::Result<Skew> {
    let conn = crate::source::sqlite::inspect::open(source)?;
    let mut per: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    for t in schema.tables.iter().filter(|t| d.role(&t.name).is_some_and(|r| r.role == Role::Distributed && r.filled_from.is_empty())) {
        let Some(c) = t.column(&d.column) else { continue };
        let sql = format!("SELECT CAST({c} AS TEXT), count(*) FROM {t} GROUP BY 1", c = q(&c.name), t = q(&t.name));
        let mut stmt = conn.prepare(&sql).map_err(|e| crate::source::sqlite::inspect::map_err(source, e))?;
        let mut rows = stmt.query([]).map_err(|e| crate::source::sqlite::inspect::map_err(source, e))?;
        while let Some(r) = rows.next().map_err(|e| crate::source::sqlite::inspect::map_err(source, e))? {
            let k: Option<String> = r.get(0).unwrap_or(None);
            let n: i64 = r.get(1).unwrap_or(0);
            *per.entry(k.unwrap_or_default()).or_default() += n.max(0) as u64;
        }
    }
    Ok(Skew { tenants: per.len() as u64, largest: per.values().copied().max().unwrap_or(0), rows: per.values().sum() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, ForeignKey, PrimaryKey, Unique};

    fn table(name: &str, cols: &[&str], fks: &[(&str, &str)]) -> Table {
        Table {
            name: name.into(),
            columns: cols.iter().map(|c| Column { name: c.to_string(), not_null: true, ..Default::default() }).collect(),
            primary_key: Some(PrimaryKey { name: None, columns: vec!["id".into()], autoincrement: false }),
            foreign_keys: fks.iter().map(|(c, p)| ForeignKey { name: None, columns: vec![c.to_string()], ref_table: p.to_string(), ref_columns: vec![], on_update: Default::default(), on_delete: Default::default() }).collect(),
            row_count: 10,
            ..Default::default()
        }
    }

    #[test]
    fn roles_follow_the_column_and_the_keys() {
        let mut schema = shop();
        schema.tables[0].uniques.push(Unique { name: None, columns: vec!["slug".into()] });
        let d = propose(&schema, "tenant_id").unwrap();
        let role = |t: &str| d.role(t).unwrap().clone();
        let cases = [("tenants", Role::Reference), ("orders", Role::Distributed), ("items", Role::Distributed), ("item_notes", Role::Distributed), ("countries", Role::Reference), ("settings", Role::Local)];
        for (t, want) in cases {
            assert_eq!(role(t).role, want, "{t}: {}", role(t).evidence);
        }
        assert!(role("tenants").evidence.contains("UNIQUE (slug)"), "{}", role("tenants").evidence);
        assert!(role("orders").filled_from.is_empty());
        assert_eq!(role("items").filled_from.iter().map(|h| h.parent.as_str()).collect::<Vec<_>>(), ["orders"]);
        assert_eq!(role("item_notes").filled_from.iter().map(|h| h.parent.as_str()).collect::<Vec<_>>(), ["items", "orders"]);
        assert!(role("item_notes").evidence.contains("item_notes → items → orders"), "{}", role("item_notes").evidence);
        assert_eq!(d.summary(), "3 distributed, 2 reference, 1 local");
        let err = propose(&schema, "account_id").unwrap_err();
        assert!(err.contains("no table has a column named account_id"), "{err}");
    }

    /// tenants ← orders (tenant_id, country → countries) ← items ← item_notes, and settings
    /// on its own.
    fn shop() -> Schema {
        Schema {
            tables: vec![
                table("tenants", &["id", "slug"], &[]),
                table("orders", &["id", "tenant_id", "country"], &[("tenant_id", "tenants"), ("country", "countries")]),
                table("items", &["id", "order_id"], &[("order_id", "orders")]),
                table("item_notes", &["id", "item_id"], &[("item_id", "items")]),
                table("countries", &["id"], &[]),
                table("settings", &["id"], &[]),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn chosen_roles_are_kept_and_the_others_placed_around_them() {
        use Role::{Distributed as D, Local as L, Reference as R};
        // (choices) → roles of tenants, orders, items, item_notes, countries, settings
        let cases: Vec<(&[&str], [Role; 6])> = vec![
            (&[], [R, D, D, D, R, L]),
            // items' column came through orders: with orders local, nothing fills it.
            (&["orders=local"], [R, L, L, L, L, L]),
            // a reference parent fills no column: its children stay local.
            (&["items=reference"], [R, D, R, L, R, L]),
            (&["item_notes=local", "settings=reference"], [R, D, D, L, R, R]),
            (&["countries=local", "tenants=local"], [L, D, D, D, L, L]),
            // chosen as proposed: the same roles, said as chosen.
            (&["orders=distributed", "item_notes=distributed"], [R, D, D, D, R, L]),
        ];
        for (choices, want) in cases {
            let chosen: Vec<RoleChoice> = choices.iter().map(|c| RoleChoice::parse(c).unwrap()).collect();
            let d = propose_with(&shop(), "tenant_id", &chosen).unwrap_or_else(|e| panic!("{choices:?}: {e}"));
            let got: Vec<Role> = d.tables.iter().map(|t| t.role).collect();
            assert_eq!(got, want, "{choices:?}: {:#?}", d.tables);
            for t in &d.tables {
                let is_chosen = chosen.iter().any(|c| c.table == t.table);
                assert_eq!(t.chosen, is_chosen, "{choices:?}: {}", t.table);
                assert_eq!(t.evidence.starts_with("chosen"), is_chosen, "{choices:?}: {}", t.evidence);
            }
        }
        // item_notes chosen distributed is still filled through items and orders.
        let d = propose_with(&shop(), "tenant_id", &[RoleChoice::parse("item_notes=distributed").unwrap()]).unwrap();
        assert_eq!(d.role("item_notes").unwrap().filled_from.iter().map(|h| h.parent.as_str()).collect::<Vec<_>>(), ["items", "orders"]);
    }

    #[test]
    fn a_role_that_cannot_be_is_refused_in_one_line() {
        let cases = [
            ("nowhere=local", "the file has no table nowhere"),
            ("countries=distributed", "countries=distributed: it has no tenant_id"),
            ("settings=distributed", "settings=distributed: it has no tenant_id"),
            ("tenants=distributed", "tenants=distributed: it has no tenant_id"),
        ];
        for (choice, want) in cases {
            let err = propose_with(&shop(), "tenant_id", &[RoleChoice::parse(choice).unwrap()]).unwrap_err();
            assert!(err.contains(want) && !err.contains('\n'), "{choice}: {err}");
        }
        let mut events = table("events", &["id", "tenant_id"], &[]);
        events.columns[1].profile = Some(crate::schema::ColumnProfile { rows: 10, nulls: 2, ..Default::default() });
        let schema = Schema { tables: vec![table("orders", &["id", "tenant_id"], &[]), events], ..Default::default() };
        let err = propose_with(&schema, "tenant_id", &[RoleChoice::parse("events=distributed").unwrap()]).unwrap_err();
        assert!(err.contains("NULL in 2 rows"), "{err}");
        for bad in ["orders", "orders=sharded", "=local"] {
            assert!(RoleChoice::parse(bad).is_err_and(|e| e.starts_with(&format!("--role {bad}: "))), "{bad}");
        }
        assert_eq!(RoleChoice::parse(" orders = Reference ").unwrap(), RoleChoice { table: "orders".into(), role: Role::Reference });
    }

    #[test]
    fn a_table_whose_column_holds_null_is_a_reference_table() {
        let mut events = table("events", &["id", "tenant_id"], &[]);
        events.columns[1].not_null = false;
        events.columns[1].profile = Some(crate::schema::ColumnProfile { rows: 10, nulls: 2, ..Default::default() });
        let schema = Schema { tables: vec![table("orders", &["id", "tenant_id"], &[]), events], ..Default::default() };
        let d = propose(&schema, "tenant_id").unwrap();
        let r = d.role("events").unwrap();
        assert_eq!(r.role, Role::Reference);
        assert!(r.evidence.contains("NULL in 2 rows"), "{}", r.evidence);
        assert_eq!(d.role("orders").unwrap().role, Role::Distributed);
    }

    #[test]
    fn a_key_that_may_be_null_fills_nothing() {
        let mut items = table("items", &["id", "order_id"], &[("order_id", "orders")]);
        items.columns[1].not_null = false;
        let schema = Schema { tables: vec![table("orders", &["id", "tenant_id"], &[]), items], ..Default::default() };
        let d = propose(&schema, "tenant_id").unwrap();
        assert_eq!(d.role("items").unwrap().role, Role::Local);
    }
}
