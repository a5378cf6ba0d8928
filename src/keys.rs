//! What a key means, in every mode: one table, [`KEYS`], and a pure
//! [`dispatch`] from (mode, key) to a [`Command`]. The help overlay and the
//! status line read the same table, so they cannot disagree with it; the
//! app carries the commands out.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Which keys apply: the screen (a script's run, a lesson, a replay) or a
/// window over it that takes the keys first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `forklore run`: any script.
    Run,
    Lesson,
    Replay,
    /// The lesson list.
    Picker,
    /// The lesson's parameter editor.
    Editor,
    /// The key list (`?`).
    Help,
    /// The histogram of a lesson run many times (`R`).
    Histogram,
    /// The outcomes of every order explored (`x`).
    Explore,
}

/// Something the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
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
    /// Close the window on top (help, the editor, the picker).
    Close,
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
    // A lesson's pace and questions.
    /// →: go on from the beat (or question) the run holds at.
    BeatNext,
    /// ←: the previous beat's text again.
    BeatBack,
    /// Beat by beat, or a free pace.
    TogglePace,
    /// Choice N (1-based) for the question asked now.
    Answer(u8),
    /// Run the lesson many times in the background: a histogram.
    Repeat,
    // Step mode.
    /// Step mode on / off.
    ToggleStep,
    /// The focused process does its one operation.
    StepFocused,
    /// Process N (1-based, as numbered on screen) does its one operation.
    StepNth(u8),
    /// Step mode off: every process runs freely.
    RunFree,
    /// Take back the last step.
    Undo,
    /// Explore every order at the checkpoints: the outcomes' window.
    Explore,
    // Replays.
    StepForward,
    StepBack,
    NextBeat,
    PrevBeat,
    SeekForward,
    SeekBack,
    PlayFaster,
    PlaySlower,
    // The lesson picker.
    PickerUp,
    PickerDown,
    /// Lesson number N (1-based) of the list.
    PickerJump(u8),
    PickerChoose,
    // The parameter editor.
    EditorPrev,
    EditorNext,
    /// ←: the previous choice, or one less.
    EditorLess,
    /// →: the next choice, or one more.
    EditorMore,
    EditorErase,
    EditorType(char),
    EditorApply,
}

impl Command {
    /// A digit row's command with the digit pressed.
    pub fn with_digit(self, digit: u8) -> Command {
        match self {
            Command::PickerJump(_) => Command::PickerJump(digit),
            Command::Answer(_) => Command::Answer(digit),
            Command::StepNth(_) => Command::StepNth(digit),
            other => other,
        }
    }
}

/// Which key a row matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Code(KeyCode),
    /// 1…9: the row's command gets the digit (see [`Command::with_digit`]).
    Digit,
    /// Any printable character: the row's command gets it.
    Printable,
}

/// One row of the key table.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    pub modes: &'static [Mode],
    pub key: Key,
    /// Only CONTROL and ALT are compared: terminals disagree on whether
    /// `+`, `?` or Shift-Tab carry SHIFT.
    pub mods: KeyModifiers,
    /// How the help overlay and the status line name the key.
    pub label: &'static str,
    pub command: Command,
    pub help: &'static str,
}

use Mode::{Editor, Explore, Help, Histogram, Lesson, Picker, Replay, Run};

/// The three screens; windows (picker, editor, help) take keys of their own.
const SCREENS: &[Mode] = &[Run, Lesson, Replay];
const LIVE: &[Mode] = &[Run, Lesson];
const EVERYWHERE: &[Mode] = &[
    Run, Lesson, Replay, Picker, Editor, Help, Histogram, Explore,
];

const fn row(
    modes: &'static [Mode],
    code: KeyCode,
    label: &'static str,
    command: Command,
    help: &'static str,
) -> Binding {
    Binding {
        modes,
        key: Key::Code(code),
        mods: KeyModifiers::NONE,
        label,
        command,
        help,
    }
}

const fn ch(
    modes: &'static [Mode],
    c: char,
    label: &'static str,
    command: Command,
    help: &'static str,
) -> Binding {
    row(modes, KeyCode::Char(c), label, command, help)
}

/// Every key forklore understands, in every mode. Rows with the same
/// command are listed together in the help overlay.
#[rustfmt::skip]
pub static KEYS: &[Binding] = &[
    ch(SCREENS, ' ', "space", Command::TogglePause, "pause / resume every process (SIGSTOP / SIGCONT)"),
    ch(SCREENS, 'r', "r", Command::Restart, "restart the script"),
    ch(&[Run, Lesson, Replay, Picker, Help, Histogram, Explore], 'q', "q", Command::Quit, "quit (stops every process)"),
    Binding { modes: EVERYWHERE, key: Key::Code(KeyCode::Char('c')), mods: KeyModifiers::CONTROL, label: "Ctrl-C", command: Command::Quit, help: "quit (stops every process)" },
    row(SCREENS, KeyCode::Tab, "Tab", Command::FocusNext, "focus the next process"),
    row(SCREENS, KeyCode::Down, "↓", Command::FocusNext, "focus the next process"),
    ch(SCREENS, 'j', "j", Command::FocusNext, "focus the next process"),
    row(SCREENS, KeyCode::BackTab, "Shift-Tab", Command::FocusPrev, "focus the previous process"),
    row(SCREENS, KeyCode::Up, "↑", Command::FocusPrev, "focus the previous process"),
    ch(SCREENS, 'k', "k", Command::FocusPrev, "focus the previous process"),
    ch(LIVE, '+', "+", Command::SpeedUp, "faster: halve the slow-motion factor (at next restart)"),
    ch(LIVE, '=', "=", Command::SpeedUp, "faster: halve the slow-motion factor (at next restart)"),
    ch(LIVE, '-', "-", Command::SpeedDown, "slower: double the slow-motion factor (at next restart)"),
    row(SCREENS, KeyCode::PageUp, "PgUp", Command::ScrollOutputUp, "scroll the output back"),
    row(SCREENS, KeyCode::PageDown, "PgDn", Command::ScrollOutputDown, "scroll the output forward (to the end: follow)"),
    ch(&[Lesson], 'n', "n", Command::NextLesson, "next lesson"),
    ch(&[Lesson], 'p', "p", Command::PrevLesson, "previous lesson"),
    ch(&[Lesson], 'e', "e", Command::EditParams, "edit the lesson's parameters (Enter runs with them)"),
    ch(&[Lesson], 'v', "v", Command::NextVariant, "next variant of the lesson"),
    ch(&[Lesson, Replay, Picker], 'l', "l", Command::ToggleLang, "narration in English / 中文"),
    ch(&[Lesson], 'm', "m", Command::OpenPicker, "back to the lesson list"),
    row(&[Lesson], KeyCode::Right, "→", Command::BeatNext, "go on from the beat or question the run holds at"),
    row(&[Lesson], KeyCode::Left, "←", Command::BeatBack, "the previous beat's text again"),
    ch(&[Lesson], 'b', "b", Command::TogglePace, "beat by beat (hold at every beat) / free pace"),
    Binding { modes: &[Lesson], key: Key::Digit, mods: KeyModifiers::NONE, label: "1-9", command: Command::Answer(0), help: "answer the question asked; else in step mode, step [N]" },
    ch(LIVE, 's', "s", Command::ToggleStep, "step mode on / off (each process holds at a checkpoint)"),
    row(LIVE, KeyCode::Enter, "Enter", Command::StepFocused, "step mode: the focused process takes one step"),
    Binding { modes: &[Run], key: Key::Digit, mods: KeyModifiers::NONE, label: "1-9", command: Command::StepNth(0), help: "step mode: process [N] takes one step" },
    ch(LIVE, 'a', "a", Command::RunFree, "step mode off: every process runs freely"),
    ch(LIVE, 'u', "u", Command::Undo, "step mode: take back the last step"),
    ch(LIVE, 'x', "x", Command::Explore, "explore every order: each outcome, its shortest schedule"),
    row(&[Explore], KeyCode::Up, "↑", Command::PickerUp, "previous outcome"),
    row(&[Explore], KeyCode::Down, "↓", Command::PickerDown, "next outcome"),
    row(&[Explore], KeyCode::Enter, "Enter", Command::PickerChoose, "replay the outcome's shortest schedule on screen"),
    row(&[Explore], KeyCode::Esc, "Esc", Command::Close, "close (stops the search if it still runs)"),
    ch(&[Lesson, Histogram], 'R', "R", Command::Repeat, "run the lesson many times in the background: a histogram of its outcome"),
    row(&[Histogram], KeyCode::Esc, "Esc", Command::Close, "close the histogram (the runs go on)"),
    ch(&[Replay], '.', ".", Command::StepForward, "one event forward (pauses)"),
    ch(&[Replay], ',', ",", Command::StepBack, "one event back (pauses)"),
    ch(&[Replay], ']', "]", Command::NextBeat, "to the next narration beat"),
    ch(&[Replay], '[', "[", Command::PrevBeat, "to the previous narration beat"),
    ch(&[Replay], '>', ">", Command::SeekForward, "10% forward"),
    ch(&[Replay], '<', "<", Command::SeekBack, "10% back"),
    ch(&[Replay], '+', "+", Command::PlayFaster, "play twice as fast"),
    ch(&[Replay], '=', "=", Command::PlayFaster, "play twice as fast"),
    ch(&[Replay], '-', "-", Command::PlaySlower, "play half as fast"),
    ch(&[Run, Lesson, Replay, Help], '?', "?", Command::ToggleHelp, "show / hide this help"),
    row(&[Help], KeyCode::Esc, "Esc", Command::Close, "close the help"),
    row(&[Picker], KeyCode::Up, "↑", Command::PickerUp, "previous lesson"),
    ch(&[Picker], 'k', "k", Command::PickerUp, "previous lesson"),
    row(&[Picker], KeyCode::Down, "↓", Command::PickerDown, "next lesson"),
    ch(&[Picker], 'j', "j", Command::PickerDown, "next lesson"),
    row(&[Picker], KeyCode::Tab, "Tab", Command::PickerDown, "next lesson"),
    Binding { modes: &[Picker], key: Key::Digit, mods: KeyModifiers::NONE, label: "1-9", command: Command::PickerJump(0), help: "lesson number N" },
    row(&[Picker], KeyCode::Enter, "Enter", Command::PickerChoose, "run the chosen lesson"),
    row(&[Picker], KeyCode::Esc, "Esc", Command::Close, "back to the lesson running (if one is)"),
    row(&[Editor], KeyCode::Up, "↑", Command::EditorPrev, "previous parameter"),
    row(&[Editor], KeyCode::BackTab, "Shift-Tab", Command::EditorPrev, "previous parameter"),
    row(&[Editor], KeyCode::Down, "↓", Command::EditorNext, "next parameter"),
    row(&[Editor], KeyCode::Tab, "Tab", Command::EditorNext, "next parameter"),
    row(&[Editor], KeyCode::Left, "←", Command::EditorLess, "previous choice, or one less"),
    row(&[Editor], KeyCode::Right, "→", Command::EditorMore, "next choice, or one more"),
    row(&[Editor], KeyCode::Backspace, "Backspace", Command::EditorErase, "erase a character"),
    Binding { modes: &[Editor], key: Key::Printable, mods: KeyModifiers::NONE, label: "type", command: Command::EditorType(' '), help: "type a value" },
    row(&[Editor], KeyCode::Enter, "Enter", Command::EditorApply, "run with these values"),
    row(&[Editor], KeyCode::Esc, "Esc", Command::Close, "cancel"),
];

/// The command a key press means in `mode`, if any. Releases are ignored
/// (only terminals with the kitty protocol report them).
pub fn dispatch(mode: Mode, event: &KeyEvent) -> Option<Command> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let mods = event.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
    KEYS.iter()
        .filter(|b| b.modes.contains(&mode) && b.mods == mods)
        .find_map(|b| matching(b, event.code))
}

/// The row's command if `code` is its key (with the digit or character
/// filled in for pattern rows).
fn matching(b: &Binding, code: KeyCode) -> Option<Command> {
    match (b.key, code) {
        (Key::Code(k), c) if k == c => Some(b.command),
        (Key::Digit, KeyCode::Char(c @ '1'..='9')) => Some(b.command.with_digit(c as u8 - b'0')),
        (Key::Printable, KeyCode::Char(c)) if !c.is_control() => Some(Command::EditorType(c)),
        _ => None,
    }
}

/// The help overlay's rows for the keys of `modes`: every command once,
/// with all its keys joined ("Tab / ↓ / j"), in table order.
pub fn help_rows(modes: &[Mode]) -> Vec<(String, &'static str)> {
    let mut rows: Vec<(Command, String, &'static str)> = Vec::new();
    for b in KEYS
        .iter()
        .filter(|b| b.modes.iter().any(|m| modes.contains(m)))
    {
        match rows.iter_mut().find(|(c, _, _)| *c == b.command) {
            Some((_, labels, _)) => {
                labels.push_str(" / ");
                labels.push_str(b.label);
            }
            None => rows.push((b.command, b.label.to_string(), b.help)),
        }
    }
    rows.into_iter()
        .map(|(_, keys, help)| (keys, help))
        .collect()
}

/// The keys of a command in `mode` as the status line shows them (first
/// two only).
pub fn keys_of(mode: Mode, command: Command) -> String {
    KEYS.iter()
        .filter(|b| b.command == command && b.modes.contains(&mode))
        .take(2)
        .map(|b| b.label)
        .collect::<Vec<_>>()
        .join("/")
}
