//! The process tree: every Python process of the run, by real PID.

use std::collections::{BTreeMap, VecDeque};

use super::registry::{Limit, Registry};
use crate::protocol::{Body, JoinOp, Role};

/// What a process is doing now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ProcState {
    /// Asked for by its parent, not yet running Python code.
    #[default]
    Starting,
    Running,
    Blocked(Wait),
    Exited(i32),
    Killed(i32),
    /// Ended, reaped by someone else; its exit status is not known (yet).
    Ended,
}

/// What a blocked process waits in, and on what (`id`: a sync object's or
/// a queue's id, as its events name it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wait {
    /// `acquire()` of a lock or semaphore.
    Acquire { id: String },
    /// `wait()` of a condition.
    ConditionWait { id: String },
    /// `put()` on a full queue.
    QueuePut { id: String },
    /// `get()` on an empty queue.
    QueueGet { id: String },
    /// `join()` of a JoinableQueue: until every item is `task_done()`.
    QueueJoin { id: String },
    /// `join()` of a child process (`at_exit`: multiprocessing's exit
    /// handler joining the children main left running).
    Join { child: i32, at_exit: bool },
    /// A future's `result()`: an executor's task, not done yet.
    Future { task: u64 },
}

impl ProcState {
    pub fn is_alive(&self) -> bool {
        !matches!(
            self,
            ProcState::Exited(_) | ProcState::Killed(_) | ProcState::Ended
        )
    }

    fn from_exitcode(code: i32) -> Self {
        if code < 0 {
            ProcState::Killed(code.saturating_neg())
        } else {
            ProcState::Exited(code)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarValue {
    pub repr: String,
    pub len: Option<u64>,
    pub first: Option<String>,
    pub last: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Proc {
    pub pid: i32,
    pub ppid: Option<i32>,
    pub name: String,
    pub role: Role,
    pub daemon: bool,
    pub method: Option<String>,
    pub state: ProcState,
    /// Order of first appearance: gives each process one colour everywhere.
    pub seq: usize,
    pub started_t: u64,
    pub ended_t: Option<u64>,
    pub line: Option<u32>,
    pub vars: BTreeMap<String, VarValue>,
    /// When it was blocked (lock, queue, join…): (from, until), latest last.
    pub waits: VecDeque<(u64, Option<u64>)>,
    /// Its current wait has a timeout (`acquire(timeout=…)`, `join(t)`):
    /// it may go on by itself.
    pub wait_timed: bool,
    /// What the script did to this process from outside: signals sent,
    /// `is_alive()` asked, `join()` returned.
    pub calls: Calls,
    /// The script's module-level code ran again here, under this name
    /// (`__mp_main__`: a spawn or forkserver child).
    pub reimported_as: Option<String>,
}

/// The script's calls on one child process (`terminate`, `is_alive`, `join`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calls {
    /// The first signal sent (15: terminate, 9: kill) and when.
    pub signal: Option<(u64, i32)>,
    /// When a `join()` on it returned.
    pub joined_t: Option<u64>,
    /// `is_alive()` answers, each with when it was asked (the first few).
    pub alive: Vec<AliveCheck>,
}

/// One `is_alive()` answer, and where it fell: before any signal, after
/// a signal but before `join()` returned, or after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AliveCheck {
    pub t: u64,
    pub alive: bool,
    pub phase: Phase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    BeforeSignal,
    AfterSignal,
    AfterJoin,
}

/// `is_alive()` answers kept per process.
const MAX_ALIVE_CHECKS: usize = 16;

/// Bounded process table: past `MAX_PROCS` the oldest exited ones go.
#[derive(Clone, Debug, Default)]
pub struct Procs {
    by_pid: Registry<i32, Proc>,
}

const MAX_PROCS: usize = 4096;
/// Past `MAX_PROCS` the oldest exited process goes (the oldest of all if
/// every one still runs).
const LIMIT: Limit<Proc> = Limit::evict_oldest(MAX_PROCS, |p| !p.state.is_alive());
/// Blocked intervals kept per process (the lanes show the latest).
const MAX_WAITS: usize = 32;

impl Procs {
    pub fn get(&self, pid: i32) -> Option<&Proc> {
        self.by_pid.get(&pid)
    }

    pub fn len(&self) -> usize {
        self.by_pid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_pid.is_empty()
    }

    /// Processes in order of appearance.
    pub fn in_order(&self) -> Vec<&Proc> {
        self.by_pid.in_order()
    }

    /// Processes as a tree: (depth, proc), parents before children.
    pub fn tree(&self) -> Vec<(usize, &Proc)> {
        let ordered = self.in_order();
        let is_root = |p: &Proc| {
            p.ppid
                .is_none_or(|pp| !self.by_pid.contains_key(&pp) || pp == p.pid)
        };
        let mut out = Vec::with_capacity(ordered.len());
        for p in ordered.iter().filter(|p| is_root(p)) {
            self.push_subtree(p, 0, &ordered, &mut out);
        }
        out
    }

    fn push_subtree<'a>(
        &'a self,
        p: &'a Proc,
        depth: usize,
        all: &[&'a Proc],
        out: &mut Vec<(usize, &'a Proc)>,
    ) {
        out.push((depth, p));
        if depth > 64 {
            return;
        }
        for child in all
            .iter()
            .filter(|c| c.ppid == Some(p.pid) && c.pid != p.pid)
        {
            self.push_subtree(child, depth + 1, all, out);
        }
    }

    pub fn get_or_add(&mut self, pid: i32, t: u64) -> &mut Proc {
        self.by_pid
            .get_or_insert_with(&pid, LIMIT, |seq| Proc {
                pid,
                ppid: None,
                name: String::new(),
                role: Role::Unknown,
                daemon: false,
                method: None,
                state: ProcState::Starting,
                seq,
                started_t: t,
                ended_t: None,
                line: None,
                vars: BTreeMap::new(),
                waits: VecDeque::new(),
                wait_timed: false,
                calls: Calls::default(),
                reimported_as: None,
            })
            .expect("an evicting registry always makes room")
    }

    /// Change what a live process is doing, keeping its blocked intervals.
    pub fn set_state(&mut self, pid: i32, t: u64, state: ProcState) {
        let p = self.get_or_add(pid, t);
        if !p.state.is_alive() {
            return;
        }
        let was_blocked = matches!(p.state, ProcState::Blocked(_));
        let blocked = matches!(state, ProcState::Blocked(_));
        if was_blocked && !blocked {
            close_wait(p, t);
        } else if blocked && !was_blocked {
            if p.waits.len() == MAX_WAITS {
                p.waits.pop_front();
            }
            p.waits.push_back((t, None));
        }
        p.state = state;
    }

    pub fn apply(&mut self, pid: i32, t: u64, body: &Body) {
        match body {
            Body::ProcStart {
                ppid,
                name,
                role,
                daemon,
                method,
                ..
            } => {
                let p = self.get_or_add(pid, t);
                p.ppid = Some(*ppid);
                p.role = *role;
                p.daemon = *daemon;
                // A first guess ("python", the script's file name: a spawn
                // child before multiprocessing said who it is) does not
                // replace the name its parent's start gave it.
                let guess = matches!(role, Role::Python | Role::Unknown);
                if let Some(name) = name.as_ref().filter(|_| !guess || p.name.is_empty()) {
                    p.name = name.clone();
                }
                if method.is_some() {
                    p.method = method.clone();
                }
                if p.state == ProcState::Starting {
                    p.state = ProcState::Running;
                }
            }
            Body::ProcSpawn {
                child,
                name,
                daemon,
                method,
            } => {
                let c = self.get_or_add(*child, t);
                c.ppid.get_or_insert(pid);
                c.daemon = *daemon;
                if c.name.is_empty() {
                    c.name = name.clone().unwrap_or_default();
                }
                c.method = method.clone().or(c.method.take());
            }
            Body::ProcExit { exitcode, .. } => {
                let p = self.get_or_add(pid, t);
                if p.state.is_alive() || p.state == ProcState::Ended {
                    close_wait(p, t);
                    p.state = ProcState::from_exitcode(*exitcode);
                    p.ended_t.get_or_insert(t);
                }
            }
            Body::ProcGone {} => {
                let p = self.get_or_add(pid, t);
                if p.state.is_alive() {
                    close_wait(p, t);
                    p.state = ProcState::Ended;
                    p.ended_t = Some(t);
                }
            }
            _ => {}
        }
    }

    /// The script's own calls on a child: a signal, `is_alive()`, the end
    /// of a `join()`.
    pub fn apply_call(&mut self, t: u64, body: &Body) {
        match body {
            Body::Signal { child, signal } => {
                let calls = &mut self.get_or_add(*child, t).calls;
                calls.signal.get_or_insert((t, *signal));
            }
            Body::Alive { child, alive } => {
                let calls = &mut self.get_or_add(*child, t).calls;
                let phase = match (calls.joined_t, calls.signal) {
                    (Some(_), _) => Phase::AfterJoin,
                    (None, Some(_)) => Phase::AfterSignal,
                    (None, None) => Phase::BeforeSignal,
                };
                if calls.alive.len() < MAX_ALIVE_CHECKS {
                    calls.alive.push(AliveCheck {
                        t,
                        alive: *alive,
                        phase,
                    });
                }
            }
            // With an exit code: the child ended (a join with a timeout
            // may return while it lives).
            Body::Join {
                child,
                op: JoinOp::Joined,
                exitcode: Some(_),
                ..
            } => {
                let calls = &mut self.get_or_add(*child, t).calls;
                calls.joined_t.get_or_insert(t);
            }
            _ => {}
        }
    }

    pub fn alive(&self) -> impl Iterator<Item = &Proc> {
        self.by_pid.values().filter(|p| p.state.is_alive())
    }
}

fn close_wait(p: &mut Proc, t: u64) {
    if let Some(last) = p.waits.back_mut().filter(|w| w.1.is_none()) {
        last.1 = Some(t);
    }
}
