//! `ferry plan --take`: suggestions taken at once over a real file (the wide demo) say how
//! many columns in how many tables change, and the plan written is the one taking each
//! suggestion alone would give; `--tables` narrows it; a wrong `--take` is refused by name.

use crate::common::*;
use ferry_core::plan::bulk::{self, BulkDecision, Verb};
use ferry_core::plan::Plan;

/// (--take, --tables) → the summary printed.
#[test]
fn plan_take_is_one_by_one_at_once() {
    let dir = Scratch::new();
    let src = dir.path("wide.sqlite");
    ferry_core::demo::wide::build(&src, 20).unwrap();
    let s = src.to_str().unwrap();
    let proposed_path = dir.path("proposed.toml");
    let run = ferry(&["plan", s, "--to", "postgres://u@h/db", "--out", proposed_path.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let proposed = Plan::load(&proposed_path).unwrap();
    let cases: [(&str, Option<&str>, &str); 4] = [
        ("high", None, "17 columns in 14 tables will change"),
        ("kind:bool_01", None, "8 columns in 8 tables will change"),
        ("kind:uuid", Some("t004_payments,t008_devices,t009_sessions"), "2 columns in 2 tables will change"),
        ("kind:bool_words", None, "0 columns in 0 tables will change"),
    ];
    for (which, tables, summary) in cases {
        let out = dir.path("taken.toml");
        let mut args = vec!["plan", s, "--to", "postgres://u@h/db", "--out", out.to_str().unwrap(), "--take", which];
        if let Some(t) = tables {
            args.extend(["--tables", t]);
        }
        let run = ferry(&args);
        assert_eq!(run.code, 0, "{which}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("--take {which}: {summary}")), "{which}: {}", run.stderr);
        let taken = Plan::load(&out).unwrap();
        // One by one: each column the preview names, taken alone on the proposed plan.
        let d = BulkDecision::parse(Verb::Take, which, tables.map(|t| t.split(',').map(String::from).collect())).unwrap();
        let mut one_by_one = proposed.clone();
        for c in bulk::preview(&proposed, &d).changes {
            let col = one_by_one.tables.iter_mut().find(|t| t.source == c.table).unwrap().columns.iter_mut().find(|x| x.source == c.column).unwrap();
            assert!(col.accept_suggestion());
            assert!(run.stderr.contains(&format!("{}.{}: {} → {}", c.table, c.column, c.from, c.to)), "{which}: {}", run.stderr);
        }
        assert_eq!(std::fs::read_to_string(&out).unwrap(), one_by_one.to_toml(), "{which}: the file is the one-by-one plan");
        assert_eq!(taken == proposed, summary.starts_with("0 "), "{which}");
    }
    let bad = ferry(&["plan", s, "--to", "postgres://u@h/db", "--take", "kind:money"]);
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("kind:<kind>") && bad.stderr.contains("bool_01"), "{}", bad.stderr);
}
