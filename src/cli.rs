//! Command-line interface.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use forklore::lesson::Pace;
use forklore::protocol::Buffering;
use forklore::ui::ThemeName;

#[derive(Parser, Debug)]
#[command(
    name = "forklore",
    version,
    about = "Watch real Python multiprocessing at work: processes, PIDs, queues, locks and Pool chunks, live."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Python interpreter for the lesson picker (default: python3 on PATH).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Colours for the lesson picker: default, or high-contrast.
    #[arg(long, value_enum, default_value_t = ThemeName::Default)]
    pub theme: ThemeName,
    /// Load lessons from this folder instead of the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    pub lessons: Option<PathBuf>,
    #[command(flatten)]
    pub teach: TeachArgs,
}

/// How a lesson is taught on the live screen.
#[derive(Args, Debug, Clone)]
pub struct TeachArgs {
    /// beats: the run holds at every narration beat until → (or space);
    /// free: it runs on, holding only for questions.
    #[arg(long, value_enum, default_value_t = Pace::Beats)]
    pub pace: Pace,
    /// Do not ask the lesson's prediction questions.
    #[arg(long)]
    pub no_predict: bool,
    /// The presenter's display, for projectors (100x30 and below): no code
    /// pane, a larger stage, the high-contrast theme.
    #[arg(long)]
    pub big: bool,
}

/// How `explore` searches (also `lesson --explore`).
#[derive(Args, Debug, Clone)]
pub struct SearchArgs {
    /// Run at most N schedules.
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_schedules: u32,
    /// Run J schedules at once (default: the number of cores).
    #[arg(long, value_name = "J", value_parser = clap::value_parser!(u32).range(1..=256))]
    pub jobs: Option<u32>,
    /// Write one schedule per outcome (outcome-N.schedule) and summary.json
    /// into DIR.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Try every order, without the partial-order reduction (to compare).
    #[arg(long)]
    pub no_reduction: bool,
}

/// Step mode and schedules (docs/schedules.md).
#[derive(Args, Debug, Clone, Default)]
pub struct StepArgs {
    /// Start in step mode: every process holds at its next checkpoint
    /// until you choose it (live screen; `s` toggles it any time).
    #[arg(long)]
    pub step: bool,
    /// Replay a schedule: the processes pass their checkpoints in exactly
    /// that order, then run freely. A file, or for a lesson the name of
    /// one it bundles (`race`).
    #[arg(long, value_name = "FILE", conflicts_with = "step")]
    pub schedule: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run any Python script under forklore's instrumentation.
    Run(RunArgs),
    /// Run a script again and again, each time under a different order at
    /// its checkpoints, and group the runs by outcome (docs/schedules.md).
    Explore(ExploreArgs),
    /// List the lessons: slug, then title.
    List,
    /// Run one lesson.
    Lesson(LessonArgs),
    /// Replay a recording made with --record.
    Replay(ReplayArgs),
    /// Share a recording: a web page that plays it, a Perfetto trace, or an
    /// asciicast.
    Export(ExportArgs),
    /// Export a recording as an asciicast v2 file (same as `export --cast`).
    Cast(CastArgs),
    /// Print a completion script for SHELL (bash, zsh, fish…).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print forklore's man page (roff); with --dir, write one page per
    /// command into DIR.
    Man {
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ReplayArgs {
    /// The recording (JSON Lines from --record).
    pub file: PathBuf,
    /// The presenter's display (see `forklore lesson --big`).
    #[arg(long)]
    pub big: bool,
    /// No screen: print the recorded output exactly as the run produced it.
    #[arg(long)]
    pub headless: bool,
    /// Narration language (default: from LANG).
    #[arg(long, value_parser = ["en", "zh"])]
    pub lang: Option<String>,
    /// Colours: default, or high-contrast for projectors.
    #[arg(long, value_enum, default_value_t = ThemeName::Default)]
    pub theme: ThemeName,
}

#[derive(Args, Debug, Clone)]
pub struct CastArgs {
    /// The recording (JSON Lines from --record).
    pub file: PathBuf,
    /// Where to write the asciicast file.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub screen: ScreenArgs,
}

/// `forklore export`: one recording, one format, one output file.
#[derive(Args, Debug, Clone)]
#[command(group(ArgGroup::new("format").required(true).args(["html", "perfetto", "cast"])))]
pub struct ExportArgs {
    /// The recording (JSON Lines from --record).
    pub file: PathBuf,
    /// One self-contained web page that plays the run as the screen showed
    /// it, narration beats as chapters (no network needed to view it).
    #[arg(long)]
    pub html: bool,
    /// Chrome trace-event JSON, for ui.perfetto.dev and chrome://tracing.
    #[arg(long)]
    pub perfetto: bool,
    /// An asciicast v2 file (asciinema's format).
    #[arg(long)]
    pub cast: bool,
    /// Where to write it.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
    #[command(flatten)]
    pub screen: ScreenArgs,
}

/// How a recording is drawn when it is exported as a screen (web page,
/// asciicast).
#[derive(Args, Debug, Clone)]
pub struct ScreenArgs {
    /// Terminal size of the screen, COLSxROWS.
    #[arg(long, default_value = "120x35", value_parser = parse_size)]
    pub size: (u16, u16),
    /// Playback speed (2 = twice as fast as recorded); a web page starts at
    /// it and can change it.
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Narration language (default: from LANG).
    #[arg(long, value_parser = ["en", "zh"])]
    pub lang: Option<String>,
}

fn parse_size(s: &str) -> Result<(u16, u16), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("`{s}`: expected COLSxROWS, e.g. 120x35"))?;
    let n = |v: &str| {
        v.parse::<u16>()
            .map_err(|_| format!("`{s}`: expected COLSxROWS, e.g. 120x35"))
    };
    let (w, h) = (n(w)?, n(h)?);
    if w < 80 || h < 24 {
        return Err(format!("`{s}`: the screen needs at least 80x24"));
    }
    // Every frame is drawn into a buffer of this size: keep it sane.
    if w > 1000 || h > 1000 {
        return Err(format!("`{s}`: the screen can be at most 1000x1000"));
    }
    Ok((w, h))
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
    /// How the lesson's stdout and stderr buffer (see `run --help`;
    /// default: as its lesson.toml says, else terminal).
    #[arg(long, value_enum)]
    pub buffering: Option<Buffering>,
    /// Colours: default, or high-contrast for projectors.
    #[arg(long, value_enum, default_value_t = ThemeName::Default)]
    pub theme: ThemeName,
    /// Walkthrough in one take: at each narration beat the processes pause
    /// for SECONDS, then go on by themselves.
    #[arg(long, value_name = "SECONDS", num_args = 0..=1, default_missing_value = "3")]
    pub autoplay: Option<f64>,
    #[command(flatten)]
    pub teach: TeachArgs,
    #[command(flatten)]
    pub steps: StepArgs,
    /// Explore every order that can matter at the checkpoints: the runs
    /// grouped by the lesson's outcome (its `outcome` fact); on the screen
    /// as `x` does, or printed with --headless.
    #[arg(long, conflicts_with_all = ["repeat", "schedule", "step"])]
    pub explore: bool,
    #[command(flatten)]
    pub search: SearchArgs,
    /// Run the lesson N times for real, in the background (as many at once
    /// as there are cores), and show a histogram of its outcome.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub repeat: Option<u32>,
    /// With --repeat --headless: print the histogram as one JSON object.
    #[arg(long, requires = "repeat")]
    pub json: bool,
    /// With --repeat: keep every run's recording in DIR (run-001.jsonl …).
    #[arg(long, value_name = "DIR", requires = "repeat")]
    pub recordings: Option<PathBuf>,
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
    /// How the script's stdout and stderr buffer: as in a terminal (one
    /// write per line), as `python3 -u`, or as `python3 x.py > file`.
    #[arg(long, value_enum, default_value_t = Buffering::Terminal)]
    pub buffering: Buffering,
    /// No screen: print the script's output, exit with its exit code.
    #[arg(long)]
    pub headless: bool,
    /// Write every event of the run as JSON Lines to FILE.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Report this module global of the script whenever it changes (repeatable).
    #[arg(long = "watch", value_name = "NAME")]
    pub watch: Vec<String>,
    /// Report, in every process, the script's line of its latest operation.
    #[arg(long)]
    pub lines: bool,
    /// Slow motion: multiply every time.sleep() of the script by FACTOR.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0)]
    pub slow: f64,
    /// Stop the run if it has more than N live processes at once (0: no
    /// limit).
    #[arg(long, value_name = "N", default_value_t = forklore::runtime::DEFAULT_MAX_PROCS,
          value_parser = clap::value_parser!(u32).range(0..=4096))]
    pub max_procs: u32,
    /// Colours: default, or high-contrast for projectors.
    #[arg(long, value_enum, default_value_t = ThemeName::Default)]
    pub theme: ThemeName,
    #[command(flatten)]
    pub steps: StepArgs,
}

#[derive(Args, Debug, Clone)]
pub struct ExploreArgs {
    /// The Python script to explore.
    pub script: PathBuf,
    /// Arguments passed to the script (after `--`).
    #[arg(last = true)]
    pub args: Vec<String>,
    /// No screen: print the outcomes (else the live screen runs the
    /// script and shows them, as `x` does).
    #[arg(long)]
    pub headless: bool,
    #[command(flatten)]
    pub search: SearchArgs,
    /// Python interpreter to use (default: python3 on PATH).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Default multiprocessing start method for the runs.
    #[arg(long, value_enum)]
    pub start_method: Option<StartMethod>,
    /// How the script's stdout and stderr buffer (see `run --help`).
    #[arg(long, value_enum, default_value_t = Buffering::Terminal)]
    pub buffering: Buffering,
}
