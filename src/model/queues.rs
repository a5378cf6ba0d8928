//! multiprocessing Queues and the items in them, as the processes saw them.

use std::collections::VecDeque;

use super::registry::{Limit, Registry};
use super::{ProcState, Wait};
use crate::protocol::QueueOp;

#[derive(Clone, Debug, PartialEq)]
pub struct QueueObj {
    pub id: String,
    pub name: Option<String>,
    /// Items put and not yet taken, oldest first (bounded; `size` is exact).
    pub items: VecDeque<String>,
    pub size: Option<i64>,
    pub puts: u64,
    pub gets: u64,
    /// The last item moved, with who moved it: (pid, op, item).
    pub last: Option<(i32, QueueOp, String)>,
    pub seq: usize,
}

impl QueueObj {
    pub fn label(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("Queue#{}", self.seq + 1))
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

    pub fn apply(
        &mut self,
        pid: i32,
        id: &str,
        name: Option<&str>,
        op: QueueOp,
        item: Option<&str>,
        size: Option<i64>,
    ) -> ProcState {
        let limit = Limit::refuse(MAX_QUEUES);
        let Some(q) = self.by_id.get_or_insert_with(id, limit, |seq| QueueObj {
            id: id.to_string(),
            name: None,
            items: VecDeque::new(),
            size: None,
            puts: 0,
            gets: 0,
            last: None,
            seq,
        }) else {
            return ProcState::Running;
        };
        if q.name.is_none() {
            q.name = name.map(str::to_string);
        }
        if size.is_some() {
            q.size = size;
        }
        let item = item.unwrap_or("").to_string();
        match op {
            QueueOp::Put => {
                q.puts += 1;
                if q.items.len() == MAX_ITEMS {
                    q.items.pop_front();
                }
                q.items.push_back(item.clone());
                q.last = Some((pid, op, item));
            }
            QueueOp::Get => {
                q.gets += 1;
                // Several producers: the pipe's order can differ from the
                // order their put events arrived in, so take the matching one.
                match q.items.iter().position(|i| *i == item) {
                    Some(i) => {
                        q.items.remove(i);
                    }
                    None => {
                        q.items.pop_front();
                    }
                }
                q.last = Some((pid, op, item));
            }
            QueueOp::PutBlocked => {
                return ProcState::Blocked(Wait::QueuePut { id: id.to_string() })
            }
            QueueOp::GetBlocked => {
                return ProcState::Blocked(Wait::QueueGet { id: id.to_string() })
            }
            QueueOp::Unknown => {}
        }
        ProcState::Running
    }
}
