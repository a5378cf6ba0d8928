//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "forklore",
    version,
    about = "Watch real Python multiprocessing at work: processes, PIDs, queues, locks and Pool chunks, live."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Load lessons from this folder instead of the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run any Python script under forklore's instrumentation.
    Run(RunArgs),
    /// List the lessons: slug, then title.
    List,
    /// Run one lesson.
    Lesson(LessonArgs),
}

#[derive(Args, Debug, Clone)]
pub struct LessonArgs {
    /// The lesson's slug (see `forklore list`).
    pub slug: String,
    /// Set a parameter, e.g. --set workers=4 (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// No screen: print the script's output, exit with its exit code.
    #[arg(long)]
    pub headless: bool,
    /// Write every event of the run as JSON Lines to FILE.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Narration language (default: from LANG).
    #[arg(long, value_parser = ["en", "zh"])]
    pub lang: Option<String>,
    /// Python interpreter to use (default: python3 on PATH).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Colours: default, or high-contrast for projectors.
    #[arg(long, value_enum, default_value_t = Theme::Default)]
    pub theme: Theme,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Theme {
    Default,
    HighContrast,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum StartMethod {
    Fork,
    Spawn,
    Forkserver,
}

impl StartMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            StartMethod::Fork => "fork",
            StartMethod::Spawn => "spawn",
            StartMethod::Forkserver => "forkserver",
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The Python script to run.
    pub script: PathBuf,
    /// Arguments passed to the script (after `--`).
    #[arg(last = true)]
    pub args: Vec<String>,
    /// Python interpreter to use (default: python3 on PATH).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Default multiprocessing start method for the run (a script's own
    /// set_start_method still wins).
    #[arg(long, value_enum)]
    pub start_method: Option<StartMethod>,
    /// No screen: print the script's output, exit with its exit code.
    #[arg(long)]
    pub headless: bool,
    /// Write every event of the run as JSON Lines to FILE.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Report this module global of the script whenever it changes (repeatable).
    #[arg(long = "watch", value_name = "NAME")]
    pub watch: Vec<String>,
    /// Report the current line of the script in every process.
    #[arg(long)]
    pub lines: bool,
    /// Slow motion: multiply every time.sleep() of the script by FACTOR.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub slow: f64,
    /// Colours: default, or high-contrast for projectors.
    #[arg(long, value_enum, default_value_t = Theme::Default)]
    pub theme: Theme,
}
