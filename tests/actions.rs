//! Keys → actions → UI state, without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use forklore::action::{action_for, help_rows, Action, Scope, KEYS};
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
            body: Body::Write {
                fd: 1,
                text: format!("line {n}\n"),
            },
        });
    }
    model
}

/// Feed key presses through the table into a UI state; the effects.
fn press(ui: &mut UiState, model: &Model, keys: &[KeyEvent]) -> Vec<Effect> {
    keys.iter()
        .filter_map(action_for)
        .map(|a| ui.apply(a, model))
        .collect()
}

#[test]
fn documented_keys_map_to_their_actions() {
    let cases = [
        (char_key(' '), Action::TogglePause),
        (char_key('r'), Action::Restart),
        (char_key('q'), Action::Quit),
        (
            KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
            Action::Quit,
        ),
        (key(KeyCode::Tab), Action::FocusNext),
        (key(KeyCode::Down), Action::FocusNext),
        (char_key('j'), Action::FocusNext),
        (
            KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT),
            Action::FocusPrev,
        ),
        (key(KeyCode::Up), Action::FocusPrev),
        (char_key('k'), Action::FocusPrev),
        (char_key('+'), Action::SpeedUp),
        (char_key('-'), Action::SpeedDown),
        (char_key('?'), Action::ToggleHelp),
        (key(KeyCode::Esc), Action::CloseOverlay),
        (key(KeyCode::PageUp), Action::ScrollOutputUp),
        (key(KeyCode::PageDown), Action::ScrollOutputDown),
    ];
    for (event, action) in cases {
        assert_eq!(action_for(&event), Some(action), "{event:?}");
    }
}

#[test]
fn shift_is_ignored_but_control_and_releases_are_not() {
    // Many terminals report `+` and `?` with SHIFT.
    let plus = KeyEvent::new(KeyCode::Char('+'), KeyModifiers::SHIFT);
    assert_eq!(action_for(&plus), Some(Action::SpeedUp));
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
    let rows = help_rows(&[Scope::All, Scope::Lesson, Scope::Replay]);
    let mut actions: Vec<Action> = Vec::new();
    for b in KEYS {
        if !actions.contains(&b.action) {
            actions.push(b.action);
        }
    }
    assert_eq!(rows.len(), actions.len());
    let next = rows
        .iter()
        .find(|(_, help)| help.contains("next process"))
        .expect("focus row");
    assert_eq!(next.0, "Tab / ↓ / j");
    for b in KEYS {
        assert!(
            rows.iter()
                .any(|(keys, _)| keys.split(" / ").any(|k| k == b.label)),
            "{} missing from help",
            b.label
        );
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
    ui.apply(Action::Select(13), &model);
    assert_eq!(ui.selected, Some(13));
    ui.apply(Action::Select(999), &model);
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
    odd.apply(Action::SpeedDown, &model);
    assert_eq!(odd.slow, 4.0);
    let mut odd = UiState::new(3.0);
    odd.apply(Action::SpeedUp, &model);
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
    let plain = help_rows(&[Scope::All]);
    assert!(
        !plain.iter().any(|(k, _)| k == "n" || k == "."),
        "no lesson or replay keys in a plain run"
    );
    let lesson = help_rows(&[Scope::All, Scope::Lesson]);
    assert!(lesson.iter().any(|(k, _)| k == "e") && !lesson.iter().any(|(k, _)| k == "]"));
    let replay = help_rows(&[Scope::All, Scope::Replay]);
    assert!(replay.iter().any(|(k, _)| k == "]") && !replay.iter().any(|(k, _)| k == "v"));
}
