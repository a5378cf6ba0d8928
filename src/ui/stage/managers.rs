//! Manager servers, drawn: the dict they hold and its lost updates, then
//! one lane per client process with its latest calls, in the order the
//! server saw them (`4105  read 23 ───── write 22`). The lanes share that
//! order, so a lost update is visible: two reads of one value before two
//! writes of the next (the second write, of a value already written, is
//! marked ✘).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::label;
use crate::model::{Call, Server};
use crate::ui::{ellipsize, pid_span, View};

/// Client lanes drawn per server (the latest clients).
const MAX_LANES: usize = 5;

pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for server in view.model.managers.servers.values() {
        lines.extend(server_lines(view, server, width));
    }
    lines
}

fn server_lines(view: &View, server: &Server, width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled("Manager server ", view.theme.bold()),
        pid_span(view, server.pid),
        label(view, &format!("  {} calls", server.calls)),
    ])];
    for (id, obj) in server.objects.iter() {
        let entries: Vec<String> = obj
            .entries
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let head = format!("  {} {}: ", obj.typeid, short_id(id));
        let room = width.saturating_sub(head.chars().count());
        lines.push(Line::from(vec![
            label(view, &head),
            Span::styled(
                ellipsize(&format!("{{{}}}", entries.join(", ")), room),
                view.theme.text(),
            ),
        ]));
        let writes: u64 = obj.counters.values().map(|c| c.writes).sum();
        if writes > 0 {
            let lost = obj.lost_updates();
            let style = if lost > 0 {
                view.theme.bad()
            } else {
                view.theme.good()
            };
            lines.push(Line::from(vec![
                label(view, &format!("    {writes} writes · ")),
                Span::styled(
                    format!("{lost} lost updates"),
                    style.patch(view.theme.bold()),
                ),
                label(
                    view,
                    if width >= 50 {
                        " (read-modify-write races)"
                    } else {
                        ""
                    },
                ),
            ]));
        }
    }
    lines.extend(lanes(view, server, width));
    lines
}

/// The latest calls of the latest clients, one lane per client.
fn lanes(view: &View, server: &Server, width: usize) -> Vec<Line<'static>> {
    let pid_w = server
        .recent
        .iter()
        .map(|c| c.client.to_string().len())
        .max()
        .unwrap_or(1);
    let room = width.saturating_sub(pid_w + 3);
    // Full words when six calls fit (or all there are); else short ones
    // (r23, w22).
    let full_step = step(server.recent.iter(), false);
    let compact = room / full_step < server.recent.len().min(6) && !view.ui.big;
    let step = if compact {
        step(server.recent.iter(), true)
    } else {
        full_step
    };
    let window = latest(server, room / step);
    let mut clients: Vec<i32> = Vec::new();
    for call in &window {
        if !clients.contains(&call.client) {
            clients.push(call.client);
        }
    }
    let mut lines: Vec<Line> = clients
        .iter()
        .map(|pid| lane(view, *pid, &window, step, compact, pid_w))
        .collect();
    if window.iter().any(|c| c.lost) {
        lines.push(Line::styled(
            "  ✘ written twice: an update lost",
            view.theme.bad(),
        ));
    }
    lines
}

/// Columns per call: the widest label, and room for ` ─ ` after it
/// (just a space when short: narrow screens need every column).
fn step<'a>(calls: impl Iterator<Item = &'a Call>, compact: bool) -> usize {
    let widest = calls.map(|c| word(c, compact).chars().count()).max();
    widest.unwrap_or(4) + if compact { 2 } else { 3 }
}

/// At most `count` calls, oldest first, by at most `MAX_LANES` clients:
/// the latest ones, or, when an update was lost among the calls kept,
/// the ones around the latest lost write, so the race stays in view.
fn latest(server: &Server, count: usize) -> Vec<&Call> {
    let calls: Vec<&Call> = server.recent.iter().collect();
    let count = count.max(1);
    // The lost write, and what followed if there is room: two reads and
    // two writes (four calls) are the race itself.
    let end = match calls.iter().rposition(|c| c.lost) {
        Some(lost) => (lost + 1 + count.saturating_sub(4) / 2).min(calls.len()),
        None => calls.len(),
    };
    let mut clients: Vec<i32> = Vec::new();
    let mut window: Vec<&Call> = Vec::new();
    for call in calls[..end].iter().rev() {
        if window.len() == count {
            break;
        }
        if !clients.contains(&call.client) {
            if clients.len() == MAX_LANES {
                continue;
            }
            clients.push(call.client);
        }
        window.push(call);
    }
    window.reverse();
    window
}

/// One client's lane: its calls where they fall in the window, joined by
/// ─ from its first call to its last (`read 23 ───── write 22`).
fn lane(
    view: &View,
    pid: i32,
    window: &[&Call],
    step: usize,
    compact: bool,
    pid_w: usize,
) -> Line<'static> {
    let own: Vec<usize> = (0..window.len())
        .filter(|i| window[*i].client == pid)
        .collect();
    let (first, last) = (own[0] * step, own[own.len() - 1] * step);
    // One cell per column, then runs of one style become spans.
    let dim = view.theme.dim();
    let mut cells: Vec<(char, Style)> = (0..window.len() * step)
        .map(|x| {
            (
                if (first..last).contains(&x) {
                    '─'
                } else {
                    ' '
                },
                dim,
            )
        })
        .collect();
    for i in own {
        let call = window[i];
        let style = if call.lost {
            view.theme.bad()
        } else {
            view.theme.pid(view.model, pid)
        };
        let x = i * step;
        if x > 0 {
            cells[x - 1].0 = ' ';
        }
        let text = word(call, compact);
        let end = x + text.chars().count();
        for (cell, c) in cells[x..end].iter_mut().zip(text.chars()) {
            *cell = (c, style);
        }
        cells[end].0 = ' ';
    }
    let mut spans = vec![
        Span::raw("  "),
        pid_span(view, pid),
        Span::raw(" ".repeat(pid_w + 1 - pid.to_string().len())),
    ];
    for run in cells.chunk_by(|a, b| a.1 == b.1) {
        spans.push(Span::styled(
            run.iter().map(|c| c.0).collect::<String>(),
            run[0].1,
        ));
    }
    Line::from(spans)
}

/// A call in a lane: `read 23`, `write 22` (`r23`, `w22` when short),
/// other methods by name; ✘ after a write that lost an update.
fn word(call: &Call, compact: bool) -> String {
    let (verb, short, what) = match (call.method.as_str(), call.args.as_slice()) {
        ("__getitem__" | "get", _) => ("read ", "r", call.result.as_str()),
        ("__setitem__", [_, v, ..]) => ("write ", "w", v.as_str()),
        (method, [arg, ..]) => (method, "", arg.as_str()),
        (method, []) => (method, "", ""),
    };
    let mut text = if compact && !short.is_empty() {
        format!("{short}{what}")
    } else if short.is_empty() {
        let text = format!("{verb} {what}");
        ellipsize(text.trim(), if compact { 5 } else { 10 })
    } else {
        format!("{verb}{what}")
    };
    if call.lost {
        text.push('✘');
    }
    text
}

/// Proxy object ids are long hex addresses; the tail tells them apart.
fn short_id(id: &str) -> String {
    let tail: String = id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}
