//! Snapshots of each lesson's screen (stage, narration, processes, output),
//! the lesson picker and the parameter editor, drawn from the bundled
//! recordings of real runs. PIDs are filtered out of the snapshots.
//! (After scripts/record-lessons.sh, review and accept the new snapshots.)

use forklore::keys::Command;
use forklore::lesson::{bundled_recording, Catalog, Lang, Settings};
use forklore::protocol::Body;
use forklore::replay::Replay;
use forklore::session::Session;
use forklore::ui::{self, EditorState, LessonView, Overlay, Theme, ThemeName, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// insta settings that replace every PID of the recording by `[pid]`.
fn pid_filters(events: &[forklore::protocol::Event]) -> insta::Settings {
    let mut pids: Vec<String> = events
        .iter()
        .flat_map(|e| {
            let mut v = vec![e.pid];
            if let Body::ProcSpawn { child, .. } = e.body {
                v.push(child);
            }
            v
        })
        .filter(|p| *p > 0)
        .map(|p| p.to_string())
        .collect();
    pids.sort();
    pids.dedup();
    let mut settings = insta::Settings::clone_current();
    if !pids.is_empty() {
        settings.add_filter(&format!(r"\b({})\b", pids.join("|")), "[pid]");
    }
    settings
}

fn draw(view: &View, w: u16, h: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, view);
        })
        .unwrap();
    format!("{:?}", terminal.backend())
}

fn lesson_screen(slug: &str, at_beat: Option<usize>) {
    let catalog = Catalog::embedded().unwrap();
    let lesson = catalog.find(slug).unwrap();
    let events = bundled_recording(slug).unwrap();
    let filters = pid_filters(&events);
    let replay = Replay::new(events, lesson.manifest.beats.clone());
    let pos = match at_beat {
        Some(b) => replay.beat_marks().get(b).copied().unwrap_or(replay.len()),
        None => replay.len(),
    };
    let mut session = Session::replay(replay);
    session.seek(pos);
    let source: Vec<String> = lesson.script.lines().map(str::to_string).collect();
    let ui_state = UiState::new(1.0);
    let settings = lesson.defaults();
    let mut view = View::new(
        &session.model,
        &ui_state,
        Theme::new(ThemeName::Default, false),
        &source,
        slug,
    );
    view.lesson = Some(LessonView {
        narration: &session.narration,
        lang: Lang::En,
        settings: &settings,
        watch: &lesson.manifest.watch,
        variant: None,
    });
    let name = match at_beat {
        Some(b) => format!("{slug}_beat{b}"),
        None => format!("{slug}_end"),
    };
    filters.bind(|| insta::assert_snapshot!(name, draw(&view, 120, 35)));
}

#[test]
fn isolated_globals_screens() {
    lesson_screen("isolated-globals", Some(2));
    lesson_screen("isolated-globals", None);
}

#[test]
fn chunked_map_screens() {
    lesson_screen("chunked-map", Some(2));
    lesson_screen("chunked-map", None);
}

#[test]
fn lock_vs_garbled_screens() {
    lesson_screen("lock-vs-garbled", None);
}

#[test]
fn semaphore_screens() {
    lesson_screen("semaphore-producer-consumer", Some(2));
    lesson_screen("semaphore-producer-consumer", None);
}

#[test]
fn manager_dict_screens() {
    lesson_screen("manager-dict", None);
}

#[test]
fn daemon_join_screens() {
    lesson_screen("daemon-join", Some(2));
    lesson_screen("daemon-join", None);
}

#[test]
fn picker_and_parameter_editor() {
    let catalog = Catalog::embedded().unwrap();
    let model = forklore::model::Model::new();
    let ui_state = UiState::new(1.0);
    let theme = Theme::new(ThemeName::Default, false);
    let mut view = View::new(&model, &ui_state, theme, &[], "lessons");
    view.overlay = Overlay::Picker {
        catalog: &catalog,
        selected: 1,
        lang: Lang::En,
    };
    insta::assert_snapshot!("picker_en", draw(&view, 100, 30));
    view.overlay = Overlay::Picker {
        catalog: &catalog,
        selected: 4,
        lang: Lang::Zh,
    };
    insta::assert_snapshot!("picker_zh", draw(&view, 100, 30));

    let lesson = catalog.find("chunked-map").unwrap();
    let mut settings: Settings = lesson.defaults();
    settings.0.insert("workers".into(), toml::Value::Integer(4));
    let mut editor = EditorState::new(lesson, settings);
    editor.apply(lesson, Command::EditorNext);
    editor.apply(lesson, Command::EditorType('0'));
    view.overlay = Overlay::Editor {
        lesson,
        editor: &editor,
        lang: Lang::En,
    };
    insta::assert_snapshot!("editor", draw(&view, 100, 30));
}
