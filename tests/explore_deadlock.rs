//! `forklore explore`'s search in this process (its own test binary: the
//! runs make this process their reaper, which other tests' children must
//! not share): a deadlock is an outcome, and no process of any run is
//! left behind.

mod common;

use common::fixture;
use forklore::explore::{explore, pool::Ended, Options};
use forklore::runtime::RunConfig;

fn python() -> &'static str {
    common::real_python()
}

#[test]
fn a_deadlock_is_its_own_outcome_and_every_run_is_stopped_cleanly() {
    let opts = Options {
        config: RunConfig {
            python: python().into(),
            script: fixture("ab_ba.py"),
            slow: 1.0,
            ..RunConfig::default()
        },
        max_schedules: 100,
        jobs: 2,
        reduce: true,
        progress: false,
        narrow: None,
        on_progress: None,
    };
    let (_tx, signals) = crossbeam_channel::unbounded();
    let Ended::Done(report) = explore(&opts, &signals).unwrap() else {
        panic!("interrupted");
    };
    assert!(report.complete, "{}", report.text());
    let dead: Vec<_> = report
        .groups
        .iter()
        .filter(|g| g.outcome.stopped.is_some())
        .collect();
    assert_eq!(dead.len(), 1, "{}", report.text());
    let why = dead[0].outcome.stopped.as_deref().unwrap();
    assert!(
        why.starts_with("deadlock: ")
            && why.contains("Process-1 holds lock_a")
            && why.contains("Process-2 holds lock_b")
            && !why.contains("(Process-"),
        "{why}"
    );
    assert_eq!(dead[0].decisions.len(), 4, "{}", dead[0].line());
    // Both orders of the two whole sections are outcomes too.
    let finished = report
        .groups
        .iter()
        .filter(|g| g.outcome.exitcode == Some(0));
    assert_eq!(finished.count(), 2, "{}", report.text());
    // No process of any run is left.
    assert!(
        report.pids.len() >= 3 * report.schedules,
        "{:?}",
        report.pids
    );
    for pid in &report.pids {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline);
        assert!(
            !cmdline.contains("ab_ba.py"),
            "process {pid} survived: {cmdline}"
        );
    }
}
