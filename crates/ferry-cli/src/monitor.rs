//! `ferry monitor`: one snapshot of the target database's health, as tables or as JSON.

use crate::words::size as format_bytes;
use ferry_core::monitor::{format_age, format_ms, format_ratio, query_line, Cluster, Snapshot, Statement};
use ferry_core::value::group_thousands as group;
use ferry_core::FerryError;
use crate::status;
use std::process::ExitCode;

/// How many statements each list shows on a terminal (`--json` has them all).
const SHOWN: usize = 10;
/// The widest statement text shown in a table.
const QUERY_WIDTH: usize = 90;

/// Takes the snapshot and prints it; exit 0, or the error for `main` to print as one line.
pub async fn run(to: &str, schema: Option<&str>, json: bool) -> Result<ExitCode, FerryError> {
    let snap = ferry_core::monitor::snapshot(to, schema).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&snap).expect("snapshot serializes"));
    } else {
        print(&snap);
    }
    Ok(status::exit(status::OK))
}

fn print(s: &Snapshot) {
    let scope = s.schema.as_ref().map(|x| format!(", schema {x}")).unwrap_or_default();
    println!("{} — database {}{scope} — {}", s.server, s.database, s.taken_at);
    // Young statistics say little: no index is called unused until they are enough.
    let early = s.stats.as_ref().and_then(|a| a.too_early());
    if let Some(a) = &s.stats {
        println!("statistics: gathered for {} (since {}) over {} transactions", format_age(a.seconds), a.since, group(a.transactions));
    }
    if let Some(e) = &early {
        println!("{e}: no index is called unused yet");
    }
    match &s.connections {
        Some(c) => println!("connections: {} active / {} open / {} max", group(c.active), group(c.total), group(c.max)),
        None => println!("connections: -"),
    }
    match &s.cache {
        Some(c) => {
            let parts = match (c.heap_hit_ratio, c.index_hit_ratio) {
                (None, None) => String::new(),
                (h, i) => format!("; tables {}, indexes {}", format_ratio(h), format_ratio(i)),
            };
            println!("cache hit ratio: {} ({} from memory, {} from disk{parts})", format_ratio(s.cache_hit_ratio), group(c.hits), group(c.reads));
        }
        None => println!("cache hit ratio: -"),
    }

    if !s.statements.is_empty() {
        let mut slowest: Vec<&Statement> = s.statements.iter().collect();
        slowest.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
        println!("\nslowest statements (by total time)");
        print_statements(&slowest);
        let mut frequent: Vec<&Statement> = s.statements.iter().collect();
        frequent.sort_by_key(|s| std::cmp::Reverse(s.calls));
        println!("\nmost frequent statements");
        print_statements(&frequent);
    }

    if let Some(c) = &s.cluster {
        print_cluster(c);
    }

    if !s.tables.is_empty() {
        // Where a Citus table lives, after its figures (which are then its shards').
        let placed = s.tables.iter().any(|t| t.placement.is_some());
        println!("\n{:<40} {:>12} {:>10} {:>10} {:>10} {:>10}{}", "table", "rows", "data", "indexes", "total", "dead rows", if placed { "  placement" } else { "" });
        for t in &s.tables {
            let rows = t.rows.map(group).unwrap_or_else(|| "-".into());
            let dead = t.dead_rows.map(group).unwrap_or_else(|| "-".into());
            let line = format!(
                "{:<40} {:>12} {:>10} {:>10} {:>10} {:>10}  {}",
                qualified(s, &t.schema, &t.name),
                rows,
                format_bytes(t.data_bytes),
                format_bytes(t.index_bytes),
                format_bytes(t.total_bytes),
                dead,
                t.placement.as_deref().unwrap_or_default()
            );
            println!("{}", line.trim_end());
        }
    }

    if !s.indexes.is_empty() {
        println!("\n{:<40} {:<32} {:>12} {:>10}  kind", "table", "index", "scans", "size");
        for i in &s.indexes {
            let kind = if i.primary {
                "primary key"
            } else if i.unique {
                "unique"
            } else if i.unused && early.is_none() {
                "UNUSED"
            } else if i.unused {
                "no scans yet"
            } else {
                ""
            };
            let line = format!(
                "{:<40} {:<32} {:>12} {:>10}  {kind}",
                qualified(s, &i.schema, &i.table),
                i.name,
                i.scans.map(group).unwrap_or_else(|| "-".into()),
                i.size_bytes.map(format_bytes).unwrap_or_else(|| "-".into())
            );
            println!("{}", line.trim_end());
        }
        let unused: Vec<_> = s.indexes.iter().filter(|i| i.unused).collect();
        if !unused.is_empty() && early.is_none() {
            println!("\nunused indexes (never used since statistics began; neither unique nor a primary key):");
            for i in unused {
                println!("  - {}.{}{}", qualified(s, &i.schema, &i.table), i.name, i.size_bytes.map(|b| format!(" ({})", format_bytes(b))).unwrap_or_default());
            }
        }
    }

    if !s.notes.is_empty() {
        println!("\nnotes:");
        for n in &s.notes {
            println!("  - {n}");
        }
    }
}

fn print_statements(list: &[&Statement]) {
    println!("  {:>10} {:>10} {:>10} {:>10}  query", "total", "mean", "calls", "rows");
    for st in list.iter().take(SHOWN) {
        println!(
            "  {:>10} {:>10} {:>10} {:>10}  {}",
            format_ms(st.total_ms),
            format_ms(st.mean_ms),
            group(st.calls),
            group(st.rows),
            query_line(&st.query, QUERY_WIDTH)
        );
        if let Some(r) = &st.routing {
            println!("  {:>43}  {}", "", r.words());
        }
    }
}

/// The nodes and what each holds, then the busiest tenants.
fn print_cluster(c: &Cluster) {
    println!("\n{}", c.engine);
    println!("  {:<28} {:<12} {:>8} {:>12} {:>10}", "node", "role", "shards", "rows", "size");
    for n in &c.nodes {
        println!("  {:<28} {:<12} {:>8} {:>12} {:>10}", n.node, if n.coordinator { "coordinator" } else { "worker" }, group(n.shards), group(n.rows), format_bytes(n.bytes));
    }
    if !c.tenants.is_empty() {
        println!("\nbusiest tenants (queries in this period of {} and the one before)", format_age(c.tenant_period_seconds));
        println!("  {:<24} {:>6} {:>10} {:>10} {:>10} {:>12}", "tenant", "group", "queries", "before", "reads", "cpu");
        for t in &c.tenants {
            println!(
                "  {:<24} {:>6} {:>10} {:>10} {:>10} {:>12}",
                query_line(&t.tenant, 24),
                t.colocation_id,
                group(t.queries),
                group(t.queries_last),
                group(t.reads),
                format_ms((t.cpu_seconds) * 1000.0)
            );
        }
        println!("  (Citus counts tenants per server: another database's co-location group of the same number shares a line)");
    }
}

/// `schema.table` where the dialect has schemas (they tell tables apart there); else the bare name.
fn qualified(s: &Snapshot, schema: &str, name: &str) -> String {
    if s.dialect.has_schemas() {
        format!("{schema}.{name}")
    } else {
        name.to_string()
    }
}
