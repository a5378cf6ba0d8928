//! Runs started in this test process itself, as a long-lived forklore
//! starts them (the live screen restarts runs, `--repeat` and explore run
//! several at once): their terminals are closed with them, and they
//! leave each other alone. Alone in its file: a run in-process makes
//! this process the reaper of its children (forklore subprocesses of
//! other tests would be taken for the run's orphans), and the count of
//! terminals held must be this test's alone.

mod common;

use common::*;
use forklore::protocol::WriteBytes;

/// Pseudo-terminals this process holds (their master side: `/dev/ptmx`).
fn terminals_held() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok())
        .filter(|target| target.to_string_lossy().ends_with("ptmx"))
        .count()
}

/// One test, its parts one after the other: each counts this process's
/// terminals.
#[test]
fn runs_in_one_process() {
    a_runs_terminals_and_processes_are_gone_after_it();
    runs_side_by_side_never_stop_each_other();
}

/// A run's terminals (`--buffering terminal`) go with it: during the run
/// forklore holds the two masters it reads, afterwards nothing, and no
/// process of the run is left.
fn a_runs_terminals_and_processes_are_gone_after_it() {
    use forklore::runtime::Run;
    let before = terminals_held();
    let runs: Vec<Run> = (0..3)
        .map(|_| Run::start(&flood::config("exit_three.py", &[])).unwrap())
        .collect();
    assert_eq!(terminals_held(), before + 2 * runs.len());
    for run in runs {
        let events = flood::all_events(&run);
        let out: Vec<u8> = events
            .iter()
            .filter_map(|e| e.body.write_bytes())
            .flat_map(|bytes| bytes.into_owned())
            .collect();
        assert_eq!(String::from_utf8_lossy(&out), "about to exit with 3\n");
        let pgid = run.pgid;
        drop(run);
        let group = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pgid), None);
        assert_eq!(
            group,
            Err(nix::errno::Errno::ESRCH),
            "the run's group is gone"
        );
    }
    assert_eq!(terminals_held(), before, "every terminal closed");
}

/// Runs started side by side in one process (as `--repeat` and explore
/// do) leave each other alone: a run ending never takes another's main,
/// just started and not yet registered, for an orphan of its own; and
/// their terminals are all closed afterwards.
fn runs_side_by_side_never_stop_each_other() {
    let before = terminals_held();
    let outcomes: Vec<(String, i32)> = std::thread::scope(|s| {
        let lanes: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    (0..15)
                        .map(|_| {
                            let run =
                                forklore::runtime::Run::start(&flood::config("exit_three.py", &[]))
                                    .unwrap();
                            let events = flood::all_events(&run);
                            let out: Vec<u8> = events
                                .iter()
                                .filter_map(|e| e.body.write_bytes())
                                .flat_map(|bytes| bytes.into_owned())
                                .collect();
                            let code = events.iter().find_map(|e| match e.body {
                                forklore::protocol::Body::RunEnd { exitcode, .. } => Some(exitcode),
                                _ => None,
                            });
                            (
                                String::from_utf8_lossy(&out).into_owned(),
                                code.unwrap_or(i32::MIN),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        lanes.into_iter().flat_map(|l| l.join().unwrap()).collect()
    });
    for (out, code) in &outcomes {
        assert_eq!((out.as_str(), *code), ("about to exit with 3\n", 3));
    }
    assert_eq!(terminals_held(), before, "every terminal closed");
}
