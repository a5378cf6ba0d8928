//! A recording as Chrome trace-event JSON, the format Perfetto
//! (ui.perfetto.dev) and chrome://tracing open.
//!
//! - one track per process, named "PID role name", ordered so each
//!   process comes right under its parent (`process_sort_index`; the
//!   parent is also a label); its lifetime is the outermost slice;
//! - slices (`X` events, with a duration) for chunks worked on, locks
//!   held, waits (on a lock, a semaphore, a queue, a join) and Manager
//!   calls; instants for writes and semaphore operations;
//! - arrows (flow v2: `bind_id` with `flow_out` / `flow_in`) from a queue
//!   put to the get that took its item, and from a Manager call to its
//!   server;
//! - counters for semaphore values and queue sizes, on the main process;
//!   output that bypassed Python (pid 0, not a process) is shown there too.
//!
//! Pure: events in, JSON out. Times are microseconds since the
//! recording's first event.

mod lanes;
mod procs;
mod spans;
mod timeline;

use serde_json::{json, Value};

use crate::protocol::Event;
use procs::Procs;
use timeline::{Span, Timeline};

/// Extra lanes of a process get thread ids above every real pid
/// (Linux's pid_max is at most 2^22).
const LANE_STRIDE: i64 = 1 << 22;

/// The trace of `events` (a whole recording, in order).
pub fn trace(events: &[Event]) -> Value {
    let procs = Procs::of(events);
    let mut tl = spans::timeline(events, &procs);
    add_lifetimes(&mut tl, &procs, events);
    let lanes = lanes::assign(&tl.spans);
    let t0 = events.iter().map(|e| e.t).min().unwrap_or(0);
    let us = |t: u64| t.saturating_sub(t0) as f64 / 1000.0;
    let mut out = metadata(&procs, &tl.spans, &lanes);
    out.extend(slices(&tl, &lanes, &us));
    out.extend(tl.moments.iter().map(|m| {
        json!({"ph": "i", "s": "t", "name": m.name, "cat": m.cat, "pid": m.pid,
               "tid": m.pid, "ts": us(m.t), "args": m.args})
    }));
    let root = procs.root.unwrap_or(0);
    out.extend(tl.samples.iter().map(|s| {
        json!({"ph": "C", "name": s.name, "pid": root, "tid": root, "ts": us(s.t),
               "args": {s.key: s.value}})
    }));
    json!({ "traceEvents": out, "displayTimeUnit": "ms" })
}

fn tid(pid: i32, lane: usize) -> i64 {
    i64::from(pid) + lane as i64 * LANE_STRIDE
}

/// Each process's life as the outermost slice of its track: from its first
/// event to its reaping (or the recording's end).
fn add_lifetimes(tl: &mut Timeline, procs: &Procs, events: &[Event]) {
    let last = events.iter().map(|e| e.t).max().unwrap_or(0);
    for (pid, p) in &procs.by_pid {
        let mut args = serde_json::Map::new();
        if let Some((_, code)) = p.exit {
            args.insert("exitcode".into(), json!(code));
        }
        let end = p.exit.map_or(last, |(t, _)| t);
        // Outermost: no span of this process starts before or ends after.
        let start = tl
            .spans
            .iter()
            .filter(|s| s.pid == *pid)
            .fold(p.first_t, |t, s| t.min(s.start));
        let end = tl
            .spans
            .iter()
            .filter(|s| s.pid == *pid)
            .fold(end.max(start), |t, s| t.max(s.end));
        tl.spans.push(Span {
            pid: *pid,
            start,
            end,
            name: procs.label(*pid),
            cat: "process",
            args,
        });
    }
}

/// Names for every process and every lane, in process-tree order.
fn metadata(procs: &Procs, spans: &[Span], lanes: &[usize]) -> Vec<Value> {
    let mut out = Vec::new();
    for (index, pid) in procs.tree_order().into_iter().enumerate() {
        let name = procs.label(pid);
        let meta = |what: &str, tid: i64, args: Value| json!({"ph": "M", "name": what, "pid": pid, "tid": tid, "args": args});
        out.push(meta("process_name", tid(pid, 0), json!({ "name": name })));
        out.push(meta(
            "process_sort_index",
            tid(pid, 0),
            json!({ "sort_index": index }),
        ));
        let parent = procs.by_pid.get(&pid).and_then(|p| p.parent);
        // Main's parent is forklore itself, not a process of the run.
        if let Some(parent) = parent.filter(|pp| procs.by_pid.contains_key(pp)) {
            let label = format!("child of {}", procs.label(parent));
            out.push(meta(
                "process_labels",
                tid(pid, 0),
                json!({ "labels": label }),
            ));
        }
        let used = spans
            .iter()
            .zip(lanes)
            .filter(|(s, _)| s.pid == pid)
            .map(|(_, l)| *l)
            .max()
            .unwrap_or(0);
        for lane in 0..=used {
            let thread = match lane {
                0 => name.clone(),
                n => format!("{name} · overlapping {n}"),
            };
            out.push(meta(
                "thread_name",
                tid(pid, lane),
                json!({ "name": thread }),
            ));
            out.push(meta(
                "thread_sort_index",
                tid(pid, lane),
                json!({ "sort_index": lane }),
            ));
        }
    }
    out
}

/// The spans as `X` events, outer before inner, arrows bound to them.
fn slices(tl: &Timeline, lanes: &[usize], us: &dyn Fn(u64) -> f64) -> Vec<Value> {
    let mut order: Vec<usize> = (0..tl.spans.len()).collect();
    order.sort_by_key(|&i| (tl.spans[i].start, std::cmp::Reverse(tl.spans[i].end)));
    let mut flow_of = vec![None; tl.spans.len()];
    for (n, flow) in tl.flows.iter().enumerate() {
        flow_of[flow.from] = Some((n + 1, "flow_out"));
        flow_of[flow.to] = Some((n + 1, "flow_in"));
    }
    order
        .into_iter()
        .map(|i| {
            let s = &tl.spans[i];
            let mut ev = json!({
                "ph": "X", "name": s.name, "cat": s.cat, "pid": s.pid,
                "tid": tid(s.pid, lanes[i]), "ts": us(s.start),
                "dur": s.end.saturating_sub(s.start) as f64 / 1000.0, "args": s.args,
            });
            if let Some((id, direction)) = flow_of[i] {
                ev["bind_id"] = json!(format!("{id:#x}"));
                ev[direction] = json!(true);
            }
            ev
        })
        .collect()
}

#[cfg(test)]
mod tests;
