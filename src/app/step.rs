//! Step mode on the live screen: `s` holds every process at its next
//! checkpoint, the learner lets one go at a time (Enter on the focused
//! process, a click, or its number), `a` lets all run freely, `u` takes
//! the last step back by running the program again up to one step before.
//! The decisions are the session's scheduler's; this file turns keys into
//! them and says what happened.

use std::time::{Duration, Instant};

use super::App;
use crate::keys::Command;
use crate::model::stable_name;
use crate::schedule::Schedule;
use crate::session::Scheduler;

/// How each live run steps.
#[derive(Default)]
pub(super) struct StepOptions {
    /// Every run starts in step mode (`--step`).
    pub from_start: bool,
    /// Every run starts by replaying this (`--schedule`).
    pub schedule: Option<Schedule>,
    /// The lesson's variant replays this ("show me the race"), before
    /// `schedule`.
    pub variant: Option<Schedule>,
    /// The next run replays this, then hands control back (undo).
    pub undo: Option<Schedule>,
    /// The next run replays this, drawn as it goes, then runs freely (an
    /// explored outcome's schedule).
    pub once: Option<Schedule>,
    /// This run is being brought back by an undo: frames wait for it
    /// (never longer than FAST_AT_MOST, whatever happens).
    fast_until: Option<Instant>,
}

/// The longest an undo's replay goes without a frame.
const FAST_AT_MOST: Duration = Duration::from_secs(3);

impl StepOptions {
    pub fn new(from_start: bool, schedule: Option<Schedule>) -> StepOptions {
        StepOptions {
            from_start,
            schedule,
            ..StepOptions::default()
        }
    }
}

impl App {
    /// A new live run's `RunConfig::step`: every live run may step.
    pub(super) fn run_step(&self) -> Option<bool> {
        let o = &self.steps;
        let replays = o.variant.is_some() || o.schedule.is_some();
        Some(o.from_start || replays || o.undo.is_some() || o.once.is_some())
    }

    /// Right after a live run started: what its scheduler replays.
    pub(super) fn arm_scheduler(&mut self) {
        self.steps.fast_until = None;
        if let Some(once) = self.steps.once.take() {
            self.session.scheduler = Scheduler::replaying(once);
        } else if let Some(undo) = self.steps.undo.take() {
            self.steps.fast_until = Some(Instant::now() + FAST_AT_MOST);
            self.session.scheduler = Scheduler::replaying_then_hold(undo);
        } else if let Some(schedule) = self.steps.variant.as_ref().or(self.steps.schedule.as_ref())
        {
            self.session.scheduler = Scheduler::replaying(schedule.clone());
        }
    }

    /// After events: say what the scheduler has to say; an undo's replay
    /// that is over shows its frame again.
    pub(super) fn after_steps(&mut self) {
        if let Some(note) = self.session.scheduler.note.take() {
            self.ui.message = Some(note);
        }
        if !self.session.scheduler.is_replaying() {
            self.steps.fast_until = None;
        }
    }

    /// An undo's replay is under way: how long frames still wait for it.
    pub(super) fn fast_forward_left(&self) -> Option<Duration> {
        let left = self
            .steps
            .fast_until?
            .saturating_duration_since(Instant::now());
        (!left.is_zero()).then_some(left)
    }

    pub(super) fn step_command(&mut self, command: Command) {
        if self.session.run().is_none() {
            self.ui.message = Some("step mode is for a live run".into());
            return;
        }
        let done = match command {
            Command::ToggleStep => {
                let on = !self.session.model.steps.on;
                self.set_stepping(on)
            }
            Command::RunFree => self.set_stepping(false),
            Command::StepFocused => match self.ui.selected {
                Some(pid) => self.step_pid(pid),
                None => Err("focus a process first (↑/↓), then Enter".into()),
            },
            Command::StepNth(n) => self.step_nth(n),
            Command::Select(pid) => self.step_pid(pid),
            Command::Undo => self.undo(),
            _ => Ok(()),
        };
        if let Err(e) = done {
            self.ui.message = Some(e);
        }
    }

    /// True when a digit means a process to step (no question is asked).
    pub(super) fn digits_step(&self) -> bool {
        self.session.model.steps.on && self.pacer.asking().is_none()
    }

    fn set_stepping(&mut self, on: bool) -> Result<(), String> {
        self.session.set_stepping(on)?;
        self.ui.message = Some(if on {
            "step mode: each process holds at its next checkpoint; Enter lets the focused one go"
                .into()
        } else {
            "step mode off: every process runs freely".into()
        });
        Ok(())
    }

    fn step_pid(&mut self, pid: i32) -> Result<(), String> {
        if !self.session.model.steps.on {
            return Err("step mode is off: s turns it on".into());
        }
        self.ui.selected = Some(pid);
        self.session.step_process(pid)?;
        let name = stable_name(&self.session.model, pid);
        let n = self.session.model.steps.taken.len();
        self.ui.message = Some(format!("step {n}: {name} went on"));
        Ok(())
    }

    /// The N-th process holding at a checkpoint, in the tree's order.
    fn step_nth(&mut self, n: u8) -> Result<(), String> {
        let pid = self
            .session
            .model
            .holding_in_order()
            .get(usize::from(n).saturating_sub(1))
            .copied()
            .ok_or_else(|| format!("no process number {n} holds at a checkpoint"))?;
        self.step_pid(pid)
    }

    /// Run the program again up to one step before the last.
    fn undo(&mut self) -> Result<(), String> {
        let steps = &self.session.model.steps;
        if steps.taken.is_empty() {
            return Err("no step to take back".into());
        }
        if !steps.from_start {
            self.steps.undo = Some(Schedule::default());
            self.ui.message = Some(
                "step mode began mid-run: the run starts again, in step mode from its first step"
                    .into(),
            );
        } else {
            let back = Schedule::from_taken(&steps.taken[..steps.taken.len() - 1]);
            self.ui.message = Some(format!(
                "undo: running again up to step {}…",
                back.steps.len()
            ));
            self.steps.undo = Some(back);
        }
        self.restart();
        Ok(())
    }
}
