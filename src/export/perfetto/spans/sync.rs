//! Locks, RLocks, Conditions and semaphores in a trace.

use serde_json::json;

use super::{Builder, Open};
use crate::protocol::{Event, SyncKind, SyncOp};

impl Builder<'_> {
    pub(super) fn sync(
        &mut self,
        e: &Event,
        id: &str,
        kind: SyncKind,
        label: &str,
        op: SyncOp,
        value: Option<i64>,
    ) {
        let pid = e.pid;
        let waits = Open::WaitsSync {
            pid,
            id: id.to_string(),
        };
        let holds = Open::Holds {
            pid,
            id: id.to_string(),
        };
        // A semaphore is released by whoever gives a slot back, often
        // another process: its acquire and release are moments, its value
        // a counter. A lock is held by the process that acquired it.
        let owned = !kind.is_semaphore();
        let a = json!({"id": id, "value": value});
        match op {
            SyncOp::Blocked | SyncOp::BlockedTimed | SyncOp::Waiting => {
                self.begin(waits, e, format!("waits for {label}"), "wait", a);
            }
            SyncOp::Acquired => {
                self.end(&waits, e.t);
                if owned {
                    self.begin(holds, e, format!("holds {label}"), "lock", a);
                } else {
                    self.moment(e, format!("acquired {label}"), "semaphore", a);
                }
            }
            SyncOp::Released => {
                let held = owned && self.end(&holds, e.t).is_some();
                if !held {
                    // A semaphore, or a lock released by another process.
                    let cat = if owned { "lock" } else { "semaphore" };
                    self.moment(e, format!("released {label}"), cat, a);
                }
            }
            SyncOp::Timeout => {
                self.end(&waits, e.t);
                self.moment(e, format!("timed out on {label}"), "wait", a);
            }
            SyncOp::Woke => {
                self.end(&waits, e.t);
            }
            SyncOp::Passed | SyncOp::Broken => {
                self.end(&waits, e.t);
                self.moment(e, format!("{} {label}", op_word(op)), "wait", a);
            }
            SyncOp::Set | SyncOp::Clear => {
                self.moment(e, format!("{} {label}", op_word(op)), "event", a);
            }
            SyncOp::Notify => {
                let name = format!("notified {label} (wakes {})", value.unwrap_or(0));
                self.moment(e, name, "wait", a);
            }
            SyncOp::Unknown => {}
        }
        if kind.is_semaphore() {
            self.sample(e.t, label.to_string(), "value", value);
        }
    }
}

/// How an Event's or a Barrier's moment reads on the timeline.
fn op_word(op: SyncOp) -> &'static str {
    match op {
        SyncOp::Set => "set",
        SyncOp::Clear => "cleared",
        SyncOp::Passed => "passed",
        SyncOp::Broken => "broken",
        _ => "",
    }
}
