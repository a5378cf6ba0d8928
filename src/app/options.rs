//! How the live screen is started: what it shows and with which options
//! (the command line's choices).

use std::time::Duration;

use crate::lesson::{Lang, LessonSession, Pace};
use crate::record::Recorder;
use crate::replay::Replay;
use crate::runtime::RunConfig;
use crate::schedule::Schedule;
use crate::ui::ThemeName;

#[derive(Default)]
pub struct TuiOptions {
    /// The lesson or script name for the header.
    pub title: String,
    pub theme: ThemeName,
    /// Records the events of the run on screen; a restart starts the file
    /// over, so it always holds the latest run.
    pub recorder: Option<Recorder>,
    /// Lessons: pause the processes at each narration beat for this long,
    /// then go on by themselves (a walkthrough in one take).
    pub autoplay: Option<Duration>,
    /// Lessons: hold at every beat until the teacher goes on, or run free.
    pub pace: Pace,
    /// Lessons: ask the manifest's `[[predict]]` questions.
    pub predict: bool,
    /// The presenter's layout, in the high-contrast theme.
    pub big: bool,
    /// Lessons: run the lesson this many times in the background at once
    /// (`--repeat N`); the number `R` uses too.
    pub repeat: Option<usize>,
    /// Start in step mode (`--step`).
    pub step: bool,
    /// Replay this schedule at the start of each run (`--schedule`).
    pub schedule: Option<Schedule>,
    /// Explore every order of the program at once (`explore`, `--explore`).
    pub explore: bool,
    /// How `x` (and `explore`) searches: at most this many schedules,
    /// this many at once, the outcomes saved here.
    pub search: SearchSettings,
}

/// How an exploration on the screen searches.
#[derive(Clone, Debug)]
pub struct SearchSettings {
    pub max_schedules: usize,
    /// None: as many as there are cores.
    pub jobs: Option<usize>,
    /// Where to save each outcome's schedule and summary.json.
    pub out: Option<std::path::PathBuf>,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            max_schedules: 1000,
            jobs: None,
            out: None,
        }
    }
}

/// What the screen shows.
pub enum Start {
    /// Any script (`forklore run`).
    Script(RunConfig),
    /// A lesson (`forklore lesson`), or the picker first (`forklore`).
    Lesson {
        session: Box<LessonSession>,
        picker: bool,
    },
    /// A recording (`forklore replay`), with its lesson's narration if any.
    Replay {
        replay: Box<Replay>,
        watch: Vec<String>,
        lang: Lang,
    },
}
