//! The runtime with real python3 processes: faithful events, same output and
//! exit codes as plain python3, and nothing left running.

mod common;

use std::collections::{BTreeSet, HashSet};

use common::*;
use forklore::protocol::{Body, FutureOp, QueueOp, Role, SyncKind, SyncOp, WriteBytes};

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
    assert!(
        workers.len() >= 2,
        "{method}: chunks taken by {workers:?} only"
    );
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
fn exit_code_of_the_script() {
    let run = run_headless(&fixture("exit_three.py"), &[], &[]);
    assert_eq!(run.code(), Some(3));
    assert_eq!(run.stdout(), "about to exit with 3\n");
}

#[test]
fn uncaught_exception_exits_1_with_traceback() {
    let run = run_headless(&fixture("raises.py"), &[], &[]);
    assert_eq!(run.code(), Some(1));
    assert_eq!(run.stdout(), "before the failure\n");
    let err = run.stderr();
    assert!(err.contains("Traceback (most recent call last)"), "{err}");
    assert!(
        err.contains("ValueError: the script failed on purpose"),
        "{err}"
    );
    assert!(err.contains("raises.py\", line 2"), "{err}");
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
    let child = forklore()
        .args(["run", "--headless", "--record"])
        .arg(&rec)
        .arg(fixture("garbage.py"))
        .arg("--")
        .arg(&handshake)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // This test process is outside the run: what it sends is rejected.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let sock = loop {
        match std::fs::read_to_string(&handshake) {
            Ok(p) if !p.is_empty() => break p,
            _ if std::time::Instant::now() > deadline => panic!("the script never started"),
            _ => std::thread::sleep(std::time::Duration::from_millis(20)),
        }
    };
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
fn missing_python_is_one_clear_line() {
    let err = usage_error(
        forklore()
            .args(["run", "--python", "/nonexistent/python3"])
            .arg(fixture("exit_three.py")),
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("/nonexistent/python3") && err.contains("not found"),
        "{err}"
    );
}

#[test]
fn missing_python3_on_path() {
    let err = usage_error(
        forklore()
            .env("PATH", "/nonexistent")
            .arg("run")
            .arg(fixture("exit_three.py")),
    );
    assert!(err.contains("python3 was not found on PATH"), "{err}");
}

#[test]
fn non_python_interpreter_is_refused() {
    let err = usage_error(
        forklore()
            .args(["run", "--python", "/bin/echo"])
            .arg(fixture("exit_three.py")),
    );
    assert!(
        err.contains("does not look like a Python interpreter"),
        "{err}"
    );
}

#[test]
fn missing_script_is_a_clear_error() {
    let err = usage_error(forklore().args(["run", "--headless", "/nonexistent/script.py"]));
    assert!(
        err.contains("cannot read script /nonexistent/script.py"),
        "{err}"
    );
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

#[test]
fn the_compiled_shim_is_kept_for_the_next_run() {
    let cache = tempfile::tempdir().unwrap();
    let run = |script: &str| {
        let dir = tempfile::tempdir().unwrap();
        let rec = dir.path().join("run.jsonl");
        let out = forklore()
            .env("XDG_CACHE_HOME", cache.path())
            .args(["run", "--headless", "--record"])
            .arg(&rec)
            .arg(fixture(script))
            .output()
            .unwrap();
        (out, forklore::record::read(&rec).unwrap())
    };
    let (first, _) = run("exit_three.py");
    assert_eq!(first.status.code(), Some(3));
    let shim_cache = std::fs::read_dir(cache.path().join("forklore"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let pycs = files_under(&shim_cache);
    assert!(
        pycs.iter().any(|p| p.to_string_lossy().ends_with(".pyc")),
        "{pycs:?}"
    );
    // A damaged cached file is not trusted: Python compiles the shim again.
    for p in &pycs {
        std::fs::write(p, b"not bytecode at all").unwrap();
    }
    let (second, events) = run("many_writers.py");
    assert_eq!(second.status.code(), Some(0));
    assert!(
        events
            .iter()
            .any(|e| matches!(e.body, Body::ProcStart { .. })),
        "the shim still loaded"
    );
    for p in &pycs {
        assert_ne!(
            std::fs::read(p).unwrap(),
            b"not bytecode at all",
            "the damaged file was replaced"
        );
    }
}

/// Every file below `dir`, at any depth.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_real_interpreter_is_asked_once_then_remembered() {
    let cache = tempfile::tempdir().unwrap();
    let python = python_minor(11)
        .or_else(|| python_minor(12))
        .expect("a CPython");
    let run = || {
        forklore()
            .env("XDG_CACHE_HOME", cache.path())
            .args(["run", "--headless", "--python"])
            .arg(&python)
            .arg(fixture("exit_three.py"))
            .output()
            .unwrap()
    };
    assert_eq!(run().status.code(), Some(3));
    let file = cache.path().join("forklore/pythons");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{}\t", python.display())))
        .expect("an entry");
    let version = String::from_utf8(
        std::process::Command::new(&python)
            .arg("--version")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        version.trim().ends_with(line.rsplit('\t').next().unwrap()),
        "{line} vs {version}"
    );
    // A remembered executable that has gone is not trusted: asked again.
    std::fs::write(
        &file,
        text.replace(
            &format!("\t{}\t", python.display()),
            "\t/nonexistent/python3\t",
        ),
    )
    .unwrap();
    assert_eq!(run().status.code(), Some(3));
    assert!(!std::fs::read_to_string(&file)
        .unwrap()
        .contains("/nonexistent"));
}

/// put_nowait/get_nowait are reported like put/get; a put on a full queue
/// waits outside it (put_blocked … put_done); one that raises is
/// put_failed, a get that raises get_failed; folded, the queue never holds
/// more than its maxsize and every get follows the put of its item.
#[test]
fn every_put_and_get_variant_is_reported_in_a_possible_order() {
    let run = run_headless(&fixture("queue_variants.py"), &[], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert_eq!(
        run.stdout(),
        "full\nconsumer got 'a'\nmain got 'b' 'd'\nempty\ntimed out\njoinable got 'j'\n"
            .replace('\'', "")
    );
    let ops: Vec<(QueueOp, String)> = run
        .events
        .iter()
        .filter_map(|e| match &e.body {
            Body::Queue { op, item, name, .. } if name.as_deref() == Some("q") => {
                Some((*op, item.clone().unwrap_or_default()))
            }
            _ => None,
        })
        .collect();
    let op = |o: QueueOp, item: &str| (o, format!("'{item}'"));
    for expected in [
        op(QueueOp::Put, "a"),
        op(QueueOp::Put, "b"),
        op(QueueOp::Put, "c"),
        op(QueueOp::PutFailed, "c"),
        op(QueueOp::PutBlocked, "d"),
        op(QueueOp::PutDone, "d"),
        op(QueueOp::Get, "a"),
        op(QueueOp::Get, "b"),
        op(QueueOp::Get, "d"),
    ] {
        assert!(ops.contains(&expected), "{expected:?} missing from {ops:?}");
    }
    let failed_gets = ops.iter().filter(|o| o.0 == QueueOp::GetFailed).count();
    assert_eq!(
        failed_gets, 2,
        "get_nowait on empty and the timeout: {ops:?}"
    );
    let mut model = forklore::model::Model::new();
    let mut put_seen = HashSet::new();
    for e in &run.events {
        model.update(e);
        if let Body::Queue { op, item, .. } = &e.body {
            match op {
                QueueOp::Put => {
                    put_seen.insert(item.clone());
                }
                QueueOp::Get => assert!(put_seen.contains(item), "{item:?} got before put"),
                _ => {}
            }
        }
        if let Some(q) = model
            .queues
            .in_order()
            .into_iter()
            .find(|q| q.label() == "q")
        {
            assert!(q.items.len() <= 2, "{:?} in a Queue(2)", q.items);
        }
    }
    let joinable = run.events.iter().any(|e| {
        matches!(&e.body, Body::Queue { name, op: QueueOp::Get, .. } if name.as_deref() == Some("jq"))
    });
    assert!(joinable, "JoinableQueue's get is reported");
}

/// The script's stdout, stderr and exit code, plain and under forklore.
fn faithful(script: &str) {
    let python = forklore::runtime::python::resolve(None).unwrap().executable;
    let plain = run_plain(python.to_str().unwrap(), &fixture(script), &[]);
    let run = run_headless(&fixture(script), &[], &[]);
    assert_eq!(
        run.output.stdout,
        plain.stdout,
        "{script}: stdout byte for byte\nforklore: {:?}\nplain:    {:?}",
        run.stdout(),
        String::from_utf8_lossy(&plain.stdout)
    );
    assert_eq!(run.output.stderr, plain.stderr, "{script}: stderr");
    assert_eq!(run.code(), plain.status.code(), "{script}: exit code");
}

#[test]
fn output_a_child_python_captures_reaches_its_parent() {
    faithful("captured_child.py");
}

#[test]
fn output_passes_byte_for_byte() {
    faithful("raw_bytes.py");
    // And the screen shows it decoded, the split characters whole.
    let run = run_headless(&fixture("raw_bytes.py"), &[], &[]);
    let text = forklore::model::Model::from_events(&run.events)
        .output
        .text();
    assert!(text.contains("\u{2603} snow"), "{text}");
    assert!(text.contains("below python \u{4e2d}"), "{text}");
    assert!(text.contains("invalid \u{fffd}\u{fffd} bytes"), "{text}");
}

#[test]
fn output_after_closing_stdout_is_lost_as_without_forklore() {
    faithful("closed_stdout.py");
}

/// The shim holds no reference to the program's objects (before Python
/// 3.13, reading a frame's locals to name a lock kept every local alive).
#[test]
fn objects_the_program_deletes_are_freed() {
    for method in ["fork", "spawn", "forkserver"] {
        let run = run_headless(&fixture("lifetimes.py"), &["--lines"], &[method]);
        assert_eq!(run.code(), Some(0), "{}", run.stderr());
        for line in run.stdout().lines() {
            assert!(line.ends_with("freed: True"), "{method}: {line}");
        }
        assert_eq!(run.stdout().lines().count(), 5);
    }
}

/// Processes the script reaps itself get their exit codes (what waitpid
/// saw in the script); one nobody reaps is shown as ended as soon as it
/// ended, not as running.
#[test]
fn exits_the_script_reaps_itself_are_reported() {
    let run = run_headless(&fixture("self_reaped.py"), &[], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let fate = |word: &str| -> i32 {
        let line = run
            .stdout()
            .lines()
            .find(|l| l.starts_with(word))
            .unwrap()
            .to_string();
        line.split(' ').nth(1).unwrap().parse().unwrap()
    };
    let exit_of = |pid: i32| {
        run.events.iter().find_map(|e| match e.body {
            Body::ProcExit { exitcode, .. } if e.pid == pid => Some(exitcode),
            _ => None,
        })
    };
    assert_eq!(exit_of(fate("forked")), Some(5));
    assert_eq!(exit_of(fate("subprocess")), Some(6));
    // The zombie: shown ended before main's next output, while unreaped.
    let zombie = fate("zombie");
    let gone_at = run
        .events
        .iter()
        .position(|e| e.pid == zombie && matches!(e.body, Body::ProcGone {}))
        .expect("the unreaped child is reported ended");
    let done_at = run
        .events
        .iter()
        .position(|e| {
            e.body
                .write_bytes()
                .is_some_and(|b| String::from_utf8_lossy(&b).contains("main done"))
        })
        .unwrap();
    assert!(gone_at < done_at, "ended while main still slept");
    let model = forklore::model::Model::from_events(&run.events);
    assert!(
        model.procs.alive().next().is_none(),
        "nobody shown alive at the end"
    );
}

/// Jobs are numbered per process: two Pools of one process, and Pools made
/// in two sibling processes, are told apart by who made them.
#[test]
fn pool_jobs_are_one_per_pool_and_number() {
    for method in ["fork", "spawn"] {
        let run = run_headless(&fixture("nested_pools.py"), &[], &[method]);
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        assert_eq!(run.stdout(), "20540 70210\n[285, 2470]\n");
        let jobs: Vec<(i32, u64, u64)> = run
            .events
            .iter()
            .filter_map(|e| match e.body {
                Body::Map {
                    pool, job, items, ..
                } => Some((pool, job, items)),
                _ => None,
            })
            .collect();
        assert_eq!(jobs.len(), 4, "{method}: {jobs:?}");
        let mut keys: Vec<(i32, u64)> = jobs.iter().map(|j| (j.0, j.1)).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), 4, "{method}: every job its own: {jobs:?}");
        for (pool, job, items) in jobs {
            let spans: Vec<(u64, u64, i32)> = run
                .events
                .iter()
                .filter_map(|e| match e.body {
                    Body::ChunkTake {
                        pool: p,
                        job: j,
                        start: Some(s),
                        end: Some(t),
                        ..
                    } if p == pool && j == job => Some((s, t, e.pid)),
                    _ => None,
                })
                .collect();
            assert_covers_once(&spans, items);
        }
        let model = forklore::model::Model::from_events(&run.events);
        assert!(model
            .jobs
            .all()
            .all(|j| j.taken == j.chunks && j.done == j.chunks));
    }
}

/// Event and Barrier are shown as themselves (not the Condition inside a
/// Barrier), a shared Value's lock by the Value's name, a semaphore used as
/// a counter by its value: never multiprocessing's own objects.
#[test]
fn events_barriers_values_and_counters_as_the_program_wrote_them() {
    for method in ["fork", "spawn"] {
        let run = run_headless(&fixture("sync_zoo.py"), &[], &[method]);
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        assert_eq!(run.stdout(), "counter 2 set False\n");
        let syncs: Vec<(SyncKind, Option<String>, SyncOp)> = run
            .events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Sync { kind, name, op, .. } => Some((*kind, name.clone(), *op)),
                _ => None,
            })
            .collect();
        let named = |n: &'static str| syncs.iter().filter(move |s| s.1.as_deref() == Some(n));
        assert!(
            syncs
                .iter()
                .all(|s| s.0 != SyncKind::Condition && s.1.is_some()),
            "{method}: only the program's own objects, named: {syncs:?}"
        );
        assert!(named("ready").all(|s| s.0 == SyncKind::Event));
        let ready_ops: Vec<SyncOp> = named("ready").map(|s| s.2).collect();
        for op in [SyncOp::Set, SyncOp::Clear, SyncOp::Waiting, SyncOp::Woke] {
            assert!(ready_ops.contains(&op), "{method}: {op:?} in {ready_ops:?}");
        }
        assert_eq!(
            named("barrier").filter(|s| s.2 == SyncOp::Passed).count(),
            3
        );
        assert!(named("counter").all(|s| s.0 == SyncKind::RLock));
        assert_eq!(
            named("counter").filter(|s| s.2 == SyncOp::Acquired).count(),
            2
        );
        let model = forklore::model::Model::from_events(&run.events);
        let barrier = model
            .sync
            .in_order()
            .into_iter()
            .find(|o| o.label() == "barrier")
            .unwrap();
        assert_eq!((barrier.parties, barrier.broken), (Some(3), false));
        let tokens = model
            .sync
            .in_order()
            .into_iter()
            .find(|o| o.label() == "tokens")
            .unwrap();
        assert!(tokens.holders.is_empty());
        assert_eq!(tokens.value, Some(0));
    }
}

/// A ProcessPoolExecutor is shown like a Pool: every task submitted, taken
/// by one worker, done (or raised), and main waiting on its futures.
#[test]
fn executor_tasks_workers_results_and_waits() {
    for method in ["fork", "spawn"] {
        let run = run_headless(&fixture("executor.py"), &[], &[method]);
        assert_eq!(run.code(), Some(0), "{method}: {}", run.stderr());
        assert_eq!(
            run.stdout(),
            "results [0, 1, 4, 9, 16, 25]\nmap [0, 1, 4, 9]\nerror ValueError task 7 failed\n"
        );
        let main = run.events[0].pid;
        let submitted: Vec<(u64, Option<String>)> = run
            .events
            .iter()
            .filter_map(|e| match &e.body {
                Body::Submit { task, name, .. } => Some((*task, name.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            submitted.len(),
            9,
            "{method}: 6 submits, 2 map chunks, 1 failure"
        );
        assert!(submitted.iter().all(|(_, n)| n.is_some()));
        let mut taken: Vec<(u64, i32)> = run
            .events
            .iter()
            .filter_map(|e| match e.body {
                Body::ChunkTake { index, .. } => Some((index, e.pid)),
                _ => None,
            })
            .collect();
        taken.sort_unstable();
        assert_eq!(
            taken.iter().map(|t| t.0).collect::<Vec<_>>(),
            (0..9).collect::<Vec<_>>()
        );
        assert!(taken.iter().all(|t| t.1 != main), "workers run the tasks");
        let failed: Vec<u64> = run
            .events
            .iter()
            .filter_map(|e| match e.body {
                Body::ChunkDone {
                    index, ok: false, ..
                } => Some(index),
                _ => None,
            })
            .collect();
        assert_eq!(failed, [8], "{method}: the raising task");
        let waits = run.events.iter().filter(|e| {
            e.pid == main
                && matches!(
                    e.body,
                    Body::Future {
                        op: FutureOp::Waiting,
                        ..
                    }
                )
        });
        assert!(waits.count() >= 1, "{method}: main waited on a result");
        let model = forklore::model::Model::from_events(&run.events);
        let job = model.jobs.current().unwrap();
        assert!(job.executor);
        assert_eq!((job.submitted, job.taken, job.done), (9, 9, 9));
    }
}

/// Each process says how it was really started (not the run's default),
/// and main's wait in multiprocessing's exit handler is shown as such,
/// with no stale current line.
#[test]
fn start_methods_per_process_and_the_join_at_exit() {
    let run = run_headless(&fixture("mixed_methods.py"), &["--lines"], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    let method_of = |name: &str| {
        run.events.iter().find_map(|e| match &e.body {
            Body::ProcStart {
                name: Some(n),
                method,
                ..
            } if n == name => Some(method.clone()),
            _ => None,
        })
    };
    for method in ["spawn", "forkserver", "fork"] {
        assert_eq!(
            method_of(&format!("by-{method}")),
            Some(Some(method.to_string())),
            "{method}"
        );
    }
    let at_exit = run.events.iter().any(|e| {
        matches!(
            e.body,
            Body::Join {
                op: forklore::protocol::JoinOp::Waiting,
                at_exit: true,
                ..
            }
        )
    });
    assert!(at_exit, "main's join at exit is reported as such");
    // Mid-wait, the model shows main waiting at exit, on no line of its own.
    let mut model = forklore::model::Model::new();
    let main = run.events[0].pid;
    for e in &run.events {
        model.update(e);
        if matches!(e.body, Body::Join { at_exit: true, .. }) {
            let p = model.procs.get(main).unwrap();
            assert!(matches!(
                p.state,
                forklore::model::ProcState::Blocked(forklore::model::Wait::Join {
                    at_exit: true,
                    ..
                })
            ));
            assert_eq!(p.line, None);
            let text = forklore::ui::procs::state_text(&model, p);
            assert!(text.contains("at exit"), "{text}");
            break;
        }
    }
}

/// An interpreter that never says what it is: forklore still answers
/// SIGTERM and SIGINT at once, and leaves no probe behind.
#[test]
fn a_hung_interpreter_does_not_make_forklore_deaf() {
    use nix::sys::signal::{kill, Signal};
    let dir = tempfile::tempdir().unwrap();
    let hung = dir.path().join("python3");
    let marker = dir.path().join("probe-pid");
    std::fs::write(
        &hung,
        format!(
            "#!/bin/sh\necho $$ > {}\nexec sleep 100\n",
            marker.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hung, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    for (sig, sub) in [(Signal::SIGTERM, "run"), (Signal::SIGINT, "lesson")] {
        let _ = std::fs::remove_file(&marker);
        let mut cmd = forklore();
        cmd.arg(sub).arg("--python").arg(&hung);
        if sub == "run" {
            cmd.arg("--headless").arg(fixture("exit_three.py"));
        } else {
            cmd.args(["chunked-map", "--headless"]);
        }
        let mut child = cmd.spawn().unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let probe = loop {
            if let Ok(pid) = std::fs::read_to_string(&marker) {
                if let Ok(pid) = pid.trim().parse::<i32>() {
                    break pid;
                }
            }
            assert!(std::time::Instant::now() < deadline, "the probe never ran");
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let asked = std::time::Instant::now();
        kill(nix::unistd::Pid::from_raw(child.id() as i32), sig).unwrap();
        let status = child.wait().unwrap();
        assert!(
            asked.elapsed() < std::time::Duration::from_secs(2),
            "{sub}: answered at once"
        );
        assert_eq!(status.code(), Some(128 + sig as i32), "{sub}");
        assert!(gone_within(probe, 2), "{sub}: the probe was killed");
    }
}

/// Without a terminal that can draw the live screen: a clear line and
/// exit 2, pointing at --headless (the script is not started).
#[test]
fn no_screen_without_a_terminal_that_can_draw_it() {
    let err = usage_error(forklore().args(["run"]).arg(fixture("exit_three.py")));
    assert!(
        err.contains("needs a terminal") && err.contains("--headless"),
        "{err}"
    );
    // TERM=dumb in a real terminal: tmux gives one.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let socket = format!("forklore-dumb-{}", std::process::id());
    let tmux = |args: &[&str]| {
        std::process::Command::new("tmux")
            .args(["-L", &socket])
            .args(args)
            .status()
            .unwrap()
    };
    let command = format!(
        "TERM=dumb {} run {} 2> {}; echo $? >> {}",
        env!("CARGO_BIN_EXE_forklore"),
        fixture("exit_three.py").display(),
        out.display(),
        out.display()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        "dumb",
        &format!("sh -c '{command}'"),
    ]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.lines().count() >= 2 || std::time::Instant::now() > deadline {
            break text;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    tmux(&["kill-server"]);
    assert!(text.contains("TERM=dumb"), "{text}");
    assert_eq!(text.lines().last(), Some("2"), "{text}");
}

/// A script whose path is not UTF-8 runs, records (hello first, its lines
/// reported) and replays.
#[test]
fn a_script_path_that_is_not_utf8_records_and_replays() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"d\xffir"));
    std::fs::create_dir(&odd).unwrap();
    let script = odd.join("s.py");
    std::fs::copy(fixture("pool_map.py"), &script).unwrap();
    let run = run_headless(&script, &["--lines"], &[]);
    assert_eq!(run.code(), Some(0), "{}", run.stderr());
    assert!(run.stdout().starts_with("sum "), "{}", run.stdout());
    assert!(
        matches!(run.events[0].body, Body::Hello { .. }),
        "hello first"
    );
    assert!(run.of_kind("line").count() > 0, "lines reported");
    let rec = dir.path().join("run.jsonl");
    std::fs::write(&rec, &run.recording).unwrap();
    let replayed = forklore()
        .args(["replay", "--headless"])
        .arg(&rec)
        .output()
        .unwrap();
    assert_eq!(replayed.status.code(), Some(0));
    assert_eq!(replayed.stdout, run.output.stdout);
}
