//! What the narration says in a run: a text's case chosen by the run's
//! settings and facts (`if = "lock == true"`), and its `{placeholders}`
//! filled with this run's values.
//!
//! One rule for names: a `{name}` is either a parameter of the lesson (its
//! value as this run set it, known from the start) or a fact of the run
//! (what the run did, see facts.rs), never both: a manifest whose
//! parameter has a fact's name is an error. A fact the run has not
//! produced yet reads `…` until it has.

use serde::Deserialize;

use super::facts::{self, Facts};
use super::guard::Guard;
use super::lang::{Lang, Text};
use super::Settings;

/// Shown in place of a fact the run has not produced yet.
pub const NOT_YET: &str = "…";

/// A run's parameters and facts, as texts and guards name them.
#[derive(Clone, Copy)]
pub struct Env<'a> {
    pub settings: &'a Settings,
    pub facts: &'a Facts,
}

impl<'a> Env<'a> {
    pub fn new(settings: &'a Settings, facts: &'a Facts) -> Self {
        Env { settings, facts }
    }

    /// The value of a parameter, or of a fact the run has produced.
    pub fn value(&self, name: &str) -> Option<String> {
        self.settings
            .text(name)
            .or_else(|| self.facts.get(name).filter(|v| !v.is_empty()).cloned())
    }

    /// Replace every `{name}` by its value: `…` for a fact not produced
    /// yet; a name that is neither a parameter nor a fact stays as it is
    /// (manifests are checked for those). Braces around anything but a
    /// name (`{"tickets": 0}`) are text.
    pub fn fill(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some((before, name, after)) = next_placeholder(rest) {
            out.push_str(before);
            match self.value(name) {
                Some(v) => out.push_str(&v),
                None if facts::label(name).is_some() => out.push_str(NOT_YET),
                None => {
                    out.push('{');
                    out.push_str(name);
                    out.push('}');
                }
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }

    /// Whether the `if` written as `guard` holds in this run: its
    /// `{placeholders}` filled first (`job_chunks <= {job_workers}`).
    /// None while a fact it names is not known yet.
    pub fn holds(&self, guard: &str) -> Option<bool> {
        if placeholders(guard).iter().any(|n| self.value(n).is_none()) {
            return None;
        }
        let guard = Guard::parse(&self.fill(guard)).ok()?;
        guard.holds(&|name| self.value(name))
    }
}

/// Replace `{name}` by a parameter value or a fact (see [`Env::fill`]).
pub fn fill(text: &str, settings: &Settings, facts: &Facts) -> String {
    Env::new(settings, facts).fill(text)
}

/// The `{name}`s of a text, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some((_, name, after)) = next_placeholder(rest) {
        names.push(name);
        rest = after;
    }
    names
}

/// The text before the first `{name}`, the name, and the text after it.
fn next_placeholder(text: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(open) = text[from..].find('{').map(|i| from + i) {
        let after = &text[open + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = &after[..len];
        let starts_well = name.chars().next().is_some_and(|c| !c.is_ascii_digit());
        if starts_well && after[len..].starts_with('}') {
            return Some((&text[..open], name, &after[len + 1..]));
        }
        from = open + 1;
    }
    None
}

/// A text that may say different things in different runs: its own words,
/// and cases, each with an `if`, that say something else when it holds.
///
/// ```toml
/// why = { en = "…", zh = "…", case = [ { if = "lock", en = "…", zh = "…" } ] }
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(from = "SaidToml")]
pub struct Said {
    pub text: Text,
    pub cases: Vec<Case>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Case {
    /// The guard as written (checked when the manifest is read).
    pub guard: String,
    pub text: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaidToml {
    en: String,
    #[serde(default)]
    zh: String,
    #[serde(default)]
    case: Vec<CaseToml>,
}

/// A case as written: `{ if = "…", en = "…", zh = "…" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CaseToml {
    #[serde(rename = "if")]
    guard: String,
    en: String,
    #[serde(default)]
    zh: String,
}

impl From<CaseToml> for Case {
    fn from(c: CaseToml) -> Self {
        Case {
            guard: c.guard,
            text: Text { en: c.en, zh: c.zh },
        }
    }
}

impl From<SaidToml> for Said {
    fn from(s: SaidToml) -> Self {
        Said::new(Text { en: s.en, zh: s.zh }, s.case)
    }
}

impl Said {
    pub(super) fn new(text: Text, cases: Vec<CaseToml>) -> Self {
        Said {
            text,
            cases: cases.into_iter().map(Case::from).collect(),
        }
    }

    /// The same words in every run.
    pub fn plain(text: Text) -> Self {
        Said {
            text,
            cases: Vec::new(),
        }
    }

    /// The words for this run: the first case whose `if` holds, else the
    /// text's own. A case whose `if` is not decided yet is passed over.
    pub fn pick(&self, env: &Env) -> &Text {
        self.cases
            .iter()
            .find(|c| env.holds(&c.guard) == Some(true))
            .map_or(&self.text, |c| &c.text)
    }

    /// This run's words in `lang`, placeholders filled.
    pub fn say(&self, lang: Lang, env: &Env) -> String {
        env.fill(self.pick(env).get(lang))
    }

    /// Every version of the text (its own, then each case's).
    pub fn versions(&self) -> impl Iterator<Item = &Text> {
        std::iter::once(&self.text).chain(self.cases.iter().map(|c| &c.text))
    }
}
