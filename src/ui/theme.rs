//! Colours and text styles. 16-colour palette only (no RGB), so the screen
//! looks the same on a classroom projector's 16-colour terminal; with
//! `NO_COLOR` every style is plain and the glyphs alone carry the meaning.

use ratatui::style::{Color, Modifier, Style};

use crate::model::{Model, ProcState};

/// The themes a user can pick (`--theme default|high-contrast`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ThemeName {
    #[default]
    Default,
    // Bold, bright colours, no dim greys: for projectors and washed-out
    // beamers. (Not a doc comment: clap would print it in `--help`.)
    HighContrast,
}

/// One colour per process, picked by order of appearance (`Proc.seq`), so a
/// process has the same colour in every panel. Bright variants first: they
/// read best on dark backgrounds and projectors.
const PALETTE: [Color; 12] = [
    Color::LightCyan,
    Color::LightYellow,
    Color::LightMagenta,
    Color::LightGreen,
    Color::LightBlue,
    Color::LightRed,
    Color::Cyan,
    Color::Yellow,
    Color::Magenta,
    Color::Green,
    Color::Blue,
    Color::Red,
];

/// The colour for bytes of unknown origin (pid 0) and unknown pids.
pub const OTHER: Color = Color::Gray;

/// The colour of a process: stable for the whole run.
pub fn pid_color(model: &Model, pid: i32) -> Color {
    if pid == 0 {
        return OTHER;
    }
    match model.procs.get(pid) {
        Some(p) => PALETTE[p.seq % PALETTE.len()],
        None => OTHER,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    /// False under `NO_COLOR`: styles keep modifiers, drop colours.
    pub color: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::new(ThemeName::Default, true)
    }
}

impl Theme {
    pub fn new(name: ThemeName, color: bool) -> Self {
        Theme { name, color }
    }

    /// The theme as the environment wants it: `NO_COLOR` (set and not
    /// empty, per no-color.org) turns colours off.
    pub fn from_env(name: ThemeName) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme::new(name, !no_color)
    }

    fn high_contrast(&self) -> bool {
        self.name == ThemeName::HighContrast
    }

    /// A foreground colour, or plain text under `NO_COLOR`. High contrast
    /// makes every coloured text bold.
    pub fn fg(&self, color: Color) -> Style {
        if !self.color {
            return Style::default();
        }
        let style = Style::default().fg(color);
        if self.high_contrast() {
            style.add_modifier(Modifier::BOLD)
        } else {
            style
        }
    }

    /// Text of process `pid`, in its colour.
    pub fn pid(&self, model: &Model, pid: i32) -> Style {
        self.fg(pid_color(model, pid))
    }

    /// Secondary text (labels, separators). Greys vanish on projectors, so
    /// high contrast uses white instead.
    pub fn dim(&self) -> Style {
        match (self.color, self.high_contrast()) {
            (false, _) => Style::default(),
            (true, true) => Style::default().fg(Color::White),
            (true, false) => Style::default().fg(Color::DarkGray),
        }
    }

    pub fn text(&self) -> Style {
        if self.color && self.high_contrast() {
            Style::default()
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        }
    }

    pub fn bold(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn border(&self) -> Style {
        match (self.color, self.high_contrast()) {
            (false, _) => Style::default(),
            (true, true) => Style::default().fg(Color::White),
            (true, false) => Style::default().fg(Color::Gray),
        }
    }

    pub fn title(&self) -> Style {
        self.bold().patch(self.fg(Color::White))
    }

    /// The header and status bars: reversed so they stand out without colour.
    pub fn bar(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::Black)
                .bg(if self.high_contrast() {
                    Color::White
                } else {
                    Color::Gray
                })
        } else {
            Style::default().add_modifier(Modifier::REVERSED)
        }
    }

    /// The selected process row: reversed, which reads in every theme.
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn good(&self) -> Style {
        self.fg(Color::LightGreen)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::LightYellow).add_modifier(Modifier::BOLD)
    }

    pub fn bad(&self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    /// The colour of a process state (its glyph says the same in words).
    pub fn state(&self, state: &ProcState, paused: bool) -> Style {
        match state {
            ProcState::Exited(0) | ProcState::Ended => self.dim(),
            ProcState::Exited(_) | ProcState::Killed(_) => self.bad(),
            ProcState::Blocked(_) => self.warn(),
            _ if paused => self.warn(),
            ProcState::Running => self.good(),
            ProcState::Starting => self.dim(),
        }
    }
}
