//! A translated SQLite trigger (`sqlexpr::TranslatedTrigger`) as MySQL/MariaDB have it:
//! `CREATE TRIGGER … FOR EACH ROW BEGIN … END`, the `WHEN` condition an `IF` around the body,
//! `RAISE(ABORT, 'm')` a `SIGNAL SQLSTATE '45000'` with the message.
//!
//! What the servers cannot do is refused with the reason: a trigger that writes the table it
//! fires on (error 1442), `UPDATE OF cols` (a MySQL trigger fires on every UPDATE and cannot
//! tell which columns the statement set), and `RAISE(IGNORE)` (a trigger cannot skip a row).
//! Several triggers on one event and time are fine on MySQL 5.7+ and MariaDB 10.2+.

use crate::sqlexpr::{quote_ident, quote_literal, Action, Event, RaiseKind, Timing, TranslatedTrigger};
use crate::dialect::Dialect;

fn q(s: &str) -> String {
    quote_ident(s, Dialect::MySql)
}

/// `CREATE TRIGGER …`, or why the server cannot have it.
pub fn create(t: &TranslatedTrigger) -> Result<Vec<String>, String> {
    if t.writes_own_table() {
        return Err(format!("its body writes {}, the table it fires on; MySQL/MariaDB refuse that in a trigger (error 1442). A BEFORE trigger that sets NEW.col is the MySQL way", t.table));
    }
    if matches!(&t.event, Event::Update(cols) if !cols.is_empty()) {
        return Err("UPDATE OF columns: a MySQL/MariaDB trigger fires on every UPDATE and cannot tell which columns the statement set".into());
    }
    let mut body = vec![];
    for a in &t.actions {
        body.push(match a {
            Action::Write { sql, .. } => format!("{sql};"),
            Action::Raise { kind: RaiseKind::Ignore, .. } => return Err("RAISE(IGNORE): a MySQL/MariaDB trigger cannot skip a row without an error".into()),
            Action::Raise { when, message, .. } => {
                let signal = format!("SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = {};", quote_literal(message, Dialect::MySql));
                match when {
                    Some(w) => format!("IF {w} THEN {signal} END IF;"),
                    None => signal,
                }
            }
        });
    }
    let body = match &t.when {
        Some(w) => format!("IF {w} THEN\n    {}\n  END IF;", body.join("\n    ")),
        None => body.join("\n  "),
    };
    let timing = if t.timing == Timing::Before { "BEFORE" } else { "AFTER" };
    Ok(vec![format!("CREATE TRIGGER {} {timing} {} ON {} FOR EACH ROW\nBEGIN\n  {body}\nEND", q(&t.name), t.event.keyword(), q(&t.table))])
}

pub fn drop(name: &str) -> String {
    format!("DROP TRIGGER IF EXISTS {}", q(name))
}

/// Counts the triggers named `name` in the current database.
pub fn exists(name: &str) -> String {
    format!("SELECT count(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name = {}", quote_literal(name, Dialect::MySql))
}
