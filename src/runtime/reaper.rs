//! Reaps every process of a run's group, including orphans re-parented to
//! forklore (it is a child subreaper), and reports each exit status.

use crossbeam_channel::Sender;
use nix::errno::Errno;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::Pid;

/// What the reaper tells the collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaped {
    /// A process ended; exit code in Python's convention (negative = signal).
    Exit { pid: i32, exitcode: i32 },
    /// No process of the group is left to reap.
    AllGone,
}

/// Block in `waitpid(-pgid)` until no child of the group remains. `wake`
/// is called after each message so the collector's poll() returns.
pub fn run(pgid: i32, tx: Sender<Reaped>, wake: impl Fn()) {
    loop {
        let msg = match waitpid(Pid::from_raw(-pgid), None) {
            Ok(WaitStatus::Exited(pid, code)) => Reaped::Exit {
                pid: pid.as_raw(),
                exitcode: code,
            },
            Ok(WaitStatus::Signaled(pid, sig, _)) => Reaped::Exit {
                pid: pid.as_raw(),
                exitcode: -(sig as i32),
            },
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(_) => Reaped::AllGone,
        };
        let done = msg == Reaped::AllGone;
        let _ = tx.send(msg);
        wake();
        if done {
            return;
        }
    }
}

/// Python's exit-code convention as a shell exit status (128+N for signal N).
pub fn shell_status(exitcode: i32) -> i32 {
    if exitcode < 0 {
        128 - exitcode
    } else {
        exitcode
    }
}

/// Reap the zombies forklore adopted from outside any live run's group
/// (processes that left their run's group, then outlived their parent):
/// the group's own reaper does not wait for them.
pub fn reap_adopted_in(snapshot: &[super::procfs::Stat]) {
    let me = std::process::id() as i32;
    let groups = super::live_groups();
    for s in snapshot {
        if s.ppid == me && s.is_zombie() && !groups.contains(&s.pgid) {
            let _ = waitpid(
                Pid::from_raw(s.pid),
                Some(nix::sys::wait::WaitPidFlag::WNOHANG),
            );
        }
    }
}
