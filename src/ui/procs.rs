//! The process tree: real PIDs, parent/child indentation, role, name and
//! live state. The state has a colour and a glyph, so it reads without
//! colour too.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{ellipsize, panel, pid_span, View};
use crate::model::{takes_part, Model, Proc, ProcState, RunState, Wait};

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let model = view.model;
    let alive = model.procs.alive().count();
    let title = format!(" Processes · {} · {alive} alive ", model.procs.len());
    let rows = model.procs.tree();
    let mut block = panel(view, title);
    let inner = block.inner(area);
    let offset = first_row(view, inner.height);
    // Rows that do not fit are counted in the border, so none goes unnoticed.
    let hidden_above = offset;
    let hidden_below = rows
        .len()
        .saturating_sub(offset + usize::from(inner.height));
    if hidden_above + hidden_below > 0 {
        let note = format!(" ↑{hidden_above} ↓{hidden_below} more · Tab scrolls ");
        block = block.title_bottom(Line::styled(note, view.theme.bold()).right_aligned());
    }
    frame.render_widget(block, area);
    let pid_width = rows
        .iter()
        .map(|(depth, p)| depth * 2 + p.pid.to_string().len())
        .max()
        .unwrap_or(0);
    // Step mode says what each holding process is about to do: more room.
    let widest = if model.steps.on { 56 } else { 28 };
    let state_width = rows
        .iter()
        .map(|(_, p)| state_text(model, p).chars().count())
        .max()
        .unwrap_or(0)
        .min(widest);
    let lines: Vec<Line> = rows
        .iter()
        .skip(offset)
        .take(inner.height as usize)
        .map(|(depth, p)| row(view, *depth, p, pid_width, state_width))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The process drawn at terminal row `row` of the panel at `area`, for
/// mouse clicks. Mirrors `render`'s border and scrolling.
pub fn pid_at(view: &View, area: Rect, column: u16, row: u16) -> Option<i32> {
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    if !inner.contains(ratatui::layout::Position::new(column, row)) {
        return None;
    }
    let index = first_row(view, inner.height) + usize::from(row - inner.y);
    view.model.procs.tree().get(index).map(|(_, p)| p.pid)
}

/// The first row shown: scrolled just enough to keep the focus visible.
fn first_row(view: &View, height: u16) -> usize {
    let height = usize::from(height.max(1));
    let rows = view.model.procs.tree();
    let focus = view
        .ui
        .selected
        .and_then(|pid| rows.iter().position(|(_, p)| p.pid == pid))
        .unwrap_or(0);
    (focus + 1).saturating_sub(height)
}

fn row(view: &View, depth: usize, p: &Proc, pid_width: usize, state_width: usize) -> Line<'static> {
    let theme = view.theme;
    let selected = view.ui.selected == Some(p.pid);
    let indent = match depth {
        0 => String::new(),
        d => format!("{}└ ", "  ".repeat(d - 1)),
    };
    let pad = pid_width.saturating_sub(depth * 2 + p.pid.to_string().len());
    let paused = view.model.state == RunState::Paused;
    let state = ellipsize(&state_text(view.model, p), state_width);
    let mut spans = vec![
        Span::raw(if selected { "▸ " } else { "  " }),
        Span::styled(indent, theme.dim()),
        pid_span(view, p.pid),
        Span::raw(" ".repeat(pad + 1)),
        Span::styled(
            format!("{state:<state_width$}"),
            theme.state(&p.state, paused),
        ),
        Span::raw("  "),
        Span::styled(p.role.label().to_string(), theme.dim()),
    ];
    if !p.name.is_empty() {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(p.name.clone(), theme.pid(view.model, p.pid)));
    }
    // The method, where it is not the run's default (the header's).
    if let Some(method) = p
        .method
        .as_deref()
        .filter(|m| *m != view.model.info.start_method)
    {
        spans.push(Span::styled(format!("  {method}"), theme.dim()));
    }
    if p.daemon {
        spans.push(Span::styled("  daemon", theme.dim()));
    }
    let line = Line::from(spans);
    if selected {
        line.style(theme.selected())
    } else {
        line
    }
}

/// The glyph of a state, so it reads without colour.
pub fn glyph(state: &ProcState, paused: bool) -> &'static str {
    match state {
        ProcState::Starting => "…",
        ProcState::Running | ProcState::Blocked(_) if paused => "⏸",
        ProcState::Running => "▶",
        ProcState::Blocked(_) => "⧗",
        ProcState::Exited(0) => "✔",
        ProcState::Exited(_) => "✘",
        ProcState::Killed(_) => "☠",
        ProcState::Ended => "⊘",
    }
}

/// The state in words, led by its glyph: `▶ running`, `⏸ paused`,
/// `⧗ blocked on lock`, `✔ exited 0`, `✘ exited 3`, `☠ killed by SIGTERM`.
pub fn state_text(model: &Model, p: &Proc) -> String {
    if let Some(text) = want_text(model, p) {
        return text;
    }
    let paused = model.state == RunState::Paused;
    let words = match &p.state {
        ProcState::Starting => "starting".to_string(),
        ProcState::Running if paused => "paused".to_string(),
        // Step mode: multiprocessing's own helpers are never held; the
        // others, not at a checkpoint, run their own code.
        ProcState::Running if model.steps.on && !takes_part(p.role) => {
            "running (never held)".to_string()
        }
        ProcState::Running if model.steps.on => "running code".to_string(),
        ProcState::Running => "running".to_string(),
        ProcState::Blocked(wait) => {
            let blocked = match wait {
                Wait::Acquire { id } => format!("blocked on {}", object_label(model, id)),
                Wait::ConditionWait { id } => {
                    format!("blocked on {} (wait)", object_label(model, id))
                }
                Wait::QueuePut { id } => format!("blocked on {} (put)", object_label(model, id)),
                Wait::QueueGet { id } => format!("blocked on {} (get)", object_label(model, id)),
                Wait::QueueJoin { id } => {
                    format!("waiting in {}.join()", object_label(model, id))
                }
                Wait::Join {
                    child,
                    at_exit: false,
                } => format!("waiting in join({child})"),
                Wait::Join {
                    child,
                    at_exit: true,
                } => format!("waiting in join({child}) at exit"),
                Wait::Future { task } => format!("waiting for task {task}'s result"),
            };
            if paused {
                format!("paused, {blocked}")
            } else {
                blocked
            }
        }
        ProcState::Exited(code) => format!("exited {code}"),
        ProcState::Killed(sig) => format!("killed by {}", signal_name(*sig)),
        ProcState::Ended => "ended (status unknown)".to_string(),
    };
    format!("{} {words}{}", glyph(&p.state, paused), holding(model, p))
}

/// Step mode: "[2] ▸ lock.acquire() · main.py:23" for a process holding
/// at a checkpoint (2: its number, for the digit keys).
fn want_text(model: &Model, p: &Proc) -> Option<String> {
    let want = model.steps.wants.get(&p.pid)?;
    if !p.state.is_alive() {
        return None;
    }
    let n = model.holding_in_order().iter().position(|h| *h == p.pid)? + 1;
    let mut text = format!("[{n}] ▸ {}", want.describe(model));
    if let Some(place) = want.place() {
        text += " · ";
        text += &place;
    }
    Some(text + &holding(model, p))
}

/// " · holds lock" when a live process holds a Lock, RLock or Condition:
/// the one others are waiting for.
fn holding(model: &Model, p: &Proc) -> String {
    if !p.state.is_alive() {
        return String::new();
    }
    let held: Vec<String> = model
        .sync
        .in_order()
        .into_iter()
        .filter(|o| !o.is_semaphore() && o.holders.contains(&p.pid))
        .map(|o| o.label())
        .collect();
    if held.is_empty() {
        String::new()
    } else {
        format!(" · holds {}", held.join(", "))
    }
}

/// The name a learner knows a lock, semaphore or queue by.
pub fn object_label(model: &Model, id: &str) -> String {
    model
        .sync
        .get(id)
        .map(|o| o.label())
        .or_else(|| model.queues.get(id).map(|q| q.label()))
        .unwrap_or_else(|| id.to_string())
}

/// "SIGTERM" for 15; "signal 99" for numbers this platform does not name.
pub fn signal_name(sig: i32) -> String {
    nix::sys::signal::Signal::try_from(sig)
        .map(|s| s.as_str().to_string())
        .unwrap_or_else(|_| format!("signal {sig}"))
}
