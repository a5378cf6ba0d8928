//! The run's one ordered event stream: socket events and the reaper's
//! reports merged, and the run's end.

use std::thread;
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use super::reaper::Reaped;
use super::run::supervisor_event;
use super::{socket, LEFTOVER_GRACE, STOP_GRACE};
use crate::protocol::{Body, Event};

/// Merges socket events and reaper reports into one ordered stream: before a
/// process's exit is forwarded, the socket is drained, so everything that
/// process sent comes first.
pub(super) struct Collector {
    pub pgid: i32,
    pub receiver: socket::Receiver,
    pub reaped: Receiver<Reaped>,
    /// Written by the reaper after each report, so poll() returns.
    pub wake: std::os::fd::OwnedFd,
    pub out: Sender<Event>,
}

impl Collector {
    pub(super) fn run(mut self, pipe_threads: Vec<thread::JoinHandle<()>>) {
        let mut root_exit: Option<i32> = None;
        let mut leftovers_deadline: Option<Instant> = None;
        let mut term_sent = false;
        loop {
            self.wait_readable(leftovers_deadline);
            self.drain();
            let mut all_gone = false;
            for msg in self.reaped.try_iter().collect::<Vec<_>>() {
                self.drain();
                match msg {
                    Reaped::Exit { pid, exitcode } => {
                        if pid == self.pgid {
                            root_exit = Some(exitcode);
                            leftovers_deadline = Some(Instant::now() + LEFTOVER_GRACE);
                        }
                        let by = Some(std::process::id() as i32);
                        let _ = self
                            .out
                            .send(supervisor_event(pid, Body::ProcExit { exitcode, by }));
                    }
                    Reaped::AllGone => all_gone = true,
                }
            }
            if all_gone {
                break;
            }
            if let Some(deadline) = leftovers_deadline.filter(|d| Instant::now() >= *d) {
                // The main process is gone; stop what it left behind.
                let sig = if term_sent {
                    Signal::SIGKILL
                } else {
                    Signal::SIGTERM
                };
                let _ = killpg(Pid::from_raw(self.pgid), sig);
                let _ = killpg(Pid::from_raw(self.pgid), Signal::SIGCONT);
                term_sent = true;
                leftovers_deadline = Some(deadline.max(Instant::now()) + STOP_GRACE);
            }
        }
        self.drain();
        for t in pipe_threads {
            let _ = t.join();
        }
        self.drain();
        let end = Body::RunEnd {
            exitcode: root_exit.unwrap_or(-(Signal::SIGKILL as i32)),
            malformed: self.receiver.counters.malformed(),
            rejected: self.receiver.counters.rejected(),
        };
        let _ = self.out.send(supervisor_event(self.pgid, end));
    }

    fn wait_readable(&self, deadline: Option<Instant>) {
        let timeout = match deadline {
            Some(d) => PollTimeout::try_from(d.saturating_duration_since(Instant::now()))
                .unwrap_or(PollTimeout::MAX),
            None => PollTimeout::NONE,
        };
        use std::os::fd::AsFd;
        let mut fds = [
            PollFd::new(self.receiver.fd(), PollFlags::POLLIN),
            PollFd::new(self.wake.as_fd(), PollFlags::POLLIN),
        ];
        let _ = poll(&mut fds, timeout);
        let woke = fds[1]
            .revents()
            .is_some_and(|r| r.contains(PollFlags::POLLIN));
        if woke {
            let mut buf = [0u8; 64];
            let _ = nix::unistd::read(&self.wake, &mut buf);
        }
    }

    fn drain(&mut self) {
        let out = &self.out;
        self.receiver.drain(|e| {
            let _ = out.send(e);
        });
    }
}
