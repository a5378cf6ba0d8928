//! The top bar: what runs, on which Python and start method (and output
//! buffering, when it is not a terminal's), and whether it runs, is
//! paused or has finished.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::state::slow_label;
use super::View;
use crate::model::{Model, RunState};

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let theme = view.theme;
    let info = &view.model.info;
    let sep = || Span::raw(" │ ");
    let state = run_state(view);
    let speed = Span::raw(speed(view));
    // The run's state must always show: the title gives up room first.
    let fixed = " forklore ".len() + 3 * 3 + state.width() + speed.width();
    let room = usize::from(area.width).saturating_sub(fixed).max(8);
    let mut spans = vec![
        Span::styled(" forklore ", theme.bold()),
        sep(),
        Span::styled(super::ellipsize(view.title, room), theme.bold()),
    ];
    // State and speed before the versions: a long title on a narrow
    // screen cuts the least important end.
    spans.extend([sep(), state, sep(), speed]);
    if !info.python.is_empty() {
        spans.push(sep());
        spans.push(Span::raw(format!("Python {}", info.python)));
    }
    if let Some(method) = start_method(view.model) {
        spans.push(sep());
        spans.push(Span::raw(method.to_string()));
    }
    // Buffered otherwise than in a terminal: the command line that buffers
    // so at home (`-u`, `> file`).
    if let Some(label) = info.buffering.and_then(|b| b.label()) {
        spans.push(sep());
        spans.push(Span::raw(label));
    }
    let line = Line::from(spans).style(theme.bar());
    frame.render_widget(Paragraph::new(line).style(theme.bar()), area);
}

/// The run's default start method (the script's own `set_start_method`
/// included); the process tree names any child started otherwise.
fn start_method(model: &Model) -> Option<&str> {
    Some(model.info.start_method.as_str()).filter(|m| !m.is_empty())
}

fn run_state(view: &View) -> Span<'static> {
    let theme = view.theme;
    if let Some(text) = held(view) {
        return Span::styled(text, theme.selected());
    }
    // On the reversed bar, state colours are unreadable: words and weight only.
    let bold = theme.bold();
    if view.ui.deadlock.is_some() && !matches!(view.model.state, RunState::Finished(_)) {
        return Span::styled(" ⛔ DEADLOCK: no process can go on ", theme.selected());
    }
    let steps = &view.model.steps;
    if steps.on && matches!(view.model.state, RunState::Running | RunState::Starting) {
        let n = steps.wants.len();
        return Span::styled(
            format!(" ⏯ STEP MODE · {n} at a checkpoint · Enter lets one go "),
            theme.selected(),
        );
    }
    match view.model.state {
        RunState::Starting => Span::raw("… starting"),
        RunState::Running => Span::styled("▶ running", bold),
        RunState::Paused => Span::styled(" ⏸ PAUSED ", theme.selected()),
        RunState::Finished(_) if view.model.stats.too_many_procs.is_some() => {
            let limit = view.model.stats.too_many_procs.unwrap_or_default();
            Span::styled(format!("✘ stopped: over {limit} processes"), bold)
        }
        RunState::Finished(code) => Span::styled(finished_text(code), bold),
    }
}

/// Where a lesson's run holds: "⏸ PAUSED · beat 3/6 · waiting for →".
fn held(view: &View) -> Option<String> {
    let lesson = view.lesson?;
    let pacer = lesson.pacer.filter(|p| p.is_held())?;
    let total = lesson.narration.beats().len();
    let asked = pacer.asking().and_then(|q| lesson.quiz?.question(q));
    let waiting = match (asked, pacer.auto) {
        (Some(p), _) => format!("answer 1–{}", p.choices.len()),
        (None, true) => "going on by itself".to_string(),
        (None, false) => "waiting for →".to_string(),
    };
    let paused = match view.model.state {
        RunState::Finished(_) => "",
        _ => "⏸ PAUSED · ",
    };
    Some(format!(
        " {paused}beat {}/{total} · {waiting} ",
        pacer.current()
    ))
}

/// "✔ finished, exit 0", "✘ finished, exit 3", "☠ killed by SIGTERM".
pub fn finished_text(code: i32) -> String {
    match code {
        0 => "✔ finished, exit 0".to_string(),
        c if c > 0 => format!("✘ finished, exit {c}"),
        c => format!(
            "☠ killed by {}",
            super::procs::signal_name(c.saturating_neg())
        ),
    }
}

fn speed(view: &View) -> String {
    let ui = view.ui;
    if ui.slow == ui.run_slow {
        format!("slow {}", slow_label(ui.run_slow))
    } else {
        format!(
            "slow {} (next run {})",
            slow_label(ui.run_slow),
            slow_label(ui.slow)
        )
    }
}
