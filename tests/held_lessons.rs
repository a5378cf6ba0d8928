//! Pausing, beats and steps never change what a lesson prints (issue 19,
//! section 3). Each lesson whose output does not depend on chance runs
//! three times, each recorded:
//!
//! * headless: nobody holds it;
//! * on the live screen (tmux), beat by beat: the test goes on from each
//!   beat and question (→) after a random wait, and presses space at
//!   random moments to pause the run for a random time, then again;
//! * on the live screen at free pace: in step mode from the start (as
//!   after `s`), every process holding, then free (`a`) after a random
//!   time; step mode on and off again at random moments while it runs.
//!
//! Each process's own output (what it wrote to stdout and stderr, PIDs
//! replaced by process names) must be the same bytes in all three. The
//! order of two processes' writes at the same moment is chance in Python
//! too, so it is not compared; everything a process prints (and whether
//! it printed it before it was stopped) is.
//!
//! The lessons compared, with default settings: isolated-globals,
//! chunked-map (main's chunksize and result lines), lock-vs-garbled (each
//! process's lines; their garbling is chance), semaphore-producer-consumer
//! (what each producer and consumer did in main's 8 seconds), daemon-join
//! (the daemonic children die after their first line), ticket-race (every
//! buyer reads before any writes: its think time), start-methods and
//! condition. Left out, because one run differs from the next in plain
//! Python too: manager-dict and value-array (how many updates are lost),
//! queue-pipe and joinable-queue (which process takes which item),
//! apply-async-callbacks (callbacks in the order tasks end),
//! maxtasksperchild (the order its report lists the workers in) and
//! terminate-is-alive (`is_alive()` right after `terminate()` races the
//! signal).
//!
//! The waits are random; the verdict compares bytes, never a time.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::tmux::*;
use common::Dice;
use forklore::explore::driver::names;
use forklore::model::{stable_name, Model};
use forklore::protocol::{Body, WriteBytes};

/// How long one run may take on a loaded machine before the test gives up.
const PATIENCE: Duration = Duration::from_secs(180);

/// Each process's stdout and stderr in a recording, by process name and
/// fd, with every PID of the run in the text replaced by its name.
fn streams(recording: &Path) -> BTreeMap<String, String> {
    let events = forklore::record::read(recording).expect("the recording reads");
    let model = Model::from_events(&events);
    let mut bytes: BTreeMap<(i32, u8), Vec<u8>> = BTreeMap::new();
    for e in &events {
        if let (Body::Write { fd, .. }, Some(b)) = (&e.body, e.body.write_bytes()) {
            bytes.entry((e.pid, *fd)).or_default().extend_from_slice(&b);
        }
    }
    bytes
        .into_iter()
        .map(|((pid, fd), b)| {
            let key = format!("{} fd {fd}", stable_name(&model, pid));
            (key, names(&model, &String::from_utf8_lossy(&b)))
        })
        .collect()
}

fn headless(slug: &str, rec: &Path) {
    let out = common::forklore()
        .args(["lesson", slug, "--headless", "--record"])
        .arg(rec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{slug}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The header line of the screen.
fn header(t: &Tmux) -> String {
    t.screen().lines().next().unwrap_or("").to_string()
}

/// Beat by beat, with pauses: → after a random wait at every hold, and
/// space at random moments (pause, then space again after a random time).
/// The number of pauses made.
fn with_beats_and_pauses(slug: &str, rec: &Path, dice: &mut Dice) -> usize {
    let args = format!("lesson {slug} --record {}", rec.display());
    let t = Tmux::start(&format!("beats-{slug}"), &in_shell("", &args));
    forklore_pid(&t);
    let deadline = Instant::now() + PATIENCE;
    let mut pauses = 0;
    loop {
        assert!(Instant::now() < deadline, "{slug} never finished");
        let head = header(&t);
        if head.contains("finished") {
            break;
        }
        if head.contains("waiting for →") || head.contains("answer 1–") {
            std::thread::sleep(dice.millis(100, 1500));
            t.keys("Right");
        } else if head.contains("PAUSED") {
            // Our own pause (a hold says which beat): go on.
            t.keys("Space");
        } else if head.contains("running") && dice.below(3) == 0 {
            t.keys("Space");
            pauses += 1;
            std::thread::sleep(dice.millis(300, 2500));
        }
        std::thread::sleep(dice.millis(50, 400));
    }
    quit(&t);
    pauses
}

/// At free pace: in step mode from the start (`--step`: every process
/// holds at its first checkpoint, as after `s`), all let go (`a`) a random
/// time later, then step mode on and off again (`s`, `a`) at random
/// moments while the run lasts.
fn stepped_then_free(slug: &str, rec: &Path, dice: &mut Dice) {
    let args = format!(
        "lesson {slug} --step --pace free --no-predict --record {}",
        rec.display()
    );
    let t = Tmux::start(&format!("step-{slug}"), &in_shell("", &args));
    forklore_pid(&t);
    wait_for(
        "a process held",
        60,
        || {
            let h = header(&t);
            h.contains("at a checkpoint") && !h.contains(" 0 at a checkpoint")
        },
        &t,
    );
    std::thread::sleep(dice.millis(300, 2000));
    t.keys("a");
    for _ in 0..3 {
        std::thread::sleep(dice.millis(100, 1000));
        if header(&t).contains("finished") {
            break;
        }
        t.keys("s");
        std::thread::sleep(dice.millis(300, 2000));
        t.keys("a");
    }
    wait_for(
        &format!("{slug} to finish"),
        PATIENCE.as_secs(),
        || header(&t).contains("finished"),
        &t,
    );
    quit(&t);
}

/// The lesson's output per process, headless, with beats and pauses, and
/// stepped, is the same.
fn never_changed_by_holding(slug: &str) {
    let mut dice = Dice::new();
    let seed = dice.seed();
    let dir = tempfile::tempdir().unwrap();
    let (plain, beats, step) = (
        dir.path().join("headless.jsonl"),
        dir.path().join("beats.jsonl"),
        dir.path().join("step.jsonl"),
    );
    headless(slug, &plain);
    let pauses = with_beats_and_pauses(slug, &beats, &mut dice);
    stepped_then_free(slug, &step, &mut dice);
    let unheld = streams(&plain);
    assert!(!unheld.is_empty(), "{slug} printed nothing");
    assert_eq!(
        streams(&beats),
        unheld,
        "{slug} at its beats, paused {pauses} times (seed {seed})"
    );
    assert_eq!(
        streams(&step),
        unheld,
        "{slug}: step mode on, then off (seed {seed})"
    );
}

#[test]
fn isolated_globals() {
    never_changed_by_holding("isolated-globals");
}

#[test]
fn chunked_map() {
    never_changed_by_holding("chunked-map");
}

#[test]
fn lock_vs_garbled() {
    never_changed_by_holding("lock-vs-garbled");
}

#[test]
fn semaphore_producer_consumer() {
    never_changed_by_holding("semaphore-producer-consumer");
}

#[test]
fn daemon_join() {
    never_changed_by_holding("daemon-join");
}

#[test]
fn ticket_race() {
    never_changed_by_holding("ticket-race");
}

#[test]
fn start_methods() {
    never_changed_by_holding("start-methods");
}

#[test]
fn condition() {
    never_changed_by_holding("condition");
}
