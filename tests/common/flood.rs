//! Runs of the flood fixtures read in-process: every event to its end, and
//! the check that each sender's numbered events all came, in order.

use std::collections::HashMap;

use forklore::protocol::{Body, Event};
use forklore::runtime::{python, Run, RunConfig};

use super::fixture;

/// The interpreter, resolved once for every test here.
pub fn interpreter() -> std::path::PathBuf {
    static PYTHON: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    PYTHON
        .get_or_init(|| python::resolve(None).expect("python3").executable)
        .clone()
}

pub fn config(script: &str, args: &[&str]) -> RunConfig {
    RunConfig {
        python: interpreter(),
        script: fixture(script),
        args: args.iter().map(|a| a.to_string()).collect(),
        slow: 1.0,
        ..RunConfig::default()
    }
}

/// Every event of a run, read until its end.
pub fn all_events(run: &Run) -> Vec<Event> {
    let mut events = Vec::new();
    for e in run.events.iter() {
        let end = matches!(e.body, Body::RunEnd { .. });
        events.push(e);
        if end {
            break;
        }
    }
    events
}

/// Per sending pid, the numbers of its flood events, in arrival order.
fn numbers_by_pid(events: &[Event]) -> HashMap<i32, Vec<u32>> {
    let mut by_pid: HashMap<i32, Vec<u32>> = HashMap::new();
    for e in events {
        if let Body::Line { file, line } = &e.body {
            if file == "flood" {
                by_pid.entry(e.pid).or_default().push(*line);
            }
        }
    }
    by_pid
}

pub fn assert_complete_and_in_order(events: &[Event], senders: usize, per_sender: u32) {
    let by_pid = numbers_by_pid(events);
    assert_eq!(by_pid.len(), senders, "every sender was heard");
    for (pid, numbers) in by_pid {
        assert_eq!(numbers.len(), per_sender as usize, "all of {pid}'s events");
        let first_wrong = numbers.iter().zip(0..).find(|(n, k)| **n != *k);
        assert_eq!(first_wrong, None, "{pid}'s events in the order sent");
    }
    let end = events.last().map(|e| &e.body);
    assert!(
        matches!(
            end,
            Some(Body::RunEnd {
                exitcode: 0,
                malformed: 0,
                rejected: 0,
                dropped: 0
            })
        ),
        "{end:?}"
    );
}
