//! Facts of the Pool lessons added after the first six
//! (maxtasksperchild), asserted from real runs under fork, spawn and
//! forkserver.

mod common;

use std::collections::HashMap;

use common::*;
use forklore::lesson::facts::facts;
use forklore::model::Model;
use forklore::protocol::Body;

/// Tasks taken per worker PID, and how many worker processes started.
fn tasks_per_worker(run: &Headless) -> (HashMap<i32, u64>, usize) {
    let mut taken: HashMap<i32, u64> = HashMap::new();
    for e in &run.events {
        if let Body::ChunkTake { size, .. } = e.body {
            *taken.entry(e.pid).or_default() += size;
        }
    }
    // Workers the Pool started (its own spawn events): a worker that had
    // not finished booting when the tasks ran out never announced itself,
    // but it was started all the same.
    let started: std::collections::HashSet<i32> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::ProcSpawn {
                child,
                name: Some(n),
                ..
            } if n.contains("PoolWorker") => Some(*child),
            _ => None,
        })
        .collect();
    (taken, started.len())
}

#[test]
fn maxtasksperchild_replaces_workers_under_every_method() {
    let (workers, tasks, max) = (2u64, 10u64, 3u64);
    let args = [
        "--workers",
        "2",
        "--tasks",
        "10",
        "--max",
        "3",
        "--work_ms",
        "20",
    ];
    for (method, run) in under_every_method("12-maxtasksperchild", &args) {
        let (taken, started) = tasks_per_worker(&run);
        assert_eq!(
            taken.values().sum::<u64>(),
            tasks,
            "{method}: every task ran"
        );
        assert!(
            taken.values().all(|n| *n <= max),
            "{method}: a worker did more than {max}: {taken:?}"
        );
        assert!(
            taken.len() as u64 >= tasks.div_ceil(max) && started as u64 >= tasks.div_ceil(max),
            "{method}: {} takers, {started} workers started",
            taken.len()
        );
        assert!(started as u64 > workers, "{method}: workers were replaced");
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["worker_pids"], started.to_string());
        let most = taken.values().max().unwrap().to_string();
        assert_eq!(f["most_tasks_per_worker"], most);
        let out = run.stdout();
        assert!(
            out.contains(&format!("distinct worker PIDs: {}", taken.len())),
            "{method}: {out}"
        );
    }
}

#[test]
fn without_maxtasksperchild_the_pool_keeps_its_workers() {
    for method in ["fork", "spawn"] {
        let run = run_lesson_under(
            "12-maxtasksperchild",
            method,
            &[],
            &[
                "--workers",
                "3",
                "--tasks",
                "12",
                "--max",
                "0",
                "--work_ms",
                "10",
            ],
        );
        let (taken, started) = tasks_per_worker(&run);
        assert_eq!(started, 3, "{method}: distinct workers = pool size");
        assert_eq!(taken.values().sum::<u64>(), 12);
        assert!(taken.len() <= 3);
        assert_eq!(
            facts(&Model::from_events(&run.events), &[])["worker_pids"],
            "3"
        );
    }
}
