//! A started run: the script in its own process group under the shim,
//! paused, resumed and stopped as a whole; its events on one channel.

use std::os::unix::net::UnixDatagram;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;

use super::collector::Collector;
use super::{
    become_subreaper, now_ns, pipes, private_dir, reaper, register_group, shim, socket, Counters,
    RunConfig, STOP_GRACE,
};
use crate::protocol::{Body, Event};

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
        let shim = shim::install(dir.path()).map_err(StartError::Setup)?;
        let sock_path = dir.path().join("events.sock");
        let sock = UnixDatagram::bind(&sock_path).map_err(StartError::Setup)?;
        socket::prepare(&sock).map_err(StartError::Setup)?;

        let mut child = command(config, &shim, &sock_path)
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
            shim_dir: shim.dir,
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

fn command(config: &RunConfig, shim: &shim::Installed, sock_path: &Path) -> Command {
    let mut cmd = Command::new(&config.python);
    cmd.arg(&config.script).args(&config.args);
    let mut pythonpath = shim.dir.as_os_str().to_owned();
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
        .env_remove("FORKLORE_START_METHOD")
        .env_remove("FORKLORE_PYCACHE");
    if let Some(pycache) = &shim.pycache {
        cmd.env("FORKLORE_PYCACHE", pycache);
    }
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

pub(super) fn supervisor_event(pid: i32, body: Body) -> Event {
    Event {
        pid,
        t: now_ns(),
        body,
    }
}
