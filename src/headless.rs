//! `--headless`: no screen. The run's output is written to our stdout and
//! stderr from its `write` events, in the order the processes wrote it.

use std::io::{self, Write};

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

pub fn run(
    mut run: Run,
    mut recorder: Option<Recorder>,
    signals: &Receiver<i32>,
) -> io::Result<(Outcome, Model)> {
    let mut model = Model::new();
    let events = run.events.clone();
    loop {
        select! {
            recv(events) -> msg => {
                let Ok(event) = msg else { break };
                let finished = matches!(event.body, Body::RunEnd { .. });
                handle(&event, &mut model, recorder.as_mut())?;
                if finished {
                    break;
                }
            }
            recv(signals) -> sig => {
                let sig = sig.unwrap_or(libc_sigterm());
                run.stop();
                // Take what the stopped run still had to say.
                for event in events.try_iter() {
                    handle(&event, &mut model, recorder.as_mut())?;
                }
                finish(recorder)?;
                return Ok((Outcome::Interrupted(sig), model));
            }
        }
    }
    finish(recorder)?;
    let status = match model.state {
        RunState::Finished(code) => shell_status(code),
        _ => 1,
    };
    Ok((Outcome::Finished(status), model))
}

fn libc_sigterm() -> i32 {
    nix::sys::signal::Signal::SIGTERM as i32
}

fn handle(event: &Event, model: &mut Model, recorder: Option<&mut Recorder>) -> io::Result<()> {
    if let Body::Write { fd, text } = &event.body {
        if *fd == 2 {
            let mut err = io::stderr().lock();
            err.write_all(text.as_bytes())?;
            err.flush()?;
        } else {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    if let Some(rec) = recorder {
        rec.write(event)?;
    }
    model.update(event);
    Ok(())
}

fn finish(recorder: Option<Recorder>) -> io::Result<()> {
    if let Some(mut rec) = recorder {
        rec.flush()?;
    }
    Ok(())
}
