//! A translated SQLite trigger (`sqlexpr::TranslatedTrigger`) as MySQL/MariaDB have it:
//! `CREATE TRIGGER … FOR EACH ROW BEGIN … END`, the `WHEN` condition an `IF` around the body,
//! `RAISE(ABORT, 'm')` a `SIGNAL SQLSTATE '45000'` with the message.
//!
//! What the servers cannot do is refused with the reason: a trigger that writes the table it
//! fires on (error 1442; but an `AFTER UPDATE` that only sets columns of its own row becomes
//! the `BEFORE UPDATE` setting `NEW.col` it is equivalent to, `own_row`), `UPDATE OF cols` (a MySQL trigger fires on every UPDATE and cannot
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
        return match &t.own_row {
            Ok(sets) => Ok(vec![own_row(t, sets)]),
            Err(why) => Err(format!(
                "its body writes {}, the table it fires on; MySQL/MariaDB refuse that in a trigger (error 1442). A BEFORE trigger that sets NEW.col is the MySQL way; Ferry writes one only where it does the same{}",
                t.table,
                if why.is_empty() { String::new() } else { format!(", and here {why}") }
            )),
        };
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

/// SQLite's `AFTER UPDATE … UPDATE t SET col = x WHERE key = NEW.key` as a `BEFORE UPDATE`
/// trigger setting `NEW.col = x`: the same row results (`sqlexpr` checked the conditions:
/// the row by its key, values that read no column, no other UPDATE trigger on the table).
/// The body says so, where `SHOW CREATE TRIGGER` shows it.
fn own_row(t: &TranslatedTrigger, sets: &[(String, String)]) -> String {
    let sets: Vec<String> = sets.iter().map(|(c, v)| format!("SET NEW.{} = {v};", q(c))).collect();
    let body = match &t.when {
        Some(w) => format!("IF {w} THEN\n    {}\n  END IF;", sets.join("\n    ")),
        None => sets.join("\n  "),
    };
    let note = "/* Ferry: SQLite's AFTER UPDATE trigger set these columns of the row it fired for with an UPDATE of its own table, which MySQL/MariaDB refuse (error 1442). Set before the row is written, they come to the same row: the UPDATE picked the row by its key, the values read none of its columns, and no other UPDATE trigger is on the table (SQLite's inner UPDATE does not fire this one again: recursive_triggers is off). */";
    format!("CREATE TRIGGER {} BEFORE UPDATE ON {} FOR EACH ROW\nBEGIN\n  {note}\n  {body}\nEND", q(&t.name), q(&t.table))
}

pub fn drop(name: &str) -> String {
    format!("DROP TRIGGER IF EXISTS {}", q(name))
}

/// Counts the triggers named `name` in the current database.
pub fn exists(name: &str) -> String {
    format!("SELECT count(*) FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name = {}", quote_literal(name, Dialect::MySql))
}
