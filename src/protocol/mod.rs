//! The event contract between the Python shim and forklore (see docs/protocol.md).
//!
//! One JSON object per datagram (and per line of a recording). Decoding is
//! total: anything that is not a known event becomes a [`DecodeError`] that the
//! caller counts and skips; nothing here panics on input.

use serde::{Deserialize, Serialize};

#[macro_use]
mod bodies;
mod buffering;
mod codec;
mod fields;
mod make;
mod meta;
mod output;
mod pool;

pub use buffering::Buffering;
pub use codec::{decode, decode_fast, encode, DecodeError};
use fields::text_or_number;
pub use fields::{FutureOp, JoinOp, PipeOp, QueueOp, Role, RwOp, SyncKind, SyncOp};
pub use meta::{ParamValue, ReplayMeta};
pub use output::WriteBytes;
pub use pool::{default_chunksize, ChunkPositions, Chunking};

/// Version carried in the `hello` event; bump on incompatible changes.
pub const PROTOCOL_VERSION: u32 = 2;

/// Datagrams larger than this are rejected as oversized (the shim splits
/// long writes well below it).
pub const MAX_DATAGRAM: usize = 64 * 1024;

/// One event: what happened (`body`), which process did it, and when
/// (CLOCK_MONOTONIC nanoseconds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    // Serialized first so every line starts with its `kind`.
    #[serde(flatten)]
    pub body: Body,
    pub pid: i32,
    #[serde(default)]
    pub t: u64,
}

// What an event says, by kind. Each line `"kind" => Variant { fields }` is
// the whole contract for that kind (see docs/protocol.md).
bodies! {
    shim {
        /// First event of a run, from the main interpreter.
        "hello" => Hello {
            v: u32,
            python: String,
            #[serde(default)]
            executable: String,
            start_method: String,
            script: String,
            #[serde(default)]
            argv: Vec<String>,
            #[serde(default)]
            forklore: Option<String>,
            /// How the run's stdout and stderr buffer (absent from
            /// recordings made before forklore let it be chosen).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            buffering: Option<Buffering>,
            /// Added by the recorder so a replay can redraw the screen.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            replay: Option<Box<ReplayMeta>>,
        },
        /// A Python process began running (or its role became known).
        "proc_start" => ProcStart {
            ppid: i32,
            #[serde(default)]
            parent: Option<i32>,
            #[serde(default)]
            name: Option<String>,
            role: Role,
            #[serde(default)]
            daemon: bool,
            #[serde(default)]
            method: Option<String>,
            #[serde(default)]
            argv: Vec<String>,
        },
        /// A parent asked for a child (`Process.start` returned); `pid` is the parent.
        "proc_spawn" => ProcSpawn {
            child: i32,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            daemon: bool,
            #[serde(default)]
            method: Option<String>,
        },
        /// A process was reaped; `pid` is the process that ended. Negative
        /// `exitcode` = killed by that signal (Python's convention).
        "proc_exit" => ProcExit {
            exitcode: i32,
            #[serde(default)]
            by: Option<i32>,
        },
        /// A Pool map/starmap/imap job was created in the caller.
        "map" => Map {
            /// The pid of the process that made the Pool: with `job`, the
            /// job's identity in the run (each process counts its jobs).
            #[serde(default)]
            pool: i32,
            job: u64,
            items: u64,
            chunksize: u64,
            chunks: u64,
            #[serde(default)]
            workers: Option<u32>,
            /// imap/imap_unordered: items and chunks are not known up front;
            /// they grow as chunks are taken.
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            streaming: bool,
            /// A concurrent.futures ProcessPoolExecutor: its tasks are the
            /// job's chunks.
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            executor: bool,
        },
        /// An executor's task `task` was submitted (`name`: what it runs).
        "submit" => Submit {
            pool: i32,
            job: u64,
            task: u64,
            #[serde(default)]
            name: Option<String>,
        },
        /// A process waits for task `task`'s result, or has it.
        "future" => Future {
            pool: i32,
            job: u64,
            task: u64,
            op: FutureOp,
        },
        /// `Pool.apply` (`blocking`) or `apply_async` made task `job` (in
        /// the caller, before the task is queued); `name`: the function.
        "apply" => Apply {
            pool: i32,
            job: u64,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            blocking: bool,
            #[serde(default)]
            callback: bool,
            #[serde(default)]
            error_callback: bool,
        },
        /// An `apply_async` task's `callback` or `error_callback` (`which`)
        /// is about to run, in process `pid`.
        "callback" => Callback {
            pool: i32,
            job: u64,
            which: String,
        },
        /// Worker `pid` took chunk `index` (items `[start, end)`) of `job`.
        "chunk_take" => ChunkTake {
            #[serde(default)]
            pool: i32,
            job: u64,
            index: u64,
            size: u64,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            start: Option<u64>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            end: Option<u64>,
        },
        "chunk_done" => ChunkDone {
            #[serde(default)]
            pool: i32,
            job: u64,
            index: u64,
            #[serde(default = "yes")]
            ok: bool,
        },
        /// A Lock/RLock/Semaphore/BoundedSemaphore/Condition operation.
        "sync" => Sync {
            id: String,
            #[serde(rename = "type")]
            kind: SyncKind,
            #[serde(default)]
            name: Option<String>,
            op: SyncOp,
            /// The semaphore's value, an Event's flag (0/1), or how many
            /// wait at a Barrier.
            #[serde(default)]
            value: Option<i64>,
            /// A Barrier's parties.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            parties: Option<u32>,
        },
        /// A multiprocessing Queue put/get.
        "queue" => Queue {
            id: String,
            #[serde(default)]
            name: Option<String>,
            op: QueueOp,
            #[serde(default)]
            item: Option<String>,
            /// After the fact: the queue's size now.
            #[serde(default)]
            size: Option<i64>,
            /// With a `put`: the room it has (`Queue(maxsize)`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            maxsize: Option<u64>,
            /// A JoinableQueue's unfinished tasks (items put, not yet
            /// `task_done()`).
            #[serde(default, skip_serializing_if = "Option::is_none")]
            unfinished: Option<i64>,
        },
        /// A `multiprocessing.Pipe`: made (`open`, with both ends), or a
        /// message sent (before) / received (after) on end `end`.
        "pipe" => Pipe {
            op: PipeOp,
            end: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            other: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            item: Option<String>,
        },
        /// The script read (after) or wrote (before) shared memory: a
        /// `Value`'s `.value`, an `Array` item (`index`) or slice.
        "shared" => Shared {
            id: String,
            #[serde(rename = "type")]
            kind: String,
            #[serde(default)]
            name: Option<String>,
            op: RwOp,
            /// The value's repr (a number too: an int's repr is itself).
            #[serde(deserialize_with = "text_or_number")]
            value: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            index: Option<u64>,
        },
        /// A Manager server process started; `pid` is the server.
        "manager" => Manager {
            ppid: i32,
        },
        /// A client's call on a Manager proxy.
        "proxy" => Proxy {
            #[serde(default)]
            server: Option<i32>,
            id: String,
            #[serde(default)]
            typeid: String,
            method: String,
            #[serde(default)]
            args: Vec<String>,
            #[serde(default)]
            result: String,
        },
        /// Text a process wrote to stdout (1) or stderr (2). `pid` 0: bytes that
        /// reached the run's pipes without passing through the shim.
        "write" => Write {
            fd: u8,
            /// The bytes, when they are UTF-8 (else empty).
            #[serde(default)]
            text: String,
            /// The bytes in base64, when they are not UTF-8: binary
            /// output, or a character split across two writes.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            b64: Option<String>,
        },
        /// A watched module global of the script, when it changed.
        "var" => Var {
            name: String,
            repr: String,
            #[serde(default)]
            len: Option<u64>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            first: Option<String>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            last: Option<String>,
        },
        /// Current line of the script in this process.
        "line" => Line {
            file: String,
            line: u32,
        },
        /// A process waits in `join()` for `child` (op `waiting`), or is done
        /// waiting (`joined`, with the child's exit code if it ended).
        "join" => Join {
            child: i32,
            op: JoinOp,
            #[serde(default)]
            exitcode: Option<i32>,
            /// multiprocessing's exit handler joins, after main's own code.
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            at_exit: bool,
        },
        /// The script set its default start method (`set_start_method`).
        "start_method" => StartMethod {
            method: String,
        },
        /// The script called `terminate()` (signal 15) or `kill()` (9) on
        /// `child`; sent before the signal goes.
        "signal" => Signal {
            child: i32,
            signal: i32,
        },
        /// The script asked `is_alive()` of `child`, and the answer.
        "alive" => Alive {
            child: i32,
            alive: bool,
        },
        /// This process ran the script's module-level code again, as
        /// `name` (`__mp_main__`: a spawn or forkserver child re-importing
        /// the main module).
        "main_import" => MainImport {
            name: String,
        },
        /// The script read (`op` `read`) or wrote (`write`) a JSON file
        /// (`json.load` / `json.dump`); `text` is the JSON, cut to 200
        /// characters.
        "file" => File {
            path: String,
            op: RwOp,
            text: String,
        },
        /// The main script's own code finished; interpreter shutdown begins.
        "script_end" => ScriptEnd {},
        "shim_error" => ShimError {
            error: String,
        },
        /// Step mode: the process holds at a checkpoint, about to do
        /// `what` (a checkpoint's kind: sync, queue, proxy, write, join,
        /// proc_spawn, chunk_take, sleep…) with the fields that kind's
        /// event has (`at`), called from the user's `file`:`line`.
        "want" => Want {
            what: String,
            #[serde(default)]
            at: serde_json::Value,
            #[serde(default)]
            file: Option<String>,
            #[serde(default)]
            line: Option<u32>,
        },
    }
    supervisor {
        /// Step mode was turned on or off for the whole run.
        "stepping" => Stepping {
            on: bool,
        },
        /// forklore let the process (`pid`) go on with the one operation
        /// it held at: `who` is its stable name in a schedule, `what` and
        /// `obj` the operation. `auto`: let go because step mode was off,
        /// not a step of the schedule.
        "step" => Step {
            who: String,
            what: String,
            #[serde(default)]
            obj: Option<String>,
            #[serde(default, skip_serializing_if = "std::ops::Not::not")]
            auto: bool,
        },
        "run_paused" => RunPaused {},
        "run_resumed" => RunResumed {},
        /// The run had more live processes than `--max-procs`: forklore
        /// stopped it.
        "too_many_procs" => TooManyProcs {
            limit: u32,
        },
        /// A process of the run ended and someone else reaped it (or will):
        /// its exit status is not known to forklore (yet).
        "proc_gone" => ProcGone {},
        "run_end" => RunEnd {
            exitcode: i32,
            #[serde(default)]
            malformed: u64,
            #[serde(default)]
            rejected: u64,
            /// Events not delivered while the run was being stopped.
            #[serde(default)]
            dropped: u64,
        },
    }
}

fn yes() -> bool {
    true
}
