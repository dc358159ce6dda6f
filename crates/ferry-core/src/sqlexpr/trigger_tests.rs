//! Triggers translated, as tables of cases: the SQLite trigger → the DDL each target gets, or
//! the reason it does not.

use std::collections::HashMap;

use super::{translate_trigger, TriggerContext, TriggerTable};
use crate::dialect::Dialect;
use crate::schema::LogicalType;

/// items (column Qty renamed qty_n on the target) and log (renamed item_log).
fn tables() -> HashMap<String, TriggerTable> {
    let t = |name: &str, cols: &[(&str, &str, LogicalType)]| TriggerTable {
        name: name.into(),
        columns: cols.iter().map(|(s, d, ty)| (s.to_string(), (d.to_string(), ty.clone()))).collect(),
        order: cols.iter().map(|(s, _, _)| s.to_string()).collect(),
        identity: Some("id".into()),
        key: Some("id".into()),
    };
    let int = LogicalType::Integer { bits: 64 };
    let text = LogicalType::Text { max: None };
    let ts = LogicalType::Timestamp { tz: false };
    HashMap::from([
        ("items".to_string(), t("items", &[("id", "id", int.clone()), ("Qty", "qty_n", int.clone()), ("name", "name", text.clone()), ("updated_at", "updated_at", ts.clone())])),
        ("log".to_string(), t("item_log", &[("id", "id", int.clone()), ("item_id", "item_id", int.clone()), ("note", "note", text.clone()), ("at", "at", ts.clone())])),
    ])
}

/// (SQLite trigger, PostgreSQL statements joined by "\n;\n" or "ERR: part of the reason", MariaDB the same).
const CASES: &[(&str, &str, &str)] = &[
    // An audit log: the current time on a timestamp column is the target's clock, in UTC.
    (
        "CREATE TRIGGER audit AFTER UPDATE ON items BEGIN INSERT INTO log (item_id, note, at) VALUES (NEW.id, 'qty ' || OLD.qty, datetime('now')); END",
        "CREATE FUNCTION \"s\".\"audit\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  INSERT INTO \"item_log\" (\"item_id\", \"note\", \"at\") VALUES (NEW.\"id\", 'qty ' || CAST(OLD.\"qty_n\" AS text), date_trunc('second', (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')));\n  RETURN NULL;\nEND\n$ferry$\n;\nCREATE TRIGGER \"audit\" AFTER UPDATE ON \"s\".\"items\" FOR EACH ROW EXECUTE FUNCTION \"s\".\"audit\"()",
        "CREATE TRIGGER `audit` AFTER UPDATE ON `items` FOR EACH ROW\nBEGIN\n  INSERT INTO `item_log` (`item_id`, `note`, `at`) VALUES (NEW.`id`, CONCAT('qty ', OLD.`qty_n`), UTC_TIMESTAMP());\nEND",
    ),
    // A guard: WHEN on the trigger, RAISE an error with the message.
    (
        "CREATE TRIGGER IF NOT EXISTS guard BEFORE INSERT ON items WHEN NEW.Qty < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END",
        "CREATE FUNCTION \"s\".\"guard\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  RAISE EXCEPTION USING MESSAGE = 'negative';\n  RETURN NEW;\nEND\n$ferry$\n;\nCREATE TRIGGER \"guard\" BEFORE INSERT ON \"s\".\"items\" FOR EACH ROW WHEN (NEW.\"qty_n\" < 0) EXECUTE FUNCTION \"s\".\"guard\"()",
        "CREATE TRIGGER `guard` BEFORE INSERT ON `items` FOR EACH ROW\nBEGIN\n  IF NEW.`qty_n` < 0 THEN\n    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'negative';\n  END IF;\nEND",
    ),
    // RAISE under its own condition, and a BEFORE DELETE that lets the row go (RETURN OLD).
    (
        "CREATE TRIGGER keep BEFORE DELETE ON items BEGIN SELECT CASE WHEN OLD.name = 'root' THEN RAISE(FAIL, 'root stays') END; END",
        "CREATE FUNCTION \"s\".\"keep\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  IF (OLD.\"name\" = 'root') THEN RAISE EXCEPTION USING MESSAGE = 'root stays'; END IF;\n  RETURN OLD;\nEND\n$ferry$\n;\nCREATE TRIGGER \"keep\" BEFORE DELETE ON \"s\".\"items\" FOR EACH ROW EXECUTE FUNCTION \"s\".\"keep\"()",
        "CREATE TRIGGER `keep` BEFORE DELETE ON `items` FOR EACH ROW\nBEGIN\n  IF (OLD.`name` = 'root') THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'root stays'; END IF;\nEND",
    ),
    // A cascade by trigger.
    (
        "CREATE TRIGGER gone AFTER DELETE ON items FOR EACH ROW BEGIN DELETE FROM log WHERE item_id = OLD.id; END",
        "CREATE FUNCTION \"s\".\"gone\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  DELETE FROM \"item_log\" WHERE \"item_id\" = OLD.\"id\";\n  RETURN NULL;\nEND\n$ferry$\n;\nCREATE TRIGGER \"gone\" AFTER DELETE ON \"s\".\"items\" FOR EACH ROW EXECUTE FUNCTION \"s\".\"gone\"()",
        "CREATE TRIGGER `gone` AFTER DELETE ON `items` FOR EACH ROW\nBEGIN\n  DELETE FROM `item_log` WHERE `item_id` = OLD.`id`;\nEND",
    ),
    // updated_at: writes its own table. PostgreSQL: guarded against firing itself again
    // (SQLite's recursive_triggers is off); MySQL/MariaDB refuse such a trigger.
    (
        "CREATE TRIGGER touch AFTER UPDATE OF Qty, name ON items WHEN NEW.updated_at IS OLD.updated_at BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END",
        "CREATE FUNCTION \"s\".\"touch\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  IF current_setting('ferry.firing_touch', true) = 'on' THEN RETURN NULL; END IF;\n  PERFORM set_config('ferry.firing_touch', 'on', true);\n  UPDATE \"items\" SET \"updated_at\" = date_trunc('second', (CURRENT_TIMESTAMP AT TIME ZONE 'UTC')) WHERE \"id\" = NEW.\"id\";\n  PERFORM set_config('ferry.firing_touch', 'off', true);\n  RETURN NULL;\nEND\n$ferry$\n;\nCREATE TRIGGER \"touch\" AFTER UPDATE OF \"qty_n\", \"name\" ON \"s\".\"items\" FOR EACH ROW WHEN (NEW.\"updated_at\" IS NOT DISTINCT FROM OLD.\"updated_at\") EXECUTE FUNCTION \"s\".\"touch\"()",
        "ERR: error 1442",
    ),
    (
        "CREATE TRIGGER touch2 AFTER UPDATE OF name ON items BEGIN UPDATE log SET note = NEW.name WHERE item_id = NEW.id; END",
        "CREATE FUNCTION \"s\".\"touch2\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  UPDATE \"item_log\" SET \"note\" = NEW.\"name\" WHERE \"item_id\" = NEW.\"id\";\n  RETURN NULL;\nEND\n$ferry$\n;\nCREATE TRIGGER \"touch2\" AFTER UPDATE OF \"name\" ON \"s\".\"items\" FOR EACH ROW EXECUTE FUNCTION \"s\".\"touch2\"()",
        "ERR: UPDATE OF columns",
    ),
    // RAISE(IGNORE) skips the row on PostgreSQL; MySQL/MariaDB cannot skip one.
    (
        "CREATE TRIGGER skip BEFORE INSERT ON items BEGIN SELECT RAISE(IGNORE) WHERE NEW.name = ''; END",
        "CREATE FUNCTION \"s\".\"skip\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  IF (NEW.\"name\" = '') THEN RETURN NULL; END IF;\n  RETURN NEW;\nEND\n$ferry$\n;\nCREATE TRIGGER \"skip\" BEFORE INSERT ON \"s\".\"items\" FOR EACH ROW EXECUTE FUNCTION \"s\".\"skip\"()",
        "ERR: RAISE(IGNORE)",
    ),
    // INSERT … SELECT reading another table, and INSERT without a column list (every column);
    // NULL into the rowid alias (SQLite numbers the row) leaves the column out.
    (
        "CREATE TRIGGER copy AFTER INSERT ON items BEGIN INSERT INTO log SELECT NULL, NEW.id, name, updated_at FROM items WHERE id = NEW.id; END",
        "CREATE FUNCTION \"s\".\"copy\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  INSERT INTO \"item_log\" (\"item_id\", \"note\", \"at\") SELECT NEW.\"id\", \"name\", \"updated_at\" FROM \"items\" WHERE \"id\" = NEW.\"id\";\n  RETURN NULL;\nEND\n$ferry$\n;\nCREATE TRIGGER \"copy\" AFTER INSERT ON \"s\".\"items\" FOR EACH ROW EXECUTE FUNCTION \"s\".\"copy\"()",
        "CREATE TRIGGER `copy` AFTER INSERT ON `items` FOR EACH ROW\nBEGIN\n  INSERT INTO `item_log` (`item_id`, `note`, `at`) SELECT NEW.`id`, `name`, `updated_at` FROM `items` WHERE `id` = NEW.`id`;\nEND",
    ),
    // A WHEN that reads a table: PostgreSQL takes no subquery in a trigger's WHEN, so the
    // function tests it first.
    (
        "CREATE TRIGGER first AFTER INSERT ON items WHEN NOT EXISTS (SELECT 1 FROM log WHERE item_id = NEW.id) BEGIN INSERT INTO log (item_id, note, at) VALUES (NEW.id, 'first', '2024-01-02 03:04:05'); END",
        "CREATE FUNCTION \"s\".\"first\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  IF (NOT EXISTS (SELECT 1 FROM \"item_log\" WHERE \"item_id\" = NEW.\"id\")) IS NOT TRUE THEN RETURN NULL; END IF;\n  INSERT INTO \"item_log\" (\"item_id\", \"note\", \"at\") VALUES (NEW.\"id\", 'first', '2024-01-02 03:04:05');\n  RETURN NULL;\nEND\n$ferry$\n;\nCREATE TRIGGER \"first\" AFTER INSERT ON \"s\".\"items\" FOR EACH ROW EXECUTE FUNCTION \"s\".\"first\"()",
        "CREATE TRIGGER `first` AFTER INSERT ON `items` FOR EACH ROW\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM `item_log` WHERE `item_id` = NEW.`id`) THEN\n    INSERT INTO `item_log` (`item_id`, `note`, `at`) VALUES (NEW.`id`, 'first', '2024-01-02 03:04:05');\n  END IF;\nEND",
    ),
    (
        "CREATE TRIGGER ids AFTER DELETE ON items BEGIN INSERT INTO log VALUES (NULL, OLD.id, 'gone', NULL), (NULL, OLD.id, 'again', NULL); INSERT INTO log VALUES (7, OLD.id, NULL, NULL); END",
        "CREATE FUNCTION \"s\".\"ids\"() RETURNS trigger LANGUAGE plpgsql SET search_path = \"s\" AS $ferry$\nBEGIN\n  INSERT INTO \"item_log\" (\"item_id\", \"note\", \"at\") VALUES (OLD.\"id\", 'gone', NULL), (OLD.\"id\", 'again', NULL);\n  INSERT INTO \"item_log\" (\"id\", \"item_id\", \"note\", \"at\") VALUES (7, OLD.\"id\", NULL, NULL);\n  RETURN NULL;\nEND\n$ferry$\n;\nCREATE TRIGGER \"ids\" AFTER DELETE ON \"s\".\"items\" FOR EACH ROW EXECUTE FUNCTION \"s\".\"ids\"()",
        "CREATE TRIGGER `ids` AFTER DELETE ON `items` FOR EACH ROW\nBEGIN\n  INSERT INTO `item_log` (`item_id`, `note`, `at`) VALUES (OLD.`id`, 'gone', NULL), (OLD.`id`, 'again', NULL);\n  INSERT INTO `item_log` (`id`, `item_id`, `note`, `at`) VALUES (7, OLD.`id`, NULL, NULL);\nEND",
    ),
    // What neither target gets, with the reason.
    ("CREATE TRIGGER r AFTER INSERT ON items BEGIN INSERT OR REPLACE INTO log (item_id) VALUES (NEW.id); END", "ERR: INSERT OR IGNORE/REPLACE", "ERR: INSERT OR IGNORE/REPLACE"),
    ("CREATE TRIGGER v INSTEAD OF INSERT ON items BEGIN DELETE FROM log; END", "ERR: INSTEAD OF", "ERR: INSTEAD OF"),
    ("CREATE TEMP TRIGGER t AFTER INSERT ON items BEGIN DELETE FROM log; END", "ERR: TEMP", "ERR: TEMP"),
    ("CREATE TRIGGER n AFTER INSERT ON nowhere BEGIN DELETE FROM log; END", "ERR: not among the migrated tables", "ERR: not among the migrated tables"),
    ("CREATE TRIGGER w AFTER INSERT ON items BEGIN DELETE FROM elsewhere; END", "ERR: not among the migrated tables", "ERR: not among the migrated tables"),
    ("CREATE TRIGGER c AFTER INSERT ON items BEGIN UPDATE log SET nope = 1; END", "ERR: `nope` is not a carried column", "ERR: `nope` is not a carried column"),
    ("CREATE TRIGGER o AFTER INSERT ON items BEGIN INSERT INTO log (item_id) VALUES (NEW.missing); END", "ERR: NEW.missing", "ERR: NEW.missing"),
    ("CREATE TRIGGER s AFTER INSERT ON items BEGIN SELECT 1; END", "ERR: SELECT RAISE", "ERR: SELECT RAISE"),
    ("CREATE TRIGGER f AFTER INSERT ON items BEGIN SELECT RAISE(ABORT, 'x') FROM log WHERE item_id = NEW.id; END", "ERR: WHERE EXISTS", "ERR: WHERE EXISTS"),
    ("CREATE TRIGGER x AFTER INSERT ON items BEGIN INSERT INTO log (note) VALUES (randomblob(4)); END", "ERR: randomblob", "ERR: randomblob"),
    // A number written to a timestamp column: SQLite keeps the number.
    ("CREATE TRIGGER y AFTER INSERT ON items BEGIN UPDATE log SET at = NEW.id; END", "ERR: integer value written to a timestamp column", "ERR: integer value written to a timestamp column"),
];

#[test]
fn triggers_translate_or_say_why_not() {
    let tables = tables();
    let mut failures = vec![];
    for (sql, pg, my) in CASES {
        for (dialect, want) in [(Dialect::Postgres, pg), (Dialect::MariaDb, my), (Dialect::MySql, my)] {
            let ctx = TriggerContext { dialect, tables: &tables, triggers: &[] };
            let got = translate_trigger(sql, &ctx).and_then(|t| dialect.create_trigger_sql("s", &t, None)).map(|v| v.join("\n;\n"));
            let ok = match (&got, want.strip_prefix("ERR: ")) {
                (Err(e), Some(part)) => e.contains(part),
                (Ok(g), None) => g == want,
                _ => false,
            };
            if !ok {
                failures.push(format!("{dialect:?}: {sql}\n    got  {got:?}\n    want {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

/// An AFTER UPDATE that sets columns of its own row (`updated_at`): MySQL/MariaDB get the
/// BEFORE UPDATE setting `NEW.col` it is equivalent to; where it is not (another UPDATE
/// trigger on the table that SQLite's inner UPDATE fires again, a value reading the row, a
/// WHERE not by the key, …) the refusal stays, with the reason.
#[test]
fn own_row_updates_become_before_triggers_where_equivalent() {
    let tables = tables();
    let trigger = |name: &str, sql: &str| crate::schema::Trigger { name: name.into(), table: "items".into(), sql: sql.into() };
    let touch = "CREATE TRIGGER touch AFTER UPDATE ON items FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END";
    let alone = [trigger("touch", touch), trigger("ins", "CREATE TRIGGER ins AFTER INSERT ON items BEGIN DELETE FROM log; END")];
    let ctx = TriggerContext { dialect: Dialect::MariaDb, tables: &tables, triggers: &alone };
    let got = translate_trigger(touch, &ctx).and_then(|t| Dialect::MariaDb.create_trigger_sql("s", &t, None)).unwrap();
    assert_eq!(got.len(), 1);
    let want_start = "CREATE TRIGGER `touch` BEFORE UPDATE ON `items` FOR EACH ROW\nBEGIN\n  /* Ferry: SQLite's AFTER UPDATE trigger set these columns";
    assert!(got[0].starts_with(want_start), "{}", got[0]);
    assert!(got[0].ends_with("*/\n  IF NEW.`updated_at` <=> OLD.`updated_at` THEN\n    SET NEW.`updated_at` = UTC_TIMESTAMP();\n  END IF;\nEND"), "{}", got[0]);
    // PostgreSQL keeps its AFTER trigger (it may write its own table).
    let pg = TriggerContext { dialect: Dialect::Postgres, tables: &tables, triggers: &alone };
    let got = translate_trigger(touch, &pg).and_then(|t| Dialect::Postgres.create_trigger_sql("s", &t, None)).unwrap().join("\n");
    assert!(got.contains("AFTER UPDATE ON") && got.contains("UPDATE \"items\" SET"), "{got}");

    let audit = trigger("audit", "CREATE TRIGGER audit AFTER UPDATE OF name ON items BEGIN INSERT INTO log (item_id) VALUES (NEW.id); END");
    let cases: &[(&str, &[crate::schema::Trigger], &str)] = &[
        (touch, &[trigger("touch", touch), audit.clone()], "fires audit on items again"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET name = name || '!' WHERE id = NEW.id; END", &[], "reads the row's columns"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET name = upper(\"name\") WHERE id = NEW.id; END", &[], "reads the row's columns"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE name = NEW.name; END", &[], "WHERE id = NEW.id"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP; END", &[], "WHERE id = NEW.id"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET name = 'x', Qty = length(NEW.name) WHERE id = NEW.id; END", &[], "reads NEW.name"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET updated_at = (SELECT max(at) FROM log) WHERE id = NEW.id; END", &[], "reads a table"),
        ("CREATE TRIGGER t2 BEFORE UPDATE ON items BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END", &[], "not an AFTER UPDATE"),
        ("CREATE TRIGGER t2 AFTER INSERT ON items BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END", &[], "not an AFTER UPDATE"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; DELETE FROM log; END", &[], "more than the one UPDATE"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items WHEN EXISTS (SELECT 1 FROM log) BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END", &[], "WHEN reads a table"),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET id = NEW.id + 1 WHERE id = NEW.id; END", &[], "sets the key"),
    ];
    for (sql, triggers, why) in cases {
        let ctx = TriggerContext { dialect: Dialect::MySql, tables: &tables, triggers };
        let got = translate_trigger(sql, &ctx).and_then(|t| Dialect::MySql.create_trigger_sql("s", &t, None));
        match got {
            Err(e) => assert!(e.contains("error 1442") && e.contains(why), "{sql}: {e}"),
            Ok(s) => panic!("{sql}: rewritten: {s:?}"),
        }
    }
}

/// On a Citus distributed or reference table a trigger runs on each shard: the `updated_at`
/// kind becomes the BEFORE UPDATE it is equivalent to (on a distributed table: a reference
/// table's copies would each set their own clock), a trigger that only raises over the row
/// stays as it is, both made with Citus told it is safe; one that reads or writes a table is
/// refused with why. A local table's triggers are made as on one server.
#[test]
fn on_a_citus_table_only_what_runs_on_a_shard_is_carried() {
    use crate::plan::distribute::Role;
    let tables = tables();
    let trigger = |name: &str, sql: &str| crate::schema::Trigger { name: name.into(), table: "items".into(), sql: sql.into() };
    let touch = "CREATE TRIGGER touch AFTER UPDATE ON items FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at BEGIN UPDATE items SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id; END";
    let guard = "CREATE TRIGGER guard BEFORE INSERT ON items WHEN NEW.Qty < 0 BEGIN SELECT RAISE(ABORT, 'negative'); END";
    let unsafe_on = "SET LOCAL citus.enable_unsafe_triggers = on; /* ferry: alone */ CREATE TRIGGER";
    // (trigger, Ok: what the statements hold | Err: part of the reason)
    let cases: &[(&str, Result<&[&str], &str>)] = &[
        (touch, Ok(&["NEW.\"updated_at\" := ", "RETURN NEW;", "BEFORE UPDATE ON \"s\".\"items\" FOR EACH ROW WHEN (NEW.\"updated_at\" IS NOT DISTINCT FROM OLD.\"updated_at\")", unsafe_on])),
        (guard, Ok(&["RAISE EXCEPTION USING MESSAGE = 'negative'", "BEFORE INSERT ON \"s\".\"items\"", unsafe_on])),
        ("CREATE TRIGGER audit AFTER UPDATE OF name ON items BEGIN INSERT INTO log (item_id) VALUES (NEW.id); END", Err("a body that writes a table")),
        ("CREATE TRIGGER t2 BEFORE INSERT ON items BEGIN SELECT RAISE(ABORT, 'full') WHERE (SELECT count(*) FROM log) > 9; END", Err("a body that reads a table")),
        ("CREATE TRIGGER t2 AFTER UPDATE ON items BEGIN UPDATE items SET name = name || '!' WHERE id = NEW.id; END", Err("reads the row's columns")),
    ];
    for role in [Role::Distributed, Role::Reference] {
        for (sql, want) in cases {
            let own = [trigger(sql.split_whitespace().nth(2).unwrap(), sql)];
            let ctx = TriggerContext { dialect: Dialect::Postgres, tables: &tables, triggers: &own };
            let t = translate_trigger(sql, &ctx).unwrap_or_else(|e| panic!("{sql}: {e}"));
            let got = crate::dialect::postgres::triggers::create("s", &t, Some(role)).map(|v| v.join("\n;\n"));
            // On a reference table, any trigger writing its own table.
            if role == Role::Reference && sql.contains("UPDATE items") {
                assert!(got.as_ref().is_err_and(|e| e.contains("would differ between the copies")), "{got:?}");
                continue;
            }
            match (want, got) {
                (Ok(parts), Ok(got)) => {
                    for p in *parts {
                        assert!(got.contains(p), "{role:?} {sql}: {p:?} not in\n{got}");
                    }
                    assert!(!got.contains("AFTER UPDATE ON") && !got.contains("UPDATE \"items\""), "{got}");
                }
                (Err(why), Err(e)) => assert!(e.contains(why) && e.contains(&format!("Citus {} table", role.name())), "{role:?} {sql}: {e}"),
                (want, got) => panic!("{role:?} {sql}: want {want:?}, got {got:?}"),
            }
        }
    }
    // A local table: as on one server.
    let own = [trigger("touch", touch)];
    let ctx = TriggerContext { dialect: Dialect::Postgres, tables: &tables, triggers: &own };
    let t = translate_trigger(touch, &ctx).unwrap();
    assert_eq!(crate::dialect::postgres::triggers::create("s", &t, None), Dialect::Postgres.create_trigger_sql("s", &t, None));
    assert!(crate::dialect::postgres::triggers::create("s", &t, None).unwrap().join(";").contains("AFTER UPDATE"));
}
