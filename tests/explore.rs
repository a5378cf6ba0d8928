//! `forklore explore` on real processes: every outcome of a small race
//! found, each with its shortest schedule, which replays to it.

mod common;

use common::{fixture, forklore, usage_error};

fn python() -> &'static str {
    common::real_python()
}

#[test]
fn a_lost_update_is_one_of_exactly_two_outcomes_and_its_schedule_replays() {
    let dir = tempfile::tempdir().unwrap();
    let out = forklore()
        .args([
            "explore",
            "--headless",
            "--jobs",
            "2",
            "--python",
            python(),
            "--out",
        ])
        .arg(dir.path())
        .arg(fixture("decrement.py"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("explored ") && text.contains("(complete): 2 outcomes"),
        "{text}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["complete"], true);
    let outcomes = summary["outcomes"].as_array().unwrap();
    let stdouts: Vec<&str> = outcomes
        .iter()
        .map(|o| o["stdout"].as_str().unwrap())
        .collect();
    assert_eq!(stdouts.len(), 2, "{summary}");
    assert!(
        stdouts.contains(&"final 0\n") && stdouts.contains(&"final 1\n"),
        "{summary}"
    );
    let runs: u64 = outcomes.iter().map(|o| o["runs"].as_u64().unwrap()).sum();
    assert_eq!(runs, summary["schedules"].as_u64().unwrap());
    let lost = outcomes
        .iter()
        .find(|o| o["stdout"] == "final 1\n")
        .unwrap();
    assert_eq!(lost["decisions"], 4, "{lost}");
    assert_eq!(lost["exitcode"], 0);
    assert_eq!(lost["processes"]["Process-2"], 0, "{lost}");
    let steps = lost["steps"].as_str().unwrap();
    let ops: Vec<&str> = steps
        .split(" · ")
        .map(|s| s.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(ops, ["read", "read", "write", "write"], "{steps}");
    // The saved schedule replays to the same outcome.
    let file = dir.path().join(lost["shortest"].as_str().unwrap());
    let replay = forklore()
        .args(["run", "--headless", "--python", python(), "--schedule"])
        .arg(&file)
        .arg(fixture("decrement.py"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&replay.stdout), "final 1\n");
    assert!(
        replay.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
}

#[test]
fn explore_without_a_terminal_or_with_bad_input_says_so_in_one_line() {
    let msg = usage_error(forklore().args(["explore"]).arg(fixture("decrement.py")));
    assert!(msg.contains("--headless"), "{msg}");
    let msg = usage_error(forklore().args(["explore", "--headless", "/nonexistent/x.py"]));
    assert!(msg.contains("/nonexistent/x.py"), "{msg}");
    let msg = usage_error(forklore().args(["explore", "--headless", "--jobs", "0", "x.py"]));
    assert!(msg.contains("--jobs"), "{msg}");
}

/// `forklore lesson SLUG --headless --explore ARGS…`: its stdout (exit 0).
fn explore_lesson(slug: &str, args: &[&str]) -> String {
    let out = forklore()
        .args([
            "lesson",
            slug,
            "--headless",
            "--explore",
            "--python",
            python(),
        ])
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// A lesson's runs are grouped by its own outcome (its `outcome` fact).
#[test]
fn a_lesson_is_explored_by_its_outcome_fact() {
    let text = explore_lesson("manager-dict", &["--set", "processes=2"]);
    assert!(text.contains("(complete): 2 outcomes"), "{text}");
    assert!(
        text.contains("lost_updates = 0") && text.contains("lost_updates = 1"),
        "{text}"
    );
}

/// With the lock, no order garbles a line, and the search says it tried
/// them all; without it, some order does.
#[test]
fn with_the_lock_no_order_garbles_a_line() {
    let base = ["--set", "processes=2", "--set", "lines=1"];
    let locked = explore_lesson(
        "lock-vs-garbled",
        &[&base[..], &["--set", "lock=true"]].concat(),
    );
    assert!(locked.contains("(complete): 1 outcome"), "{locked}");
    assert!(locked.contains("garbled = 0"), "{locked}");
    let free = explore_lesson(
        "lock-vs-garbled",
        &[&base[..], &["--max-schedules", "20"]].concat(),
    );
    let garbled = free
        .lines()
        .filter_map(|l| l.split_once("garbled = "))
        .filter_map(|(_, rest)| rest.split_whitespace().next()?.parse::<u32>().ok())
        .any(|n| n > 0);
    assert!(garbled, "an order that garbles a line: {free}");
}

#[test]
fn lesson_explore_without_a_terminal_asks_for_headless_and_goes_alone() {
    let msg = usage_error(forklore().args(["lesson", "manager-dict", "--explore"]));
    assert!(msg.contains("--headless"), "{msg}");
    let msg = usage_error(forklore().args([
        "lesson",
        "manager-dict",
        "--headless",
        "--explore",
        "--schedule",
        "race",
    ]));
    assert!(
        msg.contains("--schedule") || msg.contains("cannot be used"),
        "{msg}"
    );
}
