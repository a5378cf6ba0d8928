//! A lesson's "your turn" in step mode: the task the narration gives the
//! learner who holds the processes (`[turn]` in lesson.toml), and, once the
//! run is over, whether the real run shows it done, from its facts.
//!
//! ```toml
//! [turn]
//! fact = "lost_updates"   # done when this fact of the run is not 0
//! # target = "{slots}"    # …or, with a target, when it equals it
//! en = "Your turn: make two processes lose an update…"
//! done = { en = "You did it: {lost_updates} update lost…" }
//! not_yet = { en = "Every update landed this time…" }
//! ```

use serde::Deserialize;

use super::facts::Facts;
use super::manifest::Text;
use super::Lang;

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Turn {
    /// The run's fact the learner tries to make non-zero…
    pub fact: String,
    /// …or equal to this (placeholders filled with the run's parameters).
    #[serde(default)]
    pub target: Option<String>,
    #[serde(flatten)]
    pub task: Text,
    pub done: Text,
    pub not_yet: Text,
}

impl Turn {
    /// What the narration says: the task while the run goes on; at its
    /// end, whether this run's `fact` shows it done (`fill` fills the
    /// target's placeholders).
    pub fn say(
        &self,
        finished: bool,
        facts: &Facts,
        lang: Lang,
        fill: &dyn Fn(&str) -> String,
    ) -> &str {
        if !finished {
            return self.task.get(lang);
        }
        let value = facts.get(self.fact.as_str()).map(String::as_str);
        let done = match (&self.target, value) {
            (Some(target), Some(v)) => v == fill(target),
            (None, Some(v)) => v != "0" && !v.is_empty(),
            (_, None) => false,
        };
        match done {
            true => self.done.get(lang),
            false => self.not_yet.get(lang),
        }
    }
}
