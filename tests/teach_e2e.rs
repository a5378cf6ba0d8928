//! Teaching on the live screen, end to end in tmux: the run holds at each
//! narration beat until the teacher goes on, and a prediction is checked
//! against the value the real run produced.

mod common;

use std::time::{Duration, Instant};

use common::gone_within;
use common::tmux::*;
use forklore::lesson::facts::facts;
use forklore::model::Model;

/// The run's main python under forklore (0 while there is none).
fn run_root(forklore: i32) -> i32 {
    children_of(forklore)
        .into_iter()
        .find(|c| c.1.starts_with("python"))
        .map_or(0, |c| c.0)
}

/// Every live process of the run, once they are all stopped (T).
fn all_stopped(root: i32) -> Option<Vec<i32>> {
    let members = if root != 0 { group(root) } else { vec![] };
    let stopped = !members.is_empty() && members.iter().all(|(_, s)| *s == 'T');
    stopped.then(|| members.iter().map(|m| m.0).collect())
}

/// Wait until the header says the run holds at `beat` and every process
/// of the run is stopped; then check they stay stopped (nothing goes on
/// before the teacher does). The stopped processes.
fn held_at(t: &Tmux, forklore: i32, beat: &str) -> Vec<i32> {
    let header = format!("beat {beat} · waiting for →");
    let mut pids = Vec::new();
    wait_for(
        &format!("the run held at beat {beat}, every process stopped (T)"),
        20,
        || {
            let on_screen = t.screen().lines().next().unwrap_or("").contains(&header);
            pids = all_stopped(run_root(forklore)).unwrap_or_default();
            on_screen && !pids.is_empty()
        },
        t,
    );
    let until = Instant::now() + Duration::from_millis(600);
    while Instant::now() < until {
        let still = all_stopped(run_root(forklore));
        assert!(
            still.as_ref().is_some_and(|p| p.len() >= pids.len()),
            "at beat {beat} the run went on without the teacher: {still:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    pids
}

#[test]
fn the_picker_opens_a_lesson_beat_by_beat_and_quitting_mid_beat_leaves_nothing() {
    let t = Tmux::start("beats", &in_shell("", "--no-predict"));
    wait_for("the picker", 10, || t.screen().contains("Lessons"), &t);
    t.keys("6"); // daemon-join
    t.keys("Enter");
    let forklore = forklore_pid(&t);
    let first = held_at(&t, forklore, "1/5");
    // The hold is a SIGSTOP sent once forklore has read main's first
    // events: main may have started a child or two by then, but main is
    // among the stopped, and nothing more starts while held (held_at).
    let root = run_root(forklore);
    assert!(
        first.contains(&root),
        "main {root} held at beat 1: {first:?}"
    );
    t.keys("Right");
    let second = held_at(&t, forklore, "2/5");
    assert!(second.len() >= 2, "a child was spawned: {second:?}");
    t.keys("Space"); // space goes on too
    let third = held_at(&t, forklore, "3/5");
    assert!(
        t.screen().contains("Narration · 3/5"),
        "the narration shows beat 3"
    );
    // ← shows beat 2's text again; the run stays held.
    t.keys("Left");
    wait_for(
        "beat 2's text again",
        10,
        || {
            t.screen()
                .contains("Narration · 2/5 · earlier beat, → back to 3")
        },
        &t,
    );
    assert!(all_stopped(run_root(forklore)).is_some(), "still held");
    quit(&t);
    for pid in third {
        assert!(gone_within(pid, 5), "pid {pid} survived quitting at a beat");
    }
}

#[test]
fn a_prediction_is_checked_against_the_real_runs_value() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("run.jsonl");
    let args = format!(
        "lesson lock-vs-garbled --pace free --record {}",
        rec.display()
    );
    let t = Tmux::start("predict", &in_shell("", &args));
    let forklore = forklore_pid(&t);
    wait_for(
        "the first question, the run stopped",
        20,
        || {
            let s = t.screen();
            s.contains("How many writes does one line make")
                && s.contains("answer 1–3")
                && all_stopped(run_root(forklore)).is_some()
        },
        &t,
    );
    t.keys("3"); // 5 writes: one per flushed piece
    wait_for(
        "the second question",
        20,
        || t.screen().contains("answer 1–4"),
        &t,
    );
    t.keys("1"); // no garbled line
    wait_for(
        "the verdicts at the end",
        30,
        || t.screen().contains("of 2 predicted"),
        &t,
    );
    let screen = t.screen();
    quit(&t);

    let events = forklore::record::read(&rec).expect("the recording");
    let real = facts(&Model::from_events(&events), &[]);
    let (writes, garbled) = (&real["writes_per_line"], &real["garbled"]);
    let verdict = |right: bool, fact: &str, value: &str| {
        let head = if right {
            "✔ Right"
        } else {
            "✘ Not this time"
        };
        format!("{head}: {fact} = {value} →")
    };
    let first_right = writes == "5";
    let second_right = garbled == "0";
    for line in [
        verdict(first_right, "writes_per_line", writes),
        verdict(second_right, "garbled", garbled),
        format!(
            "{} of 2 predicted",
            usize::from(first_right) + usize::from(second_right)
        ),
    ] {
        assert!(screen.contains(&line), "`{line}` not on screen:\n{screen}");
    }
}

/// Every process of every python run forklore has going.
fn all_runs(forklore: i32) -> Vec<i32> {
    children_of(forklore)
        .into_iter()
        .filter(|c| c.1.starts_with("python"))
        .flat_map(|c| group(c.0))
        .map(|m| m.0)
        .collect()
}

#[test]
fn r_runs_the_lesson_many_times_and_quitting_stops_them_all() {
    let args = "lesson daemon-join --pace free --no-predict --set join=true";
    let t = Tmux::start("repeat-key", &in_shell("", args));
    let forklore = forklore_pid(&t);
    wait_for("the lesson's run", 20, || run_root(forklore) != 0, &t);
    t.keys("R");
    let mut pids = Vec::new();
    wait_for(
        "runs of the batch beside the lesson's own",
        20,
        || {
            pids = all_runs(forklore);
            let roots = children_of(forklore)
                .iter()
                .filter(|c| c.1.starts_with("python"))
                .count();
            roots >= 2 && t.screen().contains("of 50 runs")
        },
        &t,
    );
    quit(&t);
    for pid in pids {
        assert!(gone_within(pid, 5), "pid {pid} survived quitting");
    }
}

#[test]
fn repeat_shows_the_histogram_with_this_run_marked() {
    let args = "lesson lock-vs-garbled --pace free --no-predict --set lock=true --repeat 3";
    let t = Tmux::start("repeat-flag", &in_shell("", args));
    wait_for(
        "3 runs counted, this run marked",
        30,
        || {
            let s = t.screen();
            s.contains("3 of 3 runs") && s.contains("◀ this run")
        },
        &t,
    );
    let screen = t.screen();
    // With the lock every run garbles nothing: one bar, all 3 runs.
    assert!(
        screen.contains("3 runs · garbled output lines (garbled)"),
        "{screen}"
    );
    assert!(
        screen.contains("0 │") && screen.contains(" 3  ◀ this run"),
        "{screen}"
    );
    quit(&t);
}
