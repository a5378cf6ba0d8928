//! The runtime with real python3 processes: the events a run reports
//! (pools, locks, queues, managers, globals, lines) are what the program
//! did, under every start method and CPython 3.8-3.13; the run's private
//! directory is its own and removed.

mod common;

use std::collections::{BTreeSet, HashSet};

use common::*;
use forklore::protocol::{Body, QueueOp, Role, SyncKind, SyncOp, WriteBytes};

fn check_pool_map(method: &str, python: Option<&str>) {
    let script = fixture("pool_map.py");
    let mut extra = vec![];
    if let Some(p) = python {
        extra.extend(["--python", p]);
    }
    let run = run_headless(&script, &extra, &[method]);
    assert_eq!(run.code(), Some(0), "stderr: {}", run.stderr());

    let maps: Vec<_> = run
        .events
        .iter()
        .filter_map(|e| match e.body {
            Body::Map {
                items,
                chunksize,
                chunks,
                workers,
                ..
            } => Some((items, chunksize, chunks, workers)),
            _ => None,
        })
        .collect();
    assert_eq!(maps, vec![(600, 50, 12, Some(3))], "{method}");

    let taken = chunks(&run.events);
    assert_covers_once(&taken, 600);
    let workers: HashSet<i32> = taken.iter().map(|c| c.2).collect();
    // Forked workers are ready at once and share the chunks; a spawned
    // one boots a new interpreter, and on a busy machine the first worker
    // up may take all 12 chunks (300 ms of work) before the others are.
    if method == "fork" {
        assert!(
            workers.len() >= 2,
            "{method}: chunks taken by {workers:?} only"
        );
    }
    let main = run.of_kind("hello").next().unwrap().pid;
    assert!(!workers.contains(&main), "the parent took a chunk");

    let plain = run_plain(python.unwrap_or("python3"), &script, &[method]);
    assert_eq!(
        run.stdout(),
        String::from_utf8_lossy(&plain.stdout),
        "{method}: output differs from plain python3"
    );
    assert_eq!(run.code(), plain.status.code());
}

#[test]
fn pool_map_under_fork() {
    check_pool_map("fork", None);
}

#[test]
fn pool_map_under_spawn() {
    check_pool_map("spawn", None);
}

#[test]
fn pool_map_under_forkserver() {
    check_pool_map("forkserver", None);
}

#[test]
fn every_installed_cpython_3_8_to_3_13() {
    let mut tried = Vec::new();
    for minor in 8..=13 {
        let Some(python) = python_minor(minor) else {
            eprintln!("skipping Python 3.{minor}: not installed");
            continue;
        };
        let method = if minor % 2 == 0 { "spawn" } else { "fork" };
        check_pool_map(method, Some(python.to_str().unwrap()));
        tried.push(minor);
    }
    eprintln!("exercised Python 3.{tried:?}");
    assert!(!tried.is_empty(), "no CPython 3.8-3.13 found at all");
}

#[test]
fn start_method_flag_sets_the_default() {
    let run = run_headless(
        &fixture("many_writers.py"),
        &["--start-method", "spawn"],
        &[],
    );
    assert_eq!(run.code(), Some(0));
    let methods: BTreeSet<String> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::ProcSpawn { method, .. } => method.clone(),
            _ => None,
        })
        .collect();
    assert_eq!(methods, BTreeSet::from(["spawn".to_string()]));
}

#[test]
fn lock_and_semaphore_events() {
    let run = run_headless(&fixture("sync_ops.py"), &[], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let sync: Vec<_> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Sync {
                kind,
                name,
                op,
                value,
                ..
            } => Some((e.pid, *kind, name.clone(), *op, *value)),
            _ => None,
        })
        .collect();
    let lock_acquired: HashSet<i32> = sync
        .iter()
        .filter(|s| s.1 == SyncKind::Lock && s.3 == SyncOp::Acquired)
        .map(|s| s.0)
        .collect();
    assert_eq!(
        lock_acquired.len(),
        3,
        "three children took the lock via `with`: {sync:?}"
    );
    assert!(
        sync.iter()
            .any(|s| s.1 == SyncKind::Lock && s.3 == SyncOp::Blocked),
        "someone waited for the lock"
    );
    assert!(sync
        .iter()
        .filter(|s| s.1 == SyncKind::Lock)
        .all(|s| s.2.as_deref() == Some("lock")));
    let sem: Vec<_> = sync.iter().filter(|s| s.1 == SyncKind::Semaphore).collect();
    assert_eq!(sem.iter().filter(|s| s.3 == SyncOp::Acquired).count(), 3);
    assert_eq!(sem.iter().filter(|s| s.3 == SyncOp::Released).count(), 3);
    assert!(
        sem.iter().all(|s| matches!(s.4, Some(0..=2))),
        "Semaphore(2) values stay in 0..=2"
    );
    // No internal lock of multiprocessing leaks out (Queue, Pool, Process).
    assert!(sync
        .iter()
        .all(|s| s.2.as_deref() == Some("lock") || s.2.as_deref() == Some("sem")));
}

#[test]
fn queue_put_and_get() {
    let run = run_headless(&fixture("queue_ops.py"), &[], &[]);
    assert_eq!(run.code(), Some(0));
    let ops: Vec<_> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Queue { op, item, name, .. } => Some((e.pid, *op, item.clone(), name.clone())),
            _ => None,
        })
        .collect();
    let puts: Vec<_> = ops
        .iter()
        .filter(|o| o.1 == QueueOp::Put)
        .map(|o| o.2.clone().unwrap())
        .collect();
    let gets: Vec<_> = ops
        .iter()
        .filter(|o| o.1 == QueueOp::Get)
        .map(|o| o.2.clone().unwrap())
        .collect();
    let expected: Vec<String> = (0..5).map(|k| format!("'item-{k}'")).collect();
    assert_eq!(puts, expected);
    assert_eq!(gets, expected);
    let putters: HashSet<i32> = ops
        .iter()
        .filter(|o| o.1 == QueueOp::Put)
        .map(|o| o.0)
        .collect();
    let getters: HashSet<i32> = ops
        .iter()
        .filter(|o| o.1 == QueueOp::Get)
        .map(|o| o.0)
        .collect();
    assert_eq!(putters.len(), 1);
    assert_eq!(getters.len(), 1);
    assert_ne!(putters, getters);
    assert!(ops.iter().all(|o| o.3.as_deref() == Some("q")));
}

#[test]
fn manager_dict_proxy_calls_name_the_server() {
    let run = run_headless(&fixture("manager_dict.py"), &[], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.stdout(), "count 9\n");
    let servers: Vec<i32> = run.of_kind("manager").map(|e| e.pid).collect();
    assert_eq!(servers.len(), 1);
    let server = servers[0];
    let started_as_manager = run.events.iter().any(|e| {
        e.pid == server
            && matches!(
                e.body,
                Body::ProcStart {
                    role: Role::Manager,
                    ..
                }
            )
    });
    assert!(started_as_manager);
    let calls: Vec<_> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Proxy { server, method, .. } => Some((e.pid, *server, method.clone())),
            _ => None,
        })
        .collect();
    let sets = calls.iter().filter(|c| c.2 == "__setitem__").count();
    assert_eq!(sets, 9, "3 processes x 3 increments");
    assert!(
        calls.iter().all(|c| c.1 == Some(server)),
        "every call names the server pid"
    );
    let clients: HashSet<i32> = calls
        .iter()
        .filter(|c| c.2 == "__setitem__")
        .map(|c| c.0)
        .collect();
    assert_eq!(clients.len(), 3);
    assert!(!clients.contains(&server));
}

#[test]
fn watched_global_per_process() {
    let run = run_headless(&fixture("watch_global.py"), &["--watch", "pageList"], &[]);
    assert_eq!(run.code(), Some(0));
    assert_eq!(run.stdout(), "parent has 0\n");
    let main = run.of_kind("hello").next().unwrap().pid;
    let mut last_len = std::collections::HashMap::new();
    for e in &run.events {
        if let Body::Var { name, len, .. } = &e.body {
            assert_eq!(name, "pageList");
            last_len.insert(e.pid, len.unwrap());
        }
    }
    assert_eq!(
        last_len.get(&main),
        Some(&0),
        "the parent's own copy stays empty"
    );
    let workers: u64 = last_len
        .iter()
        .filter(|(p, _)| **p != main)
        .map(|(_, l)| *l)
        .sum();
    assert_eq!(
        workers, 100,
        "the workers' copies hold every item between them"
    );
}

#[test]
fn writes_from_several_pids_in_order() {
    let run = run_headless(&fixture("many_writers.py"), &[], &[]);
    assert_eq!(run.code(), Some(0));
    let writers: HashSet<i32> = run
        .events
        .iter()
        .filter(|e| matches!(e.body, Body::Write { .. }) && e.pid != 0)
        .map(|e| e.pid)
        .collect();
    assert_eq!(writers.len(), 3);
    for pid in &writers {
        for k in 0..3 {
            assert!(run.stdout().contains(&format!("Pid: {pid} LoopCount: {k}")));
        }
    }
    // What forklore printed is exactly the write events' bytes, in order.
    let from_events: Vec<u8> = run
        .events
        .iter()
        .filter(|e| matches!(e.body, Body::Write { fd: 1, .. }))
        .flat_map(|e| e.body.write_bytes().unwrap().into_owned())
        .collect();
    assert_eq!(run.output.stdout, from_events);
}

#[test]
fn recording_starts_with_hello() {
    let run = run_headless(&fixture("exit_three.py"), &[], &[]);
    match &run.events[0].body {
        Body::Hello {
            v,
            python,
            script,
            forklore,
            start_method,
            ..
        } => {
            assert_eq!(*v, forklore::protocol::PROTOCOL_VERSION);
            assert!(python.starts_with("3."));
            assert!(script.ends_with("exit_three.py"));
            assert_eq!(forklore.as_deref(), Some(env!("CARGO_PKG_VERSION")));
            assert_eq!(start_method, "fork");
        }
        other => panic!("first event is {other:?}"),
    }
    assert!(matches!(
        run.events.last().unwrap().body,
        Body::RunEnd { exitcode: 3, .. }
    ));
}

#[test]
fn garbage_and_outsiders_are_counted_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let handshake = dir.path().join("sock");
    let rec = dir.path().join("run.jsonl");
    // This test process is outside the run: what it sends is rejected.
    let (child, sock) = run_awaiting_outsider("garbage.py", &rec, &handshake);
    let outsider = std::os::unix::net::UnixDatagram::unbound().unwrap();
    outsider
        .send_to(
            br#"{"kind":"write","pid":1,"t":1,"fd":1,"text":"OUTSIDER\n"}"#,
            &sock,
        )
        .unwrap();
    std::fs::write(dir.path().join("sock.done"), "").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let events = forklore::record::read(&rec).unwrap();
    let main = events[0].pid;
    let writes: Vec<(i32, Vec<u8>)> = events
        .iter()
        .filter(|e| matches!(e.body, Body::Write { .. }))
        .map(|e| (e.pid, e.body.write_bytes().unwrap().into_owned()))
        .collect();
    let text = |w: &[u8]| String::from_utf8_lossy(w).into_owned();
    assert!(
        !writes.iter().any(|(_, w)| text(w).contains("OUTSIDER")),
        "the outsider's write was not shown: {writes:?}"
    );
    // A forged pid is replaced by the sender's, from its credentials.
    let by_main = writes
        .iter()
        .find(|(_, w)| text(w).contains("FORGED BY MAIN"));
    assert_eq!(by_main.map(|w| w.0), Some(main));
    let by_child = writes
        .iter()
        .find(|(_, w)| text(w).contains("FORGED BY CHILD"));
    assert!(
        by_child.is_some_and(|w| w.0 != main && w.0 != 1),
        "{writes:?}"
    );
    // Only forklore ends a run: the forged run_end was refused.
    let ends: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.body, Body::RunEnd { .. }))
        .collect();
    assert_eq!(ends.len(), 1, "one run_end, forklore's");
    let Body::RunEnd {
        malformed,
        rejected,
        ..
    } = &ends[0].body
    else {
        unreachable!()
    };
    assert!(*malformed >= 5, "malformed = {malformed}");
    assert!(
        *rejected >= 2,
        "the outsider and the forged run_end: {rejected}"
    );
    assert!(String::from_utf8_lossy(&output.stdout).ends_with("garbage sent\n"));
}

#[test]
fn current_lines_per_process() {
    let script = fixture("many_writers.py");
    let run = run_headless(&script, &["--lines"], &[]);
    assert_eq!(run.code(), Some(0));
    let source_lines = std::fs::read_to_string(&script).unwrap().lines().count() as u32;
    let mut pids = HashSet::new();
    for e in &run.events {
        if let Body::Line { file, line } = &e.body {
            assert_eq!(std::path::Path::new(file), script.as_path());
            assert!((1..=source_lines).contains(line), "line {line}");
            pids.insert(e.pid);
        }
    }
    assert!(
        pids.len() >= 4,
        "the main process and its three children report lines: {pids:?}"
    );
    // The print line is where each child was when it wrote.
    let source = std::fs::read_to_string(&script).unwrap();
    let at = source
        .lines()
        .position(|l| l.trim_start().starts_with("print("))
        .unwrap() as u32
        + 1;
    let print_line = run
        .events
        .iter()
        .any(|e| matches!(e.body, Body::Line { line, .. } if line == at));
    assert!(print_line, "the children's print line was reported");
}

#[test]
fn the_runs_private_directory_is_0700_and_removed_afterwards() {
    use std::os::unix::fs::PermissionsExt;
    let dir = forklore::runtime::private_dir("test").unwrap();
    let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    // A real run: the socket path the script sees lives in such a directory,
    // and is gone once forklore has ended.
    let script = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        script.path(),
        "import os\nprint(os.environ['FORKLORE_SOCK'])\n",
    )
    .unwrap();
    let run = run_headless(script.path(), &[], &[]);
    let sock = std::path::PathBuf::from(run.stdout().trim());
    let parent = sock.parent().unwrap();
    assert!(parent
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("forklore-"));
    assert!(!parent.exists(), "{} was removed", parent.display());
}

#[test]
fn imap_jobs_stream_their_chunks() {
    let run = run_headless(&fixture("imap.py"), &[], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.stdout(), "328350 8555 144\n");
    let jobs: Vec<(u64, u64, bool)> = run
        .events
        .iter()
        .filter_map(|e| match e.body {
            Body::Map {
                job,
                chunksize,
                streaming,
                ..
            } => Some((job, chunksize, streaming)),
            _ => None,
        })
        .collect();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j.2), "imap jobs are streaming");
    assert_eq!((jobs[0].1, jobs[1].1), (8, 1));
    for (job, _, _) in &jobs {
        let taken: Vec<(u64, u64, i32)> = run
            .events
            .iter()
            .filter_map(|e| match &e.body {
                Body::ChunkTake {
                    job: j,
                    start: Some(s),
                    end: Some(t),
                    ..
                } if j == job => Some((*s, *t, e.pid)),
                _ => None,
            })
            .collect();
        let n = if *job == jobs[0].0 { 100 } else { 30 };
        assert_covers_once(&taken, n);
    }
    let model = forklore::model::Model::from_events(&run.events);
    let last = model.jobs.current().unwrap();
    assert_eq!(
        (last.items, last.chunks, last.taken),
        (30, 30, 30),
        "the strip grew with the stream"
    );
}
