//! One run being watched, live or replayed, and what its events built.
//!
//! Every event of a run enters forklore's state through [`Session::ingest`]:
//! recorded, folded into the model, narrated. The live screen, headless
//! runs, replays and asciicast exports all hold a `Session`; only where
//! the events come from (the [`Feed`]) differs.

mod player;

use std::io;

pub use player::Player;

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
}

impl Session {
    /// A session with nothing running yet.
    pub fn idle() -> Self {
        Session {
            feed: Feed::Idle,
            model: Model::new(),
            narration: Narration::new(Vec::new()),
            recorder: None,
        }
    }

    /// A live run, narrated by `beats`, recorded by `recorder`.
    pub fn live(run: Run, beats: Vec<Beat>, recorder: Option<Recorder>) -> Self {
        Session {
            feed: Feed::Live(run),
            model: Model::new(),
            narration: Narration::new(beats),
            recorder,
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
        }
    }

    /// The one way in for an event: recorded, folded into the model,
    /// narrated. True when it reached the next narration beat.
    pub fn ingest(&mut self, event: &Event) -> io::Result<bool> {
        if let Some(rec) = self.recorder.as_mut() {
            rec.write(event)?;
        }
        self.model.update(event);
        let before = self.narration.reached();
        self.narration.observe(event);
        Ok(self.narration.reached() > before)
    }

    /// Start over with `feed`: a fresh model, the narration from its first
    /// beat (`beats`), the recording from its first line.
    pub fn restart(&mut self, feed: Feed, beats: Vec<Beat>) -> io::Result<()> {
        self.feed = feed;
        self.model = Model::new();
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
