//! One run being watched, live or replayed, and what its events built.
//!
//! Every event of a run enters forklore's state through [`Session::ingest`]:
//! recorded, folded into the model, narrated. The live screen, headless
//! runs, replays and asciicast exports all hold a `Session`; only where
//! the events come from (the [`Feed`]) differs.

mod player;
mod scheduler;

use std::io;

pub use player::Player;
pub use scheduler::{Decision, Grant, Scheduler, QUIET};

use crate::lesson::manifest::Beat;
use crate::lesson::Narration;
use crate::model::Model;
use crate::protocol::Event;
use crate::record::Recorder;
use crate::replay::Replay;
use crate::runtime::Run;

/// Where a session's events come from.
pub enum Feed {
    /// Nothing runs (the lesson picker before the first lesson).
    Idle,
    /// A real run: its events arrive on `Run::events`.
    Live(Run),
    /// A recording, played at its recorded pace or stepped.
    Replay(Box<Player>),
}

pub struct Session {
    pub feed: Feed,
    pub model: Model,
    pub narration: Narration,
    /// Where the live run's events are written, as they arrive.
    pub recorder: Option<Recorder>,
    /// Who goes on at the checkpoints (a live run that may step).
    pub scheduler: Scheduler,
}

impl Session {
    /// A session with nothing running yet.
    pub fn idle() -> Self {
        Session {
            feed: Feed::Idle,
            model: Model::new(),
            narration: Narration::new(Vec::new()),
            recorder: None,
            scheduler: Scheduler::default(),
        }
    }

    /// A live run, narrated by `beats`, recorded by `recorder`.
    pub fn live(run: Run, beats: Vec<Beat>, recorder: Option<Recorder>) -> Self {
        Session {
            feed: Feed::Live(run),
            model: Model::new(),
            narration: Narration::new(beats),
            recorder,
            scheduler: Scheduler::default(),
        }
    }

    /// A recording, from its start, narrated by the beats it was made with.
    pub fn replay(replay: Replay) -> Self {
        let beats = replay.beats.clone();
        Session {
            feed: Feed::Replay(Box::new(Player::new(replay))),
            model: Model::new(),
            narration: Narration::new(beats),
            recorder: None,
            scheduler: Scheduler::default(),
        }
    }

    /// The one way in for an event: recorded, folded into the model,
    /// narrated. True when it reached the next narration beat.
    pub fn ingest(&mut self, event: &Event) -> io::Result<bool> {
        let reached = self.fold(event)?;
        self.schedule()?;
        self.hold_clock();
        Ok(reached)
    }

    /// A live run in step mode: its time stands still while it waits for
    /// a choice (`Scheduler::waits_for_choice`), and runs again before a
    /// process is let go (`Run::let_go`).
    fn hold_clock(&mut self) {
        let Feed::Live(run) = &mut self.feed else {
            return;
        };
        let waiting = self.model.steps.on && self.scheduler.waits_for_choice(&self.model);
        run.hold_for_choice(waiting);
    }

    fn fold(&mut self, event: &Event) -> io::Result<bool> {
        if let Some(rec) = self.recorder.as_mut() {
            rec.write(event)?;
        }
        self.model.update(event);
        let before = self.narration.reached();
        self.narration.observe(event);
        Ok(self.narration.reached() > before)
    }

    /// A live run that may step: let go whom the scheduler says.
    fn schedule(&mut self) -> io::Result<()> {
        let Feed::Live(run) = &mut self.feed else {
            return Ok(());
        };
        if self.model.steps.wants.is_empty() && !self.scheduler.is_replaying() {
            return Ok(());
        }
        let decision = self.scheduler.decide(&self.model, run.gates.is_stepping());
        self.carry_out(decision)
    }

    /// The live run has been quiet for `scheduler::QUIET`: a schedule that
    /// cannot go on is said to be stuck, and the run goes on freely.
    pub fn schedule_when_quiet(&mut self) -> io::Result<()> {
        if !self.scheduler.is_replaying() || self.run().is_none() {
            return Ok(());
        }
        let decision = self.scheduler.when_quiet(&self.model);
        self.carry_out(decision)?;
        self.hold_clock();
        Ok(())
    }

    fn carry_out(&mut self, decision: Decision) -> io::Result<()> {
        let Feed::Live(run) = &mut self.feed else {
            return Ok(());
        };
        let mut said = Vec::new();
        if decision.stop_stepping {
            said.extend(run.set_stepping(false));
        }
        for grant in decision.grants {
            said.push(run.let_go(grant));
        }
        for event in &said {
            self.fold(event)?;
        }
        Ok(())
    }

    /// The learner's step: `pid` does the one operation it holds at.
    pub fn step_process(&mut self, pid: i32) -> Result<(), String> {
        let Feed::Live(run) = &mut self.feed else {
            return Err("stepping is for a live run".into());
        };
        let grant = self.scheduler.choose(&self.model, pid)?;
        let event = run.let_go(grant);
        self.fold(&event).map_err(|e| e.to_string())?;
        self.hold_clock();
        Ok(())
    }

    /// Step mode on or off for the live run (those holding are let go
    /// when it goes off).
    pub fn set_stepping(&mut self, on: bool) -> Result<(), String> {
        let Feed::Live(run) = &mut self.feed else {
            return Err("step mode is for a live run".into());
        };
        let Some(event) = run.set_stepping(on) else {
            return Err("this run cannot step".into());
        };
        self.fold(&event).map_err(|e| e.to_string())?;
        self.schedule().map_err(|e| e.to_string())?;
        self.hold_clock();
        Ok(())
    }

    /// Start over with `feed`: a fresh model, the narration from its first
    /// beat (`beats`), the recording from its first line.
    pub fn restart(&mut self, feed: Feed, beats: Vec<Beat>) -> io::Result<()> {
        self.feed = feed;
        self.model = Model::new();
        self.scheduler = Scheduler::default();
        self.narration = Narration::new(beats);
        if let Some(rec) = self.recorder.take() {
            self.recorder = Some(rec.reopen()?);
        }
        Ok(())
    }

    pub fn run(&self) -> Option<&Run> {
        match &self.feed {
            Feed::Live(run) => Some(run),
            _ => None,
        }
    }

    pub fn run_mut(&mut self) -> Option<&mut Run> {
        match &mut self.feed {
            Feed::Live(run) => Some(run),
            _ => None,
        }
    }

    pub fn player(&self) -> Option<&Player> {
        match &self.feed {
            Feed::Replay(p) => Some(p),
            _ => None,
        }
    }

    pub fn player_mut(&mut self) -> Option<&mut Player> {
        match &mut self.feed {
            Feed::Replay(p) => Some(p),
            _ => None,
        }
    }

    /// Stop the live run (every process reaped) and take in what it still
    /// said; the feed becomes idle. Nothing to do for other feeds.
    pub fn stop(&mut self) -> io::Result<()> {
        let Feed::Live(run) = &mut self.feed else {
            return Ok(());
        };
        run.stop();
        let rest: Vec<Event> = run.events.try_iter().collect();
        for event in &rest {
            self.ingest(event)?;
        }
        if let Some(rec) = self.recorder.as_mut() {
            rec.flush()?;
        }
        self.feed = Feed::Idle;
        Ok(())
    }

    /// Replay: take in the next recorded event; false at the end.
    pub fn step(&mut self) -> bool {
        let Feed::Replay(player) = &mut self.feed else {
            return false;
        };
        let Some(event) = player.replay.next_event() else {
            return false;
        };
        // A replay has no recorder, so ingesting cannot fail.
        let _ = self.ingest(&event);
        true
    }

    /// Replay: move to position `target` (0..=len), folding again from the
    /// start when going back (the model is always the fold of the events
    /// before the position).
    pub fn seek(&mut self, target: usize) {
        let Feed::Replay(player) = &mut self.feed else {
            return;
        };
        let target = target.min(player.replay.len());
        if target < player.replay.pos() {
            player.replay.rewind();
            self.model = Model::new();
            self.narration = Narration::new(player.replay.beats.clone());
        }
        player.anchor_here();
        while self.player().is_some_and(|p| p.replay.pos() < target) {
            self.step();
        }
    }
}
