//! Finding the Python interpreter a run will use.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;

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

/// Why no interpreter can be used. Shown to the user as one line; lessons
/// fall back to their recordings when there is simply no Python to use
/// ([`PythonError::means_no_python`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PythonError {
    /// `python3` is not on PATH.
    NotOnPath,
    /// The `--python` given does not exist.
    NotFound(PathBuf),
    /// It could not be started (permissions, not an executable…).
    CannotRun { program: PathBuf, why: String },
    /// It ran but did not say which Python it is.
    NotPython(PathBuf),
    /// A Python older than [`MIN_VERSION`].
    TooOld {
        program: PathBuf,
        version: (u32, u32, u32),
    },
    /// It did not say what it is within [`PROBE_DEADLINE`].
    NoAnswer(PathBuf),
    /// forklore was asked to stop (this signal) while asking.
    Interrupted(i32),
}

/// How long an interpreter may take to say which Python it is.
pub const PROBE_DEADLINE: Duration = Duration::from_secs(10);

impl PythonError {
    /// No usable Python at all (as opposed to a wrong `--python`).
    pub fn means_no_python(&self) -> bool {
        matches!(
            self,
            PythonError::NotOnPath | PythonError::NotFound(_) | PythonError::TooOld { .. }
        )
    }
}

impl std::fmt::Display for PythonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PythonError::NotOnPath => write!(
                f,
                "python3 was not found on PATH or beside forklore: install Python 3.8 or newer, or pass --python PATH"
            ),
            PythonError::NotFound(p) => {
                write!(f, "Python interpreter '{}' was not found", p.display())
            }
            PythonError::CannotRun { program, why } => write!(
                f,
                "cannot run Python interpreter '{}': {why}",
                program.display()
            ),
            PythonError::NotPython(p) => write!(
                f,
                "'{}' does not look like a Python interpreter (it did not report its version)",
                p.display()
            ),
            PythonError::TooOld {
                program,
                version: (a, b, c),
            } => write!(
                f,
                "'{}' is Python {a}.{b}.{c}; forklore needs Python {}.{} or newer",
                program.display(),
                MIN_VERSION.0,
                MIN_VERSION.1
            ),
            PythonError::NoAnswer(p) => write!(
                f,
                "'{}' did not say which Python it is within {} s",
                p.display(),
                PROBE_DEADLINE.as_secs()
            ),
            PythonError::Interrupted(sig) => write!(f, "interrupted by signal {sig}"),
        }
    }
}

/// Resolve `requested` (default `python3` on PATH) to the real executable,
/// once, and check it is a Python forklore can instrument.
///
/// Asking the interpreter costs ~10 ms a run; for a real binary (not a
/// wrapper script such as pyenv's, whose answer may change), the answer is
/// remembered per path, size and modification time.
pub fn resolve(requested: Option<&Path>) -> Result<Python, PythonError> {
    resolve_or_stop(requested, &crossbeam_channel::never())
}

/// [`resolve`], giving up when a signal arrives on `stop` (forklore stays
/// responsive to Ctrl-C and SIGTERM while an interpreter is asked).
pub fn resolve_or_stop(
    requested: Option<&Path>,
    stop: &Receiver<i32>,
) -> Result<Python, PythonError> {
    let program = requested
        .map(Path::to_path_buf)
        .or_else(default_program)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let binary = locate(&program).and_then(|p| cache::Key::of_binary(&p));
    if let Some(known) = binary.as_ref().and_then(cache::lookup) {
        return Ok(known);
    }
    let python = ask(&program, requested.is_none(), stop)?;
    if let Some(key) = binary {
        cache::store(&key, &python);
    }
    Ok(python)
}

/// The interpreter used when none is asked for: `python3` on PATH, else
/// the Python beside forklore's own executable. Installed with pip into a
/// venv (or by pipx), forklore sits in the venv's `bin/` next to the
/// Python that installed it, which works even when no `python3` is on PATH.
/// None: neither exists (`python3` is then tried anyway and reported).
fn default_program() -> Option<PathBuf> {
    if locate(Path::new("python3")).is_some() {
        return Some(PathBuf::from("python3"));
    }
    let exe = std::env::current_exe().ok()?;
    beside(exe.parent()?)
}

/// A `python3` or `python` in `dir` (a venv's `bin/`), if there is one.
fn beside(dir: &Path) -> Option<PathBuf> {
    ["python3", "python"]
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

/// Where `program` is: itself if it names a path, else the first match on PATH.
fn locate(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return Some(program.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// Run the interpreter and have it say what it is.
fn ask(program: &Path, from_path: bool, stop: &Receiver<i32>) -> Result<Python, PythonError> {
    // -I -S: no site, no user paths; only the interpreter's identity matters.
    let mut child = Command::new(program)
        .args([
            "-I",
            "-S",
            "-c",
            "import sys; print(sys.executable); print('%d.%d.%d' % tuple(sys.version_info[:3]))",
        ])
        .env_remove("PYTHONPATH")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound if from_path => PythonError::NotOnPath,
            std::io::ErrorKind::NotFound => PythonError::NotFound(program.to_path_buf()),
            _ => PythonError::CannotRun {
                program: program.to_path_buf(),
                why: e.to_string(),
            },
        })?;
    let status = wait_answer(&mut child, program, stop)?;
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut out, &mut stdout);
    }
    let mut lines = stdout.lines();
    let (exe, ver) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
    let version = parse_version(ver)
        .filter(|_| status.success() && !exe.is_empty())
        .ok_or_else(|| PythonError::NotPython(program.to_path_buf()))?;
    if (version.0, version.1) < MIN_VERSION {
        return Err(PythonError::TooOld {
            program: program.to_path_buf(),
            version,
        });
    }
    Ok(Python {
        executable: PathBuf::from(exe),
        version,
    })
}

/// Wait for the probe to end, at most [`PROBE_DEADLINE`], giving up when
/// a signal comes; a probe given up on is killed.
fn wait_answer(
    child: &mut Child,
    program: &Path,
    stop: &Receiver<i32>,
) -> Result<ExitStatus, PythonError> {
    let deadline = Instant::now() + PROBE_DEADLINE;
    loop {
        let given_up = match child.try_wait() {
            Ok(Some(status)) => return Ok(status),
            Err(e) => PythonError::CannotRun {
                program: program.to_path_buf(),
                why: e.to_string(),
            },
            Ok(None) => match stop.try_recv() {
                Ok(sig) => PythonError::Interrupted(sig),
                Err(_) if Instant::now() > deadline => PythonError::NoAnswer(program.to_path_buf()),
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
            },
        };
        let _ = child.kill();
        let _ = child.wait();
        return Err(given_up);
    }
}

/// Interpreters already asked, in `<cache>/pythons`: one line each,
/// `path \t size \t mtime_ns \t executable \t version`.
mod cache {
    use std::path::{Path, PathBuf};
    use std::time::UNIX_EPOCH;

    use super::{parse_version, Python};

    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct Key {
        path: PathBuf,
        size: u64,
        mtime_ns: u128,
    }

    impl Key {
        /// A key for an ELF binary; None for scripts and missing files.
        pub fn of_binary(path: &Path) -> Option<Key> {
            let mut magic = [0u8; 4];
            std::io::Read::read_exact(&mut std::fs::File::open(path).ok()?, &mut magic).ok()?;
            if &magic != b"\x7fELF" {
                return None;
            }
            let meta = std::fs::metadata(path).ok()?;
            let mtime_ns = meta
                .modified()
                .ok()?
                .duration_since(UNIX_EPOCH)
                .ok()?
                .as_nanos();
            Some(Key {
                path: std::path::absolute(path).ok()?,
                size: meta.len(),
                mtime_ns,
            })
        }

        fn line_prefix(&self) -> String {
            format!(
                "{}\t{}\t{}\t",
                self.path.display(),
                self.size,
                self.mtime_ns
            )
        }
    }

    fn file() -> Option<PathBuf> {
        Some(crate::runtime::cache_root()?.join("pythons"))
    }

    pub fn lookup(key: &Key) -> Option<Python> {
        let text = std::fs::read_to_string(file()?).ok()?;
        let prefix = key.line_prefix();
        let rest = text.lines().find_map(|l| l.strip_prefix(prefix.as_str()))?;
        let (exe, version) = rest.split_once('\t')?;
        let python = Python {
            executable: PathBuf::from(exe),
            version: parse_version(version)?,
        };
        // Trust nothing stale: the executable must still be there.
        let fresh = python.executable.is_file()
            && (python.version.0, python.version.1) >= super::MIN_VERSION;
        fresh.then_some(python)
    }

    pub fn store(key: &Key, python: &Python) {
        let Some(path) = file() else { return };
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        let mine = key.path.display().to_string() + "\t";
        let mut lines: Vec<String> = old
            .lines()
            .filter(|l| !l.starts_with(&mine))
            .map(String::from)
            .collect();
        lines.push(format!(
            "{}{}\t{}",
            key.line_prefix(),
            python.executable.display(),
            python.version_string()
        ));
        let aside = path.with_extension(format!("{}", std::process::id()));
        if std::fs::write(&aside, lines.join("\n") + "\n").is_ok() {
            let _ = std::fs::rename(&aside, &path);
        }
        let _ = std::fs::remove_file(&aside);
    }
}

fn parse_version(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.trim().split('.').map(|p| p.parse::<u32>().ok());
    Some((parts.next()??, parts.next()??, parts.next()??))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_python_beside_an_executable() {
        let venv = tempfile::tempdir().unwrap();
        assert_eq!(beside(venv.path()), None, "an empty folder has no python");
        let python = venv.path().join("python");
        std::fs::write(&python, "").unwrap();
        assert_eq!(beside(venv.path()), Some(python));
        let python3 = venv.path().join("python3");
        std::fs::write(&python3, "").unwrap();
        assert_eq!(beside(venv.path()), Some(python3), "python3 comes first");
    }

    #[test]
    fn parses_versions() {
        assert_eq!(parse_version("3.11.7\n"), Some((3, 11, 7)));
        assert_eq!(parse_version("3.x"), None);
        assert_eq!(parse_version(""), None);
    }
}
