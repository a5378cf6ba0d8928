//! Frame render time: the whole screen at 200x60 with 64 processes and a
//! 1,000,000-item chunk strip, through ratatui's TestBackend.
//! `cargo bench --bench render`.

use std::time::{Duration, Instant};

use forklore::model::Model;
use forklore::protocol::{Body, Event, Role, SyncKind, SyncOp};
use forklore::ui::{self, Theme, ThemeName, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn ev(pid: i32, body: Body) -> Event {
    Event { pid, t: 1, body }
}

/// A busy run: 64 processes, a million items in chunks of one, half taken,
/// a lock with waiters, and a screenful of output.
fn busy_model() -> Model {
    let mut m = Model::new();
    let start = |pid: i32, role: Role| {
        Body::proc_start(1000, role, &format!("ForkPoolWorker-{pid}"), "fork")
    };
    m.update(&ev(1000, start(1000, Role::Main)));
    for pid in 1001..1064 {
        m.update(&ev(pid, start(pid, Role::PoolWorker)));
    }
    m.update(&ev(
        1000,
        Body::Map {
            executor: false,
            pool: 0,
            job: 0,
            items: 1_000_000,
            chunksize: 1,
            chunks: 1_000_000,
            workers: Some(63),
            streaming: false,
        },
    ));
    for i in 0..500_000u64 {
        let pid = 1001 + (i % 63) as i32;
        m.update(&ev(
            pid,
            Body::ChunkTake {
                pool: 0,
                job: 0,
                index: i,
                size: 1,
                start: Some(i),
                end: Some(i + 1),
            },
        ));
        if i % 3 != 0 {
            m.update(&ev(
                pid,
                Body::ChunkDone {
                    pool: 0,
                    job: 0,
                    index: i,
                    ok: true,
                },
            ));
        }
    }
    for (k, pid) in (1001..1010).enumerate() {
        let op = if k == 0 {
            SyncOp::Acquired
        } else {
            SyncOp::Blocked
        };
        m.update(&ev(
            pid,
            Body::Sync {
                parties: None,
                id: "h1".into(),
                kind: SyncKind::Lock,
                name: Some("lock".into()),
                op,
                value: Some(0),
            },
        ));
    }
    for k in 0..200 {
        let pid = 1001 + k % 63;
        m.update(&ev(
            pid,
            Body::write(1, (format!("Pid: {pid} LoopCount: {k}\n")).as_bytes()),
        ));
    }
    m
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let model = busy_model();
    let source: Vec<String> = (0..200)
        .map(|i| format!("line {i} of the script"))
        .collect();
    let ui_state = UiState::new(1.0);
    let view = View::new(
        &model,
        &ui_state,
        Theme::new(ThemeName::Default, true),
        &source,
        "bench",
    );
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).unwrap();
    for _ in 0..20 {
        terminal
            .draw(|f| {
                ui::draw(f, &view);
            })
            .unwrap();
    }
    let mut times: Vec<Duration> = (0..300)
        .map(|_| {
            let t = Instant::now();
            terminal
                .draw(|f| {
                    ui::draw(f, &view);
                })
                .unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!(
        "frame 200x60, 64 processes, 1e6-item strip: median {:.0} µs, p95 {:.0} µs, max {:.0} µs",
        us(times[times.len() / 2]),
        us(times[times.len() * 95 / 100]),
        us(times[times.len() - 1])
    );
}
