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
fn explore_without_headless_or_with_bad_input_says_so_in_one_line() {
    let msg = usage_error(forklore().args(["explore"]).arg(fixture("decrement.py")));
    assert!(msg.contains("--headless"), "{msg}");
    let msg = usage_error(forklore().args(["explore", "--headless", "/nonexistent/x.py"]));
    assert!(msg.contains("/nonexistent/x.py"), "{msg}");
    let msg = usage_error(forklore().args(["explore", "--headless", "--jobs", "0", "x.py"]));
    assert!(msg.contains("--jobs"), "{msg}");
}
