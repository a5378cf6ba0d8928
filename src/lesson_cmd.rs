//! `forklore lesson SLUG`: one lesson, on the screen or headless, once
//! or many times (`--repeat`), from a real run or its bundled recording;
//! stepped (`--step`) or replaying a schedule (`--schedule race`).

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use crossbeam_channel::Receiver;

use forklore::app::{Start, TuiOptions};
use forklore::explore::Narrow;
use forklore::lesson::{Lesson, LessonSession};
use forklore::repeat;
use forklore::schedule::Schedule;

use crate::cli::LessonArgs;
use crate::explore_cmd::search_and_report;
use crate::{
    catalog, headless_run, lang, outcome_status, playback, python_or_fallback, recorder, screen,
    stepping, teaching,
};

pub(crate) fn run_lesson(
    args: &LessonArgs,
    dir: Option<&Path>,
    signals: &Receiver<i32>,
) -> Result<ExitCode, String> {
    let catalog = catalog(dir)?;
    let index = catalog
        .index_of(&args.slug)
        .ok_or_else(|| catalog.find(&args.slug).unwrap_err())?;
    let settings = catalog.lessons[index].settings_from(&args.set)?;
    let schedule = schedule(&catalog.lessons[index], args)?;
    if let Some(secs) = args.autoplay.filter(|s| !(*s >= 0.0 && s.is_finite())) {
        return Err(format!(
            "--autoplay must be a number of seconds, not {secs}"
        ));
    }
    let python = python_or_fallback(args.python.as_deref(), signals)?;
    let mut session =
        LessonSession::new(catalog, index, settings, lang(args.lang.as_deref()), python)
            .map_err(|e| format!("cannot create a folder for lesson scripts: {e}"))?;
    session.buffering = args.buffering;
    if let (Some(runs), true) = (args.repeat, args.headless) {
        let recordings = args.recordings.clone();
        let done = repeat::headless(&session, runs as usize, recordings, args.json, signals)?;
        return outcome_status(done);
    }
    let Some(config) = session.config()? else {
        return lesson_without_python(args, session, signals);
    };
    if args.explore && args.headless {
        // Grouped by the lesson's own outcome (its `outcome` fact), if any.
        let manifest = &session.lesson().manifest;
        let narrow = manifest.outcome.clone().map(|fact| Narrow {
            fact,
            watch: manifest.watch.clone(),
        });
        return search_and_report(config, &args.search, narrow, signals);
    }
    let title = session.title();
    let lesson = Some((args.slug.as_str(), &session.settings));
    let rec = recorder(args.record.as_deref(), &config.script, &title, lesson)?;
    if args.headless {
        let (config, scheduler) = stepping(config, &args.steps, schedule, true)?;
        return headless_run(&config, rec, scheduler, signals);
    }
    let autoplay = args.autoplay.map(Duration::from_secs_f64);
    let opts = TuiOptions {
        title,
        theme: args.theme,
        recorder: rec,
        autoplay,
        repeat: args.repeat.map(|n| n as usize),
        step: args.steps.step,
        schedule,
        explore: args.explore,
        search: crate::explore_cmd::screen_search(&args.search),
        ..teaching(&args.teach)
    };
    let start = Start::Lesson {
        session: Box::new(session),
        picker: false,
    };
    screen(start, opts, signals)
}

/// The schedule `--schedule NAME|FILE` asks for (a name the lesson
/// bundles, or a file), checked with the flags it cannot go with before
/// anything starts.
fn schedule(lesson: &Lesson, args: &LessonArgs) -> Result<Option<Schedule>, String> {
    let steps = &args.steps;
    if steps.step && args.headless {
        return Err(
            "--step needs the screen (you choose who moves); headless, replay a schedule \
             with --schedule NAME|FILE"
                .into(),
        );
    }
    if steps.schedule.is_some() && args.repeat.is_some() {
        return Err(
            "--schedule replays one run in the order it lists, and --repeat runs the lesson \
             freely many times: use one or the other"
                .into(),
        );
    }
    steps
        .schedule
        .as_deref()
        .map(|name| lesson.schedule(name))
        .transpose()
}

/// A lesson's bundled recording stands in for the run.
fn lesson_without_python(
    args: &LessonArgs,
    session: LessonSession,
    signals: &Receiver<i32>,
) -> Result<ExitCode, String> {
    if args.steps.step || args.steps.schedule.is_some() {
        return Err(
            "--step and --schedule move real processes and need a usable Python 3.8+; \
             without one, lessons show their recorded runs"
                .into(),
        );
    }
    if args.headless {
        let events = forklore::lesson::bundled_recording(&args.slug)
            .ok_or_else(|| format!("no usable Python, and no recording of {}", args.slug))?;
        return playback::print_events(&events);
    }
    let opts = TuiOptions {
        title: session.title(),
        theme: args.theme,
        ..teaching(&args.teach)
    };
    screen(
        Start::Lesson {
            session: Box::new(session),
            picker: false,
        },
        opts,
        signals,
    )
}
