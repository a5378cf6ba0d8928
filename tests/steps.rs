//! Step mode without processes: the model from event sequences (who holds
//! at a checkpoint, in what words), the scheduler's decisions, the
//! schedule format, and the screen in step mode (insta snapshot).

use forklore::model::Model;
use forklore::protocol::{Body, Event, Role, SyncKind, SyncOp};
use forklore::schedule::Schedule;
use forklore::session::Scheduler;
use forklore::ui::{self, Theme, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::json;

const MAIN: i32 = 100;
const P2: i32 = 102;
const P3: i32 = 103;

fn ev(pid: i32, t: u64, body: Body) -> Event {
    Event { pid, t, body }
}

fn want(pid: i32, t: u64, what: &str, at: serde_json::Value, line: u32) -> Event {
    let body = Body::Want {
        what: what.into(),
        at,
        file: Some("/tmp/main.py".into()),
        line: Some(line),
    };
    ev(pid, t, body)
}

/// Main and two children, step mode on from the start, every one holding:
/// main before a join, the children before `d['count']` reads.
fn holding() -> Vec<Event> {
    let hello = forklore::protocol::decode(
        br#"{"kind":"hello","v":2,"python":"3.12.3","start_method":"fork","script":"/tmp/main.py","pid":100,"t":2}"#,
    )
    .unwrap();
    let read = json!({"id": "d1", "method": "__getitem__", "typeid": "dict", "args": ["'count'"]});
    vec![
        ev(MAIN, 1, Body::Stepping { on: true }),
        hello,
        ev(
            MAIN,
            3,
            Body::proc_start(1, Role::Main, "MainProcess", "fork"),
        ),
        ev(
            P2,
            4,
            Body::proc_start(MAIN, Role::Process, "Process-2", "fork"),
        ),
        ev(
            P3,
            5,
            Body::proc_start(MAIN, Role::Process, "Process-3", "fork"),
        ),
        want(MAIN, 6, "join", json!({"child": P2, "op": "waiting"}), 20),
        want(P2, 7, "proxy", read.clone(), 8),
        want(P3, 8, "proxy", read, 8),
    ]
}

/// `v` drawn on a `w`×`h` test terminal.
fn drawn(v: &View, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, v);
        })
        .unwrap();
    terminal
}

fn model(events: &[Event]) -> Model {
    Model::from_events(events)
}

#[test]
fn each_holding_process_says_what_it_is_about_to_do() {
    let m = model(&holding());
    assert!(m.steps.on && m.steps.from_start);
    assert_eq!(m.holding_in_order(), vec![MAIN, P2, P3]);
    let said = |pid| m.steps.wants[&pid].describe(&m);
    assert_eq!(said(MAIN), "Process-2.join()");
    assert_eq!(said(P2), "dict['count'] → read");
    assert_eq!(m.steps.wants[&P2].place().as_deref(), Some("main.py:8"));
    assert_eq!(m.steps.wants[&P2].op(), "read");
    assert_eq!(m.steps.wants[&P2].object(&m).as_deref(), Some("'count'"));
    // The code pane's line: where it holds.
    assert_eq!(m.line_of(m.procs.get(P3).unwrap()), Some(8));

    let write = want(
        P2,
        9,
        "proxy",
        json!({"id": "d1", "method": "__setitem__", "typeid": "dict", "args": ["'count'", "1"]}),
        8,
    );
    let print = want(P3, 10, "write", json!({"fd": 1, "text": "hi"}), 9);
    let acquire = want(
        MAIN,
        11,
        "sync",
        json!({"id": "h1", "op": "acquire", "name": "lock"}),
        4,
    );
    let wait = want(
        P2,
        12,
        "sync",
        json!({"id": "h2", "op": "waiting", "name": "go"}),
        5,
    );
    let mut events = holding();
    events.extend([write]);
    let m = model(&events);
    assert_eq!(m.steps.wants[&P2].describe(&m), "dict['count'] ← 1");
    events.extend([print, acquire, wait]);
    let m = model(&events);
    assert_eq!(m.steps.wants[&P3].describe(&m), "stdout.write(\"hi\")");
    assert_eq!(m.steps.wants[&P3].op(), "print");
    assert_eq!(m.steps.wants[&MAIN].describe(&m), "lock.acquire()");
    assert_eq!(m.steps.wants[&P2].describe(&m), "go.wait()");
}

#[test]
fn a_step_lets_its_process_go_and_is_kept_unless_automatic() {
    let mut events = holding();
    let step = |who: &str, auto| Body::Step {
        who: who.into(),
        what: "read".into(),
        obj: Some("'count'".into()),
        auto,
    };
    events.push(ev(P2, 20, step("Process-2", false)));
    events.push(ev(P3, 21, step("Process-3", true)));
    let m = model(&events);
    assert_eq!(m.holding_in_order(), vec![MAIN]);
    assert_eq!(m.steps.taken.len(), 1, "an automatic go-ahead is no step");
    assert_eq!(m.steps.taken[0].who, "Process-2");
    // A process that ends holds no more.
    events.push(ev(
        MAIN,
        22,
        Body::ProcExit {
            exitcode: 0,
            by: None,
        },
    ));
    assert!(model(&events).steps.wants.is_empty());
}

#[test]
fn with_step_mode_off_everyone_holding_is_let_go_at_once() {
    let mut events = holding();
    events.push(ev(MAIN, 30, Body::Stepping { on: false }));
    let m = model(&events);
    let mut s = Scheduler::default();
    let d = s.decide(&m, false);
    let pids: Vec<i32> = d.grants.iter().map(|g| g.pid).collect();
    assert_eq!(pids, vec![MAIN, P2, P3]);
    assert!(d.grants.iter().all(|g| g.auto));
    // Not twice: the wants stay in the model until the steps come back.
    assert!(s.decide(&m, false).grants.is_empty());
    // In step mode nothing moves by itself.
    assert!(Scheduler::default()
        .decide(&model(&holding()), true)
        .grants
        .is_empty());
}

#[test]
fn the_learner_moves_one_process_at_a_time() {
    let m = model(&holding());
    let mut s = Scheduler::default();
    let g = s.choose(&m, P2).unwrap();
    assert_eq!(
        (g.pid, g.who.as_str(), g.op.as_str()),
        (P2, "Process-2", "read")
    );
    assert!(!g.auto);
    // P2 has not arrived at its next checkpoint yet: nobody else moves.
    let err = s.choose(&m, P3).unwrap_err();
    assert!(err.contains("Process-2 is still on its way"), "{err}");
    // It arrives (a new want): the next choice is free.
    let mut events = holding();
    events.push(ev(
        P2,
        40,
        Body::Step {
            who: "Process-2".into(),
            what: "read".into(),
            obj: None,
            auto: false,
        },
    ));
    events.push(want(P2, 41, "write", json!({"fd": 1, "text": "x"}), 9));
    let m = model(&events);
    assert!(s.choose(&m, P3).is_ok());
    // Only a process at a checkpoint can be chosen.
    let err = Scheduler::default().choose(&m, 999).unwrap_err();
    assert!(err.contains("not at a checkpoint"), "{err}");
}

/// The run's time stands still while step mode waits for a choice: a
/// process holds, and the one let go last has arrived somewhere.
#[test]
fn the_run_waits_for_a_choice_unless_a_step_is_under_way() {
    let mut s = Scheduler::default();
    let mut events = holding();
    assert!(s.waits_for_choice(&model(&events)), "all three hold");
    // Process-2 let go: its step is under way until it arrives.
    s.choose(&model(&events), P2).unwrap();
    let step = Body::Step {
        who: "Process-2".into(),
        what: "read".into(),
        obj: None,
        auto: false,
    };
    events.push(ev(P2, 40, step));
    assert!(!s.waits_for_choice(&model(&events)));
    // Blocked in a lock: arrived (it cannot move by itself).
    let blocked = |id: &str| Body::Sync {
        id: id.into(),
        kind: SyncKind::Lock,
        name: Some("lock".into()),
        op: SyncOp::BlockedTimed,
        value: Some(0),
        parties: None,
    };
    events.push(ev(P2, 41, blocked("h1")));
    assert!(s.waits_for_choice(&model(&events)));
    // A process nobody let go (a child starting) does not make time run.
    events.push(ev(
        P3,
        42,
        Body::ProcSpawn {
            child: 104,
            name: Some("Process-4".into()),
            daemon: false,
            method: Some("fork".into()),
        },
    ));
    assert!(s.waits_for_choice(&model(&events)), "Process-4 starts");
    // Nobody holding: no choice to wait for, the time runs (a timeout may
    // be what lets a process go on).
    let mut blocked_all = holding();
    for (i, pid) in [MAIN, P2, P3].into_iter().enumerate() {
        let auto = Body::Step {
            who: "x".into(),
            what: "acquire".into(),
            obj: None,
            auto: true,
        };
        blocked_all.push(ev(pid, 50 + i as u64, auto));
        blocked_all.push(ev(pid, 60 + i as u64, blocked(&format!("h{i}"))));
    }
    let m = model(&blocked_all);
    assert!(m.steps.wants.is_empty());
    assert!(!Scheduler::default().waits_for_choice(&m));
}

fn schedule(text: &str) -> Schedule {
    Schedule::parse(text, "test.schedule").unwrap()
}

#[test]
fn a_schedule_lets_its_steps_go_in_order_then_everyone() {
    let mut s = Scheduler::replaying(schedule("Process-3 read 'count'\nProcess-2 read\n"));
    let events = holding();
    let d = s.decide(&model(&events), true);
    assert_eq!(d.grants.len(), 1);
    assert_eq!(
        d.grants[0].pid, P3,
        "the schedule's first step, not the first to arrive"
    );
    // Process-3 has not arrived anywhere yet: wait.
    assert!(s.decide(&model(&events), true).grants.is_empty());
    // It is blocked now (counts as arrived): Process-2 goes next.
    let mut events = events;
    let blocked = Body::Sync {
        id: "h1".into(),
        kind: SyncKind::Lock,
        name: Some("lock".into()),
        op: SyncOp::Blocked,
        value: Some(0),
        parties: None,
    };
    events.push(ev(P3, 50, blocked));
    let d = s.decide(&model(&events), true);
    assert_eq!(d.grants.iter().map(|g| g.pid).collect::<Vec<_>>(), vec![P2]);
    assert_eq!(s.remaining(), 0);
    // P2 arrives: the schedule is done, step mode goes off, main is let go.
    events.push(want(P2, 51, "write", json!({"fd": 1, "text": "x"}), 9));
    let d = s.decide(&model(&events), true);
    assert!(d.stop_stepping);
    let pids: Vec<i32> = d.grants.iter().map(|g| g.pid).collect();
    assert!(pids.contains(&MAIN) && pids.contains(&P2), "{pids:?}");
    assert!(!s.is_replaying());
    assert!(s
        .note
        .as_deref()
        .unwrap()
        .starts_with("schedule done: 2 steps"));
}

#[test]
fn a_schedule_the_run_does_not_follow_is_said_and_dropped() {
    let mut s = Scheduler::replaying(schedule("Process-2 write 'count'\n"));
    let d = s.decide(&model(&holding()), true);
    assert!(d.stop_stepping, "the run goes on freely");
    let trouble = s.trouble.clone().unwrap();
    assert!(
        trouble.contains("diverged at step 1 (Process-2 write 'count')")
            && trouble.contains("wants to read 'count'"),
        "{trouble}"
    );
    // A process that does not exist, with every one holding: stuck, but
    // only said once the run is quiet (events may still be on their way).
    let mut s = Scheduler::replaying(schedule("Process-9 read\n"));
    let d = s.decide(&model(&holding()), true);
    assert!(d.grants.is_empty() && !d.stop_stepping, "waits for the run");
    let d = s.when_quiet(&model(&holding()));
    assert!(
        d.stop_stepping && d.grants.len() == 3,
        "everyone goes on freely"
    );
    assert!(s.trouble.unwrap().contains("stuck at step 1"));
    // Undo: after the schedule, control comes back (nothing let go).
    let mut s = Scheduler::replaying_then_hold(schedule("Process-2 read\n"));
    let m = model(&holding());
    assert_eq!(s.decide(&m, true).grants.len(), 1);
    let mut events = holding();
    events.push(want(P2, 60, "write", json!({"fd": 1, "text": "x"}), 9));
    let d = s.decide(&model(&events), true);
    assert!(d.grants.is_empty() && !d.stop_stepping);
    assert_eq!(s.note.as_deref(), Some("back after step 1: your turn"));
}

#[test]
fn schedules_read_and_write_as_text() {
    let text =
        "# race\nMainProcess  start  Process-2 # first\n\nProcess-2 print stdout\nproc-3 sleep\n";
    let s = schedule(text);
    assert_eq!(s.steps.len(), 3);
    assert_eq!(s.steps[0].obj.as_deref(), Some("Process-2"));
    assert_eq!(s.steps[1].line, 4);
    assert_eq!(s.steps[2].obj, None);
    let again = Schedule::parse(&s.to_text(), "again").unwrap();
    assert_eq!(
        again
            .steps
            .iter()
            .map(|s| (&s.who, &s.op, &s.obj))
            .collect::<Vec<_>>(),
        s.steps
            .iter()
            .map(|s| (&s.who, &s.op, &s.obj))
            .collect::<Vec<_>>()
    );
    // An object may hold a '#' that does not follow a space.
    assert_eq!(
        schedule("P-1 print a#b\n").steps[0].obj.as_deref(),
        Some("a#b")
    );
    let err = Schedule::parse("MainProcess start\nlonely\n", "x.schedule").unwrap_err();
    assert!(err.starts_with("x.schedule:2:"), "{err}");
}

#[test]
fn the_screen_in_step_mode() {
    let m = model(&holding());
    let ui = UiState {
        selected: Some(P2),
        ..UiState::new(1.0)
    };
    let source: Vec<String> = (1..=21).map(|i| format!("line {i}")).collect();
    let v = View::new(&m, &ui, Theme::default(), &source, "main.py");
    let terminal = drawn(&v, 100, 24);
    let text = format!("{}", terminal.backend());
    assert!(text.contains("STEP MODE · 3 at a checkpoint"), "{text}");
    assert!(
        text.contains("[2] ▸ dict['count'] → read · main.py:8"),
        "{text}"
    );
    insta::assert_snapshot!("step_mode_100x24", terminal.backend());
}

/// The step-mode task of a lesson: given while stepping, then judged by
/// the run's own facts.
#[test]
fn a_lessons_turn_is_judged_by_the_runs_facts() {
    use forklore::lesson::facts::Facts;
    use forklore::lesson::say::Env;
    use forklore::lesson::{Catalog, Lang};
    let catalog = Catalog::embedded().unwrap();
    let turn = |slug: &str| {
        let i = catalog.index_of(slug).unwrap();
        catalog.lessons[i].manifest.turn.clone().unwrap()
    };
    let settings = forklore::lesson::Settings(
        [("slots".to_string(), toml::Value::Integer(2))]
            .into_iter()
            .collect(),
    );
    let with = |k: &'static str, v: &str| -> Facts { [(k, v.to_string())].into_iter().collect() };
    let say = |slug: &str, finished: bool, facts: &Facts, lang: Lang| {
        turn(slug).say(finished, lang, &Env::new(&settings, facts))
    };
    assert!(say("manager-dict", false, &Facts::new(), Lang::En)
        .starts_with("Your turn: make two processes lose an update"));
    assert!(
        say("manager-dict", true, &with("lost_updates", "1"), Lang::En).starts_with("You did it")
    );
    assert!(
        say("manager-dict", true, &with("lost_updates", "0"), Lang::En)
            .starts_with("No update was lost")
    );
    assert!(say("lock-vs-garbled", true, &with("garbled", "2"), Lang::Zh).starts_with("做到了"));
    let sem = "semaphore-producer-consumer";
    assert!(say(sem, true, &with("queue_peak", "2"), Lang::En).starts_with("The buffer held"));
    assert!(say(sem, true, &with("queue_peak", "1"), Lang::En).starts_with("The buffer never"));
}

#[test]
fn the_narration_gives_the_turn_while_stepping() {
    use forklore::lesson::{Catalog, Lang, Narration};
    use forklore::ui::LessonView;
    let catalog = Catalog::embedded().unwrap();
    let lesson = &catalog.lessons[catalog.index_of("manager-dict").unwrap()];
    let manifest = &lesson.manifest;
    let narration = Narration::new(manifest.beats.clone());
    let settings = lesson.defaults();
    let m = model(&holding());
    let ui = UiState::new(1.0);
    let source: Vec<String> = Vec::new();
    let mut v = View::new(&m, &ui, Theme::default(), &source, "manager-dict");
    let mut lv = LessonView::new(&narration, Lang::En, &settings, &manifest.watch);
    lv.turn = manifest.turn.as_ref();
    v.lesson = Some(lv);
    let terminal = drawn(&v, 120, 30);
    let text = format!("{}", terminal.backend());
    assert!(text.contains("Your turn · step mode"), "{text}");
    assert!(text.contains("make two processes lose an update"), "{text}");
}

/// "Show me the race": the variants that replay a schedule name one their
/// lesson bundles, and it parses.
#[test]
fn race_variants_name_a_bundled_schedule() {
    use forklore::lesson::Catalog;
    let catalog = Catalog::embedded().unwrap();
    let mut found = Vec::new();
    for lesson in &catalog.lessons {
        for v in &lesson.manifest.variants {
            if let Some(name) = &v.schedule {
                let s = lesson.schedule(name).unwrap();
                assert!(!s.steps.is_empty(), "{}: {name}", lesson.slug());
                found.push(lesson.slug().to_string());
            }
        }
    }
    found.sort();
    assert_eq!(
        found,
        [
            "lock-vs-garbled",
            "manager-dict",
            "semaphore-producer-consumer"
        ]
    );
}

/// The window of `x`: each outcome with its schedules and its shortest
/// schedule, the chosen one marked.
#[test]
fn the_explore_window_lists_the_outcomes() {
    use forklore::explore::outcome::{Group, Outcome};
    use forklore::explore::{Move, Report};
    use forklore::ui::explore::Explored;
    use forklore::ui::Overlay;
    let outcome = |v: &str| Outcome {
        stdout: format!("lost_updates = {v}\n"),
        exitcode: Some(0),
        procs: Vec::new(),
        stopped: None,
    };
    let moves = |order: [(&str, &str); 4]| {
        order
            .iter()
            .map(|(who, op)| Move::new(who, op, Some("'count'")))
            .collect::<Vec<_>>()
    };
    let group = |v, runs, order| Group {
        outcome: outcome(v),
        runs,
        shortest: moves(order),
        decisions: vec![0, 1, 2, 3],
    };
    let report = Report {
        schedules: 4,
        complete: true,
        groups: vec![
            group(
                "0",
                2,
                [
                    ("P2", "read"),
                    ("P2", "write"),
                    ("P3", "read"),
                    ("P3", "write"),
                ],
            ),
            group(
                "1",
                2,
                [
                    ("P2", "read"),
                    ("P3", "read"),
                    ("P2", "write"),
                    ("P3", "write"),
                ],
            ),
        ],
        ..Report::default()
    };
    let m = model(&holding());
    let ui = UiState::new(1.0);
    let source: Vec<String> = Vec::new();
    let mut v = View::new(&m, &ui, Theme::default(), &source, "manager-dict");
    v.overlay = Overlay::Explore(Explored {
        title: "manager-dict",
        seconds: 2,
        progress: (4, 2),
        max: 500,
        report: Some(&report),
        error: None,
        selected: 1,
        correct: Some("lost_updates = 0\n"),
    });
    let terminal = drawn(&v, 100, 24);
    let text = format!("{}", terminal.backend());
    assert!(
        text.contains("4 schedules (complete): 2 outcomes"),
        "{text}"
    );
    assert!(
        text.contains("▸ 2.") && text.contains("lost_updates = 1 · exit 0"),
        "{text}"
    );
    assert!(
        text.contains("shortest: P2 read 'count' · P3 read 'count'"),
        "{text}"
    );
    assert!(
        text.contains("lost_updates = 0 · exit 0  ✔ correct"),
        "{text}"
    );
    insta::assert_snapshot!("explore_window_100x24", terminal.backend());
    // While the search runs: how far it got, as words and as a bar.
    if let Overlay::Explore(e) = &mut v.overlay {
        e.report = None;
    }
    let terminal = drawn(&v, 100, 24);
    let text = format!("{}", terminal.backend());
    assert!(
        text.contains("exploring… 4 schedules run, 2 outcomes so far (2 s)")
            && text.contains("of at most 500"),
        "{text}"
    );
}
