//! The script's source with a marker per process at the line it is on,
//! scrolled to follow the focused process (or the main one).

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::{panel, View};

/// Markers shown per line before the rest are summed up as `+N`.
const MAX_MARKS: usize = 3;

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let block = panel(view, format!(" Code · {} ", file_name(view)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if view.source.is_empty() {
        let msg = Line::styled("(the script's source is not available)", view.theme.dim());
        frame.render_widget(Paragraph::new(msg), inner);
        return;
    }
    let focus = focus_line(view);
    let height = usize::from(inner.height);
    let first = focus
        .map(|l| (l as usize).saturating_sub(height / 2 + 1))
        .unwrap_or(0)
        .min(view.source.len().saturating_sub(height));
    let number_w = view.source.len().to_string().len();
    let lines: Vec<Line> = view
        .source
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, text)| source_line(view, i as u32 + 1, text, number_w, focus))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn file_name(view: &View) -> String {
    let script = &view.model.info.script;
    std::path::Path::new(script)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| view.title.to_string())
}

/// The line to keep in view: the focused process's, else the main one's,
/// else any live process's.
fn focus_line(view: &View) -> Option<u32> {
    let model = view.model;
    let line_of = |pid: Option<i32>| {
        pid.and_then(|p| model.procs.get(p))
            .and_then(|p| model.line_of(p))
    };
    line_of(view.ui.selected)
        .or_else(|| line_of(model.info.root))
        .or_else(|| model.procs.alive().find_map(|p| model.line_of(p)))
}

fn source_line(
    view: &View,
    number: u32,
    text: &str,
    number_w: usize,
    focus: Option<u32>,
) -> Line<'static> {
    let theme = view.theme;
    let here: Vec<i32> = view
        .model
        .procs
        .in_order()
        .into_iter()
        .filter(|p| p.state.is_alive() && view.model.line_of(p) == Some(number))
        .map(|p| p.pid)
        .collect();
    let mut spans = vec![Span::styled(format!("{number:>number_w$} "), theme.dim())];
    for pid in here.iter().take(MAX_MARKS) {
        // ▸: holding here in step mode, about to run this line's operation.
        let mark = match view.model.steps.wants.contains_key(pid) {
            true => "▸",
            false => "●",
        };
        spans.push(Span::styled(mark, theme.pid(view.model, *pid)));
    }
    let extra = here.len().saturating_sub(MAX_MARKS);
    let marks_w = here.len().min(MAX_MARKS);
    let tail = if extra > 0 {
        format!("+{extra}")
    } else {
        String::new()
    };
    let pad = (MAX_MARKS + 1).saturating_sub(marks_w + tail.len());
    spans.push(Span::styled(tail, theme.bold()));
    spans.push(Span::raw(" ".repeat(pad)));
    let style = if focus == Some(number) && !here.is_empty() {
        theme.bold().patch(theme.text())
    } else {
        theme.text()
    };
    spans.push(Span::styled(text.to_string(), style));
    Line::from(spans)
}
