//! How a run's Python processes buffer their stdout and stderr: as in the
//! learner's terminal (the default), as `python3 -u`, or as
//! `python3 x.py > file`. The run is started so (runtime), the `hello`
//! event says which, and the header shows it when it is not the default.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Buffering {
    /// stdout and stderr are terminals: Python line-buffers them (one
    /// write per line), `isatty()` is true, as in a terminal at home.
    #[default]
    Terminal,
    /// As `python3 -u`: every piece of a print is its own write.
    Unbuffered,
    /// stdout and stderr are pipes, as in `python3 x.py > file`: Python
    /// block-buffers stdout, so a terminated child's unflushed prints are
    /// lost.
    Pipe,
}

impl Buffering {
    /// The name `--buffering` and `lesson.toml` use.
    pub fn as_str(self) -> &'static str {
        match self {
            Buffering::Terminal => "terminal",
            Buffering::Unbuffered => "unbuffered",
            Buffering::Pipe => "pipe",
        }
    }

    /// What the header shows: the command line that buffers so at home;
    /// nothing for the default.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Buffering::Terminal => None,
            Buffering::Unbuffered => Some("-u"),
            Buffering::Pipe => Some("> file"),
        }
    }
}

impl std::fmt::Display for Buffering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
