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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOp {
    Blocked,
    Acquired,
    Released,
    Waiting,
    Timeout,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueOp {
    Put,
    Get,
    PutBlocked,
    GetBlocked,
    #[serde(other)]
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinOp {
    Waiting,
    Joined,
    #[serde(other)]
    Unknown,
}
