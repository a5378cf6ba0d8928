//! Nothing of a run survives forklore: SIGTERM or SIGINT to forklore while
//! children sleep for 100 s ends every process of the run.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

fn pids_in(path: &std::path::Path, want: usize) -> Vec<i32> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let pids: Vec<i32> = std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.parse().ok())
            .collect();
        if pids.len() >= want {
            return pids;
        }
        assert!(
            Instant::now() < deadline,
            "the run never started its children: {pids:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn stop_forklore_with(sig: Signal, method: &str) {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pids");
    let mut child = forklore()
        .args(["run", "--headless", "--start-method", method])
        .arg(fixture("sleepy_children.py"))
        .arg("--")
        .arg(&pidfile)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pids = pids_in(&pidfile, 4);
    for pid in &pids {
        assert!(!gone_within(*pid, 0), "{pid} should be running");
    }
    kill(Pid::from_raw(child.id() as i32), sig).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(128 + sig as i32),
        "forklore exits with 128+signal"
    );
    for pid in pids {
        assert!(gone_within(pid, 5), "pid {pid} of the run survived {sig:?}");
    }
}

#[test]
fn sigterm_leaves_nothing_running() {
    stop_forklore_with(Signal::SIGTERM, "fork");
}

#[test]
fn sigint_leaves_nothing_running() {
    stop_forklore_with(Signal::SIGINT, "fork");
}

#[test]
fn sighup_under_spawn_leaves_nothing_running() {
    stop_forklore_with(Signal::SIGHUP, "spawn");
}

/// The run's private folder and pids, as `escapees.py` writes them.
fn escapees(path: &std::path::Path) -> (std::path::PathBuf, Vec<i32>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut lines = text.lines();
        let dir = std::path::PathBuf::from(lines.next().unwrap_or_default());
        let pids: Vec<i32> = lines.filter_map(|l| l.parse().ok()).collect();
        if pids.len() >= 4 {
            return (dir, pids);
        }
        assert!(Instant::now() < deadline, "the run never started: {text}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spawn_escapees(
    extra: &[&str],
) -> (
    std::process::Child,
    std::path::PathBuf,
    Vec<i32>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let pidfile = dir.path().join("pids");
    let child = forklore()
        .args(["run", "--headless"])
        .arg(fixture("escapees.py"))
        .arg("--")
        .arg(&pidfile)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (private, pids) = escapees(&pidfile);
    // Main itself may have left already (--main-exits); its children not.
    for pid in &pids[1..] {
        assert!(!gone_within(*pid, 0), "{pid} should be running");
    }
    assert!(
        private.is_dir(),
        "{} exists while running",
        private.display()
    );
    (child, private, pids, dir)
}

/// kill -9 of forklore gives it no chance to clean up; its watcher does:
/// every process of the run (those that left its process group too) and
/// its private folder are gone within seconds.
#[test]
fn sigkill_of_forklore_leaves_nothing_behind() {
    let (mut child, private, pids, _dir) = spawn_escapees(&[]);
    kill(Pid::from_raw(child.id() as i32), Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    for pid in pids {
        assert!(gone_within(pid, 5), "pid {pid} of the run survived kill -9");
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while private.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!private.exists(), "{} was left behind", private.display());
}

/// Processes that called setsid() are stopped with the rest, within the
/// stop grace (not after their 100 s sleep).
#[test]
fn sigterm_stops_processes_that_left_the_group() {
    let (mut child, private, pids, _dir) = spawn_escapees(&[]);
    let start = Instant::now();
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(128 + Signal::SIGTERM as i32));
    assert!(
        start.elapsed() < Duration::from_secs(6),
        "took {:?}",
        start.elapsed()
    );
    for pid in pids {
        assert!(
            gone_within(pid, 2),
            "pid {pid} survived SIGTERM of forklore"
        );
    }
    assert!(!private.exists());
}

/// Main exits and leaves children behind, some outside its process group,
/// all holding the output pipe: forklore stops them after the leftover
/// grace and ends, instead of waiting for the pipe's end.
#[test]
fn a_run_whose_main_exits_ends_without_waiting_for_escaped_children() {
    let (mut child, _private, pids, _dir) = spawn_escapees(&["--main-exits"]);
    let start = Instant::now();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "the script's own exit code");
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "took {:?}",
        start.elapsed()
    );
    for pid in pids {
        assert!(gone_within(pid, 2), "pid {pid} was left running");
    }
}

/// A script that forks without end is stopped once it has more live
/// processes than --max-procs, saying so, and leaves nothing behind.
#[test]
fn a_fork_bomb_is_stopped_at_max_procs() {
    let started = Instant::now();
    let out = forklore()
        .args(["run", "--headless", "--max-procs", "40"])
        .arg(fixture("fork_bomb.py"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("more than 40 processes"), "{stderr}");
    assert_eq!(out.status.code(), Some(128 + Signal::SIGKILL as i32));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("made 3000"));
    assert!(started.elapsed() < Duration::from_secs(20));
    let me = std::process::id().to_string();
    let left = std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("cmdline")).ok())
        .filter(|c| c.contains("fork_bomb.py") && !c.contains(&me))
        .count();
    assert_eq!(left, 0, "no process of the bomb is left");
}
