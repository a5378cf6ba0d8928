//! Bodies as the shim sends them, made in Rust (tests, fixtures, demos).

use super::{default_chunksize, Body, Role};

impl Body {
    /// A `proc_start` as the shim sends it for a multiprocessing child of
    /// `ppid` (Pool workers are daemonic, as Python makes them).
    pub fn proc_start(ppid: i32, role: Role, name: &str, method: &str) -> Body {
        Body::ProcStart {
            ppid,
            parent: Some(ppid),
            name: Some(name.to_string()),
            role,
            daemon: role == Role::PoolWorker,
            method: Some(method.to_string()),
            argv: vec![],
        }
    }

    /// The `map` event of a `Pool(workers).map` over `items` with Python's
    /// own default chunksize (see [`default_chunksize`]).
    pub fn pool_map(job: u64, items: u64, workers: u32) -> Body {
        let chunksize = default_chunksize(items, workers).chunksize;
        let chunks = if chunksize == 0 {
            0
        } else {
            items.div_ceil(chunksize)
        };
        Body::Map {
            pool: 0,
            job,
            items,
            chunksize,
            chunks,
            workers: Some(workers),
            streaming: false,
            executor: false,
        }
    }
}
