//! Outsiders and the transport: a process outside the run cannot pass
//! forklore a ring. Alone in its test binary because no run here is
//! supervised in-process: a process this test starts is a stranger to the
//! forklore binary it talks to, as a user's other programs are.

mod common;

use common::flood::interpreter;
use common::*;
use forklore::protocol::{Body, WriteBytes};

/// A process outside the run passes forklore a ring (and sends an event):
/// both are refused, and nothing of them is shown.
#[test]
fn a_ring_from_outside_the_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let handshake = dir.path().join("sock");
    let rec = dir.path().join("run.jsonl");
    let (child, sock) = run_awaiting_outsider("await_outsider.py", &rec, &handshake);
    let outsider = std::process::Command::new(interpreter())
        .arg(fixture("outsider_ring.py"))
        .arg(&sock)
        .output()
        .unwrap();
    assert!(outsider.status.success(), "{outsider:?}");
    std::fs::write(dir.path().join("sock.done"), "").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), "inside\n");
    let events = forklore::record::read(&rec).unwrap();
    let shown = events
        .iter()
        .filter_map(|e| e.body.write_bytes())
        .any(|w| String::from_utf8_lossy(&w).contains("OUTSIDER"));
    assert!(!shown, "the outsider's events were not shown");
    let rejected = events.iter().find_map(|e| match e.body {
        Body::RunEnd { rejected, .. } => Some(rejected),
        _ => None,
    });
    assert_eq!(rejected, Some(2), "the ring and the event were refused");
}
