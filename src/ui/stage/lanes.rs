//! The fallback when nothing is shared: each process's lifetime as a lane.

use ratatui::text::{Line, Span};

use super::heading;
use crate::ui::{pid_span, procs, View};

/// Each process's lifetime on one time axis, from the run's first event to
/// its latest: who overlapped whom, when each waited (┄: a lock, a queue,
/// a join), and the moment the main script's own code ended (▲).
pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let model = view.model;
    let rows = model.procs.tree();
    if rows.is_empty() {
        return vec![Line::styled(
            "Waiting for the script's first event…",
            view.theme.dim(),
        )];
    }
    let mut lines = vec![heading(view, "Process lifetimes (time →)".to_string())];
    let first = model.first_t.unwrap_or(0);
    let span = model.last_t.saturating_sub(first).max(1) as f64;
    let label_w = rows
        .iter()
        .map(|(_, p)| p.pid.to_string().len())
        .max()
        .unwrap_or(1)
        + 1;
    let bar_w = width.saturating_sub(label_w + 3).max(1);
    let col =
        |t: u64| ((t.saturating_sub(first) as f64 / span) * (bar_w - 1) as f64).round() as usize;
    for (_, p) in rows {
        let start = col(p.started_t);
        let end = col(p.ended_t.unwrap_or(model.last_t)).max(start);
        let mut bar: Vec<char> = vec!['━'; end - start];
        for (from, until) in &p.waits {
            let (a, b) = (
                col(*from).max(start),
                col(until.unwrap_or(model.last_t)).min(end),
            );
            for c in bar.iter_mut().take(b.saturating_sub(start)).skip(a - start) {
                *c = '┄';
            }
        }
        let end_glyph = procs::glyph(&p.state, model.is_paused());
        let mut spans = vec![
            pid_span(view, p.pid),
            Span::raw(" ".repeat(label_w - p.pid.to_string().len() + start)),
        ];
        spans.extend(runs(&bar).into_iter().map(|(c, n)| {
            let style = if c == '┄' {
                view.theme.dim()
            } else {
                view.theme.pid(model, p.pid)
            };
            Span::styled(c.to_string().repeat(n), style)
        }));
        spans.push(Span::styled(
            end_glyph,
            view.theme.state(&p.state, model.is_paused()),
        ));
        lines.push(Line::from(spans));
    }
    if let Some(t) = model.script_end_t {
        // The caret sits under the moment; its words go where they fit.
        let at = label_w + col(t);
        let (pad, text) = if at + 20 <= width {
            (at, "▲ main's code ended".to_string())
        } else {
            (at.saturating_sub(18), "main's code ended ▲".to_string())
        };
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(pad)),
            Span::styled(text, view.theme.bold()),
        ]));
    }
    lines.push(Line::styled(
        "━ running  ┄ waiting (lock, queue, join)",
        view.theme.dim(),
    ));
    lines
}

/// Runs of equal characters: "━━┄┄┄━" → [('━', 2), ('┄', 3), ('━', 1)].
fn runs(chars: &[char]) -> Vec<(char, usize)> {
    let mut out: Vec<(char, usize)> = Vec::new();
    for &c in chars {
        match out.last_mut() {
            Some((last, n)) if *last == c => *n += 1,
            _ => out.push((c, 1)),
        }
    }
    out
}
