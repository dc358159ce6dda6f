//! The demo with `ferry plan --production` (#18 §2): every proposal listed with its evidence
//! and SQL, every one the target can take accepted, the run made, and then every row there
//! once, validate and diff clean, on both targets.

use crate::common::*;
use ferry_core::plan::production::ProposalKind;
use ferry_core::plan::Plan;

#[test]
fn the_demo_with_every_production_proposal_accepted_validates_clean() {
    let dir = Scratch::new();
    let src = demo_of(&dir, 20_000);
    let counts = source_counts(&src);
    let schema = ferry_core::source::sqlite::read_source(&src, true, 2).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for kind in Kind::all() {
        let what = format!("{kind:?}");
        let db = runtime.block_on(TestDb::new(kind, "prod_demo"));
        let out = dir.path(&format!("{what}.toml"));
        let run = ferry(&["plan", src.to_str().unwrap(), "--to", &db.url, "--production", "--out", out.to_str().unwrap()]);
        assert_eq!(run.code, 0, "{what}: {}{}", run.stdout, run.stderr);
        let mut plan = Plan::load(&out).unwrap();
        assert!(!plan.production.is_empty(), "{what}: proposals for the demo");
        // Each proposal in the listing, with its evidence, and with its SQL in the plan.
        for p in &plan.production {
            assert!(run.stdout.contains(&p.evidence), "{what}: {} listed with its evidence in\n{}", p.subject(), run.stdout);
            assert!(!p.evidence.is_empty(), "{what}: {p:?}");
        }
        let kinds: std::collections::BTreeSet<ProposalKind> = plan.production.iter().filter_map(|p| p.kind).collect();
        for k in [ProposalKind::Search, ProposalKind::Partition, ProposalKind::CoveringIndex] {
            assert!(kinds.contains(&k), "{what}: the demo gets a {k:?} proposal: {kinds:?}");
        }
        // Accept each one the plan check lets through (MySQL/MariaDB refuse a partial index,
        // which they do not have, and the JSON index they say they cannot make without a
        // key); on PostgreSQL that is every one.
        let mut refused = vec![];
        for i in 0..plan.production.len() {
            plan.production[i].accept = true;
            if let Err(e) = plan.check_against(&schema, "plan.toml") {
                plan.production[i].accept = false;
                refused.push((plan.production[i].kind, e.to_string()));
            } else {
                assert!(!plan.production[i].sql.is_empty(), "{what}: an accepted proposal says its SQL: {:?}", plan.production[i]);
            }
        }
        match kind {
            Kind::Pg => assert!(refused.is_empty(), "{what}: {refused:?}"),
            Kind::My => assert!(refused.iter().all(|(k, e)| *k == Some(ProposalKind::PartialIndex) || *k == Some(ProposalKind::JsonIndex) && e.contains("key is missing")), "{what}: {refused:?}"),
        }
        std::fs::write(&out, plan.to_toml()).unwrap();

        let report = dir.path(&format!("{what}.json"));
        let (run, _) = ferry_within(&["migrate", src.to_str().unwrap(), "--to", &db.url, "--plan", out.to_str().unwrap(), "--report", report.to_str().unwrap()], &[], std::time::Duration::from_secs(600));
        assert!(run.code == 0 || run.code == 2, "{what}: {}{}", run.stdout, run.stderr);
        let rep: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
        assert_eq!(rep["completed"], true, "{what}: {}", rep["error"]);
        for (t, n) in &counts {
            let got = runtime.block_on(db.texts(&format!("SELECT CONCAT(count(*), '') FROM {}", db.q(t))));
            assert_eq!(got[0].as_deref().unwrap().parse::<i64>().unwrap(), *n, "{what}: every row of {t}, once");
        }
        let valid = ferry(&["validate", src.to_str().unwrap(), "--to", &db.url, "--plan", out.to_str().unwrap()]);
        assert_eq!(valid.code, 0, "{what}: {}{}", valid.stdout, valid.stderr);
        let diff = ferry(&["diff", src.to_str().unwrap(), "--to", &db.url, "--plan", out.to_str().unwrap()]);
        assert_eq!(diff.code, 0, "{what}: {}{}", diff.stdout, diff.stderr);
    }
}
