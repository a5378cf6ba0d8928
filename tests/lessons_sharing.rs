//! Facts of the sharing-data lessons added after the first six
//! (ticket-race), asserted from real runs under fork, spawn and
//! forkserver.

mod common;

use std::path::PathBuf;

use common::*;
use forklore::lesson::facts::facts;
use forklore::model::Model;
use forklore::protocol::{Body, FileOp};

const METHODS: [&str; 3] = ["fork", "spawn", "forkserver"];

fn run_under(folder: &str, method: &str, args: &[&str]) -> Headless {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("lessons")
        .join(folder)
        .join("main.py");
    let run = run_headless(&script, &["--start-method", method], args);
    assert_eq!(run.code(), Some(0), "{folder} {method}: {}", run.stderr());
    run
}

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
            if *op == FileOp::Write && Some(e.pid) != main {
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
                let run = run_under("10-ticket-race", &m, &args);
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
