//! The Python shim (`assets/python`: `sitecustomize.py` and the
//! `forklore_shim` package), embedded in the binary and written out for
//! each run into the run's private directory.
//!
//! Compiling the shim costs an interpreter several ms. The files are
//! written with a fixed modification time, so the bytecode Python compiled
//! in one run is valid in the next: it is kept in the per-user cache (named
//! by a hash of the shim, so a new shim never meets an old .pyc). Only the
//! package's `__init__` bytecode is copied into a run's directory (Python
//! imports it before the shim can help); the shim loads its other modules
//! straight from the cache (`FORKLORE_PYCACHE`). What a run compiled anew
//! is saved back when it ends.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use include_dir::{include_dir, Dir, DirEntry};

static SHIM: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/assets/python");

/// The modification time every shim file gets (what a .pyc records).
const FIXED_MTIME: Duration = Duration::from_secs(1_700_000_000);

/// Where a run's shim lives.
pub struct Installed {
    /// To be put first on PYTHONPATH.
    pub dir: PathBuf,
    /// The package's cached bytecode (`FORKLORE_PYCACHE`), if there is a cache.
    pub pycache: Option<PathBuf>,
}

/// The package whose modules the shim loads from the cache.
const PACKAGE: &str = "forklore_shim";

/// Write the shim into `dir/shim`.
pub fn install(dir: &Path) -> io::Result<Installed> {
    let shim_dir = dir.join("shim");
    fs::create_dir(&shim_dir)?;
    write_tree(&SHIM, &shim_dir)?;
    let cache = cache_dir();
    let pycache = cache.map(|c| c.join(PACKAGE).join("__pycache__"));
    if let Some(from) = &pycache {
        let to = shim_dir.join(PACKAGE).join("__pycache__");
        copy_pycs(from, &to, |name| name.starts_with("__init__."));
    }
    Ok(Installed {
        dir: shim_dir,
        pycache,
    })
}

/// Keep what Python compiled in this run for the next ones (best effort:
/// a missing cache only costs time).
pub fn save_compiled(shim_dir: &Path) {
    if let Some(cache) = cache_dir() {
        for folder in pycache_folders() {
            copy_pycs(&shim_dir.join(&folder), &cache.join(&folder), |_| true);
        }
    }
}

/// Every `.py` of the shim, written under `to` with the fixed mtime.
fn write_tree(dir: &Dir<'_>, to: &Path) -> io::Result<()> {
    for entry in dir.entries() {
        let path = to.join(entry.path());
        match entry {
            DirEntry::Dir(d) => {
                fs::create_dir_all(&path)?;
                write_tree(d, to)?;
            }
            DirEntry::File(f) if is_source(f.path()) => write_fixed(&path, f.contents())?,
            DirEntry::File(_) => {}
        }
    }
    Ok(())
}

fn is_source(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "py")
}

/// `__pycache__` of the shim's top folder and of each package in it,
/// relative to the shim's folder.
fn pycache_folders() -> Vec<PathBuf> {
    let mut folders = vec![PathBuf::from("__pycache__")];
    folders.extend(
        SHIM.dirs()
            .filter(|d| !d.path().ends_with("__pycache__"))
            .map(|d| d.path().join("__pycache__")),
    );
    folders
}

fn write_fixed(path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::write(path, bytes)?;
    fs::File::options()
        .write(true)
        .open(path)?
        .set_modified(SystemTime::UNIX_EPOCH + FIXED_MTIME)
}

/// `<cache root>/shim-HASH`, created 0700.
fn cache_dir() -> Option<PathBuf> {
    let dir = super::cache_root()?.join(format!("shim-{:016x}", shim_hash()));
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    Some(dir)
}

/// A stable name for this build's shim: every source's path and bytes.
fn shim_hash() -> u64 {
    let mut files = Vec::new();
    collect_sources(&SHIM, &mut files);
    files.sort_by_key(|(path, _)| *path);
    let mut hash = Fnv1a::new();
    for (path, bytes) in files {
        hash.feed(path.to_string_lossy().as_bytes());
        hash.feed(bytes);
    }
    hash.0
}

fn collect_sources<'a>(dir: &'a Dir<'a>, out: &mut Vec<(&'a Path, &'a [u8])>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => collect_sources(d, out),
            DirEntry::File(f) if is_source(f.path()) => out.push((f.path(), f.contents())),
            DirEntry::File(_) => {}
        }
    }
}

/// Copy every `.pyc` of `from` that `wanted` names and `to` lacks or holds
/// differently (a damaged one is replaced); each lands whole (written
/// aside, then renamed), so concurrent runs never read half a file.
fn copy_pycs(from: &Path, to: &Path, wanted: impl Fn(&str) -> bool) {
    let Ok(entries) = fs::read_dir(from) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if !text.ends_with(".pyc")
            || !wanted(&text)
            || same_file_contents(&entry.path(), &to.join(&name))
        {
            continue;
        }
        let _ = fs::create_dir_all(to);
        let aside = to.join(format!(
            ".{}.{}",
            name.to_string_lossy(),
            std::process::id()
        ));
        if fs::copy(entry.path(), &aside).is_ok() {
            let _ = fs::rename(&aside, to.join(&name));
        }
        let _ = fs::remove_file(&aside);
    }
}

fn same_file_contents(a: &Path, b: &Path) -> bool {
    matches!((fs::read(a), fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

/// FNV-1a: a stable name for this build's shim (no cryptography needed).
struct Fnv1a(u64);

impl Fnv1a {
    fn new() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }

    fn feed(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_package_is_written_with_a_fixed_mtime() {
        let dir = tempfile::tempdir().unwrap();
        let shim = install(dir.path()).unwrap();
        let shim = shim.dir;
        let init = shim.join("forklore_shim/__init__.py");
        let core = shim.join("forklore_shim/core.py");
        assert!(shim.join("sitecustomize.py").is_file());
        assert!(init.is_file() && core.is_file());
        let mtime = fs::metadata(&core).unwrap().modified().unwrap();
        assert_eq!(mtime, SystemTime::UNIX_EPOCH + FIXED_MTIME);
        assert!(pycache_folders().contains(&PathBuf::from("forklore_shim/__pycache__")));
    }
}
