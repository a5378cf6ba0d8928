//! Back-pressure, alone in its test binary so that the memory measured is
//! this run's only: a reader that stops reading makes the processes wait.

mod common;

use std::time::{Duration, Instant};

use common::flood::*;
use forklore::protocol::Event;
use forklore::runtime::Run;

fn own_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A reader that stops reading (a frozen screen) makes the processes wait
/// at their next event: forklore's memory stays bounded, nothing is lost.
#[test]
fn a_stalled_reader_makes_writers_wait_instead_of_growing() {
    let run = Run::start(&config("numbered_flood.py", &["4", "300000"])).unwrap();
    // Take a few events, then read nothing for a while.
    let first: Vec<Event> = run.events.iter().take(100).collect();
    let before = own_rss_kib();
    let stalled = Instant::now();
    let mut peak = before;
    while stalled.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(100));
        peak = peak.max(own_rss_kib());
    }
    // 4 rings of 256 KiB and the channel: far below 64 MiB.
    assert!(
        peak - before < 64 * 1024,
        "forklore grew by {} KiB while nobody read",
        peak - before
    );
    let mut events = first;
    events.extend(all_events(&run));
    assert_complete_and_in_order(&events, 4, 300_000);
}
