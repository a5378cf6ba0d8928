//! The races the lessons bundle (`lessons/NN-slug/race.schedule`),
//! replayed on real processes: the lesson's script under its schedule,
//! RUNS times under each of fork, spawn and forkserver (the methods side
//! by side), must end with the race's real outcome every time, having
//! taken exactly the schedule's steps. `forklore lesson` has no start
//! method flag, so these run the lesson's script with `forklore run
//! --start-method M --schedule lessons/NN-slug/race.schedule` (the file
//! `--schedule race` names); one test runs the lesson command itself.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use common::{
    dunder_calls, each_method_times, forklore, real_python, run_lesson_under, usage_error,
    Headless, METHODS,
};
use forklore::lesson::facts::facts;
use forklore::model::Model;
use forklore::protocol::{Body, QueueOp, SyncOp};
use forklore::schedule::Schedule;

/// Runs per start method: 10 of 10.
const RUNS: usize = 10;

fn race_file(folder: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("lessons")
        .join(folder)
        .join("race.schedule")
}

/// The lesson's script replaying its race RUNS times under each start
/// method, with the script's flags `args`: `(method, run)`. Each method
/// has `lanes` threads taking turns at its runs (more than 1 for a lesson
/// that mostly sleeps). Each run must exit 0 and take exactly the
/// schedule's steps.
fn raced(folder: &str, args: &[&str], lanes: usize) -> Vec<(String, Headless)> {
    let file = race_file(folder);
    let schedule = Schedule::load(&file).unwrap();
    let file = file.to_str().unwrap();
    // As `forklore lesson` runs it: with the manifest's `lines = true`.
    let flags = ["--lines", "--python", real_python(), "--schedule", file];
    let runs = each_method_times(RUNS, lanes, |m| run_lesson_under(folder, m, &flags, args));
    assert_eq!(runs.len(), RUNS * METHODS.len());
    for (method, run) in &runs {
        assert_took(&schedule, run, &format!("{folder} {method}"));
    }
    runs
}

/// The run's chosen (not automatic) steps are the schedule's, as the
/// scheduler matches them: the same process and operation, and the same
/// object where both name one (an object the run could not name yet, like
/// a semaphore nobody has touched, matches any).
fn assert_took(schedule: &Schedule, run: &Headless, what: &str) {
    let ran = Schedule::of_events(&run.events);
    let taken: Vec<(&str, &str, Option<&str>)> = ran
        .steps
        .iter()
        .map(|s| (s.who.as_str(), s.op.as_str(), s.obj.as_deref()))
        .collect();
    let listed: Vec<(&str, &str, Option<&str>)> = schedule
        .steps
        .iter()
        .map(|s| (s.who.as_str(), s.op.as_str(), s.obj.as_deref()))
        .collect();
    let same = taken.len() == listed.len()
        && taken.iter().zip(&listed).all(|(t, l)| {
            t.0 == l.0
                && t.1 == l.1
                && match (t.2, l.2) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                }
        });
    assert!(
        same,
        "{what}: steps taken {taken:#?}\nschedule {listed:#?}\n{}",
        run.stderr()
    );
    assert!(
        !run.stderr().contains("schedule"),
        "{what}: {}",
        run.stderr()
    );
}

/// The PID each process name had in this run (from its steps).
fn pids(run: &Headless) -> HashMap<String, i32> {
    run.events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Step { who, .. } => Some((who.clone(), e.pid)),
            _ => None,
        })
        .collect()
}

#[test]
fn manager_dict_race_loses_an_update_every_time() {
    // Two children, not the lesson's 100 (100 spawned interpreters take
    // ~20 s a run on 2 cores): the race is in the first two either way,
    // and with two the outcome is exact.
    for (method, run) in raced("05-manager-dict", &["--processes", "2"], 1) {
        let out = run.stdout();
        let lost: u64 = out
            .lines()
            .find_map(|l| l.strip_prefix("lost updates: "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{method}: {out}"));
        assert_eq!(lost, 1, "{method}: both wrote 1: {out}");
        // Counted by forklore from the real get/set calls, the same.
        let model = Model::from_events(&run.events);
        assert_eq!(model.managers.lost_updates(), lost, "{method}: {out}");
        assert_eq!(facts(&model, &[])["lost_updates"], lost.to_string());
        // The server saw both reads (of 2) before either write (of 1).
        let calls = dunder_calls(&run.events);
        assert_eq!(
            calls[..4].iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
            ["__getitem__", "__getitem__", "__setitem__", "__setitem__"],
            "{method}: {calls:?}"
        );
        assert!(calls[..2].iter().all(|c| c.1 == "2"), "{method}: {calls:?}");
    }
}

#[test]
fn value_array_race_loses_an_increment_every_time() {
    // One increment each: the schedule decides every step of it.
    let args = ["--processes", "2", "--increments", "1"];
    for (method, run) in raced("15-value-array", &args, 1) {
        let out = run.stdout();
        assert!(
            out.starts_with("counter: 1 of 2 expected"),
            "{method}: {out}"
        );
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["lost_increments"], "1", "{method}: from the events");
    }
}

#[test]
fn lock_vs_garbled_race_garbles_the_first_line_every_time() {
    for (method, run) in raced("03-lock-vs-garbled", &[], 1) {
        let out = run.stdout();
        // Process-1's first piece, then Process-2's, on the same line.
        let who = pids(&run);
        let (one, two) = (who["Process-1"], who["Process-2"]);
        let start = format!("Pid: {one} LoopCount: 0 Pid: {two} LoopCount: 0 ");
        assert!(out.starts_with(&start), "{method}: {out}");
        let writes: Vec<(i32, String)> = run
            .events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Write { fd: 1, text, .. } => Some((e.pid, text.clone())),
                _ => None,
            })
            .take(2)
            .collect();
        let first = |pid: i32| (pid, format!("Pid: {pid} LoopCount: 0 "));
        assert_eq!(writes, [first(one), first(two)], "{method}: {out}");
        let garbled: u64 = facts(&Model::from_events(&run.events), &[])["garbled"]
            .parse()
            .unwrap();
        assert!(garbled >= 1, "{method}: {out}");
        // Every line was still written: 5 processes × 10.
        assert_eq!(out.matches("LoopCount:").count(), 50, "{method}: {out}");
        assert_eq!(out.matches(" done").count(), 50, "{method}: {out}");
    }
}

#[test]
fn semaphore_race_blocks_the_producer_with_both_slots_full_every_time() {
    // Main's 8 s are not part of the race: 1 s keeps 30 runs short, and
    // runs that mostly sleep can go two at a time per method.
    let args = ["--seconds", "1"];
    for (method, run) in raced("04-semaphore-producer-consumer", &args, 2) {
        let who = pids(&run);
        let (producer, consumer) = (who["Process-1"], who["Process-2"]);
        let out = run.stdout();
        let lines: Vec<&str> = out.lines().take(3).collect();
        assert_eq!(
            lines,
            [
                format!("Pid: {producer} produced p0-0"),
                format!("Pid: {producer} produced p0-1"),
                format!("Pid: {consumer} consumed p0-0"),
            ],
            "{method}: {out}"
        );
        // In events: the producer's third empty.acquire() blocked with
        // two items in the buffer and none taken; it returned only after
        // the consumer took one and released `empty`.
        let (mut in_buffer, mut blocked_at, mut freed) = (0, None, false);
        for e in &run.events {
            match &e.body {
                Body::Queue { op, size, .. } if e.pid == producer => {
                    if matches!(op, QueueOp::Put | QueueOp::PutDone) {
                        in_buffer = size.unwrap_or(in_buffer);
                    }
                }
                Body::Queue {
                    op: QueueOp::Get, ..
                } => {
                    assert!(blocked_at.is_some(), "{method}: a get before the block");
                }
                Body::Sync { name, op, .. } if name.as_deref() == Some("empty") => match op {
                    SyncOp::Blocked if e.pid == producer && blocked_at.is_none() => {
                        blocked_at = Some(in_buffer);
                    }
                    SyncOp::Released if e.pid == consumer && blocked_at.is_some() => {
                        freed = true;
                    }
                    SyncOp::Acquired if e.pid == producer && blocked_at.is_some() => {
                        assert!(freed, "{method}: acquired before a slot was freed");
                        break;
                    }
                    _ => {}
                },
                _ => {}
            }
        }
        assert_eq!(blocked_at, Some(2), "{method}: blocked with 2 items in");
        assert!(freed, "{method}: the consumer freed a slot");
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["queue_peak"], "2", "{method}: never more than the slots");
    }
}

/// `forklore lesson SLUG --headless --schedule race`: the bundled name,
/// the lesson's defaults (but main's 8 s of the semaphore lesson: 1), the
/// platform's start method.
#[test]
fn the_lesson_command_replays_the_bundled_race_by_name() {
    let slugs = [
        ("manager-dict", "processes=100"),
        ("lock-vs-garbled", "processes=5"),
        ("semaphore-producer-consumer", "seconds=1"),
        ("value-array", "processes=4"),
    ];
    let outputs: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = slugs
            .iter()
            .map(|(slug, set)| {
                s.spawn(move || {
                    let args = ["lesson", slug, "--headless", "--schedule", "race"];
                    forklore()
                        .args(args)
                        .args(["--python", real_python(), "--set", set])
                        .output()
                        .unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for ((slug, _), out) in slugs.iter().zip(outputs) {
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        assert_eq!(out.status.code(), Some(0), "{slug}: {stderr}");
        assert!(!stderr.contains("schedule"), "{slug}: {stderr}");
        let ok = match *slug {
            "manager-dict" => !stdout.contains("lost updates: 0\n"),
            "lock-vs-garbled" => {
                let first = stdout.lines().next().unwrap_or_default();
                first.matches("LoopCount: 0").count() >= 2
            }
            "value-array" => {
                let n: Vec<u64> = stdout
                    .split_whitespace()
                    .filter_map(|w| w.parse().ok())
                    .take(2)
                    .collect();
                n.len() == 2 && n[0] < n[1]
            }
            _ => stdout
                .lines()
                .nth(1)
                .is_some_and(|l| l.ends_with("produced p0-1")),
        };
        assert!(ok, "{slug}: {stdout}");
    }
}

#[test]
fn a_schedule_the_lesson_does_not_bundle_is_refused_listing_the_ones_it_does() {
    let msg = usage_error(forklore().args([
        "lesson",
        "manager-dict",
        "--headless",
        "--schedule",
        "nosuch",
    ]));
    assert!(
        msg.contains("no schedule `nosuch`") && msg.contains("its schedules: race"),
        "{msg}"
    );
    let msg =
        usage_error(forklore().args(["lesson", "chunked-map", "--headless", "--schedule", "race"]));
    assert!(msg.contains("it bundles none"), "{msg}");
    let msg = usage_error(forklore().args([
        "lesson",
        "manager-dict",
        "--headless",
        "--schedule",
        "race",
        "--repeat",
        "3",
    ]));
    assert!(msg.contains("use one or the other"), "{msg}");
}

#[test]
fn a_lessons_folder_schedule_that_does_not_parse_is_refused_with_its_file_and_line() {
    let root = tempfile::tempdir().unwrap();
    let lesson = root.path().join("01-garbled");
    std::fs::create_dir(&lesson).unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/03-lock-vs-garbled");
    for name in ["lesson.toml", "main.py"] {
        std::fs::copy(from.join(name), lesson.join(name)).unwrap();
    }
    let bad = lesson.join("race.schedule");
    std::fs::write(
        &bad,
        "# two steps, the second without its operation\nMainProcess start Process-1\nProcess-1\n",
    )
    .unwrap();
    let msg = usage_error(forklore().arg("--lessons").arg(root.path()).args([
        "lesson",
        "lock-vs-garbled",
        "--headless",
        "--schedule",
        "race",
    ]));
    assert!(msg.contains(&format!("{}:3:", bad.display())), "{msg}");
}
