//! Pool map jobs: which worker took and finished which chunk.
//!
//! A job's chunks live in a strip of at most `MAX_CELLS` cells; a job with
//! more chunks than that folds several chunks into each cell, so a
//! million-chunk map costs the same memory as a small one.

use std::collections::{BTreeMap, VecDeque};

use crate::protocol::Body;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cell {
    /// Last worker that took a chunk of this cell (0 = none yet).
    pub taker: i32,
    pub taken: u32,
    pub done: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub chunks: u64,
    pub items: u64,
    pub done: u64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Job {
    pub job: u64,
    pub caller: i32,
    pub items: u64,
    pub chunksize: u64,
    pub chunks: u64,
    pub workers: Option<u32>,
    /// Chunks folded into each cell (1 unless the job is huge).
    pub per_cell: u64,
    pub cells: Vec<Cell>,
    pub taken: u64,
    pub done: u64,
    /// Per worker pid.
    pub tallies: BTreeMap<i32, Tally>,
    /// The most recent takes, oldest first: (index, worker pid).
    pub recent: VecDeque<(u64, i32)>,
    /// imap/imap_unordered: items and chunks grow as chunks are taken.
    pub streaming: bool,
    /// A ProcessPoolExecutor: tasks are submitted one by one.
    pub executor: bool,
    /// Executor tasks submitted so far.
    pub submitted: u64,
}

pub const MAX_CELLS: u64 = 65_536;
const MAX_JOBS: usize = 16;
const MAX_RECENT: usize = 64;
const MAX_TALLIES: usize = 256;

impl Job {
    fn new(
        job: u64,
        caller: i32,
        items: u64,
        chunksize: u64,
        chunks: u64,
        workers: Option<u32>,
    ) -> Self {
        let per_cell = chunks.div_ceil(MAX_CELLS).max(1);
        let cells = chunks.div_ceil(per_cell) as usize;
        Job {
            job,
            caller,
            items,
            chunksize,
            chunks,
            workers,
            per_cell,
            cells: vec![Cell::default(); cells],
            taken: 0,
            done: 0,
            tallies: BTreeMap::new(),
            recent: VecDeque::new(),
            streaming: false,
            executor: false,
            submitted: 0,
        }
    }

    /// A streaming job learns its size from the chunks taken so far; its
    /// strip grows one cell per chunk (up to MAX_CELLS).
    fn grow_to(&mut self, index: u64, end: u64) {
        if !self.streaming {
            return;
        }
        self.chunks = self.chunks.max(index.saturating_add(1));
        self.items = self.items.max(end);
        let wanted = self.chunks.min(MAX_CELLS) as usize;
        if self.cells.len() < wanted {
            self.cells.resize(wanted, Cell::default());
        }
    }

    fn cell(&mut self, index: u64) -> Option<&mut Cell> {
        self.cells.get_mut((index / self.per_cell) as usize)
    }

    /// Worker `pid`'s tally (None past `MAX_TALLIES` workers: a Pool
    /// replacing its workers endlessly must not grow the model).
    fn tally(&mut self, pid: i32) -> Option<&mut Tally> {
        if self.tallies.len() >= MAX_TALLIES && !self.tallies.contains_key(&pid) {
            return None;
        }
        Some(self.tallies.entry(pid).or_default())
    }

    /// Chunks not yet taken by any worker.
    pub fn pending(&self) -> u64 {
        self.chunks.saturating_sub(self.taken)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Jobs {
    jobs: VecDeque<Job>,
}

impl Jobs {
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    pub fn all(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter()
    }

    /// The job to show: the newest one.
    pub fn current(&self) -> Option<&Job> {
        self.jobs.back()
    }

    /// Job `job` of the Pool made by `pool` (0: not said, as in older
    /// recordings: the newest job with that number).
    fn find(&mut self, pool: i32, job: u64) -> Option<&mut Job> {
        self.jobs
            .iter_mut()
            .rev()
            .find(|j| j.job == job && (pool == 0 || j.caller == pool))
    }

    pub fn apply(&mut self, pid: i32, body: &Body) {
        match body {
            Body::Map {
                job,
                items,
                chunksize,
                chunks,
                workers,
                streaming,
                executor,
                ..
            } => {
                if self.jobs.len() == MAX_JOBS {
                    self.jobs.pop_front();
                }
                let mut j = Job::new(*job, pid, *items, *chunksize, *chunks, *workers);
                j.streaming = *streaming || *executor;
                j.executor = *executor;
                self.jobs.push_back(j);
            }
            Body::Submit {
                pool, job, task, ..
            } => {
                if let Some(j) = self.find(*pool, *job) {
                    j.submitted += 1;
                    j.grow_to(*task, j.items.max(task.saturating_add(1)));
                }
            }
            Body::ChunkTake {
                pool,
                job,
                index,
                size,
                end,
                ..
            } => {
                let Some(j) = self.find(*pool, *job) else {
                    return;
                };
                j.grow_to(
                    *index,
                    end.unwrap_or(index.saturating_mul(j.chunksize).saturating_add(*size)),
                );
                if let Some(cell) = j.cell(*index) {
                    cell.taker = pid;
                    cell.taken += 1;
                } else {
                    return;
                }
                j.taken += 1;
                if let Some(tally) = j.tally(pid) {
                    tally.chunks += 1;
                    tally.items = tally.items.saturating_add(*size);
                }
                if j.recent.len() == MAX_RECENT {
                    j.recent.pop_front();
                }
                j.recent.push_back((*index, pid));
            }
            Body::ChunkDone {
                pool, job, index, ..
            } => {
                let Some(j) = self.find(*pool, *job) else {
                    return;
                };
                if let Some(cell) = j.cell(*index) {
                    cell.done += 1;
                } else {
                    return;
                }
                j.done += 1;
                if let Some(tally) = j.tally(pid) {
                    tally.done += 1;
                }
            }
            _ => {}
        }
    }
}
