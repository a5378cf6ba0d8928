//! Starting a run: interpreters found, refused, probed once with a
//! deadline; scripts that are missing, exit,
//! raise or live at odd paths; terminals that cannot draw the screen.

mod common;

use common::*;
use forklore::protocol::Body;

#[test]
fn exit_code_of_the_script() {
    let run = run_headless(&fixture("exit_three.py"), &[], &[]);
    assert_eq!(run.code(), Some(3));
    assert_eq!(run.stdout(), "about to exit with 3\n");
}

#[test]
fn uncaught_exception_exits_1_with_traceback() {
    let run = run_headless(&fixture("raises.py"), &[], &[]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.stdout(), "before the failure\n");
    let err = run.stderr();
    assert!(err.contains("Traceback (most recent call last)"), "{err}");
    assert!(
        err.contains("ValueError: the script failed on purpose"),
        "{err}"
    );
    assert!(err.contains("raises.py\", line 2"), "{err}");
}

#[test]
fn missing_python_is_one_clear_line() {
    let err = usage_error(
        forklore()
            .args(["run", "--python", "/nonexistent/python3"])
            .arg(fixture("exit_three.py")),
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("/nonexistent/python3") && err.contains("not found"),
        "{err}"
    );
}

#[test]
fn missing_python3_on_path() {
    let err = usage_error(
        forklore()
            .env("PATH", "/nonexistent")
            .arg("run")
            .arg(fixture("exit_three.py")),
    );
    assert!(err.contains("python3 was not found on PATH"), "{err}");
}

#[test]
fn non_python_interpreter_is_refused() {
    let err = usage_error(
        forklore()
            .args(["run", "--python", "/bin/echo"])
            .arg(fixture("exit_three.py")),
    );
    assert!(
        err.contains("does not look like a Python interpreter"),
        "{err}"
    );
}

#[test]
fn missing_script_is_a_clear_error() {
    let err = usage_error(forklore().args(["run", "--headless", "/nonexistent/script.py"]));
    assert!(
        err.contains("cannot read script /nonexistent/script.py"),
        "{err}"
    );
}

#[test]
fn the_compiled_shim_is_kept_for_the_next_run() {
    let cache = tempfile::tempdir().unwrap();
    let run = |script: &str| {
        let dir = tempfile::tempdir().unwrap();
        let rec = dir.path().join("run.jsonl");
        let out = forklore()
            .env("XDG_CACHE_HOME", cache.path())
            .args(["run", "--headless", "--record"])
            .arg(&rec)
            .arg(fixture(script))
            .output()
            .unwrap();
        (out, forklore::record::read(&rec).unwrap())
    };
    let (first, _) = run("exit_three.py");
    assert_eq!(first.status.code(), Some(3));
    let shim_cache = std::fs::read_dir(cache.path().join("forklore"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let pycs = files_under(&shim_cache);
    assert!(
        pycs.iter().any(|p| p.to_string_lossy().ends_with(".pyc")),
        "{pycs:?}"
    );
    // A damaged cached file is not trusted: Python compiles the shim again.
    for p in &pycs {
        std::fs::write(p, b"not bytecode at all").unwrap();
    }
    let (second, events) = run("many_writers.py");
    assert_eq!(second.status.code(), Some(0));
    assert!(
        events
            .iter()
            .any(|e| matches!(e.body, Body::ProcStart { .. })),
        "the shim still loaded"
    );
    for p in &pycs {
        assert_ne!(
            std::fs::read(p).unwrap(),
            b"not bytecode at all",
            "the damaged file was replaced"
        );
    }
}

/// Every file below `dir`, at any depth.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_real_interpreter_is_asked_once_then_remembered() {
    let cache = tempfile::tempdir().unwrap();
    let python = python_minor(11)
        .or_else(|| python_minor(12))
        .expect("a CPython");
    let run = || {
        forklore()
            .env("XDG_CACHE_HOME", cache.path())
            .args(["run", "--headless", "--python"])
            .arg(&python)
            .arg(fixture("exit_three.py"))
            .output()
            .unwrap()
    };
    assert_eq!(run().status.code(), Some(3));
    let file = cache.path().join("forklore/pythons");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{}\t", python.display())))
        .expect("an entry");
    let version = String::from_utf8(
        std::process::Command::new(&python)
            .arg("--version")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        version.trim().ends_with(line.rsplit('\t').next().unwrap()),
        "{line} vs {version}"
    );
    // A remembered executable that has gone is not trusted: asked again.
    std::fs::write(
        &file,
        text.replace(
            &format!("\t{}\t", python.display()),
            "\t/nonexistent/python3\t",
        ),
    )
    .unwrap();
    assert_eq!(run().status.code(), Some(3));
    assert!(!std::fs::read_to_string(&file)
        .unwrap()
        .contains("/nonexistent"));
}

/// An interpreter that never says what it is: forklore still answers
/// SIGTERM and SIGINT at once, and leaves no probe behind.
#[test]
fn a_hung_interpreter_does_not_make_forklore_deaf() {
    use nix::sys::signal::{kill, Signal};
    let dir = tempfile::tempdir().unwrap();
    let hung = dir.path().join("python3");
    let marker = dir.path().join("probe-pid");
    std::fs::write(
        &hung,
        format!(
            "#!/bin/sh\necho $$ > {}\nexec sleep 100\n",
            marker.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hung, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for (sig, sub) in [(Signal::SIGTERM, "run"), (Signal::SIGINT, "lesson")] {
        let _ = std::fs::remove_file(&marker);
        let mut cmd = forklore();
        cmd.arg(sub).arg("--python").arg(&hung);
        if sub == "run" {
            cmd.arg("--headless").arg(fixture("exit_three.py"));
        } else {
            cmd.args(["chunked-map", "--headless"]);
        }
        let mut child = cmd.spawn().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let probe = loop {
            if let Ok(pid) = std::fs::read_to_string(&marker) {
                if let Ok(pid) = pid.trim().parse::<i32>() {
                    break pid;
                }
            }
            assert!(std::time::Instant::now() < deadline, "the probe never ran");
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let asked = std::time::Instant::now();
        kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
        let status = child.wait().unwrap();
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(2),
            "{sub}: answered at once"
        );
        assert_eq!(status.code(), Some(128 + sig as i32), "{sub}");
        assert!(gone_within(probe, 2), "{sub}: the probe was killed");
    }
}

/// Without a terminal that can draw the live screen: a clear line and
/// exit 2, pointing at --headless (the script is not started).
#[test]
fn no_screen_without_a_terminal_that_can_draw_it() {
    let err = usage_error(forklore().args(["run"]).arg(fixture("exit_three.py")));
    assert!(
        err.contains("needs a terminal") && err.contains("--headless"),
        "{err}"
    );
    // TERM=dumb in a real terminal: tmux gives one.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let socket = format!("forklore-dumb-{}", std::process::id());
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .status()
            .unwrap()
    };
    let command = format!(
        "TERM=dumb {} run {} 2> {}; echo $? >> {}",
        env!("CARGO_BIN_EXE_forklore"),
        fixture("exit_three.py").display(),
        out.display(),
        out.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "dumb",
        &format!("sh -c '{command}'"),
    ]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.lines().count() >= 2 || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    tmux(&["kill-server"]);
    assert!(text.contains("TERM=dumb"), "{text}");
    assert_eq!(text.lines().last(), Some("2"), "{text}");
}

/// A script whose path is not UTF-8 runs, records (hello first, its lines
/// reported) and replays.
#[test]
fn a_script_path_that_is_not_utf8_records_and_replays() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"d\xffir"));
    std::fs::create_dir(&odd).unwrap();
    let script = odd.join("s.py");
    std::fs::copy(fixture("pool_map.py"), &script).unwrap();
    let run = run_headless(&script, &["--lines"], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.stdout().starts_with("sum "), "{}", run.stdout());
    assert!(
        matches!(run.events[0].body, Body::Hello { .. }),
        "hello first"
    );
    assert!(run.of_kind("line").count() > 0, "lines reported");
    let rec = dir.path().join("run.jsonl");
    std::fs::write(&rec, &run.recording).unwrap();
    let replayed = forklore()
        .args(["replay", "--headless"])
        .arg(&rec)
        .output()
        .unwrap();
    assert_eq!(replayed.status.code(), Some(0));
    assert_eq!(replayed.stdout, run.output.stdout);
}
