//! `lesson.toml`: parsing and validation. Every error names the file, the
//! line and the field, because teachers write these by hand.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::condition::FactExpr;
pub use super::lang::{Lang, Text};
use super::predict::{self, Prediction};
use super::say::{CaseToml, Said};
use super::texts;
pub use super::theme::Theme;
use crate::protocol::{Buffering, EVENT_KINDS, SUPERVISOR_KINDS};

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    Int,
    Float,
    Bool,
    Choice,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ParamType,
    pub default: toml::Value,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub help: Text,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub name: Text,
    #[serde(default)]
    pub set: BTreeMap<String, toml::Value>,
    /// A bundled schedule the variant replays ("show me the race").
    #[serde(default)]
    pub schedule: Option<String>,
    /// Choosing the variant also explores every order of it (`x`).
    #[serde(default)]
    pub explore: bool,
}

/// A narration beat: `when` it is reached, and what it says (in this
/// run: its cases, `[[beat.case]]`, may say something else).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(from = "BeatToml")]
pub struct Beat {
    pub when: String,
    pub text: Said,
}

/// A beat as written: `en`, `zh` and its cases beside `when`. (Not
/// `#[serde(flatten)]` into a `Said`: that would lose the line and the
/// expected fields of errors in a beat.)
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BeatToml {
    when: String,
    en: String,
    #[serde(default)]
    zh: String,
    #[serde(default)]
    case: Vec<CaseToml>,
}

impl From<BeatToml> for Beat {
    fn from(b: BeatToml) -> Self {
        Beat {
            when: b.when,
            text: Said::new(Text { en: b.en, zh: b.zh }, b.case),
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub slug: String,
    pub title: Text,
    pub summary: Text,
    /// Which group of the picker the lesson is listed in.
    #[serde(default)]
    pub theme: Option<Theme>,
    #[serde(default)]
    pub start_method: Option<String>,
    #[serde(default)]
    pub watch: Vec<String>,
    #[serde(default)]
    pub lines: bool,
    #[serde(default)]
    pub slow: Option<f64>,
    /// How the lesson's stdout and stderr buffer (default: as in a
    /// terminal); `--buffering` overrides it.
    #[serde(default)]
    pub buffering: Option<Buffering>,
    #[serde(default, rename = "param")]
    pub params: Vec<Param>,
    #[serde(default, rename = "variant")]
    pub variants: Vec<Variant>,
    #[serde(default, rename = "beat")]
    pub beats: Vec<Beat>,
    /// The fact `--repeat` tallies over many runs, e.g. `garbled`.
    #[serde(default)]
    pub outcome: Option<String>,
    /// The outcome's value when nothing went wrong (`0`): marked correct
    /// among the outcomes an exploration finds.
    #[serde(default)]
    pub correct: Option<String>,
    /// Questions asked at a beat, answered by the run's facts.
    #[serde(default, rename = "predict")]
    pub predictions: Vec<Prediction>,
    /// The learner's task in step mode.
    #[serde(default)]
    pub turn: Option<super::turn::Turn>,
}

/// A manifest problem, located.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: field `{}`: {}",
            self.file, self.line, self.field, self.message
        )
    }
}

pub fn parse(file: &str, text: &str) -> Result<Manifest, ManifestError> {
    let manifest: Manifest = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(1);
        let message = e.message().to_string();
        let field = field_in_message(&message).unwrap_or_else(|| key_at(text, line));
        ManifestError {
            file: file.to_string(),
            line,
            field,
            message,
        }
    })?;
    validate(file, text, &manifest)?;
    Ok(manifest)
}

fn validate(file: &str, text: &str, m: &Manifest) -> Result<(), ManifestError> {
    let err = |needle: &str, field: &str, message: String| ManifestError {
        file: file.to_string(),
        line: find_line(text, needle),
        field: field.to_string(),
        message,
    };
    if let Some(method) = &m.start_method {
        if !["fork", "spawn", "forkserver"].contains(&method.as_str()) {
            return Err(err(
                "start_method",
                "start_method",
                format!("`{method}` is not fork, spawn or forkserver"),
            ));
        }
    }
    for p in &m.params {
        let at = format!("\"{}\"", p.name);
        check_param(p).map_err(|msg| err(&at, &format!("param.{}", p.name), msg))?;
    }
    for v in &m.variants {
        for (name, value) in &v.set {
            let Some(p) = m.params.iter().find(|p| &p.name == name) else {
                return Err(err(
                    name,
                    "variant.set",
                    format!("no parameter named `{name}`"),
                ));
            };
            p.check(value)
                .map_err(|msg| err(name, &format!("variant.set.{name}"), msg))?;
        }
    }
    for b in &m.beats {
        if !beat_trigger_is_valid(&b.when) {
            let msg = format!(
                "`{}` is not start, end, an event kind, kind:N or several of these joined by |",
                b.when
            );
            return Err(err(&format!("\"{}\"", b.when), "beat.when", msg));
        }
    }
    if let Some(outcome) = &m.outcome {
        FactExpr::parse(outcome).map_err(|msg| err("outcome", "outcome", msg))?;
    }
    for (i, p) in m.predictions.iter().enumerate() {
        predict::check(p, &m.beats, &m.params).map_err(|problem| ManifestError {
            file: file.to_string(),
            line: line_in_table(text, "[[predict]]", i, &problem.needle),
            field: problem.field.to_string(),
            message: problem.message,
        })?;
    }
    texts::check(m).map_err(|p| ManifestError {
        file: file.to_string(),
        line: line_after(text, p.table, p.index, &p.needle),
        field: p.field,
        message: p.message,
    })
}

fn check_param(p: &Param) -> Result<(), String> {
    if p.kind == ParamType::Choice && p.choices.is_empty() {
        return Err("a choice parameter needs `choices`".into());
    }
    p.check(&p.default).map_err(|e| format!("default: {e}"))
}

fn beat_trigger_is_valid(when: &str) -> bool {
    when.split('|').all(|w| one_trigger_is_valid(w.trim()))
}

fn one_trigger_is_valid(when: &str) -> bool {
    if when == "start" || when == "end" {
        return true;
    }
    let (kind, count) = when
        .split_once(':')
        .map_or((when, None), |(k, n)| (k, Some(n)));
    is_beat_kind(kind) && count.is_none_or(|n| n.parse::<u32>().is_ok_and(|n| n > 0))
}

/// A beat waits for an event the shim sends; not for the supervisor's own
/// (run_paused, run_resumed, run_end: a beat waits for `end` instead).
fn is_beat_kind(kind: &str) -> bool {
    EVENT_KINDS.contains(&kind) && !SUPERVISOR_KINDS.contains(&kind)
}

impl Param {
    /// Check a value against this parameter's type and range.
    pub fn check(&self, value: &toml::Value) -> Result<(), String> {
        match (self.kind, value) {
            (ParamType::Int, toml::Value::Integer(i)) => self.in_range(*i as f64),
            (ParamType::Float, toml::Value::Float(f)) => self.in_range(*f),
            (ParamType::Float, toml::Value::Integer(i)) => self.in_range(*i as f64),
            (ParamType::Bool, toml::Value::Boolean(_)) => Ok(()),
            (ParamType::Choice, toml::Value::String(s)) if self.choices.contains(s) => Ok(()),
            (ParamType::Choice, _) => Err(format!("must be one of {}", self.choices.join(", "))),
            (kind, v) => Err(format!(
                "`{v}` is not a{} {}",
                if kind == ParamType::Int { "n" } else { "" },
                kind.name()
            )),
        }
    }

    fn in_range(&self, v: f64) -> Result<(), String> {
        let below = self.min.is_some_and(|min| v < min);
        let above = self.max.is_some_and(|max| v > max);
        if below || above {
            return Err(format!("{v} is outside {}", self.range_text()));
        }
        Ok(())
    }

    pub fn range_text(&self) -> String {
        match self.kind {
            ParamType::Bool => "true or false".into(),
            ParamType::Choice => self.choices.join(" | "),
            _ => match (self.min, self.max) {
                (Some(a), Some(b)) => format!("{a}..={b}"),
                (Some(a), None) => format!(">= {a}"),
                (None, Some(b)) => format!("<= {b}"),
                (None, None) => "any number".into(),
            },
        }
    }

    /// Parse a value typed by a user (`--set name=value`, the editor).
    pub fn parse_value(&self, raw: &str) -> Result<toml::Value, String> {
        let raw = raw.trim();
        let value = match self.kind {
            ParamType::Int => raw.parse::<i64>().map(toml::Value::Integer).map_err(|_| ()),
            ParamType::Float => raw.parse::<f64>().map(toml::Value::Float).map_err(|_| ()),
            ParamType::Bool => match raw {
                "true" | "yes" | "1" | "on" => Ok(toml::Value::Boolean(true)),
                "false" | "no" | "0" | "off" => Ok(toml::Value::Boolean(false)),
                _ => Err(()),
            },
            ParamType::Choice => Ok(toml::Value::String(raw.to_string())),
        }
        .map_err(|_| {
            format!(
                "`{raw}` is not a valid {} (expected {})",
                self.kind.name(),
                self.range_text()
            )
        })?;
        self.check(&value)?;
        Ok(value)
    }
}

impl ParamType {
    pub fn name(self) -> &'static str {
        match self {
            ParamType::Int => "integer",
            ParamType::Float => "number",
            ParamType::Bool => "boolean",
            ParamType::Choice => "choice",
        }
    }
}

/// A value as the script's argparse flag receives it.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) => format!("{f}"),
        other => other.to_string(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// First line containing `needle` (1 when absent).
fn find_line(text: &str, needle: &str) -> usize {
    text.find(needle).map(|o| line_of(text, o)).unwrap_or(1)
}

/// The line, inside the `n`-th (0-based) `header` table, that sets the key
/// `needle` or holds `"needle"`; that table's header line if none does.
fn line_in_table(text: &str, header: &str, n: usize, needle: &str) -> usize {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let Some(start) = (0..lines.len()).filter(|i| lines[*i] == header).nth(n) else {
        return 1;
    };
    let quoted = format!("\"{needle}\"");
    lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("[["))
        .position(|l| l.starts_with(needle) || l.contains(&quoted))
        .map_or(start + 1, |i| start + i + 2)
}

/// The first line from the `n`-th (0-based) `header` table on (up to the
/// next such table) that holds `needle`; that table's header line if none
/// does. Unlike [`line_in_table`] it looks into the table's sub-tables
/// (`[[beat.case]]`) too.
fn line_after(text: &str, header: &str, n: usize, needle: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let Some(start) = (0..lines.len())
        .filter(|i| lines[*i].trim() == header)
        .nth(n)
    else {
        return find_line(text, needle);
    };
    lines[start + 1..]
        .iter()
        .take_while(|l| l.trim() != header)
        .position(|l| l.contains(needle))
        .map_or(start + 1, |i| start + i + 2)
}

/// The key written on `line`, for errors whose message names no field.
fn key_at(text: &str, line: usize) -> String {
    let l = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
    l.split('=')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches(['[', ']'])
        .to_string()
}

/// toml names a missing field as "missing field `x`".
/// The field a message names ("missing field `x`", "unknown field `x`");
/// None when the backquoted word is a value ("unknown variant `pipes`"):
/// the key on the error's line is the field then.
fn field_in_message(msg: &str) -> Option<String> {
    let start = msg.find("field `")? + "field `".len();
    let end = start + msg[start..].find('`')?;
    Some(msg[start..end].to_string())
}
