//! Pipes: the two ends with the PIDs using each, the messages on their
//! way in each direction, and the latest sends and receives.

use ratatui::text::{Line, Span};

use super::{heading, label, pid_list};
use crate::model::PipeObj;
use crate::protocol::PipeOp;
use crate::ui::{ellipsize, pid_span, View};

pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (n, pipe) in view.model.pipes.in_order().enumerate() {
        lines.extend(pipe_lines(view, pipe, n + 1, width));
    }
    lines
}

fn pipe_lines(view: &View, pipe: &PipeObj, n: usize, width: usize) -> Vec<Line<'static>> {
    let title = format!("Pipe {n}: {} sent · {} received", pipe.sent, pipe.received);
    let mut ends = vec![label(view, "  end A ")];
    ends.extend(pid_list(view, pipe.users[0].iter().copied(), " "));
    ends.push(Span::styled("  ⇄  ", view.theme.bold()));
    ends.push(label(view, "end B "));
    ends.extend(pid_list(view, pipe.users[1].iter().copied(), " "));
    let mut lines = vec![heading(view, title), Line::from(ends)];
    for (side, arrow) in [(0, "  A → B "), (1, "  B → A ")] {
        let mut spans = vec![label(view, arrow)];
        let flying = &pipe.in_flight[side];
        if flying.is_empty() {
            spans.push(label(view, "—"));
        }
        let room = width.saturating_sub(10) / 10;
        for (sender, item) in flying.iter().take(room.max(1)) {
            spans.push(Span::styled(
                format!("[{}]", ellipsize(item, 8)),
                view.theme.pid(view.model, *sender),
            ));
        }
        lines.push(Line::from(spans));
    }
    for (pid, side, op, item) in &pipe.recent {
        let (verb, end) = match op {
            PipeOp::Send => ("sent", side),
            _ => ("received", side),
        };
        let end = if *end == 0 { "A" } else { "B" };
        lines.push(Line::from(vec![
            Span::raw("    "),
            pid_span(view, *pid),
            label(view, &format!(" {verb} at {end}: ")),
            Span::raw(ellipsize(item, width.saturating_sub(28).max(8))),
        ]));
    }
    lines
}
