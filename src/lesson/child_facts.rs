//! Facts about what the script did to and with its children: signals and
//! `is_alive()` answers, module re-imports, Pool workers replaced, JSON
//! files shared, a Condition's notifies and wakes. Computed from the model
//! like every other fact.

use super::facts::Facts;
use crate::model::{Model, Phase, Proc, ProcState};
use crate::protocol::{Role, SyncKind};

pub fn insert(model: &Model, watch: &[String], f: &mut Facts) {
    let procs = model.procs.in_order();
    call_facts(&procs, f);
    reimport_facts(&procs, watch, f);
    worker_facts(model, &procs, f);
    file_facts(model, f);
    condition_facts(model, f);
    joinable_facts(model, f);
    apply_facts(model, f);
    message_facts(model, f);
    shared_facts(model, f);
}

fn exit_code(p: &Proc) -> Option<i32> {
    match p.state {
        ProcState::Exited(c) => Some(c),
        ProcState::Killed(s) => Some(-s),
        _ => None,
    }
}

fn call_facts(procs: &[&Proc], f: &mut Facts) {
    // The script's own children: a child it terminated before the child
    // could say who it is (no word yet, or only a first guess: "python")
    // is one too (the script called it by name).
    let called = |p: &Proc| p.calls.signal.is_some() || !p.calls.alive.is_empty();
    let unsure = |p: &Proc| matches!(p.role, Role::Unknown | Role::Python);
    let children: Vec<&&Proc> = procs
        .iter()
        .filter(|p| p.role == Role::Process || (unsure(p) && called(p)))
        .collect();
    let finished = children.iter().filter(|p| exit_code(p) == Some(0)).count();
    if !children.is_empty() {
        f.insert("finished_children", finished.to_string());
    }
    // The child that ended last: the slow one, terminated or not.
    let last = children
        .iter()
        .filter(|p| exit_code(p).is_some())
        .max_by_key(|p| p.ended_t);
    if let Some(code) = last.and_then(|p| exit_code(p)) {
        f.insert("last_child_exit", code.to_string());
    }
    // The is_alive() answers of the child the script signalled, or else
    // of the one that ended last.
    let signalled = children.iter().find(|p| p.calls.signal.is_some());
    if let Some(code) = signalled.and_then(|p| exit_code(p)) {
        f.insert("signalled_exit", code.to_string());
    }
    let Some(target) = signalled.or(last) else {
        return;
    };
    let answer = |phase: Phase| {
        let check = target.calls.alive.iter().find(|c| c.phase == phase)?;
        Some(if check.alive { "True" } else { "False" }.to_string())
    };
    for (name, phase) in [
        ("alive_before_signal", Phase::BeforeSignal),
        ("alive_after_signal", Phase::AfterSignal),
        ("alive_after_join", Phase::AfterJoin),
    ] {
        if let Some(v) = answer(phase) {
            f.insert(name, v);
        }
    }
}

fn reimport_facts(procs: &[&Proc], watch: &[String], f: &mut Facts) {
    let Some(root) = procs.iter().find(|p| p.role == Role::Main) else {
        return;
    };
    // Main ran it as __main__; every other process that reported running
    // it again adds one.
    let again = procs
        .iter()
        .filter(|p| p.pid != root.pid && p.reimported_as.is_some())
        .count();
    f.insert("module_runs", (1 + again).to_string());
    let Some(var) = watch.first() else {
        return;
    };
    let mut seen = procs
        .iter()
        .filter(|p| p.role == Role::Process)
        .filter_map(|p| p.vars.get(var).map(|v| v.repr.clone()));
    if let Some(first) = seen.next() {
        let same = seen.all(|v| v == first);
        f.insert("children_view", if same { first } else { "mixed".into() });
    }
}

fn worker_facts(model: &Model, procs: &[&Proc], f: &mut Facts) {
    // A worker the Pool started but stopped before it booted never said
    // it is one: its name (from the Pool's start) still does.
    let workers: Vec<&&Proc> = procs
        .iter()
        .filter(|p| p.role == Role::PoolWorker || p.name.contains("PoolWorker"))
        .collect();
    if workers.is_empty() {
        return;
    }
    f.insert("worker_pids", workers.len().to_string());
    if let Some(job) = model.jobs.current() {
        let most = job.tallies.values().map(|t| t.chunks).max().unwrap_or(0);
        f.insert("most_tasks_per_worker", most.to_string());
    }
}

fn file_facts(model: &Model, f: &mut Facts) {
    let Some(file) = model.files.in_order().into_iter().next() else {
        return;
    };
    let root = model.info.root;
    let by_children: u64 = file
        .writes_by
        .iter()
        .filter(|(pid, _)| Some(*pid) != root)
        .map(|(_, n)| n)
        .sum();
    f.insert("file_text", file.text.clone());
    f.insert("file_writes", by_children.to_string());
    f.insert("file_reads", file.reads.to_string());
}

fn condition_facts(model: &Model, f: &mut Facts) {
    let objs = model.sync.in_order();
    let Some(cond) = objs.iter().find(|o| o.kind == SyncKind::Condition) else {
        return;
    };
    f.insert("notifies", cond.notifies.to_string());
    f.insert("woken", cond.woken.to_string());
    f.insert("woken_early", cond.woken_early.to_string());
    if cond.notifies > 0 && cond.woken % cond.notifies == 0 {
        f.insert("wakes_per_notify", (cond.woken / cond.notifies).to_string());
    } else if cond.notifies > 0 {
        let per = cond.woken as f64 / cond.notifies as f64;
        f.insert("wakes_per_notify", format!("{per:.1}"));
    }
}

fn joinable_facts(model: &Model, f: &mut Facts) {
    let queues = model.queues.in_order();
    let Some(q) = queues.iter().find(|q| q.unfinished.is_some()) else {
        return;
    };
    f.insert("task_dones", q.task_dones.to_string());
    f.insert("items_got", q.gets.to_string());
    if let Some(n) = q.unfinished_at_join {
        f.insert("unfinished_at_join", n.to_string());
    }
    if let Some(n) = q.done_when_joined {
        f.insert("done_when_joined", n.to_string());
    }
}

fn apply_facts(model: &Model, f: &mut Facts) {
    let tasks: Vec<_> = model.applies.tasks().collect();
    if tasks.is_empty() {
        return;
    }
    f.insert("apply_tasks", tasks.len().to_string());
    let ran: Vec<i32> = tasks
        .iter()
        .filter_map(|t| t.ran.as_ref())
        .map(|r| r.0)
        .collect();
    if !ran.is_empty() {
        let in_main = ran.iter().all(|pid| Some(*pid) == model.info.root);
        f.insert("callbacks_in_main", in_main.to_string());
    }
    let errors = tasks
        .iter()
        .filter(|t| t.ran.as_ref().is_some_and(|r| r.1 == "error_callback"))
        .count();
    f.insert("error_callbacks", errors.to_string());
    let first = tasks.iter().filter_map(|t| t.taken_t).min();
    let last = tasks.iter().filter_map(|t| t.done_t).max();
    if let (Some(a), Some(b)) = (first, last) {
        f.insert(
            "tasks_span_ms",
            (b.saturating_sub(a) / 1_000_000).to_string(),
        );
    }
    f.insert("most_at_once", most_at_once(&tasks).to_string());
}

/// The most tasks between taken and done at one moment.
fn most_at_once(tasks: &[&crate::model::Task]) -> i32 {
    let mut edges: Vec<(u64, i32)> = tasks
        .iter()
        .filter_map(|t| Some([(t.taken_t?, 1), (t.done_t?, -1)]))
        .flatten()
        .collect();
    edges.sort_unstable(); // at one time, a done (-1) counts first
    let (mut now, mut most) = (0, 0);
    for (_, step) in edges {
        now += step;
        most = most.max(now);
    }
    most
}

fn message_facts(model: &Model, f: &mut Facts) {
    if let Some(q) = model.queues.in_order().first() {
        f.insert("queue_puts", q.puts.to_string());
        f.insert("queue_gets", q.gets.to_string());
    }
    let Some(pipe) = model.pipes.in_order().next() else {
        return;
    };
    f.insert("pipe_sent", pipe.sent.to_string());
    f.insert("pipe_received", pipe.received.to_string());
    let [a, b] = &pipe.users;
    if !a.is_empty() && !b.is_empty() {
        let apart = a.iter().all(|pid| !b.contains(pid));
        f.insert("pipe_ends_apart", apart.to_string());
    }
}

fn shared_facts(model: &Model, f: &mut Facts) {
    let objs = model.shared.in_order();
    if let Some(v) = objs.iter().find(|o| o.kind == "Value") {
        if let Some(value) = &v.value {
            f.insert("shared_value", value.clone());
        }
        if let Some(lost) = v.lost_increments() {
            f.insert("lost_increments", lost.to_string());
        }
    }
    if let Some(a) = objs.iter().find(|o| o.kind == "Array") {
        f.insert("array_items", format!("[{}]", a.items.join(", ")));
        let zeros = a.items.iter().filter(|i| i.trim() == "0").count();
        f.insert("array_zeros", zeros.to_string());
        f.insert("array_writes", a.writes.to_string());
    }
}
