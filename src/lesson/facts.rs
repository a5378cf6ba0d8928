//! Facts of a run: `{chunksize}`, `{garbled}`… in narration, the values
//! `[[predict]]` questions are checked against, and a lesson's `outcome`.
//! Computed from the model, so they are always this run's real numbers;
//! a fact the run has not produced yet is absent (never empty). A fact
//! never shares its name with a lesson's parameter (say.rs).

use std::collections::BTreeMap;

use crate::model::{Model, Proc, ProcState};
use crate::protocol::{default_chunksize, Role};

/// Every fact a lesson may name, with what it measures. Manifests are
/// checked against this list; docs/lessons.md describes the same.
pub const KNOWN: &[(&str, &str)] = &[
    ("main_pid", "the main process's PID"),
    ("job_items", "items of the Pool map job"),
    ("job_workers", "workers of the Pool map job"),
    ("job_chunksize", "chunk size of the Pool map job"),
    ("job_chunks", "chunks of the Pool map job"),
    ("divmod", "divmod(items, workers*4) of the job"),
    (
        "formula_chunksize",
        "Python's default chunk size for the job",
    ),
    ("even_split", "items per worker if split evenly"),
    ("takers", "PIDs that took chunks 0, 1, 2 …"),
    (
        "busiest_worker",
        "worker (1, 2 … in start order) that took most chunks",
    ),
    (
        "chunk_spread",
        "most minus fewest chunks taken by one worker",
    ),
    ("garbled", "garbled output lines"),
    ("lines_written", "output lines written"),
    ("writes_per_line", "writes per output line, on average"),
    ("parent_len", "length of the watched global in main"),
    ("children_len", "its lengths in the other processes, summed"),
    ("exit_codes", "PID=code of every child that exited"),
    ("children_exit", "exit code of the script's child processes"),
    (
        "main_code_ended_first",
        "main's code ended before its last child",
    ),
    ("queue_peak", "most items the first queue held at once"),
    (
        "waited_most",
        "lock or semaphore processes waited for most often",
    ),
    ("lost_updates", "Manager counter updates lost to races"),
    ("counter", "the Manager counter's value"),
    ("calls_per_client", "Manager calls each client process made"),
    (
        "finished_children",
        "the script's children that exited with 0",
    ),
    ("last_child_exit", "exit code of the child that ended last"),
    (
        "signalled_exit",
        "exit code of the child the script terminated or killed",
    ),
    (
        "alive_before_signal",
        "its is_alive() before terminate()/kill()",
    ),
    (
        "alive_after_signal",
        "its is_alive() right after terminate()/kill()",
    ),
    ("alive_after_join", "its is_alive() after join() returned"),
    (
        "module_runs",
        "processes that ran the script's module-level code",
    ),
    (
        "children_view",
        "the watched global as the script's children saw it",
    ),
    ("worker_pids", "Pool worker processes started in the run"),
    (
        "most_tasks_per_worker",
        "most tasks one Pool worker took in the job",
    ),
    ("file_text", "the shared JSON file's contents, last seen"),
    (
        "file_writes",
        "writes to the shared JSON file by processes other than main",
    ),
    ("file_reads", "reads of the shared JSON file"),
    ("notifies", "notify()/notify_all() calls on the Condition"),
    ("woken", "Condition waits that a notify ended"),
    (
        "woken_early",
        "Condition waits that ended before any notify",
    ),
    ("wakes_per_notify", "waits ended per notify call"),
    ("task_dones", "task_done() calls on the JoinableQueue"),
    ("items_got", "items taken from the JoinableQueue"),
    (
        "unfinished_at_join",
        "its unfinished tasks when main's join() began",
    ),
    (
        "done_when_joined",
        "task_done() calls seen when its join() returned",
    ),
    ("queue_puts", "puts on the first queue"),
    ("queue_gets", "gets from the first queue"),
    ("pipe_sent", "messages sent on the first Pipe"),
    ("pipe_received", "messages received on the first Pipe"),
    (
        "pipe_ends_apart",
        "the first Pipe's two ends were used by different PIDs",
    ),
    (
        "shared_value",
        "the first shared Value, as last read or written",
    ),
    (
        "lost_increments",
        "writes to that Value that did not raise it (lost += 1)",
    ),
    ("array_items", "the first shared Array's items, last seen"),
    ("array_zeros", "items of that Array that are 0, last seen"),
    ("array_writes", "writes to that Array's items"),
    ("apply_tasks", "Pool.apply / apply_async tasks"),
    (
        "callbacks_in_main",
        "every apply_async callback ran in the main process",
    ),
    ("error_callbacks", "apply_async error_callbacks that ran"),
    (
        "tasks_span_ms",
        "ms from the first apply task taken to the last done",
    ),
    ("most_at_once", "the most apply tasks running at one moment"),
];

/// What fact `name` measures, if it is one.
pub fn label(name: &str) -> Option<&'static str> {
    KNOWN.iter().find(|(n, _)| *n == name).map(|(_, l)| *l)
}

pub type Facts = BTreeMap<&'static str, String>;

pub fn facts(model: &Model, watch: &[String]) -> Facts {
    let mut f = Facts::new();
    if let Some(root) = model.info.root {
        f.insert("main_pid", root.to_string());
    }
    pool_facts(model, &mut f);
    f.insert("garbled", model.output.garbled_lines.to_string());
    f.insert("lines_written", model.output.total_lines.to_string());
    if let Some(per_line) = (model.output.writes).checked_div(model.output.total_lines) {
        // Rounded: 401 writes for 50 lines is still 8 a line.
        let rest = model.output.writes % model.output.total_lines;
        let rounded = per_line + u64::from(rest * 2 >= model.output.total_lines);
        f.insert("writes_per_line", rounded.to_string());
    }
    if let Some(var) = watch.first() {
        watched_facts(model, var, &mut f);
    }
    exit_facts(model, &mut f);
    sharing_facts(model, &mut f);
    super::child_facts::insert(model, watch, &mut f);
    f
}

fn pool_facts(model: &Model, f: &mut Facts) {
    let Some(job) = model.jobs.current() else {
        return;
    };
    f.insert("job_items", job.items.to_string());
    f.insert("job_chunksize", job.chunksize.to_string());
    f.insert("job_chunks", job.chunks.to_string());
    if let Some(w) = job.workers.filter(|w| *w > 0) {
        f.insert("job_workers", w.to_string());
        let c = default_chunksize(job.items, w);
        f.insert("divmod", format!("({}, {})", c.size, c.extra));
        f.insert("formula_chunksize", c.chunksize.to_string());
        f.insert("even_split", job.items.div_ceil(u64::from(w)).to_string());
    }
    let takers: Vec<String> = job
        .cells
        .iter()
        .take(12)
        .take_while(|c| c.taker != 0)
        .map(|c| c.taker.to_string())
        .collect();
    if !takers.is_empty() {
        f.insert("takers", takers.join(", "));
    }
    // Chunks per worker, workers numbered by the order they started (PIDs
    // differ from run to run; "worker 1" does not).
    let mut counts: Vec<u64> = pool_workers(model)
        .iter()
        .map(|p| job.tallies.get(&p.pid).map_or(0, |t| t.chunks))
        .collect();
    let wanted = job.workers.map_or(0, |w| w as usize);
    counts.resize(counts.len().max(wanted), 0);
    let (Some(&most), Some(&fewest)) = (counts.iter().max(), counts.iter().min()) else {
        return;
    };
    if job.taken > 0 {
        let busiest: Vec<usize> = (0..counts.len()).filter(|i| counts[*i] == most).collect();
        let name = match busiest.as_slice() {
            [only] => (only + 1).to_string(),
            _ => "tie".to_string(),
        };
        f.insert("busiest_worker", name);
        f.insert("chunk_spread", (most - fewest).to_string());
    }
}

fn pool_workers(model: &Model) -> Vec<&Proc> {
    let procs = model.procs.in_order();
    procs
        .into_iter()
        .filter(|p| p.role == Role::PoolWorker)
        .collect()
}

fn watched_facts(model: &Model, var: &str, f: &mut Facts) {
    let len_of = |p: &Proc| p.vars.get(var).and_then(|v| v.len).unwrap_or(0);
    let (mains, others): (Vec<_>, Vec<_>) = model
        .procs
        .in_order()
        .into_iter()
        .partition(|p| p.role == Role::Main);
    let parent = mains.first().map(|p| len_of(p)).unwrap_or(0);
    f.insert("parent_len", parent.to_string());
    let children: u64 = others.iter().map(|p| len_of(p)).sum();
    f.insert("children_len", children.to_string());
}

/// An exit code as Python reports it: negative for a signal.
fn exit_code(state: &ProcState) -> Option<i32> {
    match state {
        ProcState::Exited(c) => Some(*c),
        ProcState::Killed(s) => Some(-s),
        _ => None,
    }
}

fn exit_facts(model: &Model, f: &mut Facts) {
    let procs = model.procs.in_order();
    let codes: Vec<String> = procs
        .iter()
        .filter(|p| p.role != Role::Main)
        .filter_map(|p| Some(format!("{}={}", p.pid, exit_code(&p.state)?)))
        .collect();
    if !codes.is_empty() {
        f.insert("exit_codes", codes.join(", "));
    }
    // The script's own children (not Pool workers, Managers or helpers).
    let children: Vec<&&Proc> = procs.iter().filter(|p| p.role == Role::Process).collect();
    let mut child_codes = children.iter().filter_map(|p| exit_code(&p.state));
    if let Some(first) = child_codes.next() {
        let same = child_codes.all(|c| c == first);
        let text = if same {
            first.to_string()
        } else {
            "mixed".into()
        };
        f.insert("children_exit", text);
    }
    if let (Some(end), false) = (model.script_end_t, children.is_empty()) {
        // A child still alive now ends after main's code, whenever it does.
        let first = children.iter().any(|p| p.ended_t.is_none_or(|t| t > end));
        f.insert("main_code_ended_first", first.to_string());
    }
}

fn sharing_facts(model: &Model, f: &mut Facts) {
    if let Some(q) = model.queues.in_order().first() {
        f.insert("queue_peak", q.peak.to_string());
    }
    let objs = model.sync.in_order();
    if !objs.is_empty() {
        // Ties go to the object created first.
        let most = objs.iter().rev().max_by_key(|o| o.blocks);
        let name = match most {
            Some(o) if o.blocks > 0 => o.label(),
            _ => "none".to_string(),
        };
        f.insert("waited_most", name);
    }
    f.insert("lost_updates", model.managers.lost_updates().to_string());
    if let Some(value) = counter_value(model) {
        f.insert("counter", value);
    }
    if let Some(calls) = usual_calls_per_client(model) {
        f.insert("calls_per_client", calls.to_string());
    }
}

/// The latest value of the first counter a Manager dict holds.
fn counter_value(model: &Model) -> Option<String> {
    let server = model.managers.servers.values().next()?;
    server.objects.values().find_map(|obj| {
        let key = obj.counters.keys().next()?;
        obj.entries.get(key).cloned()
    })
}

/// The number of proxy calls most client processes made (main, which
/// creates and reads the objects, aside); ties go to the smaller number.
fn usual_calls_per_client(model: &Model) -> Option<u64> {
    let mut how_many: BTreeMap<u64, u32> = BTreeMap::new();
    for (pid, calls) in &model.managers.calls_by_client {
        if Some(*pid) != model.info.root {
            *how_many.entry(*calls).or_default() += 1;
        }
    }
    let most = how_many.values().max()?;
    how_many
        .iter()
        .find(|(_, n)| *n == most)
        .map(|(calls, _)| *calls)
}
