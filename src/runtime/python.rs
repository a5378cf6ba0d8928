//! Finding the Python interpreter a run will use.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Oldest CPython the shim supports.
pub const MIN_VERSION: (u32, u32) = (3, 8);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Python {
    /// The real interpreter (pyenv's `python3` is a bash wrapper).
    pub executable: PathBuf,
    pub version: (u32, u32, u32),
}

impl Python {
    pub fn version_string(&self) -> String {
        let (a, b, c) = self.version;
        format!("{a}.{b}.{c}")
    }
}

/// Resolve `requested` (default `python3` on PATH) to the real executable,
/// once, and check it is a Python forklore can instrument. The error is one
/// line meant for the user.
pub fn resolve(requested: Option<&Path>) -> Result<Python, String> {
    let program = requested
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let shown = program.display();
    // -I -S: no site, no user paths; only the interpreter's identity matters.
    let output = Command::new(&program)
        .args([
            "-I",
            "-S",
            "-c",
            "import sys; print(sys.executable); print('%d.%d.%d' % tuple(sys.version_info[:3]))",
        ])
        .env_remove("PYTHONPATH")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound if requested.is_none() => {
                "python3 was not found on PATH: install Python 3.8 or newer, or pass --python PATH"
                    .to_string()
            }
            std::io::ErrorKind::NotFound => format!("Python interpreter '{shown}' was not found"),
            _ => format!("cannot run Python interpreter '{shown}': {e}"),
        })?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut lines = stdout.lines();
    let (exe, ver) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    let version = parse_version(ver)
        .filter(|_| output.status.success() && !exe.is_empty())
        .ok_or_else(|| {
            format!(
                "'{shown}' does not look like a Python interpreter (it did not report its version)"
            )
        })?;
    if (version.0, version.1) < MIN_VERSION {
        return Err(format!(
            "'{shown}' is Python {}.{}.{}; forklore needs Python {}.{} or newer",
            version.0, version.1, version.2, MIN_VERSION.0, MIN_VERSION.1
        ));
    }
    Ok(Python {
        executable: PathBuf::from(exe),
        version,
    })
}

fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.trim().split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(parse_version("3.11.7\n"), Some((3, 11, 7)));
        assert_eq!(parse_version("3.x"), None);
        assert_eq!(parse_version(""), None);
    }
}
