//! `forklore explore`: run a program again and again, each time under a
//! different order at its checkpoints, and group the runs by outcome.
//!
//! The decisions are pure (`search`, `trace`): a depth-first search over
//! which holding process goes next, cut down by a partial-order
//! reduction (DPOR with sleep sets, Flanagan & Godefroid 2005) over the
//! independence relation of [`independent`]. `driver` runs one schedule
//! on real processes; `pool` runs several at once; `outcome` groups and
//! reports them.

pub mod driver;
pub mod outcome;
pub mod pool;
pub mod search;
pub mod trace;

pub use outcome::{Outcome, Report};
pub use pool::{explore, Narrow, Options};
pub use search::{Plan, Search, Walker};

/// What one process does at its checkpoint: a schedule's step.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Move {
    pub who: String,
    pub op: String,
    pub obj: Option<String>,
}

impl Move {
    pub fn new(who: &str, op: &str, obj: Option<&str>) -> Move {
        Move {
            who: who.to_string(),
            op: op.to_string(),
            obj: obj.map(str::to_string),
        }
    }

    /// `Process-2 read 'count'`.
    pub fn describe(&self) -> String {
        match &self.obj {
            Some(obj) => format!("{} {} {obj}", self.who, self.op),
            None => format!("{} {}", self.who, self.op),
        }
    }
}

/// One state of a run: the moves the processes holding there could make
/// (in their creation order), and which one was let go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub enabled: Vec<Move>,
    pub chosen: usize,
}

impl Step {
    pub fn taken(&self) -> &Move {
        &self.enabled[self.chosen]
    }
}

/// Two moves commute when their order cannot change what either does:
/// they belong to different processes and touch different objects, or
/// both only read. Writes to the terminal are all one object (`stdout`),
/// so the order of two prints is always explored. A move without an
/// object (a Pool worker taking a task) depends on everything, except a
/// `sleep`, which touches nothing shared.
pub fn independent(a: &Move, b: &Move) -> bool {
    if a.who == b.who {
        return false;
    }
    if a.op == "sleep" || b.op == "sleep" {
        return true;
    }
    match (&a.obj, &b.obj) {
        (Some(x), Some(y)) => x != y || (a.op == "read" && b.op == "read"),
        _ => false,
    }
}
