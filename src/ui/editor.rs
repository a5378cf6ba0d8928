//! The parameter editor (`e`): each parameter of the lesson with the value
//! the next run will use. Editing is pure state here; the app applies it.

use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;

use super::{panel, Overlay, View};
use crate::keys::Command;
use crate::lesson::manifest::{value_text, ParamType};
use crate::lesson::{Lesson, Settings};

/// Values being edited, the highlighted row and its text being typed.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorState {
    pub values: Settings,
    pub row: usize,
    /// The highlighted value as typed so far.
    pub buffer: String,
    pub error: Option<String>,
}

/// What a key did in the editor.
#[derive(Clone, Debug, PartialEq)]
pub enum EditorOutcome {
    Editing,
    Cancel,
    /// Run again with these values.
    Apply(Settings),
}

impl EditorState {
    pub fn new(lesson: &Lesson, values: Settings) -> Self {
        let mut e = EditorState {
            values,
            row: 0,
            buffer: String::new(),
            error: None,
        };
        e.load_buffer(lesson);
        e
    }

    fn load_buffer(&mut self, lesson: &Lesson) {
        let name = lesson
            .manifest
            .params
            .get(self.row)
            .map(|p| p.name.as_str())
            .unwrap_or("");
        self.buffer = self.values.text(name).unwrap_or_default();
    }

    /// Check the typed text and keep it; false (with an error) if invalid.
    fn commit(&mut self, lesson: &Lesson) -> bool {
        let Some(param) = lesson.manifest.params.get(self.row) else {
            return true;
        };
        match param.parse_value(&self.buffer) {
            Ok(v) => {
                self.values.0.insert(param.name.clone(), v);
                self.error = None;
                true
            }
            Err(e) => {
                self.error = Some(format!("{}: {e}", param.name));
                false
            }
        }
    }

    fn move_row(&mut self, lesson: &Lesson, step: isize) {
        let n = lesson.manifest.params.len() as isize;
        if n == 0 || !self.commit(lesson) {
            return;
        }
        self.row = (self.row as isize + step).rem_euclid(n) as usize;
        self.load_buffer(lesson);
    }

    /// Cycle a choice or boolean (or step a number) left/right.
    fn cycle(&mut self, lesson: &Lesson, step: i64) {
        let Some(p) = lesson.manifest.params.get(self.row) else {
            return;
        };
        self.buffer = match p.kind {
            ParamType::Bool => (self.buffer != "true").to_string(),
            ParamType::Choice => {
                let i = p
                    .choices
                    .iter()
                    .position(|c| *c == self.buffer)
                    .unwrap_or(0) as i64;
                let n = p.choices.len() as i64;
                p.choices[(i + step).rem_euclid(n) as usize].clone()
            }
            ParamType::Int => {
                let v = self.buffer.parse::<i64>().unwrap_or(0) + step;
                let v = p.min.map_or(v, |m| v.max(m as i64));
                p.max.map_or(v, |m| v.min(m as i64)).to_string()
            }
            ParamType::Float => {
                let v = self.buffer.parse::<f64>().unwrap_or(0.0) + step as f64;
                let v = p.min.map_or(v, |m| v.max(m));
                format!("{}", p.max.map_or(v, |m| v.min(m)))
            }
        };
    }

    /// Carry out one editor command (see `keys::Mode::Editor`).
    pub fn apply(&mut self, lesson: &Lesson, command: Command) -> EditorOutcome {
        match command {
            Command::Close => return EditorOutcome::Cancel,
            Command::EditorApply if self.commit(lesson) => {
                return EditorOutcome::Apply(self.values.clone())
            }
            Command::EditorPrev => self.move_row(lesson, -1),
            Command::EditorNext => self.move_row(lesson, 1),
            Command::EditorLess => self.cycle(lesson, -1),
            Command::EditorMore => self.cycle(lesson, 1),
            Command::EditorErase => {
                self.buffer.pop();
            }
            Command::EditorType(c) => self.buffer.push(c),
            _ => {}
        }
        EditorOutcome::Editing
    }
}

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let Overlay::Editor {
        lesson,
        editor,
        lang,
    } = view.overlay
    else {
        return;
    };
    let mut lines: Vec<Line> = Vec::new();
    for (i, p) in lesson.manifest.params.iter().enumerate() {
        let here = i == editor.row;
        let value = if here {
            format!("{}▏", editor.buffer)
        } else {
            editor.values.text(&p.name).unwrap_or_default()
        };
        let style = if here {
            view.theme.selected()
        } else {
            view.theme.text()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {} {:<14}", if here { "▶" } else { " " }, p.name),
                style.patch(view.theme.bold()),
            ),
            Span::styled(format!("{value:<12}"), style),
            Span::styled(
                format!(" {}  {}", p.range_text(), p.help.get(lang)),
                view.theme.dim(),
            ),
        ]));
    }
    lines.push(Line::default());
    match &editor.error {
        Some(e) => lines.push(Line::styled(format!(" ✘ {e}"), view.theme.bad())),
        None => lines.push(Line::styled(
            " type a value · ←/→ change · ↑/↓ move · Enter run with these · Esc cancel",
            view.theme.dim(),
        )),
    }
    let defaults: Vec<String> = lesson
        .manifest
        .params
        .iter()
        .map(|p| format!("{}={}", p.name, value_text(&p.default)))
        .collect();
    lines.push(Line::styled(
        format!(" defaults: {}", defaults.join(" ")),
        view.theme.dim(),
    ));
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let popup = area.centered(
        Constraint::Length((widest + 2).clamp(40, area.width)),
        Constraint::Length((lines.len() as u16 + 2).min(area.height)),
    );
    frame.render_widget(Clear, popup);
    let title = format!(" Parameters · {} ", lesson.slug());
    frame.render_widget(Paragraph::new(lines).block(panel(view, title)), popup);
}
