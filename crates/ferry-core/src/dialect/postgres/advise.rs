//! The advisor's queries on PostgreSQL: the catalogs (`pg_index`, `pg_constraint`,
//! `pg_sequence`, `pg_attribute`), the statistics views (`pg_stat_user_tables`,
//! `pg_stat_database`, `pg_stat_replication`) and the server's settings, read through the
//! monitor's read-only session (`monitor::connect`, each query behind its guard). The only rows
//! read are a few values of each text column (to tell JSON documents) and the count of rows
//! that break a NOT VALID constraint on tables small enough to count.

use crate::advise::{self, check, code, Advice, Finding, IndexCols, Overlap, Severity, Unchecked};
use crate::dialect::{connect_error, derived_name, Dialect, TargetUrl};
use crate::error::Result;
use crate::monitor::{format_age, format_bytes, one_line, StatsAge};
use crate::value::{group_thousands as group, plural};
use super::monitor;
use super::simple::guarded;
use super::simple;
use sqlx::postgres::PgConnection;
use sqlx::Row;

/// The marker every query here starts with (`pg_stat_statements` keeps it).
const MARK: &str = "/* ferry advise */";

/// The schemas of the user's objects: not the catalogs, TOAST or temporary schemas.
const USER_SCHEMAS: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp_)'";

/// A count of rows runs read-only and stops after 10 seconds.
const COUNT_GUARD: &str = "/* ferry advise */ SET TRANSACTION READ ONLY; /* ferry advise */ SET LOCAL statement_timeout = '10s'; ";

fn q(s: &str) -> String {
    crate::sqlexpr::quote_ident(s, Dialect::Postgres)
}

fn qual(schema: &str, name: &str) -> String {
    format!("{}.{}", q(schema), q(name))
}

fn cols(c: &[String]) -> String {
    c.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")
}

fn n(r: &sqlx::postgres::PgRow, i: usize) -> std::result::Result<u64, sqlx::Error> {
    Ok(r.try_get::<Option<i64>, _>(i)?.unwrap_or(0).max(0) as u64)
}

/// The largest value of an integer column type (`format_type`'s name).
pub fn type_max(t: &str) -> Option<i64> {
    match t {
        "smallint" => Some(i16::MAX as i64),
        "integer" => Some(i32::MAX as i64),
        "bigint" => Some(i64::MAX),
        _ => None,
    }
}

/// Every check, over the URL's database.
pub async fn advise(t: &TargetUrl, taken_at: String) -> Result<Advice> {
    let mut conn = monitor::connect(t).await?;
    let server = monitor::server(&mut conn).await.map_err(|e| connect_error(t, e))?;
    let (mut f, mut u) = (vec![], vec![]);

    let age = monitor::stats_age(&mut conn).await;
    let indexes = index_list(&mut conn).await;
    match &indexes {
        Ok(list) => {
            f.extend(overlapping(list));
            f.extend(invalid(list));
        }
        Err(e) => {
            let why = format!("not checked: {}", one_line(&e.to_string()));
            u.extend([code::DUPLICATE_INDEX, code::REDUNDANT_INDEX, code::INVALID_INDEX, code::UNINDEXED_FOREIGN_KEY].map(|c| Unchecked::new(c, why.clone())));
        }
    }
    let r = constraints(&mut conn, indexes.as_ref().ok().map(|v| v.as_slice())).await;
    check(&mut f, &mut u, &[code::UNINDEXED_FOREIGN_KEY, code::NOT_VALID_CONSTRAINT], r);
    check(&mut f, &mut u, &[code::NO_PRIMARY_KEY, code::NEVER_ANALYZED, code::DEAD_ROWS], tables(&mut conn).await);
    check(&mut f, &mut u, &[code::SEQUENCE_NEAR_MAX], sequences(&mut conn).await);
    check(&mut f, &mut u, &[code::JSON_TEXT_COLUMN], json_text(&mut conn).await);
    match &age {
        Ok(a) if a.enough => check(&mut f, &mut u, &[code::UNUSED_INDEX, code::CACHE_HIT_LOW], usage(&mut conn, a).await),
        Ok(a) => {
            let why = a.too_early().unwrap_or_default();
            u.push(Unchecked::new(code::UNUSED_INDEX, format!("{why}: no index is called unused yet")));
            u.push(Unchecked::new(code::CACHE_HIT_LOW, format!("{why}: the cache is still warming")));
        }
        Err(e) => u.extend([code::UNUSED_INDEX, code::CACHE_HIT_LOW].map(|c| Unchecked::new(c, format!("not checked: {}", one_line(&e.to_string()))))),
    }
    let r = settings(&mut conn, t).await;
    check(&mut f, &mut u, &[code::TLS_OFF, code::NO_WAL_ARCHIVING, code::APP_IS_SUPERUSER, code::AUTOVACUUM_OFF, code::NO_REPLICA, code::REPLICA_LAG], r);
    let r = monitor::statements_setup(&mut conn).await.map(|s| s.map(statements_off).into_iter().collect());
    check(&mut f, &mut u, &[code::STATEMENTS_OFF], r);
    let r = monitor::connections(&mut conn).await.map(|c| connections(c.total, c.max));
    check(&mut f, &mut u, &[code::CONNECTIONS_NEAR_MAX], r);
    check(&mut f, &mut u, &[code::ERRORS], errors(&mut conn).await);
    Ok(Advice { taken_at, dialect: t.dialect, server, database: t.database.clone(), user: t.user.clone(), findings: f, unchecked: u })
}

/// One index as the catalogs describe it.
struct Ix {
    schema: String,
    table: String,
    primary: bool,
    valid: bool,
    /// The constraint it backs (primary key, unique, exclusion).
    constraint: Option<String>,
    size: u64,
    cols: IndexCols,
}

async fn index_list(conn: &mut PgConnection) -> std::result::Result<Vec<Ix>, sqlx::Error> {
    let rows = simple::rows(conn, &guarded(&format!(
        "{MARK} SELECT n.nspname::text, t.relname::text, i.relname::text, x.indisunique, x.indisprimary, x.indisvalid, \
                (x.indpred IS NOT NULL OR x.indexprs IS NOT NULL OR am.amname <> 'btree'), \
                ARRAY(SELECT a.attname::text FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, ord) \
                      JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum \
                      WHERE k.ord <= x.indnkeyatts ORDER BY k.ord), \
                c.conname::text, pg_relation_size(i.oid)::int8 \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_am am ON am.oid = i.relam \
         LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x') \
         WHERE {USER_SCHEMAS} ORDER BY 1, 2, 3")))
    .await?;
    let mut out = vec![];
    for r in rows {
        let constraint: Option<String> = r.try_get(8)?;
        let valid: bool = r.try_get(5)?;
        out.push(Ix {
            schema: r.try_get(0)?,
            table: r.try_get(1)?,
            primary: r.try_get(4)?,
            valid,
            size: n(&r, 9)?,
            cols: IndexCols {
                name: r.try_get(2)?,
                columns: r.try_get(7)?,
                unique: r.try_get(3)?,
                constraint: constraint.is_some(),
                special: r.try_get::<bool, _>(6)? || !valid,
            },
            constraint,
        });
    }
    Ok(out)
}

/// The indexes of each table, in the catalogs' order.
fn by_table(list: &[Ix]) -> Vec<Vec<&Ix>> {
    let mut out: Vec<Vec<&Ix>> = vec![];
    for i in list {
        match out.last_mut() {
            Some(g) if g[0].schema == i.schema && g[0].table == i.table => g.push(i),
            _ => out.push(vec![i]),
        }
    }
    out
}

/// The SQL that drops an index: through its constraint when it backs one.
fn drop_index(i: &Ix) -> String {
    match &i.constraint {
        Some(c) => format!("ALTER TABLE {} DROP CONSTRAINT {};", qual(&i.schema, &i.table), q(c)),
        None => format!("DROP INDEX CONCURRENTLY {};", qual(&i.schema, &i.cols.name)),
    }
}

fn overlapping(list: &[Ix]) -> Vec<Finding> {
    let mut out = vec![];
    for group in by_table(list) {
        let cols: Vec<IndexCols> = group.iter().map(|i| i.cols.clone()).collect();
        for (a, b, how) in advise::overlaps(&cols) {
            let (gone, kept) = (group[a], group[b]);
            // The primary key is never what goes.
            if gone.primary {
                continue;
            }
            let table = format!("{}.{}", gone.schema, gone.table);
            let on = gone.cols.columns.join(", ");
            let (c, title) = match how {
                Overlap::Duplicate => (code::DUPLICATE_INDEX, format!("index {} duplicates {} on {table} ({on})", gone.cols.name, kept.cols.name)),
                Overlap::Prefix => (code::REDUNDANT_INDEX, format!("index {} ({on}) is a leading part of {} ({}) on {table}", gone.cols.name, kept.cols.name, kept.cols.columns.join(", "))),
            };
            let evidence = format!(
                "{} serves every query {} does; dropping it saves {} and the work of keeping it on every write",
                kept.cols.name,
                gone.cols.name,
                format_bytes(gone.size)
            );
            out.push(Finding::new(c, title, evidence).objects([format!("{}.{}.{}", gone.schema, gone.table, gone.cols.name), format!("{}.{}.{}", kept.schema, kept.table, kept.cols.name)]).sql(drop_index(gone)));
        }
    }
    out
}

fn invalid(list: &[Ix]) -> Vec<Finding> {
    list.iter()
        .filter(|i| !i.valid)
        .map(|i| {
            Finding::new(
                code::INVALID_INDEX,
                format!("index {} on {} is not valid", i.cols.name, format!("{}.{}", i.schema, i.table)),
                "a CREATE INDEX CONCURRENTLY or REINDEX failed part-way: queries do not use it, yet every write keeps it up to date; fix it before anything that rewrites the table (ALTER TABLE … TYPE, ADD COLUMN … IDENTITY), which rebuilds it and fails while what broke it (duplicate values) is still there".to_string(),
            )
            .objects([format!("{}.{}.{}", i.schema, i.table, i.cols.name)])
            .sql(format!("REINDEX INDEX CONCURRENTLY {};", qual(&i.schema, &i.cols.name)))
        })
        .collect()
}

/// Foreign keys without an index on their columns, and NOT VALID constraints with the count of
/// rows that break them (on tables of up to `COUNT_ROWS_UP_TO` rows).
async fn constraints(conn: &mut PgConnection, indexes: Option<&[Ix]>) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let rows = simple::rows(&mut *conn, &guarded(&format!(
        "{MARK} SELECT n.nspname::text, t.relname::text, c.conname::text, c.contype::text, c.convalidated, \
                ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord) \
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord), \
                rn.nspname::text, rt.relname::text, \
                ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord) \
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord), \
                CASE WHEN c.contype = 'c' THEN pg_get_expr(c.conbin, c.conrelid) END, \
                GREATEST(t.reltuples, 0)::int8 \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         LEFT JOIN pg_class rt ON rt.oid = c.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rt.relnamespace \
         WHERE {USER_SCHEMAS} AND (c.contype = 'f' OR (c.contype = 'c' AND NOT c.convalidated)) ORDER BY 1, 2, 3")))
    .await?;
    let mut out = vec![];
    for r in rows {
        let (schema, table, name, kind, validated): (String, String, String, String, bool) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?);
        let columns: Vec<String> = r.try_get(5)?;
        let tq = qual(&schema, &table);
        if kind == "f" {
            let on_table: Vec<IndexCols> = indexes.unwrap_or(&[]).iter().filter(|i| i.schema == schema && i.table == table).map(|i| i.cols.clone()).collect();
            if indexes.is_some() && !advise::fk_has_index(&columns, &on_table) {
                let parent: String = r.try_get::<Option<String>, _>(7)?.unwrap_or_default();
                let index = derived_name(Dialect::Postgres, &[&table, &columns.join("_")], "idx");
                out.push(
                    Finding::new(
                        code::UNINDEXED_FOREIGN_KEY,
                        format!("{schema}.{table} has no index for its foreign key {name} ({})", columns.join(", ")),
                        format!("every delete or key change in {parent} reads all of {table} to check it (about {}), and joins from {parent} cannot use an index", plural(n(&r, 10)?, "row", "rows")),
                    )
                    .objects([format!("{schema}.{table}.{name}")])
                    .sql(format!("CREATE INDEX CONCURRENTLY {} ON {tq} ({});", q(&index), cols(&columns))),
                );
            }
        }
        if validated {
            continue;
        }
        let rows_est = n(&r, 10)?;
        let (count_sql, listing) = if kind == "f" {
            let (pschema, ptable): (Option<String>, Option<String>) = (r.try_get(6)?, r.try_get(7)?);
            let pcols: Vec<String> = r.try_get(8)?;
            let parent = qual(&pschema.unwrap_or_default(), &ptable.unwrap_or_default());
            let present = columns.iter().map(|c| format!("c.{} IS NOT NULL", q(c))).collect::<Vec<_>>().join(" AND ");
            let joined = columns.iter().zip(&pcols).map(|(c, p)| format!("p.{} = c.{}", q(p), q(c))).collect::<Vec<_>>().join(" AND ");
            let cond = format!("FROM {tq} c WHERE {present} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {joined})");
            (format!("SELECT count(*) {cond}"), format!("SELECT c.* {cond}"))
        } else {
            let expr: String = r.try_get::<Option<String>, _>(9)?.unwrap_or_default();
            let cond = format!("FROM {tq} c WHERE ({expr}) IS FALSE");
            (format!("SELECT count(*) {cond}"), format!("SELECT c.* {cond}"))
        };
        let what = if kind == "f" { "foreign key" } else { "check constraint" };
        let broken = if rows_est > advise::COUNT_ROWS_UP_TO {
            Err(format!("not counted: {table} has about {}", plural(rows_est, "row", "rows")))
        } else {
            match simple::scalar::<i64>(&mut *conn, &format!("{COUNT_GUARD}{MARK} {count_sql}")).await {
                Ok(c) => Ok(c.max(0) as u64),
                Err(e) => Err(format!("not counted: {}", one_line(&crate::dialect::session::db_message(&e)))),
            }
        };
        let (evidence, sql) = match &broken {
            Ok(0) => ("no row breaks it: validating it makes the server rely on it (and lets the planner use it)".to_string(), format!("ALTER TABLE {tq} VALIDATE CONSTRAINT {};", q(&name))),
            Ok(c) => (
                format!("{} {} it: the server checks new rows only, not those it holds (a migration leaves orphan rows' keys so)", plural(*c, "row", "rows"), if *c == 1 { "breaks" } else { "break" }),
                format!("-- the rows that break it:\n-- {listing};\n-- fix or remove them, then:\nALTER TABLE {tq} VALIDATE CONSTRAINT {};", q(&name)),
            ),
            Err(why) => (format!("the server does not check the rows it holds, only new ones; rows that break it: {why}"), format!("-- the rows that break it:\n-- {listing};\nALTER TABLE {tq} VALIDATE CONSTRAINT {};", q(&name))),
        };
        let sev = if matches!(broken, Ok(0)) { Severity::Info } else { Severity::Warning };
        out.push(Finding::new(code::NOT_VALID_CONSTRAINT, format!("{what} {name} on {schema}.{table} is NOT VALID"), evidence).objects([format!("{schema}.{table}.{name}")]).sql(sql).severity(sev));
    }
    Ok(out)
}

/// Tables without a primary key, never analyzed, with autovacuum turned off for them, or with
/// too many dead rows.
async fn tables(conn: &mut PgConnection) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let rows = simple::rows(conn, &guarded(&format!(
        "{MARK} SELECT n.nspname::text, c.relname::text, \
                EXISTS (SELECT 1 FROM pg_constraint p WHERE p.conrelid = c.oid AND p.contype = 'p'), \
                s.relid IS NOT NULL AND s.last_analyze IS NULL AND s.last_autoanalyze IS NULL AND pg_relation_size(c.oid) > 0, \
                COALESCE(s.n_live_tup, 0)::int8, COALESCE(s.n_dead_tup, 0)::int8, \
                EXISTS (SELECT 1 FROM unnest(c.reloptions) o WHERE lower(o) IN ('autovacuum_enabled=false', 'autovacuum_enabled=off', 'autovacuum_enabled=0')), \
                (SELECT i.relname::text FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
                  WHERE x.indrelid = c.oid AND x.indisunique AND x.indisvalid AND x.indpred IS NULL AND x.indexprs IS NULL \
                    AND NOT EXISTS (SELECT 1 FROM unnest(x.indkey::int2[]) k(attnum) JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum WHERE NOT a.attnotnull) \
                  ORDER BY x.indnatts, 1 LIMIT 1), \
                GREATEST(c.reltuples, 0)::int8 \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND {USER_SCHEMAS} ORDER BY 1, 2")))
    .await?;
    let mut out = vec![];
    for r in rows {
        let (schema, table): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let tq = qual(&schema, &table);
        let object = format!("{schema}.{table}");
        if !r.try_get::<bool, _>(2)? {
            let unique: Option<String> = r.try_get(7)?;
            let (evidence, sql) = match unique {
                Some(i) => (
                    format!("it has a unique index on columns that are never null ({i}): it can become the primary key"),
                    format!("ALTER TABLE {tq} ADD CONSTRAINT {} PRIMARY KEY USING INDEX {};", q(&derived_name(Dialect::Postgres, &[&table], "pkey")), q(&i)),
                ),
                None => (
                    "rows cannot be told apart by the server: updates and deletes by key, logical replication and most tools need a primary key".to_string(),
                    format!("ALTER TABLE {tq} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY; -- or ADD PRIMARY KEY (the columns that identify a row)"),
                ),
            };
            out.push(Finding::new(code::NO_PRIMARY_KEY, format!("{object} has no primary key"), evidence).objects([object.clone()]).sql(sql));
        }
        let (live, dead) = (n(&r, 4)?, n(&r, 5)?);
        if r.try_get::<bool, _>(3)? {
            out.push(
                Finding::new(
                    code::NEVER_ANALYZED,
                    format!("{object} has never been analyzed"),
                    format!("the planner has no statistics for it (about {} now): queries on it are planned blind until ANALYZE or autovacuum runs", plural(live.max(n(&r, 8)?), "row", "rows")),
                )
                .objects([object.clone()])
                .sql(format!("ANALYZE {tq};")),
            );
        }
        if r.try_get::<bool, _>(6)? {
            out.push(
                Finding::new(code::AUTOVACUUM_OFF, format!("autovacuum is turned off for {object}"), "its dead rows are never cleaned and its statistics never refreshed unless someone runs VACUUM and ANALYZE".to_string())
                    .objects([object.clone()])
                    .sql(format!("ALTER TABLE {tq} RESET (autovacuum_enabled);")),
            );
        }
        if advise::too_many_dead(live, dead) {
            out.push(
                Finding::new(
                    code::DEAD_ROWS,
                    format!("{object} holds {} beside {} live", plural(dead, "dead row", "dead rows"), group(live)),
                    format!("{} of its row versions are dead: scans read them, and the table grows", advise::percent(dead as f64 / (live + dead) as f64)),
                )
                .objects([object])
                .sql(format!("VACUUM (ANALYZE) {tq};")),
            );
        }
    }
    Ok(out)
}

/// Keys drawn from a sequence past `SEQUENCE_SHARE` of what the column or the sequence can hold.
async fn sequences(conn: &mut PgConnection) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let rows = simple::rows(conn, &guarded(&format!(
        "{MARK} SELECT n.nspname::text, t.relname::text, a.attname::text, format_type(a.atttypid, NULL), \
                sn.nspname::text, sc.relname::text, \
                CASE WHEN has_sequence_privilege(s.seqrelid, 'SELECT,USAGE') THEN pg_sequence_last_value(s.seqrelid) END, \
                s.seqmax, format_type(s.seqtypid, NULL) \
         FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid \
         JOIN pg_class sc ON sc.oid = s.seqrelid JOIN pg_namespace sn ON sn.oid = sc.relnamespace \
         JOIN pg_class t ON t.oid = d.refobjid JOIN pg_namespace n ON n.oid = t.relnamespace \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid \
         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND {USER_SCHEMAS} \
         ORDER BY 1, 2, 3")))
    .await?;
    let mut out = vec![];
    for r in rows {
        let (schema, table, column, ctype, sschema, seq): (String, String, String, String, String, String) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?);
        let Some(last) = r.try_get::<Option<i64>, _>(6)? else { continue };
        let seqmax: i64 = r.try_get(7)?;
        let stype: String = r.try_get(8)?;
        let limit = type_max(&ctype).map_or(seqmax, |m| m.min(seqmax));
        if !advise::sequence_near_max(last, limit) {
            continue;
        }
        let tq = qual(&schema, &table);
        let mut sql = vec![];
        if ctype != "bigint" {
            sql.push(format!("ALTER TABLE {tq} ALTER COLUMN {} TYPE bigint; -- rewrites the table; widen the columns that reference it too", q(&column)));
        }
        if stype != "bigint" || seqmax < i64::MAX {
            sql.push(format!("ALTER SEQUENCE {} AS bigint MAXVALUE {};", qual(&sschema, &seq), i64::MAX));
        }
        let left = (limit - last).max(0) as u64;
        out.push(
            Finding::new(
                code::SEQUENCE_NEAR_MAX,
                format!("{schema}.{table}.{column} ({ctype}) has used {} of its range", advise::percent(advise::share_used(last, limit))),
                format!("sequence {sschema}.{seq} is at {} of {}: {} left before inserts fail", group(last as u64), group(limit as u64), plural(left, "value", "values")),
            )
            .objects([format!("{schema}.{table}.{column}"), format!("{sschema}.{seq}")])
            .sql(sql.join("\n")),
        );
    }
    Ok(out)
}

/// Text columns whose values (a sample of `JSON_SAMPLE` among the first rows) are all JSON
/// documents.
async fn json_text(conn: &mut PgConnection) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let columns = simple::rows(&mut *conn, &guarded(&format!(
        "{MARK} SELECT n.nspname::text, c.relname::text, a.attname::text FROM pg_attribute a \
         JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped \
           AND a.atttypid IN ('text'::regtype, 'varchar'::regtype, 'bpchar'::regtype) AND {USER_SCHEMAS} ORDER BY 1, 2, a.attnum")))
    .await?;
    let mut out = vec![];
    for r in columns {
        let (schema, table, column): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
        let sql = format!(
            "{MARK} SELECT v::text FROM (SELECT {c} AS v FROM {} LIMIT 1000) s WHERE v IS NOT NULL LIMIT {}",
            qual(&schema, &table),
            advise::JSON_SAMPLE,
            c = q(&column)
        );
        let values: Vec<String> = simple::scalars(&mut *conn, &format!("{COUNT_GUARD}{sql}")).await?;
        if advise::json_documents(&values) {
            let tq = qual(&schema, &table);
            out.push(
                Finding::new(
                    code::JSON_TEXT_COLUMN,
                    format!("{schema}.{table}.{column} keeps JSON documents as text"),
                    format!("all {} read hold a JSON object or array: as jsonb they are checked on write, stored parsed, and can be queried and indexed", plural(values.len() as u64, "value", "values")),
                )
                .objects([format!("{schema}.{table}.{column}")])
                .sql(format!("ALTER TABLE {tq} ALTER COLUMN {c} TYPE jsonb USING {c}::jsonb; -- rewrites the table", c = q(&column))),
            );
        }
    }
    Ok(out)
}

/// Unused indexes and a low cache hit ratio, once the statistics are old enough (`age`).
async fn usage(conn: &mut PgConnection, age: &StatsAge) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let mut out = vec![];
    let since = format!("statistics gathered for {} (since {}) over {}", format_age(age.seconds), age.since, plural(age.transactions, "transaction", "transactions"));
    let (indexes, _) = monitor::indexes(&mut *conn, None).await?;
    for i in indexes.iter().filter(|i| i.unused) {
        out.push(
            Finding::new(
                code::UNUSED_INDEX,
                format!("index {} on {} was never used", i.name, format!("{}.{}", i.schema, i.table)),
                format!("no scan through it in the {since}; it takes {} and slows every write", i.size_bytes.map(format_bytes).unwrap_or_else(|| "-".into())),
            )
            .objects([format!("{}.{}.{}", i.schema, i.table, i.name)])
            .sql(format!("DROP INDEX CONCURRENTLY {}; -- after checking the application's rare queries (monthly reports) do not need it", qual(&i.schema, &i.name))),
        );
    }
    let c = monitor::cache(&mut *conn, None).await?;
    if let Some(ratio) = crate::monitor::hit_ratio(c.hits, c.reads).filter(|r| advise::cache_hit_low(*r)) {
        out.push(
            Finding::new(
                code::CACHE_HIT_LOW,
                format!("only {} of table and index reads come from memory", advise::percent(ratio)),
                format!("{} blocks from memory, {} from disk in the {since}; below {} the working set does not fit in shared_buffers", group(c.hits), group(c.reads), advise::percent(advise::CACHE_HIT_MIN)),
            )
            .setting("shared_buffers = 25% of the server's memory (postgresql.conf; restart), or more memory"),
        );
    }
    Ok(out)
}

/// TLS, archiving, the user's power, autovacuum, replicas: the server's settings and state.
async fn settings(conn: &mut PgConnection, t: &TargetUrl) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let r = simple::one(&mut *conn, &guarded(&format!(
        "{MARK} SELECT current_setting('ssl'), current_setting('wal_level'), current_setting('archive_mode'), \
                current_setting('archive_command'), COALESCE(current_setting('archive_library', true), ''), \
                current_setting('autovacuum'), COALESCE((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false), \
                current_user::text, pg_is_in_recovery(), (SELECT count(*) FROM pg_stat_replication)::int8")))
    .await?;
    let s = |i: usize| -> std::result::Result<String, sqlx::Error> { r.try_get::<String, _>(i) };
    let mut out = vec![];
    if s(0)? != "on" {
        out.push(
            Finding::new(code::TLS_OFF, "the server does not offer TLS", "ssl = off: passwords and rows cross the network in clear text".to_string())
                .objects(["ssl".to_string()])
                .setting("ssl = on, ssl_cert_file and ssl_key_file in postgresql.conf (reload); clients then connect with sslmode=verify-full"),
        );
    }
    let (wal_level, archive_mode, archive_command, archive_library) = (s(1)?, s(2)?, s(3)?, s(4)?);
    if wal_level == "minimal" || archive_mode == "off" || (archive_command.trim().is_empty() && archive_library.trim().is_empty()) {
        // Whether a command is set, not the command: it may carry a storage key.
        let command = match archive_command.trim() {
            "" => "(none)",
            "(disabled)" => "(disabled)",
            _ => "set",
        };
        out.push(
            Finding::new(
                code::NO_WAL_ARCHIVING,
                "no WAL archiving: the database cannot be recovered to a point in time",
                format!("wal_level = {wal_level}, archive_mode = {archive_mode}, archive_command = {command}: only a full backup can be restored, and everything since it is lost"),
            )
            .objects(["wal_level".to_string(), "archive_mode".to_string(), "archive_command".to_string()])
            .setting("wal_level = replica, archive_mode = on, archive_command = 'a command that copies %p to safe storage' (or a tool: pgBackRest, WAL-G) in postgresql.conf; restart"),
        );
    }
    if s(5)? != "on" {
        out.push(
            Finding::new(code::AUTOVACUUM_OFF, "autovacuum is off for the whole server", "autovacuum = off: dead rows pile up, statistics go stale, and transaction IDs can wrap around".to_string())
                .objects(["autovacuum".to_string()])
                .setting("autovacuum = on in postgresql.conf (reload)"),
        );
    }
    if r.try_get::<bool, _>(6)? {
        let user: String = r.try_get(7)?;
        let role = format!("{}_app", t.database);
        out.push(
            Finding::new(
                code::APP_IS_SUPERUSER,
                format!("{user} is a superuser"),
                format!("if the application connects as {user}, one injected statement can read or drop anything on the server, or run programs on it"),
            )
            .objects([user.clone()])
            .sql(format!(
                "CREATE ROLE {r} LOGIN; -- then set its password: \\password {role}\nGRANT CONNECT ON DATABASE {d} TO {r};\nGRANT USAGE ON SCHEMA public TO {r};\nGRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r};\nGRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {r};\n-- and connect the application as {role}",
                r = q(&role),
                d = q(&t.database)
            )),
        );
    }
    let (in_recovery, replicas): (bool, u64) = (r.try_get(8)?, n(&r, 9)?);
    if !in_recovery && replicas == 0 {
        out.push(
            Finding::new(code::NO_REPLICA, "no replica streams from this server", "pg_stat_replication is empty: if this server's disk fails, the database is down until a backup is restored".to_string())
                .setting("a standby made with pg_basebackup -R from this server (wal_level = replica, max_wal_senders > 0), or the host's replica option"),
        );
    }
    if replicas > 0 {
        let lag = simple::rows(&mut *conn, &guarded(&format!(
            "{MARK} SELECT COALESCE(application_name, '')::text, COALESCE(client_addr::text, ''), COALESCE(extract(epoch FROM replay_lag), 0)::float8 FROM pg_stat_replication")))
        .await?;
        for l in lag {
            let (name, addr, secs): (String, String, f64) = (l.try_get(0)?, l.try_get(1)?, l.try_get(2)?);
            if secs > advise::REPLICA_LAG_SECONDS {
                out.push(
                    Finding::new(code::REPLICA_LAG, format!("replica {name} ({addr}) is {secs:.0} s behind"), format!("replay_lag = {secs:.1} s: reads from it see data that old, and a failover to it loses that much"))
                        .objects([name])
                        .setting("look at the replica's disk and network, and at long queries on it (hot_standby_feedback, max_standby_streaming_delay)"),
                );
            }
        }
    }
    Ok(out)
}

fn statements_off(setup: crate::monitor::StatementsSetup) -> Finding {
    let f = Finding::new(code::STATEMENTS_OFF, "statements are not counted (pg_stat_statements)", format!("without it no one can tell which queries are slow. {}", setup.how)).objects(["pg_stat_statements".to_string()]);
    match setup.sql {
        Some(sql) => f.sql(format!("{sql};")),
        None => f.setting("shared_preload_libraries = 'pg_stat_statements' in postgresql.conf; restart; then CREATE EXTENSION pg_stat_statements in the database"),
    }
}

fn connections(open: u64, max: u64) -> Vec<Finding> {
    if !advise::connections_near_max(open, max) {
        return vec![];
    }
    vec![Finding::new(
        code::CONNECTIONS_NEAR_MAX,
        format!("{open} of {max} connections are open"),
        format!("past {} of max_connections: new clients will soon be refused", advise::percent(advise::CONNECTIONS_SHARE)),
    )
    .objects(["max_connections".to_string()])
    .setting("a connection pooler (pgbouncer, transaction mode) in front of the server, or a larger max_connections (restart)")]
}

/// Rollbacks, deadlocks and recovery conflicts of this database.
async fn errors(conn: &mut PgConnection) -> std::result::Result<Vec<Finding>, sqlx::Error> {
    let r = simple::one(conn, &guarded(&format!(
        "{MARK} SELECT xact_commit::int8, xact_rollback::int8, deadlocks::int8, conflicts::int8 FROM pg_stat_database WHERE datname = current_database()")))
    .await?;
    let (commits, rollbacks, deadlocks, conflicts) = (n(&r, 0)?, n(&r, 1)?, n(&r, 2)?, n(&r, 3)?);
    if deadlocks == 0 && conflicts == 0 && !advise::rollbacks_high(commits, rollbacks) {
        return Ok(vec![]);
    }
    Ok(vec![Finding::new(
        code::ERRORS,
        format!("{}, {} and {} since the statistics began", plural(rollbacks, "rollback", "rollbacks"), plural(deadlocks, "deadlock", "deadlocks"), plural(conflicts, "recovery conflict", "recovery conflicts")),
        format!("of {}; the server's log says which statements (log_lock_waits = on helps with deadlocks)", plural(commits + rollbacks, "transaction", "transactions")),
    )
    .objects(["pg_stat_database".to_string()])
    .setting("log_lock_waits = on and deadlock_timeout = 1s in postgresql.conf (reload), then read the server's log")])
}

#[cfg(test)]
mod tests {
    #[test]
    fn integer_types_end_where_postgres_says() {
        for (t, max) in [("smallint", Some(32767)), ("integer", Some(2_147_483_647)), ("bigint", Some(i64::MAX)), ("numeric", None), ("text", None)] {
            assert_eq!(super::type_max(t), max, "{t}");
        }
    }
}
