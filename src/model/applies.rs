//! Pool.apply / apply_async tasks, one by one: who asked, which worker
//! ran it and when, whether it raised, and where its callback ran.

use std::collections::VecDeque;

use crate::protocol::Body;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Task {
    pub pool: i32,
    pub job: u64,
    pub name: Option<String>,
    /// `apply` (the caller waits for it) rather than `apply_async`.
    pub blocking: bool,
    pub callback: bool,
    pub error_callback: bool,
    pub asked_t: u64,
    pub worker: Option<i32>,
    pub taken_t: Option<u64>,
    pub done_t: Option<u64>,
    pub ok: Option<bool>,
    /// The callback that ran: (pid, `callback` or `error_callback`, when).
    pub ran: Option<(i32, String, u64)>,
}

#[derive(Clone, Debug, Default)]
pub struct Applies {
    tasks: VecDeque<Task>,
}

/// Tasks kept; past this the oldest goes.
const MAX_TASKS: usize = 512;

impl Applies {
    pub fn apply(&mut self, pid: i32, t: u64, body: &Body) {
        match body {
            Body::Apply {
                pool,
                job,
                name,
                blocking,
                callback,
                error_callback,
            } => {
                if self.tasks.len() == MAX_TASKS {
                    self.tasks.pop_front();
                }
                self.tasks.push_back(Task {
                    pool: *pool,
                    job: *job,
                    name: name.clone(),
                    blocking: *blocking,
                    callback: *callback,
                    error_callback: *error_callback,
                    asked_t: t,
                    ..Task::default()
                });
            }
            Body::ChunkTake { pool, job, .. } => {
                if let Some(task) = self.find(*pool, *job) {
                    task.worker = Some(pid);
                    task.taken_t = Some(t);
                }
            }
            Body::ChunkDone { pool, job, ok, .. } => {
                if let Some(task) = self.find(*pool, *job) {
                    task.done_t = Some(t);
                    task.ok = Some(*ok);
                }
            }
            Body::Callback { pool, job, which } => {
                if let Some(task) = self.find(*pool, *job) {
                    task.ran = Some((pid, which.clone(), t));
                }
            }
            _ => {}
        }
    }

    fn find(&mut self, pool: i32, job: u64) -> Option<&mut Task> {
        self.tasks
            .iter_mut()
            .rev()
            .find(|t| t.pool == pool && t.job == job)
    }

    /// Tasks in the order they were asked for.
    pub fn tasks(&self) -> impl Iterator<Item = &Task> {
        self.tasks.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }
}
