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
//!
//! Each of the three texts may have cases (`case = [{ if = "lock", … }]`).

use serde::Deserialize;

use super::lang::Text;
use super::say::{CaseToml, Env, Said};
use super::Lang;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(from = "TurnToml")]
pub struct Turn {
    /// The run's fact the learner tries to make non-zero…
    pub fact: String,
    /// …or equal to this (placeholders filled with the run's parameters).
    pub target: Option<String>,
    pub task: Said,
    pub done: Said,
    pub not_yet: Said,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TurnToml {
    fact: String,
    #[serde(default)]
    target: Option<String>,
    en: String,
    #[serde(default)]
    zh: String,
    #[serde(default)]
    case: Vec<CaseToml>,
    done: Said,
    not_yet: Said,
}

impl From<TurnToml> for Turn {
    fn from(t: TurnToml) -> Self {
        Turn {
            fact: t.fact,
            target: t.target,
            task: Said::new(Text { en: t.en, zh: t.zh }, t.case),
            done: t.done,
            not_yet: t.not_yet,
        }
    }
}

impl Turn {
    /// Whether this run's `fact` shows the task done.
    pub fn is_done(&self, env: &Env) -> bool {
        let value = env.facts.get(self.fact.as_str());
        match (&self.target, value) {
            (Some(target), Some(v)) => *v == env.fill(target),
            (None, Some(v)) => v != "0" && !v.is_empty(),
            (_, None) => false,
        }
    }

    /// What the narration says: the task while the run goes on; at its
    /// end, whether this run shows it done.
    pub fn say(&self, finished: bool, lang: Lang, env: &Env) -> String {
        let said = match (finished, self.is_done(env)) {
            (false, _) => &self.task,
            (true, true) => &self.done,
            (true, false) => &self.not_yet,
        };
        said.say(lang, env)
    }
}
