//! `--headless`: no screen. The run's output is written to our stdout and
//! stderr from its `write` events, in the order the processes wrote it.

use std::io::{self, BufWriter, Stderr, Stdout, Write};

use crossbeam_channel::{select, Receiver};

use crate::model::{Model, RunState};
use crate::protocol::{Body, Event};
use crate::record::Recorder;
use crate::runtime::{reaper::shell_status, Run};

/// How a headless run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The script ended with this shell status (128+N if killed by N).
    Finished(i32),
    /// forklore was asked to stop by this signal; the run was stopped.
    Interrupted(i32),
}

/// Where a headless run's events go: our stdout/stderr, the recording and
/// the model (which gives the exit status).
pub struct Sink {
    out: BufWriter<Stdout>,
    err: BufWriter<Stderr>,
    recorder: Option<Recorder>,
    pub model: Model,
}

impl Sink {
    pub fn new(recorder: Option<Recorder>) -> Self {
        Sink {
            out: BufWriter::new(io::stdout()),
            err: BufWriter::new(io::stderr()),
            recorder,
            model: Model::new(),
        }
    }

    pub fn handle(&mut self, event: &Event) -> io::Result<()> {
        if let Body::Write { fd, text } = &event.body {
            // stdout and stderr share a terminal: keep their order.
            if *fd == 2 {
                self.out.flush()?;
                self.err.write_all(text.as_bytes())?;
                self.err.flush()?;
            } else {
                self.out.write_all(text.as_bytes())?;
            }
        }
        if let Some(rec) = self.recorder.as_mut() {
            rec.write(event)?;
        }
        self.model.update(event);
        Ok(())
    }

    /// Flush what is buffered (when no more events are waiting).
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.err.flush()?;
        if let Some(rec) = self.recorder.as_mut() {
            rec.flush()?;
        }
        Ok(())
    }

    /// The script's shell exit status, from the run's end.
    pub fn status(&self) -> i32 {
        match self.model.state {
            RunState::Finished(code) => shell_status(code),
            _ => 1,
        }
    }
}

pub fn run(
    mut run: Run,
    recorder: Option<Recorder>,
    signals: &Receiver<i32>,
) -> io::Result<(Outcome, Model)> {
    let mut sink = Sink::new(recorder);
    let events = run.events.clone();
    loop {
        select! {
            recv(events) -> msg => {
                let Ok(event) = msg else { break };
                sink.handle(&event)?;
                if matches!(event.body, Body::RunEnd { .. }) {
                    break;
                }
                if events.is_empty() {
                    sink.flush()?;
                }
            }
            recv(signals) -> sig => {
                let sig = sig.unwrap_or(nix::sys::signal::Signal::SIGTERM as i32);
                run.stop();
                // Take what the stopped run still had to say.
                for event in events.try_iter() {
                    sink.handle(&event)?;
                }
                sink.flush()?;
                return Ok((Outcome::Interrupted(sig), sink.model));
            }
        }
    }
    sink.flush()?;
    let status = sink.status();
    Ok((Outcome::Finished(status), sink.model))
}
