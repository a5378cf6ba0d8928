//! Step mode end to end in tmux: `s` on a live run holds every
//! process at a checkpoint (on screen, and really: each is blocked in a
//! read of its gate), the digits let one process go at a time while the
//! others stay where they are, `u` takes a step back in a new run, and
//! quitting leaves nothing behind.

mod common;

use std::collections::BTreeMap;

use common::gone_within;
use common::tmux::*;

/// The rows of processes holding at a checkpoint: pid → (number, what).
fn holding(screen: &str) -> BTreeMap<i32, (u32, String)> {
    let mut rows = BTreeMap::new();
    for line in screen.lines() {
        let Some(at) = line.find("] ▸ ") else {
            continue;
        };
        let Some(open) = line[..at].rfind('[') else {
            continue;
        };
        let pid = line[..open]
            .split(|c: char| !c.is_ascii_digit())
            .rfind(|w| !w.is_empty())
            .and_then(|w| w.parse().ok());
        let number = line[open + 1..at].parse().ok();
        // Up to its line number, or to the panel's edge when the row is
        // cut before it (the next panel's text is on the same line).
        let what = line[at + "] ▸ ".len()..]
            .split(" · ")
            .next()
            .and_then(|w| w.split('│').next())
            .unwrap_or("")
            .trim_end()
            .to_string();
        if let (Some(pid), Some(n)) = (pid, number) {
            rows.insert(pid, (n, what));
        }
    }
    rows
}

/// The process really waits for forklore: asleep in a read(2) (its gate).
fn blocked_in_read(pid: i32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit(')')
        .next()
        .and_then(|s| s.split_whitespace().next());
    let syscall = std::fs::read_to_string(format!("/proc/{pid}/syscall")).unwrap_or_default();
    let wchan = std::fs::read_to_string(format!("/proc/{pid}/wchan")).unwrap_or_default();
    state == Some("S") && (syscall.starts_with("0 ") || wchan.contains("pipe_read"))
}

/// Wait until `n` or more processes hold, and return them.
fn wait_holding(t: &Tmux, n: usize, what: &str) -> BTreeMap<i32, (u32, String)> {
    let mut rows = BTreeMap::new();
    wait_for(
        what,
        20,
        || {
            rows = holding(&t.screen());
            rows.len() >= n
        },
        t,
    );
    rows
}

/// Wait until `n` or more processes hold and the set holding stays the
/// same for half a second (everyone who will hold has arrived).
fn wait_settled(t: &Tmux, n: usize, what: &str) -> BTreeMap<i32, (u32, String)> {
    let mut rows = wait_holding(t, n, what);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        std::thread::sleep(std::time::Duration::from_millis(500));
        let now = holding(&t.screen());
        if now.keys().eq(rows.keys()) {
            return now;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never settled: {what}"
        );
        rows = now;
    }
}

/// The children never sleep: whenever `s` comes, each is about to write.
/// (A process asleep when step mode comes on stays asleep while the
/// others hold, as the run's time stands still: held_lessons.rs.)
#[test]
fn step_mode_on_a_run_steps_one_process_and_undoes() {
    let script = common::fixture("chatty_children.py");
    let t = Tmux::start(
        "stepping",
        &in_shell("", &format!("run {}", script.display())),
    );
    forklore_pid(&t);
    wait_for("the children", 20, || t.screen().contains("Process-3"), &t);
    t.keys("s");
    wait_for("step mode", 10, || t.screen().contains("STEP MODE"), &t);
    // The three children each hold at their next write (main too, unless
    // it was already waiting in join()).
    let held = wait_settled(&t, 3, "every process at a checkpoint");
    for pid in held.keys() {
        assert!(
            blocked_in_read(*pid),
            "{pid} holds but is not blocked in a read"
        );
    }
    // Three steps of the last child (it counts to 4: a print, a sleep, a
    // print…): it moves; the others stay.
    let mut before = held;
    let (&chosen, &(number, _)) = before.iter().max_by_key(|(_, (n, _))| *n).unwrap();
    for step in 1..=3 {
        t.keys(&number.to_string());
        let mut now = BTreeMap::new();
        // Taken once it holds at its next checkpoint (after a sleep, a
        // second later): until then its row still shows the step it took.
        wait_for(
            &format!("step {step} taken"),
            20,
            || {
                now = holding(&t.screen());
                t.screen().contains(&format!("step {step}: "))
                    && now.get(&chosen).is_some_and(|at| at.1 != before[&chosen].1)
                    && now.len() == before.len()
            },
            &t,
        );
        for (pid, (_, what)) in &before {
            if *pid != chosen {
                assert_eq!(&now[pid].1, what, "{pid} moved without a step");
                assert!(blocked_in_read(*pid), "{pid} is not held in a read");
            }
        }
        before = now;
    }
    // Undo: step mode began mid-run, which no replay can bring back: the
    // program starts again, in step mode from its first checkpoint.
    t.keys("u");
    wait_for(
        "the undo",
        30,
        || t.screen().contains("back after step 0: your turn"),
        &t,
    );
    let fresh = wait_holding(&t, 1, "main held at its first checkpoint");
    assert!(
        fresh.keys().all(|p| !before.contains_key(p)),
        "a new run: {fresh:?}"
    );
    for pid in before.keys() {
        assert!(
            gone_within(*pid, 5),
            "{pid} of the first run survived the undo"
        );
    }
    // Now stepped from the start, an undo is exact: main starts three
    // children, one step each; undo brings it back to before the third.
    for step in 1..=3 {
        t.keys("1");
        wait_for(
            &format!("start {step}"),
            20,
            || t.screen().contains(&format!("step {step}: MainProcess")),
            &t,
        );
    }
    wait_holding(&t, 4, "main and its three children held");
    t.keys("u");
    wait_for(
        "the exact undo",
        30,
        || t.screen().contains("back after step 2: your turn"),
        &t,
    );
    let again = wait_holding(&t, 3, "main and two children held");
    let main_row = again.values().find(|(n, _)| *n == 1).map(|r| r.1.clone());
    assert_eq!(main_row.as_deref(), Some("Process-3.start()"), "{again:?}");
    assert_eq!(
        again.len(),
        3,
        "the third child is not started again: {again:?}"
    );
    for pid in again.keys() {
        assert!(blocked_in_read(*pid), "{pid} is not held in a read");
    }
    quit(&t);
    for pid in again.keys() {
        assert!(
            gone_within(*pid, 5),
            "pid {pid} survived quitting in step mode"
        );
    }
}

/// `x` explores the lesson as it is set; Enter on an outcome replays its
/// shortest schedule on the screen, and it ends in that outcome.
#[test]
fn x_explores_the_lesson_and_enter_replays_an_outcome() {
    let t = Tmux::start(
        "explore",
        &in_shell(
            "",
            "lesson manager-dict --pace free --no-predict --set processes=2",
        ),
    );
    forklore_pid(&t);
    wait_for(
        "the first run's end",
        30,
        || t.screen().contains("finished"),
        &t,
    );
    t.keys("x");
    wait_for(
        "every order explored",
        60,
        || t.screen().contains("4 schedules (complete): 2 outcomes"),
        &t,
    );
    let screen = t.screen();
    assert!(
        screen.contains("lost_updates = 0") && screen.contains("lost_updates = 1"),
        "{screen}"
    );
    // The outcomes are listed in the order found: choose the lost update.
    let lost_second = screen.find("lost_updates = 1") > screen.find("lost_updates = 0");
    if lost_second {
        t.keys("Down");
    }
    t.keys("Enter");
    wait_for(
        "the replayed run's end",
        30,
        || {
            let s = t.screen();
            s.contains("schedule done") && s.contains("1 lost updates")
        },
        &t,
    );
    quit(&t);
}

/// `forklore explore SCRIPT` without --headless: the live screen runs the
/// script and shows every order's outcomes.
#[test]
fn explore_opens_the_live_screen_with_the_outcomes() {
    let script = common::fixture("decrement.py");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("found");
    let args = format!(
        "explore --max-schedules 50 --out {} {}",
        out.display(),
        script.display()
    );
    let t = Tmux::start("explore-screen", &in_shell("", &args));
    forklore_pid(&t);
    wait_for(
        "every order explored",
        60,
        || t.screen().contains("4 schedules (complete): 2 outcomes"),
        &t,
    );
    let screen = t.screen();
    assert!(
        screen.contains("final 0") && screen.contains("final 1"),
        "{screen}"
    );
    // --out: saved as headless explore saves them.
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    let summary: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["complete"], true, "{summary}");
    assert_eq!(summary["outcomes"].as_array().map(Vec::len), Some(2));
    quit(&t);
}
