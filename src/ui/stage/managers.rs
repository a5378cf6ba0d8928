//! Manager servers: their dicts, the latest calls and lost updates.

use ratatui::text::{Line, Span};

use super::label;
use crate::model::{Call, Server};
use crate::ui::{ellipsize, pid_span, View};

/// Manager calls listed per server.
const RECENT_CALLS: usize = 3;

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
            // A value written twice: two clients read the same old value.
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
                label(view, " (read-modify-write races)"),
            ]));
        }
    }
    let skip = server.recent.len().saturating_sub(RECENT_CALLS);
    for call in server.recent.iter().skip(skip) {
        lines.push(Line::from(vec![
            Span::raw("    "),
            pid_span(view, call.client),
            Span::raw(format!(" {}", call_text(call))),
        ]));
    }
    lines
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

/// A call as Python would have written it: `d[k] = v`, `d[k] → 3`, `d.keys()`.
fn call_text(call: &Call) -> String {
    let args = &call.args;
    match (call.method.as_str(), args.as_slice()) {
        ("__setitem__", [k, v, ..]) => format!("d[{k}] = {v}"),
        ("__getitem__", [k, ..]) => format!("d[{k}] → {}", call.result),
        ("__delitem__", [k, ..]) => format!("del d[{k}]"),
        (method, _) => format!("d.{method}({}) → {}", args.join(", "), call.result),
    }
}
