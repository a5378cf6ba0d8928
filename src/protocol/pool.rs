//! Pool maps: Python's default chunksize, and where each chunk starts.

use super::{Body, Event};

/// How `Pool.map` picks its chunksize when given none, step by step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunking {
    /// `items // (workers * 4)`.
    pub size: u64,
    /// `items % (workers * 4)`.
    pub extra: u64,
    /// What Python uses: `size`, plus one if `extra` is not 0.
    pub chunksize: u64,
}

/// Python's default chunksize (CPython's `Pool._map_async`):
/// `chunksize, extra = divmod(items, workers * 4)`, then `chunksize += 1`
/// if `extra`; 0 items give 0. A Pool has at least one worker.
pub fn default_chunksize(items: u64, workers: u32) -> Chunking {
    let divisor = u64::from(workers.max(1)) * 4;
    let (size, extra) = (items / divisor, items % divisor);
    Chunking {
        size,
        extra,
        chunksize: size + u64::from(extra > 0),
    }
}

/// Fills in `start`/`end` of chunk events from their job's `map` event: a
/// worker never sees the chunk's position, only its index and size, while
/// the caller knows the chunksize (all chunks but the last have that size).
#[derive(Default)]
pub struct ChunkPositions {
    /// (pool, job) -> chunksize.
    chunksizes: std::collections::HashMap<(i32, u64), u64>,
}

impl ChunkPositions {
    pub fn enrich(&mut self, event: &mut Event) {
        match &mut event.body {
            Body::Map {
                pool,
                job,
                chunksize,
                ..
            } => {
                if self.chunksizes.len() > 4096 {
                    self.chunksizes.clear();
                }
                self.chunksizes.insert((*pool, *job), *chunksize);
            }
            Body::ChunkTake {
                pool,
                job,
                index,
                size,
                start,
                end,
            } if start.is_none() => {
                let known = self.chunksizes.get(&(*pool, *job)).copied();
                let chunksize = known.unwrap_or(*size);
                let s = index.saturating_mul(chunksize);
                *start = Some(s);
                *end = Some(s.saturating_add(*size));
            }
            _ => {}
        }
    }
}
