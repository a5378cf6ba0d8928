//! A started run: the script in its own process group under the shim,
//! paused, resumed and stopped as a whole; its events on one channel.

use std::os::unix::net::UnixDatagram;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crossbeam_channel::{bounded, unbounded, Receiver, RecvTimeoutError, Sender};
use nix::fcntl::OFlag;
use nix::sys::signal::Signal;

use super::clock::Hold;
use super::collector::{Collector, Outlet};
use super::gates::Gates;
use super::liveness::Liveness;
use super::members::Members;
use super::{
    become_subreaper, now_ns, outputs, private_dir, reaper, register_group, shim, socket, watcher,
    Counters, RunConfig, STOP_GRACE,
};
use crate::protocol::{Body, Buffering, Event};
use crate::session::Grant;

/// A started run. Dropping it stops the run and reaps every process.
pub struct Run {
    pub pgid: i32,
    pub events: Receiver<Event>,
    pub counters: Arc<Counters>,
    /// The group and the processes that left it.
    pub members: Members,
    events_tx: Sender<Event>,
    finished: Receiver<()>,
    /// Set when the run is being stopped: events that cannot be delivered
    /// then are dropped (and counted), so stopping never waits on a reader.
    stopping: Arc<AtomicBool>,
    /// Every process is gone and the run's end is being sent: stopping
    /// only waits for the collector to finish.
    ending: Arc<AtomicBool>,
    is_finished: bool,
    paused: bool,
    /// The run's time is held while step mode waits for a choice.
    choice_hold: bool,
    /// Step mode's control and each process's gate.
    pub gates: Gates,
    // Removed (with the socket and the shim) when the run is dropped.
    shim_dir: PathBuf,
    dir: Option<tempfile::TempDir>,
}

/// Events buffered between the run and its reader at most: past it, the
/// run's processes wait (their sends block) rather than memory growing.
pub const CHANNEL_BOUND: usize = 32_768;

#[derive(Debug)]
pub enum StartError {
    Setup(std::io::Error),
    /// The run's stdout and stderr could not be made as `--buffering` asks.
    Outputs(Buffering, std::io::Error),
    Spawn(std::io::Error),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Setup(e) => write!(f, "cannot prepare the run's private directory: {e}"),
            StartError::Outputs(Buffering::Terminal, e) => write!(
                f,
                "cannot open terminals for the script's output: {e} \
                 (--buffering pipe or unbuffered runs without them)"
            ),
            StartError::Outputs(_, e) => write!(f, "cannot make the script's output pipes: {e}"),
            StartError::Spawn(e) => write!(f, "cannot start Python: {e}"),
        }
    }
}

impl Run {
    pub fn start(config: &RunConfig) -> Result<Run, StartError> {
        become_subreaper();
        let dir = private_dir("run").map_err(StartError::Setup)?;
        watcher::dir(dir.path());
        let shim = shim::install(dir.path()).map_err(StartError::Setup)?;
        let sock_path = dir.path().join("events.sock");
        let sock = UnixDatagram::bind(&sock_path).map_err(StartError::Setup)?;
        socket::prepare(&sock).map_err(StartError::Setup)?;
        let outputs = outputs::Outputs::new(config.buffering)
            .map_err(|e| StartError::Outputs(config.buffering, e))?;
        let gates = match config.step {
            Some(on) => Gates::new(dir.path(), on).map_err(StartError::Setup)?,
            None => Gates::none(),
        };

        let mut cmd = command(config, &shim, &sock_path);
        if let Some(control) = gates.control_path() {
            cmd.env("FORKLORE_CONTROL", control);
        }
        let (out_r, err_r) = outputs.attach(&mut cmd).map_err(StartError::Setup)?;
        let starting = super::starting();
        let child = cmd.spawn().map_err(StartError::Spawn)?;
        // The child holds the write ends now; ours would keep them open.
        drop(cmd);
        let pgid = child.id() as i32;
        // `child` is never waited on through std: the reaper owns reaping.
        drop(child);
        register_group(pgid, true);
        drop(starting);
        let members = Members::new(pgid);

        let counters = Arc::new(Counters::default());
        let (events_tx, events) = bounded(CHANNEL_BOUND);
        let (finished_tx, finished) = unbounded();
        let (reaped_tx, reaped_rx) = unbounded();
        let (wake_r, wake_w) =
            nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| StartError::Setup(e.into()))?;
        let stopping = Arc::new(AtomicBool::new(false));
        let ending = Arc::new(AtomicBool::new(false));
        let run_ending = ending.clone();
        let out = Outlet::new(events_tx.clone(), stopping.clone(), counters.clone());
        let pipe_threads = outputs::Forwarders::start(out_r, err_r, out.clone());
        thread::spawn(move || {
            reaper::run(pgid, reaped_tx, || {
                let _ = nix::unistd::write(&wake_w, &[1]);
            })
        });
        let shared = counters.clone();
        let run_members = members.clone();
        let max_procs = config.max_procs;
        let run_gates = gates.clone();
        thread::spawn(move || {
            // Built here: recvmmsg's headers are not Send.
            let receiver = socket::Receiver::new(sock, run_members.clone(), run_gates, shared);
            let collector = Collector {
                members: run_members,
                liveness: Liveness::default(),
                max_procs,
                over_limit: false,
                receiver,
                reaped: reaped_rx,
                wake: wake_r,
                out,
                pending: Vec::new(),
                positions: Default::default(),
            };
            collector.run(pipe_threads, || ending.store(true, Ordering::Release));
            register_group(pgid, false);
            let _ = finished_tx.send(());
        });
        if config.step == Some(true) {
            let _ = events_tx.try_send(supervisor_event(pgid, Body::Stepping { on: true }));
        }
        Ok(Run {
            pgid,
            events,
            counters,
            members,
            events_tx,
            finished,
            stopping,
            ending: run_ending,
            is_finished: false,
            paused: false,
            choice_hold: false,
            gates,
            shim_dir: shim.dir,
            dir: Some(dir),
        })
    }

    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// SIGSTOP every process of the run: they really stop, and the run's
    /// time stands still until `resume` (clock.rs).
    pub fn pause(&mut self) {
        let now = now_ns();
        if !self.paused && self.members.signal(Signal::SIGSTOP) {
            self.gates.hold(Hold::Paused, true, now);
            self.paused = true;
            self.supervisor_event(Body::RunPaused {});
        }
    }

    pub fn resume(&mut self) {
        if self.paused {
            // The time held is in the control file before anyone runs.
            self.gates.hold(Hold::Paused, false, now_ns());
            self.members.signal(Signal::SIGCONT);
            self.paused = false;
            self.supervisor_event(Body::RunResumed {});
        }
    }

    /// Step mode waits for a choice (`on`: the session decides, by
    /// `Scheduler::waits_for_choice`): the run's time stands still.
    pub fn hold_for_choice(&mut self, on: bool) {
        if self.choice_hold != on {
            self.choice_hold = on;
            self.gates.hold(Hold::Choice, on, now_ns());
        }
    }

    /// Step mode on or off for every process (those holding stay held:
    /// the scheduler lets them go). Its event, for the caller to take in;
    /// None if this run cannot step.
    pub fn set_stepping(&mut self, on: bool) -> Option<Event> {
        if !on {
            self.hold_for_choice(false);
        }
        self.gates
            .set_stepping(on)
            .then(|| supervisor_event(self.pgid, Body::Stepping { on }))
    }

    /// Let a process holding at a checkpoint do its one operation. The
    /// step's event, for the caller to take in before any later event of
    /// the run (it comes from no channel).
    pub fn let_go(&mut self, grant: Grant) -> Event {
        let pid = grant.pid;
        let body = Body::Step {
            who: grant.who,
            what: grant.op,
            obj: grant.obj,
            auto: grant.auto,
        };
        // Time runs again before the process does.
        self.hold_for_choice(false);
        self.gates.grant(pid);
        supervisor_event(pid, body)
    }

    fn supervisor_event(&self, body: Body) {
        let _ = self.events_tx.try_send(supervisor_event(self.pgid, body));
    }

    /// True once every process of the run is gone and reaped.
    pub fn poll_finished(&mut self) -> bool {
        if !self.is_finished && self.finished.try_recv().is_ok() {
            self.is_finished = true;
        }
        self.is_finished
    }

    /// Stop the run: SIGTERM to every process of it (continued if paused),
    /// a grace, then SIGKILL; returns when every process is reaped.
    pub fn stop(&mut self) {
        if self.poll_finished() {
            return;
        }
        if self.ending.load(Ordering::Acquire) {
            // Nothing left to signal (and scanning /proc for it costs).
            self.wait_finished(Duration::from_secs(10));
            return;
        }
        self.stopping.store(true, Ordering::Relaxed);
        // What the program does on SIGTERM runs on the run's time again.
        self.hold_for_choice(false);
        self.gates.hold(Hold::Paused, false, now_ns());
        self.members.signal(Signal::SIGTERM);
        self.members.signal(Signal::SIGCONT);
        self.paused = false;
        if self.wait_finished(STOP_GRACE) {
            return;
        }
        self.members.signal(Signal::SIGKILL);
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
        if let Some(dir) = self.dir.take() {
            let path = dir.path().to_path_buf();
            drop(dir);
            watcher::forget_dir(&path);
        }
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
        .env("FORKLORE_BUFFERING", config.buffering.as_str())
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
        .env_remove("FORKLORE_CONTROL")
        .env_remove("FORKLORE_PYCACHE");
    // Only `unbuffered` is `python3 -u`; otherwise Python buffers as the
    // outputs' kind says (this machine, for one, sets it for everyone).
    match config.buffering {
        Buffering::Unbuffered => cmd.env("PYTHONUNBUFFERED", "1"),
        Buffering::Terminal | Buffering::Pipe => cmd.env_remove("PYTHONUNBUFFERED"),
    };
    if let Some(pycache) = &shim.pycache {
        cmd.env("FORKLORE_PYCACHE", pycache);
    }
    if let Some(method) = &config.start_method {
        cmd.env("FORKLORE_START_METHOD", method);
    }
    if let Some(dir) = &config.cwd {
        cmd.current_dir(dir);
    }
    cmd.stdin(Stdio::null()).process_group(0);
    cmd
}

pub(super) fn supervisor_event(pid: i32, body: Body) -> Event {
    Event {
        pid,
        t: now_ns(),
        body,
    }
}
