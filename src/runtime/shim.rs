//! The Python shim, embedded in the binary and written out for each run.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

const SITECUSTOMIZE: &str = include_str!("../../assets/python/sitecustomize.py");
const SHIM: &str = include_str!("../../assets/python/forklore_shim.py");

/// Write the shim into `dir/shim` and return that directory (to be put
/// first on PYTHONPATH).
pub fn install(dir: &Path) -> io::Result<PathBuf> {
    let shim_dir = dir.join("shim");
    fs::create_dir(&shim_dir)?;
    fs::write(shim_dir.join("sitecustomize.py"), SITECUSTOMIZE)?;
    fs::write(shim_dir.join("forklore_shim.py"), SHIM)?;
    Ok(shim_dir)
}
