//! The small enums inside events: a process's role and the operations on
//! locks, queues and joins. Unknown values decode as `Unknown`.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Main,
    Process,
    PoolWorker,
    Manager,
    Forkserver,
    ResourceTracker,
    Python,
    #[serde(other)]
    Unknown,
}

impl Role {
    pub fn label(self) -> &'static str {
        match self {
            Role::Main => "main",
            Role::Process => "process",
            Role::PoolWorker => "pool worker",
            Role::Manager => "Manager server",
            Role::Forkserver => "forkserver",
            Role::ResourceTracker => "resource tracker",
            Role::Python => "python",
            Role::Unknown => "?",
        }
    }
}

/// Which primitive a `sync` event is about, by its Python class name
/// (written as is: `"Lock"`, `"RLock"`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SyncKind {
    Lock,
    RLock,
    Semaphore,
    BoundedSemaphore,
    Condition,
    /// Not reported by the shim yet.
    Event,
    /// Not reported by the shim yet.
    Barrier,
    #[serde(other)]
    Unknown,
}

impl SyncKind {
    /// The Python class name, as events write it.
    pub fn name(self) -> &'static str {
        match self {
            SyncKind::Lock => "Lock",
            SyncKind::RLock => "RLock",
            SyncKind::Semaphore => "Semaphore",
            SyncKind::BoundedSemaphore => "BoundedSemaphore",
            SyncKind::Condition => "Condition",
            SyncKind::Event => "Event",
            SyncKind::Barrier => "Barrier",
            SyncKind::Unknown => "Unknown",
        }
    }

    /// Several processes may hold it at once, up to its value.
    pub fn is_semaphore(self) -> bool {
        matches!(self, SyncKind::Semaphore | SyncKind::BoundedSemaphore)
    }
}

impl std::fmt::Display for SyncKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What happened to a lock, semaphore, condition, event or barrier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOp {
    /// An acquire had to wait.
    Blocked,
    /// An acquire with a timeout had to wait: it may give up.
    BlockedTimed,
    Acquired,
    /// Sent before the real release, so it precedes the next `acquired`.
    Released,
    /// A wait began (Condition, Event, Barrier).
    Waiting,
    Timeout,
    /// An Event was set / cleared.
    Set,
    Clear,
    /// An Event's wait returned because it was set.
    Woke,
    /// A Barrier let its parties through.
    Passed,
    /// A Barrier was broken (abort, a timeout): its waiters raise.
    Broken,
    /// A Condition's `notify()` / `notify_all()`, before it happens;
    /// `value` = how many waiters it wakes.
    Notify,
    #[serde(other)]
    Unknown,
}

/// What happened on a queue. `put` is reported BEFORE the item goes in (a
/// checkpoint), so it always precedes the `get` that takes the item; the
/// other ops are reported after the fact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueOp {
    Put,
    /// An item was taken (`item` says which).
    Get,
    /// The queue is full: the putter waits, its item not in yet.
    PutBlocked,
    GetBlocked,
    /// A put that had to wait went in.
    PutDone,
    /// A put raised (full with `block=False`, a timeout, a closed queue).
    PutFailed,
    /// A get raised (empty with `block=False`, a timeout).
    GetFailed,
    /// A JoinableQueue: `task_done()`, announced before it happens
    /// (`unfinished`: the count it leaves).
    TaskDone,
    /// A JoinableQueue: `join()` began (it waits for `unfinished` to
    /// reach 0) / returned.
    Join,
    Joined,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinOp {
    Waiting,
    /// A `join(timeout)`: it may return with the child still running.
    WaitingTimed,
    Joined,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FutureOp {
    Waiting,
    Done,
    #[serde(other)]
    Unknown,
}

/// A read or a write: of a JSON file (`file`), of shared memory (`shared`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RwOp {
    Read,
    Write,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PipeOp {
    Open,
    Send,
    Recv,
    #[serde(other)]
    Unknown,
}

/// A field that is text, sent as a JSON string or, for an int's repr
/// (which is the number itself), as a JSON number.
pub(super) fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Text(String),
        Int(i64),
    }
    Ok(match Text::deserialize(d)? {
        Text::Text(s) => s,
        Text::Int(n) => n.to_string(),
    })
}
