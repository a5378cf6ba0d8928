//! `if = "lock == true"`: when a beat's case, a question or a turn text
//! applies. A guard tests this run's parameters and facts:
//!
//! | written | holds when |
//! |---|---|
//! | `lock`, `lock == true` | the parameter (or fact) `lock` is `true` |
//! | `chunksize == 0`, `mode != apply` | it equals / differs from the value |
//! | `max > 0`, `lost_increments >= 1`, `processes 2..4` | it is a number so compared |
//! | `a and b`, `a or b` | both hold / either holds (`and` binds first) |
//!
//! The tests after a name are the conditions of `[[predict]]` choices
//! (condition.rs); `{placeholders}` in them are filled before parsing
//! (say.rs). A guard naming a fact the run has not produced yet is
//! undecided: the text that needs it is not chosen until it is known.

use super::condition::Condition;

#[derive(Clone, Debug, PartialEq)]
pub struct Guard {
    /// Alternatives (`or`), each a list of tests that must all hold (`and`).
    any: Vec<Vec<Test>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// A parameter or a fact.
    pub name: String,
    pub condition: Condition,
}

impl Guard {
    pub fn parse(text: &str) -> Result<Guard, String> {
        let any = text
            .split(" or ")
            .map(|all| all.split(" and ").map(Test::parse).collect())
            .collect::<Result<Vec<Vec<Test>>, String>>()?;
        Ok(Guard { any })
    }

    /// Every test, for checking names and values against a manifest.
    pub fn tests(&self) -> impl Iterator<Item = &Test> {
        self.any.iter().flatten()
    }

    /// Whether it holds, given each name's value (None: not known yet).
    /// None when what is known does not decide it.
    pub fn holds(&self, value: &dyn Fn(&str) -> Option<String>) -> Option<bool> {
        let mut undecided = false;
        for all in &self.any {
            match all_hold(all, value) {
                Some(true) => return Some(true),
                Some(false) => {}
                None => undecided = true,
            }
        }
        (!undecided).then_some(false)
    }
}

fn all_hold(tests: &[Test], value: &dyn Fn(&str) -> Option<String>) -> Option<bool> {
    let mut undecided = false;
    for t in tests {
        match value(&t.name) {
            Some(v) if !t.condition.holds(&v) => return Some(false),
            Some(_) => {}
            None => undecided = true,
        }
    }
    (!undecided).then_some(true)
}

impl Test {
    fn parse(text: &str) -> Result<Test, String> {
        let text = text.trim();
        let end = text
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(text.len());
        let (name, rest) = text.split_at(end);
        if name.is_empty() {
            return Err(format!(
                "`{text}`: a test starts with a parameter or fact name"
            ));
        }
        let condition = match rest.trim() {
            "" => Condition::Is("true".into()),
            rest => Condition::parse(rest).map_err(|e| format!("`{text}`: {e}"))?,
        };
        Ok(Test {
            name: name.to_string(),
            condition,
        })
    }
}
