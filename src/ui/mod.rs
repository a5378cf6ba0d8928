//! The screen: one module per panel, each `render(frame, area, view)`,
//! read-only over the model.
//!
//! Wide screens (≥ 110 × 28):
//!
//! ```text
//! ┌ forklore · lesson ─ Python 3.12 · spawn · ▶ running · slow ×1 ─────────┐ header
//! ┌ Processes ────────────────────┐┌ Stage ─────────────────────────────────┐
//! │▸ 4100 ▶ running  main         ││ Pool.map: chunk strip, formula, tallies│
//! │  └ 4101 ⧗ blocked on lock     ││ Locks & semaphores / Queues / Manager  │
//! └───────────────────────────────┘│ Watched globals (or process lanes)     │
//! ┌ Code ─────────────────────────┐└────────────────────────────────────────┘
//! │ 12 ●● with lock:              │┌ Output ─ ⚡ 2 garbled ──────────────────┐
//! │ 13      counter += 1          ││ fragments coloured by writer pid       │
//! └───────────────────────────────┘└────────────────────────────────────────┘
//!  space pause · r restart · q quit · ? help        events 120 · malformed 0  status
//! ```
//!
//! Small screens (down to 80 × 24) hide the code pane; the process tree
//! spans the width and stage and output share the rest side by side:
//!
//! ```text
//! header
//! ┌ Processes ─────────────────────────────────────────┐
//! └────────────────────────────────────────────────────┘
//! ┌ Stage ──────────────────┐┌ Output ─────────────────┐
//! └─────────────────────────┘└─────────────────────────┘
//! status
//! ```
//!
//! The presenter's layout (`--big`, for projectors at 100 × 30 and below)
//! drops the code pane and gives the stage most of the room; stages draw
//! fewer, larger elements there:
//!
//! ```text
//! header
//! ┌ Narration (taller) ────────────────────────────────┐
//! ┌ Stage ─────────────────────────────────────────────┐
//! │                                                    │
//! └────────────────────────────────────────────────────┘
//! ┌ Processes ──────────────┐┌ Output ─────────────────┐
//! status
//! ```
//!
//! The help overlay (`?`) is drawn over everything.

pub mod code;
pub mod editor;
pub mod explore;
pub mod header;
pub mod help;
pub mod histogram;
pub mod narration;
pub mod output;
pub mod picker;
pub mod procs;
pub mod stage;
pub mod state;
pub mod status;
pub mod theme;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType};
use ratatui::Frame;

use crate::keys::Mode;
use crate::lesson::histogram::Histogram;
use crate::lesson::turn::Turn;
use crate::lesson::{Catalog, Lang, Lesson, Narration, Pacer, Quiz, Settings};
use crate::model::Model;
pub use editor::EditorState;
pub use state::{Effect, UiState};
pub use theme::{pid_color, Theme, ThemeName};

/// Everything a panel may read: the model plus UI-only state.
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub model: &'a Model,
    pub ui: &'a UiState,
    pub theme: Theme,
    /// The script's source, one entry per line (tabs already expanded).
    pub source: &'a [String],
    /// The lesson or script name shown in the header.
    pub title: &'a str,
    /// The lesson's narration, when a lesson is shown.
    pub lesson: Option<LessonView<'a>>,
    /// A window over the screen (lesson picker, parameter editor).
    pub overlay: Overlay<'a>,
    /// Where a replay stands, when replaying.
    pub progress: Option<Progress>,
    /// Which screen this is (its keys are the ones hinted and helped).
    pub screen: Mode,
}

impl<'a> View<'a> {
    /// A view of a plain run: no lesson, no overlay, not a replay.
    pub fn new(
        model: &'a Model,
        ui: &'a UiState,
        theme: Theme,
        source: &'a [String],
        title: &'a str,
    ) -> Self {
        View {
            model,
            ui,
            theme,
            source,
            title,
            lesson: None,
            overlay: Overlay::None,
            progress: None,
            screen: Mode::Run,
        }
    }
}

/// What the narration panel needs of a lesson.
#[derive(Clone, Copy)]
pub struct LessonView<'a> {
    pub narration: &'a Narration,
    pub lang: Lang,
    pub settings: &'a Settings,
    pub watch: &'a [String],
    /// Name of the variant running, if one was chosen with `v`.
    pub variant: Option<&'a str>,
    /// A live run's pace: which beat is shown, whether the run holds.
    pub pacer: Option<&'a Pacer>,
    /// A live run's questions, answers and verdicts.
    pub quiz: Option<&'a Quiz>,
    /// The learner's task in step mode (a lesson's `[turn]`), shown while
    /// the run is stepped.
    pub turn: Option<&'a Turn>,
}

impl<'a> LessonView<'a> {
    /// A lesson's narration as it stands: no variant, no pacer, no questions.
    pub fn new(
        narration: &'a Narration,
        lang: Lang,
        settings: &'a Settings,
        watch: &'a [String],
    ) -> Self {
        LessonView {
            narration,
            lang,
            settings,
            watch,
            variant: None,
            pacer: None,
            quiz: None,
            turn: None,
        }
    }

    /// The beat on screen (1-based; 0: none yet): the pacer's, else the
    /// narration's latest.
    pub fn beat(&self) -> usize {
        match self.pacer {
            Some(p) if p.shown() > 0 => p.shown(),
            _ => self.narration.reached(),
        }
    }
}

#[derive(Clone, Copy, Default)]
pub enum Overlay<'a> {
    #[default]
    None,
    Picker {
        catalog: &'a Catalog,
        selected: usize,
        lang: Lang,
    },
    Editor {
        lesson: &'a Lesson,
        editor: &'a EditorState,
        lang: Lang,
    },
    /// A lesson run many times: `done` of `runs` so far, and the value of
    /// the run on screen (`mark`) once it has ended.
    Histogram {
        histogram: &'a Histogram,
        done: usize,
        runs: usize,
        title: &'a str,
        mark: Option<&'a str>,
    },
    /// The program explored in the background (`x`).
    Explore(explore::Explored<'a>),
}

/// A replay's position, for the progress bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    pub pos: usize,
    pub len: usize,
    pub elapsed_s: f64,
    pub total_s: f64,
    pub playing: bool,
    pub speed: f64,
}

/// Where each panel goes on a screen of a given size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panes {
    pub header: Rect,
    /// The narration of a lesson (zero height otherwise).
    pub narration: Rect,
    pub procs: Rect,
    pub stage: Rect,
    /// Hidden on small screens.
    pub code: Option<Rect>,
    pub output: Rect,
    pub status: Rect,
}

/// Rows the process, stage and output panels keep however much the
/// narration has to say.
const BODY_MIN: u16 = 6;

/// From this size up the code pane is shown.
const WIDE: (u16, u16) = (110, 28);

pub fn layout(area: Rect, view: &View) -> Panes {
    let narration_h = match view.lesson {
        Some(_) => {
            let base = if area.height >= 40 || view.ui.big {
                6
            } else {
                4
            };
            // The narration takes the rows its words need (a question, the
            // verdicts), so nothing it says is cut; the panels below keep
            // at least BODY_MIN rows.
            let most = area.height.saturating_sub(2 + BODY_MIN).max(base);
            narration::rows(view, area.width).clamp(base, most)
        }
        None => 0,
    };
    let [header, narration, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(narration_h),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    // Process rows plus the border, at least one row, at most 40-45% of the body.
    let tree_rows = view.model.procs.len().max(1) as u16 + 2;
    let (procs, stage, code, output) = if view.ui.big {
        let [stage, rest] =
            Layout::vertical([Constraint::Percentage(62), Constraint::Min(0)]).areas(body);
        let [procs, output] =
            Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
                .areas(rest);
        (procs, stage, None, output)
    } else if area.width >= WIDE.0 && area.height >= WIDE.1 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(body);
        let procs_h = tree_rows.clamp(4, left.height * 45 / 100);
        let [procs, code] =
            Layout::vertical([Constraint::Length(procs_h), Constraint::Min(0)]).areas(left);
        let [stage, output] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
        (procs, stage, Some(code), output)
    } else {
        let procs_h = tree_rows.clamp(3, (body.height * 2 / 5).max(3));
        let [procs, rest] =
            Layout::vertical([Constraint::Length(procs_h), Constraint::Min(0)]).areas(body);
        let [stage, output] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(rest);
        (procs, stage, None, output)
    };
    Panes {
        header,
        narration,
        procs,
        stage,
        code,
        output,
        status,
    }
}

/// Below this the panels cannot say anything useful.
pub const MIN_SIZE: (u16, u16) = (60, 16);

/// Draw the whole screen; where each panel went (None when the terminal
/// is too small for panels).
pub fn draw(frame: &mut Frame, view: &View) -> Option<Panes> {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        too_small(frame, area, view);
        return None;
    }
    let panes = layout(area, view);
    header::render(frame, panes.header, view);
    if view.lesson.is_some() {
        narration::render(frame, panes.narration, view);
    }
    procs::render(frame, panes.procs, view);
    stage::render(frame, panes.stage, view);
    if let Some(code) = panes.code {
        code::render(frame, code, view);
    }
    output::render(frame, panes.output, view);
    status::render(frame, panes.status, view);
    match view.overlay {
        Overlay::None => {}
        Overlay::Picker { .. } => picker::render(frame, area, view),
        Overlay::Editor { .. } => editor::render(frame, area, view),
        Overlay::Histogram { .. } => histogram::render(frame, area, view),
        Overlay::Explore(..) => explore::render(frame, area, view),
    }
    if view.ui.show_help {
        help::render(frame, area, view);
    }
    Some(panes)
}

/// A clear word instead of a crushed screen; the run goes on meanwhile.
fn too_small(frame: &mut Frame, area: Rect, view: &View) {
    let text = format!(
        "Terminal too small: {}×{}. forklore needs at least {}×{} (80×24 or more is better). \
         Enlarge the window, or press q to quit.",
        area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
    );
    let para = ratatui::widgets::Paragraph::new(text)
        .style(view.theme.bold())
        .wrap(ratatui::widgets::Wrap { trim: true });
    frame.render_widget(para, area);
}

/// A bordered panel with a bold title; every panel looks the same.
fn panel<'a>(view: &View, title: impl Into<Line<'a>>) -> Block<'a> {
    Block::bordered()
        .border_type(BorderType::Rounded)
        .border_style(view.theme.border())
        .title(title.into().style(view.theme.title()))
}

/// `pid` as a span in the process's colour, so it is recognisable anywhere.
fn pid_span(view: &View, pid: i32) -> Span<'static> {
    let text = if pid == 0 {
        "other".to_string()
    } else {
        pid.to_string()
    };
    Span::styled(
        text,
        view.theme.pid(view.model, pid).patch(view.theme.bold()),
    )
}

/// A terminal cell cannot hold a tab: each becomes four spaces.
pub fn expand_tabs(text: &str) -> String {
    text.replace('\t', "    ")
}

/// A script's lines as the code pane shows them (tabs expanded).
pub fn source_lines(text: &str) -> Vec<String> {
    text.lines().map(expand_tabs).collect()
}

/// Cut `text` to at most `max` characters, marking the cut with `…`.
fn ellipsize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}
