//! The pure core: `update(&mut Model, Event)` folds events into what the
//! screen shows. No I/O, no clocks, no threads; bounded in memory so a
//! million-item map or an endless print loop cannot grow it without limit.

mod applies;
mod chunks;
mod deadlock;
mod files;
mod manager;
mod output;
mod pipes;
mod procs;
mod queues;
mod registry;
mod shared;
mod steps;
mod sync;

pub use applies::{Applies, Task};
pub use chunks::{Cell, Job, Jobs, Tally};
pub(crate) use deadlock::takes_part;
pub use deadlock::{Stuck, DEADLOCK_SETTLE};
pub use files::{Access, FileObj, Files};
pub use manager::{Call, Counter, ManagedObject, Managers, Server};
pub use output::{Fragment, Line, Output};
pub use pipes::{PipeObj, Pipes};
pub use procs::{AliveCheck, Calls, Phase, Proc, ProcState, Procs, VarValue, Wait};
pub use queues::{Arriving, QueueChange, QueueObj, Queues};
pub use registry::{Limit, Registry};
pub use shared::{SharedChange, SharedMem, SharedObj};
pub use steps::{stable_name, Steps, Taken, Want};
pub use sync::{SyncChange, SyncObj, SyncObjs};

use crate::protocol::{Body, Buffering, Event, FutureOp, JoinOp, QueueOp, SyncOp, WriteBytes};

/// Where the run as a whole stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RunState {
    #[default]
    Starting,
    Running,
    Paused,
    /// The run is over; the main process's exit code (negative = signal).
    Finished(i32),
}

/// The `hello` facts of the run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunInfo {
    pub python: String,
    pub start_method: String,
    /// How stdout and stderr buffer (None: the run did not say).
    pub buffering: Option<Buffering>,
    pub script: String,
    pub root: Option<i32>,
    /// The protocol version of the run's events (`hello`'s `v`).
    pub protocol: u32,
}

#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub events: u64,
    pub malformed: u64,
    pub rejected: u64,
    /// Events not delivered while the run was being stopped.
    pub dropped: u64,
    /// The run was stopped for having more processes than this.
    pub too_many_procs: Option<u32>,
    pub shim_errors: std::collections::VecDeque<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Model {
    pub info: RunInfo,
    pub state: RunState,
    pub procs: Procs,
    pub sync: SyncObjs,
    pub queues: Queues,
    pub jobs: Jobs,
    pub applies: Applies,
    pub managers: Managers,
    pub files: Files,
    pub pipes: Pipes,
    pub shared: SharedMem,
    pub output: Output,
    pub steps: Steps,
    pub stats: Stats,
    /// Time of the first and the latest event (ns, CLOCK_MONOTONIC).
    pub first_t: Option<u64>,
    pub last_t: u64,
    /// When the main script's own code ended.
    pub script_end_t: Option<u64>,
}

const MAX_SHIM_ERRORS: usize = 32;
/// Watched globals kept per process.
const MAX_VARS: usize = 64;

impl Model {
    pub fn new() -> Self {
        Self::default()
    }

    /// Fold one event into the model.
    pub fn update(&mut self, event: &Event) {
        self.stats.events += 1;
        self.first_t.get_or_insert(event.t);
        self.last_t = self.last_t.max(event.t);
        let (pid, t) = (event.pid, event.t);
        match &event.body {
            Body::Hello {
                v,
                python,
                start_method,
                buffering,
                script,
                ..
            } => {
                self.info = RunInfo {
                    python: python.clone(),
                    start_method: start_method.clone(),
                    buffering: *buffering,
                    script: script.clone(),
                    root: Some(pid),
                    protocol: *v,
                };
                if self.state == RunState::Starting {
                    self.state = RunState::Running;
                }
            }
            Body::ProcStart { .. }
            | Body::ProcSpawn { .. }
            | Body::ProcExit { .. }
            | Body::ProcGone {} => {
                self.procs.apply(pid, t, &event.body);
                if let Body::ProcExit { .. } | Body::ProcGone {} = event.body {
                    self.sync.forget_waiter(pid);
                    self.steps.gone(pid);
                }
            }
            Body::Var {
                name,
                repr,
                len,
                first,
                last,
            } => {
                let value = VarValue {
                    repr: repr.clone(),
                    len: *len,
                    first: first.clone(),
                    last: last.clone(),
                };
                let vars = &mut self.procs.get_or_add(pid, t).vars;
                // A handful are watched; a flood of names is not kept.
                if vars.len() < MAX_VARS || vars.contains_key(name) {
                    vars.insert(name.clone(), value);
                }
            }
            Body::Line { line, .. } => self.procs.get_or_add(pid, t).line = Some(*line),
            Body::Future { task, op, .. } => {
                let state = match op {
                    FutureOp::Waiting => ProcState::Blocked(Wait::Future { task: *task }),
                    _ => ProcState::Running,
                };
                self.procs.set_state(pid, t, state);
            }
            Body::Map { .. }
            | Body::ChunkTake { .. }
            | Body::ChunkDone { .. }
            | Body::Submit { .. } => {
                self.jobs.apply(pid, &event.body);
                self.applies.apply(pid, t, &event.body);
                if let Body::ChunkTake { .. } = event.body {
                    self.procs.set_state(pid, t, ProcState::Running);
                }
            }
            Body::Sync {
                id,
                kind,
                name,
                op,
                value,
                parties,
            } => {
                let change = SyncChange {
                    id,
                    kind: *kind,
                    name: name.as_deref(),
                    op: *op,
                    value: *value,
                    parties: *parties,
                };
                let state = self.sync.apply(pid, change);
                self.procs.set_state(pid, t, state);
                self.procs.get_or_add(pid, t).wait_timed = *op == SyncOp::BlockedTimed;
            }
            Body::Queue {
                id,
                name,
                op,
                item,
                size,
                maxsize,
                unfinished,
            } => {
                let change = QueueChange {
                    id,
                    name: name.as_deref(),
                    op: *op,
                    item: item.as_deref(),
                    size: *size,
                    maxsize: *maxsize,
                    unfinished: *unfinished,
                };
                let mut state = self.queues.apply(pid, change);
                if *op == QueueOp::Put && self.info.protocol == 1 {
                    // Version 1 reported a put once, after it went in.
                    let done = QueueChange {
                        op: QueueOp::PutDone,
                        ..change
                    };
                    state = self.queues.apply(pid, done);
                }
                self.procs.set_state(pid, t, state);
            }
            Body::Manager { ppid } => self.managers.server_started(pid, *ppid),
            Body::Proxy {
                server,
                id,
                typeid,
                method,
                args,
                result,
            } => {
                self.managers
                    .call(pid, *server, id, typeid, method, args, result);
            }
            Body::Write { fd, .. } => {
                let bytes = event.body.write_bytes().unwrap_or_default();
                self.output.write_bytes(pid, *fd, &bytes);
            }
            Body::Join {
                child, op, at_exit, ..
            } => {
                let state = match op {
                    JoinOp::Waiting | JoinOp::WaitingTimed => ProcState::Blocked(Wait::Join {
                        child: *child,
                        at_exit: *at_exit,
                    }),
                    _ => ProcState::Running,
                };
                self.procs.apply_call(t, &event.body);
                if *at_exit {
                    // Main's own code is over: no line of it is current.
                    self.procs.get_or_add(pid, t).line = None;
                }
                self.procs.set_state(pid, t, state);
                self.procs.get_or_add(pid, t).wait_timed = *op == JoinOp::WaitingTimed;
            }
            Body::Apply { .. } | Body::Callback { .. } => {
                self.applies.apply(pid, t, &event.body);
            }
            Body::Signal { .. } | Body::Alive { .. } => self.procs.apply_call(t, &event.body),
            Body::MainImport { name } => {
                self.procs.get_or_add(pid, t).reimported_as = Some(name.clone());
            }
            Body::File { path, op, text } => self.files.apply(pid, path, *op, text),
            Body::Shared {
                id,
                kind,
                name,
                op,
                value,
                index,
            } => {
                let change = SharedChange {
                    id,
                    kind,
                    name: name.as_deref(),
                    op: *op,
                    value,
                    index: *index,
                };
                self.shared.apply(pid, change);
            }
            Body::Pipe {
                op,
                end,
                other,
                item,
            } => {
                let item = item.as_deref().unwrap_or_default();
                self.pipes.apply(pid, *op, end, other.as_deref(), item);
            }
            Body::ScriptEnd {} => self.script_end_t = Some(t),
            Body::ShimError { error } => {
                if self.stats.shim_errors.len() == MAX_SHIM_ERRORS {
                    self.stats.shim_errors.pop_front();
                }
                self.stats
                    .shim_errors
                    .push_back(format!("pid {pid}: {error}"));
            }
            Body::StartMethod { method } if Some(pid) == self.info.root => {
                self.info.start_method = method.clone();
            }
            Body::StartMethod { .. } => {}
            Body::TooManyProcs { limit } => self.stats.too_many_procs = Some(*limit),
            Body::Want {
                what,
                at,
                file,
                line,
            } => {
                let want = Want {
                    what: what.clone(),
                    at: at.clone(),
                    file: file.clone(),
                    line: *line,
                    t,
                };
                self.steps.want(pid, want);
            }
            Body::Stepping { on } => {
                self.steps.on = *on;
                self.steps.from_start = *on && self.info.root.is_none();
            }
            Body::Step {
                who,
                what,
                obj,
                auto,
            } => self.steps.step(pid, who, what, obj.as_deref(), *auto),
            Body::RunPaused {} => self.state = RunState::Paused,
            Body::RunResumed {} => self.state = RunState::Running,
            Body::RunEnd {
                exitcode,
                malformed,
                rejected,
                dropped,
            } => {
                self.state = RunState::Finished(*exitcode);
                self.stats.malformed = *malformed;
                self.stats.rejected = *rejected;
                self.stats.dropped = *dropped;
                self.output.flush_partial();
            }
        }
    }

    /// Fold a sequence of events (tests, replay).
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut model = Self::new();
        for e in events {
            model.update(e);
        }
        model
    }

    pub fn is_paused(&self) -> bool {
        self.state == RunState::Paused
    }
}
