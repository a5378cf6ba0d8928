//! The explorer's decisions without processes: synthetic programs (each
//! process a fixed list of moves, none blocking) run through the search
//! and the walker, to check what the reduction reorders and what not.

use std::collections::BTreeSet;

use forklore::explore::{Move, Search, Step, Walker};

/// A program: each process's moves, in order. Run every schedule the
/// search hands out; each run's order of moves, as `who op obj` lines.
fn explore(program: &[(&str, &[(&str, &str)])], reduce: bool) -> Vec<Vec<String>> {
    let mut search = Search::new(reduce);
    let mut runs = Vec::new();
    while let Some(plan) = search.next_plan() {
        let mut walker = Walker::new(plan.clone());
        let mut next = vec![0; program.len()];
        let mut trace = Vec::new();
        loop {
            let enabled: Vec<Move> = program
                .iter()
                .zip(&next)
                .filter_map(|((who, moves), &i)| {
                    moves.get(i).map(|(op, obj)| Move::new(who, op, Some(obj)))
                })
                .collect();
            if enabled.is_empty() {
                break;
            }
            let chosen = walker.choose(&enabled);
            let who = &enabled[chosen].who;
            let p = program.iter().position(|(w, _)| w == who).unwrap();
            next[p] += 1;
            trace.push(Step { enabled, chosen });
        }
        assert!(walker.diverged.is_none(), "{:?}", walker.diverged);
        search.record(&plan, &trace, &walker.sleeps);
        runs.push(trace.iter().map(|s| s.taken().describe()).collect());
    }
    runs
}

/// The relative order of the moves on `obj` in each run.
fn orders_on(runs: &[Vec<String>], obj: &str) -> BTreeSet<Vec<String>> {
    runs.iter()
        .map(|r| r.iter().filter(|m| m.ends_with(obj)).cloned().collect())
        .collect()
}

#[test]
fn moves_on_different_objects_are_never_reordered() {
    let p: &[(&str, &[(&str, &str)])] = &[
        ("P1", &[("acquire", "a"), ("release", "a")]),
        ("P2", &[("acquire", "b"), ("release", "b")]),
    ];
    let runs = explore(p, true);
    assert_eq!(runs.len(), 1, "{runs:?}");
    // Without the reduction, all 6 interleavings of 2 + 2 moves.
    assert_eq!(explore(p, false).len(), 6);
}

#[test]
fn two_reads_commute_but_a_write_does_not() {
    let reads: &[(&str, &[(&str, &str)])] = &[("P1", &[("read", "k")]), ("P2", &[("read", "k")])];
    assert_eq!(explore(reads, true).len(), 1);
    let writes: &[(&str, &[(&str, &str)])] =
        &[("P1", &[("write", "k")]), ("P2", &[("write", "k")])];
    let runs = explore(writes, true);
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert_eq!(orders_on(&runs, "k").len(), 2, "both orders of the writes");
}

#[test]
fn a_lost_update_is_found_with_fewer_runs_than_every_order() {
    let counter: &[(&str, &[(&str, &str)])] = &[
        ("P2", &[("read", "count"), ("write", "count")]),
        ("P3", &[("read", "count"), ("write", "count")]),
    ];
    let reduced = explore(counter, true);
    let all = explore(counter, false);
    assert_eq!(all.len(), 6);
    assert!(reduced.len() < all.len(), "{reduced:?}");
    // Simulate the counter: both outcomes (0: serial, 1: lost) are reached.
    let finals = |runs: &[Vec<String>]| -> BTreeSet<i32> {
        runs.iter()
            .map(|r| {
                let (mut count, mut seen) = (2, std::collections::HashMap::new());
                for m in r {
                    let who = m.split(' ').next().unwrap().to_string();
                    if m.contains(" read ") {
                        seen.insert(who, count);
                    } else {
                        count = seen[&who] - 1;
                    }
                }
                count
            })
            .collect()
    };
    assert_eq!(finals(&reduced), finals(&all));
    assert_eq!(finals(&reduced), BTreeSet::from([0, 1]));
}

#[test]
fn prints_to_stdout_are_one_object_and_get_both_orders() {
    let p: &[(&str, &[(&str, &str)])] = &[
        ("P1", &[("write", "x"), ("print", "stdout")]),
        ("P2", &[("write", "y"), ("print", "stdout")]),
    ];
    let runs = explore(p, true);
    assert_eq!(orders_on(&runs, "stdout").len(), 2, "{runs:?}");
    // The writes on x and y are not reordered for their own sake.
    assert_eq!(runs.len(), 2, "{runs:?}");
}

#[test]
fn a_move_asleep_is_not_chosen_while_independent_moves_go_first() {
    let plan = forklore::explore::Plan {
        prefix: Vec::new(),
        sleep: vec![Move::new("P1", "write", Some("a"))],
    };
    let mut walker = Walker::new(plan);
    let p1 = Move::new("P1", "write", Some("a"));
    let p2b = Move::new("P2", "write", Some("b"));
    assert_eq!(walker.choose(&[p1.clone(), p2b]), 1, "P1 sleeps");
    // P2's next move touches a: P1 wakes (they depend).
    let p2a = Move::new("P2", "write", Some("a"));
    assert_eq!(walker.choose(&[p1.clone(), p2a]), 1, "still asleep here");
    assert_eq!(walker.choose(std::slice::from_ref(&p1)), 0);
    assert!(!walker.redundant, "P1 woke after P2 wrote a");
}
