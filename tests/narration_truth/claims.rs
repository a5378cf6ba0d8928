//! Claims about a setting, found in a text as the learner reads it.

use forklore::lesson::manifest::{Param, ParamType};
use forklore::lesson::Settings;

/// `NAME = VALUE`, `NAME left at VALUE`, `NAME 为 VALUE` … where NAME is a
/// parameter and VALUE one it can have, but not the one this run has.
pub fn false_claims(text: &str, params: &[Param], settings: &Settings) -> Vec<String> {
    const LINKS: &[&str] = &["==", "=", "left at", "set to", "is", "为", "是"];
    let mut problems = Vec::new();
    for p in params {
        let Some(run_value) = settings.text(&p.name) else {
            continue;
        };
        for (at, _) in text.match_indices(p.name.as_str()) {
            let before = text[..at].chars().next_back();
            let rest = &text[at + p.name.len()..];
            let word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
            if before.is_some_and(word_char) || rest.chars().next().is_some_and(word_char) {
                continue;
            }
            let rest = rest.trim_start();
            let Some(link) = LINKS.iter().find(|l| rest.starts_with(**l)) else {
                continue;
            };
            let value: String = rest[link.len()..]
                .trim_start()
                .trim_start_matches(['`', '\'', '"'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                .collect();
            let value = value.trim_end_matches('.');
            if is_value_of(p, value) && !same_value(value, &run_value) {
                problems.push(format!(
                    "claims `{} {link} {value}`, but this run has {} = {run_value}",
                    p.name, p.name
                ));
            }
        }
    }
    problems
}

fn is_value_of(p: &Param, value: &str) -> bool {
    match p.kind {
        ParamType::Bool => matches!(value.to_lowercase().as_str(), "true" | "false"),
        ParamType::Choice => p.choices.iter().any(|c| c == value),
        ParamType::Int | ParamType::Float => value.parse::<f64>().is_ok(),
    }
}

fn same_value(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a.eq_ignore_ascii_case(b),
    }
}
