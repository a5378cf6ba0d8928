//! Pool.apply / apply_async tasks on one time axis: when each ran and on
//! which worker (tasks one after another with `apply`, side by side with
//! `apply_async`), whether it raised, and where its callback ran.

use ratatui::text::{Line, Span};

use super::{heading, label};
use crate::model::Task;
use crate::ui::{pid_span, View};

pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let model = view.model;
    if model.applies.is_empty() {
        return Vec::new();
    }
    let tasks: Vec<&Task> = model.applies.tasks().collect();
    let first = tasks.iter().map(|t| t.asked_t).min().unwrap_or(0);
    let span = model.last_t.saturating_sub(first).max(1) as f64;
    let bar_w = width.saturating_sub(38).clamp(6, 60);
    let col = |t: u64| ((t.saturating_sub(first) as f64 / span) * (bar_w - 1) as f64) as usize;
    let mut lines = vec![heading(
        view,
        "Pool tasks (time →) · who ran each · where its callback ran".to_string(),
    )];
    for task in tasks {
        let call = if task.blocking { "apply" } else { "async" };
        let mut spans = vec![label(view, &format!("  #{:<2} {call}", task.job))];
        spans.extend(bar(view, task, bar_w, col));
        spans.extend(outcome(view, task, model.info.root));
        lines.push(Line::from(spans));
    }
    let name = model.applies.tasks().find_map(|t| t.name.clone());
    let legend = format!(
        "  ━ {}() in a worker · ✔ returned ✘ raised · → where its callback ran",
        name.as_deref().unwrap_or("task")
    );
    lines.push(Line::from(label(view, &legend)));
    lines
}

/// `   ━━━━━` from taken to done, in the worker's colour.
fn bar(view: &View, task: &Task, bar_w: usize, col: impl Fn(u64) -> usize) -> Vec<Span<'static>> {
    let (Some(worker), Some(taken)) = (task.worker, task.taken_t) else {
        return vec![Span::raw(" ".repeat(bar_w + 1))];
    };
    let start = col(taken).min(bar_w - 1);
    let end = col(task.done_t.unwrap_or(view.model.last_t)).clamp(start + 1, bar_w);
    vec![
        Span::raw(" ".repeat(start + 1)),
        Span::styled("━".repeat(end - start), view.theme.pid(view.model, worker)),
        Span::raw(" ".repeat(bar_w - end)),
    ]
}

/// ` 4102 ✔ → 4100 main`
fn outcome(view: &View, task: &Task, root: Option<i32>) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    if let Some(worker) = task.worker {
        spans.push(Span::raw(" "));
        spans.push(pid_span(view, worker));
    }
    match task.ok {
        Some(true) => spans.push(Span::styled(" ✔", view.theme.good())),
        Some(false) => spans.push(Span::styled(" ✘", view.theme.bad())),
        None => {}
    }
    if let Some((pid, which, _)) = &task.ran {
        let arrow = if which == "error_callback" {
            " → error "
        } else {
            " → "
        };
        spans.push(label(view, arrow));
        spans.push(pid_span(view, *pid));
        if Some(*pid) == root {
            spans.push(label(view, " main"));
        }
    }
    spans
}
