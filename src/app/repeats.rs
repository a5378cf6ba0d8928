//! `R` (and `--repeat N`) on the live screen: the lesson, as it is set,
//! run N times for real in the background while the class watches this
//! run; a window shows the progress and the histogram of the lesson's
//! outcome as it grows, with this run's value marked once it is known.

use crossbeam_channel::{never, Receiver};

use super::{App, Exit, Window};
use crate::keys::Command;
use crate::lesson::condition::FactExpr;
use crate::lesson::facts::facts;
use crate::lesson::histogram::Histogram;
use crate::lesson::Settings;
use crate::model::RunState;
use crate::repeat::{self, Batch, Done};

/// How many runs `R` asks for without `--repeat N`.
pub const DEFAULT_RUNS: usize = 50;

/// A batch of runs and what it has shown so far.
pub(super) struct Repeats {
    batch: Batch,
    pub histogram: Histogram,
    pub done: usize,
    /// The runs stopped sending (all done, or cancelled).
    over: bool,
    /// What was repeated: this lesson with these values.
    pub title: String,
    slug: String,
    settings: Settings,
    outcome: Option<FactExpr>,
    /// The outcome of the run on screen, once it has ended (when it is
    /// the same lesson with the same values).
    pub mark: Option<String>,
}

impl Repeats {
    pub fn runs(&self) -> usize {
        self.batch.runs
    }

    pub fn is_over(&self) -> bool {
        self.over || self.done >= self.batch.runs
    }
}

impl App {
    /// Start repeating the lesson in the background (R).
    pub(super) fn start_repeats(&mut self) {
        if self.repeats.as_ref().is_some_and(|r| !r.is_over()) {
            self.window = Window::Histogram;
            return;
        }
        let Some(lesson) = &self.lesson else { return };
        match repeat::plan_for(lesson, self.repeat_runs, None) {
            Ok(plan) => {
                let outcome = plan.outcome_text.clone();
                self.repeats = Some(Repeats {
                    batch: Batch::start(plan),
                    histogram: Histogram::new(&outcome),
                    done: 0,
                    over: false,
                    title: lesson.title(),
                    slug: lesson.lesson().slug().to_string(),
                    settings: lesson.settings.clone(),
                    outcome: FactExpr::parse(&outcome).ok(),
                    mark: None,
                });
                self.window = Window::Histogram;
            }
            Err(e) => self.ui.message = Some(e),
        }
    }

    /// Where finished runs are announced (never, without a batch going).
    pub(super) fn repeats_source(&self) -> Receiver<Done> {
        match &self.repeats {
            Some(r) if !r.is_over() => r.batch.done.clone(),
            _ => never(),
        }
    }

    /// One run of the batch finished (None: the batch stopped sending).
    pub(super) fn repeat_done(&mut self, done: Option<Done>) {
        let Some(r) = self.repeats.as_mut() else {
            return;
        };
        let Some(done) = done else {
            r.over = true;
            return;
        };
        r.done += 1;
        if let Some(why) = repeat::tally(&mut r.histogram, done) {
            self.ui.message = Some(why);
        }
        if r.is_over() {
            // The histogram is what the class waited for.
            self.window = Window::Histogram;
        } else if !matches!(self.window, Window::Histogram) {
            let note = format!(
                "{} of {} runs in the background (R shows them)",
                r.done,
                r.runs()
            );
            self.ui.message = Some(note);
        }
    }

    /// Keys of the histogram window.
    pub(super) fn histogram_command(&mut self, command: Command) -> Option<Exit> {
        match command {
            Command::Quit => return Some(Exit::Quit),
            Command::Close => self.window = Window::None,
            Command::Repeat => self.start_repeats(),
            _ => {}
        }
        None
    }

    /// This run's outcome, for the histogram's mark, once it has ended.
    pub(super) fn mark_this_run(&mut self) {
        let (Some(r), Some(lesson)) = (self.repeats.as_mut(), &self.lesson) else {
            return;
        };
        let same = r.slug == lesson.lesson().slug() && r.settings == lesson.settings;
        let ended = matches!(self.session.model.state, RunState::Finished(_));
        r.mark = match (&r.outcome, same && ended && self.session.run().is_some()) {
            (Some(outcome), true) => {
                let f = facts(&self.session.model, &lesson.lesson().manifest.watch);
                outcome.value(&f)
            }
            _ => None,
        };
    }
}
