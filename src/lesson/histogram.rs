//! How a lesson's outcome came out over many real runs (`--repeat N`):
//! value → number of runs. Pure; `crate::repeat` does the runs.

use std::collections::BTreeMap;

use super::condition::FactExpr;

#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    /// The outcome as the manifest names it, e.g. `garbled`.
    pub outcome: String,
    counts: BTreeMap<String, u64>,
    /// Runs that could not be started or did not end.
    pub failed: u64,
}

/// The value of a run that never produced the fact.
pub const NO_VALUE: &str = "n/a";

impl Histogram {
    pub fn new(outcome: &str) -> Self {
        Histogram {
            outcome: outcome.to_string(),
            counts: BTreeMap::new(),
            failed: 0,
        }
    }

    /// One run's value of the outcome.
    pub fn add(&mut self, value: Option<String>) {
        let key = value.unwrap_or_else(|| NO_VALUE.to_string());
        *self.counts.entry(key).or_default() += 1;
    }

    /// Runs counted.
    pub fn runs(&self) -> u64 {
        self.counts.values().sum()
    }

    /// (value, runs), numbers in numeric order first, then the others.
    pub fn rows(&self) -> Vec<(&str, u64)> {
        let mut rows: Vec<(&str, u64)> =
            self.counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        rows.sort_by_key(|(k, _)| match k.parse::<i64>() {
            Ok(n) => (0, n, String::new()),
            Err(_) => (1, 0, k.to_string()),
        });
        rows
    }

    /// What the outcome measures, in words.
    pub fn label(&self) -> String {
        FactExpr::parse(&self.outcome).map_or(self.outcome.clone(), |f| f.label())
    }

    /// `{"runs": N, "outcome": …, "label": …, "histogram": {value: runs},
    /// "failed": …}` plus `extra` fields, on one line.
    pub fn to_json(&self, extra: serde_json::Map<String, serde_json::Value>) -> String {
        let histogram: serde_json::Map<String, serde_json::Value> = self
            .rows()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.into()))
            .collect();
        let mut object = serde_json::Map::new();
        object.insert("runs".into(), self.runs().into());
        object.insert("outcome".into(), self.outcome.clone().into());
        object.insert("label".into(), self.label().into());
        object.insert("histogram".into(), histogram.into());
        object.insert("failed".into(), self.failed.into());
        object.extend(extra);
        serde_json::Value::Object(object).to_string()
    }

    /// The histogram as text: one bar per value, the longest `width`
    /// wide; the row of `mark` (this run's value) marked.
    pub fn text(&self, mark: Option<&str>, width: usize) -> Vec<String> {
        let rows = self.rows();
        let most = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
        let key_w = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(1);
        let mut lines = vec![format!(
            "{} runs · {} ({})",
            self.runs(),
            self.label(),
            self.outcome
        )];
        for (key, n) in rows {
            let bar = "█".repeat((n as usize * width).div_ceil(most as usize));
            let here = if mark == Some(key) {
                "  ◀ this run"
            } else {
                ""
            };
            lines.push(format!("{key:>key_w$} │{bar} {n}{here}"));
        }
        if let Some(value) = mark.filter(|m| !self.counts.contains_key(*m)) {
            lines.push(format!(
                "this run: {value} (none of the {} had it)",
                self.runs()
            ));
        }
        if self.failed > 0 {
            lines.push(format!("{} runs failed", self.failed));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_in_numeric_order_then_words_and_this_run_marked() {
        let mut h = Histogram::new("busiest_worker");
        for v in ["10", "2", "tie", "2", "-15"] {
            h.add(Some(v.to_string()));
        }
        h.add(None);
        let keys: Vec<&str> = h.rows().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["-15", "2", "10", "n/a", "tie"]);
        assert_eq!(h.runs(), 6);
        let text = h.text(Some("2"), 4);
        assert_eq!(text[2], "  2 │████ 2  ◀ this run");
        assert_eq!(text[1], "-15 │██ 1");
        let other = h.text(Some("7"), 4);
        assert_eq!(other.last().unwrap(), "this run: 7 (none of the 6 had it)");
        let json: serde_json::Value = serde_json::from_str(&h.to_json(Default::default())).unwrap();
        assert_eq!(json["histogram"]["2"], 2);
        assert_eq!(json["runs"], 6);
    }
}
