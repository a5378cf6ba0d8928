//! Replaying a recording: the same `update` path as a live run, driven by a
//! cursor over the recorded events. Pure: no clock, no terminal.

use crate::lesson::manifest::Beat;
use crate::lesson::Narration;
use crate::model::Model;
use crate::protocol::{Body, Event, ReplayMeta};

/// A recording and a position in it. `model` always equals the fold of
/// `events[..pos]`, so stepping back is folding again from the start.
pub struct Replay {
    pub events: Vec<Event>,
    pub meta: ReplayMeta,
    pub model: Model,
    pub narration: Narration,
    beats: Vec<Beat>,
    marks: Vec<usize>,
    pos: usize,
}

impl Replay {
    pub fn new(events: Vec<Event>, beats: Vec<Beat>) -> Self {
        let meta = events
            .iter()
            .find_map(|e| match &e.body {
                Body::Hello {
                    replay: Some(meta), ..
                } => Some((**meta).clone()),
                _ => None,
            })
            .unwrap_or_default();
        let marks = beat_marks(&events, &beats);
        Replay {
            narration: Narration::new(beats.clone()),
            events,
            meta,
            model: Model::new(),
            beats,
            marks,
            pos: 0,
        }
    }

    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    pub fn at_end(&self) -> bool {
        self.pos >= self.events.len()
    }

    /// Recorded time of the first event (ns).
    pub fn start_t(&self) -> u64 {
        self.events.first().map_or(0, |e| e.t)
    }

    /// Recorded time of the event at `i` (the last one past the end).
    pub fn t_at(&self, i: usize) -> u64 {
        self.events.get(i).or(self.events.last()).map_or(0, |e| e.t)
    }

    /// Apply the next event; false at the end.
    pub fn step(&mut self) -> bool {
        let Some(event) = self.events.get(self.pos) else {
            return false;
        };
        self.model.update(event);
        self.narration.observe(event);
        self.pos += 1;
        true
    }

    /// Move to position `target` (0..=len), folding again if going back.
    pub fn seek(&mut self, target: usize) {
        let target = target.min(self.events.len());
        if target < self.pos {
            self.model = Model::new();
            self.narration = Narration::new(self.beats.clone());
            self.pos = 0;
        }
        while self.pos < target {
            self.step();
        }
    }

    /// Positions (events applied) at which a narration beat is reached.
    pub fn beat_marks(&self) -> &[usize] {
        &self.marks
    }

    /// The next position where a beat is reached, if any.
    pub fn next_beat(&self) -> Option<usize> {
        self.marks.iter().copied().find(|m| *m > self.pos)
    }

    /// The last position before the current one where a beat was reached.
    pub fn prev_beat(&self) -> usize {
        self.marks
            .iter()
            .copied()
            .rev()
            .find(|m| *m < self.pos)
            .unwrap_or(0)
    }
}

/// Where each beat is reached, found by narrating the whole recording once.
fn beat_marks(events: &[Event], beats: &[Beat]) -> Vec<usize> {
    let mut probe = Narration::new(beats.to_vec());
    let mut last = probe.reached();
    let mut marks = Vec::new();
    for (i, e) in events.iter().enumerate() {
        probe.observe(e);
        if probe.reached() > last {
            last = probe.reached();
            marks.push(i + 1);
        }
    }
    marks
}
