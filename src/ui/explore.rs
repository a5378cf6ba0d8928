//! The window of `x`: the program explored in the background. While the
//! search runs, how far it got; then each outcome as a bar of the
//! schedules that reach it, with its shortest schedule as one line, the
//! chosen one marked (Enter replays it).

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{panel, Overlay, View};
use crate::explore::Report;

/// What the window shows.
#[derive(Clone, Copy, Debug)]
pub struct Explored<'a> {
    pub title: &'a str,
    pub seconds: u64,
    /// Schedules run and outcomes found so far, of at most `max`.
    pub progress: (usize, usize),
    pub max: usize,
    pub report: Option<&'a Report>,
    pub error: Option<&'a str>,
    pub selected: usize,
    /// The outcome the lesson calls correct, marked ✔.
    pub correct: Option<&'a str>,
}

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let Overlay::Explore(e) = view.overlay else {
        return;
    };
    let width = area.width.saturating_sub(4).min(100);
    let lines = match (e.report, e.error) {
        (_, Some(error)) => vec![Line::styled(format!(" {error}"), view.theme.bad())],
        (Some(report), _) => outcomes(view, report, &e, usize::from(width)),
        (None, None) => {
            let bar = usize::from(width).saturating_sub(4).min(60);
            let filled = (bar * e.progress.0)
                .checked_div(e.max)
                .unwrap_or(0)
                .min(bar);
            vec![
                Line::styled(
                    format!(
                        " exploring… {} schedules run, {} outcomes so far ({} s)",
                        e.progress.0, e.progress.1, e.seconds
                    ),
                    view.theme.bold(),
                ),
                Line::from(vec![
                    Span::raw(" "),
                    Span::styled("━".repeat(filled), view.theme.good()),
                    Span::styled("─".repeat(bar - filled), view.theme.dim()),
                    Span::styled(format!(" of at most {}", e.max), view.theme.dim()),
                ]),
            ]
        }
    };
    let footer = match e.report {
        Some(_) => " ↑/↓ choose · Enter replays its shortest schedule · Esc closes",
        None => " Every schedule is a real run. Esc stops the search.",
    };
    let mut lines = lines;
    lines.push(Line::styled(footer, view.theme.dim()));
    let popup = area.centered(
        Constraint::Length(width + 2),
        // Room for the schedules' lines to wrap once each.
        Constraint::Length((lines.len() as u16 * 3 / 2 + 2).min(area.height)),
    );
    frame.render_widget(Clear, popup);
    let block = panel(view, format!(" {} · every order explored ", e.title));
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        popup,
    );
}

/// The summary line, then per outcome: a bar of its schedules and its
/// headline, and its shortest schedule's decisions.
fn outcomes(view: &View, report: &Report, e: &Explored, width: usize) -> Vec<Line<'static>> {
    let done = if report.complete {
        "complete"
    } else {
        "stopped early"
    };
    let mut lines = vec![Line::styled(
        format!(
            " {} schedules ({done}): {} outcome{}",
            report.schedules,
            report.groups.len(),
            if report.groups.len() == 1 { "" } else { "s" }
        ),
        view.theme.bold(),
    )];
    let most = report
        .groups
        .iter()
        .map(|g| g.runs)
        .max()
        .unwrap_or(1)
        .max(1);
    let bar = (width / 4).max(8);
    for (i, g) in report.groups.iter().enumerate() {
        let filled = (bar * g.runs).div_ceil(most).min(bar);
        let chosen = i == e.selected;
        let mark = if chosen { "▸" } else { " " };
        let style = if chosen {
            view.theme.selected()
        } else {
            view.theme.text()
        };
        lines.push(Line::from(vec![
            Span::styled(format!("{mark}{:>2}. ", i + 1), style),
            Span::styled("█".repeat(filled), view.theme.good()),
            Span::styled(
                format!("{} {:>4}  ", " ".repeat(bar - filled), g.runs),
                view.theme.dim(),
            ),
            Span::styled(g.outcome.headline(), style),
            Span::styled(
                if e.correct == Some(g.outcome.stdout.as_str()) {
                    "  ✔ correct"
                } else {
                    ""
                },
                view.theme.good(),
            ),
        ]));
        lines.push(Line::styled(
            format!("      shortest: {}", g.line()),
            view.theme.dim(),
        ));
    }
    lines
}
