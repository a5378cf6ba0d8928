//! A run's terminals are closed with it, in a long-lived forklore (the
//! live screen restarts runs, `--repeat` makes many): runs started in
//! this test process itself. Alone in its file: a run in-process makes
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

/// A run's terminals (`--buffering terminal`) go with it: during the run
/// forklore holds the two masters it reads, afterwards nothing, and no
/// process of the run is left.
#[test]
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
