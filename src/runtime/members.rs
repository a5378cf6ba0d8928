//! Who belongs to a run: its process group, and the processes that left
//! the group (`os.setsid()`, `start_new_session=True`) but still descend
//! from it. Signals for the whole run (pause, stop) go to all of them.

use std::sync::{Arc, Mutex};

use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;

use super::{procfs, watcher};

#[derive(Clone, Debug)]
pub struct Members {
    pub pgid: i32,
    /// (pid, start time) of processes outside the group, as found.
    escapees: Arc<Mutex<Vec<(i32, u64)>>>,
}

/// Escapees remembered per run at most (a fork bomb of setsid()s).
const MAX_ESCAPEES: usize = 4096;

impl Members {
    pub fn new(pgid: i32) -> Self {
        Members {
            pgid,
            escapees: Arc::default(),
        }
    }

    /// Remember a process that left the group; the watcher learns it too.
    pub fn add_escapee(&self, stat: &procfs::Stat) {
        let mut list = self.escapees.lock().unwrap_or_else(|e| e.into_inner());
        if list.len() < MAX_ESCAPEES && !list.iter().any(|(p, _)| *p == stat.pid) {
            list.push((stat.pid, stat.starttime));
            watcher::process(stat.pid, stat.starttime);
        }
    }

    fn escapees(&self) -> Vec<(i32, u64)> {
        self.escapees
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Does `stat`'s process belong to the run: in its group, or below a
    /// process that is (by its parents as they are now)?
    pub fn owns(&self, stat: &procfs::Stat) -> bool {
        if stat.pgid == self.pgid || self.escapees().iter().any(|(p, _)| *p == stat.pid) {
            return true;
        }
        let mut parent = stat.ppid;
        for _ in 0..64 {
            match procfs::stat(parent) {
                Some(p) if p.pgid == self.pgid => return true,
                Some(p) if p.ppid > 1 => parent = p.ppid,
                _ => return false,
            }
        }
        false
    }

    /// The live processes outside the group that belong to the run.
    fn outside(&self) -> Vec<procfs::Stat> {
        outside(self.pgid, &self.escapees())
    }

    /// Send `sig` to every process of the run. True if the group itself
    /// took it (it still exists).
    pub fn signal(&self, sig: Signal) -> bool {
        let group = killpg(Pid::from_raw(self.pgid), sig).is_ok();
        for s in self.outside() {
            let _ = kill(Pid::from_raw(s.pid), sig);
        }
        group
    }

    /// At the run's end: SIGKILL to every process of the run, from one
    /// look at /proc (each look reads every process's stat, a few ms).
    /// Returns that look when nothing was alive outside the group (the
    /// common case): no orphan can die later, so the zombies it shows are
    /// all there is to reap.
    pub fn kill_all(&self) -> Option<Vec<procfs::Stat>> {
        let _ = killpg(Pid::from_raw(self.pgid), Signal::SIGKILL);
        let (snapshot, groups) = look();
        let outside = outside_in(self.pgid, &self.escapees(), &snapshot, &groups);
        for s in &outside {
            let _ = kill(Pid::from_raw(s.pid), Signal::SIGKILL);
        }
        outside.is_empty().then_some(snapshot)
    }
}

/// The live processes outside group `pgid` that belong to its run: the
/// `escapees` found so far, whatever descends from the group or from them
/// now, and orphans forklore adopted (it is a subreaper) that are in no
/// run's group.
pub fn outside(pgid: i32, escapees: &[(i32, u64)]) -> Vec<procfs::Stat> {
    let (snapshot, groups) = look();
    outside_in(pgid, escapees, &snapshot, &groups)
}

/// Every process's stat and the live runs' groups, taken while no run's
/// main is between its start and its group's registration.
fn look() -> (Vec<procfs::Stat>, Vec<i32>) {
    let _starting = super::starting();
    (procfs::all(), super::live_groups())
}

/// `outside`, as `snapshot` (every process's stat) and `groups` (the live
/// runs' groups) show them.
fn outside_in(
    pgid: i32,
    escapees: &[(i32, u64)],
    snapshot: &[procfs::Stat],
    groups: &[i32],
) -> Vec<procfs::Stat> {
    let me = std::process::id() as i32;
    let mut roots: Vec<i32> = snapshot
        .iter()
        .filter(|s| s.pgid == pgid)
        .map(|s| s.pid)
        .collect();
    roots.extend(
        escapees
            .iter()
            .filter(|(pid, start)| procfs::is_same_live(*pid, *start))
            .map(|(pid, _)| *pid),
    );
    let adopted = snapshot.iter().filter(|s| {
        s.ppid == me && !groups.contains(&s.pgid) && !super::watcher::is_watcher(s.pid)
    });
    roots.extend(adopted.map(|s| s.pid));
    let mut out: Vec<procfs::Stat> = snapshot
        .iter()
        .filter(|s| roots.contains(&s.pid) && s.pgid != pgid)
        .copied()
        .collect();
    for s in procfs::descendants(&roots, snapshot) {
        if s.pgid != pgid && !out.iter().any(|o| o.pid == s.pid) {
            out.push(s);
        }
    }
    out.retain(|s| !s.is_zombie());
    out
}
