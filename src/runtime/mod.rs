//! The runtime: starts a script under the shim in its own process group,
//! collects its events, pauses/resumes/stops the whole group and reaps every
//! process of it. Never forks the (threaded) forklore process itself.

pub mod pipes;
pub mod python;
pub mod reaper;
pub mod shim;
pub mod socket;

use std::os::unix::net::UnixDatagram;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use crate::protocol::{Body, Event};
pub use python::Python;
use reaper::Reaped;
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
}

/// CLOCK_MONOTONIC in nanoseconds, the clock the shim stamps events with.
pub fn now_ns() -> u64 {
    let ts = nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC)
        .unwrap_or(nix::sys::time::TimeSpec::new(0, 0));
    ts.tv_sec() as u64 * 1_000_000_000 + ts.tv_nsec() as u64
}

/// A temp directory only our uid can enter (0700), removed when dropped:
/// the shim, the socket and lesson scripts live in such directories.
pub fn private_dir(prefix: &str) -> std::io::Result<tempfile::TempDir> {
    use std::os::unix::fs::PermissionsExt;
    tempfile::Builder::new()
        .prefix(prefix)
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
}

/// forklore's per-user cache, `$XDG_CACHE_HOME/forklore` (or
/// `~/.cache/forklore`), created 0700. Only time-savers live there:
/// deleting it is always safe.
pub fn cache_root() -> Option<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let dir = base.join("forklore");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    Some(dir)
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

fn register_group(pgid: i32, live: bool) {
    let mut groups = LIVE_GROUPS.lock().unwrap_or_else(|e| e.into_inner());
    groups.retain(|g| *g != pgid);
    if live {
        groups.push(pgid);
    }
}

/// Make forklore the reaper of its runs' orphans (a spawn worker's
/// forkserver, a Manager's children...), so none is left to init unreaped
/// and its exit status is known.
pub fn become_subreaper() {
    let _ = nix::sys::prctl::set_child_subreaper(true);
}

/// A started run. Dropping it stops the run and reaps every process.
pub struct Run {
    pub pgid: i32,
    pub events: Receiver<Event>,
    pub counters: Arc<Counters>,
    events_tx: Sender<Event>,
    finished: Receiver<()>,
    is_finished: bool,
    paused: bool,
    // Removed (with the socket and the shim) when the run is dropped.
    shim_dir: PathBuf,
    _dir: tempfile::TempDir,
}

#[derive(Debug)]
pub enum StartError {
    Setup(std::io::Error),
    Spawn(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Setup(e) => write!(f, "cannot prepare the run's private directory: {e}"),
            StartError::Spawn(e) => write!(f, "cannot start Python: {e}"),
        }
    }
}

impl Run {
    pub fn start(config: &RunConfig) -> Result<Run, StartError> {
        become_subreaper();
        let dir = private_dir("forklore-").map_err(StartError::Setup)?;
        let shim_dir = shim::install(dir.path()).map_err(StartError::Setup)?;
        let sock_path = dir.path().join("events.sock");
        let sock = UnixDatagram::bind(&sock_path).map_err(StartError::Setup)?;
        socket::prepare(&sock).map_err(StartError::Setup)?;

        let mut child = command(config, &shim_dir, &sock_path)
            .spawn()
            .map_err(StartError::Spawn)?;
        let pgid = child.id() as i32;
        register_group(pgid, true);

        let counters = Arc::new(Counters::default());
        let (events_tx, events) = unbounded();
        let (finished_tx, finished) = unbounded();
        let (reaped_tx, reaped_rx) = unbounded();
        let (wake_r, wake_w) = nix::unistd::pipe().map_err(|e| StartError::Setup(e.into()))?;

        let mut pipe_threads = Vec::new();
        if let Some(out) = child.stdout.take() {
            let tx = events_tx.clone();
            pipe_threads.push(thread::spawn(move || pipes::forward(out, 1, tx)));
        }
        if let Some(err) = child.stderr.take() {
            let tx = events_tx.clone();
            pipe_threads.push(thread::spawn(move || pipes::forward(err, 2, tx)));
        }
        // `child` is never waited on through std: the reaper owns reaping.
        drop(child);
        thread::spawn(move || {
            reaper::run(pgid, reaped_tx, || {
                let _ = nix::unistd::write(&wake_w, &[1]);
            })
        });
        let out = events_tx.clone();
        let shared = counters.clone();
        thread::spawn(move || {
            // Built here: recvmmsg's headers are not Send.
            let receiver = socket::Receiver::new(sock, pgid, shared);
            let collector = Collector {
                pgid,
                receiver,
                reaped: reaped_rx,
                wake: wake_r,
                out,
            };
            collector.run(pipe_threads);
            register_group(pgid, false);
            let _ = finished_tx.send(());
        });
        Ok(Run {
            pgid,
            events,
            counters,
            events_tx,
            finished,
            is_finished: false,
            paused: false,
            shim_dir,
            _dir: dir,
        })
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// SIGSTOP the whole group: every process of the run really stops.
    pub fn pause(&mut self) {
        if !self.paused && self.signal(Signal::SIGSTOP) {
            self.paused = true;
            let _ = self
                .events_tx
                .send(supervisor_event(self.pgid, Body::RunPaused {}));
        }
    }

    pub fn resume(&mut self) {
        if self.paused {
            self.signal(Signal::SIGCONT);
            self.paused = false;
            let _ = self
                .events_tx
                .send(supervisor_event(self.pgid, Body::RunResumed {}));
        }
    }

    fn signal(&self, sig: Signal) -> bool {
        killpg(Pid::from_raw(self.pgid), sig).is_ok()
    }

    /// True once every process of the run is gone and reaped.
    pub fn poll_finished(&mut self) -> bool {
        if !self.is_finished && self.finished.try_recv().is_ok() {
            self.is_finished = true;
        }
        self.is_finished
    }

    /// Stop the run: SIGTERM to the group (continued if paused), a grace,
    /// then SIGKILL; returns when every process is reaped.
    pub fn stop(&mut self) {
        if self.poll_finished() {
            return;
        }
        self.signal(Signal::SIGTERM);
        self.signal(Signal::SIGCONT);
        self.paused = false;
        if self.wait_finished(STOP_GRACE) {
            return;
        }
        self.signal(Signal::SIGKILL);
        self.wait_finished(Duration::from_secs(10));
    }

    fn wait_finished(&mut self, timeout: Duration) -> bool {
        match self.finished.recv_timeout(timeout) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                self.is_finished = true;
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
        }
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        self.stop();
        // Before the private directory goes: keep the compiled shim.
        shim::save_compiled(&self.shim_dir);
    }
}

fn command(config: &RunConfig, shim_dir: &Path, sock_path: &Path) -> Command {
    let mut cmd = Command::new(&config.python);
    cmd.arg(&config.script).args(&config.args);
    let mut pythonpath = shim_dir.as_os_str().to_owned();
    if let Some(old) = std::env::var_os("PYTHONPATH").filter(|p| !p.is_empty()) {
        pythonpath.push(":");
        pythonpath.push(old);
    }
    cmd.env("PYTHONPATH", pythonpath)
        .env("PYTHONUNBUFFERED", "1")
        .env("FORKLORE_SOCK", sock_path)
        .env("FORKLORE_SCRIPT", &config.script)
        .env("FORKLORE_VERSION", env!("CARGO_PKG_VERSION"))
        .env("FORKLORE_WATCH", config.watch.join(","))
        .env("FORKLORE_LINES", if config.lines { "1" } else { "0" })
        .env(
            "FORKLORE_SLOW",
            format!("{}", if config.slow > 0.0 { config.slow } else { 1.0 }),
        )
        .env_remove("FORKLORE_START_METHOD");
    if let Some(method) = &config.start_method {
        cmd.env("FORKLORE_START_METHOD", method);
    }
    if let Some(dir) = &config.cwd {
        cmd.current_dir(dir);
    }
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    cmd
}

fn supervisor_event(pid: i32, body: Body) -> Event {
    Event {
        pid,
        t: now_ns(),
        body,
    }
}

/// Merges socket events and reaper reports into one ordered stream: before a
/// process's exit is forwarded, the socket is drained, so everything that
/// process sent comes first.
struct Collector {
    pgid: i32,
    receiver: socket::Receiver,
    reaped: Receiver<Reaped>,
    wake: std::os::fd::OwnedFd,
    out: Sender<Event>,
}

impl Collector {
    fn run(mut self, pipe_threads: Vec<thread::JoinHandle<()>>) {
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
