//! Installed the Python way: a forklore binary in a venv's `bin/` (where
//! pip and pipx put it) uses that venv's Python when no python3 is on PATH.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{fixture, kind_of};
use forklore::protocol::Body;
use forklore::runtime::python;

/// A real venv (no pip: nothing to download) with forklore's binary in its
/// `bin/`, as `pip install forklore` leaves it.
fn venv_with_forklore() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let venv = dir.path().join("venv");
    let base = python::resolve(None)
        .expect("python3 for the tests")
        .executable;
    let made = Command::new(&base)
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .expect("python -m venv runs");
    assert!(made.success(), "python -m venv failed");
    let installed = venv.join("bin/forklore");
    let built = Path::new(env!("CARGO_BIN_EXE_forklore"));
    if std::fs::hard_link(built, &installed).is_err() {
        std::fs::copy(built, &installed).unwrap();
    }
    (dir, venv)
}

#[test]
fn a_forklore_in_a_venv_runs_the_venvs_python_when_none_is_on_path() {
    let (dir, venv) = venv_with_forklore();
    let rec = dir.path().join("run.jsonl");
    let output = Command::new(venv.join("bin/forklore"))
        .env("PATH", "/nonexistent")
        .args(["run", "--headless", "--record"])
        .arg(&rec)
        .arg(fixture("exit_three.py"))
        .output()
        .expect("forklore runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    let events = forklore::record::read(&rec).expect("a recording");
    let executable = events
        .iter()
        .find_map(|e| match &e.body {
            Body::Hello { executable, .. } => Some(executable.clone()),
            _ => None,
        })
        .expect("a hello event");
    assert_eq!(
        Path::new(&executable),
        venv.join("bin/python3"),
        "the run's interpreter is the venv's; events: {:?}",
        events.iter().map(kind_of).collect::<Vec<_>>()
    );
}

#[test]
fn without_any_python_the_error_says_where_it_looked() {
    // forklore alone in a folder: no python3 on PATH, none beside it.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let alone = dir.path().join("forklore");
    let built = Path::new(env!("CARGO_BIN_EXE_forklore"));
    if std::fs::hard_link(built, &alone).is_err() {
        std::fs::copy(built, &alone).unwrap();
    }
    let output = Command::new(&alone)
        .env("PATH", "/nonexistent")
        .arg("run")
        .arg(fixture("exit_three.py"))
        .output()
        .expect("forklore runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("not found on PATH or beside forklore"),
        "{stderr}"
    );
}
