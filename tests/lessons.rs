//! Each lesson's facts, asserted from real headless runs with python3.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use forklore::model::Model;
use forklore::protocol::{Body, Event, Role};

/// `forklore lesson SLUG --headless --record <tmp> --set ...`.
fn lesson(slug: &str, sets: &[&str]) -> Headless {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("run.jsonl");
    let mut cmd = forklore();
    cmd.args(["lesson", slug, "--headless", "--record"]).arg(&rec);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let output = cmd.output().expect("forklore runs");
    let events = if rec.exists() { forklore::record::read(&rec).expect("recording reads") } else { Vec::new() };
    let run = Headless { output, events };
    assert_eq!(run.code(), Some(0), "{slug} {sets:?} failed: {}", run.stderr());
    run
}

fn main_pid(events: &[Event]) -> i32 {
    events.iter().find(|e| matches!(e.body, Body::Hello { .. })).expect("hello").pid
}

/// Last reported length of a watched global, per process (roles known).
fn lengths(events: &[Event], name: &str) -> HashMap<i32, u64> {
    let mut out = HashMap::new();
    for e in events {
        if let Body::Var { name: n, len: Some(len), .. } = &e.body {
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
        let run = lesson("isolated-globals", &[&format!("start_method={method}"), &format!("items={items}")]);
        let main = main_pid(&run.events);
        let lens = lengths(&run.events, "pageList");
        assert_eq!(lens.get(&main), Some(&0), "{method}: the parent's own pageList stays empty");
        let workers: HashSet<i32> = run
            .events
            .iter()
            .filter(|e| matches!(e.body, Body::ProcStart { role: Role::PoolWorker, .. }))
            .map(|e| e.pid)
            .collect();
        let sum: u64 = workers.iter().filter_map(|w| lens.get(w)).sum();
        assert_eq!(sum, items, "{method}: the workers' copies add up to every item");
        assert!(run.stdout().contains("parent pageList length: 0"), "{}", run.stdout());
    }
}

#[test]
fn isolated_globals_fixes_bring_the_items_home() {
    for fix in ["return", "manager"] {
        let run = lesson("isolated-globals", &[&format!("fix={fix}"), "items=200"]);
        assert!(run.stdout().contains("parent pageList length: 200"), "fix={fix}: {}", run.stdout());
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
    for (workers, items) in [(2u64, 1000u64), (3, 600), (4, 10), (1, 7), (2, 100_000), (5, 12_345)] {
        let run = lesson(
            "chunked-map",
            &[&format!("workers={workers}"), &format!("items={items}"), "work_ms=0"],
        );
        let map = run
            .events
            .iter()
            .find_map(|e| match e.body {
                Body::Map { items, chunksize, workers, .. } => Some((items, chunksize, workers)),
                _ => None,
            })
            .expect("a map event");
        assert_eq!(map, (items, python_chunksize(items, workers), Some(workers as u32)));
        let taken = chunks(&run.events);
        assert_covers_once(&taken, items);
        let takers: HashSet<i32> = taken.iter().map(|c| c.2).collect();
        if items >= 100_000 {
            assert!(takers.len() >= 2, "{workers}x{items}: only {takers:?} took chunks");
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

#[test]
fn lock_keeps_lines_whole() {
    for _ in 0..3 {
        let run = lesson("lock-vs-garbled", &["lock=true"]);
        assert_eq!(garbled(&run), 0);
        assert_eq!(Model::from_events(&run.events).output.total_lines, 50);
    }
}

#[test]
fn without_the_lock_lines_garble() {
    let counts: Vec<u64> = (0..5).map(|_| garbled(&lesson("lock-vs-garbled", &["lock=false"]))).collect();
    assert!(counts.iter().any(|c| *c > 0), "no garbled line in 5 runs: {counts:?}");
}

#[test]
fn unknown_lesson_and_bad_values_list_what_is_valid() {
    let out = forklore().args(["lesson", "no-such-lesson", "--headless"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no lesson `no-such-lesson`") && err.contains("chunked-map"), "{err}");

    let out = forklore().args(["lesson", "chunked-map", "--headless", "--set", "workers=99"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("workers: 99 is outside 1..=16"));

    let out = forklore().args(["lesson", "chunked-map", "--headless", "--set", "threads=2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no parameter `threads`") && err.contains("work_ms"), "{err}");
}

#[test]
fn list_prints_slug_then_title() {
    let out = forklore().arg("list").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let slugs: Vec<&str> = text.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    for slug in ["isolated-globals", "chunked-map", "lock-vs-garbled"] {
        assert!(slugs.contains(&slug), "{text}");
    }
    assert!(text.lines().all(|l| l.split_whitespace().count() >= 2), "every line has a title: {text}");
}
