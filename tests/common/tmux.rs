//! A real terminal for end-to-end tests: a private tmux server, driven
//! with send-keys and read with capture-pane, and the processes it runs,
//! read from /proc.

use std::process::Command;
use std::time::{Duration, Instant};

/// A private tmux server running one session; killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(name: &str, command: &str) -> Tmux {
        let socket = format!("forklore-e2e-{name}-{}", std::process::id());
        let t = Tmux { socket };
        let ok = t
            .cmd(&[
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "35",
                "-s",
                "e2e",
                command,
            ])
            .status
            .success();
        assert!(ok, "tmux starts");
        t
    }

    pub fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    /// The screen with its scrollback.
    pub fn history(&self) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["capture-pane", "-p", "-S", "-", "-t", "e2e"])
                .stdout,
        )
        .into_owned()
    }

    pub fn keys(&self, keys: &str) {
        self.cmd(&["send-keys", "-t", "e2e", keys]);
    }

    pub fn show(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["display-message", "-p", "-t", "e2e", format])
                .stdout,
        )
        .trim()
        .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}

pub fn wait_for(what: &str, secs: u64, mut cond: impl FnMut() -> bool, t: &Tmux) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !cond() {
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}; screen:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// (pid, ppid, pgrp, state, comm) of every process.
pub fn processes() -> Vec<(i32, i32, i32, char, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let rest: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let state = rest[0].chars().next().unwrap_or('?');
        out.push((
            pid,
            rest[1].parse().unwrap_or(0),
            rest[2].parse().unwrap_or(0),
            state,
            comm,
        ));
    }
    out
}

pub fn children_of(ppid: i32) -> Vec<(i32, String)> {
    processes()
        .into_iter()
        .filter(|p| p.1 == ppid)
        .map(|p| (p.0, p.4))
        .collect()
}

/// Live (non-zombie) members of a process group.
pub fn group(pgid: i32) -> Vec<(i32, char)> {
    processes()
        .into_iter()
        .filter(|p| p.2 == pgid && p.3 != 'Z')
        .map(|p| (p.0, p.3))
        .collect()
}

pub fn forklore_pid(t: &Tmux) -> i32 {
    let shell: i32 = t.show("#{pane_pid}").parse().expect("pane pid");
    let mut pid = 0;
    wait_for(
        "forklore to start",
        10,
        || {
            pid = children_of(shell)
                .into_iter()
                .find(|c| c.1 == "forklore")
                .map_or(0, |c| c.0);
            pid != 0
        },
        t,
    );
    pid
}

/// The run's main python (its pid is its process group), once it and its
/// two children are up and all three PIDs are on the screen.
pub fn run_group(t: &Tmux, forklore: i32, not: i32) -> i32 {
    let mut root = 0;
    wait_for(
        "the run's three processes on screen",
        20,
        || {
            root = children_of(forklore)
                .into_iter()
                .find(|c| c.1.starts_with("python") && c.0 != not)
                .map_or(0, |c| c.0);
            let members = if root != 0 { group(root) } else { vec![] };
            let screen = t.screen();
            members.len() >= 3
                && members
                    .iter()
                    .all(|(pid, _)| screen.contains(&pid.to_string()))
        },
        t,
    );
    root
}

/// Press q and wait until forklore has exited (the shell says so).
pub fn quit(t: &Tmux) {
    t.keys("q");
    wait_for(
        "forklore to exit",
        10,
        || t.screen().contains("FORKLORE-EXITED"),
        t,
    );
}

/// A shell running forklore with `args`, saying when it has exited and
/// then staying, so the pane can still be read.
pub fn in_shell(env: &str, args: &str) -> String {
    format!(
        "sh -c '{env} {} {args}; echo FORKLORE-EXITED; sleep 60'",
        env!("CARGO_BIN_EXE_forklore")
    )
}
