//! A lesson being shown: which one, with which parameter values and in
//! which language. Knows how to turn that into a run's configuration; the
//! app starts and stops the runs (and their `Session` narrates them).

use std::path::PathBuf;

use super::{Catalog, Lang, Lesson, ScriptDir, Settings};
use crate::protocol::Buffering;
use crate::runtime::RunConfig;

pub struct LessonSession {
    pub catalog: Catalog,
    pub index: usize,
    pub settings: Settings,
    /// The variant last chosen with `v` (None: defaults or edited values).
    pub variant: Option<usize>,
    pub lang: Lang,
    scripts: ScriptDir,
    /// None: no usable Python; lessons are shown from bundled recordings.
    python: Option<PathBuf>,
    /// `--buffering`: every lesson of the session buffers so (None: as
    /// each lesson's manifest says, else as in a terminal).
    pub buffering: Option<Buffering>,
}

impl LessonSession {
    pub fn new(
        catalog: Catalog,
        index: usize,
        settings: Settings,
        lang: Lang,
        python: Option<PathBuf>,
    ) -> std::io::Result<Self> {
        Ok(LessonSession {
            catalog,
            index,
            settings,
            variant: None,
            lang,
            scripts: ScriptDir::new()?,
            python,
            buffering: None,
        })
    }

    pub fn lesson(&self) -> &Lesson {
        &self.catalog.lessons[self.index]
    }

    pub fn title(&self) -> String {
        let l = self.lesson();
        format!("{} · {}", l.slug(), l.manifest.title.get(self.lang))
    }

    /// The run this lesson needs now (None without a usable Python).
    pub fn config(&self) -> Result<Option<RunConfig>, String> {
        let Some(python) = self.python.clone() else {
            return Ok(None);
        };
        let config = config_for(self.lesson(), &self.settings, &self.scripts, python)?;
        Ok(Some(RunConfig {
            buffering: self.buffering.unwrap_or(config.buffering),
            ..config
        }))
    }

    /// Go to lesson `index` (wrapping) with its default values.
    pub fn select(&mut self, index: usize) {
        let n = self.catalog.lessons.len().max(1);
        self.index = index % n;
        self.settings = self.lesson().defaults();
        self.variant = None;
    }

    pub fn step_lesson(&mut self, forward: bool) {
        let n = self.catalog.lessons.len();
        self.select(if forward {
            self.index + 1
        } else {
            self.index + n - 1
        });
    }

    /// The chosen variant also explores every order of itself.
    pub fn variant_explores(&self) -> bool {
        let variants = &self.lesson().manifest.variants;
        self.variant
            .and_then(|i| variants.get(i))
            .is_some_and(|v| v.explore)
    }

    /// The schedule the chosen variant replays ("show me the race"), if any.
    pub fn variant_schedule(&self) -> Result<Option<crate::schedule::Schedule>, String> {
        let lesson = self.lesson();
        let named = self
            .variant
            .and_then(|i| lesson.manifest.variants.get(i))
            .and_then(|v| v.schedule.as_deref());
        named.map(|name| lesson.schedule(name)).transpose()
    }

    /// The next variant (after the last: back to the defaults). Returns its
    /// name, or None when the lesson has no variants.
    pub fn next_variant(&mut self) -> Option<String> {
        let count = self.lesson().manifest.variants.len();
        if count == 0 {
            return None;
        }
        let next = match self.variant {
            Some(i) if i + 1 < count => Some(i + 1),
            Some(_) => None,
            None => Some(0),
        };
        self.variant = next;
        self.settings = match next {
            Some(i) => self.lesson().variant(i).unwrap_or_default(),
            None => self.lesson().defaults(),
        };
        Some(match next {
            Some(i) => self.lesson().manifest.variants[i]
                .name
                .get(self.lang)
                .to_string(),
            None => "defaults".into(),
        })
    }
}

/// How a lesson runs: its script, its parameters as flags, and its
/// manifest's start method, watched globals, lines, slow motion and
/// buffering.
pub fn config_for(
    lesson: &Lesson,
    settings: &Settings,
    scripts: &ScriptDir,
    python: PathBuf,
) -> Result<RunConfig, String> {
    let script = scripts
        .script_path(lesson)
        .map_err(|e| format!("cannot write the lesson's script: {e}"))?;
    Ok(RunConfig {
        python,
        script,
        args: settings.script_args(),
        start_method: lesson.manifest.start_method.clone(),
        watch: lesson.manifest.watch.clone(),
        lines: lesson.manifest.lines,
        slow: lesson.manifest.slow.unwrap_or(1.0),
        cwd: None,
        max_procs: crate::runtime::DEFAULT_MAX_PROCS,
        step: None,
        buffering: lesson.manifest.buffering.unwrap_or_default(),
    })
}
