//! `forklore lesson SLUG --repeat N --headless`: N real runs with python3,
//! their outcome tallied. The histogram is checked against the runs' own
//! recordings, read independently of forklore's model.

mod common;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use forklore::protocol::{Body, Event};

/// Garbled lines of a recorded run, straight from its write events: a
/// line is garbled when text of more than one PID is in it.
fn garbled(events: &[Event]) -> u64 {
    let (mut garbled, mut writers) = (0, Vec::<i32>::new());
    let mut end_line = |writers: &mut Vec<i32>| {
        garbled += u64::from(writers.len() > 1);
        writers.clear();
    };
    for e in events {
        let Body::Write { text, .. } = &e.body else {
            continue;
        };
        let mut pieces = text.split('\n').peekable();
        while let Some(piece) = pieces.next() {
            if !piece.is_empty() && !writers.contains(&e.pid) {
                writers.push(e.pid);
            }
            if pieces.peek().is_some() {
                end_line(&mut writers);
            }
        }
    }
    end_line(&mut writers);
    garbled
}

#[test]
fn the_histogram_counts_n_real_runs_and_matches_their_recordings() {
    let dir = tempfile::tempdir().unwrap();
    let n = 6;
    let out = forklore()
        .args(["lesson", "lock-vs-garbled", "--headless", "--json"])
        .args(["--repeat", &n.to_string(), "--recordings"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(json["runs"], n);
    assert_eq!(json["outcome"], "garbled");
    assert_eq!(json["lesson"], "lock-vs-garbled");
    let histogram: BTreeMap<String, u64> =
        serde_json::from_value(json["histogram"].clone()).unwrap();
    assert_eq!(histogram.values().sum::<u64>(), n, "{histogram:?}");

    let mut recorded: BTreeMap<String, u64> = BTreeMap::new();
    let mut mains = Vec::new();
    for i in 1..=n {
        let file = dir.path().join(format!("run-{i:03}.jsonl"));
        let events = forklore::record::read(&file).expect("each run's recording");
        assert!(matches!(
            events.last().map(|e| &e.body),
            Some(Body::RunEnd { exitcode: 0, .. })
        ));
        mains.push(events[0].pid);
        *recorded.entry(garbled(&events).to_string()).or_default() += 1;
    }
    assert_eq!(
        histogram, recorded,
        "the histogram is the recordings' garbled counts"
    );
    mains.sort();
    mains.dedup();
    assert_eq!(mains.len(), n as usize, "{n} distinct real runs");
}

#[test]
fn a_text_histogram_by_default() {
    let out = forklore()
        .args(["lesson", "lock-vs-garbled", "--headless", "--repeat", "2"])
        .args(["--set", "lock=true"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some("2 runs · garbled output lines (garbled)")
    );
    // With the lock, every run: 0 garbled lines.
    assert_eq!(
        lines.next().map(str::trim_end),
        Some(&*format!("0 │{} 2", "█".repeat(40)))
    );
}

#[test]
fn bad_repeat_requests_are_refused_clearly() {
    let err = usage_error(forklore().args(["lesson", "lock-vs-garbled", "--json"]));
    assert!(err.contains("--repeat"), "{err}");
    let err = usage_error(forklore().args(["lesson", "lock-vs-garbled", "--repeat", "0"]));
    assert!(err.contains("0"), "{err}");
}

/// Pythons whose parent is `pid`, and every member of their groups.
fn runs_of(pid: u32) -> Vec<i32> {
    let all = std::fs::read_dir("/proc").unwrap().flatten();
    let stat = |p: &str| std::fs::read_to_string(format!("/proc/{p}/stat")).ok();
    let mut roots = Vec::new();
    let mut members = Vec::new();
    for entry in all {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(s) = stat(&name) else { continue };
        // After the command's `)`: state, ppid, pgrp …
        let rest: Vec<&str> = s
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let (ppid, pgrp): (u32, i32) = (rest[1].parse().unwrap_or(0), rest[2].parse().unwrap_or(0));
        if let Ok(p) = name.parse::<i32>() {
            if ppid == pid {
                roots.push(p);
            }
            members.push((p, pgrp));
        }
    }
    members
        .into_iter()
        .filter(|(_, g)| roots.contains(g))
        .map(|(p, _)| p)
        .collect()
}

#[test]
fn a_signal_stops_every_run_of_the_batch() {
    // daemon-join runs for seconds: interrupted while two run at once.
    let mut child = forklore()
        .args(["lesson", "daemon-join", "--headless", "--repeat", "8"])
        .args(["--set", "join=true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while seen.len() < 4 && Instant::now() < deadline {
        seen = runs_of(child.id());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(
        seen.len() >= 4,
        "runs with their children started: {seen:?}"
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "128 + SIGINT");
    for pid in seen {
        assert!(gone_within(pid, 5), "pid {pid} of the batch survived");
    }
}
