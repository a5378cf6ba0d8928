//! The commands that take forklore elsewhere: a recording exported as a web
//! page, an asciicast or a Perfetto trace; shell completions and man pages
//! generated from the same command-line definition.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;
use forklore::cast::CastOptions;
use forklore::export::html::HtmlOptions;
use forklore::session::Session;

use crate::cli::{CastArgs, Cli, ExportArgs, ScreenArgs};

/// `forklore cast`: the same as `forklore export --cast`.
pub fn cast(args: &CastArgs, dir: Option<&Path>) -> Result<ExitCode, String> {
    let args = ExportArgs {
        file: args.file.clone(),
        html: false,
        perfetto: false,
        cast: true,
        output: args.output.clone(),
        screen: args.screen.clone(),
    };
    export(&args, dir)
}

pub fn export(args: &ExportArgs, dir: Option<&Path>) -> Result<ExitCode, String> {
    let speed = args.screen.speed;
    if !(speed > 0.0 && speed.is_finite()) {
        return Err(format!("--speed must be a positive number, not {speed}"));
    }
    let mut session = replay_session(&args.file, dir)?;
    let out = args.output.as_path();
    let written = if args.html {
        let opts = html_options(&args.screen);
        write_to(out, |w| {
            forklore::export::html::write(&mut session, &opts, w).map(drop)
        })
    } else if args.perfetto {
        // The trace needs every event at once, not a replay's window.
        let events = forklore::record::read(&args.file).map_err(|e| e.to_string())?;
        let trace = forklore::export::perfetto::trace(&events);
        write_to(out, |w| {
            serde_json::to_writer(w, &trace).map_err(Into::into)
        })
    } else {
        let opts = cast_options(&args.screen);
        write_to(out, |w| {
            forklore::cast::export(&mut session, &opts, w).map(drop)
        })
    };
    written.map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    Ok(ExitCode::SUCCESS)
}

/// The recording at `file` ready to replay, narrated if it is a lesson's.
fn replay_session(file: &Path, dir: Option<&Path>) -> Result<Session, String> {
    let (replay, watch) = crate::playback::load_replay(file, dir)?;
    let mut session = Session::replay(replay);
    if let Some(player) = session.player_mut() {
        player.watch = watch;
    }
    Ok(session)
}

fn write_to<F>(path: &Path, fill: F) -> std::io::Result<()>
where
    F: FnOnce(&mut BufWriter<std::fs::File>) -> std::io::Result<()>,
{
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    fill(&mut out)?;
    out.flush()
}

fn cast_options(screen: &ScreenArgs) -> CastOptions {
    CastOptions {
        width: screen.size.0,
        height: screen.size.1,
        speed: screen.speed,
        lang: crate::lang(screen.lang.as_deref()),
    }
}

fn html_options(screen: &ScreenArgs) -> HtmlOptions {
    HtmlOptions {
        width: screen.size.0,
        height: screen.size.1,
        speed: screen.speed,
        lang: crate::lang(screen.lang.as_deref()),
    }
}

/// `forklore completions SHELL`: the script on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode, String> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "forklore", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}

/// `forklore man`: forklore(1) on stdout, or with `dir` forklore.1 and a
/// forklore-COMMAND.1 per subcommand written there.
pub fn man(dir: Option<&Path>) -> Result<ExitCode, String> {
    let cmd = Cli::command();
    match dir {
        Some(dir) => clap_mangen::generate_to(cmd, dir)
            .map_err(|e| format!("cannot write man pages into {}: {e}", dir.display()))?,
        None => clap_mangen::Man::new(cmd)
            .render(&mut std::io::stdout())
            .map_err(|e| format!("output: {e}"))?,
    }
    Ok(ExitCode::SUCCESS)
}
