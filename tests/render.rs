//! The screen, drawn into a `TestBackend` from hand-built event sequences
//! (fixed fake pids, so snapshots are stable) and compared with insta
//! snapshots in tests/snapshots/. Snapshots hold the text; colour rules are
//! checked by the assertions at the end.

use forklore::model::Model;
use forklore::protocol::{decode, Body, Event, QueueOp, Role, SyncKind, SyncOp};
use forklore::ui::{self, Theme, ThemeName, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::{Frame, Terminal};

/// Builds a run's events, one millisecond apart.
#[derive(Default)]
struct Script {
    events: Vec<Event>,
    t: u64,
}

impl Script {
    fn push(&mut self, pid: i32, body: Body) -> &mut Self {
        self.t += 1_000_000;
        self.events.push(Event {
            pid,
            t: self.t,
            body,
        });
        self
    }

    /// Decoded from JSON rather than built field by field: the hello event
    /// grows optional fields the screen does not care about.
    fn hello(&mut self, pid: i32, method: &str, script: &str) -> &mut Self {
        self.hello_buffered(pid, method, script, "terminal")
    }

    fn hello_buffered(
        &mut self,
        pid: i32,
        method: &str,
        script: &str,
        buffering: &str,
    ) -> &mut Self {
        let line = format!(
            r#"{{"kind":"hello","v":1,"python":"3.12.3","start_method":"{method}","buffering":"{buffering}","script":"{script}","pid":{pid}}}"#
        );
        let body = decode(line.as_bytes()).expect("a valid hello").body;
        self.push(pid, body)
    }

    fn start(&mut self, pid: i32, ppid: i32, role: Role, name: &str, method: &str) -> &mut Self {
        self.push(pid, Body::proc_start(ppid, role, name, method))
    }

    fn exit(&mut self, pid: i32, exitcode: i32) -> &mut Self {
        self.push(pid, Body::ProcExit { exitcode, by: None })
    }

    fn map(&mut self, pid: i32, items: u64, chunksize: u64, workers: u32) -> &mut Self {
        let chunks = items.div_ceil(chunksize);
        self.push(
            pid,
            Body::Map {
                executor: false,
                pool: 0,
                job: 0,
                items,
                chunksize,
                chunks,
                workers: Some(workers),
                streaming: false,
            },
        )
    }

    fn take(&mut self, pid: i32, index: u64, size: u64) -> &mut Self {
        self.push(
            pid,
            Body::ChunkTake {
                pool: 0,
                job: 0,
                index,
                size,
                start: None,
                end: None,
            },
        )
    }

    fn done(&mut self, pid: i32, index: u64) -> &mut Self {
        self.push(
            pid,
            Body::ChunkDone {
                pool: 0,
                job: 0,
                index,
                ok: true,
            },
        )
    }

    fn sync(&mut self, pid: i32, name: &str, kind: SyncKind, op: SyncOp, value: i64) -> &mut Self {
        self.push(
            pid,
            Body::Sync {
                parties: None,
                id: format!("h-{name}"),
                kind,
                name: Some(name.into()),
                op,
                value: Some(value),
            },
        )
    }

    fn queue(&mut self, pid: i32, op: QueueOp, item: &str, size: i64) -> &mut Self {
        self.push(
            pid,
            Body::Queue {
                id: "h-q".into(),
                name: Some("q".into()),
                op,
                item: Some(item.into()),
                size: Some(size),
                maxsize: None,
                unfinished: None,
            },
        )
    }

    fn write(&mut self, pid: i32, text: &str) -> &mut Self {
        self.push(pid, Body::write(1, (text).as_bytes()))
    }

    fn line(&mut self, pid: i32, line: u32) -> &mut Self {
        self.push(
            pid,
            Body::Line {
                file: "lesson.py".into(),
                line,
            },
        )
    }

    fn end(&mut self, pid: i32, exitcode: i32) -> &mut Self {
        self.push(
            pid,
            Body::RunEnd {
                exitcode,
                malformed: 0,
                rejected: 0,
                dropped: 0,
            },
        )
    }

    fn model(&self) -> Model {
        Model::from_events(&self.events)
    }
}

const POOL_SRC: &str = r#"from multiprocessing import Pool
import time


def square(x):
    time.sleep(0.01)
    return x * x


if __name__ == "__main__":
    with Pool(3) as pool:
        results = pool.map(square, range(600))
    print("sum", sum(results))
"#;

const LOCK_SRC: &str = r#"from multiprocessing import Lock, Process


def work(lock, k):
    with lock:
        print("child", k, "has the lock")


if __name__ == "__main__":
    lock = Lock()
    procs = [Process(target=work, args=(lock, k)) for k in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
"#;

const MAIN: i32 = 4100;
const WORKERS: [i32; 3] = [4101, 4102, 4103];

/// Pool(3).map over 600 items (12 chunks of 50): 7 chunks taken, 4 done.
fn pool_mid_way() -> Script {
    let mut s = Script::default();
    s.hello(MAIN, "spawn", "/lessons/pool_map.py")
        .start(MAIN, 4000, Role::Main, "MainProcess", "spawn")
        .line(MAIN, 12);
    for (i, w) in WORKERS.iter().enumerate() {
        s.start(
            *w,
            MAIN,
            Role::PoolWorker,
            &format!("SpawnPoolWorker-{}", i + 1),
            "spawn",
        );
    }
    s.start(
        4104,
        MAIN,
        Role::ResourceTracker,
        "resource_tracker",
        "spawn",
    )
    .map(MAIN, 600, 50, 3);
    for index in 0..7u64 {
        s.take(WORKERS[index as usize % 3], index, 50);
    }
    for index in 0..4u64 {
        s.done(WORKERS[index as usize % 3], index);
    }
    for w in WORKERS {
        s.line(w, 6);
    }
    s.write(MAIN, "mapping 600 items\n");
    s
}

fn pool_paused() -> Script {
    let mut s = pool_mid_way();
    s.push(MAIN, Body::RunPaused {});
    s
}

/// The whole map done; the pool terminates its workers with SIGTERM.
fn pool_finished() -> Script {
    let mut s = pool_mid_way();
    for index in 7..12u64 {
        s.take(WORKERS[index as usize % 3], index, 50);
    }
    for index in 4..12u64 {
        s.done(WORKERS[index as usize % 3], index);
    }
    for w in WORKERS {
        s.exit(w, -15);
    }
    s.write(MAIN, "sum 71820100\n")
        .exit(4104, 0)
        .exit(MAIN, 0)
        .end(MAIN, 0);
    s
}

/// Three children: one killed by SIGTERM, one by SIGKILL, one exits 3.
fn killed() -> Script {
    let mut s = Script::default();
    s.hello(4200, "fork", "/lessons/sleepy.py")
        .start(4200, 4000, Role::Main, "MainProcess", "fork")
        .start(4201, 4200, Role::Process, "Process-1", "fork")
        .start(4202, 4200, Role::Process, "Process-2", "fork")
        .start(4203, 4200, Role::Process, "Process-3", "fork")
        .write(4201, "napping\n")
        .exit(4201, -15)
        .exit(4202, -9)
        .exit(4203, 3)
        .write(4200, "a child failed\n");
    s
}

/// Three children share a lock: 4301 holds it, 4302 and 4303 wait in that
/// order; two of them printed into the same line.
fn blocked_on_lock() -> Script {
    let mut s = Script::default();
    s.hello(4300, "fork", "/lessons/lock.py")
        .start(4300, 4000, Role::Main, "MainProcess", "fork")
        .line(4300, 14);
    for (i, pid) in [4301, 4302, 4303].into_iter().enumerate() {
        s.start(
            pid,
            4300,
            Role::Process,
            &format!("Process-{}", i + 1),
            "fork",
        );
    }
    s.sync(4301, "lock", SyncKind::Lock, SyncOp::Acquired, 0)
        .line(4301, 6)
        .sync(4302, "lock", SyncKind::Lock, SyncOp::Blocked, 0)
        .line(4302, 5)
        .sync(4303, "lock", SyncKind::Lock, SyncOp::Blocked, 0)
        .line(4303, 5)
        .write(4301, "child 0 has ")
        .write(4302, "child 1 has the lock\n")
        .write(4301, "the lock\n");
    s
}

/// A queue, a Manager dict and a watched global: the other stage sections.
fn sharing() -> Script {
    let mut s = Script::default();
    s.hello(4400, "fork", "/lessons/share.py")
        .start(4400, 4000, Role::Main, "MainProcess", "fork")
        .start(4401, 4400, Role::Manager, "SyncManager-1", "fork")
        .push(4401, Body::Manager { ppid: 4400 })
        .start(4402, 4400, Role::Process, "producer", "fork")
        .start(4403, 4400, Role::Process, "consumer", "fork")
        .queue(4402, QueueOp::Put, "'job-0'", 1)
        .queue(4402, QueueOp::Put, "'job-1'", 2)
        .queue(4402, QueueOp::Put, "'job-2'", 3)
        .queue(4403, QueueOp::Get, "'job-0'", 2)
        .push(
            4403,
            Body::Queue {
                id: "h-q".into(),
                name: Some("q".into()),
                op: QueueOp::GetBlocked,
                item: None,
                size: None,
                maxsize: None,
                unfinished: None,
            },
        );
    for (k, v) in [("'count'", "1"), ("'count'", "2")] {
        s.push(
            4402,
            Body::Proxy {
                server: Some(4401),
                id: "7f00aa11c0".into(),
                typeid: "dict".into(),
                method: "__setitem__".into(),
                args: vec![k.into(), v.into()],
                result: "None".into(),
            },
        );
    }
    s.push(
        4402,
        Body::Var {
            name: "seen".into(),
            repr: "[0, 1, 2]".into(),
            len: Some(3),
            first: Some("0".into()),
            last: Some("2".into()),
        },
    );
    s
}

fn lines(src: &str) -> Vec<String> {
    src.lines().map(str::to_string).collect()
}

fn view<'a>(model: &'a Model, ui: &'a UiState, source: &'a [String], theme: Theme) -> View<'a> {
    View::new(model, ui, theme, source, "lesson")
}

/// Draw with `draw` on a `w`×`h` test terminal.
fn render(w: u16, h: u16, draw: impl FnOnce(&mut Frame)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal.draw(draw).expect("draw");
    terminal
}

fn screen(script: &Script, source: &str, ui: &UiState, w: u16, h: u16) -> Terminal<TestBackend> {
    let model = script.model();
    let source = lines(source);
    let v = view(&model, ui, &source, Theme::default());
    render(w, h, |f| {
        ui::draw(f, &v);
    })
}

type Panel = fn(&mut Frame, Rect, &View);

fn panel(
    script: &Script,
    source: &str,
    ui: &UiState,
    draw: Panel,
    w: u16,
    h: u16,
) -> Terminal<TestBackend> {
    let model = script.model();
    let source = lines(source);
    let v = view(&model, ui, &source, Theme::default());
    render(w, h, |f| draw(f, f.area(), &v))
}

fn plain() -> UiState {
    UiState::new(1.0)
}

fn focused(pid: i32) -> UiState {
    UiState {
        selected: Some(pid),
        ..UiState::new(1.0)
    }
}

macro_rules! snap {
    ($name:expr, $terminal:expr) => {
        insta::assert_snapshot!($name, $terminal.backend())
    };
}

// ----------------------------------------------------------- whole screen

#[test]
fn screens_80x24() {
    snap!(
        "screen_80_pool_mid_way",
        screen(&pool_mid_way(), POOL_SRC, &plain(), 80, 24)
    );
    snap!(
        "screen_80_pool_paused",
        screen(&pool_paused(), POOL_SRC, &plain(), 80, 24)
    );
    snap!(
        "screen_80_pool_finished",
        screen(&pool_finished(), POOL_SRC, &plain(), 80, 24)
    );
    snap!("screen_80_killed", screen(&killed(), "", &plain(), 80, 24));
    snap!(
        "screen_80_lock",
        screen(&blocked_on_lock(), LOCK_SRC, &focused(4302), 80, 24)
    );
}

#[test]
fn screens_160x48() {
    snap!(
        "screen_160_pool_mid_way",
        screen(&pool_mid_way(), POOL_SRC, &focused(4102), 160, 48)
    );
    snap!(
        "screen_160_pool_paused",
        screen(&pool_paused(), POOL_SRC, &plain(), 160, 48)
    );
    snap!(
        "screen_160_pool_finished",
        screen(&pool_finished(), POOL_SRC, &plain(), 160, 48)
    );
    snap!(
        "screen_160_killed",
        screen(&killed(), "", &plain(), 160, 48)
    );
    snap!(
        "screen_160_lock",
        screen(&blocked_on_lock(), LOCK_SRC, &focused(4302), 160, 48)
    );
}

#[test]
fn help_overlay() {
    let ui = UiState {
        show_help: true,
        ..plain()
    };
    snap!(
        "screen_80_help",
        screen(&pool_mid_way(), POOL_SRC, &ui, 80, 24)
    );
}

// ----------------------------------------------------------------- panels

#[test]
fn header_panel() {
    let h = ui::header::render as Panel;
    snap!(
        "header_running",
        panel(&pool_mid_way(), "", &plain(), h, 90, 1)
    );
    snap!(
        "header_paused",
        panel(&pool_paused(), "", &plain(), h, 90, 1)
    );
    snap!(
        "header_finished",
        panel(&pool_finished(), "", &plain(), h, 90, 1)
    );
    let slower = UiState {
        slow: 4.0,
        ..plain()
    };
    snap!(
        "header_speed_pending",
        panel(&killed(), "", &slower, h, 90, 1)
    );
    // Buffered otherwise than in a terminal: the header says how.
    for (buffering, name) in [("unbuffered", "header_unbuffered"), ("pipe", "header_pipe")] {
        let mut run = Script::default();
        run.hello_buffered(MAIN, "fork", "/lessons/garbled.py", buffering)
            .start(MAIN, 4000, Role::Main, "MainProcess", "fork");
        snap!(name, panel(&run, "", &plain(), h, 90, 1));
    }
}

#[test]
fn procs_panel() {
    let p = ui::procs::render as Panel;
    snap!(
        "procs_pool_mid_way",
        panel(&pool_mid_way(), "", &focused(4102), p, 72, 8)
    );
    snap!(
        "procs_pool_paused",
        panel(&pool_paused(), "", &plain(), p, 72, 8)
    );
    snap!(
        "procs_pool_finished",
        panel(&pool_finished(), "", &plain(), p, 72, 8)
    );
    snap!("procs_killed", panel(&killed(), "", &plain(), p, 72, 6));
    snap!(
        "procs_lock",
        panel(&blocked_on_lock(), "", &plain(), p, 72, 6)
    );
    // Too many rows: scrolled to the focus, the hidden ones counted.
    snap!(
        "procs_overflow",
        panel(&pool_mid_way(), "", &focused(4103), p, 72, 5)
    );
}

#[test]
fn stage_panel() {
    let s = ui::stage::render as Panel;
    snap!(
        "stage_pool_mid_way",
        panel(&pool_mid_way(), "", &plain(), s, 60, 12)
    );
    snap!(
        "stage_pool_finished",
        panel(&pool_finished(), "", &plain(), s, 60, 12)
    );
    snap!(
        "stage_lock",
        panel(&blocked_on_lock(), "", &plain(), s, 60, 6)
    );
    snap!("stage_sharing", panel(&sharing(), "", &plain(), s, 60, 14));
    snap!("stage_lanes", panel(&killed(), "", &plain(), s, 60, 7));
}

#[test]
fn code_panel() {
    let c = ui::code::render as Panel;
    snap!(
        "code_pool_mid_way",
        panel(&pool_mid_way(), POOL_SRC, &plain(), c, 60, 10)
    );
    snap!(
        "code_lock_follows_focus",
        panel(&blocked_on_lock(), LOCK_SRC, &focused(4301), c, 60, 6)
    );
    snap!("code_no_source", panel(&killed(), "", &plain(), c, 60, 3));
}

#[test]
fn output_panel() {
    let o = ui::output::render as Panel;
    snap!(
        "output_lock_garbled",
        panel(&blocked_on_lock(), "", &plain(), o, 50, 5)
    );
    snap!("output_killed", panel(&killed(), "", &plain(), o, 50, 5));
    let back = UiState {
        output_scroll: 1,
        ..plain()
    };
    snap!(
        "output_scrolled_back",
        panel(&killed(), "", &back, o, 50, 4)
    );
}

#[test]
fn status_panel() {
    let s = ui::status::render as Panel;
    snap!(
        "status_running",
        panel(&pool_mid_way(), "", &plain(), s, 80, 1)
    );
    snap!(
        "status_paused",
        panel(&pool_paused(), "", &plain(), s, 80, 1)
    );
    let msg = UiState {
        message: Some("slow-motion ×4 from the next restart (r)".into()),
        ..plain()
    };
    snap!("status_message", panel(&pool_mid_way(), "", &msg, s, 80, 1));
}

// ------------------------------------------------------------ colour rules

/// The foreground colour of every place `text` is drawn in `buffer`.
fn colours_of(buffer: &Buffer, text: &str) -> Vec<Color> {
    let area = buffer.area;
    let mut found = Vec::new();
    for y in area.top()..area.bottom() {
        let row: String = (area.left()..area.right())
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        // Symbols are one char wide for the ASCII we look for.
        for (col, _) in row.match_indices(text) {
            let x = area.left() + row[..col].chars().count() as u16;
            found.push(buffer[(x, y)].fg);
        }
    }
    found
}

#[test]
fn a_process_has_one_colour_everywhere() {
    let script = blocked_on_lock();
    let model = script.model();
    let terminal = screen(&script, LOCK_SRC, &plain(), 160, 48);
    let colours = colours_of(terminal.backend().buffer(), "4302");
    assert!(colours.len() >= 2, "4302 appears in the tree and the stage");
    let expected = ui::pid_color(&model, 4302);
    assert!(colours.iter().all(|c| *c == expected), "{colours:?}");
    assert_ne!(expected, ui::pid_color(&model, 4301));
    assert_eq!(ui::pid_color(&model, 0), ui::theme::OTHER);
}

#[test]
fn no_color_draws_no_colour_but_keeps_glyphs() {
    let script = killed();
    let model = script.model();
    let ui_state = plain();
    let v = view(
        &model,
        &ui_state,
        &[],
        Theme::new(ThemeName::Default, false),
    );
    let terminal = render(80, 24, |f| {
        ui::draw(f, &v);
    });
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert_eq!(cell.fg, Color::Reset, "no foreground colour");
        assert_eq!(cell.bg, Color::Reset, "no background colour");
    }
    let text = terminal.backend().to_string();
    assert!(text.contains("☠ killed by SIGTERM"));
    assert!(text.contains("✘ exited 3"));
}

#[test]
fn no_color_chunk_strip_names_workers_by_letter() {
    let script = pool_mid_way();
    let model = script.model();
    let ui_state = plain();
    let v = view(
        &model,
        &ui_state,
        &[],
        Theme::new(ThemeName::Default, false),
    );
    let terminal = render(40, 10, |f| ui::stage::render(f, f.area(), &v));
    let text = terminal.backend().to_string();
    assert!(text.contains("AA BB CC AA bb cc aa ·· "), "{text}");
}

#[test]
fn high_contrast_has_no_dim_grey_and_bold_colours() {
    let script = pool_finished();
    let model = script.model();
    let ui_state = plain();
    let v = view(
        &model,
        &ui_state,
        &[],
        Theme::new(ThemeName::HighContrast, true),
    );
    let terminal = render(160, 48, |f| {
        ui::draw(f, &v);
    });
    let buffer = terminal.backend().buffer();
    assert!(buffer.content().iter().all(|c| c.fg != Color::DarkGray));
    let pid_cells = colours_of(buffer, "4101");
    assert!(!pid_cells.is_empty());
    let bold = buffer
        .content()
        .iter()
        .filter(|c| c.fg == ui::pid_color(&model, 4101))
        .all(|c| c.modifier.contains(ratatui::style::Modifier::BOLD));
    assert!(bold, "coloured text is bold in high contrast");
}

#[test]
fn only_the_16_colour_palette_is_used() {
    let script = sharing();
    let terminal = screen(&script, "", &plain(), 160, 48);
    for cell in terminal.backend().buffer().content() {
        for c in [cell.fg, cell.bg] {
            assert!(!matches!(c, Color::Rgb(..) | Color::Indexed(_)), "{c:?}");
        }
    }
}

#[test]
fn a_click_on_a_row_finds_its_process() {
    let script = pool_mid_way();
    let model = script.model();
    let ui_state = plain();
    let v = view(&model, &ui_state, &[], Theme::default());
    let panes = ui::layout(Rect::new(0, 0, 80, 24), &v);
    let first_row = panes.procs.y + 1;
    let x = panes.procs.x + 3;
    assert_eq!(ui::procs::pid_at(&v, panes.procs, x, first_row), Some(MAIN));
    assert_eq!(
        ui::procs::pid_at(&v, panes.procs, x, first_row + 2),
        Some(4102)
    );
    assert_eq!(
        ui::procs::pid_at(&v, panes.procs, x, panes.procs.y),
        None,
        "border"
    );
}

#[test]
fn small_screens_hide_the_code_pane() {
    let script = pool_mid_way();
    let model = script.model();
    let ui_state = plain();
    let v = view(&model, &ui_state, &[], Theme::default());
    assert!(ui::layout(Rect::new(0, 0, 80, 24), &v).code.is_none());
    assert!(ui::layout(Rect::new(0, 0, 200, 60), &v).code.is_some());
    // Tiny terminals must not panic either.
    for (w, h) in [(1, 1), (20, 5), (40, 10)] {
        let _ = screen(&script, POOL_SRC, &plain(), w, h);
    }
}

#[test]
fn a_terminal_too_small_says_so() {
    let terminal = screen(&pool_mid_way(), POOL_SRC, &plain(), 50, 12);
    let text: String = terminal
        .backend()
        .buffer()
        .content
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(text.contains("Terminal too small: 50×12"), "{text}");
    assert!(text.contains("press q to quit"));
}

#[test]
fn every_wait_reads_the_same_in_words() {
    use forklore::protocol::JoinOp;
    let mut s = Script::default();
    s.start(4500, 4000, Role::Main, "MainProcess", "fork");
    for pid in 4501..=4506 {
        s.start(pid, 4500, Role::Process, "p", "fork");
    }
    s.sync(4501, "lock", SyncKind::Lock, SyncOp::Blocked, 0)
        .sync(4502, "cond", SyncKind::Condition, SyncOp::Waiting, 0)
        .queue(4503, QueueOp::PutBlocked, "", 1)
        .queue(4504, QueueOp::GetBlocked, "", 0)
        .push(
            4500,
            Body::Join {
                at_exit: false,
                child: 4501,
                op: JoinOp::Waiting,
                exitcode: None,
            },
        )
        .push(
            4505,
            Body::Sync {
                parties: None,
                id: "h-anon".into(),
                kind: SyncKind::Semaphore,
                name: None,
                op: SyncOp::Blocked,
                value: Some(0),
            },
        );
    let model = Model::from_events(&s.events);
    let words = |pid| ui::procs::state_text(&model, model.procs.get(pid).unwrap());
    assert_eq!(words(4501), "⧗ blocked on lock");
    assert_eq!(words(4502), "⧗ blocked on cond (wait)");
    assert_eq!(words(4503), "⧗ blocked on q (put)");
    assert_eq!(words(4504), "⧗ blocked on q (get)");
    assert_eq!(words(4500), "⧗ waiting in join(4501)");
    assert_eq!(words(4505), "⧗ blocked on Semaphore#3");
    assert_eq!(words(4506), "▶ running");
}
