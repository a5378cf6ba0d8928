//! Checks of every text a run shows (beats and their cases, questions,
//! choices, `why`, the turn): each `{name}` names a parameter or a fact,
//! each `if` parses and tests a parameter or fact with a value it can
//! have, and no parameter takes a fact's name (see say.rs: one name, one
//! meaning). A problem says in which table and by which words to find
//! its line.

use super::condition::Condition;
use super::facts::{self, Facts};
use super::guard::{Guard, Test};
use super::lang::Text;
use super::manifest::{Manifest, Param, ParamType};
use super::predict::Prediction;
use super::say::{placeholders, Env, Said};
use super::turn::Turn;
use super::Settings;

pub struct Problem {
    /// The table (`[[beat]]`), and which of them (0-based).
    pub table: &'static str,
    pub index: usize,
    /// Words on the line to point at.
    pub needle: String,
    pub field: String,
    pub message: String,
}

pub fn check(m: &Manifest) -> Result<(), Problem> {
    check_param_names(m)?;
    let ctx = Context { params: &m.params };
    for (i, b) in m.beats.iter().enumerate() {
        ctx.said(&b.text)
            .map_err(|(needle, field, msg)| problem("[[beat]]", i, &needle, field, msg))?;
    }
    for (i, p) in m.predictions.iter().enumerate() {
        ctx.prediction(p)
            .map_err(|(needle, field, msg)| problem("[[predict]]", i, &needle, field, msg))?;
    }
    if let Some(turn) = &m.turn {
        ctx.turn(turn)
            .map_err(|(needle, field, msg)| problem("[turn]", 0, &needle, field, msg))?;
    }
    Ok(())
}

/// No parameter takes a fact's name: `{name}` has one meaning.
fn check_param_names(m: &Manifest) -> Result<(), Problem> {
    for (i, p) in m.params.iter().enumerate() {
        if let Some(label) = facts::label(&p.name) {
            let message = format!(
                "`{}` is also a fact of the run ({label}); a parameter needs a name of its own",
                p.name
            );
            return Err(problem("[[param]]", i, &p.name, "param.name", message));
        }
    }
    Ok(())
}

fn problem(
    table: &'static str,
    index: usize,
    needle: &str,
    field: &str,
    message: String,
) -> Problem {
    Problem {
        table,
        index,
        needle: needle.to_string(),
        field: field.to_string(),
        message,
    }
}

struct Context<'a> {
    params: &'a [Param],
}

/// Words to find the line by, the field, the message.
type Found = (String, &'static str, String);

impl Context<'_> {
    fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    fn said(&self, said: &Said) -> Result<(), Found> {
        for text in said.versions() {
            self.text(text)?;
        }
        for case in &said.cases {
            self.guard(&case.guard, true)
                .map_err(|msg| (case.guard.clone(), "case.if", msg))?;
        }
        Ok(())
    }

    fn prediction(&self, p: &Prediction) -> Result<(), Found> {
        if let Some(guard) = &p.guard {
            self.guard(guard, false)
                .map_err(|msg| (guard.clone(), "predict.if", msg))?;
        }
        self.said(&p.question)?;
        self.said(&p.why)?;
        for c in &p.choices {
            self.text(&c.text)?;
            self.names(&c.is)
                .map_err(|(n, m)| (n, "predict.choices.is", m))?;
        }
        Ok(())
    }

    fn turn(&self, turn: &Turn) -> Result<(), Found> {
        for said in [&turn.task, &turn.done, &turn.not_yet] {
            self.said(said)?;
        }
        match &turn.target {
            Some(target) => self.names(target).map_err(|(n, m)| (n, "turn.target", m)),
            None => Ok(()),
        }
    }

    fn text(&self, text: &Text) -> Result<(), Found> {
        for words in [&text.en, &text.zh] {
            self.names(words).map_err(|(n, m)| (n, "placeholder", m))?;
        }
        Ok(())
    }

    /// Every `{name}` of `words` is a parameter or a fact.
    fn names(&self, words: &str) -> Result<(), (String, String)> {
        for name in placeholders(words) {
            if self.param(name).is_none() && facts::label(name).is_none() {
                let msg = format!(
                    "`{{{name}}}` is neither a parameter ({}) nor a fact of the run (docs/lessons.md lists them)",
                    self.param_names()
                );
                return Err((format!("{{{name}}}"), msg));
            }
        }
        Ok(())
    }

    /// An `if`: it parses, and each test names a parameter (or, where
    /// `facts_ok`, a fact) with a value it can have.
    fn guard(&self, text: &str, facts_ok: bool) -> Result<(), String> {
        self.names(text).map_err(|(_, msg)| msg)?;
        let guard = Guard::parse(&self.sample(text))?;
        for test in guard.tests() {
            match self.param(&test.name) {
                Some(p) => value_fits(p, test)?,
                None if facts_ok && facts::label(&test.name).is_some() => {}
                None if facts_ok => {
                    return Err(format!(
                        "`{}` is neither a parameter ({}) nor a fact",
                        test.name,
                        self.param_names()
                    ))
                }
                None => {
                    return Err(format!(
                        "`{}` is not a parameter ({}): a question is chosen before the run, by its parameters",
                        test.name,
                        self.param_names()
                    ))
                }
            }
        }
        Ok(())
    }

    /// `text` with each placeholder filled as a run might fill it: a
    /// parameter with its default, a fact with 1.
    fn sample(&self, text: &str) -> String {
        let defaults = Settings(
            self.params
                .iter()
                .map(|p| (p.name.clone(), p.default.clone()))
                .collect(),
        );
        let ones: Facts = facts::KNOWN
            .iter()
            .map(|(name, _)| (*name, "1".to_string()))
            .collect();
        Env::new(&defaults, &ones).fill(text)
    }

    fn param_names(&self) -> String {
        let names: Vec<&str> = self.params.iter().map(|p| p.name.as_str()).collect();
        if names.is_empty() {
            "the lesson has none".into()
        } else {
            names.join(", ")
        }
    }
}

/// A test of a bool or choice parameter compares with one of its values.
fn value_fits(p: &Param, test: &Test) -> Result<(), String> {
    let allowed: Vec<String> = match p.kind {
        ParamType::Bool => vec!["true".into(), "false".into()],
        ParamType::Choice => p.choices.clone(),
        ParamType::Int | ParamType::Float => return Ok(()),
    };
    match &test.condition {
        Condition::Is(v) | Condition::IsNot(v) if allowed.contains(v) => Ok(()),
        Condition::Is(v) | Condition::IsNot(v) => Err(format!(
            "`{}` is never `{v}`: it is {}",
            p.name,
            allowed.join(" or ")
        )),
        _ => Err(format!(
            "`{}` is {}: compare it with == or !=",
            p.name,
            allowed.join(" or ")
        )),
    }
}
