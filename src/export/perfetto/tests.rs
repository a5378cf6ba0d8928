//! The conversion, event by event: what becomes a slice, where it goes,
//! what an arrow joins.

use serde_json::Value;

use super::{trace, LANE_STRIDE};
use crate::protocol::{Body, Event, QueueOp, Role, SyncKind, SyncOp};

const MS: u64 = 1_000_000;

fn ev(pid: i32, t_ms: u64, body: Body) -> Event {
    Event {
        body,
        pid,
        t: 1000 * MS + t_ms * MS,
    }
}

fn hello(v: u32) -> Event {
    ev(
        100,
        0,
        Body::Hello {
            v,
            python: "3.11.7".into(),
            executable: String::new(),
            start_method: "fork".into(),
            script: "demo.py".into(),
            argv: vec![],
            forklore: None,
            buffering: None,
            replay: None,
        },
    )
}

fn worker(pid: i32, name: &str) -> Event {
    ev(
        pid,
        1,
        Body::proc_start(100, Role::PoolWorker, name, "fork"),
    )
}

fn sync(pid: i32, t: u64, kind: SyncKind, name: &str, op: SyncOp, value: i64) -> Event {
    let body = Body::Sync {
        id: format!("id-{name}"),
        kind,
        name: Some(name.into()),
        op,
        value: Some(value),
        parties: None,
    };
    ev(pid, t, body)
}

fn queue(pid: i32, t: u64, op: QueueOp, item: &str) -> Event {
    let body = Body::Queue {
        id: "q1".into(),
        name: Some("buffer".into()),
        op,
        item: Some(item.into()),
        size: Some(1),
        maxsize: None,
        unfinished: None,
    };
    ev(pid, t, body)
}

fn events_of(trace: &Value) -> Vec<Value> {
    trace["traceEvents"].as_array().unwrap().clone()
}

fn slices_named<'a>(events: &'a [Value], prefix: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["ph"] == "X" && e["name"].as_str().unwrap().starts_with(prefix))
        .collect()
}

#[test]
fn every_process_is_named_pid_role_name_under_its_parent() {
    let events = [
        hello(2),
        worker(101, "ForkPoolWorker-1"),
        worker(102, "ForkPoolWorker-2"),
    ];
    let all = events_of(&trace(&events));
    let meta = |what: &str, pid: i32| {
        all.iter()
            .find(|e| e["ph"] == "M" && e["name"] == what && e["pid"] == pid)
            .unwrap_or_else(|| panic!("{what} of {pid}"))["args"]
            .clone()
    };
    assert_eq!(
        meta("process_name", 101)["name"],
        "101 pool worker ForkPoolWorker-1"
    );
    assert_eq!(
        meta("thread_name", 101)["name"],
        "101 pool worker ForkPoolWorker-1"
    );
    assert_eq!(meta("process_name", 100)["name"], "100 main");
    assert_eq!(meta("process_labels", 102)["labels"], "child of 100 main");
    let index = |pid| {
        meta("process_sort_index", pid)["sort_index"]
            .as_u64()
            .unwrap()
    };
    assert!(index(100) < index(101) && index(101) < index(102));
}

#[test]
fn a_lock_held_past_the_end_of_a_chunk_goes_on_a_second_lane() {
    let events = [
        hello(2),
        worker(101, "W"),
        ev(
            101,
            10,
            Body::ChunkTake {
                pool: 0,
                job: 0,
                index: 3,
                size: 5,
                start: Some(15),
                end: Some(20),
            },
        ),
        sync(101, 12, SyncKind::Lock, "lock", SyncOp::Acquired, 0),
        ev(
            101,
            20,
            Body::ChunkDone {
                pool: 0,
                job: 0,
                index: 3,
                ok: true,
            },
        ),
        sync(101, 25, SyncKind::Lock, "lock", SyncOp::Released, 1),
    ];
    let all = events_of(&trace(&events));
    let chunk = slices_named(&all, "chunk 3 of job 0: items 15..20")[0];
    assert_eq!(
        (chunk["ts"].as_f64(), chunk["dur"].as_f64()),
        (Some(10_000.0), Some(10_000.0))
    );
    assert_eq!(chunk["tid"], 101);
    assert_eq!(chunk["args"]["start"], 15);
    let held = slices_named(&all, "holds Lock lock")[0];
    assert_eq!(
        (held["ts"].as_f64(), held["dur"].as_f64()),
        (Some(12_000.0), Some(13_000.0))
    );
    assert_eq!(held["tid"], 101 + LANE_STRIDE);
    assert!(all
        .iter()
        .any(|e| e["name"] == "thread_name" && e["tid"] == 101 + LANE_STRIDE));
}

#[test]
fn a_wait_lasts_from_blocked_to_acquired() {
    let events = [
        hello(2),
        worker(101, "W"),
        sync(101, 5, SyncKind::Lock, "lock", SyncOp::Blocked, 0),
        sync(101, 9, SyncKind::Lock, "lock", SyncOp::Acquired, 0),
        sync(101, 11, SyncKind::Lock, "lock", SyncOp::Released, 1),
    ];
    let all = events_of(&trace(&events));
    let wait = slices_named(&all, "waits for Lock lock")[0];
    assert_eq!(
        (wait["ts"].as_f64(), wait["dur"].as_f64()),
        (Some(5000.0), Some(4000.0))
    );
    let held = slices_named(&all, "holds Lock lock")[0];
    assert_eq!(
        (held["ts"].as_f64(), held["dur"].as_f64()),
        (Some(9000.0), Some(2000.0))
    );
}

#[test]
fn a_wait_nothing_ended_stops_when_its_process_ended() {
    let events = [
        hello(2),
        worker(101, "W"),
        ev(
            101,
            5,
            Body::Join {
                child: 102,
                op: crate::protocol::JoinOp::Waiting,
                exitcode: None,
                at_exit: false,
            },
        ),
        ev(
            101,
            40,
            Body::ProcExit {
                exitcode: -15,
                by: Some(100),
            },
        ),
        ev(
            100,
            50,
            Body::RunEnd {
                exitcode: 0,
                malformed: 0,
                rejected: 0,
                dropped: 0,
            },
        ),
    ];
    let all = events_of(&trace(&events));
    let wait = slices_named(&all, "waits in join() for 102")[0];
    assert_eq!(wait["dur"].as_f64(), Some(35_000.0));
    assert_eq!(wait["args"]["unfinished"], true);
    let life = slices_named(&all, "101 pool worker W")[0];
    assert_eq!(life["args"]["exitcode"], -15);
    assert_eq!(life["ts"].as_f64(), Some(1000.0));
}

#[test]
fn each_queue_item_flows_from_its_put_to_the_get_that_took_it() {
    let events = [
        hello(2),
        worker(101, "P"),
        worker(102, "C1"),
        worker(103, "C2"),
        queue(101, 10, QueueOp::Put, "'x'"),
        queue(101, 11, QueueOp::PutDone, "'x'"),
        queue(101, 12, QueueOp::Put, "'x'"),
        queue(101, 13, QueueOp::PutBlocked, "'x'"),
        queue(101, 16, QueueOp::PutDone, "'x'"),
        queue(103, 14, QueueOp::GetBlocked, "'x'"),
        queue(102, 20, QueueOp::Get, "'x'"),
        queue(103, 30, QueueOp::Get, "'x'"),
    ];
    let all = events_of(&trace(&events));
    let puts = slices_named(&all, "put 'x' on queue buffer");
    assert_eq!(puts.len(), 2);
    assert_eq!(
        puts[1]["dur"].as_f64(),
        Some(4000.0),
        "the second put waited"
    );
    let full = slices_named(&all, "waits: queue buffer is full")[0];
    assert_eq!(full["dur"].as_f64(), Some(3000.0));
    let gets = slices_named(&all, "get 'x' from queue buffer");
    for (put, get) in puts.iter().zip(&gets) {
        assert_eq!(put["flow_out"], true);
        assert_eq!(get["flow_in"], true);
        assert_eq!(put["bind_id"], get["bind_id"]);
    }
    assert_eq!(
        gets[1]["pid"], 103,
        "the first put's item went to 102, the second's to 103"
    );
    let empty = slices_named(&all, "waits: queue buffer is empty")[0];
    assert_eq!(
        (empty["pid"].as_i64(), empty["dur"].as_f64()),
        (Some(103), Some(16_000.0))
    );
    let sizes = all
        .iter()
        .filter(|e| e["ph"] == "C" && e["name"] == "queue buffer")
        .count();
    assert_eq!(sizes, 8, "every op with a size is a counter sample");
}

#[test]
fn a_version_1_put_is_over_when_reported() {
    let events = [
        hello(1),
        worker(101, "P"),
        queue(101, 10, QueueOp::Put, "'x'"),
    ];
    let all = events_of(&trace(&events));
    let put = slices_named(&all, "put 'x'")[0];
    assert_eq!(put["dur"].as_f64(), Some(0.0));
    assert!(put["args"].get("unfinished").is_none());
}

#[test]
fn a_manager_call_flows_from_the_client_to_the_server() {
    let call = Body::Proxy {
        server: Some(150),
        id: "7f".into(),
        typeid: "dict".into(),
        method: "__setitem__".into(),
        args: vec!["'count'".into(), "99".into()],
        result: "None".into(),
    };
    let events = [
        hello(2),
        ev(150, 2, Body::Manager { ppid: 100 }),
        ev(100, 5, call),
    ];
    let all = events_of(&trace(&events));
    let client = slices_named(&all, "dict.__setitem__('count', 99) → None")[0];
    let server = slices_named(&all, "serves dict.__setitem__('count', 99) for 100")[0];
    assert_eq!(
        (client["pid"].as_i64(), server["pid"].as_i64()),
        (Some(100), Some(150))
    );
    assert_eq!(client["bind_id"], server["bind_id"]);
    assert_eq!(
        (client["flow_out"].clone(), server["flow_in"].clone()),
        (true.into(), true.into())
    );
    let name = all
        .iter()
        .find(|e| e["name"] == "process_name" && e["pid"] == 150)
        .unwrap();
    assert_eq!(name["args"]["name"], "150 Manager server");
}

#[test]
fn semaphores_are_moments_and_a_counter_locks_are_held() {
    let events = [
        hello(2),
        worker(101, "P"),
        worker(102, "C"),
        sync(101, 5, SyncKind::Semaphore, "full", SyncOp::Acquired, 1),
        sync(102, 7, SyncKind::Semaphore, "full", SyncOp::Released, 2),
    ];
    let all = events_of(&trace(&events));
    assert!(slices_named(&all, "holds").is_empty());
    let moments: Vec<&Value> = all.iter().filter(|e| e["ph"] == "i").collect();
    assert_eq!(moments.len(), 2);
    let values: Vec<i64> = all
        .iter()
        .filter(|e| e["ph"] == "C")
        .map(|e| e["args"]["value"].as_i64().unwrap())
        .collect();
    assert_eq!(values, [1, 2]);
}

#[test]
fn output_outside_python_shows_on_the_main_process() {
    let write = |pid| Body::Write {
        fd: 1,
        text: format!("from {pid}\n"),
        b64: None,
    };
    let events = [
        hello(2),
        worker(101, "W"),
        ev(101, 3, write(101)),
        ev(0, 4, write(0)),
    ];
    let all = events_of(&trace(&events));
    let writes: Vec<(i64, &str)> = all
        .iter()
        .filter(|e| e["ph"] == "i")
        .map(|e| (e["pid"].as_i64().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(writes, [(101, "stdout: from 101"), (100, "stdout: from 0")]);
    assert!(!all.iter().any(|e| e["pid"] == 0), "pid 0 is not a process");
}
