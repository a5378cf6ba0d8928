//! `forklore explore --headless SCRIPT`: every order that can matter at
//! the checkpoints, the runs grouped by outcome (src/explore).

use std::process::ExitCode;

use crossbeam_channel::Receiver;

use forklore::explore::{explore as explore_runs, pool::Ended, Narrow, Options};
use forklore::runtime::{RunConfig, DEFAULT_MAX_PROCS};

use crate::cli::{ExploreArgs, SearchArgs};
use crate::{checked_script, exit_status, interpreter, screen, USAGE_ERROR};
use forklore::app::{SearchSettings, Start, TuiOptions};

pub fn explore(args: &ExploreArgs, signals: &Receiver<i32>) -> Result<ExitCode, String> {
    let script = checked_script(&args.script)?;
    let python = interpreter(args.python.as_deref(), signals).map_err(|e| e.to_string())?;
    let config = RunConfig {
        python: python.executable,
        script,
        args: args.args.clone(),
        start_method: args.start_method.map(|m| m.as_str().to_string()),
        buffering: args.buffering,
        slow: 1.0,
        max_procs: DEFAULT_MAX_PROCS,
        ..RunConfig::default()
    };
    if !args.headless {
        // The live screen runs the script and explores it (as `x` does).
        let opts = TuiOptions {
            title: args.script.display().to_string(),
            explore: true,
            search: screen_search(&args.search),
            ..TuiOptions::default()
        };
        return screen(Start::Script(config), opts, signals);
    }
    search_and_report(config, &args.search, None, signals)
}

/// The screen's search, as the command line set it.
pub fn screen_search(search: &SearchArgs) -> SearchSettings {
    SearchSettings {
        max_schedules: search.max_schedules as usize,
        jobs: search.jobs.map(|j| j as usize),
        out: search.out.clone(),
    }
}

/// Explore `config`'s program as `search` says, print the outcomes (and
/// save them with `--out`); `narrow`: a lesson's outcome fact.
pub fn search_and_report(
    config: RunConfig,
    search: &SearchArgs,
    narrow: Option<Narrow>,
    signals: &Receiver<i32>,
) -> Result<ExitCode, String> {
    if let Some(dir) = &search.out {
        if dir.exists() && !dir.is_dir() {
            return Err(format!("--out {}: not a folder", dir.display()));
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let opts = Options {
        config: RunConfig {
            step: Some(true),
            ..config
        },
        max_schedules: search.max_schedules as usize,
        jobs: search.jobs.map_or(cores, |j| j as usize),
        reduce: !search.no_reduction,
        progress: true,
        narrow,
        on_progress: None,
    };
    let (report, signal) = match explore_runs(&opts, signals)? {
        Ended::Done(report) => (report, None),
        Ended::Interrupted(sig, report) => (report, Some(sig)),
    };
    let mut text = report.text();
    if let Some(dir) = &search.out {
        report
            .save(dir)
            .map_err(|e| format!("cannot write into {}: {e}", dir.display()))?;
        text += &format!(
            "\nschedules and summary.json in {} (replay one: forklore run --schedule FILE)\n",
            dir.display()
        );
    }
    let _ = std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes());
    match signal {
        Some(sig) => Ok(exit_status(128 + sig)),
        None if report.groups.is_empty() => Ok(ExitCode::from(USAGE_ERROR)),
        None => Ok(ExitCode::SUCCESS),
    }
}
