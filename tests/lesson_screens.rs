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
    let name = match at_beat {
        Some(b) => format!("{slug}_beat{b}"),
        None => format!("{slug}_end"),
    };
    screen_of(slug, at_beat, &UiState::new(1.0), &name, (120, 35));
}

/// Lesson `slug` replayed up to beat `at_beat` (None: the end), drawn
/// with `ui_state` on a `size` screen, as snapshot `name`.
fn screen_of(
    slug: &str,
    at_beat: Option<usize>,
    ui_state: &UiState,
    name: &str,
    (w, h): (u16, u16),
) {
    let catalog = Catalog::embedded().unwrap();
    let lesson = catalog.find(slug).unwrap();
    let events = bundled_recording(slug).unwrap();
    let filters = pid_filters(&events);
    let replay = Replay::new(events, lesson.manifest.beats.clone());
    // The values the recording ran with (value-array's is a smaller run).
    let settings = lesson.recorded(&replay.meta.params);
    let pos = match at_beat {
        Some(b) => replay.beat_marks().get(b).copied().unwrap_or(replay.len()),
        None => replay.len(),
    };
    let mut session = Session::replay(replay);
    session.seek(pos);
    let source: Vec<String> = lesson.script.lines().map(str::to_string).collect();
    let mut view = View::new(
        &session.model,
        ui_state,
        Theme::new(ThemeName::Default, false),
        &source,
        slug,
    );
    view.lesson = Some(LessonView::new(
        &session.narration,
        Lang::En,
        &settings,
        &lesson.manifest.watch,
    ));
    filters.bind(|| insta::assert_snapshot!(name, draw(&view, w, h)));
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
fn ticket_race_screens() {
    lesson_screen("ticket-race", Some(0));
    lesson_screen("ticket-race", None);
}

#[test]
fn start_methods_screens() {
    lesson_screen("start-methods", Some(1));
    lesson_screen("start-methods", None);
}

#[test]
fn maxtasksperchild_screens() {
    lesson_screen("maxtasksperchild", None);
}

#[test]
fn terminate_is_alive_screens() {
    lesson_screen("terminate-is-alive", Some(0));
    lesson_screen("terminate-is-alive", None);
}

#[test]
fn condition_screens() {
    lesson_screen("condition", Some(0));
    lesson_screen("condition", None);
}

#[test]
fn joinable_queue_screens() {
    lesson_screen("joinable-queue", Some(1));
    lesson_screen("joinable-queue", None);
}

#[test]
fn apply_async_callbacks_screens() {
    lesson_screen("apply-async-callbacks", Some(0));
    lesson_screen("apply-async-callbacks", None);
}

#[test]
fn queue_pipe_screens() {
    lesson_screen("queue-pipe", Some(1));
    lesson_screen("queue-pipe", None);
}

#[test]
fn value_array_screens() {
    lesson_screen("value-array", Some(1));
    lesson_screen("value-array", None);
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

/// lock-vs-garbled taught: held at beat `at` with its question asked, or
/// at the end with both questions answered (`answers`) and revealed.
fn taught_screen(name: &str, lang: Lang, at: Option<usize>, answers: &[usize], w: u16, h: u16) {
    use forklore::lesson::facts::facts;
    use forklore::lesson::{Pace, Pacer, Quiz};
    let catalog = Catalog::embedded().unwrap();
    let lesson = catalog.find("lock-vs-garbled").unwrap();
    let m = &lesson.manifest;
    let events = bundled_recording(lesson.slug()).unwrap();
    let filters = pid_filters(&events);
    let replay = Replay::new(events, m.beats.clone());
    let settings = lesson.recorded(&replay.meta.params);
    let mut session = Session::replay(replay);
    let mut quiz = Quiz::new(m.predictions.clone(), m.beats.len());
    let mut pacer = Pacer::new(Pace::Beats, m.beats.len());
    for (q, a) in answers.iter().enumerate() {
        quiz.answer(q, *a).unwrap();
    }
    let beat = at.unwrap_or(m.beats.len());
    // As the live screen does: the first beat once main is on screen.
    while (session.narration.reached() < beat || session.model.procs.is_empty()) && session.step() {
    }
    loop {
        pacer.reached(beat, &quiz);
        if pacer.current() >= beat {
            break;
        }
        pacer.next(beat, &mut quiz);
    }
    if at.is_none() {
        session.seek(usize::MAX);
        quiz.reveal(beat, &facts(&session.model, &m.watch), &settings);
    }
    let source: Vec<String> = lesson.script.lines().map(str::to_string).collect();
    let ui_state = UiState::new(1.0);
    let title = lesson.slug().to_string();
    let mut view = View::new(
        &session.model,
        &ui_state,
        Theme::new(ThemeName::Default, false),
        &source,
        &title,
    );
    let mut lesson_view = LessonView::new(&session.narration, lang, &settings, &m.watch);
    lesson_view.pacer = Some(&pacer);
    lesson_view.quiz = Some(&quiz);
    view.lesson = Some(lesson_view);
    filters.bind(|| insta::assert_snapshot!(name, draw(&view, w, h)));
}

#[test]
fn a_question_holds_the_run_and_the_end_reveals_the_answers() {
    taught_screen("taught_question_80", Lang::En, Some(1), &[], 80, 24);
    taught_screen("taught_question_zh", Lang::Zh, Some(2), &[3], 120, 35);
    taught_screen("taught_verdicts", Lang::En, None, &[3, 2], 120, 35);
    taught_screen("taught_verdicts_zh", Lang::Zh, None, &[1, 4], 120, 35);
}

/// The presenter's display: no code pane, the stage on top with most of
/// the room, larger elements.
#[test]
fn big_presenter_screens_at_100x30() {
    let big = UiState {
        big: true,
        ..UiState::new(1.0)
    };
    screen_of("chunked-map", Some(2), &big, "big_chunked-map", (100, 30));
    screen_of(
        "semaphore-producer-consumer",
        Some(2),
        &big,
        "big_semaphore",
        (100, 30),
    );
    let model = forklore::model::Model::new();
    let view = View::new(&model, &big, Theme::default(), &[], "big");
    let panes = ui::layout(ratatui::layout::Rect::new(0, 0, 100, 30), &view);
    assert!(panes.code.is_none());
    let area = |r: ratatui::layout::Rect| r.width * r.height;
    assert!(area(panes.stage) > area(panes.procs) + area(panes.output));
}
