//! What each process did and for how long, read from the events: a begin
//! event matched with its end (a chunk taken and done, a lock acquired and
//! released, a wait and what ended it), moments (writes, semaphore
//! operations), values over time (semaphores, queue sizes) and arrows
//! from one process to another (a queue item from its put to its get, a
//! Manager call from the client to the server).

mod queues;
mod sync;

use std::collections::{HashMap, VecDeque};

use serde_json::{json, Map, Value};

use super::procs::Procs;
use super::timeline::{Flow, Moment, Sample, Span, Timeline};
use crate::protocol::{Body, Event, JoinOp, WriteBytes};

/// What an unfinished span waits for to end.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Open {
    Chunk {
        pid: i32,
        pool: i32,
        job: u64,
        index: u64,
    },
    Holds {
        pid: i32,
        id: String,
    },
    WaitsSync {
        pid: i32,
        id: String,
    },
    WaitsGet {
        pid: i32,
        id: String,
    },
    WaitsPut {
        pid: i32,
        id: String,
    },
    /// A JoinableQueue's join().
    WaitsJoin {
        pid: i32,
        id: String,
    },
    Puts {
        pid: i32,
        id: String,
    },
    Joins {
        pid: i32,
        child: i32,
    },
}

/// Reads the events in order; spans are pushed when they begin (so arrows
/// can point at them at once) and get their end when it comes.
struct Builder<'a> {
    procs: &'a Procs,
    /// The recording's last time: where spans nothing ended stop.
    last_t: u64,
    /// Protocol version 1 announced a put once, after it went in.
    v1: bool,
    tl: Timeline,
    ends: Vec<Option<u64>>,
    open: HashMap<Open, Vec<usize>>,
    /// Put spans whose item no get has taken yet, by queue id and item.
    in_queue: HashMap<(String, String), VecDeque<usize>>,
}

pub fn timeline(events: &[Event], procs: &Procs) -> Timeline {
    let mut b = Builder {
        procs,
        last_t: events.iter().map(|e| e.t).max().unwrap_or(0),
        v1: false,
        tl: Timeline::default(),
        ends: Vec::new(),
        open: HashMap::new(),
        in_queue: HashMap::new(),
    };
    for e in events {
        b.event(e);
    }
    b.finish()
}

fn args(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

impl Builder<'_> {
    /// A span that lasts until `end(key)` (or its process's end).
    fn begin(&mut self, key: Open, e: &Event, name: String, cat: &'static str, a: Value) -> usize {
        let i = self.span((e.pid, e.t), name, cat, a);
        self.ends[i] = None;
        self.open.entry(key).or_default().push(i);
        i
    }

    /// A span over at once, in process `pid` at `t`: its start is all the
    /// events tell.
    fn span(&mut self, (pid, t): (i32, u64), name: String, cat: &'static str, a: Value) -> usize {
        self.tl.spans.push(Span {
            pid,
            start: t,
            end: t,
            name,
            cat,
            args: args(a),
        });
        self.ends.push(Some(t));
        self.tl.spans.len() - 1
    }

    /// Ends the latest span open under `key`, if any.
    fn end(&mut self, key: &Open, t: u64) -> Option<usize> {
        let stack = self.open.get_mut(key)?;
        let i = stack.pop()?;
        if stack.is_empty() {
            self.open.remove(key);
        }
        self.ends[i] = Some(t.max(self.tl.spans[i].start));
        Some(i)
    }

    fn moment(&mut self, e: &Event, name: String, cat: &'static str, a: Value) {
        self.moment_in((e.pid, e.t), name, cat, a);
    }

    fn moment_in(&mut self, (pid, t): (i32, u64), name: String, cat: &'static str, a: Value) {
        self.tl.moments.push(Moment {
            pid,
            t,
            name,
            cat,
            args: args(a),
        });
    }

    fn sample(&mut self, t: u64, name: String, key: &'static str, value: Option<i64>) {
        if let Some(value) = value {
            self.tl.samples.push(Sample {
                t,
                name,
                key,
                value,
            });
        }
    }

    fn event(&mut self, e: &Event) {
        match &e.body {
            Body::Hello { v, .. } => self.v1 = *v < 2,
            Body::ChunkTake {
                pool,
                job,
                index,
                size,
                start,
                end,
            } => self.chunk_take(e, (*pool, *job, *index), *size, (*start, *end)),
            Body::ChunkDone {
                pool,
                job,
                index,
                ok,
            } => {
                let key = Open::Chunk {
                    pid: e.pid,
                    pool: *pool,
                    job: *job,
                    index: *index,
                };
                self.end_with(&key, e.t, "ok", json!(ok));
            }
            Body::Sync {
                id,
                kind,
                name,
                op,
                value,
                ..
            } => {
                let label = format!("{kind} {}", name.as_deref().unwrap_or(id));
                self.sync(e, id, *kind, &label, *op, *value);
            }
            Body::Queue {
                id,
                name,
                op,
                item,
                size,
                ..
            } => {
                let label = format!("queue {}", name.as_deref().unwrap_or(id));
                self.queue(e, id, &label, *op, item.as_deref());
                self.sample(e.t, label, "size", *size);
            }
            Body::Join {
                child,
                op,
                exitcode,
                ..
            } => self.join(e, *child, *op, *exitcode),
            Body::Proxy {
                server,
                typeid,
                method,
                args,
                result,
                ..
            } => {
                let call = format!("{typeid}.{method}({})", args.join(", "));
                self.proxy(e, *server, &call, result);
            }
            Body::Write { fd, .. } => {
                let bytes = e.body.write_bytes().unwrap_or_default();
                self.write(e, *fd, &String::from_utf8_lossy(&bytes));
            }
            Body::ScriptEnd {} => {
                self.moment(e, "main's code ended".into(), "process", json!({}));
            }
            Body::ShimError { error } => {
                let name = format!("shim error: {error}");
                self.moment(e, name, "error", json!({ "error": error }));
            }
            _ => {}
        }
    }

    /// Ends the span open under `key` (if any) and notes how it ended.
    fn end_with(&mut self, key: &Open, t: u64, arg: &str, value: Value) {
        if let Some(i) = self.end(key, t) {
            self.tl.spans[i].args.insert(arg.into(), value);
        }
    }

    fn chunk_take(
        &mut self,
        e: &Event,
        (pool, job, index): (i32, u64, u64),
        size: u64,
        items: (Option<u64>, Option<u64>),
    ) {
        let (start, end) = items;
        let range = match items {
            (Some(s), Some(t)) => format!(": items {s}..{t}"),
            _ => String::new(),
        };
        let key = Open::Chunk {
            pid: e.pid,
            pool,
            job,
            index,
        };
        let name = format!("chunk {index} of job {job}{range}");
        let a = json!({"pool": pool, "job": job, "index": index, "size": size, "start": start, "end": end});
        self.begin(key, e, name, "chunk", a);
    }

    fn join(&mut self, e: &Event, child: i32, op: JoinOp, exitcode: Option<i32>) {
        let key = Open::Joins { pid: e.pid, child };
        match op {
            JoinOp::Waiting | JoinOp::WaitingTimed => {
                let name = format!("waits in join() for {child}");
                self.begin(key, e, name, "wait", json!({ "child": child }));
            }
            JoinOp::Joined => self.end_with(&key, e.t, "exitcode", json!(exitcode)),
            JoinOp::Unknown => {}
        }
    }

    /// Output that bypassed Python (`pid` 0) is shown on the main process.
    fn write(&mut self, e: &Event, fd: u8, text: &str) {
        let stream = if fd == 2 { "stderr" } else { "stdout" };
        let shown: String = text.trim_end().chars().take(60).collect();
        let a = json!({"fd": fd, "text": text, "pid": e.pid});
        let writer = match (e.pid, self.procs.root) {
            (0, Some(root)) => root,
            _ => e.pid,
        };
        self.moment_in((writer, e.t), format!("{stream}: {shown}"), "write", a);
    }

    /// A Manager call is reported once, when it returned: a span of no
    /// length in the client and one in the server, an arrow between them.
    fn proxy(&mut self, e: &Event, server: Option<i32>, call: &str, result: &str) {
        let a = json!({"call": call, "result": result, "server": server});
        let client = self.span(
            (e.pid, e.t),
            format!("{call} → {result}"),
            "manager",
            a.clone(),
        );
        if let Some(server) = server {
            let name = format!("serves {call} for {}", e.pid);
            let served = self.span((server, e.t), name, "manager", a);
            self.tl.flows.push(Flow {
                from: client,
                to: served,
            });
        }
    }

    /// Spans nothing ended stop when their process ended, or at the
    /// recording's end, marked unfinished.
    fn finish(mut self) -> Timeline {
        for (i, end) in self.ends.iter().enumerate() {
            let span = &mut self.tl.spans[i];
            span.end = match end {
                Some(t) => *t,
                None => {
                    span.args.insert("unfinished".into(), json!(true));
                    let ended = self.procs.end_of(span.pid).unwrap_or(self.last_t);
                    ended.max(span.start)
                }
            };
        }
        self.tl
    }
}
