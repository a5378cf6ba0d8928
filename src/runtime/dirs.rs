//! The run's private directories and forklore's per-user cache.

use std::path::PathBuf;

/// A temp directory only our uid can enter (0700), removed when dropped:
/// the shim, the socket and lesson scripts live in such directories. In
/// memory (`/dev/shm`) where there is one: a run writes and removes a
/// dozen files, and a disk's journal makes that cost milliseconds.
///
/// Its name carries this process's pid (`forklore-run-4100-…`), so the
/// folders of a forklore that died before it could remove them are found
/// and removed by the next one (see [`sweep_stale`]).
pub fn private_dir(kind: &str) -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(sweep_stale);
    let prefix = format!("{PREFIX}{kind}-{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(&prefix)
        .permissions(std::fs::Permissions::from_mode(0o700));
    builder
        .tempdir_in(MEMORY_DIR)
        .or_else(|_| builder.tempdir())
}

const PREFIX: &str = "forklore-";

/// Remove the private folders of forklore processes that are gone (their
/// pid is in the name). Only ours: the folders are 0700.
pub fn sweep_stale() {
    let me = nix::unistd::getuid().as_raw();
    for base in [PathBuf::from(MEMORY_DIR), std::env::temp_dir()] {
        let Ok(entries) = std::fs::read_dir(&base) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(pid) = owner_pid(&name.to_string_lossy()) else {
                continue;
            };
            use std::os::unix::fs::MetadataExt;
            let mine = entry.metadata().is_ok_and(|m| m.uid() == me && m.is_dir());
            if mine && super::procfs::stat(pid).is_none() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// The pid in a private folder's name: `forklore-KIND-PID-RANDOM`.
fn owner_pid(name: &str) -> Option<i32> {
    let rest = name.strip_prefix(PREFIX)?;
    let mut parts = rest.split('-');
    let (_kind, pid) = (parts.next()?, parts.next()?);
    parts.next()?;
    pid.parse().ok().filter(|p| *p > 0)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn folders_are_named_by_their_owner() {
        assert_eq!(owner_pid("forklore-run-4100-AbC123"), Some(4100));
        assert_eq!(owner_pid("forklore-lessons-77-x"), Some(77));
        assert_eq!(owner_pid("forklore-run-4100"), None);
        assert_eq!(owner_pid("forklore-e2e-main-4100"), None);
        assert_eq!(owner_pid("other-run-4100-x"), None);
    }

    #[test]
    fn a_dead_owners_folder_is_swept_a_live_ones_kept() {
        let dead = std::fs::create_dir_all(Path::new(MEMORY_DIR).join("forklore-run-999999999-t"));
        let live = private_dir("run").unwrap();
        if dead.is_ok() {
            sweep_stale();
            assert!(!Path::new(MEMORY_DIR)
                .join("forklore-run-999999999-t")
                .exists());
        }
        assert!(live.path().exists());
    }
}
