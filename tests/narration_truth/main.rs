//! Every number and claim the narration shows is this run's. Each lesson,
//! with its defaults and with each variant, runs for real (headless,
//! recorded, real python3); then every beat, every question, every verdict
//! and the turn's texts are rendered, in English and in Chinese, against
//! the run's facts at the moment the learner reads them, and drawn on a
//! 100×30, an 80×24 and a big-mode screen. It fails on:
//!
//! - a `{placeholder}` left unfilled, or a fact not known yet (`…`) or
//!   empty where the text needs it;
//! - a parameter's value where the run's Pool job used another
//!   (`{chunksize}` = 0 while the job's chunks hold 125: `{job_chunksize}`);
//! - a case whose `if` the run cannot decide yet;
//! - a claim about a setting the run does not have: `lock = true`,
//!   `chunksize left at 0`, `fix 为 none` … in a run with other values;
//! - a question with no right choice for this run's value;
//! - text the narration panel cuts.

#[path = "../common/mod.rs"]
mod common;

mod checker;
mod claims;
mod screen;

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Mutex;

use forklore::lesson::manifest::ParamType;
use forklore::lesson::{Catalog, Lang, Lesson, Quiz, Settings};
use forklore::replay::Replay;
use forklore::session::Session;
use forklore::ui::{self, LessonView, Theme, UiState, View};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use checker::Checker;
use screen::row_text;

/// Smaller runs where the defaults take long: the same lesson, the same
/// narration and questions, checked the same way. A variant's own values
/// come after these, so they win.
const QUICK: &[(&str, &[&str])] = &[("chunked-map", &["items=200"])];

/// Screens the narration must fit: (width, height, big).
pub const SCREENS: &[(u16, u16, bool)] = &[(100, 30, false), (80, 24, false), (100, 30, true)];

/// How many lessons run at once (they mostly sleep; the machine has 2 cores).
const AT_ONCE: usize = 3;

struct Job {
    lesson: usize,
    /// `default` or the variant's English name.
    label: String,
    sets: Vec<String>,
    schedule: Option<String>,
}

fn jobs(catalog: &Catalog) -> Vec<Job> {
    let mut jobs = Vec::new();
    for (i, lesson) in catalog.lessons.iter().enumerate() {
        let quick: Vec<String> = QUICK
            .iter()
            .filter(|(slug, _)| *slug == lesson.slug())
            .flat_map(|(_, sets)| sets.iter().map(|s| s.to_string()))
            .collect();
        jobs.push(Job {
            lesson: i,
            label: "default".into(),
            sets: quick.clone(),
            schedule: None,
        });
        // Every number at its smallest: beats must still be reached and
        // texts still be true at the edges of the parameters' ranges.
        jobs.push(Job {
            lesson: i,
            label: "smallest".into(),
            sets: smallest(lesson),
            schedule: None,
        });
        for v in &lesson.manifest.variants {
            let mut sets = quick.clone();
            sets.extend(
                v.set
                    .iter()
                    .map(|(k, val)| format!("{k}={}", forklore::lesson::manifest::value_text(val))),
            );
            jobs.push(Job {
                lesson: i,
                label: v.name.en.clone(),
                sets,
                schedule: v.schedule.clone(),
            });
        }
    }
    jobs
}

/// `NAME=MIN` for every number parameter with a minimum.
fn smallest(lesson: &Lesson) -> Vec<String> {
    lesson
        .manifest
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamType::Int | ParamType::Float))
        .filter_map(|p| Some(format!("{}={}", p.name, p.min?)))
        .collect()
}

#[test]
fn every_text_of_every_lesson_is_true_of_its_run() {
    let catalog = Catalog::embedded().unwrap();
    let queue = Mutex::new(VecDeque::from(jobs(&catalog)));
    let problems = Mutex::new(Vec::<String>::new());
    std::thread::scope(|s| {
        for _ in 0..AT_ONCE {
            s.spawn(|| {
                loop {
                    // Taken on its own line: the queue is not held during the run.
                    let next = queue.lock().unwrap().pop_front();
                    let Some(job) = next else { break };
                    let lesson = &catalog.lessons[job.lesson];
                    let found = run_and_check(lesson, &job);
                    let at = format!("{} [{}]", lesson.slug(), job.label);
                    let mut all = problems.lock().unwrap();
                    all.extend(found.into_iter().map(|p| format!("{at}: {p}")));
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Run `job` for real, then read its recording as the learner would.
fn run_and_check(lesson: &Lesson, job: &Job) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("run.jsonl");
    let mut cmd = common::forklore();
    cmd.args(["lesson", lesson.slug(), "--headless", "--record"])
        .arg(&rec);
    for s in &job.sets {
        cmd.args(["--set", s]);
    }
    if let Some(name) = &job.schedule {
        cmd.args(["--schedule", name]);
    }
    let out = cmd.output().expect("forklore runs");
    if !rec.exists() {
        return vec![format!(
            "no recording: {}",
            String::from_utf8_lossy(&out.stderr)
        )];
    }
    check_recording(lesson, &rec)
}

/// Walk the recording event by event; at each beat, read what the
/// narration says at that moment.
fn check_recording(lesson: &Lesson, rec: &Path) -> Vec<String> {
    let m = &lesson.manifest;
    let replay = Replay::open(rec, m.beats.clone()).expect("the recording reads");
    let settings = Settings::from_params(&replay.meta.params);
    let mut session = Session::replay(replay);
    let mut quiz = Quiz::new(m.predictions.clone(), m.beats.len());
    quiz.keep_asked(&settings);
    for q in 0..quiz.len() {
        quiz.answer(q, 1).unwrap();
    }
    let mut check = Checker {
        lesson,
        settings: &settings,
        problems: Vec::new(),
    };
    let (mut shown, mut task_read) = (0, false);
    loop {
        while shown < visible(&session) {
            shown += 1;
            check.beat(&session, shown, &mut quiz);
        }
        if !task_read && session.model.info.root.is_some() {
            check.turn(&session.model, false);
            task_read = true;
        }
        if !session.step() {
            break;
        }
    }
    if shown < m.beats.len() {
        check.problems.push(format!(
            "the run reached {shown} of {} beats",
            m.beats.len()
        ));
    }
    check.turn(&session.model, true);
    check.problems
}

/// Beats the learner can read: as on the live screen, none until the main
/// process has announced itself (so the first beat can name its PID).
fn visible(session: &Session) -> usize {
    let model = &session.model;
    let announced = model
        .info
        .root
        .is_some_and(|r| model.procs.get(r).is_some());
    let over = matches!(model.state, forklore::model::RunState::Finished(_));
    if announced || over {
        session.narration.reached()
    } else {
        0
    }
}

/// The narration panel at beat `beat` of a real run of `slug` with
/// `sets`, drawn at 100×30: its rows, as the learner reads them.
fn panel_at(slug: &str, sets: &[&str], beat: usize, lang: Lang) -> String {
    let catalog = Catalog::embedded().unwrap();
    let lesson = catalog.find(slug).unwrap();
    let run = common::run_lesson(slug, sets);
    let replay = Replay::new(run.events, lesson.manifest.beats.clone());
    let settings = Settings::from_params(&replay.meta.params);
    let mut session = Session::replay(replay);
    while visible(&session) < beat && session.step() {}
    let ui_state = UiState::new(1.0);
    let mut view = View::new(&session.model, &ui_state, Theme::default(), &[], slug);
    let watch = &lesson.manifest.watch;
    view.lesson = Some(LessonView::new(&session.narration, lang, &settings, watch));
    let area = ui::layout(Rect::new(0, 0, 100, 30), &view).narration;
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|f| {
            ui::draw(f, &view);
        })
        .unwrap();
    let buffer = terminal.backend().buffer();
    let rows: Vec<String> = (area.top()..area.bottom())
        .map(|y| row_text(buffer, y, area.left(), area.right()))
        .collect();
    rows.join("\n")
}

/// What the issue saw, in real runs: chunked-map's beat 2 says the chunk
/// size the job used (125), not the parameter (0), and with chunksize 50
/// it does not say "left at 0"; lock-vs-garbled's beat 4 speaks of no
/// lock in a run without one.
#[test]
fn the_beats_the_issue_found_say_this_runs_values() {
    let python_chooses = panel_at("chunked-map", &["work_ms=0"], 2, Lang::En);
    assert!(
        python_chooses.contains("8 chunks of up to 125 items"),
        "{python_chooses}"
    );
    insta::assert_snapshot!("chunked_map_beat2_python_chooses", python_chooses);
    let zh = panel_at("chunked-map", &["work_ms=0"], 2, Lang::Zh);
    assert!(zh.contains("每块最多 125 个"), "{zh}");
    insta::assert_snapshot!("chunked_map_beat2_python_chooses_zh", zh);
    let given = panel_at("chunked-map", &["work_ms=0", "chunksize=50"], 2, Lang::En);
    assert!(
        given.contains("20 chunks of up to 50 items") && !given.contains("left at 0"),
        "{given}"
    );
    insta::assert_snapshot!("chunked_map_beat2_chunksize_50", given);
    let no_lock = panel_at("lock-vs-garbled", &["lock=false"], 4, Lang::En);
    assert!(
        !no_lock.contains("lock = true") && no_lock.contains("no lock"),
        "{no_lock}"
    );
    insta::assert_snapshot!("lock_vs_garbled_beat4_no_lock", no_lock);
}
