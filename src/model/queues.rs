//! multiprocessing Queues and the items in them, as the processes saw them.
//!
//! A put is announced before the item goes in and confirmed after
//! (`put_done`); a get is reported after the item left. Reports of
//! different processes race each other, so the model keeps every state
//! it shows one the real queue could be in: an announced item is
//! *arriving* (beside the queue, not in it) until confirmed, a get may take
//! an item whose confirmation is still on its way, and a queue never holds
//! more than its maxsize (past it, the oldest item is *leaving*: some get
//! has taken it and its report has not arrived yet).

use std::collections::VecDeque;

use super::registry::{Limit, Registry};
use super::{ProcState, Wait};
use crate::protocol::QueueOp;

#[derive(Clone, Debug, PartialEq)]
pub struct QueueObj {
    pub id: String,
    pub name: Option<String>,
    /// Items in the queue, oldest first (bounded; `size` is exact).
    pub items: VecDeque<String>,
    pub size: Option<i64>,
    /// Room in the queue (`Queue(maxsize)`), when known.
    pub maxsize: Option<u64>,
    /// The most items it held at once.
    pub peak: usize,
    pub puts: u64,
    pub gets: u64,
    /// The last item moved, with who moved it: (pid, op, item).
    pub last: Option<(i32, QueueOp, String)>,
    /// The last item a get took, and who took it.
    pub last_got: Option<(i32, String)>,
    /// Puts announced and not yet in: who, what, and whether it waits for
    /// room (the queue was full).
    pub arriving: Vec<Arriving>,
    /// Items a get took before their put was confirmed: (pid, item).
    overtaken: Vec<(i32, String)>,
    /// Items pushed out of a full queue by a newer one: taken by a get
    /// whose report is on its way.
    leaving: VecDeque<String>,
    /// A JoinableQueue: unfinished tasks as last reported, `task_done()`
    /// calls, and who waits in its `join()`.
    pub unfinished: Option<i64>,
    pub task_dones: u64,
    pub joiners: Vec<i32>,
    /// The first `join()`: unfinished tasks when it began, and the
    /// `task_done()` calls seen when it returned.
    pub unfinished_at_join: Option<i64>,
    pub done_when_joined: Option<u64>,
    pub seq: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arriving {
    pub pid: i32,
    pub item: String,
    pub blocked: bool,
}

/// One queue event's fields.
#[derive(Clone, Copy, Debug)]
pub struct QueueChange<'a> {
    pub id: &'a str,
    pub name: Option<&'a str>,
    pub op: QueueOp,
    pub item: Option<&'a str>,
    pub size: Option<i64>,
    pub maxsize: Option<u64>,
    pub unfinished: Option<i64>,
}

impl QueueObj {
    pub fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("Queue#{}", self.seq + 1))
    }

    /// Puts waiting for room: (pid, item).
    pub fn waiting_puts(&self) -> impl Iterator<Item = (i32, &str)> {
        self.arriving
            .iter()
            .filter(|a| a.blocked)
            .map(|a| (a.pid, a.item.as_str()))
    }
}

const MAX_QUEUES: usize = 64;
const MAX_ITEMS: usize = 256;

#[derive(Clone, Debug, Default)]
pub struct Queues {
    by_id: Registry<String, QueueObj>,
}

impl Queues {
    pub fn get(&self, id: &str) -> Option<&QueueObj> {
        self.by_id.get(id)
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn in_order(&self) -> Vec<&QueueObj> {
        self.by_id.in_order()
    }

    /// Apply one queue event of `pid`; returns that process's new state.
    pub fn apply(&mut self, pid: i32, c: QueueChange) -> ProcState {
        let Some(q) = self
            .by_id
            .get_or_insert_with(c.id, Limit::refuse(MAX_QUEUES), |seq| {
                QueueObj::new(c.id, seq)
            })
        else {
            return ProcState::Running;
        };
        if q.name.is_none() {
            q.name = c.name.map(str::to_string);
        }
        q.size = c.size.or(q.size);
        q.maxsize = c.maxsize.or(q.maxsize);
        q.unfinished = c.unfinished.or(q.unfinished);
        let item = c.item.unwrap_or("").to_string();
        match c.op {
            QueueOp::Put => {
                q.puts += 1;
                q.arrive(pid, item.clone());
                q.last = Some((pid, c.op, item));
            }
            QueueOp::PutBlocked => {
                q.mark_blocked(pid, &item);
                return ProcState::Blocked(Wait::QueuePut {
                    id: c.id.to_string(),
                });
            }
            QueueOp::PutDone => q.confirm(pid, item),
            QueueOp::PutFailed => {
                q.take_arriving(|a| a.pid == pid && a.item == item);
                q.puts = q.puts.saturating_sub(1);
            }
            QueueOp::Get => {
                q.gets += 1;
                q.take(&item);
                q.last_got = Some((pid, item.clone()));
                q.last = Some((pid, c.op, item));
            }
            QueueOp::GetBlocked => {
                return ProcState::Blocked(Wait::QueueGet {
                    id: c.id.to_string(),
                })
            }
            QueueOp::TaskDone => q.task_dones += 1,
            QueueOp::Join => {
                if q.unfinished_at_join.is_none() {
                    q.unfinished_at_join = c.unfinished;
                }
                if !q.joiners.contains(&pid) && q.joiners.len() < MAX_ITEMS {
                    q.joiners.push(pid);
                }
                return ProcState::Blocked(Wait::QueueJoin {
                    id: c.id.to_string(),
                });
            }
            QueueOp::Joined => {
                q.joiners.retain(|p| *p != pid);
                q.done_when_joined.get_or_insert(q.task_dones);
            }
            QueueOp::GetFailed | QueueOp::Unknown => {}
        }
        ProcState::Running
    }
}

impl QueueObj {
    fn new(id: &str, seq: usize) -> Self {
        QueueObj {
            id: id.to_string(),
            name: None,
            items: VecDeque::new(),
            size: None,
            maxsize: None,
            peak: 0,
            puts: 0,
            gets: 0,
            last: None,
            last_got: None,
            arriving: Vec::new(),
            overtaken: Vec::new(),
            leaving: VecDeque::new(),
            unfinished: None,
            task_dones: 0,
            joiners: Vec::new(),
            unfinished_at_join: None,
            done_when_joined: None,
            seq,
        }
    }

    fn arrive(&mut self, pid: i32, item: String) {
        if self.arriving.len() < MAX_ITEMS {
            self.arriving.push(Arriving {
                pid,
                item,
                blocked: false,
            });
        }
    }

    fn mark_blocked(&mut self, pid: i32, item: &str) {
        if let Some(a) = self
            .arriving
            .iter_mut()
            .find(|a| a.pid == pid && a.item == item)
        {
            a.blocked = true;
        }
    }

    fn take_arriving(&mut self, matches: impl Fn(&Arriving) -> bool) -> Option<Arriving> {
        let at = self.arriving.iter().position(matches)?;
        Some(self.arriving.remove(at))
    }

    /// `pid`'s put of `item` went in (unless a get took it already).
    fn confirm(&mut self, pid: i32, item: String) {
        self.take_arriving(|a| a.pid == pid && a.item == item);
        if let Some(at) = self
            .overtaken
            .iter()
            .position(|(p, i)| *p == pid && *i == item)
        {
            self.overtaken.remove(at);
            return;
        }
        let full = self
            .maxsize
            .is_some_and(|m| self.items.len() as u64 >= m.max(1));
        if full || self.items.len() == MAX_ITEMS {
            if let Some(oldest) = self.items.pop_front() {
                if self.leaving.len() < MAX_ITEMS {
                    self.leaving.push_back(oldest);
                }
            }
        }
        self.items.push_back(item);
        self.peak = self.peak.max(self.items.len());
    }

    /// A get took `item`: from the queue (several producers: the pipe's
    /// order can differ from the order their confirmations arrived in, so
    /// the matching one), or one already pushed out, or one whose put is
    /// not confirmed yet.
    fn take(&mut self, item: &str) {
        if let Some(i) = self.items.iter().position(|i| i == item) {
            self.items.remove(i);
        } else if let Some(i) = self.leaving.iter().position(|i| i == item) {
            self.leaving.remove(i);
        } else if let Some(a) = self.take_arriving(|a| a.item == item) {
            if self.overtaken.len() < MAX_ITEMS {
                self.overtaken.push((a.pid, a.item));
            }
        } else if self.leaving.pop_front().is_none() {
            self.items.pop_front();
        }
    }
}
