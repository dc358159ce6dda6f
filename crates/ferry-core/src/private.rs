//! Files that hold a database's rows or its shape — backups, their records, rejected rows —
//! are readable by their owner only, from the moment they exist (mode 0600 on Unix), however
//! loose the umask.

use std::fs::File;
use std::io;
use std::path::Path;

/// Creates (or empties) `path` for writing, readable by its owner only.
pub fn create(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // A file that was there already keeps its mode through `open`: set it.
    restrict(path)?;
    Ok(file)
}

/// Writes `bytes` to `path`, readable by its owner only.
pub fn write(path: &Path, bytes: impl AsRef<[u8]>) -> io::Result<()> {
    use std::io::Write;
    create(path)?.write_all(bytes.as_ref())
}

/// Makes a file that exists readable by its owner only.
pub fn restrict(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn made_and_rewritten_files_are_the_owners_alone() {
        let dir = std::env::temp_dir().join(format!("ferry-private-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let fresh = dir.join("fresh");
        super::write(&fresh, "rows").unwrap();
        // A file someone left world-readable is narrowed when written again.
        let old = dir.join("old");
        std::fs::write(&old, "x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
        super::create(&old).unwrap();
        assert_eq!((mode(&fresh), mode(&old)), (0o600, 0o600));
        assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "rows");
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "", "emptied");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
