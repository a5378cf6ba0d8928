//! A run that cannot go on by itself: every live process of the program is
//! blocked in a wait with no timeout (a lock or semaphore `acquire()`, a
//! `join()`), so no process is left that could release, post or end what
//! the others wait for. Decided from the holders and waiters the events
//! give, not from how long nothing happened: a caller only waits a moment
//! for the last events in flight before believing it (see `headless`).
//!
//! Waits the model cannot judge (a queue, a condition, an event, a sleep,
//! code that never reaches a checkpoint) count as "may go on", so a
//! deadlock is never claimed where there might be none.

use std::time::Duration;

use super::{Model, Proc, ProcState, SyncObj, Wait};
use crate::protocol::Role;

/// How long a deadlock must stand, with no event arriving, before a caller
/// believes it: the events a process sent just before it blocked (a
/// release, an exit) may still be on their way.
pub const DEADLOCK_SETTLE: Duration = Duration::from_secs(1);

/// One blocked process, as the wait-for graph shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stuck {
    pub pid: i32,
    pub name: String,
    /// The locks it holds, by their labels.
    pub holds: Vec<String>,
    /// What it waits for: a lock's label, or "Process-2 to end".
    pub waits_for: String,
    /// Who holds the lock it waits for (none for a semaphore or a join).
    pub on: Vec<i32>,
}

impl Stuck {
    /// "Process-1 (4242) holds lock_a, waits for lock_b (held by 4243)".
    pub fn describe(&self) -> String {
        let mut line = format!("{} ({})", self.name, self.pid);
        if !self.holds.is_empty() {
            line += &format!(" holds {},", self.holds.join(", "));
        }
        line += &format!(" waits for {}", self.waits_for);
        if !self.on.is_empty() {
            let by: Vec<String> = self
                .on
                .iter()
                .map(|p| {
                    if *p == self.pid {
                        "itself".to_string()
                    } else {
                        p.to_string()
                    }
                })
                .collect();
            line += &format!(" (held by {})", by.join(", "));
        }
        line
    }
}

impl Model {
    /// The wait-for graph when the run is deadlocked (every live process
    /// of the program blocked for good), else None.
    pub fn deadlock(&self) -> Option<Vec<Stuck>> {
        let procs: Vec<&Proc> = self.procs.alive().filter(|p| takes_part(p.role)).collect();
        if procs.is_empty() {
            return None;
        }
        procs.iter().map(|p| self.stuck(p)).collect()
    }

    /// How `p` waits, if it waits for good.
    fn stuck(&self, p: &Proc) -> Option<Stuck> {
        let ProcState::Blocked(wait) = &p.state else {
            return None;
        };
        if p.wait_timed {
            return None;
        }
        let (waits_for, on) = match wait {
            Wait::Acquire { id } => {
                let obj = self.sync.get(id)?;
                (obj.numbered_label(), obj.holders.clone())
            }
            Wait::Join { child, .. } => {
                // A child that has ended: the join returns (its event is
                // on its way).
                let c = self.procs.get(*child).filter(|c| c.state.is_alive())?;
                (format!("{} ({child}) to end", c.name), Vec::new())
            }
            _ => return None,
        };
        let holds = self
            .sync
            .in_order()
            .into_iter()
            .filter(|o| o.holders.contains(&p.pid))
            .map(SyncObj::numbered_label)
            .collect();
        Some(Stuck {
            pid: p.pid,
            name: p.name.clone(),
            holds,
            waits_for,
            on,
        })
    }
}

/// The processes whose waits decide a deadlock: the program's own. A
/// Manager server, the resource tracker or a forkserver waits for requests
/// and is never "stuck" in the program's sense.
pub(crate) fn takes_part(role: Role) -> bool {
    !matches!(
        role,
        Role::Manager | Role::ResourceTracker | Role::Forkserver
    )
}
