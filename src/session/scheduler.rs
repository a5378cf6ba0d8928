//! Who goes on at the checkpoints: pure decisions from the model. With
//! step mode off, every process that holds is let go at once; in step
//! mode the learner chooses; replaying a schedule, its steps choose, one
//! at a time, each only once the step before it has arrived somewhere
//! (its process holds at its next checkpoint, is blocked, or is gone).
//! A schedule is declared stuck only once the run has been quiet for
//! `QUIET` (see `when_quiet`).

use std::collections::HashMap;

use crate::model::{stable_name, takes_part, Model, ProcState, Want};
use crate::schedule::{Schedule, Step};

/// How long a run must stay quiet before a schedule is called stuck.
pub const QUIET: std::time::Duration = std::time::Duration::from_secs(1);

/// Let `pid` do the one operation it holds at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub pid: i32,
    pub who: String,
    pub op: String,
    pub obj: Option<String>,
    /// Let go because step mode is off, not chosen as a step.
    pub auto: bool,
    /// When the process began to hold (its want's time).
    pub t: u64,
}

/// What the caller must do now.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub grants: Vec<Grant>,
    /// Turn step mode off (the schedule ended or cannot go on).
    pub stop_stepping: bool,
}

#[derive(Debug, Default)]
pub struct Scheduler {
    /// For each process, the time of the want it was last let go from: a
    /// want stays in the model until the step event comes back.
    granted: HashMap<i32, u64>,
    /// The last step's process, until it has arrived somewhere.
    moving: Option<i32>,
    /// A schedule being replayed, and the index of its next step.
    replay: Option<(Schedule, usize)>,
    /// What the screen should say (a schedule ended or diverged).
    pub note: Option<String>,
    /// A schedule that could not be followed: why (headless says it).
    pub trouble: Option<String>,
    /// Once the schedule is done, stay in step mode (an undo hands
    /// control back) instead of letting every process run freely.
    hold_after: bool,
}

impl Scheduler {
    pub fn replaying(schedule: Schedule) -> Scheduler {
        Scheduler {
            replay: Some((schedule, 0)),
            ..Scheduler::default()
        }
    }

    /// Replay `schedule`, then keep every process holding (undo).
    pub fn replaying_then_hold(schedule: Schedule) -> Scheduler {
        Scheduler {
            hold_after: true,
            ..Scheduler::replaying(schedule)
        }
    }

    pub fn is_replaying(&self) -> bool {
        self.replay.is_some()
    }

    /// Steps of the schedule still to come.
    pub fn remaining(&self) -> usize {
        self.replay.as_ref().map_or(0, |(s, i)| s.steps.len() - i)
    }

    /// What to let go now (`stepping`: step mode is on).
    pub fn decide(&mut self, model: &Model, stepping: bool) -> Decision {
        if let Some(pid) = self.moving {
            if !self.arrived(model, pid) {
                return Decision::default();
            }
            self.moving = None;
        }
        if self.replay.is_some() {
            return self.replay_next(model);
        }
        if stepping {
            return Decision::default();
        }
        let grants = self
            .holding(model)
            .map(|(pid, w)| grant(model, pid, w, true))
            .collect();
        self.take(grants)
    }

    /// The learner chose `pid`: its one step, or why it cannot move.
    pub fn choose(&mut self, model: &Model, pid: i32) -> Result<Grant, String> {
        if let Some(moving) = self.moving.filter(|m| !self.arrived(model, *m)) {
            let name = stable_name(model, moving);
            return Err(format!("{name} is still on its way to its next checkpoint"));
        }
        let Some((_, want)) = self.holding(model).find(|(p, _)| *p == pid) else {
            let name = stable_name(model, pid);
            return Err(format!(
                "{name} is not at a checkpoint: it cannot be stepped now"
            ));
        };
        let g = grant(model, pid, want, false);
        self.moving = Some(pid);
        Ok(self.take(vec![g]).grants.remove(0))
    }

    /// Processes holding at a checkpoint and not yet let go, by PID.
    pub fn holding<'m>(&'m self, model: &'m Model) -> impl Iterator<Item = (i32, &'m Want)> + 'm {
        model
            .steps
            .wants
            .iter()
            .filter(|(pid, w)| self.granted.get(pid) != Some(&w.t))
            .map(|(pid, w)| (*pid, w))
    }

    fn take(&mut self, grants: Vec<Grant>) -> Decision {
        for g in &grants {
            self.granted.insert(g.pid, g.t);
        }
        Decision {
            grants,
            stop_stepping: false,
        }
    }

    /// The process let go last is somewhere: holding at its next
    /// checkpoint, blocked, or gone.
    fn arrived(&self, model: &Model, pid: i32) -> bool {
        let Some(p) = model.procs.get(pid) else {
            return true;
        };
        match &p.state {
            ProcState::Blocked(_) => true,
            s if !s.is_alive() => true,
            _ => self.holding(model).any(|(h, _)| h == pid),
        }
    }

    fn replay_next(&mut self, model: &Model) -> Decision {
        let Some((schedule, next)) = &self.replay else {
            return Decision::default();
        };
        let Some(step) = schedule.steps.get(*next).cloned() else {
            let steps = schedule.steps.len();
            if self.hold_after {
                self.replay = None;
                self.note = Some(format!("back after step {steps}: your turn"));
                return Decision::default();
            }
            let done = format!("schedule done: {steps} steps; the run goes on freely");
            return self.end_replay(model, done, false);
        };
        let index = *next;
        let holder = self
            .holding(model)
            .find(|(pid, _)| stable_name(model, *pid) == step.who)
            .map(|(pid, w)| (pid, w.clone()));
        match holder {
            Some((pid, want)) => match mismatch(&step, &want, model) {
                None => {
                    if let Some((_, next)) = &mut self.replay {
                        *next += 1;
                    }
                    self.moving = Some(pid);
                    let g = grant(model, pid, &want, false);
                    self.take(vec![g])
                }
                Some(found) => {
                    let note = format!(
                        "schedule diverged at {}: {} wants to {found}; the run goes on freely",
                        step.describe(index),
                        step.who
                    );
                    self.end_replay(model, note, true)
                }
            },
            None => Decision::default(),
        }
    }

    /// The run has been quiet for a while (no event): if the schedule's
    /// next process is not at a checkpoint and no other can move, the
    /// schedule cannot go on. Only when quiet: a process that looks
    /// blocked may be waking up (an Event already set, a lock just
    /// released), its next events still on their way.
    pub fn when_quiet(&mut self, model: &Model) -> Decision {
        let Some((schedule, index)) = &self.replay else {
            return Decision::default();
        };
        let Some(step) = schedule.steps.get(*index).cloned() else {
            return Decision::default();
        };
        let index = *index;
        let next_holds = self
            .holding(model)
            .any(|(pid, _)| stable_name(model, pid) == step.who);
        if next_holds || !self.cannot_move(model) {
            return Decision::default();
        }
        let note = format!(
            "schedule stuck at {}: {} is not at a checkpoint and no other process \
             can move; the run goes on freely",
            step.describe(index),
            step.who
        );
        self.end_replay(model, note, true)
    }

    /// Step mode waits for whoever chooses (the learner, a schedule, the
    /// explorer): a process holds at a checkpoint, and the last one let go
    /// has arrived somewhere. The run's time stands still meanwhile
    /// (runtime::clock): it passes only while a step let go is under way,
    /// so a process nobody let go (one asleep when step mode came on, one
    /// just starting) is where it would be unobserved when the others go
    /// on. With nobody holding there is no choice to wait for: the time
    /// runs (a sleep or a timeout may be what brings a process to one).
    pub fn waits_for_choice(&self, model: &Model) -> bool {
        let arrived = self.moving.is_none_or(|pid| self.arrived(model, pid));
        arrived && self.holding(model).next().is_some()
    }

    /// Every live process of the program holds or is blocked: none could
    /// bring the schedule's next process to its checkpoint.
    fn cannot_move(&self, model: &Model) -> bool {
        let mut procs = model
            .procs
            .alive()
            .filter(|p| takes_part(p.role))
            .peekable();
        procs.peek().is_some()
            && procs.all(|p| {
                matches!(p.state, ProcState::Blocked(_))
                    || self.holding(model).any(|(pid, _)| pid == p.pid)
            })
    }

    /// The schedule is over: step mode off, everyone let go.
    fn end_replay(&mut self, model: &Model, note: String, trouble: bool) -> Decision {
        self.replay = None;
        if trouble {
            self.trouble = Some(note.clone());
        }
        self.note = Some(note);
        let grants = self
            .holding(model)
            .map(|(pid, w)| grant(model, pid, w, true))
            .collect();
        Decision {
            stop_stepping: true,
            ..self.take(grants)
        }
    }
}

/// How `want` differs from what `step` expects, if it does.
fn mismatch(step: &Step, want: &Want, model: &Model) -> Option<String> {
    let op = want.op();
    let obj = want.object(model);
    let same_obj = match (&step.obj, &obj) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    if op == step.op && same_obj {
        return None;
    }
    Some(match obj {
        Some(o) => format!("{op} {o}"),
        None => op,
    })
}

fn grant(model: &Model, pid: i32, want: &Want, auto: bool) -> Grant {
    Grant {
        pid,
        who: stable_name(model, pid),
        op: want.op(),
        obj: want.object(model),
        auto,
        t: want.t,
    }
}
