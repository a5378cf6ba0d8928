//! Predict, then see: a lesson's `[[predict]]` questions, checked against
//! the run's own facts (never a hard-coded answer), and the [`Quiz`] that
//! keeps a learner's answers and the verdicts for one run. Pure.

use serde::Deserialize;

use super::condition::{Condition, FactExpr};
use super::facts::Facts;
use super::manifest::{Beat, Param, Text};
use super::say::{fill, Env, Said};
use super::Settings;

/// One `[[predict]]` question of a manifest.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    /// Asked when this beat (1 = the first) is reached.
    pub beat: usize,
    /// Revealed when this beat is reached (default: the last beat).
    #[serde(default)]
    pub reveal: Option<usize>,
    /// Asked only in runs whose parameters meet this (`if = "lock"`).
    #[serde(default, rename = "if")]
    pub guard: Option<String>,
    pub question: Said,
    /// The fact of the run that decides, e.g. `garbled` or `lost_updates > 0`.
    pub fact: String,
    pub choices: Vec<Choice>,
    /// Shown with the verdict: why the run came out as it did.
    #[serde(default)]
    pub why: Said,
}

/// A choice: its words, and the condition on the fact's value under
/// which it is the right one (`is = "0"`, `is = "> 0"`, `is = "{items}"`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(from = "ChoiceToml")]
pub struct Choice {
    pub text: Text,
    pub is: String,
}

/// A choice as written: `{ en = "…", zh = "…", is = "…" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChoiceToml {
    en: String,
    #[serde(default)]
    zh: String,
    is: String,
}

impl From<ChoiceToml> for Choice {
    fn from(c: ChoiceToml) -> Self {
        Choice {
            text: Text { en: c.en, zh: c.zh },
            is: c.is,
        }
    }
}

/// What the run says about a prediction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// The fact's value (None: the run never produced it).
    pub value: Option<String>,
    /// The choice (0-based) whose condition the value meets, the first
    /// if several do; None if none does.
    pub right: Option<usize>,
}

impl Prediction {
    pub fn fact_expr(&self) -> Result<FactExpr, String> {
        FactExpr::parse(&self.fact)
    }

    /// Whether the question is asked in a run with these parameters.
    pub fn is_asked(&self, settings: &Settings) -> bool {
        let Some(guard) = &self.guard else {
            return true;
        };
        Env::new(settings, &Facts::new()).holds(guard) == Some(true)
    }

    /// The beat at which the answer is revealed.
    pub fn reveal_beat(&self, beats: usize) -> usize {
        self.reveal.unwrap_or(beats)
    }

    /// Decide with this run's facts: placeholders in the choices'
    /// conditions (`{items}`) are filled from its parameters and facts.
    pub fn decide(&self, facts: &Facts, settings: &Settings) -> Decision {
        let value = self.fact_expr().ok().and_then(|f| f.value(facts));
        let right = value.as_deref().and_then(|v| {
            self.choices.iter().position(|c| {
                Condition::parse(&fill(&c.is, settings, facts)).is_ok_and(|cond| cond.holds(v))
            })
        });
        Decision { value, right }
    }
}

/// A problem in one `[[predict]]` table: the text to find its line by, the
/// field, the message.
pub struct Problem {
    pub needle: String,
    pub field: &'static str,
    pub message: String,
}

/// Check a prediction against the lesson's beats and parameters.
pub fn check(p: &Prediction, beats: &[Beat], params: &[Param]) -> Result<(), Problem> {
    let problem = |needle: &str, field, message: String| Problem {
        needle: needle.to_string(),
        field,
        message,
    };
    p.fact_expr()
        .map_err(|m| problem("fact", "predict.fact", m))?;
    if !(1..=beats.len()).contains(&p.beat) {
        let msg = format!("beat {} does not exist: 1 to {}", p.beat, beats.len());
        return Err(problem("beat", "predict.beat", msg));
    }
    if let Some(r) = p.reveal.filter(|r| !(p.beat..=beats.len()).contains(r)) {
        let msg = format!(
            "reveal {r} must be a beat from {} to {}",
            p.beat,
            beats.len()
        );
        return Err(problem("reveal", "predict.reveal", msg));
    }
    if !(2..=4).contains(&p.choices.len()) {
        let msg = format!("{} choices: a question has 2 to 4", p.choices.len());
        return Err(problem("choices", "predict.choices", msg));
    }
    if p.question.text.en.trim().is_empty() {
        return Err(problem("question", "predict.question", "empty".into()));
    }
    for c in &p.choices {
        // Placeholders are filled in the run; a parameter's default or,
        // for a fact, any number stands in here.
        let defaults = Settings(
            params
                .iter()
                .map(|p| (p.name.clone(), p.default.clone()))
                .collect(),
        );
        let sample = fill(&c.is, &defaults, &numbers_for(&c.is));
        Condition::parse(&sample).map_err(|m| problem(&c.is, "predict.choices.is", m))?;
    }
    Ok(())
}

/// `1` for every `{name}` in `text`.
fn numbers_for(text: &str) -> Facts {
    super::facts::KNOWN
        .iter()
        .filter(|(n, _)| text.contains(&format!("{{{n}}}")))
        .map(|(n, _)| (*n, "1".to_string()))
        .collect()
}

/// How a learner answered a question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Not asked yet, or asked and waiting.
    Open,
    /// Passed over with → (not counted).
    Skipped,
    /// Choice N (0-based).
    Chose(usize),
}

/// A revealed question: what the learner said, what the run said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub question: usize,
    pub answer: Answer,
    pub decision: Decision,
}

impl Verdict {
    pub fn is_right(&self) -> bool {
        matches!(self.answer, Answer::Chose(c) if Some(c) == self.decision.right)
    }
}

/// One run's questions, answers and verdicts.
#[derive(Clone, Debug, Default)]
pub struct Quiz {
    questions: Vec<Prediction>,
    answers: Vec<Answer>,
    verdicts: Vec<Verdict>,
    beats: usize,
}

impl Quiz {
    /// The questions of a lesson with `beats` beats (none: `--no-predict`,
    /// headless runs, replays).
    pub fn new(questions: Vec<Prediction>, beats: usize) -> Self {
        Quiz {
            answers: vec![Answer::Open; questions.len()],
            questions,
            verdicts: Vec::new(),
            beats,
        }
    }

    /// Only the questions asked in a run with these parameters (their
    /// `if`), before any is asked.
    pub fn keep_asked(&mut self, settings: &Settings) {
        let keep: Vec<bool> = self
            .questions
            .iter()
            .map(|q| q.is_asked(settings))
            .collect();
        let mut flags = keep.iter();
        self.questions.retain(|_| *flags.next().unwrap_or(&true));
        self.answers.truncate(self.questions.len());
        self.verdicts.clear();
    }

    pub fn question(&self, q: usize) -> Option<&Prediction> {
        self.questions.get(q)
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    /// The first open question asked at `beat`.
    pub fn open_at(&self, beat: usize) -> Option<usize> {
        (0..self.questions.len())
            .find(|q| self.questions[*q].beat == beat && self.answers[*q] == Answer::Open)
    }

    /// Answer question `q` with choice `n` (1-based, as the keys say).
    pub fn answer(&mut self, q: usize, n: usize) -> Result<(), String> {
        let count = self.questions.get(q).map_or(0, |p| p.choices.len());
        if !(1..=count).contains(&n) {
            return Err(format!("choose 1 to {count}"));
        }
        self.answers[q] = Answer::Chose(n - 1);
        Ok(())
    }

    pub fn skip(&mut self, q: usize) {
        if let Some(a) = self.answers.get_mut(q) {
            *a = Answer::Skipped;
        }
    }

    /// `beat` is shown: decide every question revealed by then, with the
    /// run's facts as they are now.
    pub fn reveal(&mut self, beat: usize, facts: &Facts, settings: &Settings) {
        for (q, p) in self.questions.iter().enumerate() {
            let due = p.reveal_beat(self.beats) <= beat && p.beat <= beat;
            if due && !self.verdicts.iter().any(|v| v.question == q) {
                self.verdicts.push(Verdict {
                    question: q,
                    answer: self.answers[q],
                    decision: p.decide(facts, settings),
                });
            }
        }
    }

    /// Verdicts revealed at `beat` exactly.
    pub fn verdicts_at(&self, beat: usize) -> impl Iterator<Item = &Verdict> {
        self.verdicts
            .iter()
            .filter(move |v| self.questions[v.question].reveal_beat(self.beats) == beat)
    }

    /// (right, answered) over the revealed questions: "3 of 4 predicted".
    pub fn score(&self) -> (usize, usize) {
        let answered = self
            .verdicts
            .iter()
            .filter(|v| matches!(v.answer, Answer::Chose(_)));
        let right = answered.clone().filter(|v| v.is_right()).count();
        (right, answered.count())
    }

    /// Every question has been revealed.
    pub fn is_over(&self) -> bool {
        self.verdicts.len() == self.questions.len()
    }
}
