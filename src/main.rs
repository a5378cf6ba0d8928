use std::path::Path;
use std::process::ExitCode;

use clap::Parser;
use crossbeam_channel::Receiver;

use forklore::headless::{self, Outcome};
use forklore::record::Recorder;
use forklore::runtime::{self, python, Run, RunConfig};

mod cli;
use cli::{Cli, Command, RunArgs};

/// Exit status for usage and setup errors (missing python, bad script...).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    install_hooks();
    let cli = Cli::parse();
    let signals = forward_signals();
    let result = match cli.command {
        Some(Command::Run(args)) => run_script(&args, &signals),
        None => {
            use clap::CommandFactory;
            let _ = Cli::command().print_help();
            Ok(ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|msg| {
        eprintln!("forklore: {msg}");
        ExitCode::from(USAGE_ERROR)
    })
}

/// color-eyre first, then a hook that kills every run's process group, so a
/// panic anywhere leaves no Python process behind.
fn install_hooks() {
    let _ = color_eyre::install();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        runtime::kill_all_runs();
        previous(info);
    }));
}

/// SIGINT, SIGTERM and SIGHUP arrive as messages, so the run is stopped and
/// reaped before forklore exits.
fn forward_signals() -> Receiver<i32> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let (tx, rx) = crossbeam_channel::unbounded();
    match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                for sig in signals.forever() {
                    let _ = tx.send(sig);
                }
            });
        }
        Err(e) => eprintln!("forklore: cannot watch signals: {e}"),
    }
    rx
}

fn run_config(args: &RunArgs) -> Result<RunConfig, String> {
    let script = checked_script(&args.script)?;
    let python = python::resolve(args.python.as_deref())?;
    if !(args.slow > 0.0 && args.slow.is_finite()) {
        return Err(format!(
            "--slow must be a positive number, not {}",
            args.slow
        ));
    }
    Ok(RunConfig {
        python: python.executable,
        script,
        args: args.args.clone(),
        start_method: args.start_method.map(|m| m.as_str().to_string()),
        watch: args.watch.clone(),
        lines: args.lines,
        slow: args.slow,
        cwd: None,
    })
}

fn checked_script(path: &Path) -> Result<std::path::PathBuf, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read script {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn run_script(args: &RunArgs, signals: &Receiver<i32>) -> Result<ExitCode, String> {
    let config = run_config(args)?;
    let recorder = match &args.record {
        Some(path) => Some(
            Recorder::create(path)
                .map_err(|e| format!("cannot write recording {}: {e}", path.display()))?,
        ),
        None => None,
    };
    if !args.headless {
        eprintln!("forklore: the live screen is not built yet; running headless");
    }
    let run = Run::start(&config).map_err(|e| e.to_string())?;
    let (outcome, _model) =
        headless::run(run, recorder, signals).map_err(|e| format!("output: {e}"))?;
    Ok(match outcome {
        Outcome::Finished(status) => ExitCode::from(status.clamp(0, 255) as u8),
        Outcome::Interrupted(sig) => ExitCode::from((128 + sig).clamp(0, 255) as u8),
    })
}
