//! A run that deadlocks by itself: the model's wait-for graph (pure), and
//! forklore saying so headless and stopping the run (real processes).

mod common;

use common::tmux::{forklore_pid, group, in_shell, run_group, wait_for, Tmux};
use common::{fixture, gone_within, run_headless};
use forklore::model::Model;
use forklore::protocol::{Body, Event, JoinOp, Role, SyncKind, SyncOp};

fn ev(pid: i32, t: u64, body: Body) -> Event {
    Event { pid, t, body }
}

fn start(pid: i32, role: Role, name: &str) -> Event {
    ev(pid, 1, Body::proc_start(1, role, name, "fork"))
}

fn lock(pid: i32, t: u64, id: &str, op: SyncOp) -> Event {
    let body = Body::Sync {
        id: id.into(),
        kind: SyncKind::Lock,
        name: Some(id.into()),
        op,
        value: Some(0),
        parties: None,
    };
    ev(pid, t, body)
}

fn join(pid: i32, t: u64, child: i32, op: JoinOp) -> Event {
    let body = Body::Join {
        child,
        op,
        exitcode: None,
        at_exit: false,
    };
    ev(pid, t, body)
}

/// Main joins Process-1; 2 and 3 each hold one lock and wait for the other.
fn crossed(second_wait: SyncOp) -> Vec<Event> {
    vec![
        start(1, Role::Main, "MainProcess"),
        start(2, Role::Process, "Process-1"),
        start(3, Role::Process, "Process-2"),
        lock(2, 2, "a", SyncOp::Acquired),
        lock(3, 3, "b", SyncOp::Acquired),
        lock(2, 4, "b", SyncOp::Blocked),
        lock(3, 5, "a", second_wait),
        join(1, 6, 2, JoinOp::Waiting),
    ]
}

fn model(events: &[Event]) -> Model {
    let mut m = Model::new();
    for e in events {
        m.update(e);
    }
    m
}

/// The stage draws the graph once the screen has said "deadlock".
#[test]
fn the_stage_draws_the_wait_for_graph() {
    use forklore::ui::{self, Theme, UiState, View};
    let m = model(&crossed(SyncOp::Blocked));
    let draw = |ui: &UiState| {
        let source: Vec<String> = Vec::new();
        let v = View::new(&m, ui, Theme::default(), &source, "two_locks.py");
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
        t.draw(|f| {
            ui::draw(f, &v);
        })
        .unwrap();
        t
    };
    let calm = UiState::new(1.0);
    let text = format!("{}", draw(&calm).backend());
    assert!(
        !text.contains("who waits for whom"),
        "not before it is said"
    );
    let ui = UiState {
        deadlock: Some(vec!["said".into()]),
        ..UiState::new(1.0)
    };
    let t = draw(&ui);
    let text = format!("{}", t.backend());
    assert!(text.contains("⛔ Deadlock: who waits for whom"), "{text}");
    assert!(
        text.contains("waits for ─▶ b (Lock#2) ─ held by ─▶ 3"),
        "{text}"
    );
    insta::assert_snapshot!("deadlock_stage_100x24", t.backend());
}

#[test]
fn two_locks_in_opposite_orders_are_a_deadlock_with_its_graph() {
    let m = model(&crossed(SyncOp::Blocked));
    let stuck = m.deadlock().expect("a deadlock");
    let lines: Vec<String> = stuck.iter().map(|s| s.describe()).collect();
    assert_eq!(
        lines,
        [
            "MainProcess (1) waits for Process-1 (2) to end",
            "Process-1 (2) holds a (Lock#1), waits for b (Lock#2) (held by 3)",
            "Process-2 (3) holds b (Lock#2), waits for a (Lock#1) (held by 2)",
        ]
    );
}

#[test]
fn a_wait_that_can_time_out_or_a_process_still_running_is_no_deadlock() {
    assert_eq!(model(&crossed(SyncOp::BlockedTimed)).deadlock(), None);
    let mut events = crossed(SyncOp::Blocked);
    events.pop(); // main is not joining: it runs on and could release
    assert_eq!(model(&events).deadlock(), None);
    let mut events = crossed(SyncOp::Blocked);
    events.push(join(1, 7, 2, JoinOp::WaitingTimed));
    assert_eq!(model(&events).deadlock(), None);
    // The joined child has ended: main's join returns.
    let mut events = crossed(SyncOp::Blocked);
    events.push(ev(
        2,
        7,
        Body::ProcExit {
            exitcode: 0,
            by: None,
        },
    ));
    assert_eq!(model(&events).deadlock(), None);
    // The wait ends: process 3 got its lock after all.
    let mut events = crossed(SyncOp::Blocked);
    events.push(lock(3, 8, "a", SyncOp::Acquired));
    assert_eq!(model(&events).deadlock(), None);
}

#[test]
fn helpers_that_wait_for_requests_do_not_count_and_one_process_can_lock_itself() {
    let mut events = crossed(SyncOp::Blocked);
    events.insert(1, start(9, Role::Manager, "SyncManager-1"));
    assert_eq!(model(&events).deadlock().map(|s| s.len()), Some(3));
    // A plain Lock acquired twice by one process, nobody else alive.
    let alone = [
        start(1, Role::Main, "MainProcess"),
        lock(1, 2, "a", SyncOp::Acquired),
        lock(1, 3, "a", SyncOp::Blocked),
    ];
    let stuck = model(&alone).deadlock().expect("a deadlock");
    assert_eq!(
        stuck[0].describe(),
        "MainProcess (1) holds a (Lock#1), waits for a (Lock#1) (held by itself)"
    );
}

/// The pids a deadlock report names: "Process-1 (4242) holds ...".
fn reported_pids(stderr: &str) -> Vec<i32> {
    stderr
        .lines()
        .filter(|l| l.starts_with("  "))
        .filter_map(|l| l.split_once(" (")?.1.split_once(')')?.0.parse().ok())
        .collect()
}

#[test]
fn a_real_deadlock_is_reported_and_stopped_under_every_start_method() {
    for method in ["fork", "spawn", "forkserver"] {
        let started = std::time::Instant::now();
        let run = run_headless(&fixture("two_locks.py"), &[], &[method]);
        let stderr = run.stderr();
        assert_eq!(
            run.code(),
            Some(forklore::headless::DEADLOCK_STATUS),
            "{method}: {stderr}"
        );
        assert!(stderr.contains("forklore: deadlock:"), "{method}: {stderr}");
        for who in ["MainProcess", "Process-1", "Process-2"] {
            assert!(stderr.contains(&format!("  {who} (")), "{method}: {stderr}");
        }
        assert!(
            stderr.contains("holds first (Lock#1), waits for"),
            "{method}: {stderr}"
        );
        // Within a few seconds of the deadlock (0.3 s into the run), not hung.
        assert!(
            started.elapsed().as_secs() < 20,
            "{method}: took {:?}",
            started.elapsed()
        );
        let pids = reported_pids(&stderr);
        assert_eq!(pids.len(), 3, "{method}: {stderr}");
        for pid in pids {
            assert!(gone_within(pid, 5), "{method}: {pid} left running");
        }
        // The recording ends with the run's end: the run was stopped cleanly.
        assert!(run.of_kind("run_end").count() == 1, "{method}");
    }
}

#[test]
fn the_same_program_with_timeouts_runs_to_its_end() {
    let run = run_headless(&fixture("two_locks.py"), &[], &["fork", "--timeout", "0.5"]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(!run.stderr().contains("deadlock"), "{}", run.stderr());
    assert!(run.stdout().contains("gave up"), "{}", run.stdout());
    assert!(run.stdout().ends_with("done\n"), "{}", run.stdout());
}

/// On the live screen a deadlocked run is said to be one and left as it is
/// (its processes still there, blocked) until the learner quits.
#[test]
fn the_live_screen_shows_the_deadlock_and_keeps_the_run_until_quit() {
    let args = format!("run {}", fixture("two_locks.py").display());
    let t = Tmux::start("deadlock", &in_shell("", &args));
    let forklore = forklore_pid(&t);
    let root = run_group(&t, forklore, 0);
    wait_for(
        "DEADLOCK in the header and the graph in the status bar",
        20,
        || {
            let screen = t.screen();
            screen.contains("DEADLOCK") && screen.contains("deadlock: MainProcess")
        },
        &t,
    );
    let pids: Vec<i32> = group(root).iter().map(|p| p.0).collect();
    assert_eq!(pids.len(), 3, "the run is kept for inspection: {pids:?}");
    assert!(
        group(root).iter().all(|(_, state)| *state == 'S'),
        "every process sleeps in its wait: {:?}",
        group(root)
    );
    t.keys("q");
    wait_for(
        "forklore to exit",
        10,
        || t.screen().contains("FORKLORE-EXITED"),
        &t,
    );
    for pid in pids {
        assert!(gone_within(pid, 5), "{pid} left running after q");
    }
}
