//! Faithful for any program: the same output bytes, exit codes and object
//! lifetimes as without forklore, and what is reported is true of the run
//! (self-reaped exits, job identity, queue order, user objects only,
//! executors, start methods).

mod common;

use std::collections::HashSet;

use common::*;
use forklore::protocol::{Body, FutureOp, QueueOp, SyncKind, SyncOp, WriteBytes};

/// put_nowait/get_nowait are reported like put/get; a put on a full queue
/// waits outside it (put_blocked … put_done); one that raises is
/// put_failed, a get that raises get_failed; folded, the queue never holds
/// more than its maxsize and every get follows the put of its item.
#[test]
fn every_put_and_get_variant_is_reported_in_a_possible_order() {
    let run = run_headless(&fixture("queue_variants.py"), &[], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(
        run.stdout(),
        "full\nconsumer got 'a'\nmain got 'b' 'd'\nempty\ntimed out\njoinable got 'j'\n"
            .replace('\'', "")
    );
    let ops: Vec<(QueueOp, String)> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Queue { op, item, name, .. } if name.as_deref() == Some("q") => {
                Some((*op, item.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    let op = |o: QueueOp, item: &str| (o, format!("'{item}'"));
    for expected in [
        op(QueueOp::Put, "a"),
        op(QueueOp::Put, "b"),
        op(QueueOp::Put, "c"),
        op(QueueOp::PutFailed, "c"),
        op(QueueOp::PutBlocked, "d"),
        op(QueueOp::PutDone, "d"),
        op(QueueOp::Get, "a"),
        op(QueueOp::Get, "b"),
        op(QueueOp::Get, "d"),
    ] {
        assert!(ops.contains(&expected), "{expected:?} missing from {ops:?}");
    }
    let failed_gets = ops.iter().filter(|o| o.0 == QueueOp::GetFailed).count();
    assert_eq!(
        failed_gets, 2,
        "get_nowait on empty and the timeout: {ops:?}"
    );
    let mut model = forklore::model::Model::new();
    let mut put_seen = HashSet::new();
    for e in &run.events {
        model.update(e);
        if let Body::Queue { op, item, .. } = &e.body {
            match op {
                QueueOp::Put => {
                    put_seen.insert(item.clone());
                }
                QueueOp::Get => assert!(put_seen.contains(item), "{item:?} got before put"),
                _ => {}
            }
        }
        if let Some(q) = model
            .queues
            .in_order()
            .into_iter()
            .find(|q| q.label() == "q")
        {
            assert!(q.items.len() <= 2, "{:?} in a Queue(2)", q.items);
        }
    }
    let joinable = run.events.iter().any(|e| {
        matches!(&e.body, Body::Queue { name, op: QueueOp::Get, .. } if name.as_deref() == Some("jq"))
    });
    assert!(joinable, "JoinableQueue's get is reported");
}

/// The script's stdout, stderr and exit code, plain and under forklore.
fn faithful(script: &str) {
    let python = forklore::runtime::python::resolve(None).unwrap().executable;
    let plain = run_plain(python.to_str().unwrap(), &fixture(script), &[]);
    let run = run_headless(&fixture(script), &[], &[]);
    assert_eq!(
        run.output.stdout,
        plain.stdout,
        "{script}: stdout byte for byte\nforklore: {:?}\nplain:    {:?}",
        run.stdout(),
        String::from_utf8_lossy(&plain.stdout)
    );
    assert_eq!(run.output.stderr, plain.stderr, "{script}: stderr");
    assert_eq!(run.code(), plain.status.code(), "{script}: exit code");
}

#[test]
fn output_a_child_python_captures_reaches_its_parent() {
    faithful("captured_child.py");
}

#[test]
fn output_passes_byte_for_byte() {
    faithful("raw_bytes.py");
    // And the screen shows it decoded, the split characters whole.
    let run = run_headless(&fixture("raw_bytes.py"), &[], &[]);
    let text = forklore::model::Model::from_events(&run.events)
        .output
        .text();
    assert!(text.contains("\u{2603} snow"), "{text}");
    assert!(text.contains("below python \u{4e2d}"), "{text}");
    assert!(text.contains("invalid \u{fffd}\u{fffd} bytes"), "{text}");
}

#[test]
fn output_after_closing_stdout_is_lost_as_without_forklore() {
    faithful("closed_stdout.py");
}

/// The shim holds no reference to the program's objects (before Python
/// 3.13, reading a frame's locals to name a lock kept every local alive)
/// and makes no cycle of them: each is freed when the program drops it,
/// as without forklore, not at the next garbage collection.
#[test]
fn objects_the_program_deletes_are_freed_when_it_drops_them() {
    let python = forklore::runtime::python::resolve(None).unwrap().executable;
    for method in METHODS {
        let plain = run_plain(
            python.to_str().unwrap(),
            &fixture("lifetimes.py"),
            &[method],
        );
        let run = run_headless(&fixture("lifetimes.py"), &["--lines"], &[method]);
        assert_eq!(run.code(), Some(0), "{}", run.stderr());
        assert_eq!(
            run.stdout(),
            String::from_utf8_lossy(&plain.stdout),
            "{method}"
        );
        assert_eq!(run.stdout().lines().count(), 11, "{method}");
        for line in run.stdout().lines() {
            assert!(line.ends_with("freed: at del"), "{method}: {line}");
        }
    }
}

/// The "NoDaemonProcess" recipe: a Pool whose non-daemonic workers run
/// Pools of their own, and are terminated when the outer Pool ends. Each
/// inner Pool's semaphores are unlinked when the worker drops it, so
/// nothing is left for the resource tracker to warn about (it once found
/// 6–34 "leaked semaphore objects": the shim had put every SemLock in a
/// cycle, so only a garbage collection freed it, and the terminated
/// workers never got to one).
#[test]
fn nested_pools_of_non_daemonic_workers_leak_no_semaphore() {
    let python = forklore::runtime::python::resolve(None).unwrap().executable;
    let script = fixture("nodaemon_pools.py");
    for method in METHODS {
        let plain = run_plain(python.to_str().unwrap(), &script, &[method]);
        assert_eq!(plain.status.code(), Some(0), "plain {method}");
        for _ in 0..3 {
            let run = run_headless(&script, &[], &[method]);
            assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
            assert_eq!(run.stdout(), "[0, 1, 5, 14, 30, 55]\n", "{method}");
            assert!(
                !run.stderr().contains("resource_tracker"),
                "{method}: {}",
                run.stderr()
            );
            assert_eq!(
                run.output.stderr, plain.stderr,
                "{method}: stderr as plain python3's"
            );
        }
    }
}

/// Processes the script reaps itself get their exit codes (what waitpid
/// saw in the script); one nobody reaps is shown as ended as soon as it
/// ended, not as running.
#[test]
fn exits_the_script_reaps_itself_are_reported() {
    let run = run_headless(&fixture("self_reaped.py"), &[], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let fate = |word: &str| -> i32 {
        let line = run
            .stdout()
            .lines()
            .find(|l| l.starts_with(word))
            .unwrap()
            .to_string();
        line.split(' ').nth(1).unwrap().parse().unwrap()
    };
    let exit_of = |pid: i32| {
        run.events.iter().find_map(|e| match e.body {
            Body::ProcExit { exitcode, .. } if e.pid == pid => Some(exitcode),
            _ => None,
        })
    };
    assert_eq!(exit_of(fate("forked")), Some(5));
    assert_eq!(exit_of(fate("subprocess")), Some(6));
    // The zombie: shown ended before main's next output, while unreaped.
    let zombie = fate("zombie");
    let gone_at = run
        .events
        .iter()
        .position(|e| e.pid == zombie && matches!(e.body, Body::ProcGone {}))
        .expect("the unreaped child is reported ended");
    let done_at = run
        .events
        .iter()
        .position(|e| {
            e.body
                .write_bytes()
                .is_some_and(|b| String::from_utf8_lossy(&b).contains("main done"))
        })
        .unwrap();
    assert!(gone_at < done_at, "ended while main still slept");
    let model = forklore::model::Model::from_events(&run.events);
    assert!(
        model.procs.alive().next().is_none(),
        "nobody shown alive at the end"
    );
}

/// Jobs are numbered per process: two Pools of one process, and Pools made
/// in two sibling processes, are told apart by who made them.
#[test]
fn pool_jobs_are_one_per_pool_and_number() {
    for method in ["fork", "spawn"] {
        let run = run_headless(&fixture("nested_pools.py"), &[], &[method]);
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        assert_eq!(run.stdout(), "20540 70210\n[285, 2470]\n");
        let jobs: Vec<(i32, u64, u64)> = run
            .events
            .iter()
            .filter_map(|e| match e.body {
                Body::Map {
                    pool, job, items, ..
                } => Some((pool, job, items)),
                _ => None,
            })
            .collect();
        assert_eq!(jobs.len(), 4, "{method}: {jobs:?}");
        let mut keys: Vec<(i32, u64)> = jobs.iter().map(|j| (j.0, j.1)).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 4, "{method}: every job its own: {jobs:?}");
        for (pool, job, items) in jobs {
            let spans: Vec<(u64, u64, i32)> = run
                .events
                .iter()
                .filter_map(|e| match e.body {
                    Body::ChunkTake {
                        pool: p,
                        job: j,
                        start: Some(s),
                        end: Some(t),
                        ..
                    } if p == pool && j == job => Some((s, t, e.pid)),
                    _ => None,
                })
                .collect();
            assert_covers_once(&spans, items);
        }
        let model = forklore::model::Model::from_events(&run.events);
        assert!(model
            .jobs
            .all()
            .all(|j| j.taken == j.chunks && j.done == j.chunks));
    }
}

/// Event and Barrier are shown as themselves (not the Condition inside a
/// Barrier), a shared Value's lock by the Value's name, a semaphore used as
/// a counter by its value: never multiprocessing's own objects.
#[test]
fn events_barriers_values_and_counters_as_the_program_wrote_them() {
    for method in ["fork", "spawn"] {
        let run = run_headless(&fixture("sync_zoo.py"), &[], &[method]);
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        assert_eq!(run.stdout(), "counter 2 set False\n");
        let syncs: Vec<(SyncKind, Option<String>, SyncOp)> = run
            .events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Sync { kind, name, op, .. } => Some((*kind, name.clone(), *op)),
                _ => None,
            })
            .collect();
        let named = |n: &'static str| syncs.iter().filter(move |s| s.1.as_deref() == Some(n));
        assert!(
            syncs
                .iter()
                .all(|s| s.0 != SyncKind::Condition && s.1.is_some()),
            "{method}: only the program's own objects, named: {syncs:?}"
        );
        assert!(named("ready").all(|s| s.0 == SyncKind::Event));
        let ready_ops: Vec<SyncOp> = named("ready").map(|s| s.2).collect();
        for op in [SyncOp::Set, SyncOp::Clear, SyncOp::Waiting, SyncOp::Woke] {
            assert!(ready_ops.contains(&op), "{method}: {op:?} in {ready_ops:?}");
        }
        assert_eq!(
            named("barrier").filter(|s| s.2 == SyncOp::Passed).count(),
            3
        );
        assert!(named("counter").all(|s| s.0 == SyncKind::RLock));
        assert_eq!(
            named("counter").filter(|s| s.2 == SyncOp::Acquired).count(),
            2
        );
        let model = forklore::model::Model::from_events(&run.events);
        let barrier = model
            .sync
            .in_order()
            .into_iter()
            .find(|o| o.label() == "barrier")
            .unwrap();
        assert_eq!((barrier.parties, barrier.broken), (Some(3), false));
        let tokens = model
            .sync
            .in_order()
            .into_iter()
            .find(|o| o.label() == "tokens")
            .unwrap();
        assert!(tokens.holders.is_empty());
        assert_eq!(tokens.value, Some(0));
    }
}

/// A ProcessPoolExecutor is shown like a Pool: every task submitted, taken
/// by one worker, done (or raised), and main waiting on its futures.
#[test]
fn executor_tasks_workers_results_and_waits() {
    for method in ["fork", "spawn"] {
        let run = run_headless(&fixture("executor.py"), &[], &[method]);
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        assert_eq!(
            run.stdout(),
            "results [0, 1, 4, 9, 16, 25]\nmap [0, 1, 4, 9]\nerror ValueError task 7 failed\n"
        );
        let main = run.events[0].pid;
        let submitted: Vec<(u64, Option<String>)> = run
            .events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Submit { task, name, .. } => Some((*task, name.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            submitted.len(),
            9,
            "{method}: 6 submits, 2 map chunks, 1 failure"
        );
        assert!(submitted.iter().all(|(_, n)| n.is_some()));
        let mut taken: Vec<(u64, i32)> = run
            .events
            .iter()
            .filter_map(|e| match e.body {
                Body::ChunkTake { index, .. } => Some((index, e.pid)),
                _ => None,
            })
            .collect();
        taken.sort_unstable();
        assert_eq!(
            taken.iter().map(|t| t.0).collect::<Vec<_>>(),
            (0..9).collect::<Vec<_>>()
        );
        assert!(taken.iter().all(|t| t.1 != main), "workers run the tasks");
        let failed: Vec<u64> = run
            .events
            .iter()
            .filter_map(|e| match e.body {
                Body::ChunkDone {
                    index, ok: false, ..
                } => Some(index),
                _ => None,
            })
            .collect();
        assert_eq!(failed, [8], "{method}: the raising task");
        let waits = run.events.iter().filter(|e| {
            e.pid == main
                && matches!(
                    e.body,
                    Body::Future {
                        op: FutureOp::Waiting,
                        ..
                    }
                )
        });
        assert!(waits.count() >= 1, "{method}: main waited on a result");
        let model = forklore::model::Model::from_events(&run.events);
        let job = model.jobs.current().unwrap();
        assert!(job.executor);
        assert_eq!((job.submitted, job.taken, job.done), (9, 9, 9));
    }
}

/// Each process says how it was really started (not the run's default),
/// and main's wait in multiprocessing's exit handler is shown as such,
/// with no stale current line.
#[test]
fn start_methods_per_process_and_the_join_at_exit() {
    let run = run_headless(&fixture("mixed_methods.py"), &["--lines"], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let method_of = |name: &str| {
        run.events.iter().find_map(|e| match &e.body {
            Body::ProcStart {
                name: Some(n),
                method,
                ..
            } if n == name => Some(method.clone()),
            _ => None,
        })
    };
    for method in ["spawn", "forkserver", "fork"] {
        assert_eq!(
            method_of(&format!("by-{method}")),
            Some(Some(method.to_string())),
            "{method}"
        );
    }
    let at_exit = run.events.iter().any(|e| {
        matches!(
            e.body,
            Body::Join {
                op: forklore::protocol::JoinOp::Waiting,
                at_exit: true,
                ..
            }
        )
    });
    assert!(at_exit, "main's join at exit is reported as such");
    // Mid-wait, the model shows main waiting at exit, on no line of its own.
    let mut model = forklore::model::Model::new();
    let main = run.events[0].pid;
    for e in &run.events {
        model.update(e);
        if matches!(e.body, Body::Join { at_exit: true, .. }) {
            let p = model.procs.get(main).unwrap();
            assert!(matches!(
                p.state,
                forklore::model::ProcState::Blocked(forklore::model::Wait::Join {
                    at_exit: true,
                    ..
                })
            ));
            assert_eq!(p.line, None);
            let text = forklore::ui::procs::state_text(&model, p);
            assert!(text.contains("at exit"), "{text}");
            break;
        }
    }
}

#[test]
fn json_pipes_shared_memory_and_callbacks_behave_as_without_forklore() {
    faithful("shared_objects.py");
}
