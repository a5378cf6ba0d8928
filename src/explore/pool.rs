//! The search on real processes, several runs at once: the search hands
//! out schedule prefixes, workers run them (`driver`), their traces come
//! back to the search and their outcomes to the report. With one job the
//! search is exactly depth-first; with more, the next prefixes are handed
//! out before the running ones report (sleep sets count them as tried).

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crossbeam_channel::{select, unbounded, Receiver, Sender};

use super::driver::{run_one, Ran};
use super::{Plan, Report, Search};
use crate::runtime::RunConfig;

#[derive(Clone, Debug)]
pub struct Options {
    pub config: RunConfig,
    pub max_schedules: usize,
    pub jobs: usize,
    /// Partial-order reduction on (off: every order, for comparison).
    pub reduce: bool,
    /// Progress on stderr.
    pub progress: bool,
    /// A lesson's outcome: one of its facts instead of the whole stdout.
    pub narrow: Option<Narrow>,
    /// Told (schedules run, outcomes found) after each run (the screen).
    pub on_progress: Option<Sender<(usize, usize)>>,
}

/// An outcome narrowed to one fact of the run (a lesson's `outcome`, e.g.
/// `lost_updates`): runs with the same value are one outcome.
#[derive(Clone, Debug)]
pub struct Narrow {
    pub fact: String,
    /// The lesson's watched globals (some facts are about them).
    pub watch: Vec<String>,
}

/// How the exploration ended.
#[derive(Debug)]
pub enum Ended {
    Done(Report),
    /// A signal arrived: every run was stopped. What was found so far.
    Interrupted(i32, Report),
}

pub fn explore(opts: &Options, signals: &Receiver<i32>) -> Result<Ended, String> {
    let jobs = opts.jobs.max(1);
    let stop = AtomicBool::new(false);
    let (plan_tx, plan_rx) = unbounded::<Plan>();
    let (done_tx, done_rx) = unbounded::<(Plan, Result<Ran, String>)>();
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            let (plans, done, stop) = (plan_rx.clone(), done_tx.clone(), &stop);
            let (config, narrow) = (&opts.config, opts.narrow.as_ref());
            s.spawn(move || {
                for plan in plans.iter() {
                    let ran = run_one(config, narrow, plan.clone(), stop);
                    if done.send((plan, ran)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut search = Search::new(opts.reduce);
        let mut report = Report::default();
        let mut running = 0;
        let mut handed = 0;
        let mut failure = None;
        let mut signal = None;
        loop {
            while failure.is_none()
                && signal.is_none()
                && running < jobs
                && handed < opts.max_schedules
            {
                let Some(plan) = search.next_plan() else {
                    break;
                };
                handed += 1;
                running += 1;
                let _ = plan_tx.send(plan);
            }
            if running == 0 {
                break;
            }
            select! {
                recv(done_rx) -> msg => {
                    let Ok((plan, ran)) = msg else { break };
                    running -= 1;
                    match ran {
                        Ok(ran) => take(&mut search, &mut report, &plan, ran),
                        Err(e) if signal.is_none() => {
                            stop.store(true, Ordering::Relaxed);
                            failure.get_or_insert(e);
                        }
                        Err(_) => {}
                    }
                    if opts.progress {
                        progress(&report, started);
                    }
                    if let Some(tx) = &opts.on_progress {
                        let _ = tx.send((report.schedules, report.groups.len()));
                    }
                }
                recv(signals) -> sig => {
                    stop.store(true, Ordering::Relaxed);
                    signal = Some(sig.unwrap_or(15));
                }
            }
        }
        drop(plan_tx);
        if opts.progress && std::io::stderr().is_terminal() {
            eprint!("\r\x1b[K");
        }
        report.complete =
            running == 0 && search.exhausted() && failure.is_none() && signal.is_none();
        report.diverged += search.nondeterministic;
        report.seconds = started.elapsed().as_secs_f64();
        if let Some(sig) = signal {
            return Ok(Ended::Interrupted(sig, report));
        }
        match failure {
            Some(e) => Err(e),
            None => Ok(Ended::Done(report)),
        }
    })
}

fn take(search: &mut Search, report: &mut Report, plan: &Plan, ran: Ran) {
    let sleeps: &[_] = if ran.walker.diverged.is_some() {
        report.diverged += 1;
        &[]
    } else {
        &ran.walker.sleeps
    };
    search.record(plan, &ran.trace, sleeps);
    report.pids.extend(&ran.pids);
    let moves = ran.trace.iter().map(|s| s.taken().clone()).collect();
    report.add(ran.outcome, moves);
}

fn progress(report: &Report, started: Instant) {
    let mut err = std::io::stderr();
    if !err.is_terminal() {
        return;
    }
    let _ = write!(
        err,
        "\r\x1b[Kexploring: {} schedules run, {} outcomes, {:.1} s",
        report.schedules,
        report.groups.len(),
        started.elapsed().as_secs_f64()
    );
    let _ = err.flush();
}
