//! A recording as a feed: its events, its metadata, a position in it and
//! where its narration beats fall. Pure: no clock, no terminal. A
//! [`crate::session::Session`] folds the events it hands out.

use crate::lesson::manifest::Beat;
use crate::lesson::Narration;
use crate::protocol::{Body, Event, ReplayMeta};

pub struct Replay {
    pub events: Vec<Event>,
    pub meta: ReplayMeta,
    pub beats: Vec<Beat>,
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
            events,
            meta,
            beats,
            marks,
            pos: 0,
        }
    }

    /// Events handed out so far.
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

    /// The next event, moving past it.
    pub fn next_event(&mut self) -> Option<&Event> {
        let event = self.events.get(self.pos)?;
        self.pos += 1;
        Some(event)
    }

    /// Back to the start (the session folds again from nothing).
    pub fn rewind(&mut self) {
        self.pos = 0;
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
