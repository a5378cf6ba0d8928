//! Step mode's time per step: from the go-ahead (what Enter does) to the
//! chosen process's next checkpoint drawn on screen, for a lock, a queue
//! and a Manager call. Step mode is serial on purpose; the figure is a
//! latency. `cargo bench --bench step`.

use std::path::Path;
use std::time::{Duration, Instant};

use forklore::runtime::{python, Run, RunConfig};
use forklore::session::{Feed, Session};
use forklore::ui::{self, Theme, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const ROUNDS: usize = 40;

/// Take in events until `done` says the model is there (or 10 s).
fn until(session: &mut Session, done: impl Fn(&Session) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done(session) {
        let events = match &session.feed {
            Feed::Live(run) => run.events.clone(),
            _ => return,
        };
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(event) = events.recv_timeout(left) else {
            panic!("no progress in 10 s");
        };
        session.ingest(&event).expect("ingest");
        for event in events.try_iter() {
            session.ingest(&event).expect("ingest");
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let python = python::resolve(None).expect("python3").executable;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scripts/steps.py");
    let config = RunConfig {
        python,
        script,
        args: vec![ROUNDS.to_string()],
        slow: 1.0,
        step: Some(true),
        ..RunConfig::default()
    };
    let run = Run::start(&config).expect("run starts");
    let mut session = Session::live(run, Vec::new(), None);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    let ui = UiState::new(1.0);
    let mut times: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    // Let main go until the child holds; then step only the child.
    let child = loop {
        until(&mut session, |s| s.scheduler.holding(&s.model).count() > 0);
        let holding: Vec<i32> = session.model.holding_in_order();
        let root = session.model.info.root;
        if let Some(c) = holding.iter().find(|p| Some(**p) != root) {
            break *c;
        }
        session.step_process(holding[0]).expect("main steps");
    };
    while let Some(want) = session.model.steps.wants.get(&child).cloned() {
        let kind = format!("{} {}", want.what, want.op());
        let t0 = Instant::now();
        if session.step_process(child).is_err() {
            break;
        }
        let before = want.t;
        until(&mut session, |s| {
            let p = s.model.procs.get(child);
            p.is_none_or(|p| !p.state.is_alive())
                || s.model
                    .steps
                    .wants
                    .get(&child)
                    .is_some_and(|w| w.t != before)
        });
        let source: Vec<String> = Vec::new();
        let view = View::new(&session.model, &ui, Theme::default(), &source, "steps");
        terminal
            .draw(|f| {
                ui::draw(f, &view);
            })
            .expect("draw");
        times
            .entry(kind)
            .or_default()
            .push(t0.elapsed().as_secs_f64() * 1e3);
    }
    println!("step mode: go-ahead → next checkpoint on screen, median of {ROUNDS} steps each");
    for (kind, t) in times {
        if t.len() >= ROUNDS / 2 {
            println!("{kind:<24} {:>6.2} ms  (n = {})", median(t), ROUNDS);
        }
    }
    let _ = session.set_stepping(false);
    let _ = session.stop();
}
