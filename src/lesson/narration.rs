//! Narration beats advancing with the run. Pure: fed the same events as the
//! model, so a replay narrates exactly as the live run did.

use std::collections::HashMap;

use super::manifest::Beat;
use crate::protocol::{Body, Event};

#[derive(Clone, Debug, Default)]
pub struct Narration {
    beats: Vec<Beat>,
    /// How many beats have been reached (the current one is `reached - 1`).
    reached: usize,
    counts: HashMap<String, u32>,
    /// Counts when the previous beat was reached: "the first X after it".
    base: HashMap<String, u32>,
    ended: bool,
}

impl Narration {
    pub fn new(beats: Vec<Beat>) -> Self {
        let mut n = Narration {
            beats,
            ..Narration::default()
        };
        n.advance();
        n
    }

    pub fn beats(&self) -> &[Beat] {
        &self.beats
    }

    pub fn reached(&self) -> usize {
        self.reached
    }

    pub fn current(&self) -> Option<&Beat> {
        self.reached.checked_sub(1).and_then(|i| self.beats.get(i))
    }

    pub fn observe(&mut self, event: &Event) {
        if matches!(event.body, Body::RunEnd { .. }) {
            self.ended = true;
        } else {
            *self
                .counts
                .entry(event.body.kind().to_string())
                .or_default() += 1;
        }
        self.advance();
    }

    fn advance(&mut self) {
        while let Some(beat) = self.beats.get(self.reached) {
            if !self.is_met(&beat.when) {
                return;
            }
            self.reached += 1;
            self.base = self.counts.clone();
        }
    }

    /// `when` holds; `a|b`: either does (a beat whose event some runs
    /// never make names one they all make).
    fn is_met(&self, when: &str) -> bool {
        when.split('|').any(|w| self.is_met_by(w.trim()))
    }

    fn is_met_by(&self, when: &str) -> bool {
        match when {
            "start" => true,
            "end" => self.ended,
            _ => {
                let count = |k: &str, m: &HashMap<String, u32>| m.get(k).copied().unwrap_or(0);
                match when.split_once(':') {
                    Some((kind, n)) => count(kind, &self.counts) >= n.parse().unwrap_or(u32::MAX),
                    None => count(when, &self.counts) > count(when, &self.base),
                }
            }
        }
    }
}
