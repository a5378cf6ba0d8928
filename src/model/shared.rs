//! Shared memory (`Value`, `Array`): its contents as the processes read
//! and wrote them, how often, and by whom, latest last.

use std::collections::VecDeque;

use super::registry::{Limit, Registry};
use crate::protocol::RwOp;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SharedObj {
    pub id: String,
    /// `Value` or `Array`.
    pub kind: String,
    pub name: Option<String>,
    /// A Value: its value as last read or written.
    pub value: Option<String>,
    /// An Array: its items as last written (or read as a whole slice).
    pub items: Vec<String>,
    pub reads: u64,
    pub writes: u64,
    /// A Value: the first value seen, as a number (a counter's start).
    pub first: Option<i64>,
    /// The latest accesses: (pid, op, index, value).
    pub recent: VecDeque<(i32, RwOp, Option<u64>, String)>,
    pub seq: usize,
}

/// One `shared` event's fields.
#[derive(Clone, Copy, Debug)]
pub struct SharedChange<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub name: Option<&'a str>,
    pub op: RwOp,
    pub value: &'a str,
    pub index: Option<u64>,
}

impl SharedObj {
    pub fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("{}#{}", self.kind, self.seq + 1))
    }

    /// A counter's increments lost: writes that did not raise it (each
    /// `+= 1` writes once; the value rose by less than that).
    pub fn lost_increments(&self) -> Option<u64> {
        let (first, now) = (self.first?, self.value.as_deref()?.parse::<i64>().ok()?);
        let rose = u64::try_from(now - first).ok()?;
        Some(self.writes.saturating_sub(rose))
    }

    fn apply(&mut self, pid: i32, c: SharedChange) {
        match c.op {
            RwOp::Read => self.reads += 1,
            RwOp::Write => self.writes += 1,
            RwOp::Unknown => return,
        }
        match (c.kind, c.index) {
            ("Array", Some(i)) => {
                let i = i as usize;
                if i < MAX_ITEMS {
                    if self.items.len() <= i {
                        self.items.resize(i + 1, "0".into());
                    }
                    self.items[i] = c.value.to_string();
                }
            }
            ("Array", None) => self.items = list_items(c.value),
            _ => {
                if self.first.is_none() {
                    // A write announces the new value: the old was one less
                    // only for a counter, so start from reads alone.
                    if c.op == RwOp::Read {
                        self.first = c.value.parse().ok();
                    }
                }
                self.value = Some(c.value.to_string());
            }
        }
        if self.recent.len() == MAX_RECENT {
            self.recent.pop_front();
        }
        self.recent
            .push_back((pid, c.op, c.index, c.value.to_string()));
    }
}

/// `[0, 1, 4]` → its items (at most `MAX_ITEMS`).
fn list_items(repr: &str) -> Vec<String> {
    let inner = repr.trim().trim_start_matches('[').trim_end_matches(']');
    inner
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .take(MAX_ITEMS)
        .collect()
}

#[derive(Clone, Debug, Default)]
pub struct SharedMem {
    by_id: Registry<String, SharedObj>,
}

const MAX_OBJECTS: usize = 32;
const MAX_ITEMS: usize = 64;
const MAX_RECENT: usize = 8;

impl SharedMem {
    pub fn apply(&mut self, pid: i32, c: SharedChange) {
        let limit = Limit::refuse(MAX_OBJECTS);
        let Some(obj) = self.by_id.get_or_insert_with(c.id, limit, |seq| SharedObj {
            id: c.id.to_string(),
            kind: c.kind.to_string(),
            seq,
            ..SharedObj::default()
        }) else {
            return;
        };
        if obj.name.is_none() {
            obj.name = c.name.map(str::to_string);
        }
        obj.apply(pid, c);
    }

    pub fn in_order(&self) -> Vec<&SharedObj> {
        self.by_id.in_order()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}
