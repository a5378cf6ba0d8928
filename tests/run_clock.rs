//! The program's time stands still while forklore holds the run: real
//! processes that sleep and wait with timeouts while forklore pauses them
//! (SIGSTOP, as space and the narration's beats do) or while step mode
//! waits for the learner, print what they print unobserved.
//!
//! The pauses are of random length, always longer than the waits'
//! timeouts; the verdict compares what the program printed, never a time.

mod common;

use std::sync::RwLock;
use std::time::{Duration, Instant};

use common::flood::interpreter;
use common::{fixture, real_python, run_plain, Dice};
use forklore::model::stable_name;
use forklore::protocol::{Body, Event, WriteBytes};
use forklore::runtime::{Run, RunConfig};
use forklore::session::Session;

/// How long a test waits for a run at most (a loaded machine is slow).
const PATIENCE: Duration = Duration::from_secs(120);

/// This test process is forklore here: a run's pause stops, and its end
/// kills, every process forklore adopted, and a plain python3 it runs for
/// comparison is one of them. Runs share this lock, a plain run takes it
/// alone.
static PLAIN: RwLock<()> = RwLock::new(());

fn forklore_runs() -> std::sync::RwLockReadGuard<'static, ()> {
    PLAIN.read().unwrap_or_else(|e| e.into_inner())
}

/// `python3 fixture args`, without forklore, while no run of this test is alive.
fn plain(script: &str, args: &[&str]) -> String {
    let _alone = PLAIN.write().unwrap_or_else(|e| e.into_inner());
    let out = run_plain(real_python(), &fixture(script), args);
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    stdout
}

/// A run forklore can hold (its control file made): what a live screen runs.
fn holdable(script: &str, args: &[&str], step: bool) -> RunConfig {
    RunConfig {
        python: interpreter(),
        script: fixture(script),
        args: args.iter().map(|a| a.to_string()).collect(),
        slow: 1.0,
        step: Some(step),
        ..RunConfig::default()
    }
}

/// The next event of `run` (the test fails if none comes for PATIENCE).
fn next(run: &Run) -> Event {
    run.events.recv_timeout(PATIENCE).expect("the run goes on")
}

/// held_waits.py GROUP METHOD, paused for 1.6–2.4 s (longer than its waits'
/// 1.5 s timeout) each time it says it `waits`: its stdout, and the
/// pauses made.
fn paused_at_every_wait(args: &[&str], dice: &mut Dice) -> (String, Vec<Duration>) {
    let _shared = forklore_runs();
    let mut run = Run::start(&holdable("held_waits.py", args, false)).unwrap();
    let mut stdout = Vec::new();
    let mut pauses = Vec::new();
    loop {
        let event = next(&run);
        if matches!(event.body, Body::RunEnd { .. }) {
            break;
        }
        let Body::Write { fd: 1, .. } = event.body else {
            continue;
        };
        stdout.extend_from_slice(&event.body.write_bytes().unwrap());
        let text = String::from_utf8_lossy(&stdout);
        let last = text
            .trim_end_matches('\n')
            .rsplit('\n')
            .next()
            .unwrap_or("");
        if text.ends_with('\n') && last.starts_with("waits") {
            let pause = dice.millis(1600, 2400);
            run.pause();
            std::thread::sleep(pause);
            run.resume();
            pauses.push(pause);
        }
    }
    (String::from_utf8(stdout).unwrap(), pauses)
}

fn paused_like_plain(group: &str, method: &str) {
    let mut dice = Dice::new();
    let seed = dice.seed();
    let (held, pauses) = paused_at_every_wait(&[group, method], &mut dice);
    let unobserved = plain("held_waits.py", &[group, method]);
    assert!(
        unobserved.ends_with("done\n") && unobserved.contains("waits"),
        "{unobserved}"
    );
    assert_eq!(
        held, unobserved,
        "group {group} ({method}): paused {pauses:?} (seed {seed}), the program printed otherwise"
    );
    assert_eq!(
        pauses.len(),
        unobserved.matches("waits").count(),
        "paused at every wait"
    );
}

/// Sleeps (the order of two processes' wake-ups), a Lock's and a
/// Semaphore's acquire(timeout), Event.wait, Condition.wait,
/// Queue.get/put(timeout) and time.monotonic() across a pause (fork).
#[test]
fn paused_longer_than_each_timeout_locks_events_queues_and_sleeps_still_get_there() {
    paused_like_plain("a", "fork");
}

/// Process.join(timeout), Connection.poll, connection.wait, a Pool's
/// AsyncResult.get(timeout), Barrier.wait(timeout), a thread's
/// join(timeout), a Manager Lock's acquire and Queue's get; and waits nobody ends still time out, after their own
/// time (time.perf_counter across a pause). Under spawn: every child
/// maps the run's control file itself.
#[test]
fn paused_longer_than_each_timeout_joins_polls_pools_and_barriers_still_get_there() {
    paused_like_plain("b", "spawn");
}

/// A session in step mode, driven as the learner drives it.
struct Learner {
    session: Session,
    _shared: std::sync::RwLockReadGuard<'static, ()>,
}

impl Learner {
    fn start(variant: &str) -> Learner {
        let shared = forklore_runs();
        let run = Run::start(&holdable("step_timeout.py", &[variant], true)).unwrap();
        Learner {
            session: Session::live(run, Vec::new(), None),
            _shared: shared,
        }
    }

    /// Take in events until `ready` holds of the session.
    fn until(&mut self, what: &str, ready: impl Fn(&Session) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        while !ready(&self.session) {
            assert!(Instant::now() < deadline, "never: {what}");
            self.pump();
        }
    }

    /// Take in the events of the next 20 ms.
    fn pump(&mut self) {
        let run = self.session.run().unwrap();
        if let Ok(event) = run.events.recv_timeout(Duration::from_millis(20)) {
            self.session.ingest(&event).unwrap();
        }
    }

    fn pid_in(session: &Session, name: &str) -> Option<i32> {
        let model = &session.model;
        model
            .procs
            .in_order()
            .iter()
            .map(|p| p.pid)
            .find(|pid| stable_name(model, *pid) == name)
    }

    /// Let `name` do `op` once it holds there (and the step before has
    /// arrived: the scheduler says when).
    fn step(&mut self, name: &str, op: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.until(&format!("{name} holds at {op}"), |s| {
                let pid = Learner::pid_in(s, name);
                pid.and_then(|p| s.model.steps.wants.get(&p))
                    .is_some_and(|w| w.op() == op)
            });
            let pid = Learner::pid_in(&self.session, name).unwrap();
            match self.session.step_process(pid) {
                Ok(()) => return,
                Err(e) => assert!(Instant::now() < deadline, "{name} {op}: {e}"),
            }
            self.pump();
        }
    }

    /// Wait until `name` holds before printing what its wait got.
    fn wait_print(&mut self, name: &str) {
        self.until(&format!("{name} about to print"), |s| {
            s.model
                .steps
                .wants
                .iter()
                .any(|(pid, w)| stable_name(&s.model, *pid) == name && w.op() == "print")
        });
    }

    fn clock_held(&self) -> bool {
        self.session.run().unwrap().gates.clock().is_held()
    }

    /// Step mode off; the run to its end; what it printed.
    fn run_free(mut self) -> (String, u64) {
        self.session.set_stepping(false).unwrap();
        let mut stdout = Vec::new();
        let deadline = Instant::now() + PATIENCE;
        loop {
            assert!(Instant::now() < deadline, "the run never ended");
            let run = self.session.run().unwrap();
            let Ok(event) = run.events.recv_timeout(Duration::from_millis(20)) else {
                continue;
            };
            if let (Body::Write { fd: 1, .. }, Some(b)) = (&event.body, event.body.write_bytes()) {
                stdout.extend_from_slice(&b);
            }
            self.session.ingest(&event).unwrap();
            if matches!(event.body, Body::RunEnd { .. }) {
                break;
            }
        }
        let held = self.session.run().unwrap().gates.clock().frozen_total();
        self.session.stop().unwrap();
        (String::from_utf8(stdout).unwrap(), held)
    }
}

/// The child blocks in `q.get(timeout=1)`; main holds before its `put`
/// while the learner thinks (longer than the timeout): the run's time
/// stands still, so the child still gets the item main puts next.
#[test]
fn a_timeout_does_not_run_out_while_step_mode_waits_for_the_learner() {
    let mut dice = Dice::new();
    let mut learner = Learner::start("put");
    learner.step("MainProcess", "start");
    learner.step("Process-1", "get");
    learner.until("the child blocked in get, main holding at put", |s| {
        s.run().unwrap().gates.clock().is_held()
    });
    let thinking = dice.millis(1600, 2400);
    let until = Instant::now() + thinking;
    while Instant::now() < until {
        // Nothing moves, and the clock stays held all along.
        learner.pump();
        assert!(
            learner.clock_held(),
            "the run's time ran while nobody moved"
        );
    }
    learner.step("MainProcess", "put");
    assert!(!learner.clock_held(), "main was let go: time runs");
    learner.wait_print("Process-1");
    let (out, held) = learner.run_free();
    assert_eq!(out, "got item\n", "thought for {thinking:?}");
    assert!(held >= thinking.as_nanos() as u64, "held {held} ns");
}

/// While a process let go sleeps, the run's time runs: the child's
/// `get(timeout=1)` really times out during main's 1.5 s sleep, as it
/// does unobserved.
#[test]
fn time_runs_while_a_process_let_go_moves() {
    let mut learner = Learner::start("sleep");
    learner.step("MainProcess", "start");
    learner.step("Process-1", "get");
    learner.until("the child blocked in get", |s| {
        s.run().unwrap().gates.clock().is_held()
    });
    learner.step("MainProcess", "sleep");
    learner.wait_print("Process-1");
    let (out, _) = learner.run_free();
    assert_eq!(out, "empty\n");
    assert_eq!(plain("step_timeout.py", &["sleep"]), out);
}
