//! Facts of the sharing-data lessons added after the first six
//! (ticket-race, queue-pipe, value-array), asserted from real runs under fork, spawn and
//! forkserver.

mod common;

use common::*;
use forklore::lesson::facts::facts;
use forklore::model::Model;
use forklore::protocol::{Body, PipeOp, QueueOp, RwOp};

/// Tickets sold (writes by buyers) and the count the file ends at, from
/// the file events; checked against the script's own output.
fn sold_and_left(run: &Headless) -> (u64, u64) {
    let main = run.events.iter().find_map(|e| match e.body {
        Body::Hello { .. } => Some(e.pid),
        _ => None,
    });
    let mut sold = 0;
    let mut last = String::new();
    for e in &run.events {
        if let Body::File { op, text, .. } = &e.body {
            if *op == RwOp::Write && Some(e.pid) != main {
                sold += 1;
            }
            last = text.clone();
        }
    }
    let left: u64 = last
        .trim_start_matches("{\"tickets\": ")
        .trim_end_matches('}')
        .parse()
        .unwrap_or_else(|_| panic!("file text {last}"));
    let out = run.stdout();
    assert_eq!(out.matches("bought a ticket").count() as u64, sold, "{out}");
    assert!(out.contains(&format!("left in the file: {left}")), "{out}");
    let f = facts(&Model::from_events(&run.events), &[]);
    assert_eq!(f["file_writes"], sold.to_string());
    assert_eq!(f["file_text"], last);
    (sold, left)
}

/// PIDs that took items from the queue.
fn readers_of(run: &Headless) -> std::collections::HashSet<i32> {
    run.events
        .iter()
        .filter(|e| {
            matches!(
                e.body,
                Body::Queue {
                    op: QueueOp::Get,
                    ..
                }
            )
        })
        .map(|e| e.pid)
        .collect()
}

fn ticket_runs(lock: &'static str, runs_per_method: usize) -> Vec<(String, u64, u64)> {
    let args = [
        "--tickets",
        "3",
        "--buyers",
        "6",
        "--think_ms",
        "100",
        "--lock",
        lock,
    ];
    let handles: Vec<_> = METHODS
        .iter()
        .flat_map(|m| std::iter::repeat_n(m.to_string(), runs_per_method))
        .map(|m| {
            std::thread::spawn(move || {
                let run = run_lesson_under("10-ticket-race", &m, &[], &args);
                let (sold, left) = sold_and_left(&run);
                (m, sold, left)
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

#[test]
fn with_the_lock_never_more_sold_than_exist() {
    for (method, sold, left) in ticket_runs("true", 1) {
        assert_eq!(sold, 3, "{method}: every ticket sold once");
        assert_eq!(
            left,
            3 - sold,
            "{method}: the file ends at available - sold"
        );
    }
}

#[test]
fn without_the_lock_tickets_are_oversold_in_most_runs() {
    let runs = ticket_runs("false", 2);
    let oversold = runs.iter().filter(|(_, sold, _)| *sold > 3).count();
    assert!(
        oversold * 2 > runs.len(),
        "oversold in {oversold} of {} runs: {runs:?}",
        runs.len()
    );
    for (method, sold, left) in &runs {
        // Every buyer that saw a ticket wrote one less than it saw.
        assert!(
            *left <= 3 && *sold <= 6,
            "{method}: {sold} sold, {left} left"
        );
    }
}

#[test]
fn queue_messages_arrive_once_in_order_per_sender_and_pipe_ends_are_apart() {
    let args = [
        "--writers",
        "3",
        "--readers",
        "2",
        "--messages",
        "5",
        "--rounds",
        "3",
        "--pace_ms",
        "10",
    ];
    for (method, run) in under_every_method("07-queue-pipe", &args) {
        let mut put: Vec<String> = Vec::new();
        let mut got: Vec<String> = Vec::new();
        for e in &run.events {
            if let Body::Queue {
                op,
                item: Some(item),
                ..
            } = &e.body
            {
                match op {
                    QueueOp::Put => put.push(item.clone()),
                    QueueOp::Get => got.push(item.clone()),
                    _ => {}
                }
            }
        }
        let messages = |v: &[String]| -> Vec<String> {
            let mut m: Vec<String> = v.iter().filter(|i| *i != "None").cloned().collect();
            m.sort();
            m
        };
        assert_eq!(messages(&put).len(), 15, "{method}");
        assert_eq!(messages(&got), messages(&put), "{method}: each taken once");
        // Per writer, in the order put: each reader meets one writer's
        // messages in increasing order (two readers' reports of their own
        // gets may cross on the way, so each reader's order is the fact).
        for reader in readers_of(&run) {
            for w in 0..3 {
                let prefix = format!("'w{w}-");
                let seq: Vec<u32> = run
                    .events
                    .iter()
                    .filter(|e| e.pid == reader)
                    .filter_map(|e| match &e.body {
                        Body::Queue {
                            op: QueueOp::Get,
                            item: Some(i),
                            ..
                        } => i.strip_prefix(&prefix)?.trim_end_matches('\'').parse().ok(),
                        _ => None,
                    })
                    .collect();
                assert!(
                    seq.windows(2).all(|p| p[0] < p[1]),
                    "{method}: reader {reader} got writer {w}'s {seq:?}"
                );
            }
        }
        let mut ends: std::collections::HashMap<String, std::collections::HashSet<i32>> =
            Default::default();
        let mut sent = Vec::new();
        let mut received = Vec::new();
        for e in &run.events {
            if let Body::Pipe { op, end, item, .. } = &e.body {
                ends.entry(end.clone()).or_default().insert(e.pid);
                match op {
                    PipeOp::Send => sent.push(item.clone()),
                    PipeOp::Recv => received.push(item.clone()),
                    _ => {}
                }
            }
        }
        assert_eq!(sent.len(), 6, "{method}: 3 pings, 3 pongs");
        assert_eq!(sent, received, "{method}: each received once, in order");
        let users: Vec<&std::collections::HashSet<i32>> = ends.values().collect();
        assert_eq!(users.len(), 2, "{method}: two ends");
        assert!(
            users[0].len() == 1 && users[1].len() == 1 && users[0] != users[1],
            "{method}: one PID per end, two PIDs: {ends:?}"
        );
        let f = facts(&Model::from_events(&run.events), &[]);
        assert_eq!(f["pipe_ends_apart"], "true");
        assert_eq!(f["queue_gets"], f["queue_puts"]);
    }
}

/// The final counter and main's view of the Array, from the run's own
/// output; checked against the shared-memory events.
fn value_array_run(method: &str, lock: &str) -> (u64, String) {
    let args = ["--processes", "4", "--increments", "150", "--lock", lock];
    let run = run_lesson_under("15-value-array", method, &[], &args);
    let counter = printed_counter(&run.stdout(), method);
    let f = facts(&Model::from_events(&run.events), &[]);
    assert_eq!(f["shared_value"], counter.to_string(), "{method}");
    let writes: Vec<(i32, u64)> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Shared {
                kind,
                op: RwOp::Write,
                index: Some(i),
                ..
            } if kind == "Array" => Some((e.pid, *i)),
            _ => None,
        })
        .collect();
    let pids: std::collections::HashSet<i32> = writes.iter().map(|w| w.0).collect();
    assert_eq!(
        (writes.len(), pids.len()),
        (4, 4),
        "{method}: one slot per child"
    );
    let lost: u64 = f["lost_increments"].parse().unwrap();
    assert_eq!(
        lost,
        600 - counter,
        "{method}: the lost increments, from the events"
    );
    every_value_read_was_written_before(&run.events, method);
    (counter, f["array_items"].clone())
}

fn printed_counter(out: &str, what: &str) -> u64 {
    out.lines()
        .find_map(|l| l.strip_prefix("counter: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{what}: {out}"))
}

/// The events come in the order things happened: a value read of the
/// counter (other than its first 0) was written before, by some process.
/// (A write is reported after it happened, stamped with the moment before
/// it: the ring's hold keeps it in order.)
fn every_value_read_was_written_before(events: &[forklore::protocol::Event], what: &str) {
    let mut written = std::collections::HashSet::from(["0".to_string()]);
    let mut reads = 0;
    for e in events {
        match &e.body {
            Body::Shared {
                kind, op, value, ..
            } if kind == "Value" => match op {
                RwOp::Write => {
                    written.insert(value.clone());
                }
                _ => {
                    reads += 1;
                    assert!(
                        written.contains(value),
                        "{what}: {value} read (pid {}) before any process wrote it",
                        e.pid
                    );
                }
            },
            _ => {}
        }
    }
    assert!(reads > 0, "{what}: the counter's reads were seen");
}

#[test]
fn value_with_the_lock_counts_every_increment_and_the_parent_sees_the_array() {
    let handles: Vec<_> = METHODS
        .iter()
        .map(|m| std::thread::spawn(move || (m, value_array_run(m, "true"))))
        .collect();
    for h in handles {
        let (method, (counter, items)) = h.join().unwrap();
        assert_eq!(counter, 600, "{method}: processes × increments");
        assert_eq!(items, "[0, 1, 4, 9]", "{method}: every child's write");
    }
}

#[test]
fn value_without_the_lock_counts_what_was_lost_from_the_reads_and_writes() {
    // Whether increments are lost in a free run depends on timing (as
    // without forklore): every run's count is checked, none is required.
    let handles: Vec<_> = METHODS
        .iter()
        .map(|m| std::thread::spawn(move || value_array_run(m, "false")))
        .collect();
    for h in handles {
        let (counter, items) = h.join().unwrap();
        assert!(counter <= 600, "{counter}");
        assert_eq!(items, "[0, 1, 4, 9]");
    }
}
