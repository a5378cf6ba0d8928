use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use crossbeam_channel::Receiver;

use forklore::app::{run_tui, TuiOptions};
use forklore::cast::CastOptions;
use forklore::headless::{self, Outcome};
use forklore::lesson::{Catalog, Lang, Lesson, ScriptDir, Settings};
use forklore::protocol::ReplayMeta;
use forklore::record::Recorder;
use forklore::replay::Replay;
use forklore::runtime::{self, python, Run, RunConfig};
use forklore::ui::ThemeName;

mod cli;
use cli::{CastArgs, Cli, Command, LessonArgs, ReplayArgs, RunArgs, Theme};

/// Exit status for usage and setup errors (missing python, bad script...).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    install_hooks();
    let cli = Cli::parse();
    let signals = forward_signals();
    let result = match &cli.command {
        Some(Command::Run(args)) => run_script(args, &signals),
        Some(Command::List) => list(cli.lessons.as_deref()),
        Some(Command::Lesson(args)) => run_lesson(args, cli.lessons.as_deref(), &signals),
        Some(Command::Replay(args)) => replay(args, cli.lessons.as_deref()),
        Some(Command::Cast(args)) => cast(args, cli.lessons.as_deref()),
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
        Err(e) => eprintln!("forklore: cannot watch signals: {e}"),
    }
    rx
}

fn theme(t: Theme) -> ThemeName {
    match t {
        Theme::Default => ThemeName::Default,
        Theme::HighContrast => ThemeName::HighContrast,
    }
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

fn checked_script(path: &Path) -> Result<PathBuf, String> {
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
    config: &RunConfig,
    title: &str,
    lesson: Option<(&str, &Settings)>,
) -> Result<Option<Recorder>, String> {
    let Some(path) = path else { return Ok(None) };
    let (cols, rows) = crossterm::terminal::size().unwrap_or((120, 35));
    let meta = ReplayMeta {
        title: title.to_string(),
        lesson: lesson.map(|(slug, _)| slug.to_string()),
        params: lesson
            .map(|(_, s)| {
                s.0.keys()
                    .filter_map(|k| Some((k.clone(), s.text(k)?)))
                    .collect()
            })
            .unwrap_or_default(),
        source: std::fs::read_to_string(&config.script).unwrap_or_default(),
        cols,
        rows,
    };
    Recorder::with_meta(path, meta)
        .map(Some)
        .map_err(|e| format!("cannot write recording {}: {e}", path.display()))
}

/// Run headless or on the live screen; returns forklore's exit status.
fn launch(
    config: RunConfig,
    headless: bool,
    recorder: Option<Recorder>,
    opts: impl FnOnce(Option<Recorder>) -> TuiOptions,
    signals: &Receiver<i32>,
) -> Result<ExitCode, String> {
    let status = if headless {
        let run = Run::start(&config).map_err(|e| e.to_string())?;
        match headless::run(run, recorder, signals) {
            Ok((Outcome::Finished(status), _)) => status,
            Ok((Outcome::Interrupted(sig), _)) => 128 + sig,
            // Our reader went away (`| head`): the run was stopped; be quiet.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 128 + libc_sigpipe(),
            Err(e) => return Err(format!("output: {e}")),
        }
    } else {
        run_tui(config, opts(recorder), signals).map_err(|e| e.to_string())?
    };
    Ok(ExitCode::from(status.clamp(0, 255) as u8))
}

fn libc_sigpipe() -> i32 {
    nix::sys::signal::Signal::SIGPIPE as i32
}

fn run_script(args: &RunArgs, signals: &Receiver<i32>) -> Result<ExitCode, String> {
    let config = run_config(args)?;
    let title = args.script.display().to_string();
    let rec = recorder(args.record.as_deref(), &config, &title, None)?;
    let opts = |recorder| TuiOptions {
        title,
        theme: theme(args.theme),
        recorder,
    };
    launch(config, args.headless, rec, opts, signals)
}

fn catalog(dir: Option<&Path>) -> Result<Catalog, String> {
    match dir {
        Some(d) => Catalog::from_dir(d),
        None => Catalog::embedded().map_err(|e| e.to_string()),
    }
}

fn list(dir: Option<&Path>) -> Result<ExitCode, String> {
    for lesson in &catalog(dir)?.lessons {
        println!("{:<30} {}", lesson.slug(), lesson.manifest.title.en);
    }
    Ok(ExitCode::SUCCESS)
}

/// How a lesson runs: its script, its parameters as flags, its manifest's
/// start method, watched globals and lines.
pub fn lesson_config(
    lesson: &Lesson,
    settings: &Settings,
    scripts: &ScriptDir,
    python: PathBuf,
) -> Result<RunConfig, String> {
    let script = scripts
        .script_path(lesson)
        .map_err(|e| format!("cannot write the lesson's script: {e}"))?;
    Ok(RunConfig {
        python,
        script,
        args: settings.script_args(),
        start_method: lesson.manifest.start_method.clone(),
        watch: lesson.manifest.watch.clone(),
        lines: lesson.manifest.lines,
        slow: lesson.manifest.slow.unwrap_or(1.0),
        cwd: None,
    })
}

fn run_lesson(
    args: &LessonArgs,
    dir: Option<&Path>,
    signals: &Receiver<i32>,
) -> Result<ExitCode, String> {
    let catalog = catalog(dir)?;
    let lesson = catalog.find(&args.slug)?;
    let settings = lesson.settings_from(&args.set)?;
    let python = python::resolve(args.python.as_deref())?.executable;
    let scripts =
        ScriptDir::new().map_err(|e| format!("cannot create a folder for lesson scripts: {e}"))?;
    let config = lesson_config(lesson, &settings, &scripts, python)?;
    let title = lesson.manifest.title.en.clone();
    let rec = recorder(
        args.record.as_deref(),
        &config,
        &title,
        Some((lesson.slug(), &settings)),
    )?;
    let opts = |recorder| TuiOptions {
        title,
        theme: theme(args.theme),
        recorder,
    };
    launch(config, args.headless, rec, opts, signals)
}

fn lang(arg: Option<&str>) -> Lang {
    arg.and_then(Lang::parse).unwrap_or_else(Lang::from_env)
}

/// A recording and, when it was a lesson, that lesson's narration.
fn load_replay(file: &Path, dir: Option<&Path>) -> Result<Replay, String> {
    let events = forklore::record::read(file).map_err(|e| e.to_string())?;
    if !matches!(
        events.first().map(|e| &e.body),
        Some(forklore::protocol::Body::Hello { .. })
    ) {
        return Err(format!(
            "{}:1: not a forklore recording (the first line is not a hello event)",
            file.display()
        ));
    }
    let mut replay = Replay::new(events, Vec::new());
    if let Some(slug) = replay.meta.lesson.clone() {
        if let Ok(lesson) = catalog(dir).and_then(|c| c.find(&slug).cloned()) {
            replay = Replay::new(
                std::mem::take(&mut replay.events),
                lesson.manifest.beats.clone(),
            );
        }
    }
    Ok(replay)
}

fn replay(args: &ReplayArgs, dir: Option<&Path>) -> Result<ExitCode, String> {
    let replay = load_replay(&args.file, dir)?;
    if !args.headless {
        return Err("the replay screen is not built yet: use --headless".into());
    }
    let mut sink = headless::Sink::new(None);
    let result = replay
        .events
        .iter()
        .try_for_each(|e| sink.handle(e))
        .and_then(|_| sink.flush());
    match result {
        Ok(()) => Ok(ExitCode::from(sink.status().clamp(0, 255) as u8)),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::from(141)),
        Err(e) => Err(format!("output: {e}")),
    }
}

fn cast(args: &CastArgs, dir: Option<&Path>) -> Result<ExitCode, String> {
    if !(args.speed > 0.0 && args.speed.is_finite()) {
        return Err(format!(
            "--speed must be a positive number, not {}",
            args.speed
        ));
    }
    let mut replay = load_replay(&args.file, dir)?;
    let file = std::fs::File::create(&args.output)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    let opts = CastOptions {
        width: args.size.0,
        height: args.size.1,
        speed: args.speed,
        lang: lang(args.lang.as_deref()),
    };
    forklore::cast::export(&mut replay, &opts, std::io::BufWriter::new(file))
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}
