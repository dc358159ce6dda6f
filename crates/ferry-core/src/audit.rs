//! The audit log: one JSON object a line, appended for every run, backup, restore and
//! rollback, so a person can tell later what was done to which database, with which options,
//! and how it ended.
//!
//! The file is `$FERRY_AUDIT_LOG` when set, else `ferry/audit.jsonl` in the platform's data
//! folder. Targets are written without their passwords; a source is named with its SHA-256.

use crate::error::{FerryError, Result};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One action, as the log keeps it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    /// When the action started (RFC 3339, UTC).
    pub at: String,
    /// `migrate`, `backup`, `restore`, `rollback`, …
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_sha256: Option<String>,
    /// The target without its password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The options the action ran with, by name.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(type = "Record<string, unknown>"))]
    pub options: serde_json::Map<String, serde_json::Value>,
    /// `ok`, `failed` or `cancelled`; `started` for an action that wrote its start and
    /// never its end (`read` says "did not finish — killed or crashed?").
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub seconds: f64,
    /// Pairs the line written when an action started (`Recorder::announce`) with its end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(skip))]
    pub id: Option<String>,
}

/// Where the log lives: `$FERRY_AUDIT_LOG`, else the platform's data folder
/// (`$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application Support` on macOS,
/// `%APPDATA%` on Windows) plus `ferry/audit.jsonl`.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("FERRY_AUDIT_LOG").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    data_dir().join("ferry").join("audit.jsonl")
}

fn data_dir() -> PathBuf {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    if cfg!(windows) {
        if let Some(p) = env("APPDATA") {
            return p;
        }
    } else if cfg!(target_os = "macos") {
        if let Some(h) = env("HOME") {
            return h.join("Library/Application Support");
        }
    } else if let Some(p) = env("XDG_DATA_HOME") {
        return p;
    } else if let Some(h) = env("HOME") {
        return h.join(".local/share");
    }
    std::env::temp_dir()
}

/// Appends one entry (the folder is made when missing). One `write` per line, so entries
/// from runs at the same time do not interleave.
pub fn append(path: &Path, entry: &AuditEntry) -> Result<()> {
    let fail = |e: std::io::Error| FerryError::Io(format!("cannot write the audit log {}: {e}. Choose another file with --audit-log or FERRY_AUDIT_LOG", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut line = serde_json::to_string(entry).expect("audit entry serializes");
    line.push('\n');
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(fail)?;
    f.write_all(line.as_bytes()).map_err(fail)
}

/// The outcome of an entry written when an action starts (`Recorder::announce`).
pub const STARTED: &str = "started";

/// What `read` says of an action that wrote its start and never its end.
pub const UNFINISHED: &str = "did not finish — killed or crashed?";

/// Every entry of the log, oldest first; a missing file is an empty log. A line that is not
/// an entry (a hand edit, a cut-off write) is an error naming the line. An action that wrote
/// its start (`Recorder::announce`) is one entry: its end where it has one, else the start
/// with the message `UNFINISHED`.
pub fn read(path: &Path) -> Result<Vec<AuditEntry>> {
    Ok(pair_starts(read_lines(path)?))
}

/// Each start line replaced by its end (same action, start time, source and target), in the
/// place of the start; a start with no end says so.
fn pair_starts(lines: Vec<AuditEntry>) -> Vec<AuditEntry> {
    let key = |e: &AuditEntry| (e.id.clone(), e.action.clone(), e.at.clone());
    let mut ends: std::collections::HashMap<_, AuditEntry> = Default::default();
    for e in lines.iter().filter(|e| e.outcome != STARTED) {
        ends.insert(key(e), e.clone());
    }
    let started: std::collections::HashSet<_> = lines.iter().filter(|e| e.outcome == STARTED).map(key).collect();
    let mut out = vec![];
    for e in lines {
        let k = key(&e);
        if e.id.is_none() {
            out.push(e);
        } else if e.outcome != STARTED {
            if !started.contains(&k) {
                out.push(e);
            }
        } else if let Some(end) = ends.remove(&k) {
            out.push(end);
        } else {
            out.push(AuditEntry { message: Some(UNFINISHED.into()), ..e });
        }
    }
    out
}

fn read_lines(path: &Path) -> Result<Vec<AuditEntry>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(FerryError::Io(format!("cannot read the audit log {}: {e}", path.display()))),
    };
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| FerryError::Io(format!("the audit log {} line {}: not an entry ({e})", path.display(), i + 1))))
        .collect()
}

/// The columns `to_csv` writes, in order.
pub const CSV_COLUMNS: [&str; 9] = ["at", "action", "outcome", "message", "source", "source_sha256", "target", "options", "seconds"];

/// The entries as CSV (RFC 4180: a header line; fields with a comma, quote, CR or LF are
/// quoted, quotes doubled; lines end in CRLF). Options are one JSON object in one field.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let mut out = String::new();
    csv_line(&mut out, CSV_COLUMNS.iter().map(|s| s.to_string()));
    for e in entries {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        csv_line(
            &mut out,
            [
                e.at.clone(),
                e.action.clone(),
                e.outcome.clone(),
                opt(&e.message),
                opt(&e.source),
                opt(&e.source_sha256),
                opt(&e.target),
                if e.options.is_empty() { String::new() } else { serde_json::Value::Object(e.options.clone()).to_string() },
                format!("{:.3}", e.seconds),
            ],
        );
    }
    out
}

fn csv_line(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&csv_field(&f));
    }
    out.push_str("\r\n");
}

/// One CSV field, quoted when it must be.
///
/// A field a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or
/// a CR: a message or a file name can) is written with a leading `'`, which spreadsheets
/// read as "this is text" and do not show.
pub fn csv_field(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        return csv_field(&format!("'{s}"));
    }
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Times an action and writes its entry when it ends, whatever the outcome.
pub struct Recorder {
    path: PathBuf,
    started: std::time::Instant,
    /// The entry written at the end; fill in `source`, `target` and `options` as they are known.
    pub entry: AuditEntry,
    /// The source's SHA-256, computed beside the action (not before it: a big file's hash
    /// would delay every migration); joined into the entry when it is written.
    source_hash: Option<std::thread::JoinHandle<Option<String>>>,
}

impl Recorder {
    /// Starts timing `action`, to be written to `path`.
    pub fn start(path: PathBuf, action: &str) -> Recorder {
        let entry = AuditEntry { at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true), action: action.into(), ..Default::default() };
        Recorder { path, started: std::time::Instant::now(), entry, source_hash: None }
    }

    /// Names the source file; its SHA-256 (left out when the file cannot be read) is computed
    /// on a thread of its own while the action runs.
    pub fn source(&mut self, path: &Path) {
        self.entry.source = Some(path.display().to_string());
        let path = path.to_path_buf();
        self.source_hash = Some(std::thread::spawn(move || {
            // Beside a migration it should take only what the work leaves idle; the entry
            // waits for it at the end.
            crate::lowest_priority();
            crate::backup::sha256_file(&path).ok()
        }));
    }

    /// Names the source file of an action that hashes it itself (validation records the
    /// source's SHA-256 in its report): the hash comes from there (`source_sha256`), not from
    /// reading the file a second time. Without it the entry hashes the file at the end.
    pub fn source_hashed_by_action(&mut self, path: &Path) {
        self.entry.source = Some(path.display().to_string());
    }

    /// The source's SHA-256 as the action computed it.
    pub fn source_sha256(&mut self, sha: String) {
        self.entry.source_sha256 = Some(sha);
    }

    /// Names the target; any password in `url` is hidden.
    pub fn target(&mut self, url: &str) {
        self.entry.target = Some(crate::dialect::redact(url));
    }

    /// Adds one option (skipped when it is null, false or empty).
    pub fn option(&mut self, name: &str, value: impl Into<serde_json::Value>) {
        let v = value.into();
        let empty = matches!(&v, serde_json::Value::Null | serde_json::Value::Bool(false)) || v.as_str() == Some("");
        if !empty {
            self.entry.options.insert(name.into(), v);
        }
    }

    /// Writes the entry as started (outcome `started`, no hash yet): an action killed before
    /// it ends still shows in the log. Its end (`finish`) is paired with it by `read`.
    pub fn announce(&mut self) -> Result<()> {
        static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.entry.id = Some(format!("{}-{}-{n}", self.entry.at, std::process::id()));
        append(&self.path, &AuditEntry { outcome: STARTED.into(), ..self.entry.clone() })
    }

    /// Writes the entry as `cancelled` (stopped by the user), with the message. A cancel
    /// does not wait for the source's SHA-256: the entry has it only when it is already in
    /// (on a 300,000-row demo the wait held Ctrl-C up by five seconds in a debug build, and it
    /// grows with the file).
    pub fn cancelled(mut self, message: String) -> Result<AuditEntry> {
        if let Some(h) = self.source_hash.take() {
            if h.is_finished() {
                self.entry.source_sha256 = h.join().ok().flatten();
            }
        }
        self.end_now("cancelled", Some(message))
    }

    /// Writes the entry with its outcome: `Ok(note)` is `ok` (with an optional note), `Err` is
    /// `failed` with the message.
    pub fn finish(self, outcome: std::result::Result<Option<String>, String>) -> Result<AuditEntry> {
        match outcome {
            Ok(note) => self.end("ok", note),
            Err(m) => self.end("failed", Some(m)),
        }
    }

    fn end(mut self, outcome: &str, message: Option<String>) -> Result<AuditEntry> {
        if let Some(h) = self.source_hash.take() {
            self.entry.source_sha256 = h.join().ok().flatten();
        } else if let (None, Some(src)) = (&self.entry.source_sha256, &self.entry.source) {
            // The action ended before it hashed the file.
            self.entry.source_sha256 = crate::backup::sha256_file(Path::new(src)).ok();
        }
        self.end_now(outcome, message)
    }

    /// Writes the entry as it is, hashed or not.
    fn end_now(mut self, outcome: &str, message: Option<String>) -> Result<AuditEntry> {
        self.entry.seconds = (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
        self.entry.outcome = outcome.into();
        self.entry.message = message;
        append(&self.path, &self.entry)?;
        Ok(self.entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small RFC 4180 reader, to check that what `to_csv` writes reads back.
    fn parse_csv(s: &str) -> Vec<Vec<String>> {
        let (mut rows, mut row, mut field) = (vec![], vec![], String::new());
        let mut chars = s.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut field)),
                (false, '\r') => {}
                (false, '\n') => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => field.push(c),
            }
        }
        rows
    }

    #[test]
    fn csv_fields_are_quoted_when_they_must_be() {
        let cases = [
            ("plain", "plain"),
            ("", ""),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\r\nlf", "\"cr\r\nlf\""),
            (" padded", "\" padded\""),
            ("{\"a\":1,\"b\":\"x\"}", "\"{\"\"a\"\":1,\"\"b\"\":\"\"x\"\"}\""),
            ("é, ü", "\"é, ü\""),
            // Formulas stay text.
            ("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
            ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("a=b", "a=b"),
        ];
        for (input, want) in cases {
            assert_eq!(csv_field(input), want, "{input:?}");
        }
    }

    #[test]
    fn csv_reads_back_field_for_field() {
        let nasty = ["a,b", "q\"uote", "multi\nline\r\nend", "", "plain", "\"", ",,,", " lead"];
        let entries: Vec<AuditEntry> = nasty
            .iter()
            .map(|s| {
                let mut options = serde_json::Map::new();
                options.insert("schema".into(), (*s).into());
                AuditEntry { at: "2025-01-01T00:00:00.000Z".into(), action: "migrate".into(), message: Some(s.to_string()), target: Some(format!("postgres://h/{s}")), options, outcome: "failed".into(), seconds: 1.5, ..Default::default() }
            })
            .collect();
        let rows = parse_csv(&to_csv(&entries));
        assert_eq!(rows.len(), entries.len() + 1);
        assert_eq!(rows[0], CSV_COLUMNS.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        for (row, (e, s)) in rows[1..].iter().zip(entries.iter().zip(nasty)) {
            assert_eq!(row.len(), CSV_COLUMNS.len(), "{s:?}");
            assert_eq!(row[3], s);
            assert_eq!(row[6], format!("postgres://h/{s}"));
            let opts: serde_json::Value = serde_json::from_str(&row[7]).unwrap();
            assert_eq!(opts["schema"], s);
            assert_eq!(row[2], e.outcome);
            assert_eq!(row[8], "1.500");
        }
    }

    #[test]
    fn entries_append_and_read_back_and_hide_passwords() {
        let dir = std::env::temp_dir().join(format!("ferry-audit-test-{}", std::process::id()));
        let path = dir.join("sub/audit.jsonl");
        let _ = std::fs::remove_dir_all(&dir);
        assert!(read(&path).unwrap().is_empty(), "a missing log is empty");
        let mut r = Recorder::start(path.clone(), "restore");
        r.target("postgres://bob:s3cret@db/x");
        r.option("replace", true);
        r.option("schema", serde_json::Value::Null);
        r.finish(Ok(None)).unwrap();
        let r = Recorder::start(path.clone(), "rollback");
        r.finish(Err("the target refused DROP TABLE t".into())).unwrap();
        let got = read(&path).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].action.as_str(), got[0].outcome.as_str()), ("restore", "ok"));
        assert!(!std::fs::read_to_string(&path).unwrap().contains("s3cret"));
        assert_eq!(got[0].options.keys().collect::<Vec<_>>(), vec!["replace"]);
        assert_eq!((got[1].outcome.as_str(), got[1].message.as_deref()), ("failed", Some("the target refused DROP TABLE t")));
        // Started and ended: one entry; started only: says it did not finish; cancelled.
        let mut a = Recorder::start(path.clone(), "migrate");
        a.announce().unwrap();
        let mut b = Recorder::start(path.clone(), "migrate");
        b.announce().unwrap();
        a.finish(Ok(None)).unwrap();
        let mut c = Recorder::start(path.clone(), "migrate");
        c.announce().unwrap();
        c.cancelled("interrupted".into()).unwrap();
        let got = read(&path).unwrap();
        let runs: Vec<(&str, Option<&str>)> = got[2..].iter().map(|e| (e.outcome.as_str(), e.message.as_deref())).collect();
        assert_eq!(runs, vec![("ok", None), (STARTED, Some(UNFINISHED)), ("cancelled", Some("interrupted"))]);
        std::fs::write(&path, "{not json\n").unwrap();
        assert!(read(&path).unwrap_err().to_string().contains("line 1"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
