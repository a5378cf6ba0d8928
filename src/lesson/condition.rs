//! Conditions on a fact's value, as a manifest writes them: a `[[predict]]`
//! choice is right when its condition holds for the run's value, and a
//! fact may be asked as a yes/no question (`fact = "lost_updates > 0"`).
//!
//! | written | holds when the value |
//! |---|---|
//! | `0`, `tie`, `== 0` | equals it (as numbers when both are numbers) |
//! | `!= 0` | differs from it |
//! | `< 5`, `<= 5`, `> 5`, `>= 5` | is a number so compared |
//! | `1..10` | is a number from 1 to 10, both included |
//!
//! Numbers may have decimals (`> 0.5`).

use super::facts::{self, Facts};

#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Is(String),
    IsNot(String),
    Less(f64),
    AtMost(f64),
    More(f64),
    AtLeast(f64),
    /// Both ends included.
    Between(f64, f64),
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty condition".into());
        }
        // Two-character operators first: `<=` is not `<` followed by `=5`.
        for op in ["<=", ">=", "==", "!=", "<", ">"] {
            if let Some(rest) = text.strip_prefix(op) {
                return with_operator(op, rest.trim());
            }
        }
        if let Some((from, to)) = text.split_once("..") {
            let (from, to) = (number(from)?, number(to)?);
            if from > to {
                return Err(format!("`{text}`: the range is empty ({from} > {to})"));
            }
            return Ok(Condition::Between(from, to));
        }
        Ok(Condition::Is(text.to_string()))
    }

    /// Whether `value` (a fact as text) meets the condition. A comparison
    /// with a value that is not a number does not hold.
    pub fn holds(&self, value: &str) -> bool {
        let value = value.trim();
        let n = value.parse::<f64>().ok();
        match self {
            Condition::Is(x) => same(x, value),
            Condition::IsNot(x) => !same(x, value),
            Condition::Less(b) => n.is_some_and(|v| v < *b),
            Condition::AtMost(b) => n.is_some_and(|v| v <= *b),
            Condition::More(b) => n.is_some_and(|v| v > *b),
            Condition::AtLeast(b) => n.is_some_and(|v| v >= *b),
            Condition::Between(a, b) => n.is_some_and(|v| (*a..=*b).contains(&v)),
        }
    }
}

fn with_operator(op: &str, rest: &str) -> Result<Condition, String> {
    if rest.is_empty() {
        return Err(format!("`{op}` needs a value after it"));
    }
    Ok(match op {
        "==" => Condition::Is(rest.to_string()),
        "!=" => Condition::IsNot(rest.to_string()),
        "<" => Condition::Less(number(rest)?),
        "<=" => Condition::AtMost(number(rest)?),
        ">" => Condition::More(number(rest)?),
        _ => Condition::AtLeast(number(rest)?),
    })
}

fn number(text: &str) -> Result<f64, String> {
    let text = text.trim();
    text.parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("`{text}` is not a number"))
}

/// Equal as numbers when both are numbers (`07` is `7`, `5.0` is `5`),
/// else as text.
fn same(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// A fact, or a yes/no question about one: `parent_len`, `lost_updates > 0`.
#[derive(Clone, Debug, PartialEq)]
pub struct FactExpr {
    pub name: String,
    pub test: Option<Condition>,
    /// The test as written (`> 0`), for labels.
    test_text: String,
}

impl FactExpr {
    /// Parse and check that the fact exists.
    pub fn parse(text: &str) -> Result<FactExpr, String> {
        let text = text.trim();
        let end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        let (name, rest) = text.split_at(end);
        if facts::label(name).is_none() {
            let known: Vec<&str> = facts::KNOWN.iter().map(|(n, _)| *n).collect();
            return Err(format!(
                "unknown fact `{name}`; facts: {}",
                known.join(", ")
            ));
        }
        let test = match rest.trim() {
            "" => None,
            cond => Some(Condition::parse(cond)?),
        };
        Ok(FactExpr {
            name: name.to_string(),
            test,
            test_text: rest.trim().to_string(),
        })
    }

    /// Its value in a run: the fact, or `true`/`false` for a question
    /// about it. None while the run has not produced the fact.
    pub fn value(&self, facts: &Facts) -> Option<String> {
        let value = facts.get(self.name.as_str())?;
        Some(match &self.test {
            Some(test) => test.holds(value).to_string(),
            None => value.clone(),
        })
    }

    /// What it measures, in words: `garbled output lines`, or
    /// `Manager counter updates lost to races > 0`.
    pub fn label(&self) -> String {
        let label = facts::label(&self.name).unwrap_or(&self.name);
        match &self.test {
            Some(_) => format!("{label} {}", self.test_text),
            None => label.to_string(),
        }
    }
}
