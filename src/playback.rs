//! The commands that play a recording: `replay` (on the screen or its
//! output headless), and the bundled recording a lesson falls
//! back to without Python.

use std::path::Path;
use std::process::ExitCode;

use crossbeam_channel::Receiver;

use forklore::app::{Start, TuiOptions};
use forklore::headless::{self, Printer};
use forklore::protocol::{Body, Event};
use forklore::replay::Replay;

use crate::cli::ReplayArgs;
use crate::{catalog, exit_status, lang, screen};

/// Print recorded events' output exactly as the run wrote it; the run's
/// exit status.
pub fn print_recording(
    feed: impl FnOnce(&mut Printer) -> Result<(), String>,
) -> Result<ExitCode, String> {
    let mut printer = Printer::default();
    let fed = feed(&mut printer);
    let broken = |e: &str| e.contains("Broken pipe");
    match fed.and_then(|_| printer.finish().map_err(|e| e.to_string())) {
        Ok(model) => Ok(exit_status(headless::status(&model))),
        // Our reader went away (`| head`): be quiet.
        Err(e) if broken(&e) => Ok(ExitCode::from(141)),
        Err(e) => Err(e),
    }
}

/// Print the events of `events` (a bundled recording).
pub fn print_events(events: &[Event]) -> Result<ExitCode, String> {
    print_recording(|p| {
        events
            .iter()
            .try_for_each(|e| p.feed(e))
            .map_err(|e| format!("output: {e}"))
    })
}

/// A recording file and, when it was a lesson, that lesson's narration
/// and watched globals. The file is checked line by line (errors name the
/// line) and replayed from disk.
pub(crate) fn load_replay(
    file: &Path,
    dir: Option<&Path>,
) -> Result<(Replay, Vec<String>), String> {
    let first = forklore::record::first(file).map_err(|e| e.to_string())?;
    let Body::Hello { replay: meta, .. } = first.body else {
        return Err(format!(
            "{}:1: not a forklore recording (the first line is not a hello event)",
            file.display()
        ));
    };
    let lesson = meta
        .and_then(|m| m.lesson)
        .and_then(|slug| catalog(dir).ok()?.find(&slug).ok().cloned());
    let (beats, watch) = match lesson {
        Some(l) => (l.manifest.beats.clone(), l.manifest.watch.clone()),
        None => (Vec::new(), Vec::new()),
    };
    let replay = Replay::open(file, beats).map_err(|e| e.to_string())?;
    Ok((replay, watch))
}

pub fn replay(
    args: &ReplayArgs,
    dir: Option<&Path>,
    signals: &Receiver<i32>,
) -> Result<ExitCode, String> {
    if args.headless {
        return print_recording(|p| {
            forklore::record::each(&args.file, |_, e| p.feed(&e).map_err(|e| e.to_string()))
                .map_err(|e| e.to_string())
        });
    }
    let (replay, watch) = load_replay(&args.file, dir)?;
    let opts = TuiOptions {
        title: replay.meta.title.clone(),
        theme: args.theme,
        big: args.big,
        ..TuiOptions::default()
    };
    screen(
        Start::Replay {
            replay: Box::new(replay),
            watch,
            lang: lang(args.lang.as_deref()),
        },
        opts,
        signals,
    )
}
