//! A translated SQLite trigger (`sqlexpr::TranslatedTrigger`) as PostgreSQL has it: a PL/pgSQL
//! trigger function named after the trigger, in the run's schema, and the trigger that runs it.
//!
//! SQLite runs triggers with `recursive_triggers` off: a trigger whose body writes its own
//! table (the `updated_at` kind) does not fire itself again. PostgreSQL would, without end; the
//! function marks itself running in a transaction-local setting and does nothing when it is.

use crate::sqlexpr::{quote_ident, quote_literal, Action, Event, RaiseKind, Timing, TranslatedTrigger};
use crate::dialect::Dialect;

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

/// `CREATE FUNCTION …` and `CREATE TRIGGER …`, in that order.
pub fn create(schema: &str, t: &TranslatedTrigger) -> Result<Vec<String>, String> {
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
    let mut tag = "$ferry$".to_string();
    while body.contains(&tag) {
        tag.insert(tag.len() - 1, '_');
    }
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
