//! forklore's two channels to the processes of a run it can hold
//! (docs/schedules.md).
//!
//! * The control file (`control.rs`): step mode on or off, which every
//!   process reads at each checkpoint, and the run's clock (`clock.rs`):
//!   how long the run has been held. It exists only for runs that can be
//!   held (`RunConfig::step`): elsewhere the shim never maps it and a
//!   checkpoint costs nothing more.
//! * Each process's gate: the write end of a pipe the process passed over
//!   the run's socket the first time it held at a checkpoint. One byte
//!   written is one go-ahead: the process performs that one operation and
//!   runs on to its next checkpoint. Only forklore holds the write end.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};

use super::clock::{Hold, RunClock};
use super::control::Control;

/// The run's gates, shared by the socket's reader (which takes each
/// process's pipe) and the run's handle (which writes the go-aheads).
#[derive(Clone)]
pub struct Gates {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    control: Option<Control>,
    clock: RunClock,
    stepping: bool,
    pipes: HashMap<i32, OwnedFd>,
    /// Go-aheads for processes whose pipe has not arrived yet (its `want`
    /// event can be read before the datagram that passed the pipe).
    owed: HashMap<i32, u32>,
}

impl Gates {
    /// Gates of a run that never steps: no control file.
    pub fn none() -> Gates {
        Gates::with(None, false)
    }

    /// Gates of a run that can be held, its control file made in `dir`,
    /// step mode on from the start when `stepping`.
    pub fn new(dir: &Path, stepping: bool) -> std::io::Result<Gates> {
        let control = Control::create(dir, stepping)?;
        Ok(Gates::with(Some(control), stepping))
    }

    fn with(control: Option<Control>, stepping: bool) -> Gates {
        let inner = Inner {
            control,
            clock: RunClock::default(),
            stepping,
            pipes: HashMap::new(),
            owed: HashMap::new(),
        };
        Gates {
            inner: Arc::new(Mutex::new(inner)),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The control file the shim maps (FORKLORE_CONTROL), if this run can
    /// be held.
    pub fn control_path(&self) -> Option<PathBuf> {
        self.lock().control.as_ref().map(|c| c.path().to_path_buf())
    }

    pub fn can_step(&self) -> bool {
        self.lock().control.is_some()
    }

    pub fn is_stepping(&self) -> bool {
        self.lock().stepping
    }

    /// Turn step mode on or off for every process (those already holding
    /// stay held: the caller lets them go). False if this run cannot step.
    pub fn set_stepping(&self, on: bool) -> bool {
        let mut inner = self.lock();
        let Some(control) = &inner.control else {
            return false;
        };
        let written = control.set_stepping(on).is_ok();
        if written {
            inner.stepping = on;
        }
        written
    }

    /// Hold the run's time for `why` (`on`) from `now`, or stop holding it
    /// for that reason: the processes read it before they go on. Nothing
    /// in a run that cannot be held.
    pub fn hold(&self, why: Hold, on: bool, now: u64) {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let Some(control) = inner.control.as_mut() else {
            return;
        };
        if inner.clock.set(why, on, now) {
            // A failed write leaves the program on the wall clock: as
            // without forklore's holds, never stuck.
            let _ = control.set_clock(&inner.clock);
        }
    }

    /// The run's clock as the processes read it.
    pub fn clock(&self) -> RunClock {
        self.lock().clock
    }

    /// One go-ahead for `pid`, held at a checkpoint.
    pub fn grant(&self, pid: i32) {
        let mut inner = self.lock();
        match inner.pipes.get(&pid) {
            Some(fd) => {
                if !write_go(fd) {
                    inner.pipes.remove(&pid);
                }
            }
            None => *inner.owed.entry(pid).or_default() += 1,
        }
    }

    /// `pid` passed its gate's pipe: go-aheads owed to it are written now.
    pub(super) fn take(&self, pid: i32, fd: OwnedFd) {
        // Never block forklore on a pipe (only forklore writes to it).
        let _ = fcntl(&fd, FcntlArg::F_SETFL(OFlag::O_NONBLOCK));
        let mut inner = self.lock();
        for _ in 0..inner.owed.remove(&pid).unwrap_or(0) {
            write_go(&fd);
        }
        inner.pipes.insert(pid, fd);
    }

    /// A process that ended holds no more.
    pub(super) fn forget(&self, pid: i32) {
        let mut inner = self.lock();
        inner.pipes.remove(&pid);
        inner.owed.remove(&pid);
    }
}

/// One byte into a gate's pipe. False when the process is gone (EPIPE).
fn write_go(fd: &OwnedFd) -> bool {
    loop {
        match nix::unistd::write(fd, b"g") {
            Ok(_) => return true,
            Err(Errno::EINTR) => continue,
            // A full pipe (64 KiB of go-aheads) cannot happen: one byte is
            // written per want; drop rather than block forklore.
            Err(Errno::EAGAIN) => return true,
            Err(_) => return false,
        }
    }
}
