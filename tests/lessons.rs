//! Each lesson's facts, asserted from real headless runs with python3.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use forklore::model::Model;
use forklore::protocol::{Body, Event, Role};

fn lesson(slug: &str, sets: &[&str]) -> Headless {
    run_lesson(slug, sets)
}

fn main_pid(events: &[Event]) -> i32 {
    events
        .iter()
        .find(|e| matches!(e.body, Body::Hello { .. }))
        .expect("hello")
        .pid
}

/// Last reported length of a watched global, per process (roles known).
fn lengths(events: &[Event], name: &str) -> HashMap<i32, u64> {
    let mut out = HashMap::new();
    for e in events {
        if let Body::Var {
            name: n,
            len: Some(len),
            ..
        } = &e.body
        {
            if n == name {
                out.insert(e.pid, *len);
            }
        }
    }
    out
}

#[test]
fn isolated_globals_each_process_has_its_own_copy() {
    for method in ["fork", "spawn", "forkserver"] {
        let items = 300;
        let run = lesson(
            "isolated-globals",
            &[&format!("start_method={method}"), &format!("items={items}")],
        );
        let main = main_pid(&run.events);
        let lens = lengths(&run.events, "pageList");
        assert_eq!(
            lens.get(&main),
            Some(&0),
            "{method}: the parent's own pageList stays empty"
        );
        let workers: HashSet<i32> = run
            .events
            .iter()
            .filter(|e| {
                matches!(
                    e.body,
                    Body::ProcStart {
                        role: Role::PoolWorker,
                        ..
                    }
                )
            })
            .map(|e| e.pid)
            .collect();
        let sum: u64 = workers.iter().filter_map(|w| lens.get(w)).sum();
        assert_eq!(
            sum, items,
            "{method}: the workers' copies add up to every item"
        );
        assert!(
            run.stdout().contains("parent pageList length: 0"),
            "{}",
            run.stdout()
        );
    }
}

#[test]
fn isolated_globals_fixes_bring_the_items_home() {
    for fix in ["return", "manager"] {
        let run = lesson("isolated-globals", &[&format!("fix={fix}"), "items=200"]);
        assert!(
            run.stdout().contains("parent pageList length: 200"),
            "fix={fix}: {}",
            run.stdout()
        );
    }
}

/// Python's own formula from Pool._map_async.
fn python_chunksize(items: u64, workers: u64) -> u64 {
    if items == 0 {
        return 0;
    }
    let (mut size, extra) = (items / (workers * 4), items % (workers * 4));
    if extra > 0 {
        size += 1;
    }
    size
}

#[test]
fn chunked_map_matches_pythons_formula_and_covers_every_item_once() {
    for (workers, items) in [
        (2u64, 1000u64),
        (3, 600),
        (4, 10),
        (1, 7),
        (2, 1_000_000),
        (5, 12_345),
    ] {
        let run = lesson(
            "chunked-map",
            &[
                &format!("workers={workers}"),
                &format!("items={items}"),
                "work_ms=0",
            ],
        );
        let map = run
            .events
            .iter()
            .find_map(|e| match e.body {
                Body::Map {
                    items,
                    chunksize,
                    workers,
                    ..
                } => Some((items, chunksize, workers)),
                _ => None,
            })
            .expect("a map event");
        assert_eq!(
            map,
            (
                items,
                python_chunksize(items, workers),
                Some(workers as u32)
            )
        );
        let taken = chunks(&run.events);
        assert_covers_once(&taken, items);
        let takers: HashSet<i32> = taken.iter().map(|c| c.2).collect();
        if items >= 1_000_000 {
            assert!(
                takers.len() >= 2,
                "{workers}x{items}: only {takers:?} took chunks"
            );
        }
    }
}

#[test]
fn chunked_map_explicit_chunksize() {
    let run = lesson("chunked-map", &["items=100", "chunksize=7", "work_ms=0"]);
    let taken = chunks(&run.events);
    assert_eq!(taken.len(), 15);
    assert_covers_once(&taken, 100);
}

fn garbled(run: &Headless) -> u64 {
    Model::from_events(&run.events).output.garbled_lines
}

/// Lines of plain python3's output that are not one process's whole
/// progress line `Pid: <pid> LoopCount: <k> ... done`.
fn garbled_text(out: &str) -> u64 {
    let whole = |line: &str| {
        let Some(rest) = line.strip_suffix(" ... done") else {
            return false;
        };
        let words: Vec<&str> = rest.split(' ').collect();
        matches!(words[..], ["Pid:", pid, "LoopCount:", k]
            if pid.parse::<u32>().is_ok() && k.parse::<u32>().is_ok())
    };
    out.lines().filter(|l| !whole(l)).count() as u64
}

/// lock-vs-garbled teaches what plain `python3 main.py` does in a
/// terminal: without the lock practically every run garbles lines (each
/// leaves in five flushed pieces, with work between them); with it, no
/// run does. Under forklore and under plain python3 in a pty alike.
#[test]
fn lock_vs_garbled_garbles_without_the_lock_at_home_and_under_forklore() {
    let python = forklore::runtime::python::resolve(None).unwrap().executable;
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("lessons/03-lock-vs-garbled/main.py");
    for lock in ["false", "true"] {
        let (mut under, mut plain) = (Vec::new(), Vec::new());
        for _ in 0..5 {
            let run = lesson("lock-vs-garbled", &[&format!("lock={lock}")]);
            assert_eq!(Model::from_events(&run.events).output.total_lines, 50);
            under.push(garbled(&run));
            let home = common::plain::plain(
                &python,
                &script,
                &["--lock", lock],
                forklore::protocol::Buffering::Terminal,
            );
            assert_eq!(
                home.code,
                Some(0),
                "{}",
                String::from_utf8_lossy(&home.stderr)
            );
            assert_eq!(home.stdout().matches(" done\n").count(), 50);
            plain.push(garbled_text(&home.stdout()));
        }
        let garbling = |counts: &[u64]| counts.iter().filter(|c| **c > 0).count();
        if lock == "true" {
            assert_eq!(
                (garbling(&under), garbling(&plain)),
                (0, 0),
                "{under:?} {plain:?}"
            );
        } else {
            assert!(garbling(&under) >= 4, "forklore: {under:?}");
            assert!(garbling(&plain) >= 4, "plain python3: {plain:?}");
        }
    }
}

#[test]
fn unknown_lesson_and_bad_values_list_what_is_valid() {
    let err = usage_error(forklore().args(["lesson", "no-such-lesson", "--headless"]));
    assert!(
        err.contains("no lesson `no-such-lesson`") && err.contains("chunked-map"),
        "{err}"
    );

    let err = usage_error(forklore().args([
        "lesson",
        "chunked-map",
        "--headless",
        "--set",
        "workers=99",
    ]));
    assert!(err.contains("workers: 99 is outside 1..=16"), "{err}");

    let err =
        usage_error(forklore().args(["lesson", "chunked-map", "--headless", "--set", "threads=2"]));
    assert!(
        err.contains("no parameter `threads`") && err.contains("work_ms"),
        "{err}"
    );
}

#[test]
fn list_prints_slug_then_title() {
    let out = forklore().arg("list").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let slugs: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    for slug in ["isolated-globals", "chunked-map", "lock-vs-garbled"] {
        assert!(slugs.contains(&slug), "{text}");
    }
    assert!(
        text.lines().all(|l| l.split_whitespace().count() >= 2),
        "every line has a title: {text}"
    );
}

#[test]
fn semaphore_buffer_never_holds_more_than_slots() {
    for (slots, producers, consumers) in [(2, 1, 1), (3, 2, 1)] {
        let run = lesson(
            "semaphore-producer-consumer",
            &[
                &format!("slots={slots}"),
                &format!("producers={producers}"),
                &format!("consumers={consumers}"),
                "seconds=3",
                "pace_ms=60",
            ],
        );
        let mut model = Model::new();
        let mut blocked = 0;
        let mut puts = 0;
        for e in &run.events {
            model.update(e);
            match &e.body {
                Body::Queue { size, op, .. } => {
                    assert!(size.unwrap_or(0) <= slots, "buffer held {size:?} > {slots}");
                    if *op == forklore::protocol::QueueOp::Put {
                        puts += 1;
                    }
                }
                Body::Sync {
                    name: Some(name),
                    value: Some(v),
                    op,
                    ..
                } => {
                    if name == "empty" || name == "full" {
                        assert!((0..=slots).contains(v), "{name} = {v} outside 0..={slots}");
                    }
                    if *op == forklore::protocol::SyncOp::Blocked {
                        blocked += 1;
                    }
                }
                _ => {}
            }
            for q in model.queues.in_order() {
                assert!(
                    q.items.len() as i64 <= slots,
                    "the stage would show {} items",
                    q.items.len()
                );
            }
        }
        assert!(puts > 5, "items moved: {puts}");
        assert!(blocked > 0, "a process really waited in an acquire");
        let killed = run
            .events
            .iter()
            .filter(|e| matches!(e.body, Body::ProcExit { exitcode: -15, .. }))
            .count();
        assert_eq!(
            killed,
            producers + consumers,
            "daemonic workers are terminated when main ends"
        );
    }
}

/// (server pids named by calls, lost updates computed from the reads).
fn manager_facts(run: &Headless) -> (HashSet<Option<i32>>, u64, Vec<i32>) {
    let servers: HashSet<Option<i32>> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Proxy { server, .. } => Some(*server),
            _ => None,
        })
        .collect();
    // Every client reads once and writes once; a value read by more than one
    // client means overlapping read-modify-write pairs: one write per extra
    // reader is lost.
    let mut reads: HashMap<String, u64> = HashMap::new();
    let mut writers = Vec::new();
    for e in &run.events {
        if let Body::Proxy {
            method,
            result,
            args,
            ..
        } = &e.body
        {
            if method == "__getitem__"
                && args.first().map(String::as_str) == Some("'count'")
                && e.pid != main_pid(&run.events)
            {
                *reads.entry(result.clone()).or_default() += 1;
            }
            if method == "__setitem__" {
                writers.push(e.pid);
            }
        }
    }
    let overlapping: u64 = reads.values().map(|n| n - 1).sum();
    (servers, overlapping, writers)
}

fn final_count(stdout: &str) -> u64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("lost updates:"))
        .expect("lost updates line");
    line.trim_start_matches("lost updates:")
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn manager_dict_with_lock_ends_at_zero_served_by_one_server() {
    let run = lesson("manager-dict", &["processes=30", "lock=true", "think_ms=2"]);
    assert!(
        run.stdout().contains("final: {'count': 0}"),
        "{}",
        run.stdout()
    );
    let manager: Vec<i32> = run.of_kind("manager").map(|e| e.pid).collect();
    assert_eq!(manager.len(), 1);
    let (servers, overlapping, writers) = manager_facts(&run);
    assert_eq!(
        servers,
        HashSet::from([Some(manager[0])]),
        "one server pid serves every client"
    );
    assert_eq!(overlapping, 0);
    assert_eq!(writers.len(), 30);
    assert_eq!(Model::from_events(&run.events).managers.lost_updates(), 0);
}

#[test]
fn manager_dict_without_lock_counts_lost_updates_from_the_calls() {
    let run = lesson(
        "manager-dict",
        &["processes=30", "lock=false", "think_ms=50"],
    );
    let lost = final_count(&run.stdout());
    let (_, overlapping, _) = manager_facts(&run);
    let model = Model::from_events(&run.events);
    assert_eq!(
        model.managers.lost_updates(),
        lost,
        "the shown count equals final count - expected 0"
    );
    // Overlapping read-modify-write pairs (a value read by two clients)
    // are what loses updates. Their number is not the number lost: a stale
    // write can put a counter back several steps at once.
    assert!(
        lost > 0,
        "a 50 ms window between read and write loses updates"
    );
    assert!(
        overlapping > 0 && overlapping <= lost,
        "{overlapping} overlapping pairs, {lost} lost"
    );
}

fn child_exit_codes(run: &Headless) -> Vec<i32> {
    let children: HashSet<i32> = run
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.body,
                Body::ProcStart {
                    role: Role::Process,
                    ..
                }
            )
        })
        .map(|e| e.pid)
        .collect();
    let mut codes: Vec<i32> = run
        .events
        .iter()
        .filter_map(|e| match e.body {
            Body::ProcExit { exitcode, .. } if children.contains(&e.pid) => Some(exitcode),
            _ => None,
        })
        .collect();
    codes.sort();
    codes
}

#[test]
fn daemon_join_four_combinations() {
    let cases = [
        ("daemon=true", "join=false", vec![-15, -15, -15]),
        ("daemon=true", "join=true", vec![0, 0, 0]),
        ("daemon=false", "join=false", vec![0, 0, 0]),
        ("daemon=false", "join=true", vec![0, 0, 0]),
    ];
    let runs: Vec<_> = cases
        .iter()
        .map(|(d, j, want)| {
            let (d, j, want) = (d.to_string(), j.to_string(), want.clone());
            std::thread::spawn(move || {
                (d.clone(), j.clone(), want, lesson("daemon-join", &[&d, &j]))
            })
        })
        .collect();
    for r in runs {
        let (d, j, want, run) = r.join().unwrap();
        assert_eq!(child_exit_codes(&run), want, "{d} {j}: {}", run.stdout());
        let loops = run.stdout().matches("LoopCount").count();
        if want[0] == 0 {
            assert_eq!(loops, 2 + 3 + 4, "{d} {j}: every child counted to the end");
        } else {
            assert!(loops < 9, "{d} {j}: terminated children did not finish");
        }
        assert!(
            run.of_kind("script_end").count() == 1,
            "the moment main's code ended is recorded"
        );
    }
}
