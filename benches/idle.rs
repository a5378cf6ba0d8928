//! Idle CPU of the live screen: forklore runs in a real terminal (tmux),
//! the run is paused with space, and forklore's own CPU time is read from
//! /proc over 10 s. `cargo bench --bench idle` (needs tmux).

use std::process::Command;
use std::time::{Duration, Instant};

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(["-L", "forklore-idle-bench"])
        .args(args)
        .output()
        .expect("tmux");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// utime + stime of `pid` in clock ticks.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let rest: Vec<&str> = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .collect();
    rest[11].parse::<u64>().unwrap() + rest[12].parse::<u64>().unwrap()
}

fn child_named(ppid: i32, name: &str) -> Option<i32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: i32 = e.file_name().to_string_lossy().parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let comm = &stat[stat.find('(')? + 1..stat.rfind(')')?];
        let ppid_of: i32 = stat[stat.rfind(')')? + 1..]
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        (ppid_of == ppid && comm == name).then_some(pid)
    })
}

fn measure(label: &str, keys: &[&str]) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two_talkers.py");
    let cmd = format!("{} run {script}", env!("CARGO_BIN_EXE_forklore"));
    tmux(&["kill-server"]);
    tmux(&[
        "new-session",
        "-d",
        "-x",
        "200",
        "-y",
        "60",
        "-s",
        "b",
        &cmd,
    ]);
    let shell_pid: i32 = tmux(&["display-message", "-p", "-t", "b", "#{pane_pid}"])
        .trim()
        .parse()
        .unwrap();
    // The pane runs forklore directly (tmux execs the command).
    let pid = child_named(shell_pid, "forklore").unwrap_or(shell_pid);
    std::thread::sleep(Duration::from_secs(2));
    for k in keys {
        tmux(&["send-keys", "-t", "b", k]);
    }
    std::thread::sleep(Duration::from_millis(500));
    let (t0, c0) = (Instant::now(), cpu_ticks(pid));
    std::thread::sleep(Duration::from_secs(10));
    let (secs, ticks) = (t0.elapsed().as_secs_f64(), cpu_ticks(pid) - c0);
    let hz = 100.0; // USER_HZ on Linux
    println!(
        "{label}: {:.2}% CPU over {secs:.1} s ({ticks} ticks)",
        ticks as f64 / hz / secs * 100.0
    );
    tmux(&["send-keys", "-t", "b", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux(&["kill-server"]);
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    measure("paused (space)", &["Space"]);
    measure("running, two processes printing every 0.2 s", &[]);
}
