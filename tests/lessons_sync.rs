//! Facts of the synchronisation lessons added after the first six
//! (condition, joinable-queue), asserted from real runs under fork, spawn
//! and forkserver.

mod common;

use common::*;
use forklore::lesson::facts::facts;
use forklore::model::Model;
use forklore::protocol::{Body, QueueOp, SyncKind, SyncOp};

/// For each notify, in order, how many it said it wakes; and for each
/// wake (a wait that returned notified), how many notifies came before.
fn notifies_and_wakes(run: &Headless) -> (Vec<i64>, Vec<usize>) {
    let (mut notifies, mut wakes) = (Vec::new(), Vec::new());
    let mut waiting = std::collections::HashSet::new();
    for e in &run.events {
        let Body::Sync {
            kind: SyncKind::Condition,
            op,
            value,
            ..
        } = &e.body
        else {
            continue;
        };
        match op {
            SyncOp::Waiting => {
                waiting.insert(e.pid);
            }
            SyncOp::Notify => notifies.push(value.unwrap_or(-1)),
            SyncOp::Acquired if waiting.remove(&e.pid) => wakes.push(notifies.len()),
            _ => {}
        }
    }
    (notifies, wakes)
}

fn condition_runs(mode: &'static str) -> Vec<(String, Headless)> {
    let args = ["--consumers", "3", "--mode", mode, "--pace_ms", "50"];
    under_every_method("14-condition", &args)
}

#[test]
fn notify_wakes_exactly_one_waiter_each_time() {
    for (method, run) in condition_runs("notify") {
        let (notifies, wakes) = notifies_and_wakes(&run);
        assert_eq!(notifies, vec![1, 1, 1], "{method}: each notify wakes one");
        assert_eq!(wakes.len(), 3, "{method}: every consumer woke");
        // The k-th wake needs the k-th notify: never more wakes than
        // notifies so far, and none before the first.
        for (k, before) in wakes.iter().enumerate() {
            assert!(*before > k, "{method}: wake {k} after {before} notifies");
        }
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["wakes_per_notify"], "1", "{method}");
        assert_eq!(f["woken_early"], "0", "{method}");
        let woke_lines = run
            .stdout()
            .lines()
            .filter(|l| l.starts_with("consumer ") && l.ends_with(" woke up"))
            .count();
        assert_eq!(woke_lines, 3, "{method}: {}", run.stdout());
    }
}

#[test]
fn notify_all_wakes_every_waiter() {
    for (method, run) in condition_runs("notify_all") {
        let (notifies, wakes) = notifies_and_wakes(&run);
        assert_eq!(notifies, vec![3], "{method}: one call, three waiters");
        assert_eq!(wakes, vec![1, 1, 1], "{method}: all after it, none before");
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["wakes_per_notify"], "3", "{method}");
    }
}

#[test]
fn joinable_queue_join_returns_after_the_last_task_done() {
    let args = ["--items", "6", "--workers", "2", "--work_ms", "40"];
    for (method, run) in under_every_method("09-joinable-queue", &args) {
        let ops: Vec<(QueueOp, Option<i64>)> = run
            .events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Queue { op, unfinished, .. } => Some((*op, *unfinished)),
                _ => None,
            })
            .collect();
        let at = |op: QueueOp| ops.iter().filter(|(o, _)| *o == op).count();
        assert_eq!(at(QueueOp::Put), 6, "{method}");
        assert_eq!(at(QueueOp::Get), 6, "{method}: items processed = items put");
        assert_eq!(at(QueueOp::TaskDone), 6, "{method}");
        let joined = ops.iter().position(|(o, _)| *o == QueueOp::Joined);
        let last_done = ops.iter().rposition(|(o, _)| *o == QueueOp::TaskDone);
        assert!(
            joined.is_some() && joined > last_done,
            "{method}: join() returned after the last task_done: {ops:?}"
        );
        assert!(
            ops.iter().all(|(_, n)| n.is_none_or(|n| n >= 0)),
            "{method}: the counter never goes below 0"
        );
        assert_eq!(ops[joined.unwrap()].1, Some(0), "{method}");
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["done_when_joined"], "6", "{method}");
        assert_eq!(f["items_got"], "6", "{method}");
        let out = run.stdout();
        let finished = out.matches(" finished job-").count();
        assert_eq!(finished, 6, "{method}: {out}");
        assert!(
            out.ends_with("join() returned: every job is done\n"),
            "{method}: {out}"
        );
    }
}
