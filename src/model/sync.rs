//! Locks, semaphores and conditions: value, owner(s) and who waits, in order.

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
    pub value: Option<i64>,
    /// Processes holding it now (one for a lock; several for a semaphore).
    pub holders: Vec<i32>,
    /// Processes blocked in acquire, in the order they began waiting.
    pub waiters: VecDeque<i32>,
    pub acquisitions: u64,
    /// Times a process had to wait for it (blocked in acquire, or wait()).
    pub blocks: u64,
    /// A semaphore's tokens: the most it was seen to hold (its value just
    /// before an acquire, or after a release), so its start value unless
    /// it grew. Drawn as that many tokens, `value` of them free.
    pub tokens: Option<i64>,
    pub seq: usize,
}

impl SyncObj {
    /// The label a learner knows it by: `lock`, else `Lock#2`.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) => n.clone(),
            None => format!("{}#{}", self.kind, self.seq + 1),
        }
    }

    pub fn is_semaphore(&self) -> bool {
        self.kind.is_semaphore()
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

    /// Apply one operation; returns the acting process's new state.
    pub fn apply(
        &mut self,
        pid: i32,
        id: &str,
        kind: SyncKind,
        name: Option<&str>,
        op: SyncOp,
        value: Option<i64>,
    ) -> ProcState {
        let limit = Limit::refuse(MAX_OBJECTS);
        let Some(obj) = self.by_id.get_or_insert_with(id, limit, |seq| SyncObj {
            id: id.to_string(),
            kind,
            name: None,
            value: None,
            holders: Vec::new(),
            waiters: VecDeque::new(),
            acquisitions: 0,
            blocks: 0,
            tokens: None,
            seq,
        }) else {
            return ProcState::Running;
        };
        if obj.name.is_none() {
            obj.name = name.map(str::to_string);
        }
        if value.is_some() {
            obj.value = value;
        }
        obj.count_tokens(op, value);
        match op {
            SyncOp::Blocked | SyncOp::Waiting => {
                obj.blocks += 1;
                if op == SyncOp::Waiting {
                    remove_one(&mut obj.holders, pid);
                }
                if !obj.waiters.contains(&pid) && obj.waiters.len() < MAX_LISTED {
                    obj.waiters.push_back(pid);
                }
                let id = id.to_string();
                ProcState::Blocked(if op == SyncOp::Waiting {
                    Wait::ConditionWait { id }
                } else {
                    Wait::Acquire { id }
                })
            }
            SyncOp::Acquired => {
                obj.waiters.retain(|w| *w != pid);
                if obj.holders.len() < MAX_LISTED {
                    obj.holders.push(pid);
                }
                obj.acquisitions += 1;
                ProcState::Running
            }
            SyncOp::Released => {
                if !remove_one(&mut obj.holders, pid) {
                    // Released by another process than its taker: a Lock
                    // is free again; a semaphore gives back its oldest
                    // acquisition (a consumer releasing `empty` for the
                    // producer that took it).
                    if obj.is_semaphore() && !obj.holders.is_empty() {
                        obj.holders.remove(0);
                    } else {
                        obj.holders.clear();
                    }
                }
                ProcState::Running
            }
            SyncOp::Timeout | SyncOp::Unknown => {
                obj.waiters.retain(|w| *w != pid);
                ProcState::Running
            }
        }
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
