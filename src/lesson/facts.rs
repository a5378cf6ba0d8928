//! Facts of a run for narration placeholders: `{chunksize}`, `{garbled}`…
//! Computed from the model, so they are always this run's real numbers.

use std::collections::BTreeMap;

use super::Settings;
use crate::model::{Model, ProcState};
use crate::protocol::{default_chunksize, Role};

pub fn facts(model: &Model, watch: &[String]) -> BTreeMap<&'static str, String> {
    let mut f = BTreeMap::new();
    if let Some(root) = model.info.root {
        f.insert("main_pid", root.to_string());
    }
    if let Some(job) = model.jobs.current() {
        f.insert("items", job.items.to_string());
        f.insert("chunksize", job.chunksize.to_string());
        f.insert("chunks", job.chunks.to_string());
        if let Some(w) = job.workers {
            f.insert("workers", w.to_string());
            let c = default_chunksize(job.items, w);
            f.insert("divmod", format!("({}, {})", c.size, c.extra));
        }
        let takers: Vec<String> = job
            .cells
            .iter()
            .take(12)
            .take_while(|c| c.taker != 0)
            .map(|c| c.taker.to_string())
            .collect();
        f.insert("takers", takers.join(", "));
    }
    f.insert("garbled", model.output.garbled_lines.to_string());
    f.insert("lines_written", model.output.total_lines.to_string());
    if let Some(var) = watch.first() {
        let len_of = |p: &crate::model::Proc| p.vars.get(var).and_then(|v| v.len).unwrap_or(0);
        let procs = model.procs.in_order();
        let (mains, others): (Vec<_>, Vec<_>) =
            procs.into_iter().partition(|p| p.role == Role::Main);
        f.insert(
            "parent_len",
            mains.first().map(|p| len_of(p)).unwrap_or(0).to_string(),
        );
        f.insert(
            "children_len",
            others.iter().map(|p| len_of(p)).sum::<u64>().to_string(),
        );
    }
    let codes: Vec<String> = model
        .procs
        .in_order()
        .iter()
        .filter(|p| p.role != Role::Main)
        .filter_map(|p| match p.state {
            ProcState::Exited(c) => Some(format!("{}={c}", p.pid)),
            ProcState::Killed(s) => Some(format!("{}=-{s}", p.pid)),
            _ => None,
        })
        .collect();
    f.insert("exit_codes", codes.join(", "));
    f.insert("lost_updates", model.managers.lost_updates().to_string());
    f
}

/// Replace `{name}` by a parameter value or a fact; unknown names stay.
pub fn fill(text: &str, settings: &Settings, facts: &BTreeMap<&'static str, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match settings.text(name).or_else(|| facts.get(name).cloned()) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
