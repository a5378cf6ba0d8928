//! Keys → commands → UI state, without a terminal: `keys::dispatch` is
//! pure, so every mode's keys are checked here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use forklore::keys::{dispatch, help_rows, Command, Mode, KEYS};
use forklore::model::Model;
use forklore::protocol::{Body, Event, Role};
use forklore::ui::{Effect, UiState};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn char_key(c: char) -> KeyEvent {
    key(KeyCode::Char(c))
}

/// Main 10 with children 11 and 12, and grandchild 13 under 11: the tree
/// order is 10, 11, 13, 12.
fn family() -> Model {
    let start = |pid: i32, ppid: i32| Event {
        pid,
        t: pid as u64,
        body: Body::ProcStart {
            ppid,
            parent: Some(ppid),
            name: None,
            role: Role::Process,
            daemon: false,
            method: None,
            argv: vec![],
        },
    };
    let mut model = Model::new();
    for e in [start(10, 1), start(11, 10), start(12, 10), start(13, 11)] {
        model.update(&e);
    }
    for n in 0..30 {
        model.update(&Event {
            pid: 10,
            t: 100,
            body: Body::write(1, (format!("line {n}\n")).as_bytes()),
        });
    }
    model
}

/// The command a key means on a script's screen.
fn action_for(key: &KeyEvent) -> Option<Command> {
    dispatch(Mode::Run, key)
}

/// Feed key presses through the table into a UI state, as the app does (the
/// help, once open, takes the keys); the effects.
fn press(ui: &mut UiState, model: &Model, keys: &[KeyEvent]) -> Vec<Effect> {
    let mut effects = Vec::new();
    for key in keys {
        let mode = if ui.show_help { Mode::Help } else { Mode::Run };
        if let Some(command) = dispatch(mode, key) {
            effects.push(ui.apply(command, model));
        }
    }
    effects
}

#[test]
fn documented_keys_map_to_their_actions() {
    let cases = [
        (char_key(' '), Command::TogglePause),
        (char_key('r'), Command::Restart),
        (char_key('q'), Command::Quit),
        (
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Command::Quit,
        ),
        (key(KeyCode::Tab), Command::FocusNext),
        (key(KeyCode::Down), Command::FocusNext),
        (char_key('j'), Command::FocusNext),
        (
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            Command::FocusPrev,
        ),
        (key(KeyCode::Up), Command::FocusPrev),
        (char_key('k'), Command::FocusPrev),
        (char_key('+'), Command::SpeedUp),
        (char_key('-'), Command::SpeedDown),
        (char_key('?'), Command::ToggleHelp),
        (key(KeyCode::PageUp), Command::ScrollOutputUp),
        (key(KeyCode::PageDown), Command::ScrollOutputDown),
    ];
    for (event, action) in cases {
        assert_eq!(action_for(&event), Some(action), "{event:?}");
    }
}

#[test]
fn shift_is_ignored_but_control_and_releases_are_not() {
    // Many terminals report `+` and `?` with SHIFT.
    let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::SHIFT);
    assert_eq!(action_for(&plus), Some(Command::SpeedUp));
    assert_eq!(action_for(&char_key('c')), None, "plain c is not Ctrl-C");
    let ctrl_r = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    assert_eq!(action_for(&ctrl_r), None);
    let mut release = char_key('q');
    release.kind = KeyEventKind::Release;
    assert_eq!(action_for(&release), None);
    assert_eq!(
        action_for(&char_key('!')),
        None,
        "the test panic key is not in the table"
    );
}

#[test]
fn help_lists_every_action_of_the_table_once() {
    let everything = [
        Mode::Run,
        Mode::Lesson,
        Mode::Replay,
        Mode::Picker,
        Mode::Editor,
        Mode::Help,
        Mode::Histogram,
    ];
    let rows = help_rows(&everything);
    let mut commands: Vec<Command> = Vec::new();
    for b in KEYS {
        if !commands.contains(&b.command) {
            commands.push(b.command);
        }
    }
    assert_eq!(rows.len(), commands.len());
    let next = rows
        .iter()
        .find(|(_, help)| help.contains("next process"))
        .expect("focus row");
    assert_eq!(next.0, "Tab / ↓ / j");
    // In each mode, every key of that mode is in its help.
    for mode in everything {
        let rows = help_rows(&[mode]);
        for b in KEYS.iter().filter(|b| b.modes.contains(&mode)) {
            assert!(
                rows.iter()
                    .any(|(keys, _)| keys.split(" / ").any(|k| k == b.label)),
                "{} missing from the help of {mode:?}",
                b.label
            );
        }
    }
}

#[test]
fn run_control_keys_are_effects_for_the_app() {
    let model = family();
    let mut ui = UiState::new(1.0);
    let effects = press(
        &mut ui,
        &model,
        &[char_key(' '), char_key('r'), char_key('q')],
    );
    assert_eq!(
        effects,
        [Effect::TogglePause, Effect::Restart, Effect::Quit]
    );
    assert_eq!(ui, UiState::new(1.0), "no UI change of their own");
}

#[test]
fn focus_walks_the_tree_in_screen_order_and_wraps() {
    let model = family();
    let mut ui = UiState::new(1.0);
    let mut seen = Vec::new();
    for _ in 0..5 {
        press(&mut ui, &model, &[key(KeyCode::Tab)]);
        seen.push(ui.selected.unwrap());
    }
    assert_eq!(seen, [10, 11, 13, 12, 10]);
    press(&mut ui, &model, &[char_key('k')]);
    assert_eq!(
        ui.selected,
        Some(12),
        "back from the first wraps to the last"
    );
    let mut fresh = UiState::new(1.0);
    press(&mut fresh, &model, &[key(KeyCode::Up)]);
    assert_eq!(
        fresh.selected,
        Some(12),
        "up from no focus lands on the last"
    );
}

#[test]
fn select_focuses_known_processes_only() {
    let model = family();
    let mut ui = UiState::new(1.0);
    ui.apply(Command::Select(13), &model);
    assert_eq!(ui.selected, Some(13));
    ui.apply(Command::Select(999), &model);
    assert_eq!(ui.selected, Some(13));
}

#[test]
fn focus_on_an_empty_run_does_nothing() {
    let mut ui = UiState::new(1.0);
    press(
        &mut ui,
        &Model::new(),
        &[key(KeyCode::Tab), key(KeyCode::Up)],
    );
    assert_eq!(ui.selected, None);
}

#[test]
fn speed_steps_along_the_ladder_and_waits_for_a_restart() {
    let model = Model::new();
    let mut ui = UiState::new(1.0);
    press(&mut ui, &model, &[char_key('-'), char_key('-')]);
    assert_eq!(ui.slow, 4.0);
    assert_eq!(ui.run_slow, 1.0, "the running script keeps its speed");
    assert!(ui.message.as_deref().unwrap().contains("restart"));
    press(&mut ui, &model, &[char_key('+'), char_key('+')]);
    assert_eq!(ui.slow, 1.0);
    assert_eq!(
        ui.message, None,
        "back to the running speed: nothing pending"
    );
    for _ in 0..20 {
        press(&mut ui, &model, &[char_key('+')]);
    }
    assert_eq!(ui.slow, 0.25, "the ladder has a fastest rung");
    // Off-ladder factors (from --slow 3) move to the neighbouring rung.
    let mut odd = UiState::new(3.0);
    odd.apply(Command::SpeedDown, &model);
    assert_eq!(odd.slow, 4.0);
    let mut odd = UiState::new(3.0);
    odd.apply(Command::SpeedUp, &model);
    assert_eq!(odd.slow, 2.0);
}

#[test]
fn restarting_keeps_the_chosen_speed_and_forgets_the_rest() {
    let model = family();
    let mut ui = UiState::new(1.0);
    press(
        &mut ui,
        &model,
        &[char_key('-'), key(KeyCode::Tab), key(KeyCode::PageUp)],
    );
    ui.restarted();
    assert_eq!((ui.slow, ui.run_slow), (2.0, 2.0));
    assert_eq!(ui.selected, None);
    assert_eq!(ui.output_scroll, 0);
    assert_eq!(ui.message, None);
}

#[test]
fn help_toggles_and_escape_closes_it() {
    let model = Model::new();
    let mut ui = UiState::new(1.0);
    press(&mut ui, &model, &[char_key('?')]);
    assert!(ui.show_help);
    press(&mut ui, &model, &[char_key('?')]);
    assert!(!ui.show_help);
    press(&mut ui, &model, &[char_key('?'), key(KeyCode::Esc)]);
    assert!(!ui.show_help);
    press(&mut ui, &model, &[key(KeyCode::Esc)]);
    assert!(!ui.show_help, "Esc with nothing open is harmless");
}

#[test]
fn output_scrolls_by_pages_and_stops_at_both_ends() {
    let model = family(); // 30 finished lines
    let mut ui = UiState {
        output_page: 8,
        ..UiState::new(1.0)
    };
    press(&mut ui, &model, &[key(KeyCode::PageUp)]);
    assert_eq!(ui.output_scroll, 8);
    for _ in 0..10 {
        press(&mut ui, &model, &[key(KeyCode::PageUp)]);
    }
    assert_eq!(ui.output_scroll, 29, "the first line stays on screen");
    for _ in 0..10 {
        press(&mut ui, &model, &[key(KeyCode::PageDown)]);
    }
    assert_eq!(ui.output_scroll, 0, "back at the tail: following again");
}

#[test]
fn help_shows_the_keys_of_the_screen_it_is_on() {
    let plain = help_rows(&[Mode::Run, Mode::Help]);
    assert!(
        !plain.iter().any(|(k, _)| k == "n" || k == "."),
        "no lesson or replay keys in a plain run"
    );
    let lesson = help_rows(&[Mode::Lesson, Mode::Help]);
    assert!(lesson.iter().any(|(k, _)| k == "e") && !lesson.iter().any(|(k, _)| k == "]"));
    let replay = help_rows(&[Mode::Replay, Mode::Help]);
    assert!(replay.iter().any(|(k, _)| k == "]") && !replay.iter().any(|(k, _)| k == "v"));
}

/// Every mode's keys, decided without a terminal.
#[test]
fn dispatch_decides_each_modes_keys() {
    let cases: &[(Mode, KeyEvent, Option<Command>)] = &[
        // A lesson: lesson keys, and the screen's keys.
        (Mode::Lesson, char_key('n'), Some(Command::NextLesson)),
        (Mode::Lesson, char_key('e'), Some(Command::EditParams)),
        (Mode::Lesson, char_key('v'), Some(Command::NextVariant)),
        (Mode::Lesson, char_key('m'), Some(Command::OpenPicker)),
        (Mode::Lesson, char_key('l'), Some(Command::ToggleLang)),
        (Mode::Lesson, char_key(' '), Some(Command::TogglePause)),
        (Mode::Lesson, char_key('.'), None),
        // A lesson's pace and questions: → ← b, answers 1-9 (the app
        // says when a number is not a choice).
        (Mode::Lesson, key(KeyCode::Right), Some(Command::BeatNext)),
        (Mode::Lesson, key(KeyCode::Left), Some(Command::BeatBack)),
        (Mode::Lesson, char_key('b'), Some(Command::TogglePace)),
        (Mode::Lesson, char_key('1'), Some(Command::Answer(1))),
        (Mode::Lesson, char_key('4'), Some(Command::Answer(4))),
        (Mode::Lesson, char_key('0'), None),
        // A script's run has no lesson keys.
        (Mode::Run, char_key('n'), None),
        (Mode::Run, char_key('l'), None),
        (Mode::Run, key(KeyCode::Right), None),
        (Mode::Run, char_key('b'), None),
        (Mode::Run, char_key('R'), None),
        // R runs the lesson many times; its histogram takes Esc, q and R.
        (Mode::Lesson, char_key('R'), Some(Command::Repeat)),
        (Mode::Histogram, char_key('R'), Some(Command::Repeat)),
        (Mode::Histogram, key(KeyCode::Esc), Some(Command::Close)),
        (Mode::Histogram, char_key('q'), Some(Command::Quit)),
        (Mode::Histogram, char_key(' '), None),
        // Step mode, on both live screens: s toggles, Enter steps the
        // focused process, a runs free, u undoes; a script's run takes
        // digits for the process to step (a lesson's digits answer
        // questions first, and the app lets them step when none is asked).
        (Mode::Run, char_key('s'), Some(Command::ToggleStep)),
        (Mode::Lesson, char_key('s'), Some(Command::ToggleStep)),
        (Mode::Run, key(KeyCode::Enter), Some(Command::StepFocused)),
        (
            Mode::Lesson,
            key(KeyCode::Enter),
            Some(Command::StepFocused),
        ),
        (Mode::Run, char_key('2'), Some(Command::StepNth(2))),
        (Mode::Run, char_key('a'), Some(Command::RunFree)),
        (Mode::Lesson, char_key('u'), Some(Command::Undo)),
        // x explores the program on screen; its window takes ↑ ↓ Enter Esc q.
        (Mode::Run, char_key('x'), Some(Command::Explore)),
        (Mode::Lesson, char_key('x'), Some(Command::Explore)),
        (Mode::Replay, char_key('x'), None),
        (Mode::Explore, key(KeyCode::Down), Some(Command::PickerDown)),
        (Mode::Explore, key(KeyCode::Up), Some(Command::PickerUp)),
        (
            Mode::Explore,
            key(KeyCode::Enter),
            Some(Command::PickerChoose),
        ),
        (Mode::Explore, key(KeyCode::Esc), Some(Command::Close)),
        (Mode::Explore, char_key('q'), Some(Command::Quit)),
        (Mode::Explore, char_key('s'), None),
        (Mode::Replay, char_key('s'), None),
        (Mode::Replay, char_key('u'), None),
        (Mode::Replay, key(KeyCode::Enter), None),
        (Mode::Histogram, char_key('s'), None),
        (Mode::Help, char_key('s'), None),
        // A replay: stepping, seeking, beats; + and - change the playing speed.
        (Mode::Replay, char_key('.'), Some(Command::StepForward)),
        (Mode::Replay, char_key(','), Some(Command::StepBack)),
        (Mode::Replay, char_key(']'), Some(Command::NextBeat)),
        (Mode::Replay, char_key('['), Some(Command::PrevBeat)),
        (Mode::Replay, char_key('>'), Some(Command::SeekForward)),
        (Mode::Replay, char_key('<'), Some(Command::SeekBack)),
        (Mode::Replay, char_key('+'), Some(Command::PlayFaster)),
        (Mode::Replay, char_key('-'), Some(Command::PlaySlower)),
        (Mode::Replay, char_key('e'), None),
        (Mode::Replay, char_key('b'), None),
        (Mode::Replay, char_key('1'), None),
        // The picker: moving, numbers, choosing, language, leaving.
        (Mode::Picker, key(KeyCode::Up), Some(Command::PickerUp)),
        (Mode::Picker, char_key('k'), Some(Command::PickerUp)),
        (Mode::Picker, key(KeyCode::Down), Some(Command::PickerDown)),
        (Mode::Picker, key(KeyCode::Tab), Some(Command::PickerDown)),
        (Mode::Picker, char_key('3'), Some(Command::PickerJump(3))),
        (Mode::Picker, char_key('0'), None),
        (
            Mode::Picker,
            key(KeyCode::Enter),
            Some(Command::PickerChoose),
        ),
        (Mode::Picker, char_key('l'), Some(Command::ToggleLang)),
        (Mode::Picker, key(KeyCode::Esc), Some(Command::Close)),
        (Mode::Picker, char_key('q'), Some(Command::Quit)),
        (Mode::Picker, char_key(' '), None),
        // The editor: every printable key is typed (q and digits too).
        (Mode::Editor, char_key('7'), Some(Command::EditorType('7'))),
        (Mode::Editor, char_key('q'), Some(Command::EditorType('q'))),
        (Mode::Editor, char_key('.'), Some(Command::EditorType('.'))),
        (
            Mode::Editor,
            key(KeyCode::Backspace),
            Some(Command::EditorErase),
        ),
        (Mode::Editor, key(KeyCode::Up), Some(Command::EditorPrev)),
        (
            Mode::Editor,
            key(KeyCode::BackTab),
            Some(Command::EditorPrev),
        ),
        (Mode::Editor, key(KeyCode::Tab), Some(Command::EditorNext)),
        (Mode::Editor, key(KeyCode::Left), Some(Command::EditorLess)),
        (Mode::Editor, key(KeyCode::Right), Some(Command::EditorMore)),
        (
            Mode::Editor,
            key(KeyCode::Enter),
            Some(Command::EditorApply),
        ),
        (Mode::Editor, key(KeyCode::Esc), Some(Command::Close)),
        // The help takes the keys while open: close it, or quit.
        (Mode::Help, key(KeyCode::Esc), Some(Command::Close)),
        (Mode::Help, char_key('?'), Some(Command::ToggleHelp)),
        (Mode::Help, char_key('q'), Some(Command::Quit)),
        (Mode::Help, char_key(' '), None),
        (Mode::Help, char_key('r'), None),
    ];
    for (mode, event, expected) in cases {
        assert_eq!(dispatch(*mode, event), *expected, "{mode:?} {event:?}");
    }
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for mode in [
        Mode::Run,
        Mode::Lesson,
        Mode::Replay,
        Mode::Picker,
        Mode::Editor,
        Mode::Help,
    ] {
        assert_eq!(dispatch(mode, &ctrl_c), Some(Command::Quit), "{mode:?}");
    }
}
