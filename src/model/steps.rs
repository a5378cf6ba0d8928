//! Step mode in the model: which processes hold at a checkpoint and what
//! each is about to do, in the program's own words; and the steps taken,
//! each naming its process by a stable name (a schedule replays with new
//! PIDs).

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Model, Proc};

/// A process holding at a checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Want {
    /// The checkpoint's kind (sync, queue, proxy, write, join…).
    pub what: String,
    /// That kind's fields.
    pub at: Value,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub t: u64,
}

/// One step taken: `who` (stable name) did `op` on `obj`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    pub pid: i32,
    pub who: String,
    pub op: String,
    pub obj: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Steps {
    /// Step mode is on: every process holds at its next checkpoint.
    pub on: bool,
    /// It has been on since the run began (so the steps taken replay the
    /// run from its start: an undo can run them again).
    pub from_start: bool,
    /// Processes holding now, by PID.
    pub wants: BTreeMap<i32, Want>,
    /// The steps taken in this run (the schedule so far), in order.
    pub taken: Vec<Taken>,
}

impl Steps {
    pub(super) fn want(&mut self, pid: i32, want: Want) {
        self.wants.insert(pid, want);
    }

    pub(super) fn step(&mut self, pid: i32, who: &str, op: &str, obj: Option<&str>, auto: bool) {
        self.wants.remove(&pid);
        if !auto {
            self.taken.push(Taken {
                pid,
                who: who.to_string(),
                op: op.to_string(),
                obj: obj.map(str::to_string),
            });
        }
    }

    /// A process that ended holds no more.
    pub(super) fn gone(&mut self, pid: i32) {
        self.wants.remove(&pid);
    }
}

impl Model {
    /// PIDs of the processes holding at a checkpoint, as the process tree
    /// lists them: their numbers on screen (1, 2, …).
    pub fn holding_in_order(&self) -> Vec<i32> {
        self.procs
            .tree()
            .iter()
            .map(|(_, p)| p.pid)
            .filter(|pid| self.steps.wants.contains_key(pid))
            .collect()
    }

    /// The script's line a process is on: where it holds in step mode (if
    /// that is in the script), else the last line `--lines` reported.
    pub fn line_of(&self, p: &Proc) -> Option<u32> {
        let in_script = |file: &str| {
            let script = &self.info.script;
            file == script || base_name(file) == base_name(script)
        };
        self.steps
            .wants
            .get(&p.pid)
            .filter(|w| w.file.as_deref().is_some_and(in_script))
            .and_then(|w| w.line)
            .or(p.line)
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The operation a want is about: its verb and the object, each stable
/// across runs (a lock's variable name, not its id), so a schedule's step
/// can be checked against it.
impl Want {
    pub fn op(&self) -> String {
        let field = |k: &str| self.at.get(k).and_then(Value::as_str);
        match self.what.as_str() {
            // A wait is announced as "waiting": a schedule says `wait`.
            "sync" => match field("op") {
                Some("waiting") => "wait".into(),
                Some(op) => op.to_string(),
                None => "sync".into(),
            },
            "queue" | "pipe" | "shared" => field("op").unwrap_or(&self.what).to_string(),
            "proxy" => match field("method") {
                Some("__getitem__") | Some("get") => "read".into(),
                Some("__setitem__") => "write".into(),
                Some(m) => m.to_string(),
                None => "call".into(),
            },
            "write" => "print".into(),
            "proc_spawn" => "start".into(),
            "chunk_take" => "take".into(),
            other => other.to_string(),
        }
    }

    /// The object, by a name that is the same in every run.
    pub fn object(&self, model: &Model) -> Option<String> {
        let field = |k: &str| self.at.get(k).and_then(Value::as_str);
        match self.what.as_str() {
            "sync" => field("name").map(str::to_string).or_else(|| {
                let id = field("id")?;
                Some(model.sync.get(id)?.label())
            }),
            "queue" => field("name").map(str::to_string).or_else(|| {
                let id = field("id")?;
                Some(model.queues.get(id).map_or("queue".into(), |q| q.label()))
            }),
            "proxy" => Some(match self.at.get("args").and_then(|a| a.get(0)) {
                Some(Value::String(key)) => key.clone(),
                _ => field("typeid").unwrap_or("proxy").to_string(),
            }),
            "write" => Some(match self.at.get("fd").and_then(Value::as_i64) {
                Some(2) => "stderr".into(),
                _ => "stdout".into(),
            }),
            "proc_spawn" | "shared" => field("name").map(str::to_string),
            "join" => {
                let child = self.at.get("child").and_then(Value::as_i64)?;
                Some(stable_name(model, i32::try_from(child).ok()?))
            }
            _ => None,
        }
    }

    /// What the process is about to do, in the program's own words:
    /// `lock.acquire()`, `dict['count'] → read`, `print('…')`.
    pub fn describe(&self, model: &Model) -> String {
        let obj = self.object(model);
        let name = obj.as_deref().unwrap_or("?");
        let field = |k: &str| self.at.get(k).and_then(Value::as_str);
        match self.what.as_str() {
            "sync" => format!("{name}.{}()", self.op()),
            "queue" => match field("op") {
                Some("put") => format!("{name}.put({})", field("item").unwrap_or("…")),
                Some(op) => format!("{name}.{op}()"),
                None => format!("{name}.?()"),
            },
            "proxy" => {
                let typeid = field("typeid").unwrap_or("proxy");
                match self.op().as_str() {
                    "read" => format!("{typeid}[{name}] → read"),
                    "write" => format!("{typeid}[{name}] ← {}", arg(&self.at, 1)),
                    op => format!("{typeid}.{op}({})", arg(&self.at, 0)),
                }
            }
            "write" => {
                let text = field("text").unwrap_or("");
                format!("{name}.write({:?})", text)
            }
            "shared" => {
                let value = field("value").unwrap_or("…");
                match (field("type"), self.at.get("index")) {
                    (Some("Array"), Some(i)) => format!("{name}[{i}] ← {value}"),
                    _ if self.op() == "read" => format!("{name}.value → read"),
                    _ => format!("{name}.value ← {value}"),
                }
            }
            "proc_spawn" => format!("{name}.start()"),
            "join" => format!("{name}.join()"),
            "chunk_take" => "take the next task".into(),
            "sleep" => match self.at.get("seconds") {
                Some(s) => format!("time.sleep({s})"),
                None => "time.sleep()".into(),
            },
            other => other.to_string(),
        }
    }

    /// `main.py:23`, when the user's line is known.
    pub fn place(&self) -> Option<String> {
        let line = self.line?;
        let file = self.file.as_deref().unwrap_or("");
        let base = file.rsplit('/').next().unwrap_or(file);
        Some(format!("{base}:{line}"))
    }
}

fn arg(at: &Value, i: usize) -> String {
    match at.get("args").and_then(|a| a.get(i)) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "…".into(),
    }
}

/// A process's name in a schedule: its multiprocessing name without the
/// start method's prefix (`ForkPoolWorker-1` and `SpawnPoolWorker-1` are
/// both `PoolWorker-1`), else its order of appearance (`proc-3`).
pub fn stable_name(model: &Model, pid: i32) -> String {
    model
        .procs
        .get(pid)
        .map_or_else(|| format!("pid {pid}"), proc_name)
}

fn proc_name(p: &Proc) -> String {
    let name = p.name.trim();
    if name.is_empty() || name == "python" {
        return format!("proc-{}", p.seq + 1);
    }
    for prefix in ["ForkServer", "Forkserver", "Fork", "Spawn"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            if rest.starts_with("PoolWorker") {
                return rest.to_string();
            }
        }
    }
    name.to_string()
}
