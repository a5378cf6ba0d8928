//! The run's private directories and forklore's per-user cache.

use std::path::PathBuf;

/// A temp directory only our uid can enter (0700), removed when dropped:
/// the shim, the socket and lesson scripts live in such directories. In
/// memory (`/dev/shm`) where there is one: a run writes and removes a
/// dozen files, and a disk's journal makes that cost milliseconds.
pub fn private_dir(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(prefix)
        .permissions(std::fs::Permissions::from_mode(0o700));
    builder
        .tempdir_in(MEMORY_DIR)
        .or_else(|_| builder.tempdir())
}

/// Memory-backed and writable by everyone on Linux.
const MEMORY_DIR: &str = "/dev/shm";

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
