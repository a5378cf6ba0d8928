use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use crossbeam_channel::Receiver;

use forklore::app::{run_tui, Start, TuiOptions};
use forklore::headless::{self, Outcome};
use forklore::lesson::{Catalog, Lang, LessonSession, Settings};
use forklore::protocol::ReplayMeta;
use forklore::record::Recorder;
use forklore::runtime::{self, python, Run, RunConfig};
use forklore::schedule::Schedule;
use forklore::session::Scheduler;

mod cli;
mod explore_cmd;
mod lesson_cmd;
mod playback;
mod share;
use cli::{Cli, Command, RunArgs, StepArgs, TeachArgs};

/// Exit status for usage and setup errors (missing python, bad script...).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == runtime::watcher::ARG)
    {
        runtime::watcher::serve();
    }
    install_hooks();
    let cli = Cli::parse();
    let signals = forward_signals();
    let dir = cli.lessons.as_deref();
    let result = match &cli.command {
        Some(Command::Run(args)) => run_script(args, &signals),
        Some(Command::Explore(args)) => explore_cmd::explore(args, &signals),
        Some(Command::List) => list(dir),
        Some(Command::Lesson(args)) => lesson_cmd::run_lesson(args, dir, &signals),
        Some(Command::Replay(args)) => playback::replay(args, dir, &signals),
        Some(Command::Export(args)) => share::export(args, dir),
        Some(Command::Cast(args)) => share::cast(args, dir),
        Some(Command::Completions { shell }) => share::completions(*shell),
        Some(Command::Man { dir }) => share::man(dir.as_deref()),
        None => picker(&cli, &signals),
    };
    result.unwrap_or_else(|msg| {
        say(&msg);
        ExitCode::from(USAGE_ERROR)
    })
}

/// color-eyre first, then a hook that kills every run's process group, so a
/// panic anywhere leaves no Python process behind (the screen's own hook,
/// installed later by ratatui, restores the terminal and chains to these).
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
        Err(e) => say(&format!("cannot watch signals: {e}")),
    }
    rx
}

/// The live screen needs a terminal that can draw it: say so plainly
/// rather than fail midway or paint escape codes into a file.
fn can_draw() -> Result<(), String> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return Err(
            "the live screen needs a terminal, and stdout is not one: use --headless \
             (or `forklore replay --headless` for a recording)"
                .into(),
        );
    }
    if std::env::var("TERM").is_ok_and(|t| t == "dumb" || t.is_empty()) {
        return Err(
            "this terminal (TERM=dumb) cannot show the live screen: use --headless, \
             or a terminal such as xterm"
                .into(),
        );
    }
    Ok(())
}

/// One line on stderr; if stderr is gone (a closed terminal), nothing
/// (`eprintln!` would panic).
fn say(msg: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "forklore: {msg}");
}

pub(crate) fn lang(arg: Option<&str>) -> Lang {
    arg.and_then(Lang::parse).unwrap_or_else(Lang::from_env)
}

pub(crate) fn exit_status(status: i32) -> ExitCode {
    ExitCode::from(status.clamp(0, 255) as u8)
}

pub(crate) fn catalog(dir: Option<&Path>) -> Result<Catalog, String> {
    match dir {
        Some(d) => Catalog::from_dir(d),
        None => Catalog::embedded().map_err(|e| e.to_string()),
    }
}

pub(crate) fn checked_script(path: &Path) -> Result<PathBuf, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read script {}: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    std::path::absolute(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A recorder keeping what a replay needs: title, lesson and parameters,
/// the script's text and the terminal size.
fn recorder(
    path: Option<&Path>,
    script: &Path,
    title: &str,
    lesson: Option<(&str, &Settings)>,
) -> Result<Option<Recorder>, String> {
    let Some(path) = path else { return Ok(None) };
    let (cols, rows) = crossterm::terminal::size().unwrap_or((120, 35));
    let params = lesson.map(|(_, s)| s.to_params());
    let meta = ReplayMeta {
        title: title.to_string(),
        lesson: lesson.map(|(slug, _)| slug.to_string()),
        params: params.unwrap_or_default(),
        source: std::fs::read_to_string(script).unwrap_or_default(),
        cols,
        rows,
    };
    Recorder::with_meta(path, meta)
        .map(Some)
        .map_err(|e| format!("cannot write recording {}: {e}", path.display()))
}

/// A run without a screen; returns forklore's exit status.
fn headless_run(
    config: &RunConfig,
    recorder: Option<Recorder>,
    scheduler: Scheduler,
    signals: &Receiver<i32>,
) -> Result<ExitCode, String> {
    let run = Run::start(config).map_err(|e| e.to_string())?;
    let outcome = headless::run(run, recorder, scheduler, signals).map(|(outcome, model)| {
        if let Some(limit) = model.stats.too_many_procs {
            say(&format!(
                "the run had more than {limit} processes at once and was stopped \
                 (--max-procs {limit})"
            ));
        }
        outcome
    });
    outcome_status(outcome)
}

/// forklore's exit status after a headless run (or runs).
fn outcome_status(outcome: std::io::Result<Outcome>) -> Result<ExitCode, String> {
    let status = match outcome {
        Ok(Outcome::Finished(status)) => status,
        Ok(Outcome::Interrupted(sig)) => 128 + sig,
        Ok(Outcome::Deadlocked) => forklore::headless::DEADLOCK_STATUS,
        // Our reader went away (`| head`): the run was stopped; be quiet.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            128 + nix::sys::signal::Signal::SIGPIPE as i32
        }
        Err(e) => return Err(format!("output: {e}")),
    };
    Ok(exit_status(status))
}

pub(crate) fn screen(
    start: Start,
    opts: TuiOptions,
    signals: &Receiver<i32>,
) -> Result<ExitCode, String> {
    can_draw()?;
    run_tui(start, opts, signals)
        .map(exit_status)
        .map_err(|e| e.to_string())
}

fn run_script(args: &RunArgs, signals: &Receiver<i32>) -> Result<ExitCode, String> {
    let script = checked_script(&args.script)?;
    let python = interpreter(args.python.as_deref(), signals).map_err(|e| e.to_string())?;
    if !(args.slow > 0.0 && args.slow.is_finite()) {
        return Err(format!(
            "--slow must be a positive number, not {}",
            args.slow
        ));
    }
    let config = RunConfig {
        python: python.executable,
        script,
        args: args.args.clone(),
        start_method: args.start_method.map(|m| m.as_str().to_string()),
        watch: args.watch.clone(),
        lines: args.lines,
        slow: args.slow,
        cwd: None,
        max_procs: args.max_procs,
        step: None,
        buffering: args.buffering,
    };
    let schedule = match &args.steps.schedule {
        Some(path) => Some(Schedule::load(Path::new(path))?),
        None => None,
    };
    let (config, scheduler) = stepping(config, &args.steps, schedule.clone(), args.headless)?;
    let title = args.script.display().to_string();
    let rec = recorder(args.record.as_deref(), &config.script, &title, None)?;
    if args.headless {
        return headless_run(&config, rec, scheduler, signals);
    }
    let opts = TuiOptions {
        title,
        theme: args.theme,
        recorder: rec,
        step: args.steps.step,
        schedule,
        ..TuiOptions::default()
    };
    screen(Start::Script(config), opts, signals)
}

/// The run's step mode: from the start with `--step`, replaying a
/// schedule with `--schedule` (then held from the start too).
fn stepping(
    config: RunConfig,
    args: &StepArgs,
    schedule: Option<Schedule>,
    headless: bool,
) -> Result<(RunConfig, Scheduler), String> {
    if args.step && headless {
        return Err(
            "--step needs the screen (you choose who moves); headless, replay a schedule \
             with --schedule FILE"
                .into(),
        );
    }
    let step = match (&schedule, args.step, headless) {
        (Some(_), _, _) | (None, true, _) => Some(true),
        // The live screen can turn step mode on at any moment.
        (None, false, false) => Some(false),
        (None, false, true) => None,
    };
    let scheduler = schedule.map(Scheduler::replaying).unwrap_or_default();
    Ok((RunConfig { step, ..config }, scheduler))
}

fn list(dir: Option<&Path>) -> Result<ExitCode, String> {
    for lesson in &catalog(dir)?.lessons {
        let line = format!("{:<30} {}\n", lesson.slug(), lesson.manifest.title.en);
        if std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes()).is_err() {
            break; // `forklore list | head`
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The interpreter to run with. A signal while asking it ends forklore at
/// once, with 128 + the signal (nothing of a run exists yet).
pub(crate) fn interpreter(
    requested: Option<&Path>,
    signals: &Receiver<i32>,
) -> Result<python::Python, python::PythonError> {
    match python::resolve_or_stop(requested, signals) {
        Err(python::PythonError::Interrupted(sig)) => {
            std::process::exit(128 + sig);
        }
        other => other,
    }
}

/// A lesson's pace and questions as the command line asks.
fn teaching(args: &TeachArgs) -> TuiOptions {
    TuiOptions {
        pace: args.pace,
        predict: !args.no_predict,
        big: args.big,
        ..TuiOptions::default()
    }
}

/// The interpreter, or None (after saying why) when lessons must fall back
/// to their bundled recordings: no python3 at all, or one that is too old.
/// A `--python` that is not Python at all stays an error.
fn python_or_fallback(
    requested: Option<&Path>,
    signals: &Receiver<i32>,
) -> Result<Option<PathBuf>, String> {
    match interpreter(requested, signals) {
        Ok(p) => Ok(Some(p.executable)),
        Err(e) if e.means_no_python() => {
            say(&format!(
                "{e}; showing recorded runs of the lessons instead"
            ));
            Ok(None)
        }
        Err(e) => Err(e.to_string()),
    }
}

/// `forklore` alone: the lesson picker, then the chosen lesson.
fn picker(cli: &Cli, signals: &Receiver<i32>) -> Result<ExitCode, String> {
    let catalog = catalog(cli.lessons.as_deref())?;
    if catalog.lessons.is_empty() {
        return Err("there are no lessons to show".into());
    }
    let python = python_or_fallback(cli.python.as_deref(), signals)?;
    let session = LessonSession::new(catalog, 0, Settings::default(), Lang::from_env(), python)
        .map_err(|e| format!("cannot create a folder for lesson scripts: {e}"))?;
    let opts = TuiOptions {
        title: "lessons".into(),
        theme: cli.theme,
        ..teaching(&cli.teach)
    };
    screen(
        Start::Lesson {
            session: Box::new(session),
            picker: true,
        },
        opts,
        signals,
    )
}
