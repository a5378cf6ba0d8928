//! The run's one ordered event stream: the processes' events (rings and
//! socket) and the supervisor's reports merged in time order, the
//! leftovers stopped once main is gone, and the run's end.
//!
//! Ordering: each process's events come through its own channel, so a
//! pass reads them in no particular order across processes. Every event
//! carries the time it was made (one monotonic clock for all), and a pass
//! releases, in time order, only the events made before the pass began;
//! the rest wait for the next pass. That keeps causes before effects: an
//! event B caused by an event A (a get by the put before it, an acquire by
//! the release before it) is made after A was committed, so if B was made
//! before the pass began, A was committed before any channel was read, and
//! this pass has it too.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, SendTimeoutError, Sender};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;

use super::liveness::Liveness;
use super::members::Members;
use super::outputs::Forwarders;
use super::procfs;
use super::reaper::{self, Reaped};
use super::run::supervisor_event;
use super::{now_ns, socket, Counters, LEFTOVER_GRACE, STOP_GRACE};
use crate::protocol::{Body, ChunkPositions, Event};

/// How often the rings are read while there are any: their writers make
/// no system call, so nothing wakes forklore for them. Well under the
/// 20 ms in which an event must be on screen.
const RING_POLL: Duration = Duration::from_millis(4);
/// How soon a pass follows one that left events waiting.
const PENDING_POLL: Duration = Duration::from_millis(1);

/// How long the outputs (pipes or terminals) may stay open after every
/// process of the group is gone (a process that left the group may hold
/// them).
const PIPE_GRACE: Duration = Duration::from_millis(300);

/// Where a run's events go: a bounded channel. A full channel makes the
/// run wait; once the run is being stopped, what cannot be delivered is
/// dropped and counted instead, so stopping never waits for a reader.
#[derive(Clone)]
pub(super) struct Outlet {
    tx: Sender<Event>,
    stopping: Arc<AtomicBool>,
    counters: Arc<Counters>,
}

impl Outlet {
    pub fn new(tx: Sender<Event>, stopping: Arc<AtomicBool>, counters: Arc<Counters>) -> Self {
        Outlet {
            tx,
            stopping,
            counters,
        }
    }

    /// False once nobody reads any more.
    pub fn send(&self, mut event: Event) -> bool {
        loop {
            match self.tx.send_timeout(event, Duration::from_millis(100)) {
                Ok(()) => return true,
                Err(SendTimeoutError::Timeout(back)) if !self.stopping.load(Ordering::Relaxed) => {
                    event = back
                }
                Err(SendTimeoutError::Timeout(_)) => {
                    self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    return true;
                }
                Err(SendTimeoutError::Disconnected(_)) => return false,
            }
        }
    }
}

/// Merges the processes' events and the reaper's reports into one stream
/// in time order (see the module's comment).
pub(super) struct Collector {
    pub members: Members,
    pub liveness: Liveness,
    /// Live processes allowed at once (0: no limit); past it the run is
    /// stopped.
    pub max_procs: u32,
    pub over_limit: bool,
    pub receiver: socket::Receiver,
    pub reaped: Receiver<Reaped>,
    /// Written by the reaper after each report, so poll() returns.
    pub wake: std::os::fd::OwnedFd,
    pub out: Outlet,
    /// Events read but not yet released (made after the pass began).
    pub pending: Vec<Event>,
    /// Chunk positions, from the pool jobs released before.
    pub positions: ChunkPositions,
}

impl Collector {
    /// Collect until every process of the run is gone; `ending` is called
    /// then, just before the run's end is sent (every process is reaped by
    /// that time), so whoever sees the end and stops the run does not
    /// signal a gone group again.
    pub(super) fn run(mut self, pipes: Forwarders, ending: impl FnOnce()) {
        let pgid = self.members.pgid;
        let mut root_exit: Option<i32> = None;
        let mut leftovers_deadline: Option<Instant> = None;
        let mut term_sent = false;
        loop {
            self.wait_readable(leftovers_deadline);
            self.drain();
            let mut all_gone = false;
            for msg in self.reaped.try_iter().collect::<Vec<_>>() {
                match msg {
                    Reaped::Exit { pid, exitcode } => {
                        if pid == pgid {
                            root_exit = Some(exitcode);
                            leftovers_deadline = Some(Instant::now() + LEFTOVER_GRACE);
                        }
                        let by = Some(std::process::id() as i32);
                        self.liveness.forget(pid);
                        // Dead: its ring has all it will send, its hold is void.
                        self.receiver.close(pid, &mut self.pending);
                        // Made now, after every event of the process: the
                        // time order puts it after them.
                        let exit = supervisor_event(pid, Body::ProcExit { exitcode, by });
                        self.pending.push(exit);
                    }
                    Reaped::AllGone => all_gone = true,
                }
            }
            if all_gone {
                break;
            }
            self.enforce_limit();
            if let Some(deadline) = leftovers_deadline.filter(|d| Instant::now() >= *d) {
                // The main process is gone; stop what it left behind.
                let sig = if term_sent {
                    Signal::SIGKILL
                } else {
                    Signal::SIGTERM
                };
                self.members.signal(sig);
                self.members.signal(Signal::SIGCONT);
                term_sent = true;
                leftovers_deadline = Some(deadline.max(Instant::now()) + STOP_GRACE);
            }
        }
        self.drain();
        // What left the group goes with it.
        let seen = self.members.kill_all();
        pipes.finish(PIPE_GRACE);
        // The orphans forklore adopted: as seen, or (some were killed just
        // now) as they are after their deaths.
        reaper::reap_adopted_in(&seen.unwrap_or_else(procfs::all));
        self.drain();
        self.release(u64::MAX);
        let counters = &self.receiver.counters;
        let end = Body::RunEnd {
            exitcode: root_exit.unwrap_or(-(Signal::SIGKILL as i32)),
            malformed: counters.malformed(),
            rejected: counters.rejected(),
            dropped: counters.dropped(),
        };
        ending();
        // The end is never dropped: wait for the reader as long as it reads.
        let _ = self.out.tx.send(supervisor_event(pgid, end));
    }

    /// A run with more live processes than allowed (a fork bomb) is
    /// stopped at once, saying why.
    fn enforce_limit(&mut self) {
        let live = self.liveness.live();
        if self.max_procs == 0 || live <= self.max_procs as usize || self.over_limit {
            return;
        }
        self.over_limit = true;
        let limit = self.max_procs;
        let pgid = self.members.pgid;
        self.out
            .send(supervisor_event(pgid, Body::TooManyProcs { limit }));
        self.members.signal(Signal::SIGKILL);
    }

    /// Wait for events, the reaper, or a watched process's end (until
    /// `deadline`); report the processes that ended meanwhile.
    fn wait_readable(&mut self, deadline: Option<Instant>) {
        let poll_every = if self.receiver.rings_busy() {
            // Only look at the socket and the reaper: the rings come next.
            Some(Duration::ZERO)
        } else if !self.pending.is_empty() {
            Some(PENDING_POLL)
        } else if self.receiver.rings() > 0 {
            Some(RING_POLL)
        } else {
            None
        };
        let until_deadline = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let timeout = match (poll_every, until_deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let timeout = match timeout {
            Some(t) => PollTimeout::try_from(t).unwrap_or(PollTimeout::MAX),
            None => PollTimeout::NONE,
        };
        use std::os::fd::AsFd;
        let mut fds = vec![
            PollFd::new(self.receiver.fd(), PollFlags::POLLIN),
            PollFd::new(self.wake.as_fd(), PollFlags::POLLIN),
        ];
        fds.extend(
            self.liveness
                .fds()
                .map(|fd| PollFd::new(fd, PollFlags::POLLIN)),
        );
        let _ = poll(&mut fds, timeout);
        let woke = fds[1]
            .revents()
            .is_some_and(|r| r.contains(PollFlags::POLLIN));
        let readable: Vec<bool> = fds[2..]
            .iter()
            .map(|p| p.revents().is_some_and(|r| !r.is_empty()))
            .collect();
        drop(fds);
        let ended = self.liveness.ended(&readable);
        if woke {
            let mut buf = [0u8; 64];
            let _ = nix::unistd::read(&self.wake, &mut buf);
        }
        // Made now, after everything they sent: the time order puts it last.
        for pid in ended {
            self.receiver.close(pid, &mut self.pending);
            self.pending.push(supervisor_event(pid, Body::ProcGone {}));
        }
    }

    /// One pass: read every channel, release what was made before it
    /// began, and before any hold a ring had when it was read (an event
    /// stamped earlier than it may still be committed: `Ring::hold`).
    fn drain(&mut self) {
        let began = now_ns();
        let held = self.receiver.gather(&mut self.pending);
        self.release(held.map_or(began, |h| h.min(began)));
    }

    /// Send on, in time order, the waiting events made before `horizon`.
    fn release(&mut self, horizon: u64) {
        // Stable: one process's events with equal times keep their order.
        self.pending.sort_by_key(|e| e.t);
        let ready = self.pending.partition_point(|e| e.t < horizon);
        let events: Vec<Event> = self.pending.drain(..ready).collect();
        for event in events {
            self.deliver(event);
        }
    }

    fn deliver(&mut self, mut e: Event) {
        let mut gone = None;
        match e.body {
            Body::ProcExit { .. } | Body::ProcGone {} => {
                self.liveness.forget(e.pid);
                self.receiver.forget(e.pid);
            }
            // A child its parent reported, before it said a word.
            Body::ProcSpawn { child, .. } if self.liveness.watch(child) => gone = Some(child),
            _ if self.liveness.watch(e.pid) => gone = Some(e.pid),
            _ => {}
        }
        self.positions.enrich(&mut e);
        self.out.send(e);
        if let Some(pid) = gone {
            self.out.send(supervisor_event(pid, Body::ProcGone {}));
        }
    }
}
