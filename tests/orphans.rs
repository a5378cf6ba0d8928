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
