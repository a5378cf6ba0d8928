//! Schedules replayed on real processes: the processes pass their
//! checkpoints in exactly the order a schedule names, under every start
//! method, every time, so a race happens on demand.

mod common;

use std::path::Path;

use common::{
    dunder_calls, each_method_times, fixture, forklore, run_headless, usage_error, Headless,
};
use forklore::protocol::Body;
use forklore::schedule::Schedule;

/// Runs per start method: the "10 of 10".
const RUNS: usize = 10;

fn schedule(name: &str) -> String {
    fixture(&format!("schedules/{name}.schedule"))
        .display()
        .to_string()
}

/// `script` replayed under `schedule` RUNS times under each start method
/// (the methods side by side): `(method, run)`.
fn replayed(script: &str, name: &str) -> Vec<(String, Headless)> {
    let schedule = schedule(name);
    let script = fixture(script);
    let flags = ["--schedule", schedule.as_str()];
    each_method_times(RUNS, 1, |m| run_headless(&script, &flags, &[m]))
}

/// Steps as (who, op, object), without their line numbers.
fn triples(s: Schedule) -> Vec<(String, String, Option<String>)> {
    s.steps.into_iter().map(|s| (s.who, s.op, s.obj)).collect()
}

/// The steps a run took as the schedule names them.
fn steps_taken(run: &Headless) -> Vec<(String, String, Option<String>)> {
    triples(Schedule::of_events(&run.events))
}

fn schedule_steps(name: &str) -> Vec<(String, String, Option<String>)> {
    triples(Schedule::load(Path::new(&schedule(name))).unwrap())
}

#[test]
fn two_reads_before_two_writes_lose_an_update_every_time() {
    let expected = schedule_steps("lost_update");
    for (method, run) in replayed("decrement.py", "lost_update") {
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        // Without the schedule both decrements usually land: 0.
        assert_eq!(
            run.stdout(),
            "final 1\n",
            "{method}: the update was not lost"
        );
        assert_eq!(steps_taken(&run), expected, "{method}: steps as scheduled");
        // The server saw both reads before either write, and both read 2.
        let calls = dunder_calls(&run.events);
        let first_four: Vec<&str> = calls.iter().take(4).map(|c| c.0.as_str()).collect();
        assert_eq!(
            first_four,
            ["__getitem__", "__getitem__", "__setitem__", "__setitem__"],
            "{method}: {calls:?}"
        );
        assert!(calls[..2].iter().all(|c| c.1 == "2"), "{method}: {calls:?}");
    }
}

#[test]
fn interleaved_writes_garble_the_lines_every_time() {
    for (method, run) in replayed("greeters.py", "garbled") {
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        assert_eq!(
            run.stdout(),
            "process 1 says helloprocess 2 says hello\n\n",
            "{method}"
        );
    }
}

#[test]
fn locks_taken_crosswise_deadlock_every_time_and_the_run_is_stopped() {
    for (method, run) in replayed("ab_ba.py", "deadlock") {
        assert_eq!(
            run.code(),
            Some(forklore::headless::DEADLOCK_STATUS),
            "{method}: {}",
            run.stderr()
        );
        let err = run.stderr();
        assert!(err.contains("deadlock"), "{method}: {err}");
        assert!(
            err.contains("Process-1") && err.contains("holds lock_a") && err.contains("lock_b"),
            "{method}: the wait-for graph names both: {err}"
        );
        assert!(!run.stdout().contains("got both"), "{method}");
        let ended = run
            .events
            .iter()
            .any(|e| matches!(e.body, Body::RunEnd { .. }));
        assert!(ended, "{method}: the run was stopped and ended");
        // Every process of the run was reaped: each started one exited.
        let started: Vec<i32> = run.of_kind("proc_start").map(|e| e.pid).collect();
        for pid in started {
            let gone = run.events.iter().any(|e| {
                matches!(e.body, Body::ProcExit { .. } | Body::ProcGone {}) && e.pid == pid
            });
            assert!(gone, "{method}: process {pid} was not seen to end");
        }
    }
}

#[test]
fn a_schedule_the_program_does_not_follow_says_where_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.schedule");
    std::fs::write(
        &wrong,
        "MainProcess start Process-1\nProcess-1 acquire lock_a\n",
    )
    .unwrap();
    let flags = ["--schedule", wrong.to_str().unwrap()];
    let run = run_headless(&fixture("greeters.py"), &flags, &["fork"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let err = run.stderr();
    assert!(
        err.contains("schedule diverged at step 2 (Process-1 acquire lock_a)")
            && err.contains("wants to print stdout"),
        "{err}"
    );
    // Both lines whole or interleaved, but both written: the run went on.
    assert_eq!(run.stdout().matches("says hello").count(), 2);
}

#[test]
fn a_bad_schedule_is_refused_naming_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.schedule");
    std::fs::write(
        &bad,
        "# a comment\nMainProcess start Process-1\nProcess-1\n",
    )
    .unwrap();
    let msg = usage_error(
        forklore()
            .args(["run", "--headless", "--schedule"])
            .arg(&bad)
            .arg(fixture("greeters.py")),
    );
    assert!(
        msg.contains(&format!("{}:3:", bad.display())) && msg.contains("Process-1"),
        "{msg}"
    );
    let missing = usage_error(
        forklore()
            .args(["run", "--headless", "--schedule", "/nonexistent/x.schedule"])
            .arg(fixture("greeters.py")),
    );
    assert!(
        msg.contains("schedule") && missing.contains("/nonexistent/x.schedule"),
        "{missing}"
    );
}

#[test]
fn step_mode_needs_the_screen() {
    let msg = usage_error(
        forklore()
            .args(["run", "--headless", "--step"])
            .arg(fixture("greeters.py")),
    );
    assert!(msg.contains("--step needs the screen"), "{msg}");
}

/// A put let go completes once its item is in the queue's pipe (not only
/// in the feeder thread's buffer), so a get let go right after finds it.
#[test]
fn a_get_right_after_a_put_finds_the_item_every_time() {
    for (method, run) in replayed("queue_handoff.py", "handoff") {
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        // (After the schedule the two prints run freely and may interleave.)
        let out = run.stdout();
        assert!(
            out.contains("got") && out.contains("5000000") && !out.contains("empty"),
            "{method}: {out}"
        );
    }
}
