//! The run's stdout and stderr: two pseudo-terminals (`--buffering
//! terminal`, see pty.rs) or two pipes (`unbuffered`, `pipe`), and the
//! threads that read them. Python-level output travels as events; what
//! still arrives here (os.write, C extensions, programs the script starts,
//! interpreter crashes) becomes `write` events with pid 0, byte for byte.
//! The shim tells the run's own streams from other ones by their device
//! and inode (`FORKLORE_STDOUT`, `FORKLORE_STDERR`).

use std::os::fd::{AsFd, OwnedFd};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use super::collector::Outlet;
use super::{now_ns, pty};
use crate::protocol::{Body, Buffering, Event};

/// The run's two outputs, made before the run so their identity can be
/// passed to it: (the end forklore reads, the end the run writes to).
pub struct Outputs {
    out: (OwnedFd, OwnedFd),
    err: (OwnedFd, OwnedFd),
}

impl Outputs {
    pub fn new(buffering: Buffering) -> std::io::Result<Self> {
        let make = || match buffering {
            Buffering::Terminal => pty::open().map(|p| (p.master, p.slave)),
            Buffering::Unbuffered | Buffering::Pipe => {
                nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(std::io::Error::from)
            }
        };
        Ok(Outputs {
            out: make()?,
            err: make()?,
        })
    }

    /// Give the write ends to `cmd` as its stdout and stderr, with their
    /// identity in the environment; the read ends are returned.
    pub fn attach(self, cmd: &mut Command) -> std::io::Result<(OwnedFd, OwnedFd)> {
        cmd.env("FORKLORE_STDOUT", identity(&self.out.1)?)
            .env("FORKLORE_STDERR", identity(&self.err.1)?)
            .stdout(Stdio::from(self.out.1))
            .stderr(Stdio::from(self.err.1));
        Ok((self.out.0, self.err.0))
    }
}

/// "device:inode" of a pipe or terminal, as Python's `os.fstat` gives them.
fn identity(fd: &OwnedFd) -> std::io::Result<String> {
    let st = nix::sys::stat::fstat(fd).map_err(std::io::Error::from)?;
    Ok(format!("{}:{}", st.st_dev, st.st_ino))
}

/// The threads reading the two outputs.
pub struct Forwarders {
    threads: Vec<JoinHandle<()>>,
    give_up: Arc<AtomicBool>,
}

/// How often a reader checks whether it should give up waiting.
const TICK: Duration = Duration::from_millis(50);

impl Forwarders {
    pub fn start(out: OwnedFd, err: OwnedFd, outlet: Outlet) -> Self {
        let give_up = Arc::new(AtomicBool::new(false));
        let threads = [(out, 1), (err, 2)]
            .into_iter()
            .map(|(fd, n)| {
                let (outlet, give_up) = (outlet.clone(), give_up.clone());
                thread::spawn(move || forward(fd, n, &outlet, &give_up))
            })
            .collect();
        Forwarders { threads, give_up }
    }

    /// Let the readers reach the outputs' end for up to `grace`, then stop
    /// them: a process that left the run's group may hold one open long
    /// after the run is over.
    pub fn finish(self, grace: Duration) {
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline && self.threads.iter().any(|t| !t.is_finished()) {
            thread::sleep(Duration::from_millis(5));
        }
        self.give_up.store(true, Ordering::Relaxed);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// Read one output to its end: 0 bytes from a pipe, EIO from a terminal's
/// master once the last process holding its other end closed it.
fn forward(end: OwnedFd, fd: u8, outlet: &Outlet, give_up: &AtomicBool) {
    let mut buf = [0u8; 8192];
    loop {
        let mut fds = [PollFd::new(end.as_fd(), PollFlags::POLLIN)];
        let ready = poll(&mut fds, PollTimeout::from(TICK.as_millis() as u16)).unwrap_or(0);
        if ready == 0 {
            if give_up.load(Ordering::Relaxed) {
                return;
            }
            continue;
        }
        let n = match nix::unistd::read(&end, &mut buf) {
            Ok(0) => return,
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return,
        };
        let event = Event {
            pid: 0,
            t: now_ns(),
            body: Body::write(fd, &buf[..n]),
        };
        if !outlet.send(event) {
            return;
        }
    }
}
