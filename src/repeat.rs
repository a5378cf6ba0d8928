//! `--repeat N`: a lesson run N times for real, in the background, as
//! many at once as the machine has cores. Each run's events go through
//! its own session (recorded too, when asked), and its outcome is the
//! lesson's outcome fact computed from them. Stopping the batch stops and
//! reaps every run it has going.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{select, unbounded, Receiver, Sender};

use crate::headless::Outcome;
use crate::lesson::condition::FactExpr;
use crate::lesson::facts::facts;
use crate::lesson::histogram::Histogram;
use crate::lesson::LessonSession;
use crate::protocol::{Body, ReplayMeta};
use crate::record::Recorder;
use crate::runtime::{Run, RunConfig};
use crate::session::Session;

/// What to run and what to measure.
#[derive(Clone)]
pub struct Plan {
    pub config: RunConfig,
    pub watch: Vec<String>,
    pub outcome: FactExpr,
    /// The outcome as the manifest writes it.
    pub outcome_text: String,
    pub runs: usize,
    /// Keep each run's recording here, as `run-001.jsonl` …
    pub recordings: Option<PathBuf>,
    /// What the recordings' first line says (lesson, parameters…).
    pub meta: ReplayMeta,
}

/// One run done: its number (0-based) and its outcome value (None: the
/// run never produced the fact), or why it failed.
#[derive(Clone, Debug)]
pub struct Done {
    pub index: usize,
    pub outcome: Result<Option<String>, String>,
}

/// Runs going on in the background. Dropping it stops them.
pub struct Batch {
    pub runs: usize,
    pub done: Receiver<Done>,
    /// Dropped to cancel: every worker's `recv` on it then returns.
    cancel: Option<Sender<()>>,
    workers: Vec<JoinHandle<()>>,
}

impl Batch {
    pub fn start(plan: Plan) -> Batch {
        let parallel = thread::available_parallelism().map_or(2, |n| n.get());
        let (done_tx, done) = unbounded();
        let (cancel, cancelled) = unbounded::<()>();
        let next = Arc::new(AtomicUsize::new(0));
        let plan = Arc::new(plan);
        let workers = (0..parallel.min(plan.runs))
            .map(|_| {
                let (plan, next, tx, cancelled) = (
                    plan.clone(),
                    next.clone(),
                    done_tx.clone(),
                    cancelled.clone(),
                );
                thread::spawn(move || work(&plan, &next, &tx, &cancelled))
            })
            .collect();
        Batch {
            runs: plan.runs,
            done,
            cancel: Some(cancel),
            workers,
        }
    }

    /// Stop every run going (each stopped and reaped) and wait for them.
    pub fn stop(&mut self) {
        self.cancel = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A worker: takes the next run number until all are taken or cancelled.
fn work(plan: &Plan, next: &AtomicUsize, done: &Sender<Done>, cancelled: &Receiver<()>) {
    loop {
        let index = next.fetch_add(1, Ordering::SeqCst);
        if index >= plan.runs || is_cancelled(cancelled) {
            return;
        }
        let Some(outcome) = one_run(plan, index, cancelled) else {
            return;
        };
        if done.send(Done { index, outcome }).is_err() {
            return;
        }
    }
}

fn is_cancelled(cancelled: &Receiver<()>) -> bool {
    matches!(
        cancelled.try_recv(),
        Err(crossbeam_channel::TryRecvError::Disconnected)
    )
}

/// Run number `index` to its end; None when cancelled meanwhile.
fn one_run(
    plan: &Plan,
    index: usize,
    cancelled: &Receiver<()>,
) -> Option<Result<Option<String>, String>> {
    let run = match Run::start(&plan.config) {
        Ok(run) => run,
        Err(e) => return Some(Err(e.to_string())),
    };
    let recorder = match recorder(plan, index) {
        Ok(r) => r,
        Err(e) => return Some(Err(e)),
    };
    let events = run.events.clone();
    let mut session = Session::live(run, Vec::new(), recorder);
    loop {
        select! {
            recv(events) -> msg => {
                let Ok(event) = msg else { break };
                if let Err(e) = session.ingest(&event) {
                    return Some(Err(format!("recording: {e}")));
                }
                if matches!(event.body, Body::RunEnd { .. }) {
                    break;
                }
            }
            recv(cancelled) -> _ => {
                let _ = session.stop();
                return None;
            }
        }
    }
    if let Some(rec) = session.recorder.as_mut() {
        if let Err(e) = rec.flush() {
            return Some(Err(format!("recording: {e}")));
        }
    }
    Some(Ok(plan.outcome.value(&facts(&session.model, &plan.watch))))
}

fn recorder(plan: &Plan, index: usize) -> Result<Option<Recorder>, String> {
    let Some(dir) = &plan.recordings else {
        return Ok(None);
    };
    let path = dir.join(format!("run-{:03}.jsonl", index + 1));
    Recorder::with_meta(&path, plan.meta.clone())
        .map(Some)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// `--repeat N --headless`: N real runs of the lesson as it is set, then
/// the histogram of its outcome on stdout: as text, or with `json` one
/// JSON object (naming the lesson and its parameters too). Each run's
/// recording goes to `recordings`, when given. Err: the batch could not
/// be planned (the message says why); Ok(Err): the output failed.
pub fn headless(
    lesson: &LessonSession,
    runs: usize,
    recordings: Option<PathBuf>,
    json: bool,
    signals: &Receiver<i32>,
) -> Result<std::io::Result<Outcome>, String> {
    if let Some(dir) = &recordings {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let plan = plan_for(lesson, runs, recordings)?;
    let outcome = plan.outcome_text.clone();
    let json = json.then(|| {
        let mut extra = serde_json::Map::new();
        extra.insert("lesson".into(), lesson.lesson().slug().into());
        let params = serde_json::to_value(lesson.settings.to_params());
        extra.insert("params".into(), params.unwrap_or_default());
        extra
    });
    Ok(print_when_done(Batch::start(plan), &outcome, json, signals))
}

/// Wait for the batch's runs, then print the histogram of `outcome`: as
/// text, or as one JSON object (with `json`'s fields added). Progress
/// goes to stderr when it is a terminal. A signal stops every run (each
/// reaped). Finished(1) when some run failed.
fn print_when_done(
    mut batch: Batch,
    outcome: &str,
    json: Option<serde_json::Map<String, serde_json::Value>>,
    signals: &Receiver<i32>,
) -> std::io::Result<Outcome> {
    use std::io::{IsTerminal, Write};
    let tty = std::io::stderr().is_terminal();
    let mut histogram = Histogram::new(outcome);
    for seen in 1..=batch.runs {
        select! {
            recv(batch.done) -> msg => {
                let Ok(done) = msg else { break };
                if let Some(why) = tally(&mut histogram, done) {
                    eprintln!("forklore: {why}");
                }
                if tty {
                    eprint!("\rforklore: run {seen} of {} done", batch.runs);
                }
            }
            recv(signals) -> sig => {
                batch.stop();
                return Ok(Outcome::Interrupted(sig.unwrap_or(15)));
            }
        }
    }
    if tty {
        eprintln!();
    }
    let mut out = std::io::stdout().lock();
    match json {
        Some(extra) => writeln!(out, "{}", histogram.to_json(extra))?,
        None => {
            for line in histogram.text(None, 40) {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(Outcome::Finished(i32::from(histogram.failed > 0)))
}

/// Count one run's outcome; for a failed run, what went wrong.
pub fn tally(histogram: &mut Histogram, done: Done) -> Option<String> {
    match done.outcome {
        Ok(value) => {
            histogram.add(value);
            None
        }
        Err(e) => {
            histogram.failed += 1;
            Some(format!("run {}: {e}", done.index + 1))
        }
    }
}

/// The plan for repeating a lesson as it is set now.
pub fn plan_for(
    lesson: &LessonSession,
    runs: usize,
    recordings: Option<PathBuf>,
) -> Result<Plan, String> {
    let l = lesson.lesson();
    let outcome = l.manifest.outcome.as_deref().ok_or_else(|| {
        format!(
            "lesson {} names no outcome to count (`outcome = …` in its lesson.toml)",
            l.slug()
        )
    })?;
    let config = lesson
        .config()?
        .ok_or("running a lesson many times needs a usable Python 3.8+")?;
    let meta = ReplayMeta {
        title: lesson.title(),
        lesson: Some(l.slug().to_string()),
        params: lesson.settings.to_params(),
        source: l.script.clone(),
        cols: 120,
        rows: 35,
    };
    Ok(Plan {
        config,
        watch: l.manifest.watch.clone(),
        outcome: FactExpr::parse(outcome)?,
        outcome_text: outcome.to_string(),
        runs,
        recordings,
        meta,
    })
}
