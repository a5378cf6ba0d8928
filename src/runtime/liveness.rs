//! Which processes of a run are still alive, without reaping them: a
//! pidfd per known process becomes readable when the process ends, whoever
//! its parent is. A process the script itself reaps (os.fork + waitpid,
//! subprocess) is then never shown alive after its death, even when the
//! status it ended with is not known.

use std::collections::HashSet;
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd};

use super::procfs;

/// Processes watched at once at most (a fork bomb: `--max-procs` stops it
/// below this).
const MAX_WATCHED: usize = 4096;

#[derive(Default)]
pub struct Liveness {
    watched: Vec<(i32, OwnedFd)>,
    /// Ever watched, or known to have ended: never watched again.
    seen: HashSet<i32>,
    /// pidfd_open is not there (kernel before 5.3): nothing is watched.
    unsupported: bool,
}

impl Liveness {
    /// Watch `pid` from now on (once). Returns true when it has already
    /// ended and been reaped by someone.
    pub fn watch(&mut self, pid: i32) -> bool {
        if pid <= 0 || self.unsupported || !self.seen.insert(pid) {
            return false;
        }
        if self.watched.len() >= MAX_WATCHED {
            return false;
        }
        // SAFETY: pidfd_open takes a pid and flags and returns a new fd.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        if fd >= 0 {
            // SAFETY: the fd was just opened and is owned by nobody else.
            let fd = unsafe { OwnedFd::from_raw_fd(fd as i32) };
            self.watched.push((pid, fd));
            return false;
        }
        match nix::errno::Errno::last() {
            nix::errno::Errno::ESRCH => true,
            nix::errno::Errno::ENOSYS => {
                self.unsupported = true;
                false
            }
            _ => false,
        }
    }

    /// Processes known alive now.
    pub fn live(&self) -> usize {
        self.watched.len()
    }

    /// `pid` ended and that is known (its exit was reported).
    pub fn forget(&mut self, pid: i32) {
        self.seen.insert(pid);
        self.watched.retain(|(p, _)| *p != pid);
    }

    pub fn fds(&self) -> impl Iterator<Item = BorrowedFd<'_>> {
        self.watched.iter().map(|(_, fd)| fd.as_fd())
    }

    /// The watched processes whose pidfd was found readable (`readable`,
    /// in the order of `fds`): they ended. Those forklore will reap itself
    /// (its own children) are left to the reaper, which knows their status.
    pub fn ended(&mut self, readable: &[bool]) -> Vec<i32> {
        let me = std::process::id() as i32;
        let readable: Vec<i32> = readable
            .iter()
            .zip(&self.watched)
            .filter(|(r, _)| **r)
            .map(|(_, (pid, _))| *pid)
            .collect();
        self.watched.retain(|(p, _)| !readable.contains(p));
        readable
            .into_iter()
            .filter(|pid| procfs::stat(*pid).is_none_or(|s| s.ppid != me))
            .collect()
    }
}
