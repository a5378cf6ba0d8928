//! `x` on the live screen: the program on screen (a lesson as it is set,
//! or the script) explored in the background, every order at its
//! checkpoints that can matter (src/explore); a window shows the progress,
//! then each outcome with how many schedules reach it and its shortest
//! schedule. Enter replays the chosen outcome's schedule on the screen.

use std::time::Instant;

use crossbeam_channel::{never, unbounded, Receiver, Sender};

use super::{App, Exit, Window};
use crate::explore::pool::Ended;
use crate::explore::{explore, Narrow, Options, Report};
use crate::keys::Command;
use crate::runtime::RunConfig;
use crate::schedule::{Schedule, Step};

/// A search going on in the background, or its result.
pub(super) struct Exploring {
    pub title: String,
    pub started: Instant,
    /// Schedules run and outcomes found so far.
    pub progress: (usize, usize),
    progress_rx: Receiver<(usize, usize)>,
    done_rx: Receiver<Result<Ended, String>>,
    /// Sending anything stops the search.
    cancel: Sender<i32>,
    pub report: Option<Report>,
    pub error: Option<String>,
    pub selected: usize,
    /// The outcome a lesson calls correct (`lost_updates = 0`), if it does.
    pub correct: Option<String>,
}

impl Exploring {
    pub fn is_over(&self) -> bool {
        self.report.is_some() || self.error.is_some()
    }

    /// Stop the search and wait (a few seconds at most) until each of its
    /// runs is stopped and reaped.
    pub fn stop(self) {
        let _ = self.cancel.send(15);
        if !self.is_over() {
            let _ = self
                .done_rx
                .recv_timeout(std::time::Duration::from_secs(10));
        }
    }
}

impl Drop for Exploring {
    fn drop(&mut self) {
        // Every run of the search is stopped before it reports back.
        let _ = self.cancel.send(15);
    }
}

impl App {
    /// Start exploring the program on screen, or show the search going on.
    pub(super) fn start_exploring(&mut self) {
        if self.exploring.as_ref().is_some_and(|e| !e.is_over()) {
            self.window = Window::Explore;
            return;
        }
        let (config, narrow, title) = match self.explore_target() {
            Ok(target) => target,
            Err(e) => {
                self.ui.message = Some(e);
                return;
            }
        };
        let correct = self.lesson.as_ref().and_then(|l| {
            let m = &l.lesson().manifest;
            Some(format!(
                "{} = {}\n",
                m.outcome.as_ref()?,
                m.correct.as_ref()?
            ))
        });
        let (progress_tx, progress_rx) = unbounded();
        let (done_tx, done_rx) = unbounded();
        let (cancel, cancelled) = unbounded();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let opts = Options {
            config,
            max_schedules: self.search.max_schedules,
            jobs: self.search.jobs.unwrap_or(cores),
            reduce: true,
            progress: false,
            narrow,
            on_progress: Some(progress_tx),
        };
        std::thread::spawn(move || {
            let _ = done_tx.send(explore(&opts, &cancelled));
        });
        self.exploring = Some(Exploring {
            title,
            started: Instant::now(),
            progress: (0, 0),
            progress_rx,
            done_rx,
            cancel,
            report: None,
            error: None,
            selected: 0,
            correct,
        });
        self.window = Window::Explore;
    }

    /// What `x` explores: the lesson as it is set (grouped by its outcome
    /// fact), or the script.
    fn explore_target(&self) -> Result<(RunConfig, Option<Narrow>, String), String> {
        if let Some(lesson) = &self.lesson {
            let config = lesson.config()?.ok_or("exploring needs Python")?;
            let manifest = &lesson.lesson().manifest;
            let narrow = manifest.outcome.clone().map(|fact| Narrow {
                fact,
                watch: manifest.watch.clone(),
            });
            return Ok((config, narrow, lesson.title()));
        }
        let config = self.script.clone().ok_or("nothing to explore here")?;
        let title = config.script.display().to_string();
        Ok((config, None, title))
    }

    /// The search's channels, for the main loop.
    pub(super) fn explore_sources(&self) -> ExploreSources {
        match &self.exploring {
            Some(e) if !e.is_over() => (e.progress_rx.clone(), e.done_rx.clone()),
            _ => (never(), never()),
        }
    }

    pub(super) fn explore_progress(&mut self, progress: (usize, usize)) {
        if let Some(e) = self.exploring.as_mut() {
            e.progress = progress;
        }
    }

    pub(super) fn explore_done(&mut self, result: Option<Result<Ended, String>>) {
        let Some(e) = self.exploring.as_mut() else {
            return;
        };
        match result {
            Some(Ok(Ended::Done(report))) | Some(Ok(Ended::Interrupted(_, report))) => {
                if let Some(dir) = &self.search.out {
                    self.ui.message = Some(match report.save(dir) {
                        Ok(()) => format!("schedules and summary.json in {}", dir.display()),
                        Err(err) => format!("cannot write into {}: {err}", dir.display()),
                    });
                }
                e.report = Some(report)
            }
            Some(Err(error)) => e.error = Some(error),
            None => e.error = Some("the search stopped".into()),
        }
    }

    /// Keys of the explore window (Mode::Explore).
    pub(super) fn explore_command(&mut self, command: Command) -> Option<Exit> {
        let e = self.exploring.as_mut()?;
        let outcomes = e.report.as_ref().map_or(0, |r| r.groups.len());
        match command {
            Command::Quit => return Some(Exit::Quit),
            Command::Close => {
                if !e.is_over() {
                    self.exploring = None;
                }
                self.window = Window::None;
            }
            Command::PickerUp => e.selected = e.selected.saturating_sub(1),
            Command::PickerDown => e.selected = (e.selected + 1).min(outcomes.saturating_sub(1)),
            Command::PickerChoose => self.replay_outcome(),
            _ => {}
        }
        None
    }

    /// The chosen outcome's shortest schedule, replayed in a new run.
    fn replay_outcome(&mut self) {
        let Some(e) = &self.exploring else { return };
        let Some(group) = e.report.as_ref().and_then(|r| r.groups.get(e.selected)) else {
            return;
        };
        let steps = group
            .shortest
            .iter()
            .enumerate()
            .map(|(i, m)| Step {
                who: m.who.clone(),
                op: m.op.clone(),
                obj: m.obj.clone(),
                line: i + 1,
            })
            .collect();
        let n = e.selected + 1;
        self.steps.once = Some(Schedule { steps });
        self.window = Window::None;
        self.ui.message = Some(format!("replaying outcome {n}'s shortest schedule"));
        self.restart();
    }
}

pub(super) type ExploreSources = (Receiver<(usize, usize)>, Receiver<Result<Ended, String>>);
