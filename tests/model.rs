//! The pure model, fed hand-written event sequences.

use forklore::model::{Model, ProcState, RunState, Wait};
use forklore::protocol::{decode, Body, Event, QueueOp, Role, SyncKind, SyncOp};

fn ev(pid: i32, t: u64, body: Body) -> Event {
    Event { pid, t, body }
}

fn start(pid: i32, ppid: i32, role: Role, name: &str) -> Event {
    ev(pid, 1, Body::proc_start(ppid, role, name, "fork"))
}

fn sync(pid: i32, op: SyncOp, value: i64) -> Event {
    ev(
        pid,
        2,
        Body::Sync {
            parties: None,
            id: "h1".into(),
            kind: SyncKind::Lock,
            name: Some("lock".into()),
            op,
            value: Some(value),
        },
    )
}

#[test]
fn process_tree_and_exit_states() {
    let m = Model::from_events(&[
        start(10, 1, Role::Main, "MainProcess"),
        start(11, 10, Role::PoolWorker, "ForkPoolWorker-1"),
        start(12, 10, Role::PoolWorker, "ForkPoolWorker-2"),
        start(13, 12, Role::Process, "Grandchild"),
        ev(
            11,
            5,
            Body::ProcExit {
                exitcode: -15,
                by: Some(10),
            },
        ),
        ev(
            12,
            6,
            Body::ProcExit {
                exitcode: 0,
                by: Some(10),
            },
        ),
    ]);
    let tree: Vec<(usize, i32)> = m.procs.tree().iter().map(|(d, p)| (*d, p.pid)).collect();
    assert_eq!(tree, vec![(0, 10), (1, 11), (1, 12), (2, 13)]);
    assert_eq!(m.procs.get(11).unwrap().state, ProcState::Killed(15));
    assert_eq!(m.procs.get(12).unwrap().state, ProcState::Exited(0));
    assert_eq!(m.procs.get(13).unwrap().state, ProcState::Running);
    assert_eq!(m.procs.alive().count(), 2);
}

#[test]
fn spawn_before_start_keeps_the_parent() {
    let m = Model::from_events(&[
        start(10, 1, Role::Main, "MainProcess"),
        ev(
            10,
            2,
            Body::ProcSpawn {
                child: 20,
                name: Some("Process-1".into()),
                daemon: true,
                method: Some("spawn".into()),
            },
        ),
    ]);
    let child = m.procs.get(20).unwrap();
    assert_eq!(child.ppid, Some(10));
    assert_eq!(child.state, ProcState::Starting);
    assert!(child.daemon);
    assert_eq!(child.name, "Process-1");
}

#[test]
fn lock_owner_and_waiters_in_order() {
    let mut m = Model::from_events(&[
        sync(1, SyncOp::Acquired, 0),
        sync(2, SyncOp::Blocked, 0),
        sync(3, SyncOp::Blocked, 0),
    ]);
    let lock = m.sync.get("h1").unwrap();
    assert_eq!(lock.holders, vec![1]);
    assert_eq!(lock.waiters.iter().copied().collect::<Vec<_>>(), vec![2, 3]);
    assert!(
        matches!(&m.procs.get(2).unwrap().state, ProcState::Blocked(Wait::Acquire { id }) if id == "h1")
    );
    assert_eq!(lock.label(), "lock");

    m.update(&sync(1, SyncOp::Released, 1));
    m.update(&sync(2, SyncOp::Acquired, 0));
    let lock = m.sync.get("h1").unwrap();
    assert_eq!(lock.holders, vec![2]);
    assert_eq!(lock.waiters.iter().copied().collect::<Vec<_>>(), vec![3]);
    assert_eq!(m.procs.get(2).unwrap().state, ProcState::Running);
    assert_eq!(lock.acquisitions, 2);

    // A waiter that dies waits no more.
    m.update(&ev(
        3,
        9,
        Body::ProcExit {
            exitcode: -9,
            by: None,
        },
    ));
    assert!(m.sync.get("h1").unwrap().waiters.is_empty());
}

/// A semaphore is a counter: its value and who waits, never holders (a
/// consumer releases what a producer acquired).
#[test]
fn semaphore_value_and_waiters() {
    let sem = |pid, op, value| {
        ev(
            pid,
            1,
            Body::Sync {
                parties: None,
                id: "s".into(),
                kind: SyncKind::Semaphore,
                name: None,
                op,
                value: Some(value),
            },
        )
    };
    let m = Model::from_events(&[
        sem(1, SyncOp::Acquired, 1),
        sem(2, SyncOp::Acquired, 0),
        sem(3, SyncOp::Blocked, 0),
        sem(1, SyncOp::Released, 1),
    ]);
    let s = m.sync.get("s").unwrap();
    assert!(s.holders.is_empty(), "{:?}", s.holders);
    assert_eq!(s.waiters, [3]);
    assert_eq!(s.value, Some(1));
    assert_eq!(s.acquisitions, 2);
    assert_eq!(s.label(), "Semaphore#1");
}

/// A put is announced before the item goes in and confirmed after; a full
/// queue keeps a blocked put outside; a put that raised never counts; a get
/// may overtake a confirmation; and a Queue(2) never shows three items,
/// whichever order the processes' reports arrive in.
#[test]
fn a_queue_only_ever_shows_states_the_real_queue_could_be_in() {
    let q = |pid, op, item: &str, size: Option<i64>| {
        ev(
            pid,
            1,
            Body::Queue {
                id: "q".into(),
                name: Some("buffer".into()),
                op,
                item: Some(item.into()),
                size,
                maxsize: (op == QueueOp::Put).then_some(2),
                unfinished: None,
            },
        )
    };
    let mut m = Model::new();
    let mut step = |pid, op, item: &str, size| {
        m.update(&q(pid, op, item, size));
        let queue = m.queues.get("q").unwrap();
        assert!(queue.items.len() <= 2, "{:?}", queue.items);
        let arriving: Vec<(String, bool)> = queue
            .arriving
            .iter()
            .map(|a| (a.item.clone(), a.blocked))
            .collect();
        let state = m.procs.get(1).map(|p| p.state.clone());
        (
            queue.items.iter().cloned().collect::<Vec<_>>(),
            arriving,
            state,
        )
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        step(1, QueueOp::Put, "a", None).1,
        vec![("a".into(), false)]
    );
    assert_eq!(step(1, QueueOp::PutDone, "a", Some(1)).0, s(&["a"]));
    step(1, QueueOp::Put, "b", None);
    assert_eq!(step(1, QueueOp::PutDone, "b", Some(2)).0, s(&["a", "b"]));
    // put_nowait on the full queue: announced, then it raised.
    step(1, QueueOp::Put, "c", None);
    let (items, arriving, _) = step(1, QueueOp::PutFailed, "c", Some(2));
    assert_eq!((items, arriving), (s(&["a", "b"]), vec![]));
    // A blocking put waits beside the queue until a get makes room.
    step(1, QueueOp::Put, "d", None);
    let (_, arriving, state) = step(1, QueueOp::PutBlocked, "d", Some(2));
    assert_eq!(arriving, vec![("d".into(), true)]);
    assert!(matches!(
        state,
        Some(ProcState::Blocked(Wait::QueuePut { .. }))
    ));
    assert_eq!(step(2, QueueOp::Get, "a", Some(1)).0, s(&["b"]));
    let (items, arriving, state) = step(1, QueueOp::PutDone, "d", Some(2));
    assert_eq!(
        (items, arriving, state),
        (s(&["b", "d"]), vec![], Some(ProcState::Running))
    );
    // The get of "b" is reported after "e" was confirmed: "b" is already
    // leaving, so the queue still shows two.
    step(1, QueueOp::Put, "e", None);
    assert_eq!(step(1, QueueOp::PutDone, "e", Some(2)).0, s(&["d", "e"]));
    assert_eq!(step(2, QueueOp::Get, "b", Some(1)).0, s(&["d", "e"]));
    // A get overtakes the confirmation of its item.
    step(2, QueueOp::Get, "d", Some(1));
    step(2, QueueOp::Get, "e", Some(0));
    step(1, QueueOp::Put, "f", None);
    let (items, arriving, _) = step(2, QueueOp::Get, "f", Some(0));
    assert_eq!((items, arriving), (vec![], vec![]));
    assert_eq!(
        step(1, QueueOp::PutDone, "f", Some(0)).0,
        Vec::<String>::new()
    );
    let queue = m.queues.get("q").unwrap();
    assert_eq!((queue.puts, queue.gets), (5, 5));
}

#[test]
fn queue_items_follow_puts_and_gets() {
    let q = |pid, op, item: &str, size| {
        ev(
            pid,
            1,
            Body::Queue {
                id: "q".into(),
                name: Some("buffer".into()),
                op,
                item: Some(item.into()),
                size: Some(size),
                maxsize: None,
                unfinished: None,
            },
        )
    };
    let m = Model::from_events(&[
        q(1, QueueOp::Put, "1", 0),
        q(1, QueueOp::PutDone, "1", 1),
        q(2, QueueOp::Put, "2", 1),
        q(2, QueueOp::PutDone, "2", 2),
        q(3, QueueOp::Get, "2", 1),
        q(3, QueueOp::GetBlocked, "", 0),
    ]);
    let queue = m.queues.get("q").unwrap();
    assert_eq!(
        queue.items.iter().cloned().collect::<Vec<_>>(),
        vec!["1".to_string()]
    );
    assert_eq!((queue.puts, queue.gets, queue.size), (2, 1, Some(0)));
    assert!(matches!(
        &m.procs.get(3).unwrap().state,
        ProcState::Blocked(Wait::QueueGet { .. })
    ));
}

#[test]
fn chunks_fill_the_strip_and_tally_per_worker() {
    let mut events = vec![ev(10, 1, Body::pool_map(0, 1000, 2))];
    for i in 0..8u64 {
        let worker = if i == 3 { 12 } else { 11 };
        events.push(ev(
            worker,
            2,
            Body::ChunkTake {
                pool: 0,
                job: 0,
                index: i,
                size: 125,
                start: Some(i * 125),
                end: Some(i * 125 + 125),
            },
        ));
        if i < 6 {
            events.push(ev(
                worker,
                3,
                Body::ChunkDone {
                    pool: 0,
                    job: 0,
                    index: i,
                    ok: true,
                },
            ));
        }
    }
    let m = Model::from_events(&events);
    let job = m.jobs.current().unwrap();
    assert_eq!((job.taken, job.done, job.pending()), (8, 6, 0));
    assert_eq!(job.tallies[&11].chunks, 7);
    assert_eq!(job.tallies[&11].items, 875);
    assert_eq!(job.tallies[&12].chunks, 1);
    assert_eq!(job.cells[3].taker, 12);
    assert_eq!(job.cells[7].done, 0);
}

#[test]
fn a_million_chunks_stay_bounded() {
    let mut m = Model::new();
    m.update(&ev(
        1,
        1,
        Body::Map {
            executor: false,
            pool: 0,
            job: 0,
            items: 1_000_000,
            chunksize: 1,
            chunks: 1_000_000,
            workers: Some(4),
            streaming: false,
        },
    ));
    for i in (0..1_000_000u64).step_by(997) {
        m.update(&ev(
            2,
            2,
            Body::ChunkTake {
                pool: 0,
                job: 0,
                index: i,
                size: 1,
                start: None,
                end: None,
            },
        ));
    }
    let job = m.jobs.current().unwrap();
    assert!(job.cells.len() <= 65_536);
    assert_eq!(job.taken, 1_000_000u64.div_ceil(997));
}

#[test]
fn endless_output_is_bounded_and_garbling_counted() {
    let mut m = Model::new();
    let w = |pid, text: &str| ev(pid, 1, Body::write(1, (text).as_bytes()));
    m.update(&w(1, "Pid: 1 LoopCount: 0"));
    m.update(&w(2, "Pid: 2 LoopCount: 0"));
    m.update(&w(1, "\n"));
    m.update(&w(2, "\n"));
    m.update(&w(1, "Pid: 1 LoopCount: 1\n"));
    assert_eq!(m.output.total_lines, 3);
    assert_eq!(m.output.garbled_lines, 1);
    assert!(m.output.lines[0].is_garbled());
    assert_eq!(m.output.lines[0].writers(), vec![1, 2]);
    assert!(
        !m.output.lines[1].is_garbled(),
        "a lone newline is not garbling"
    );

    for k in 0..100_000 {
        m.update(&w(3, &format!("line {k}\n")));
    }
    assert!(m.output.lines.len() <= 2000);
    assert_eq!(m.output.total_lines, 100_003);
    m.update(&w(3, &"x".repeat(1 << 20)));
    assert!(
        m.output.current.text().len() <= 4096,
        "a line without end is capped"
    );
}

#[test]
fn manager_dict_contents_from_calls() {
    let call = |client, method: &str, args: &[&str], result: &str| {
        ev(
            client,
            1,
            Body::Proxy {
                server: Some(50),
                id: "7f".into(),
                typeid: "dict".into(),
                method: method.into(),
                args: args.iter().map(|s| s.to_string()).collect(),
                result: result.into(),
            },
        )
    };
    let m = Model::from_events(&[
        ev(50, 0, Body::Manager { ppid: 10 }),
        call(11, "__getitem__", &["'count'"], "100"),
        call(11, "__setitem__", &["'count'", "99"], "None"),
        call(
            12,
            "__getitem__",
            &["'missing'"],
            "raised KeyError('missing')",
        ),
    ]);
    let server = &m.managers.servers[&50];
    assert_eq!(server.ppid, Some(10));
    assert_eq!(server.calls, 3);
    assert_eq!(
        server.objects["7f"]
            .entries
            .get("'count'")
            .map(String::as_str),
        Some("99")
    );
    assert!(!server.objects["7f"].entries.contains_key("'missing'"));
}

#[test]
fn vars_lines_and_run_state() {
    let m = Model::from_events(&[
        ev(
            1,
            1,
            Body::Var {
                name: "pageList".into(),
                repr: "[]".into(),
                len: Some(0),
                first: None,
                last: None,
            },
        ),
        ev(
            1,
            2,
            Body::Line {
                file: "x.py".into(),
                line: 7,
            },
        ),
        ev(1, 3, Body::RunPaused {}),
    ]);
    let p = m.procs.get(1).unwrap();
    assert_eq!(p.vars["pageList"].len, Some(0));
    assert_eq!(p.line, Some(7));
    assert_eq!(m.state, RunState::Paused);
    let m2 = Model::from_events(&[ev(
        1,
        9,
        Body::RunEnd {
            exitcode: -15,
            malformed: 2,
            rejected: 1,
            dropped: 0,
        },
    )]);
    assert_eq!(m2.state, RunState::Finished(-15));
    assert_eq!((m2.stats.malformed, m2.stats.rejected), (2, 1));
}

#[test]
fn decoded_lines_fold_the_same_as_built_events() {
    let line = br#"{"kind":"sync","pid":4,"t":9,"id":"h1","type":"Lock","name":"lock","op":"blocked","value":0}"#;
    let event = decode(line).unwrap();
    assert_eq!(event, sync(4, SyncOp::Blocked, 0).with_t(9));
}

trait WithT {
    fn with_t(self, t: u64) -> Self;
}
impl WithT for Event {
    fn with_t(mut self, t: u64) -> Self {
        self.t = t;
        self
    }
}

#[test]
fn join_waits_show_as_blocked_intervals() {
    use forklore::protocol::JoinOp;
    let join = |op, t| {
        ev(
            10,
            t,
            Body::Join {
                at_exit: false,
                child: 11,
                op,
                exitcode: None,
            },
        )
    };
    let mut m = Model::from_events(&[
        start(10, 1, Role::Main, "MainProcess"),
        start(11, 10, Role::Process, "Process-1"),
    ]);
    m.update(&join(JoinOp::Waiting, 5));
    assert!(matches!(
        &m.procs.get(10).unwrap().state,
        ProcState::Blocked(Wait::Join {
            child: 11,
            at_exit: false
        })
    ));
    m.update(&join(JoinOp::Joined, 9));
    let main = m.procs.get(10).unwrap();
    assert_eq!(main.state, ProcState::Running);
    assert_eq!(
        main.waits.iter().copied().collect::<Vec<_>>(),
        vec![(5, Some(9))]
    );
    m.update(&ev(10, 12, Body::ScriptEnd {}));
    assert_eq!(m.script_end_t, Some(12));
}

#[test]
fn a_semaphore_released_by_another_process_is_a_count_not_a_holder() {
    let sem = |pid, op, value| {
        ev(
            pid,
            1,
            Body::Sync {
                parties: None,
                id: "e".into(),
                kind: SyncKind::Semaphore,
                name: Some("empty".into()),
                op,
                value: Some(value),
            },
        )
    };
    // The producer (1) takes both slots; the consumer (2) frees them.
    let mut m = Model::new();
    for _ in 0..50 {
        m.update(&sem(1, SyncOp::Acquired, 1));
        m.update(&sem(1, SyncOp::Acquired, 0));
        m.update(&sem(2, SyncOp::Released, 1));
        m.update(&sem(2, SyncOp::Released, 2));
    }
    let e = m.sync.get("e").unwrap();
    assert!(e.holders.is_empty(), "{:?}", e.holders);
    assert_eq!((e.value, e.acquisitions), (Some(2), 100));
    m.update(&sem(1, SyncOp::Acquired, 1));
    let e = m.sync.get("e").unwrap();
    assert!(e.holders.is_empty());
    assert_eq!(e.value, Some(1));
}

/// An Event's flag and waiters; a Barrier's parties, who waits, and that it
/// broke.
#[test]
fn events_and_barriers() {
    let sync = |pid, kind, op, value, parties| {
        let id = if kind == SyncKind::Event { "ev" } else { "bar" };
        ev(
            pid,
            1,
            Body::Sync {
                parties,
                id: id.into(),
                kind,
                name: None,
                op,
                value: Some(value),
            },
        )
    };
    let event = |pid, op, value| sync(pid, SyncKind::Event, op, value, None);
    let mut m = Model::from_events(&[
        event(2, SyncOp::Waiting, 0),
        event(3, SyncOp::Waiting, 0),
        event(1, SyncOp::Set, 1),
        event(2, SyncOp::Woke, 1),
    ]);
    let e = m.sync.get("ev").unwrap();
    assert_eq!((e.value, e.waiters.clone()), (Some(1), vec![3].into()));
    assert!(matches!(
        m.procs.get(3).unwrap().state,
        ProcState::Blocked(Wait::ConditionWait { .. })
    ));
    assert_eq!(m.procs.get(2).unwrap().state, ProcState::Running);
    let barrier = |pid, op, value| sync(pid, SyncKind::Barrier, op, value, Some(3));
    for e in [
        barrier(1, SyncOp::Waiting, 1),
        barrier(2, SyncOp::Waiting, 2),
    ] {
        m.update(&e);
    }
    let b = m.sync.get("bar").unwrap();
    assert_eq!((b.parties, b.waiters.len(), b.broken), (Some(3), 2, false));
    m.update(&barrier(3, SyncOp::Broken, 0));
    m.update(&barrier(1, SyncOp::Broken, 0));
    let b = m.sync.get("bar").unwrap();
    assert!(b.broken);
    assert_eq!(b.waiters, [2]);
}

#[test]
fn lost_updates_count_steps_a_stale_write_undid() {
    let call = |client, method: &str, args: &[&str], result: &str| {
        ev(
            client,
            1,
            Body::Proxy {
                server: Some(50),
                id: "d".into(),
                typeid: "dict".into(),
                method: method.into(),
                args: args.iter().map(|s| s.to_string()).collect(),
                result: result.into(),
            },
        )
    };
    let k = "'count'";
    // A and B read 30; B writes 29; C reads 29 and writes 28; then A's stale
    // write puts back 29: three decrements, but the count only went down one.
    let m = Model::from_events(&[
        call(1, "__getitem__", &[k], "30"),
        call(2, "__getitem__", &[k], "30"),
        call(2, "__setitem__", &[k, "29"], "None"),
        call(3, "__getitem__", &[k], "29"),
        call(3, "__setitem__", &[k, "28"], "None"),
        call(1, "__setitem__", &[k, "29"], "None"),
        call(9, "__getitem__", &[k], "29"),
    ]);
    assert_eq!(
        m.managers.lost_updates(),
        2,
        "expected 30 - 3 = 27, the dict says 29"
    );
    // Reports race: C's write of 28 may arrive before B's write of 29 that
    // came first on the server. The count still goes down one per write.
    let m = Model::from_events(&[
        call(1, "__getitem__", &[k], "30"),
        call(2, "__getitem__", &[k], "30"),
        call(3, "__getitem__", &[k], "29"),
        call(3, "__setitem__", &[k, "28"], "None"),
        call(2, "__setitem__", &[k, "29"], "None"),
        call(1, "__setitem__", &[k, "29"], "None"),
        call(9, "__getitem__", &[k], "29"),
    ]);
    assert_eq!(m.managers.lost_updates(), 2);
    // Even a read reported after the write it preceded: A read 30 first,
    // but its report comes after B's and C's calls.
    let m = Model::from_events(&[
        call(2, "__getitem__", &[k], "30"),
        call(2, "__setitem__", &[k, "29"], "None"),
        call(3, "__getitem__", &[k], "29"),
        call(3, "__setitem__", &[k, "28"], "None"),
        call(1, "__getitem__", &[k], "30"),
        call(1, "__setitem__", &[k, "29"], "None"),
        call(9, "__getitem__", &[k], "29"),
    ]);
    assert_eq!(m.managers.lost_updates(), 2);
    // A write before any read was reported: the counter still counts.
    let m = Model::from_events(&[
        call(2, "__setitem__", &[k, "29"], "None"),
        call(1, "__getitem__", &[k], "30"),
        call(1, "__setitem__", &[k, "29"], "None"),
        call(2, "__getitem__", &[k], "30"),
        call(9, "__getitem__", &[k], "29"),
    ]);
    assert_eq!(m.managers.lost_updates(), 1);
}

#[test]
fn pool_map_events_follow_pythons_formula() {
    let fields = |b: Body| match b {
        Body::Map {
            chunksize, chunks, ..
        } => (chunksize, chunks),
        _ => unreachable!(),
    };
    assert_eq!(fields(Body::pool_map(0, 1000, 2)), (125, 8));
    assert_eq!(fields(Body::pool_map(0, 600, 3)), (50, 12));
    assert_eq!(fields(Body::pool_map(0, 10, 4)), (1, 10));
    assert_eq!(fields(Body::pool_map(0, 0, 2)), (0, 0));
}

#[test]
fn default_chunksize_is_pythons_divmod_plus_one() {
    use forklore::protocol::{default_chunksize, Chunking};
    let c = |size, extra, chunksize| Chunking {
        size,
        extra,
        chunksize,
    };
    assert_eq!(default_chunksize(1000, 2), c(125, 0, 125));
    assert_eq!(default_chunksize(601, 3), c(50, 1, 51));
    assert_eq!(default_chunksize(10, 4), c(0, 10, 1));
    assert_eq!(default_chunksize(0, 2), c(0, 0, 0));
}

#[test]
fn tables_stay_bounded_as_before() {
    let lock = |id: usize| {
        ev(
            1,
            1,
            Body::Sync {
                parties: None,
                id: format!("l{id}"),
                kind: SyncKind::Lock,
                name: None,
                op: SyncOp::Acquired,
                value: None,
            },
        )
    };
    let m = Model::from_events(&(0..300).map(lock).collect::<Vec<_>>());
    let labels: Vec<String> = m.sync.in_order().iter().map(|o| o.label()).collect();
    assert_eq!(labels.len(), 256, "past 256 objects new ones are refused");
    assert_eq!(labels[255], "Lock#256");
    assert!(m.sync.get("l256").is_none() && m.sync.get("l0").is_some());

    // 4096 processes at most: the oldest exited one makes room, else the oldest.
    let mut m = Model::new();
    for pid in 1..=4096 {
        m.update(&start(pid, 1, Role::Process, "p"));
    }
    m.update(&ev(
        9,
        2,
        Body::ProcExit {
            exitcode: 0,
            by: None,
        },
    ));
    m.update(&start(5000, 1, Role::Process, "p"));
    assert_eq!(m.procs.len(), 4096);
    assert!(m.procs.get(9).is_none() && m.procs.get(1).is_some());
    m.update(&start(5001, 1, Role::Process, "p"));
    assert!(m.procs.get(1).is_none(), "none exited: the oldest went");
    assert_eq!(m.procs.in_order().last().unwrap().seq, 4097);
}

/// Floods of processes and of watched names cost bounded memory: the
/// process table evicts the oldest ended processes, a process keeps a
/// bounded number of watched globals.
#[test]
fn floods_of_processes_and_names_stay_bounded() {
    let mut m = Model::new();
    for pid in 1..=120_000 {
        m.update(&start(pid, 1, Role::Process, "P"));
        m.update(&ev(
            pid,
            2,
            Body::ProcExit {
                exitcode: 0,
                by: None,
            },
        ));
    }
    assert!(m.procs.len() <= 4096, "{}", m.procs.len());
    assert!(m.procs.get(120_000).is_some(), "the newest are kept");
    for n in 0..10_000 {
        m.update(&ev(
            7,
            3,
            Body::Var {
                name: format!("v{n}"),
                repr: "0".into(),
                len: None,
                first: None,
                last: None,
            },
        ));
    }
    assert!(m.procs.get(7).map_or(0, |p| p.vars.len()) <= 64);
}
