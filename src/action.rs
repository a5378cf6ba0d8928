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
    // Lessons.
    NextLesson,
    PrevLesson,
    EditParams,
    NextVariant,
    ToggleLang,
    OpenPicker,
    // Replays.
    StepForward,
    StepBack,
    NextBeat,
    PrevBeat,
    SeekForward,
    SeekBack,
}

/// Where a key does something: everywhere, in lessons, or in replays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    All,
    Lesson,
    Replay,
}

/// One row of the key table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub scope: Scope,
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
        scope: Scope::All,
        code,
        mods: KeyModifiers::NONE,
        label,
        action,
        help,
    }
}

/// A key that only means something in lessons or in replays.
const fn scoped(scope: Scope, c: char, action: Action, help: &'static str) -> Binding {
    Binding {
        scope,
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
        label: char_label(c),
        action,
        help,
    }
}

const fn char_label(c: char) -> &'static str {
    match c {
        'n' => "n",
        'p' => "p",
        'e' => "e",
        'v' => "v",
        'l' => "l",
        'm' => "m",
        '.' => ".",
        ',' => ",",
        ']' => "]",
        '[' => "[",
        '>' => ">",
        '<' => "<",
        _ => "?",
    }
}

const fn ctrl(c: char, label: &'static str, action: Action, help: &'static str) -> Binding {
    Binding {
        scope: Scope::All,
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
    scoped(Scope::Lesson, 'n', Action::NextLesson, "next lesson"),
    scoped(Scope::Lesson, 'p', Action::PrevLesson, "previous lesson"),
    scoped(Scope::Lesson, 'e', Action::EditParams, "edit the lesson's parameters (Enter runs with them)"),
    scoped(Scope::Lesson, 'v', Action::NextVariant, "next variant of the lesson"),
    scoped(Scope::Lesson, 'l', Action::ToggleLang, "narration in English / 中文"),
    scoped(Scope::Replay, 'l', Action::ToggleLang, "narration in English / 中文"),
    scoped(Scope::Lesson, 'm', Action::OpenPicker, "back to the lesson list"),
    scoped(Scope::Replay, '.', Action::StepForward, "one event forward (pauses)"),
    scoped(Scope::Replay, ',', Action::StepBack, "one event back (pauses)"),
    scoped(Scope::Replay, ']', Action::NextBeat, "to the next narration beat"),
    scoped(Scope::Replay, '[', Action::PrevBeat, "to the previous narration beat"),
    scoped(Scope::Replay, '>', Action::SeekForward, "10% forward"),
    scoped(Scope::Replay, '<', Action::SeekBack, "10% back"),
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

/// The help overlay's rows for the keys of `scopes`: every action once,
/// with all its keys joined ("Tab / ↓ / j"), in table order.
pub fn help_rows(scopes: &[Scope]) -> Vec<(String, &'static str)> {
    let mut rows: Vec<(Action, String, &'static str)> = Vec::new();
    for b in KEYS.iter().filter(|b| scopes.contains(&b.scope)) {
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
