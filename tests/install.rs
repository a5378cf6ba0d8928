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

/// The subcommands `forklore --help` lists.
fn subcommands() -> Vec<String> {
    let help = common::forklore().arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let commands = help.split("Commands:").nth(1).expect("a Commands section");
    let names: Vec<String> = commands
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    for expected in ["run", "lesson", "replay", "export", "completions", "man"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    names
}

#[test]
fn completions_offer_every_subcommand() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish"] {
        let out = common::forklore()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for name in &names {
            assert!(script.contains(name.as_str()), "{shell} completes {name}");
        }
        assert!(
            script.contains("perfetto"),
            "{shell} completes export's options"
        );
    }
    let err = common::usage_error(common::forklore().args(["completions", "tcsh"]));
    assert!(err.contains("tcsh"), "{err}");
}

#[test]
fn the_man_page_names_every_subcommand() {
    let out = common::forklore().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.contains(".TH forklore 1"), "roff: {}", &page[..80]);
    for name in subcommands().iter().filter(|n| *n != "help") {
        assert!(
            page.contains(&format!("forklore\\-{name}(1)")),
            "forklore-{name}(1) in the page"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let out = common::forklore()
        .args(["man", "--dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let export = std::fs::read_to_string(dir.path().join("forklore-export.1")).unwrap();
    assert!(
        export.contains("perfetto"),
        "a page per subcommand, with its options"
    );
}
