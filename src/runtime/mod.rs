//! The runtime: starts a script under the shim in its own process group,
//! collects its events, pauses/resumes/stops the whole run (its group and
//! what left it) and reaps every process of it. A watcher process cleans
//! up if forklore itself is killed. Never forks the (threaded) forklore
//! process itself.

pub mod clock;
mod collector;
pub mod control;
mod dirs;
pub mod gates;
mod liveness;
pub mod members;
mod outputs;
pub mod procfs;
mod pty;
pub mod python;
pub mod reaper;
pub mod ring;
mod run;
pub mod shim;
pub mod socket;
pub mod templates;
pub mod watcher;

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

pub use crate::protocol::Buffering;
pub use dirs::{cache_root, private_dir};
pub use gates::Gates;
pub use python::Python;
pub use run::{Run, StartError};
pub use socket::Counters;

/// How long processes get between SIGTERM and SIGKILL.
pub const STOP_GRACE: Duration = Duration::from_millis(1500);
/// How long helpers (forkserver, resource tracker, orphans) may outlive the
/// main process before the rest of the group is stopped.
pub const LEFTOVER_GRACE: Duration = Duration::from_millis(2000);

/// What to run and how to instrument it.
#[derive(Clone, Debug, Default)]
pub struct RunConfig {
    pub python: PathBuf,
    pub script: PathBuf,
    pub args: Vec<String>,
    pub start_method: Option<String>,
    pub watch: Vec<String>,
    pub lines: bool,
    /// Slow motion: `time.sleep` in the script is multiplied by this.
    pub slow: f64,
    pub cwd: Option<PathBuf>,
    /// Stop the run when it has more live processes than this (a fork
    /// bomb); 0: no limit.
    pub max_procs: u32,
    /// Step mode: None, this run is never held — not paused, not stepped
    /// — and costs nothing for it (no control file); Some(on), it may be,
    /// and holds at checkpoints from the start if on.
    pub step: Option<bool>,
    /// How the run's stdout and stderr buffer (see outputs.rs).
    pub buffering: Buffering,
}

/// `--max-procs`'s default: generous for lessons (manager-dict runs up to
/// 500 clients), a ceiling for a runaway script.
pub const DEFAULT_MAX_PROCS: u32 = 512;

/// CLOCK_MONOTONIC in nanoseconds, the clock the shim stamps events with.
pub fn now_ns() -> u64 {
    let ts = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .unwrap_or(nix::sys::time::TimeSpec::new(0, 0));
    ts.tv_sec() as u64 * 1_000_000_000 + ts.tv_nsec() as u64
}

/// Process groups of live runs, for the panic and signal paths that must
/// kill them without a handle.
static LIVE_GROUPS: Mutex<Vec<i32>> = Mutex::new(Vec::new());

/// Kill every live run's group with SIGKILL. Safe to call from a panic hook.
pub fn kill_all_runs() {
    if let Ok(groups) = LIVE_GROUPS.try_lock() {
        for pgid in groups.iter() {
            let _ = killpg(Pid::from_raw(*pgid), Signal::SIGKILL);
        }
    }
}

/// A run's group is live (or over): for the panic path and the watcher.
pub(crate) fn register_group(pgid: i32, live: bool) {
    let mut groups = LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner());
    groups.retain(|g| *g != pgid);
    if live {
        groups.push(pgid);
        watcher::group(pgid);
    } else {
        watcher::forget_group(pgid);
    }
}

/// The process groups of the runs live now.
pub fn live_groups() -> Vec<i32> {
    LIVE_GROUPS.lock().map(|g| g.clone()).unwrap_or_default()
}

/// Held from the moment a run's main process is started until its group
/// is registered, and while a run looks for the orphans it adopted. In
/// between, a new run's main is forklore's child in no registered group,
/// which is just what such an orphan looks like: a run ending (or
/// stopped) then, in another thread (`--repeat`, explore), killed the new
/// run's main as its own.
static STARTING: Mutex<()> = Mutex::new(());

pub(crate) fn starting() -> std::sync::MutexGuard<'static, ()> {
    STARTING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Make forklore the reaper of its runs' orphans (a spawn worker's
/// forkserver, a Manager's children...), so none is left to init unreaped
/// and its exit status is known.
pub fn become_subreaper() {
    let _ = nix::sys::prctl::set_child_subreaper(true);
}
