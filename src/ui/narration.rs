//! The lesson's narration: the beat reached now, with this run's numbers
//! filled in, and where it stands among the lesson's beats.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{panel, View};
use crate::lesson::facts::{facts, fill};

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let Some(lesson) = view.lesson else { return };
    let narration = lesson.narration;
    let total = narration.beats().len();
    let mut title = format!(" Narration · {}/{} ", narration.reached(), total);
    if let Some(variant) = lesson.variant {
        title.push_str(&format!("· variant: {variant} "));
    }
    let text = match narration.current() {
        Some(beat) => fill(
            beat.text.get(lesson.lang),
            lesson.settings,
            &facts(view.model, lesson.watch),
        ),
        None => String::new(),
    };
    let waiting = narration.reached() < total;
    let mut lines = vec![Line::from(Span::styled(text, view.theme.bold()))];
    if waiting && area.height > 3 {
        lines.push(Line::from(Span::styled(
            "… more when the run gets there",
            view.theme.dim(),
        )));
    }
    let block = panel(view, title);
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        area,
    );
}
