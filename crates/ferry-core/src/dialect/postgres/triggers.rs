//! A translated SQLite trigger (`sqlexpr::TranslatedTrigger`) as PostgreSQL has it: a PL/pgSQL
//! trigger function named after the trigger, in the run's schema, and the trigger that runs it.
//!
//! SQLite runs triggers with `recursive_triggers` off: a trigger whose body writes its own
//! table (the `updated_at` kind) does not fire itself again. PostgreSQL would, without end; the
//! function marks itself running in a transaction-local setting and does nothing when it is.
//!
//! On a Citus cluster, a distributed or reference table's trigger runs on each of its shards,
//! on the worker that holds it, and Citus takes one only when told it is safe
//! (`citus.enable_unsafe_triggers`): a body that reads or writes tables would run a query from
//! a shard, which Citus cannot route. What is carried there: the `updated_at` kind as the
//! `BEFORE UPDATE` setting `NEW.col` it is equivalent to (`own_row`, as for MySQL) on a
//! distributed table (on a reference table each node's copy would set its own value), and a
//! trigger whose only statements are `RAISE`s over the row; the rest is refused, with why.

use crate::sqlexpr::{quote_ident, quote_literal, Action, Event, RaiseKind, Timing, TranslatedTrigger};
use crate::dialect::Dialect;
use crate::plan::distribute::Role;

fn q(s: &str) -> String {
    quote_ident(s, Dialect::Postgres)
}

fn lit(s: &str) -> String {
    quote_literal(s, Dialect::Postgres)
}

/// The function's name as SQL.
pub fn function(schema: &str, name: &str) -> String {
    format!("{}.{}()", q(schema), q(name))
}

/// `CREATE FUNCTION …` and `CREATE TRIGGER …`, in that order; `citus`: the role of the table
/// on a Citus cluster, when it is on the nodes (distributed or reference).
pub fn create(schema: &str, t: &TranslatedTrigger, citus: Option<Role>) -> Result<Vec<String>, String> {
    let Some(role) = citus else { return plain(schema, t) };
    let on_shards = |why: &str| format!("on a Citus {} table a trigger runs on each shard, where a body that {why} would query from the shard, which Citus cannot route; Ferry carries only a trigger that sets the row's own columns or raises an error over the row", role.name());
    let stmts = if t.writes_own_table() && role == Role::Reference {
        // Each node's copy runs the trigger on its own: what it sets (the clock, most often)
        // would differ between the copies.
        return Err(format!("on a Citus reference table each node's copy runs a trigger on its own, so the values this one sets in {} would differ between the copies", t.table));
    } else if t.writes_own_table() {
        match &t.own_row {
            Ok(sets) => own_row(schema, t, sets),
            Err(why) => return Err(format!("{}; here it writes {}, and {why}", on_shards("writes a table"), t.table)),
        }
    } else if t.actions.iter().any(|a| matches!(a, Action::Write { .. })) {
        return Err(on_shards("writes a table"));
    } else if t.when_reads || t.actions.iter().any(|a| matches!(a, Action::Raise { when: Some(w), .. } if reads_tables(w))) {
        return Err(on_shards("reads a table"));
    } else {
        plain(schema, t)?
    };
    // Citus takes the trigger (and passes it to the shards) when told it is safe: the setting
    // in the trigger's own transaction, the statement alone (`ddl::ALONE`).
    Ok(stmts.into_iter().map(|s| if s.starts_with("CREATE TRIGGER") { format!("SET LOCAL citus.enable_unsafe_triggers = on; {}{s}", super::simple::ALONE) } else { s }).collect())
}

/// A dollar-quote tag the function's body does not hold: `$ferry$`, `$ferry_$`, …
fn dollar_tag(body: &str) -> String {
    let mut tag = "$ferry$".to_string();
    while body.contains(&tag) {
        tag.insert(tag.len() - 1, '_');
    }
    tag
}

/// Whether a translated condition reads a table (a subquery).
fn reads_tables(cond: &str) -> bool {
    cond.to_ascii_uppercase().contains("SELECT")
}

/// SQLite's `AFTER UPDATE … UPDATE t SET col = x WHERE key = NEW.key` as a `BEFORE UPDATE`
/// trigger setting `NEW.col := x` under the same `WHEN`: the same row results (`sqlexpr`
/// checked the conditions), and nothing is queried from the shard.
fn own_row(schema: &str, t: &TranslatedTrigger, sets: &[(String, String)]) -> Vec<String> {
    let sets: Vec<String> = sets.iter().map(|(c, v)| format!("NEW.{} := {v};", q(c))).collect();
    let body = format!(
        "BEGIN\n  -- Ferry: SQLite's AFTER UPDATE set these columns of the row it fired for with an UPDATE of its own table; set before the row is written, they come to the same row.\n  {}\n  RETURN NEW;\nEND\n",
        sets.join("\n  ")
    );
    let tag = dollar_tag(&body);
    let when = t.when.as_ref().map(|w| format!(" WHEN ({w})")).unwrap_or_default();
    vec![
        format!("CREATE FUNCTION {} RETURNS trigger LANGUAGE plpgsql SET search_path = {} AS {tag}\n{body}{tag}", function(schema, &t.name), q(schema)),
        format!("CREATE TRIGGER {} BEFORE UPDATE ON {}.{} FOR EACH ROW{when} EXECUTE FUNCTION {}", q(&t.name), q(schema), q(&t.table), function(schema, &t.name)),
    ]
}

/// The trigger on one server: its function, then the trigger.
fn plain(schema: &str, t: &TranslatedTrigger) -> Result<Vec<String>, String> {
    let ret = match (t.timing, &t.event) {
        (Timing::Before, Event::Delete) => "OLD",
        (Timing::Before, _) => "NEW",
        (Timing::After, _) => "NULL",
    };
    // The setting that says the function is running (a custom setting's name: letters, digits, _).
    let guard = t.writes_own_table().then(|| {
        let id: String = t.name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        lit(&format!("ferry.firing_{id}"))
    });
    let mut body = vec![];
    // A WHEN that reads tables is tested first thing in the function instead.
    let (when, when_in_body) = match &t.when {
        Some(w) if t.when_reads => (String::new(), Some(w)),
        Some(w) => (format!(" WHEN ({w})"), None),
        None => (String::new(), None),
    };
    if let Some(w) = when_in_body {
        body.push(format!("IF ({w}) IS NOT TRUE THEN RETURN {ret}; END IF;"));
    }
    if let Some(g) = &guard {
        body.push(format!("IF current_setting({g}, true) = 'on' THEN RETURN {ret}; END IF;"));
        body.push(format!("PERFORM set_config({g}, 'on', true);"));
    }
    let release = guard.as_ref().map(|g| format!("PERFORM set_config({g}, 'off', true); ")).unwrap_or_default();
    for a in &t.actions {
        let stmt = match a {
            Action::Write { sql, .. } => return_guarded(None, format!("{sql};")),
            Action::Raise { when, kind: RaiseKind::Ignore, .. } => {
                // The row is skipped (BEFORE) or the rest of the trigger (AFTER), as in SQLite.
                return_guarded(when.as_deref(), format!("{release}RETURN NULL;"))
            }
            Action::Raise { when, message, .. } => return_guarded(when.as_deref(), format!("RAISE EXCEPTION USING MESSAGE = {};", lit(message))),
        };
        body.push(stmt);
    }
    if let Some(g) = &guard {
        body.push(format!("PERFORM set_config({g}, 'off', true);"));
    }
    body.push(format!("RETURN {ret};"));
    let body = format!("BEGIN\n  {}\nEND\n", body.join("\n  "));
    let tag = dollar_tag(&body);
    let func = format!(
        "CREATE FUNCTION {} RETURNS trigger LANGUAGE plpgsql SET search_path = {} AS {tag}\n{body}{tag}",
        function(schema, &t.name),
        q(schema)
    );
    let event = match &t.event {
        Event::Update(cols) if !cols.is_empty() => format!("UPDATE OF {}", cols.iter().map(|c| q(c)).collect::<Vec<_>>().join(", ")),
        e => e.keyword().to_string(),
    };
    let timing = if t.timing == Timing::Before { "BEFORE" } else { "AFTER" };
    let trigger = format!(
        "CREATE TRIGGER {} {timing} {event} ON {}.{} FOR EACH ROW{when} EXECUTE FUNCTION {}",
        q(&t.name),
        q(schema),
        q(&t.table),
        function(schema, &t.name)
    );
    Ok(vec![func, trigger])
}

fn return_guarded(when: Option<&str>, stmt: String) -> String {
    match when {
        Some(w) => format!("IF {w} THEN {stmt} END IF;"),
        None => stmt,
    }
}

/// Drops the function, and with it the trigger that runs it.
pub fn drop(schema: &str, name: &str) -> String {
    format!("DROP FUNCTION IF EXISTS {} CASCADE", function(schema, name))
}

/// Counts the run's trigger functions named `name` in `schema`.
pub fn exists(schema: &str, name: &str) -> String {
    format!(
        "SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = {} AND p.proname = {} AND p.prorettype = 'pg_catalog.trigger'::pg_catalog.regtype",
        lit(schema),
        lit(name)
    )
}
