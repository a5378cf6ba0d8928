//! Locks, semaphores, conditions, events and barriers: value, holder (of
//! a lock) and who waits, in order. A semaphore is a counter, not a thing
//! held: it has a value and waiters (a consumer releases what a producer
//! acquired), never holders.

use std::collections::VecDeque;

use super::registry::{Limit, Registry};
use super::{ProcState, Wait};
use crate::protocol::{SyncKind, SyncOp};

#[derive(Clone, Debug, PartialEq)]
pub struct SyncObj {
    pub id: String,
    pub kind: SyncKind,
    /// The variable name the script gave it, when the shim could tell.
    pub name: Option<String>,
    /// A semaphore's value, an Event's flag (0/1), how many wait at a Barrier.
    pub value: Option<i64>,
    /// Processes holding a lock now (an RLock or a Condition's lock may be
    /// held by one process several times). Empty for semaphores.
    pub holders: Vec<i32>,
    /// Processes blocked in acquire or wait, in the order they began.
    pub waiters: VecDeque<i32>,
    pub acquisitions: u64,
    /// A Barrier's parties.
    pub parties: Option<u32>,
    /// A Barrier that was broken.
    pub broken: bool,
    /// Times a process had to wait for it (blocked in acquire, or wait()).
    pub blocks: u64,
    /// A Condition: `notify()`/`notify_all()` calls, and the waits they
    /// ended (a wait that returned with the lock).
    pub notifies: u64,
    pub woken: u64,
    /// Waits that ended before any notify (none should).
    pub woken_early: u64,
    /// Processes in a Condition's `wait()` (not blocked taking its lock).
    in_wait: Vec<i32>,
    /// A semaphore's tokens: the most it was seen to hold (its value just
    /// before an acquire, or after a release), so its start value unless
    /// it grew. Drawn as that many tokens, `value` of them free.
    pub tokens: Option<i64>,
    pub seq: usize,
}

/// One sync event's fields.
#[derive(Clone, Copy, Debug)]
pub struct SyncChange<'a> {
    pub id: &'a str,
    pub kind: SyncKind,
    pub name: Option<&'a str>,
    pub op: SyncOp,
    pub value: Option<i64>,
    pub parties: Option<u32>,
}

impl SyncObj {
    /// The label a learner knows it by: `lock`, else `Lock#2`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => format!("{}#{}", self.kind, self.seq + 1),
        }
    }

    /// The label with its kind and number, `first (Lock#2)`: two processes
    /// may call two different locks by one parameter name, and a wait-for
    /// graph must tell them apart.
    pub fn numbered_label(&self) -> String {
        let number = format!("{}#{}", self.kind, self.seq + 1);
        match &self.name {
            Some(name) => format!("{name} ({number})"),
            None => number,
        }
    }

    pub fn is_semaphore(&self) -> bool {
        self.kind.is_semaphore()
    }

    fn wait(&mut self, pid: i32) {
        if !self.waiters.contains(&pid) && self.waiters.len() < MAX_LISTED {
            self.waiters.push_back(pid);
        }
    }

    fn stop_waiting(&mut self, pid: i32) {
        self.waiters.retain(|w| *w != pid);
    }

    /// A Condition's `wait()` of `pid` returned with the lock: count it.
    fn woke(&mut self, pid: i32) {
        if remove_one(&mut self.in_wait, pid) {
            self.woken += 1;
            if self.notifies == 0 {
                self.woken_early += 1;
            }
        }
    }

    /// Learn a semaphore's tokens from the value an operation reported.
    fn count_tokens(&mut self, op: SyncOp, value: Option<i64>) {
        let Some(v) = value.filter(|_| self.is_semaphore()) else {
            return;
        };
        // `acquired` reports the value after taking one: one more was there.
        let seen = if op == SyncOp::Acquired { v + 1 } else { v };
        self.tokens = Some(self.tokens.map_or(seen, |t| t.max(seen)));
    }
}

/// Past this many objects new ones are not tracked (the labels of those
/// shown keep their numbers).
const MAX_OBJECTS: usize = 256;
const MAX_LISTED: usize = 256;

#[derive(Clone, Debug, Default)]
pub struct SyncObjs {
    by_id: Registry<String, SyncObj>,
}

impl SyncObjs {
    pub fn get(&self, id: &str) -> Option<&SyncObj> {
        self.by_id.get(id)
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn in_order(&self) -> Vec<&SyncObj> {
        self.by_id.in_order()
    }

    /// Apply one operation of `pid`; returns its new state.
    pub fn apply(&mut self, pid: i32, c: SyncChange) -> ProcState {
        let limit = Limit::refuse(MAX_OBJECTS);
        let Some(obj) = self.by_id.get_or_insert_with(c.id, limit, |seq| SyncObj {
            id: c.id.to_string(),
            kind: c.kind,
            name: None,
            value: None,
            holders: Vec::new(),
            waiters: VecDeque::new(),
            acquisitions: 0,
            parties: None,
            broken: false,
            blocks: 0,
            notifies: 0,
            woken: 0,
            woken_early: 0,
            in_wait: Vec::new(),
            tokens: None,
            seq,
        }) else {
            return ProcState::Running;
        };
        if obj.name.is_none() {
            obj.name = c.name.map(str::to_string);
        }
        obj.value = c.value.or(obj.value);
        obj.parties = c.parties.or(obj.parties);
        obj.count_tokens(c.op, c.value);
        let id = c.id.to_string();
        match c.op {
            SyncOp::Blocked | SyncOp::BlockedTimed => {
                obj.blocks += 1;
                obj.wait(pid);
                return ProcState::Blocked(Wait::Acquire { id });
            }
            SyncOp::Waiting => {
                obj.blocks += 1;
                // A Condition's wait lets go of its lock while waiting.
                remove_one(&mut obj.holders, pid);
                obj.wait(pid);
                if obj.kind == SyncKind::Condition && obj.in_wait.len() < MAX_LISTED {
                    obj.in_wait.push(pid);
                }
                return ProcState::Blocked(Wait::ConditionWait { id });
            }
            SyncOp::Acquired => {
                obj.stop_waiting(pid);
                obj.woke(pid);
                if !obj.is_semaphore() && obj.holders.len() < MAX_LISTED {
                    obj.holders.push(pid);
                }
                obj.acquisitions += 1;
            }
            SyncOp::Released => {
                if !obj.is_semaphore() && !remove_one(&mut obj.holders, pid) {
                    // A Lock released by another process than its taker.
                    obj.holders.clear();
                }
            }
            SyncOp::Broken => {
                obj.broken = true;
                obj.stop_waiting(pid);
            }
            SyncOp::Woke | SyncOp::Passed => obj.stop_waiting(pid),
            SyncOp::Timeout => {
                obj.stop_waiting(pid);
                // A Condition's wait returns holding its lock, woken or not.
                if remove_one(&mut obj.in_wait, pid) && obj.holders.len() < MAX_LISTED {
                    obj.holders.push(pid);
                }
            }
            SyncOp::Notify => obj.notifies += 1,
            SyncOp::Set | SyncOp::Clear | SyncOp::Unknown => {}
        }
        ProcState::Running
    }

    /// A process that ended waits for nothing any more.
    pub fn forget_waiter(&mut self, pid: i32) {
        for obj in self.by_id.values_mut() {
            obj.waiters.retain(|w| *w != pid);
        }
    }
}

fn remove_one(list: &mut Vec<i32>, pid: i32) -> bool {
    match list.iter().position(|p| *p == pid) {
        Some(i) => {
            list.remove(i);
            true
        }
        None => false,
    }
}
