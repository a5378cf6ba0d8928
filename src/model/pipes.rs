//! multiprocessing Pipes: their two ends, which processes used each end,
//! and the messages on their way from one end to the other.

use std::collections::VecDeque;

use crate::protocol::PipeOp;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PipeObj {
    /// The ends as the shim names them (a kernel inode, the same in every
    /// process).
    pub ends: [String; 2],
    /// The PIDs that sent or received on each end.
    pub users: [Vec<i32>; 2],
    /// Messages sent from each end and not yet received at the other:
    /// (sender, item), oldest first.
    pub in_flight: [VecDeque<(i32, String)>; 2],
    pub sent: u64,
    pub received: u64,
    /// The latest operations: (pid, end 0 or 1, op, item).
    pub recent: VecDeque<(i32, usize, PipeOp, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct Pipes {
    pipes: VecDeque<PipeObj>,
}

const MAX_PIPES: usize = 16;
const MAX_ITEMS: usize = 64;
const MAX_RECENT: usize = 6;
const MAX_USERS: usize = 16;

impl Pipes {
    pub fn apply(&mut self, pid: i32, op: PipeOp, end: &str, other: Option<&str>, item: &str) {
        if op == PipeOp::Open {
            if self.pipes.len() == MAX_PIPES {
                self.pipes.pop_front();
            }
            let other = other.unwrap_or_default().to_string();
            self.pipes.push_back(PipeObj {
                ends: [end.to_string(), other],
                ..PipeObj::default()
            });
            return;
        }
        let Some((pipe, side)) = self.find(end) else {
            return;
        };
        if !pipe.users[side].contains(&pid) && pipe.users[side].len() < MAX_USERS {
            pipe.users[side].push(pid);
        }
        match op {
            PipeOp::Send => {
                pipe.sent += 1;
                if pipe.in_flight[side].len() < MAX_ITEMS {
                    pipe.in_flight[side].push_back((pid, item.to_string()));
                }
            }
            PipeOp::Recv => {
                pipe.received += 1;
                // It came from the other end: that item, else the oldest.
                let from = &mut pipe.in_flight[1 - side];
                match from.iter().position(|(_, i)| i == item) {
                    Some(at) => drop(from.remove(at)),
                    None => drop(from.pop_front()),
                }
            }
            PipeOp::Open | PipeOp::Unknown => return,
        }
        if pipe.recent.len() == MAX_RECENT {
            pipe.recent.pop_front();
        }
        pipe.recent.push_back((pid, side, op, item.to_string()));
    }

    fn find(&mut self, end: &str) -> Option<(&mut PipeObj, usize)> {
        self.pipes.iter_mut().rev().find_map(|p| {
            let side = p.ends.iter().position(|e| e == end)?;
            Some((p, side))
        })
    }

    /// Pipes in the order they were made.
    pub fn in_order(&self) -> impl Iterator<Item = &PipeObj> {
        self.pipes.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.pipes.is_empty()
    }
}
