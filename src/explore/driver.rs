//! One schedule on real processes: the run held at every checkpoint from
//! its start; at each state, once the run has settled, the walker picks
//! who goes next; the run's trace and outcome come back.
//!
//! Settled means every live process of the program holds at a
//! checkpoint, is blocked, or has ended, with no event waiting to be
//! taken in. Holding is stable (the process reads its gate). A process
//! blocked on a lock someone holds, or joining a child still alive,
//! cannot wake before another moves, so it is trusted at once; a process
//! blocked on anything else (a semaphore, a queue, an Event) may be
//! waking, so the run must first be quiet for `QUIET`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;

use super::pool::Narrow;
use super::{Move, Outcome, Plan, Step, Walker};
use crate::lesson::facts::facts;
use crate::model::{stable_name, takes_part, Model, ProcState, RunState, Wait};
use crate::protocol::{Body, WriteBytes};
use crate::runtime::{Run, RunConfig};
use crate::session::Session;

/// How long a run must be quiet before a process blocked on something
/// the model cannot judge counts as settled, and before a deadlock the
/// model sees is believed (its last events are in by then: each process's
/// events arrive in order, and a settled run sends none).
pub const QUIET: Duration = Duration::from_millis(150);
/// A run that does not settle or end for this long is stopped.
pub const RUN_LIMIT: Duration = Duration::from_secs(30);

/// What one run did.
#[derive(Debug)]
pub struct Ran {
    pub trace: Vec<Step>,
    pub walker: Walker,
    pub outcome: Outcome,
    pub pids: Vec<i32>,
}

/// Run `config`'s program under `plan`. Err: it could not start, or
/// `stop` was set (the run is stopped, every process reaped).
pub fn run_one(
    config: &RunConfig,
    narrow: Option<&Narrow>,
    plan: Plan,
    stop: &AtomicBool,
) -> Result<Ran, String> {
    let config = RunConfig {
        step: Some(true),
        ..config.clone()
    };
    let run = Run::start(&config).map_err(|e| e.to_string())?;
    let events = run.events.clone();
    let mut session = Session::live(run, Vec::new(), None);
    let mut walker = Walker::new(plan);
    let mut trace = Vec::new();
    let mut stdout = Vec::new();
    let mut stopped = None;
    let mut last_event = Instant::now();
    let mut last_move = Instant::now();
    let io = |e: std::io::Error| e.to_string();
    loop {
        if stop.load(Ordering::Relaxed) {
            session.stop().map_err(io)?;
            return Err("interrupted".into());
        }
        match events.recv_timeout(Duration::from_millis(5)) {
            Ok(event) => {
                last_event = Instant::now();
                if let (Body::Write { fd: 1, .. }, Some(bytes)) =
                    (&event.body, event.body.write_bytes())
                {
                    stdout.extend_from_slice(&bytes);
                }
                session.ingest(&event).map_err(io)?;
                if matches!(event.body, Body::RunEnd { .. }) {
                    break;
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {}
        }
        let quiet = last_event.elapsed();
        if last_move.elapsed() > RUN_LIMIT {
            stopped = Some(format!("stopped: no step for {} s", RUN_LIMIT.as_secs()));
            session.stop().map_err(io)?;
            break;
        }
        if !settled(&session, quiet) {
            continue;
        }
        let holding = session.model.holding_in_order();
        if holding.is_empty() {
            if quiet < QUIET {
                continue;
            }
            if let Some(text) = deadlock(&session.model) {
                stopped = Some(text);
                session.stop().map_err(io)?;
                break;
            }
            continue;
        }
        let enabled: Vec<Move> = holding
            .iter()
            .map(|&p| move_of(&session.model, p))
            .collect();
        let chosen = walker.choose(&enabled);
        trace.push(Step { enabled, chosen });
        session.step_process(holding[chosen])?;
        last_move = Instant::now();
    }
    let model = &session.model;
    let mut outcome = outcome(model, &stdout, stopped);
    if let Some(n) = narrow.filter(|_| outcome.stopped.is_none()) {
        // The lesson's fact alone tells this outcome from the others.
        let value = facts(model, &n.watch).get(n.fact.as_str()).cloned();
        outcome.stdout = format!("{} = {}\n", n.fact, value.as_deref().unwrap_or("?"));
    }
    let pids = model.procs.in_order().iter().map(|p| p.pid).collect();
    session.stop().map_err(io)?;
    Ok(Ran {
        trace,
        walker,
        outcome,
        pids,
    })
}

fn move_of(model: &Model, pid: i32) -> Move {
    let want = &model.steps.wants[&pid];
    Move {
        who: stable_name(model, pid),
        op: want.op(),
        obj: want.object(model),
    }
}

/// Every live process of the program holds, is blocked, or has ended.
fn settled(session: &Session, quiet: Duration) -> bool {
    let model = &session.model;
    let holding: Vec<i32> = session.scheduler.holding(model).map(|(p, _)| p).collect();
    model.procs.alive().filter(|p| takes_part(p.role)).all(|p| {
        if holding.contains(&p.pid) {
            return true;
        }
        match &p.state {
            ProcState::Blocked(Wait::Acquire { id }) => {
                let held = model.sync.get(id).is_some_and(|o| !o.holders.is_empty());
                held && !o_is_semaphore(model, id) || quiet >= QUIET
            }
            ProcState::Blocked(Wait::Join { child, .. }) => {
                model.procs.get(*child).is_some_and(|c| c.state.is_alive()) || quiet >= QUIET
            }
            ProcState::Blocked(_) => quiet >= QUIET,
            _ => false,
        }
    })
}

fn o_is_semaphore(model: &Model, id: &str) -> bool {
    model.sync.get(id).is_some_and(|o| o.is_semaphore())
}

/// The wait-for graph, every process by its stable name.
fn deadlock(model: &Model) -> Option<String> {
    let stuck = model.deadlock()?;
    let lines: Vec<String> = stuck
        .iter()
        .map(|s| {
            let name = stable_name(model, s.pid);
            let mut line = name;
            if !s.holds.is_empty() {
                line += &format!(" holds {},", names(model, &s.holds.join(", ")));
            }
            line + &format!(" waits for {}", names(model, &s.waits_for))
        })
        .collect();
    let mut text = format!("deadlock: {}", lines.join("; "));
    // A join's wait names the child and its PID: `Process-1 (Process-1)`.
    for p in model.procs.in_order() {
        let name = stable_name(model, p.pid);
        text = text.replace(&format!("{name} ({name})"), &name);
    }
    Some(text)
}

/// `text` with every PID of the run replaced by its process's name.
pub fn names(model: &Model, text: &str) -> String {
    let mut out = String::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        let name = digits
            .parse::<i32>()
            .ok()
            .filter(|pid| model.procs.get(*pid).is_some())
            .map(|pid| stable_name(model, pid));
        out.push_str(name.as_deref().unwrap_or(digits));
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

fn outcome(model: &Model, stdout: &[u8], stopped: Option<String>) -> Outcome {
    let exitcode = match (&stopped, &model.state) {
        (None, RunState::Finished(code)) => Some(*code),
        _ => None,
    };
    let procs = model
        .procs
        .in_order()
        .iter()
        .filter(|p| takes_part(p.role))
        .map(|p| {
            let code = match p.state {
                ProcState::Exited(c) => Some(c),
                ProcState::Killed(sig) => Some(-sig),
                _ => None,
            };
            (stable_name(model, p.pid), code)
        })
        .collect();
    Outcome {
        stdout: names(model, &String::from_utf8_lossy(stdout)),
        exitcode,
        procs: if stopped.is_some() { Vec::new() } else { procs },
        stopped,
    }
}
