//! The stages drawn from what the processes share: semaphores as tokens
//! with their waiting line, queues as slots with items moving from the
//! putting PID to the getting one, a Manager's clients as lanes. Whole
//! screens at 80×24 and 160×48 from hand-written events (as the shim sends
//! them; fixed fake PIDs, so the snapshots are stable).

mod common;

use common::json_events;
use forklore::model::Model;
use forklore::ui::{self, Theme, ThemeName, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::text::Span;
use ratatui::Terminal;

const START: &str = r#"
{"kind":"hello","v":2,"python":"3.12.3","start_method":"fork","script":"/lessons/stage.py","pid":100}
{"kind":"proc_start","ppid":1,"role":"main","name":"MainProcess","pid":100}
"#;

/// Two producers and a consumer around a Queue(10) guarded by
/// `empty = Semaphore(3)`, `full = Semaphore(0)` and a Lock: `empty` is
/// used up (101 waits in line), 102 holds the lock putting p1-1 (still
/// arriving), 103 waits for the lock; 103 got p0-0 last.
const BUFFER: &str = r#"
{"kind":"proc_start","ppid":100,"role":"process","name":"Producer-0","daemon":true,"pid":101}
{"kind":"proc_start","ppid":100,"role":"process","name":"Producer-1","daemon":true,"pid":102}
{"kind":"proc_start","ppid":100,"role":"process","name":"Consumer-0","daemon":true,"pid":103}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"acquired","value":2,"pid":101}
{"kind":"queue","id":"q","name":"buffer","op":"put","item":"'p0-0'","maxsize":10,"pid":101}
{"kind":"queue","id":"q","name":"buffer","op":"put_done","item":"'p0-0'","size":1,"pid":101}
{"kind":"sync","id":"f","type":"Semaphore","name":"full","op":"released","value":1,"pid":101}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"acquired","value":1,"pid":102}
{"kind":"queue","id":"q","name":"buffer","op":"put","item":"'p1-0'","maxsize":10,"pid":102}
{"kind":"queue","id":"q","name":"buffer","op":"put_done","item":"'p1-0'","size":2,"pid":102}
{"kind":"sync","id":"f","type":"Semaphore","name":"full","op":"released","value":2,"pid":102}
{"kind":"sync","id":"f","type":"Semaphore","name":"full","op":"acquired","value":1,"pid":103}
{"kind":"queue","id":"q","name":"buffer","op":"get","item":"'p0-0'","size":1,"pid":103}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"released","value":2,"pid":103}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"acquired","value":1,"pid":101}
{"kind":"queue","id":"q","name":"buffer","op":"put","item":"'p0-1'","maxsize":10,"pid":101}
{"kind":"queue","id":"q","name":"buffer","op":"put_done","item":"'p0-1'","size":2,"pid":101}
{"kind":"sync","id":"f","type":"Semaphore","name":"full","op":"released","value":2,"pid":101}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"acquired","value":0,"pid":102}
{"kind":"sync","id":"l","type":"Lock","name":"lock","op":"acquired","value":0,"pid":102}
{"kind":"queue","id":"q","name":"buffer","op":"put","item":"'p1-1'","maxsize":10,"pid":102}
{"kind":"sync","id":"e","type":"Semaphore","name":"empty","op":"blocked","value":0,"pid":101}
{"kind":"sync","id":"l","type":"Lock","name":"lock","op":"blocked","value":0,"pid":103}
"#;

/// A full `tasks` Queue(2) whose putter waits for room, and an empty
/// `results` queue whose getter waits.
const QUEUES: &str = r#"
{"kind":"proc_start","ppid":100,"role":"process","name":"Process-1","pid":105}
{"kind":"proc_start","ppid":100,"role":"process","name":"Process-2","pid":106}
{"kind":"queue","id":"t","name":"tasks","op":"put","item":"'task-0'","maxsize":2,"pid":100}
{"kind":"queue","id":"t","name":"tasks","op":"put_done","item":"'task-0'","size":1,"pid":100}
{"kind":"queue","id":"t","name":"tasks","op":"put","item":"'task-1'","maxsize":2,"pid":100}
{"kind":"queue","id":"t","name":"tasks","op":"put_done","item":"'task-1'","size":2,"pid":100}
{"kind":"queue","id":"t","name":"tasks","op":"put","item":"'task-2'","maxsize":2,"pid":105}
{"kind":"queue","id":"t","name":"tasks","op":"put_blocked","item":"'task-2'","size":2,"pid":105}
{"kind":"queue","id":"r","name":"results","op":"get_blocked","size":0,"pid":106}
"#;

fn proxy(pid: i32, method: &str, args: &str, result: &str) -> String {
    format!(
        r#"{{"kind":"proxy","server":200,"id":"7f2b1c0d5e80","typeid":"dict","method":"{method}","args":[{args}],"result":"{result}","pid":{pid}}}"#
    ) + "\n"
}

/// A Manager dict's counter at 23; 201 and 202 both read 23 before either
/// writes 22: one update lost. Then 203 and 204 take their turns.
fn manager() -> String {
    let mut s = r#"
{"kind":"proc_start","ppid":100,"role":"manager","name":"SyncManager-1","pid":200}
{"kind":"manager","ppid":100,"pid":200}
"#
    .to_string();
    for pid in 201..=204 {
        s += &format!(
            "{{\"kind\":\"proc_start\",\"ppid\":100,\"role\":\"process\",\"name\":\"Process-{pid}\",\"pid\":{pid}}}\n"
        );
    }
    let k = r#""'count'""#;
    let write = |v: &str| format!(r#"{k},"{v}""#);
    s += &proxy(201, "__getitem__", k, "23");
    s += &proxy(202, "__getitem__", k, "23");
    s += &proxy(201, "__setitem__", &write("22"), "None");
    s += &proxy(202, "__setitem__", &write("22"), "None");
    s += &proxy(203, "__getitem__", k, "22");
    s += &proxy(203, "__setitem__", &write("21"), "None");
    s += &proxy(204, "__getitem__", k, "21");
    s += &proxy(204, "__setitem__", &write("20"), "None");
    s
}

fn screen(events: &str, ui_state: &UiState, w: u16, h: u16) -> String {
    let model = Model::from_events(&json_events(&format!("{START}{events}")));
    let view = View::new(
        &model,
        ui_state,
        Theme::new(ThemeName::Default, false),
        &[],
        "stage",
    );
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, &view);
        })
        .unwrap();
    terminal.backend().to_string()
}

fn both_sizes(name: &str, events: &str) {
    let plain = UiState::new(1.0);
    insta::assert_snapshot!(format!("{name}_80"), screen(events, &plain, 80, 24));
    insta::assert_snapshot!(format!("{name}_160"), screen(events, &plain, 160, 48));
}

#[test]
fn semaphores_as_tokens_and_the_buffer_as_slots() {
    both_sizes("buffer", BUFFER);
    let text = screen(BUFFER, &UiState::new(1.0), 160, 48);
    for drawn in [
        "empty  ○○○  0 of 3 left  ⧗ 101",
        "full   ●●  2 of 2 left",
        "lock   ■ 102 holds it  ⧗ 103",
        "in  102 ▸ [p1-1]",
        "[p1-0][p0-1][    ][    ]",
        "out  [p0-0] ▸ 103",
    ] {
        assert!(text.contains(drawn), "`{drawn}` not drawn:\n{text}");
    }
}

#[test]
fn queues_show_who_waits_for_room_and_for_items() {
    both_sizes("queues", QUEUES);
    let text = screen(QUEUES, &UiState::new(1.0), 160, 48);
    assert!(text.contains("in  ⧗105 ▸ [task-2]"), "{text}");
    assert!(
        text.contains("[task-0][task-1]  "),
        "two slots, both full: {text}"
    );
    assert!(text.contains("⧗ 106 waiting to get"), "{text}");
}

#[test]
fn manager_clients_as_lanes_show_a_lost_update() {
    both_sizes("manager", &manager());
    // Even at 80 columns both reads and both writes are drawn.
    let narrow = screen(&manager(), &UiState::new(1.0), 80, 24);
    let reads = narrow.matches(" r23 ─").count();
    assert!(reads == 2 && narrow.contains("w22✘"), "{narrow}");
    let text = screen(&manager(), &UiState::new(1.0), 160, 48);
    for drawn in [
        "201 read 23 ─────────────── write 22 ",
        "202             read 23 ─────────────── write 22✘",
        "1 lost updates",
    ] {
        assert!(text.contains(drawn), "`{drawn}` not drawn:\n{text}");
    }
}

/// A counter that lost increments, drawn on stages too narrow for its
/// summary: the line breaks between phrases, and "1 increment lost"
/// stays one phrase (a narrow stage used to cut "14 / increments lost").
#[test]
fn a_long_stage_line_breaks_between_phrases() {
    let mut events = String::from(START);
    for (pid, op, value) in [(101, "read", 3), (102, "read", 3), (101, "write", 4)] {
        events += &format!(
            "{{\"kind\":\"shared\",\"id\":\"c\",\"type\":\"Value\",\"name\":\"counter\",\"op\":\"{op}\",\"value\":\"{value}\",\"pid\":{pid}}}\n"
        );
    }
    events += r#"{"kind":"shared","id":"c","type":"Value","name":"counter","op":"write","value":"4","pid":102}"#;
    let model = Model::from_events(&json_events(&events));
    let ui_state = UiState::new(1.0);
    let view = View::new(&model, &ui_state, Theme::default(), &[], "stage");
    for width in [30, 38, 48] {
        let rows: Vec<String> = ui::stage::lines(&view, width)
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert!(
            rows.iter().all(|r| Span::raw(r.as_str()).width() <= width),
            "{width}: {rows:#?}"
        );
        assert!(
            rows.iter()
                .any(|r| r.trim_start().starts_with("· 1 increment lost")
                    || r.ends_with("· 1 increment lost")),
            "{width}: {rows:#?}"
        );
    }
}

/// Every stage line of every lesson's recorded run fits the stage at
/// 100×30, 80×24 and in big mode, so the panel never has to wrap one in
/// the middle of a phrase.
#[test]
fn no_lesson_stage_line_is_wider_than_the_stage() {
    use forklore::lesson::{bundled_recording, Catalog, Lang};
    use forklore::replay::Replay;
    use forklore::session::Session;
    use forklore::ui::LessonView;
    let catalog = Catalog::embedded().unwrap();
    for lesson in &catalog.lessons {
        let events = bundled_recording(lesson.slug()).unwrap();
        let len = events.len();
        let mut session = Session::replay(Replay::new(events, lesson.manifest.beats.clone()));
        let settings = lesson.defaults();
        for pos in (0..=len).step_by((len / 40).max(1)).chain([len]) {
            session.seek(pos);
            for (w, h, big) in [(100, 30, false), (80, 24, false), (100, 30, true)] {
                let ui_state = UiState {
                    big,
                    ..UiState::new(1.0)
                };
                let mut view = View::new(&session.model, &ui_state, Theme::default(), &[], "x");
                let watch = &lesson.manifest.watch;
                view.lesson = Some(LessonView::new(
                    &session.narration,
                    Lang::En,
                    &settings,
                    watch,
                ));
                let stage = ui::layout(ratatui::layout::Rect::new(0, 0, w, h), &view).stage;
                let width = usize::from(stage.width.saturating_sub(2));
                for line in ui::stage::lines(&view, width) {
                    assert!(
                        line.width() <= width,
                        "{} at event {pos}, {w}x{h} big={big}: {line:?}",
                        lesson.slug()
                    );
                }
            }
        }
    }
}
