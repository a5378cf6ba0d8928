//! Files the script reads and writes as JSON (`json.load` / `json.dump`),
//! by path: what is in each now, and who read or wrote what, latest last.

use std::collections::VecDeque;

use super::registry::{Limit, Registry};
use crate::protocol::RwOp;

/// One access: who, which way, and the JSON text it read or wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    pub pid: i32,
    pub op: RwOp,
    pub text: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileObj {
    pub path: String,
    /// The file's contents as last written or read.
    pub text: String,
    pub reads: u64,
    pub writes: u64,
    /// Writes by each process (main's own set-up write counts too).
    pub writes_by: Vec<(i32, u64)>,
    /// The latest accesses, oldest first.
    pub recent: VecDeque<Access>,
    pub seq: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Files {
    by_path: Registry<String, FileObj>,
}

/// Files kept; past this the oldest goes.
const MAX_FILES: usize = 16;
const LIMIT: Limit<FileObj> = Limit::evict_oldest(MAX_FILES, |_| true);
/// Accesses kept per file.
const MAX_RECENT: usize = 12;
/// Writers counted per file.
const MAX_WRITERS: usize = 256;

impl Files {
    pub fn apply(&mut self, pid: i32, path: &str, op: RwOp, text: &str) {
        let Some(f) = self.by_path.get_or_insert_with(path, LIMIT, |seq| FileObj {
            path: path.to_string(),
            seq,
            ..FileObj::default()
        }) else {
            return;
        };
        f.text = text.to_string();
        match op {
            RwOp::Read => f.reads += 1,
            RwOp::Write => {
                f.writes += 1;
                let full = f.writes_by.len() >= MAX_WRITERS;
                match f.writes_by.iter_mut().find(|(p, _)| *p == pid) {
                    Some((_, n)) => *n += 1,
                    None if !full => f.writes_by.push((pid, 1)),
                    None => {}
                }
            }
            RwOp::Unknown => return,
        }
        if f.recent.len() == MAX_RECENT {
            f.recent.pop_front();
        }
        f.recent.push_back(Access {
            pid,
            op,
            text: text.to_string(),
        });
    }

    /// Files in the order the script first touched them.
    pub fn in_order(&self) -> Vec<&FileObj> {
        self.by_path.in_order()
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }
}
