//! What a key means. One table, [`KEYS`], maps keys to actions; the key
//! handler and the help overlay both read it, so they cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Something the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    TogglePause,
    Restart,
    FocusNext,
    FocusPrev,
    /// Faster: a smaller slow-motion factor.
    SpeedUp,
    /// Slower: a larger slow-motion factor.
    SpeedDown,
    ToggleHelp,
    CloseOverlay,
    ScrollOutputUp,
    ScrollOutputDown,
    /// Focus this process (a mouse click on its row).
    Select(i32),
}

/// One row of the key table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub code: KeyCode,
    /// Only CONTROL and ALT are compared: terminals disagree on whether
    /// `+`, `?` or Shift-Tab carry SHIFT.
    pub mods: KeyModifiers,
    /// How the help overlay and the status line name the key.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
}

const fn key(code: KeyCode, label: &'static str, action: Action, help: &'static str) -> Binding {
    Binding {
        code,
        mods: KeyModifiers::NONE,
        label,
        action,
        help,
    }
}

const fn ctrl(c: char, label: &'static str, action: Action, help: &'static str) -> Binding {
    Binding {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
        label,
        action,
        help,
    }
}

/// Every key forklore understands. Rows with the same action are listed
/// together in the help overlay.
#[rustfmt::skip]
pub static KEYS: &[Binding] = &[
    key(KeyCode::Char(' '), "space", Action::TogglePause, "pause / resume every process (SIGSTOP / SIGCONT)"),
    key(KeyCode::Char('r'), "r", Action::Restart, "restart the script"),
    key(KeyCode::Char('q'), "q", Action::Quit, "quit (stops every process)"),
    ctrl('c', "Ctrl-C", Action::Quit, "quit (stops every process)"),
    key(KeyCode::Tab, "Tab", Action::FocusNext, "focus the next process"),
    key(KeyCode::Down, "↓", Action::FocusNext, "focus the next process"),
    key(KeyCode::Char('j'), "j", Action::FocusNext, "focus the next process"),
    key(KeyCode::BackTab, "Shift-Tab", Action::FocusPrev, "focus the previous process"),
    key(KeyCode::Up, "↑", Action::FocusPrev, "focus the previous process"),
    key(KeyCode::Char('k'), "k", Action::FocusPrev, "focus the previous process"),
    key(KeyCode::Char('+'), "+", Action::SpeedUp, "faster: halve the slow-motion factor (at next restart)"),
    key(KeyCode::Char('='), "=", Action::SpeedUp, "faster: halve the slow-motion factor (at next restart)"),
    key(KeyCode::Char('-'), "-", Action::SpeedDown, "slower: double the slow-motion factor (at next restart)"),
    key(KeyCode::PageUp, "PgUp", Action::ScrollOutputUp, "scroll the output back"),
    key(KeyCode::PageDown, "PgDn", Action::ScrollOutputDown, "scroll the output forward (to the end: follow)"),
    key(KeyCode::Char('?'), "?", Action::ToggleHelp, "show / hide this help"),
    key(KeyCode::Esc, "Esc", Action::CloseOverlay, "close the help"),
];

/// The action bound to a key press, if any. Releases are ignored (only
/// terminals with the kitty protocol report them).
pub fn action_for(event: &KeyEvent) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let wanted = KeyModifiers::CONTROL | KeyModifiers::ALT;
    let mods = event.modifiers & wanted;
    KEYS.iter()
        .find(|b| b.code == event.code && b.mods == mods)
        .map(|b| b.action)
}

/// The help overlay's rows: every action once, with all its keys joined
/// ("Tab / ↓ / j"), in table order.
pub fn help_rows() -> Vec<(String, &'static str)> {
    let mut rows: Vec<(Action, String, &'static str)> = Vec::new();
    for b in KEYS {
        match rows.iter_mut().find(|(a, _, _)| *a == b.action) {
            Some((_, labels, _)) => {
                labels.push_str(" / ");
                labels.push_str(b.label);
            }
            None => rows.push((b.action, b.label.to_string(), b.help)),
        }
    }
    rows.into_iter()
        .map(|(_, keys, help)| (keys, help))
        .collect()
}

/// The keys of an action as the status line shows them (first two only).
pub fn keys_of(action: Action) -> String {
    KEYS.iter()
        .filter(|b| b.action == action)
        .take(2)
        .map(|b| b.label)
        .collect::<Vec<_>>()
        .join("/")
}
