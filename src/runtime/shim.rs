//! The Python shim, embedded in the binary and written out for each run
//! into the run's private directory.
//!
//! Compiling the shim costs the main interpreter ~7 ms per run. The files
//! are written with a fixed modification time, so the bytecode Python
//! compiled in one run is valid in the next: it is kept in a per-user cache
//! (named by a hash of the shim, so a new shim never meets an old .pyc) and
//! copied into each run's directory.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

const SITECUSTOMIZE: &str = include_str!("../../assets/python/sitecustomize.py");
const SHIM: &str = include_str!("../../assets/python/forklore_shim.py");

/// The modification time every shim file gets (what a .pyc records).
const FIXED_MTIME: Duration = Duration::from_secs(1_700_000_000);

/// Write the shim into `dir/shim` and return that directory (to be put
/// first on PYTHONPATH).
pub fn install(dir: &Path) -> io::Result<PathBuf> {
    let shim_dir = dir.join("shim");
    fs::create_dir(&shim_dir)?;
    write_fixed(&shim_dir.join("sitecustomize.py"), SITECUSTOMIZE)?;
    write_fixed(&shim_dir.join("forklore_shim.py"), SHIM)?;
    if let Some(cache) = cache_dir() {
        copy_pycs(&cache, &shim_dir.join("__pycache__"));
    }
    Ok(shim_dir)
}

/// Keep what Python compiled in this run for the next ones (best effort:
/// a missing cache only costs time).
pub fn save_compiled(shim_dir: &Path) {
    if let Some(cache) = cache_dir() {
        copy_pycs(&shim_dir.join("__pycache__"), &cache);
    }
}

fn write_fixed(path: &Path, text: &str) -> io::Result<()> {
    fs::write(path, text)?;
    fs::File::options()
        .write(true)
        .open(path)?
        .set_modified(SystemTime::UNIX_EPOCH + FIXED_MTIME)
}

/// `$XDG_CACHE_HOME/forklore/shim-HASH` (or `~/.cache/...`), created 0700.
fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let dir = base
        .join("forklore")
        .join(format!("shim-{:016x}", fnv1a(&[SITECUSTOMIZE, SHIM])));
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    Some(dir)
}

/// Copy every `.pyc` of `from` that `to` lacks or holds differently (a
/// damaged one is replaced); each lands whole (written aside, then
/// renamed), so concurrent runs never read half a file.
fn copy_pycs(from: &Path, to: &Path) {
    let Ok(entries) = fs::read_dir(from) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().ends_with(".pyc")
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
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in parts.iter().flat_map(|p| p.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
