//! The event transport with real python3 processes: every event of many
//! busy senders arrives once and in order, and causes come before effects.
//! (Back-pressure and outsiders have test binaries of their own.)

mod common;

use common::flood::*;
use forklore::protocol::{Body, QueueOp, SyncOp};
use forklore::runtime::Run;

#[test]
fn eight_busy_senders_arrive_complete_and_in_order() {
    let run = Run::start(&config("numbered_flood.py", &["8", "200000"])).unwrap();
    let events = all_events(&run);
    assert_complete_and_in_order(&events, 8, 200_000);
}

/// Two producers and two consumers on one Queue, run after run: in the
/// stream forklore shows, no item is got before it was put.
#[test]
fn a_queue_get_never_comes_before_its_put() {
    for _ in 0..5 {
        let run = Run::start(&config("queue_relay.py", &["400"])).unwrap();
        let events = all_events(&run);
        let mut put = std::collections::HashSet::new();
        let mut gets = 0;
        for e in &events {
            let Body::Queue { op, item, .. } = &e.body else {
                continue;
            };
            let item = item.clone().unwrap_or_default();
            match op {
                QueueOp::Put => {
                    put.insert(item);
                }
                QueueOp::Get => {
                    assert!(put.contains(&item), "{item} got before it was put");
                    gets += 1;
                }
                _ => {}
            }
        }
        assert_eq!(gets, 800, "every item was got");
    }
}

/// An event on a ring reaches the reader while its process sends nothing
/// more (no later event or exit pushes it out): the script waits for a file
/// the test creates only once the event has arrived.
#[test]
fn an_event_arrives_while_its_process_is_idle() {
    let dir = tempfile::tempdir().unwrap();
    let go = dir.path().join("go");
    let go_arg = go.to_string_lossy().into_owned();
    let run = Run::start(&config("idle_after_events.py", &[&go_arg])).unwrap();
    let mut latency = None;
    for e in run.events.iter() {
        if let Body::Sync {
            name: Some(name),
            op: SyncOp::Acquired,
            ..
        } = &e.body
        {
            if name == "marker" {
                latency = Some(forklore::runtime::now_ns().saturating_sub(e.t));
                std::fs::write(&go, "").unwrap();
            }
        }
        if matches!(e.body, Body::RunEnd { .. }) {
            break;
        }
    }
    let latency = latency.expect("the marker arrived while the script waited");
    // The live screen's promise is 20 ms; a loaded test machine gets slack.
    assert!(latency < 2_000_000_000, "{} ms", latency / 1_000_000);
}
