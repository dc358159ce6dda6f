//! Masked copies in the app: proposing each column's mask (`ferry plan --mask-pii`), checking
//! a rule the user picks, and the mask key. The key is made here (32 random bytes, as hex) or
//! imported from a key file (the CLI's `--mask-key-file`, so a team shares one key), kept in
//! the OS keyring under `mask-key:<the source file's absolute path>`, and never sent to the
//! page, written to a file, a log or a report: the page sees its fingerprint only. Where no
//! keyring answers, the page keeps the key file's path and passes it with each run.

use crate::error::{ErrorKind, IpcError, IpcResult};
use crate::paths::Access;
use crate::state::AppState;
use ferry_core::dialect::Dialect;
use ferry_core::mask::{MaskKey, Rule};
use ferry_core::plan::Plan;
use serde::Serialize;
use std::path::Path;
use tauri::State;
use ts_rs::TS;

/// Random bytes in a key the app makes (written as 64 hex digits, as `openssl rand -hex 32`).
const KEY_BYTES: usize = 32;

/// The mask key of a source file, as the page may see it.
#[derive(Debug, Clone, Serialize, PartialEq, TS)]
pub struct MaskKeyStatus {
    /// The key's fingerprint (`MaskKey::fingerprint`), when there is one; never the key.
    pub fingerprint: Option<String>,
    /// Where the key is: `keyring` (the system keyring), `file` (a key file given per run).
    pub kept_in: Option<String>,
    /// Whether the system keyring answers here.
    pub keyring: bool,
    /// Why not, in words, when it does not.
    pub keyring_detail: Option<String>,
}

/// The keyring entry's user for `source`'s key.
pub(crate) fn entry_user(source: &Path) -> String {
    let abs = std::path::absolute(source).unwrap_or_else(|_| source.to_path_buf());
    format!("mask-key:{}", abs.display())
}

fn keyring_ok() -> Result<(), String> {
    keyring::Entry::store_status().as_ref().map(|_| ()).map_err(|e| e.to_string())
}

fn entry(source: &Path) -> IpcResult<keyring::Entry> {
    keyring::Entry::new(super::connections::SERVICE, &entry_user(source)).map_err(super::connections::keyring_error)
}

/// The key the keyring keeps for `source`, if any (None too when no keyring answers).
fn from_keyring(source: &Path) -> IpcResult<Option<MaskKey>> {
    if keyring_ok().is_err() {
        return Ok(None);
    }
    match entry(source)?.get_secret() {
        Ok(bytes) => Ok(Some(MaskKey::new(&bytes, "the system keyring")?)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(super::connections::keyring_error(e)),
    }
}

/// The key for a run of `source`: from the key file when one is given (`file`, chosen by the
/// user), else from the keyring. Refused with kind `mask_key` when neither has one.
pub(crate) fn key_for(source: &Path, file: Option<&Path>) -> IpcResult<MaskKey> {
    if let Some(f) = file {
        return Ok(MaskKey::from_file_or_env(Some(f))?);
    }
    if let Some(k) = from_keyring(source)? {
        return Ok(k);
    }
    let why = match keyring_ok() {
        Ok(()) => "no mask key was made for this file yet: in Schema & mapping, under Masked copy, choose “Make a key” or “Use a key file…”".to_string(),
        Err(raw) => format!("no system keyring answers here ({}), so the key is not kept: in Schema & mapping, under Masked copy, choose “Use a key file…” for this run", crate::error::keyring_words(&raw).trim_end_matches('.')),
    };
    Err(IpcError::new(ErrorKind::MaskKey, format!("the plan masks columns but there is no mask key: {why}")))
}

/// The key for a run with `plan`, when it masks anything: `file` is the page's key file path
/// (checked as chosen by the user).
pub(crate) fn key_for_plan(state: &AppState, plan: Option<&Plan>, source: &Path, file: Option<&str>) -> IpcResult<Option<MaskKey>> {
    if !plan.is_some_and(|p| p.masks()) {
        return Ok(None);
    }
    let file = match file.filter(|f| !f.trim().is_empty()) {
        Some(f) => Some(state.chosen(f, Access::Read)?),
        None => None,
    };
    key_for(source, file.as_deref()).map(Some)
}

fn status(fingerprint: Option<String>, kept_in: Option<&str>) -> MaskKeyStatus {
    let k = keyring_ok();
    MaskKeyStatus { fingerprint, kept_in: kept_in.map(str::to_string), keyring: k.is_ok(), keyring_detail: k.err().map(|raw| crate::error::keyring_words(&raw).to_string()) }
}

/// Proposes a mask for every column of `plan` (the user's plan, types as they chose them) and
/// makes it a safe copy: `ferry plan --mask-pii`'s proposal, each column with its evidence.
#[tauri::command]
pub async fn propose_masks(state: State<'_, AppState>, plan: Plan) -> IpcResult<Plan> {
    let l = state.loaded()?;
    super::blocking(move || {
        let mut plan = plan;
        ferry_core::plan::masks::propose(&mut plan, &l.schema, &l.path)?;
        Ok(plan)
    })
    .await
}

/// A rule the user picked for one column: its canonical spelling, or the engine's refusal
/// (`Rule::parse`, `Rule::refuses` for the column's planned type) as an `invalid` error.
#[tauri::command]
pub fn check_mask(state: State<'_, AppState>, dialect: Dialect, table: String, column: String, type_sql: String, rule: String) -> IpcResult<String> {
    let l = state.loaded()?;
    let r = Rule::parse(&rule).map_err(|e| IpcError::new(ErrorKind::Invalid, e))?;
    let t = l.schema.table(&table).ok_or_else(|| IpcError::new(ErrorKind::Invalid, format!("no table {table:?}")))?;
    let c = t.column(&column).ok_or_else(|| IpcError::new(ErrorKind::Invalid, format!("no column {table}.{column}")))?;
    let ty = dialect.read_plan_type(&type_sql).map_err(|e| IpcError::new(ErrorKind::Invalid, e))?;
    if let Some(why) = r.refuses(&ty, refuses_null(t, c)) {
        return Err(IpcError::new(ErrorKind::Invalid, format!("mask \"{r}\" {why}")));
    }
    Ok(r.to_string())
}

/// Whether the column takes no NULL, as `Plan::check_against` judges a mask: NOT NULL, or
/// in the primary key.
fn refuses_null(t: &ferry_core::schema::Table, c: &ferry_core::schema::Column) -> bool {
    c.not_null || t.primary_key.as_ref().is_some_and(|p| p.columns.iter().any(|k| k.eq_ignore_ascii_case(&c.name)))
}

/// What is wrong with the plan's masks, as the run would refuse them: a rule that no longer
/// fits its column's type (after a type override), a key masked one way and referenced from a
/// column masked another, in a safe copy text columns with no word on them; empty when nothing.
#[tauri::command]
pub fn mask_problems(state: State<'_, AppState>, plan: Plan) -> IpcResult<Vec<String>> {
    let l = state.loaded()?;
    let mut out = vec![];
    for tp in plan.tables.iter().filter(|t| !t.skip) {
        let Some(t) = l.schema.table(&tp.source) else { continue };
        for cp in &tp.columns {
            if let (Some(rule), Some(c), Ok(ty)) = (cp.mask, t.column(&cp.source), plan.dialect.read_plan_type(&cp.target_type)) {
                if let Some(why) = rule.refuses(&ty, refuses_null(t, c)) {
                    out.push(format!("column {}.{}: mask \"{rule}\" {why}", tp.source, cp.source));
                }
            }
        }
    }
    out.extend(ferry_core::plan::masks::problems(&plan, &l.schema));
    Ok(out)
}

/// The mask key of `source`: its fingerprint when the keyring keeps one (or, with `key_file`,
/// that file's), and whether a keyring answers.
#[tauri::command]
pub fn mask_key_status(state: State<'_, AppState>, source: String, key_file: Option<String>) -> IpcResult<MaskKeyStatus> {
    state.chosen(&source, Access::Read)?;
    if let Some(f) = key_file.filter(|f| !f.trim().is_empty()) {
        let p = state.chosen(&f, Access::Read)?;
        let k = MaskKey::from_file_or_env(Some(&p))?;
        return Ok(status(Some(k.fingerprint().to_string()), Some("file")));
    }
    let k = from_keyring(Path::new(&source))?;
    Ok(status(k.as_ref().map(|k| k.fingerprint().to_string()), k.as_ref().map(|_| "keyring")))
}

/// Makes a new key for `source` (32 random bytes as hex) and keeps it in the keyring,
/// replacing the one there; refused where no keyring answers (use a key file there).
#[tauri::command]
pub fn make_mask_key(state: State<'_, AppState>, source: String) -> IpcResult<MaskKeyStatus> {
    state.chosen(&source, Access::Read)?;
    make_key(Path::new(&source))
}

pub(crate) fn make_key(source: &Path) -> IpcResult<MaskKeyStatus> {
    if let Err(raw) = keyring_ok() {
        return Err(IpcError { kind: ErrorKind::Keyring, message: format!("{} A mask key cannot be kept here: use a key file instead (e.g. made by `openssl rand -hex 32`).", crate::error::keyring_words(&raw)), detail: Some(raw) });
    }
    let mut bytes = [0u8; KEY_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| IpcError::new(ErrorKind::Other, format!("no random bytes for a key: {e}")))?;
    let text: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let key = MaskKey::new(text.as_bytes(), "a new key")?;
    entry(source)?.set_secret(text.as_bytes()).map_err(super::connections::keyring_error)?;
    Ok(status(Some(key.fingerprint().to_string()), Some("keyring")))
}

/// Imports the key file `path` (the CLI's `--mask-key-file`: its content less a final line
/// break, at least 16 bytes) as `source`'s key in the keyring. Where no keyring answers, the
/// file is only checked: the page keeps its path and passes it with each run.
#[tauri::command]
pub fn use_mask_key_file(state: State<'_, AppState>, source: String, path: String) -> IpcResult<MaskKeyStatus> {
    state.chosen(&source, Access::Read)?;
    let p = state.chosen(&path, Access::Read)?;
    import_key_file(Path::new(&source), &p)
}

pub(crate) fn import_key_file(source: &Path, file: &Path) -> IpcResult<MaskKeyStatus> {
    let key = MaskKey::from_file_or_env(Some(file))?;
    if keyring_ok().is_err() {
        return Ok(status(Some(key.fingerprint().to_string()), Some("file")));
    }
    let bytes = std::fs::read(file)?;
    let trimmed = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
    entry(source)?.set_secret(trimmed).map_err(super::connections::keyring_error)?;
    Ok(status(Some(key.fingerprint().to_string()), Some("keyring")))
}

/// Forgets `source`'s key in the keyring (a masked copy made with it can then not be made
/// again alike, unless the key was also kept elsewhere).
#[tauri::command]
pub fn forget_mask_key(state: State<'_, AppState>, source: String) -> IpcResult<MaskKeyStatus> {
    state.chosen(&source, Access::Read)?;
    forget_key(Path::new(&source))
}

pub(crate) fn forget_key(source: &Path) -> IpcResult<MaskKeyStatus> {
    if keyring_ok().is_ok() {
        match entry(source)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => {}
            Err(e) => return Err(super::connections::keyring_error(e)),
        }
    }
    Ok(status(None, None))
}

/// The key in a real Secret Service (GNOME Keyring in its own D-Bus session, a throw-away
/// home), as `connections`' test does: made, found again for the run, replaced by an imported
/// key file, forgotten; never in a file.
#[cfg(test)]
mod keyring_tests {
    use super::*;

    fn round_trip_with_a_keyring() {
        assert!(keyring_ok().is_ok(), "the Secret Service should answer: {:?}", keyring_ok());
        let dir = std::env::temp_dir().join(format!("ferry-maskkey-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let source = dir.join("shop.sqlite");
        assert!(matches!(key_for(&source, None), Err(IpcError { kind: ErrorKind::MaskKey, .. })), "no key yet");

        let made = make_key(&source).expect("a key is made");
        assert_eq!(made.kept_in.as_deref(), Some("keyring"));
        let fp = made.fingerprint.clone().expect("its fingerprint");
        assert_eq!(key_for(&source, None).unwrap().fingerprint(), fp, "the run finds the same key");
        let secret = keyring::Entry::new(super::super::connections::SERVICE, &entry_user(&source)).unwrap().get_secret().unwrap();
        assert_eq!(secret.len(), 2 * KEY_BYTES, "32 random bytes as hex");
        assert!(secret.iter().all(|b| b.is_ascii_hexdigit()));
        let again = make_key(&dir.join("other.sqlite")).unwrap();
        assert_ne!(again.fingerprint, made.fingerprint, "each file its own key");

        // A team's key file replaces it; the file's key, byte for byte, as the CLI reads it.
        let file = dir.join("team.key");
        std::fs::write(&file, "team-key-of-at-least-16-bytes\r\n").unwrap();
        let imported = import_key_file(&source, &file).unwrap();
        let cli = MaskKey::from_file_or_env(Some(&file)).unwrap();
        assert_eq!(imported.fingerprint.as_deref(), Some(cli.fingerprint()));
        assert_eq!(key_for(&source, None).unwrap().fingerprint(), cli.fingerprint());
        // Nothing of it in any file but the user's own.
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.path() != file {
                assert!(!std::fs::read(e.path()).unwrap_or_default().windows(8).any(|w| w == b"team-key"), "{}", e.path().display());
            }
        }
        for s in [&source, &dir.join("other.sqlite")] {
            assert_eq!(forget_key(s).unwrap().fingerprint, None);
        }
        assert!(matches!(key_for(&source, None), Err(IpcError { kind: ErrorKind::MaskKey, .. })), "forgotten");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn mask_keys_live_in_the_system_keyring() {
        if std::env::var_os("FERRY_IN_KEYRING_SESSION").is_some() {
            return round_trip_with_a_keyring();
        }
        let home = std::env::temp_dir().join(format!("ferry-maskkey-home-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        crate::commands::connections::tests::run_in_keyring_session("commands::masks::keyring_tests::mask_keys_live_in_the_system_keyring", &home);
    }
}

/// A masked copy through Tauri's real IPC (mock runtime), against the real PostgreSQL: masks
/// proposed on the demo, a rule checked, the run refused without a key, then made with a key
/// file (the fallback where no keyring answers, as under test), validated through the masks.
#[cfg(test)]
mod tests {
    use super::super::safety::tests::{app, call, temp_dir, Db};
    use crate::state::AppState;
    use serde_json::{json, Value};
    use tauri::Manager;

    /// Every file under `dir`, as text (lossy).
    fn all_text(dir: &std::path::Path) -> Vec<(std::path::PathBuf, String)> {
        let mut out = vec![];
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(all_text(&p));
            } else if p.extension().is_none_or(|x| x != "sqlite") {
                out.push((p.clone(), String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned()));
            }
        }
        out
    }

    fn mask_of<'a>(plan: &'a Value, table: &str, column: &str) -> &'a Value {
        let t = plan["tables"].as_array().unwrap().iter().find(|t| t["source"] == table).unwrap();
        t["columns"].as_array().unwrap().iter().find(|c| c["source"] == column).unwrap()
    }

    #[test]
    fn a_masked_copy_of_the_demo_through_ipc_with_a_key_file() {
        let db = Db::new("masked");
        let dir = temp_dir("masked");
        let data = dir.join("data");
        let source = dir.join("demo.sqlite");
        ferry_core::demo::build(&source, 300, true).expect("the demo builds");
        let (app_, w) = app(&data);
        app_.state::<AppState>().grants.grant_dropped(std::slice::from_ref(&dir));
        let (url, src) = (db.url.clone(), source.display().to_string());

        call(&w, "open_source", json!({ "path": src })).expect("the source opens");
        let proposed = call(&w, "propose_plan", json!({ "dialect": "postgres" })).unwrap();
        let plan = call(&w, "propose_masks", json!({ "plan": proposed })).expect("masks are proposed");
        assert_eq!(plan["safe_copy"], true);
        for (column, rule) in [("email", "email"), ("full_name", "name"), ("phone", "phone")] {
            let c = mask_of(&plan, "customers", column);
            assert_eq!(c["mask"], rule, "customers.{column}: {c}");
            assert!(c["mask_why"].as_str().is_some_and(|w| !w.is_empty()), "customers.{column} has its evidence: {c}");
        }
        assert!(mask_of(&plan, "customers", "id")["mask"] != json!("hash"), "a key is masked only when asked");
        assert_eq!(call(&w, "mask_problems", json!({ "plan": plan })).unwrap(), json!([]), "the proposal is a plan the engine takes");
        // A type changed under a mask, and a bare text column in the safe copy: both said.
        let mut changed = plan.clone();
        for c in changed["tables"].as_array_mut().unwrap().iter_mut().filter(|t| t["source"] == "customers").flat_map(|t| t["columns"].as_array_mut().unwrap().iter_mut()) {
            match c["source"].as_str().unwrap() {
                "email" => c["type"] = json!("bigint"),
                "notes" => c["mask"] = Value::Null,
                _ => {}
            }
        }
        let p = call(&w, "mask_problems", json!({ "plan": changed })).unwrap();
        let p: Vec<&str> = p.as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        assert!(p.iter().any(|x| x.starts_with("column customers.email: mask \"email\" needs a text column")), "{p:?}");
        assert!(p.iter().any(|x| x.contains("customers.notes") && x.contains("no mask")), "{p:?}");

        // A rule the user picks: the engine's spelling, or its refusal.
        let check = |column: &str, ty: &str, rule: &str| call(&w, "check_mask", json!({ "dialect": "postgres", "table": "customers", "column": column, "typeSql": ty, "rule": rule }));
        assert_eq!(check("email", "text", "keep_last:4").unwrap(), "keep_last:4");
        assert_eq!(check("email", "text", "keep_last: 4").unwrap(), "keep_last:4");
        let refused = [("email", "text", "emial", "is not a mask"), ("email", "text", "noise:5", "needs a number column"), ("email", "text", "keep_last:0", "from 1 to 1000"), ("email", "text", "null", "NOT NULL"), ("id", "uuid", "null", "NOT NULL")];
        for (column, ty, rule, want) in refused {
            let e = check(column, ty, rule).expect_err(rule);
            assert_eq!(e["kind"], "invalid", "{rule}: {e}");
            assert!(e["message"].as_str().unwrap().contains(want), "{rule}: {e}");
        }

        // No key: refused before anything starts, with its own kind, the target untouched.
        let opts = |file: Option<&std::path::Path>| json!({ "jobs": 1, "strict": false, "pg_schema": null, "backup_source": false, "mask_key_file": file.map(|f| f.display().to_string()) });
        let keyring = keyring::Entry::store_status().is_ok();
        if !keyring {
            let e = call(&w, "start_run", json!({ "source": src, "url": url, "plan": plan, "options": opts(None), "onEvent": "__CHANNEL__:1" })).unwrap_err();
            assert_eq!(e["kind"], "mask_key", "{e}");
            assert!(e["message"].as_str().unwrap().contains("Use a key file"), "{e}");
            assert!(db.query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'").is_empty());
            let e = call(&w, "make_mask_key", json!({ "source": src })).unwrap_err();
            assert_eq!(e["kind"], "keyring", "no keyring, no key made: {e}");
        }
        // A key file too short is refused with the engine's words.
        let short = dir.join("short.key");
        std::fs::write(&short, "too-short\n").unwrap();
        let e = call(&w, "use_mask_key_file", json!({ "source": src, "path": short.display().to_string() })).unwrap_err();
        assert!(e["kind"] == "mask_key" && e["message"].as_str().unwrap().contains("at least 16 bytes"), "{e}");

        // The team's key file: its fingerprint only crosses.
        let secret = "5f1c0e7d9a2b4c6e8f1a3b5c7d9e0f2a";
        let key_file = dir.join("staging.key");
        std::fs::write(&key_file, format!("{secret}\n")).unwrap();
        let fp = ferry_core::mask::MaskKey::new(secret.as_bytes(), "t").unwrap().fingerprint().to_string();
        let st = call(&w, "use_mask_key_file", json!({ "source": src, "path": key_file.display().to_string() })).expect("the key file is taken");
        assert_eq!(st["fingerprint"], fp.as_str(), "{st}");
        assert!(!st.to_string().contains(secret));
        let st = call(&w, "mask_key_status", json!({ "source": src, "keyFile": key_file.display().to_string() })).unwrap();
        assert_eq!(st["fingerprint"], fp.as_str());

        let outcome = call(&w, "start_run", json!({ "source": src, "url": url, "plan": plan, "options": opts(Some(&key_file)), "onEvent": "__CHANNEL__:2" })).expect("the masked run succeeds");
        let report = &outcome["report"];
        assert_eq!(report["completed"], true, "{report}");
        assert_eq!(report["mask_key_fingerprint"], fp.as_str());
        let masked: Vec<&str> = report["tables"]["customers"]["masked"].as_array().unwrap().iter().map(|m| m["column"].as_str().unwrap()).collect();
        assert!(masked.contains(&"email") && masked.contains(&"full_name"), "{masked:?}");

        // In the target: every email another, still an email; no source email or name arrived.
        let c = rusqlite::Connection::open(&source).unwrap();
        let column = |sql: &str| -> Vec<String> { c.prepare(sql).unwrap().query_map([], |r| r.get::<_, String>(0)).unwrap().map(|r| r.unwrap()).collect() };
        let (emails, names) = (column("SELECT email FROM customers"), column("SELECT full_name FROM customers WHERE full_name IS NOT NULL"));
        assert!(!emails.is_empty() && !names.is_empty());
        // Row by row (by key): each email another, still an email.
        let pairs = |rows: Vec<String>| rows.into_iter().map(|r| r.split_once(' ').map(|(k, v)| (k.to_lowercase(), v.to_string())).unwrap()).collect::<std::collections::BTreeMap<_, _>>();
        let before = pairs(column("SELECT id || ' ' || email FROM customers"));
        let after = pairs(db.query("SELECT id::text || ' ' || email FROM customers"));
        assert_eq!(after.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>(), "the same customers");
        assert!(after.iter().all(|(k, m)| m != &before[k] && m.contains('@')), "{:?} vs {:?}", after.iter().next(), before.iter().next());
        let everything = db.query("SELECT string_agg(c::text, ' ') FROM customers c").concat();
        let leaked: Vec<&String> = emails.iter().chain(&names).filter(|v| everything.contains(v.as_str())).collect();
        assert!(leaked.is_empty(), "clear values in the target: {leaked:?}");
        // Joins still line up.
        assert_eq!(db.query("SELECT count(*)::text FROM orders o JOIN customers c ON c.id = o.customer_id"), [c.query_row("SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id", [], |r| r.get::<_, i64>(0)).unwrap().to_string()]);

        // Validated through the same masks: clean.
        let id = outcome["id"].as_str().unwrap();
        let v = call(&w, "validate_run", json!({ "id": id, "url": url, "pgSchema": null, "maskKeyFile": key_file.display().to_string() })).expect("validation runs");
        assert_eq!(v["clean"], true, "{v}");

        // Nothing the app wrote holds the key or a clear value (report, plan, audit log, …).
        let audit = call(&w, "list_audit", json!({})).unwrap();
        let migrate = audit.as_array().unwrap().iter().find(|e| e["action"] == "migrate").unwrap();
        assert_eq!((&migrate["options"]["masked_copy"], &migrate["options"]["mask_key_fingerprint"]), (&json!(true), &json!(fp)));
        let files = all_text(&data);
        assert!(files.iter().any(|(p, _)| p.ends_with("report.json")), "{:?}", files.iter().map(|f| &f.0).collect::<Vec<_>>());
        for (p, text) in &files {
            assert!(!text.contains(secret), "the key is in {}", p.display());
            let clear: Vec<&String> = emails.iter().chain(&names).filter(|v| text.contains(v.as_str())).collect();
            assert!(clear.is_empty(), "clear values in {}: {:?}", p.display(), &clear[..clear.len().min(3)]);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
