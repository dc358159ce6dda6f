//! Which files the web page may name to a command.
//!
//! The page is not trusted with the file system: a bug or injected script in it must not make
//! the app read or write any file it likes. So every command that takes a path (or a URL that
//! names a file, such as `sslrootcert=…`) checks it here, and only these are accepted:
//!
//! - a file the user chose in a native dialog of this session (`commands::pick`), dropped on
//!   the window, or named on the command line (`ferry-app FILE`, `--to URL`): a [`Grant::File`];
//! - anything inside a folder the user dropped on the window: a [`Grant::Folder`];
//! - for reading only, Ferry's own folders in its data folder: `demo/`, `runs/`, `backups/`.
//!
//! Paths are compared after `canonicalize` (so `..` and symbolic links are resolved first) and
//! component by component (so `/home/a/dir-evil` is not inside `/home/a/dir`). A path that
//! does not exist yet (a file about to be saved) is its folder's canonical path joined with its
//! name; a broken symbolic link is refused, since writing through it would land elsewhere.

use crate::error::{ErrorKind, IpcError, IpcResult};
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

/// Something the user chose, as its canonical path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    File(PathBuf),
    Folder(PathBuf),
}

/// What a command does with a path: Ferry's own folders may be read from, never written to by
/// a path the page names (their files are written by the commands that own them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// The canonical form of `path`: absolute, `..` and symbolic links resolved. A path that does
/// not exist is its folder's canonical form joined with its last name.
pub fn resolve(path: &Path) -> Result<PathBuf, String> {
    if !path.is_absolute() {
        return Err(format!("{} is not a full path", path.display()));
    }
    match std::fs::canonicalize(path) {
        Ok(p) => Ok(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(format!("{} is a symbolic link to nothing", path.display()));
            }
            let Some(Component::Normal(name)) = path.components().next_back() else {
                return Err(format!("{} names no file", path.display()));
            };
            let parent = path.parent().ok_or_else(|| format!("{} names no file", path.display()))?;
            let parent = std::fs::canonicalize(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
            Ok(parent.join(name))
        }
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// Whether the canonical path `resolved` may be used for `access`, given what the user chose
/// and Ferry's own folders (`own`, canonical). Pure: no file system.
pub fn allowed(resolved: &Path, grants: &[Grant], own: &[PathBuf], access: Access) -> bool {
    let granted = grants.iter().any(|g| match g {
        Grant::File(f) => resolved == f,
        Grant::Folder(d) => resolved.starts_with(d),
    });
    granted || (access == Access::Read && own.iter().any(|d| resolved.starts_with(d)))
}

/// The text of a path for the page, which only takes UTF-8.
pub fn to_page(path: &Path) -> IpcResult<String> {
    path.to_str().map(str::to_string).ok_or_else(|| {
        IpcError::new(ErrorKind::Invalid, format!("Ferry cannot use {}: its name is not UTF-8 text; rename the file or its folder", path.to_string_lossy()))
    })
}

/// The URL query parameters that name a file the client reads (sqlx's and libpq's spellings,
/// `_` or `-`, any case).
const URL_FILE_KEYS: &[&str] = &["sslrootcert", "ssl-root-cert", "sslca", "ssl-ca", "sslcert", "ssl-cert", "sslkey", "ssl-key", "sslcrl", "ssl-crl", "passfile"];

/// The files a connection URL names (`sslrootcert=…`, `ssl-ca=…`, client certificate and key),
/// decoded. A text that is not a URL names none (the engine refuses it on its own).
pub fn url_files(url: &str) -> Vec<String> {
    let Ok(u) = url::Url::parse(url) else { return vec![] };
    u.query_pairs().filter(|(k, _)| URL_FILE_KEYS.contains(&k.to_ascii_lowercase().replace('_', "-").as_str())).map(|(_, v)| v.into_owned()).collect()
}

/// What the user chose in this session, plus Ferry's own folders.
#[derive(Debug, Default)]
pub struct Grants {
    chosen: Mutex<Vec<Grant>>,
    /// Debug builds only: answers for the next dialogs, in order, instead of showing them
    /// (`$FERRY_TEST_PICKS`; tests cannot click in a native dialog).
    #[cfg(debug_assertions)]
    pub(crate) answers: Mutex<std::collections::VecDeque<PathBuf>>,
}

impl Grants {
    /// Records a file the user chose; returns its canonical path.
    pub fn grant_file(&self, path: &Path) -> IpcResult<PathBuf> {
        self.grant(path, Grant::File)
    }

    /// Records a folder the user chose: everything inside it may be used.
    pub fn grant_folder(&self, path: &Path) -> IpcResult<PathBuf> {
        self.grant(path, Grant::Folder)
    }

    fn grant(&self, path: &Path, make: fn(PathBuf) -> Grant) -> IpcResult<PathBuf> {
        let p = resolve(path).map_err(|e| IpcError::new(ErrorKind::Invalid, format!("cannot use {e}")))?;
        let g = make(p.clone());
        let mut chosen = self.chosen.lock().unwrap();
        if !chosen.contains(&g) {
            chosen.push(g);
        }
        Ok(p)
    }

    /// Records what was dropped on the window: files and folders.
    pub fn grant_dropped(&self, paths: &[PathBuf]) {
        for p in paths {
            let _ = if p.is_dir() { self.grant_folder(p) } else { self.grant_file(p) };
        }
    }

    /// Accepts `path` for `access` when the user chose it (or its folder), or, to read, when it
    /// is in one of Ferry's folders `own`; else a refusal saying what to do.
    pub fn check(&self, path: &str, access: Access, own: &[PathBuf]) -> IpcResult<PathBuf> {
        let refuse = |why: String| {
            let how = if access == Access::Write { "choose where to save it with Save as…" } else { "choose it with the Browse/Choose button, or drop it on the window" };
            IpcError::new(ErrorKind::NotChosen, format!("{why}: Ferry only uses files chosen in its dialogs in this session; {how}"))
        };
        let resolved = resolve(Path::new(path)).map_err(refuse)?;
        let own: Vec<PathBuf> = own.iter().filter_map(|d| std::fs::canonicalize(d).ok()).collect();
        if allowed(&resolved, &self.chosen.lock().unwrap(), &own, access) {
            Ok(resolved)
        } else {
            Err(refuse(format!("{path} was not chosen")))
        }
    }

    /// Checks every file a connection URL names, for reading.
    pub fn check_url(&self, url: &str) -> IpcResult<()> {
        for f in url_files(url) {
            self.check(&f, Access::Read, &[])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    /// A scratch tree: `dir/` (chosen) with `a.sqlite`, `link-out` → `secret.txt` outside it,
    /// `dangling` → nowhere, `sub/b.sqlite`; beside it `dir-evil/x.sqlite` and `secret.txt`;
    /// `own/runs/r1/report.json` as Ferry's folder.
    fn tree() -> PathBuf {
        let root = std::env::temp_dir().join(format!("ferry-paths-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["dir/sub", "dir-evil", "own/runs/r1"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in ["dir/a.sqlite", "dir/sub/b.sqlite", "dir-evil/x.sqlite", "secret.txt", "picked.toml", "own/runs/r1/report.json"] {
            std::fs::write(root.join(f), "x").unwrap();
        }
        std::os::unix::fs::symlink(root.join("secret.txt"), root.join("dir/link-out")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("dir/dangling")).unwrap();
        std::os::unix::fs::symlink(root.join("dir"), root.join("dir-link")).unwrap();
        root
    }

    #[test]
    fn only_chosen_files_and_ferrys_folders_pass() {
        let root = tree();
        let grants = Grants::default();
        grants.grant_folder(&root.join("dir")).unwrap();
        grants.grant_file(&root.join("picked.toml")).unwrap();
        grants.grant_file(&root.join("new-export.csv")).unwrap(); // a save dialog's answer: not there yet
        let own = [root.join("own/runs"), root.join("own/backups")]; // backups/ not made yet
        let r = |s: &str| root.join(s).display().to_string();
        let non_utf8 = std::ffi::OsStr::from_bytes(b"/tmp/caf\xe9.sqlite");
        let cases: Vec<(String, Access, Result<(), &str>)> = vec![
            (r("dir/a.sqlite"), Access::Read, Ok(())),
            (r("dir/sub/b.sqlite"), Access::Read, Ok(())),
            (r("dir/new.toml"), Access::Write, Ok(())),
            (r("picked.toml"), Access::Write, Ok(())),
            (r("new-export.csv"), Access::Write, Ok(())),
            (r("dir-link/a.sqlite"), Access::Read, Ok(())), // a link to the chosen folder: the same file
            (r("own/runs/r1/report.json"), Access::Read, Ok(())),
            (r("own/runs/r1/report.json"), Access::Write, Err("was not chosen")),
            (r("own/backups/x.json"), Access::Read, Err("No such file")), // the folder is not there
            (r("dir/../secret.txt"), Access::Read, Err("was not chosen")),
            (r("dir/sub/../../secret.txt"), Access::Read, Err("was not chosen")),
            (r("dir/link-out"), Access::Read, Err("was not chosen")),
            (r("dir/dangling"), Access::Write, Err("a symbolic link to nothing")),
            (r("dir-evil/x.sqlite"), Access::Read, Err("was not chosen")),
            (r("dir/.."), Access::Read, Err("was not chosen")),
            (r("secret.txt"), Access::Read, Err("was not chosen")),
            (r("other.csv"), Access::Write, Err("was not chosen")),
            ("dir/a.sqlite".into(), Access::Read, Err("is not a full path")),
            ("../../etc/passwd".into(), Access::Read, Err("is not a full path")),
            ("".into(), Access::Read, Err("is not a full path")),
            ("/etc/passwd".into(), Access::Read, Err("was not chosen")),
        ];
        for (path, access, want) in cases {
            let got = grants.check(&path, access, &own);
            match (want, got) {
                (Ok(()), Ok(_)) => {}
                (Err(text), Err(e)) => {
                    assert_eq!(e.kind, ErrorKind::NotChosen, "{path}");
                    assert!(e.message.contains(text) && e.message.contains("chosen in its dialogs"), "{path}: {}", e.message);
                }
                (want, got) => panic!("{path} {access:?}: want {want:?}, got {got:?}"),
            }
        }
        // A name that is not UTF-8 cannot reach the page (nor come back from it).
        let e = to_page(Path::new(non_utf8)).unwrap_err();
        assert!(e.message.contains("caf\u{fffd}.sqlite") && e.message.contains("not UTF-8"), "{}", e.message);
        assert_eq!(to_page(&root.join("dir/a.sqlite")).unwrap(), r("dir/a.sqlite"));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn the_rule_compares_whole_components() {
        let p = PathBuf::from;
        let grants = [Grant::Folder(p("/home/a/dir")), Grant::File(p("/home/a/plan.toml"))];
        let own = [p("/data/ferry/runs")];
        let cases = [
            ("/home/a/dir/x.sqlite", Access::Write, true),
            ("/home/a/dir", Access::Read, true),
            ("/home/a/dir-evil/x.sqlite", Access::Read, false),
            ("/home/a/dirx", Access::Read, false),
            ("/home/a/plan.toml", Access::Write, true),
            ("/home/a/plan.toml.bak", Access::Write, false),
            ("/home/a", Access::Read, false),
            ("/data/ferry/runs/1/report.json", Access::Read, true),
            ("/data/ferry/runs/1/report.json", Access::Write, false),
            ("/data/ferry/runs-old/report.json", Access::Read, false),
            ("/data/ferry/connections.json", Access::Read, false),
        ];
        for (path, access, want) in cases {
            assert_eq!(allowed(Path::new(path), &grants, &own, access), want, "{path} {access:?}");
        }
    }

    #[test]
    fn urls_name_their_certificate_files() {
        let cases: [(&str, &[&str]); 7] = [
            ("postgres://u@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem", &["/etc/ca.pem"]),
            ("mysql://u@h/db?ssl-mode=VERIFY_IDENTITY&ssl-ca=%2Fhome%2Fa%2Fca%20x.pem", &["/home/a/ca x.pem"]),
            ("postgres://u@h/db?SSLCERT=/c.pem&ssl_key=/k.pem", &["/c.pem", "/k.pem"]),
            ("postgres://u@h/db?ssl-root-cert=/r.pem&sslca=/m.pem", &["/r.pem", "/m.pem"]),
            ("postgres://u@h/db?sslmode=require&schema=sales", &[]),
            ("postgres://u@h/db", &[]),
            ("not a url sslrootcert=/x", &[]),
        ];
        for (url, want) in cases {
            assert_eq!(url_files(url), want, "{url}");
        }
    }
}
