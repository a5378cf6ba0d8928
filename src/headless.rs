//! `--headless`: no screen. The run's output is written to our stdout and
//! stderr from its `write` events, in the order the processes wrote it;
//! every event also goes through the session (recorded, folded).

use std::io::{self, BufWriter, Stderr, Stdout, Write};
use std::time::{Duration, Instant};

use crossbeam_channel::{select, tick, Receiver};

use crate::model::{Model, RunState, DEADLOCK_SETTLE};
use crate::protocol::{Body, Event, WriteBytes};
use crate::record::Recorder;
use crate::runtime::{reaper::shell_status, Run};
use crate::session::{Scheduler, Session, QUIET};

/// How a headless run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The script ended with this shell status (128+N if killed by N).
    Finished(i32),
    /// forklore was asked to stop by this signal; the run was stopped.
    Interrupted(i32),
    /// Every process of the run waited for another for good: forklore
    /// said so (with the wait-for graph) and stopped the run.
    Deadlocked,
}

/// forklore's exit status when it stopped a deadlocked run.
pub const DEADLOCK_STATUS: i32 = 3;

/// The run's output on our own stdout and stderr.
pub struct Output {
    out: BufWriter<Stdout>,
    err: BufWriter<Stderr>,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            out: BufWriter::new(io::stdout()),
            err: BufWriter::new(io::stderr()),
        }
    }
}

impl Output {
    /// Write what `event` says the run wrote, if it is a write.
    pub fn write(&mut self, event: &Event) -> io::Result<()> {
        if let (Body::Write { fd, .. }, Some(bytes)) = (&event.body, event.body.write_bytes()) {
            // stdout and stderr share a terminal: keep their order.
            if *fd == 2 {
                self.out.flush()?;
                self.err.write_all(&bytes)?;
                self.err.flush()?;
            } else {
                self.out.write_all(&bytes)?;
            }
        }
        Ok(())
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.err.flush()
    }
}

/// The script's shell exit status, from the run's end.
pub fn status(model: &Model) -> i32 {
    match model.state {
        RunState::Finished(code) => shell_status(code),
        _ => 1,
    }
}

/// Prints a recording's output exactly as the run wrote it, event by
/// event (a recording is not held in memory), and folds it.
#[derive(Default)]
pub struct Printer {
    session: Option<Session>,
    output: Output,
}

impl Printer {
    pub fn feed(&mut self, event: &Event) -> io::Result<()> {
        self.output.write(event)?;
        self.session
            .get_or_insert_with(Session::idle)
            .ingest(event)
            .map(|_| ())
    }

    /// Everything written; the model of the whole recording.
    pub fn finish(mut self) -> io::Result<Model> {
        self.output.flush()?;
        Ok(self.session.map(|s| s.model).unwrap_or_default())
    }
}

pub fn run(
    run: Run,
    recorder: Option<Recorder>,
    scheduler: Scheduler,
    signals: &Receiver<i32>,
) -> io::Result<(Outcome, Model)> {
    let events = run.events.clone();
    let mut session = Session::live(run, Vec::new(), recorder);
    session.scheduler = scheduler;
    let mut output = Output::default();
    let flush = |session: &mut Session, output: &mut Output| -> io::Result<()> {
        output.flush()?;
        match session.recorder.as_mut() {
            Some(rec) => rec.flush(),
            None => Ok(()),
        }
    };
    let ticks = tick(Duration::from_millis(250));
    let mut last_event = Instant::now();
    loop {
        select! {
            recv(events) -> msg => {
                let Ok(event) = msg else { break };
                last_event = Instant::now();
                output.write(&event)?;
                session.ingest(&event)?;
                if let Some(note) = session.scheduler.trouble.take() {
                    output.flush()?;
                    eprintln!("forklore: {note}");
                }
                if matches!(event.body, Body::RunEnd { .. }) {
                    break;
                }
                if events.is_empty() {
                    flush(&mut session, &mut output)?;
                }
            }
            recv(signals) -> sig => {
                let sig = sig.unwrap_or(nix::sys::signal::Signal::SIGTERM as i32);
                stop(&mut session, &events, &mut output)?;
                flush(&mut session, &mut output)?;
                return Ok((Outcome::Interrupted(sig), session.model));
            }
            recv(ticks) -> _ => {
                if last_event.elapsed() >= QUIET {
                    session.schedule_when_quiet()?;
                    if let Some(note) = session.scheduler.trouble.take() {
                        output.flush()?;
                        eprintln!("forklore: {note}");
                    }
                }
                if last_event.elapsed() < DEADLOCK_SETTLE {
                    continue;
                }
                let Some(stuck) = session.model.deadlock() else { continue };
                flush(&mut session, &mut output)?;
                eprintln!("forklore: deadlock: every process of the run waits for another, and none can go on:");
                for s in &stuck {
                    eprintln!("  {}", s.describe());
                }
                eprintln!("forklore: the run was stopped.");
                stop(&mut session, &events, &mut output)?;
                flush(&mut session, &mut output)?;
                return Ok((Outcome::Deadlocked, session.model));
            }
        }
    }
    flush(&mut session, &mut output)?;
    let status = status(&session.model);
    Ok((Outcome::Finished(status), session.model))
}

/// Stop the run and take what it still had to say (its end included).
fn stop(session: &mut Session, events: &Receiver<Event>, output: &mut Output) -> io::Result<()> {
    if let Some(run) = session.run_mut() {
        run.stop();
    }
    for event in events.try_iter() {
        output.write(&event)?;
        session.ingest(&event)?;
    }
    Ok(())
}
