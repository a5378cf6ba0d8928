//! What a recording adds to its `hello` so a replay can redraw the screen.

use serde::{Deserialize, Serialize};

/// What a recording keeps beside the events to redraw the screen: the
/// lesson or script, its parameters, the script's text and the terminal size.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplayMeta {
    pub title: String,
    #[serde(default)]
    pub lesson: Option<String>,
    #[serde(default)]
    pub params: std::collections::BTreeMap<String, ParamValue>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub cols: u16,
    #[serde(default)]
    pub rows: u16,
}

/// A lesson parameter's value as a recording keeps it: typed, so a replay
/// gets back the integer, number or boolean the run had. Recordings made
/// before kept every value as a string; those stay strings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}
