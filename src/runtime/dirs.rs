//! The run's private directories and forklore's per-user cache.

use std::path::PathBuf;

/// A temp directory only our uid can enter (0700), removed when dropped:
/// the shim, the socket and lesson scripts live in such directories.
pub fn private_dir(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(prefix)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
}

/// forklore's per-user cache, `$XDG_CACHE_HOME/forklore` (or
/// `~/.cache/forklore`), created 0700. Only time-savers live there:
/// deleting it is always safe.
pub fn cache_root() -> Option<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let dir = base.join("forklore");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    Some(dir)
}
