//! The front end's TypeScript types, generated from the Rust types that cross the IPC
//! boundary (ts-rs) and committed in `ui/src/lib/bindings/`. The test fails when they are
//! stale; `FERRY_UPDATE_BINDINGS=1 cargo test -p ferry-app bindings` writes them afresh.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ts_rs::{Config, TS};

/// Exports every root type (and, through them, every type they use) into `dir`.
fn export_all(dir: &Path) {
    // Counts and sizes fit a JavaScript number; the UI never does arithmetic past 2^53.
    let cfg = Config::new().with_large_int("number").with_out_dir(dir);
    macro_rules! export {
        ($($t:ty),* $(,)?) => { $( <$t as TS>::export_all(&cfg).expect(concat!("export ", stringify!($t))); )* };
    }
    export!(
        crate::error::IpcError,
        crate::commands::source::SourceView,
        crate::commands::source::TypeCheck,
        crate::commands::connections::SavedConnection,
        crate::commands::connections::KeyringStatus,
        crate::commands::masks::MaskKeyStatus,
        crate::commands::access::AccessOffer,
        crate::commands::access::AccessChoice,
        crate::commands::access::AccessPreview,
        crate::commands::access::LoginStatus,
        crate::commands::distribute::DistributionChoice,
        crate::commands::distribute::DistributionSkew,
        crate::commands::distribute::DistributionRewrite,
        ferry_core::plan::distribute::RoleChoice,
        crate::commands::pick::PickKind,
        crate::commands::runs::RunOptions,
        crate::commands::runs::RunOutcome,
        crate::commands::runs::RunSummary,
        crate::commands::runs::RunFile,
        ferry_core::events::Event,
        ferry_core::plan::Plan,
        crate::commands::bulk::BulkApplied,
        ferry_core::plan::bulk::BulkDecision,
        ferry_core::dialect::probe::ServerInfo,
        ferry_core::dialect::preview::TablePreview,
        ferry_core::preflight::Preflight,
        ferry_core::diff::SchemaDiff,
        crate::commands::safety::BackupStep,
        crate::commands::safety::BackupItem,
        crate::commands::audit::ChecklistState,
        ferry_core::monitor::Snapshot,
        ferry_core::monitor::EnableOutcome,
        ferry_core::advise::Advice,
        ferry_core::backup::TargetBackup,
        ferry_core::restore::RestoreOutcome,
        ferry_core::rollback::RollbackOutcome,
        ferry_core::validate::ValidationReport,
        ferry_core::sync::SyncReport,
        ferry_core::audit::AuditEntry,
    );
}

/// Every `.ts` file under `dir`, by its path relative to `dir`.
fn files(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "ts") {
                let name = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(name, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn typescript_bindings_are_fresh() {
    let committed = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("ui/src/lib/bindings");
    let fresh = std::env::temp_dir().join(format!("ferry-bindings-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&fresh);
    export_all(&fresh);
    let want = files(&fresh);
    if std::env::var_os("FERRY_UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed).unwrap();
        for (name, text) in &want {
            let path = committed.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
    let have = files(&committed);
    let _ = std::fs::remove_dir_all(&fresh);
    let stale: Vec<&String> = want.keys().filter(|k| have.get(*k) != want.get(*k)).chain(have.keys().filter(|k| !want.contains_key(*k))).collect();
    assert!(
        stale.is_empty(),
        "ui/src/lib/bindings is stale ({stale:?}): run `FERRY_UPDATE_BINDINGS=1 cargo test -p ferry-app --lib bindings` and commit the result"
    );
}
