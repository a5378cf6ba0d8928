//! Schedules a lesson bundles: every `*.schedule` file of its folder is a
//! named schedule (the file's stem), e.g. `lessons/05-manager-dict/
//! race.schedule` is `race`: `forklore lesson manager-dict --schedule race`.
//! Kept as text and parsed when asked for, so an error names the file and
//! the line, and one broken file does not keep the other lessons from
//! loading.

use std::path::Path;

use include_dir::Dir;

use super::Lesson;
use crate::schedule::Schedule;

/// One schedule file of a lesson's folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundledSchedule {
    /// The file's stem: the name `--schedule` takes.
    pub name: String,
    /// Where it came from, for messages: `lessons/05-manager-dict/race.schedule`.
    pub origin: String,
    pub text: String,
}

impl BundledSchedule {
    pub fn parse(&self) -> Result<Schedule, String> {
        Schedule::parse(&self.text, &self.origin)
    }
}

/// The name a file in a lesson's folder gives a schedule, if it is one.
fn schedule_name(file_name: &str) -> Option<&str> {
    file_name
        .strip_suffix(".schedule")
        .filter(|stem| !stem.is_empty() && !stem.starts_with('.'))
}

/// The schedules of an embedded lesson folder, by name.
pub(super) fn embedded(dir: &Dir<'_>, folder: &str) -> Vec<BundledSchedule> {
    let mut found: Vec<BundledSchedule> = dir
        .files()
        .filter_map(|f| {
            let file_name = f.path().file_name()?.to_str()?;
            let name = schedule_name(file_name)?;
            Some(BundledSchedule {
                name: name.to_string(),
                origin: format!("lessons/{folder}/{file_name}"),
                text: f.contents_utf8()?.to_string(),
            })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The schedules of a lesson folder on disk (`--lessons DIR`), by name.
pub(super) fn on_disk(dir: &Path) -> Result<Vec<BundledSchedule>, String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut found = Vec::new();
    for path in entries.flatten().map(|e| e.path()) {
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(schedule_name)
        else {
            continue;
        };
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read the schedule {}: {e}", path.display()))?;
        found.push(BundledSchedule {
            name: name.to_string(),
            origin: path.display().to_string(),
            text,
        });
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

impl Lesson {
    /// The names of the schedules this lesson bundles, sorted.
    pub fn schedule_names(&self) -> Vec<&str> {
        self.schedules.iter().map(|s| s.name.as_str()).collect()
    }

    /// `--schedule NAME|FILE` for this lesson: a schedule it bundles by
    /// that name, else the file at that path; otherwise an error that
    /// lists the lesson's schedules. Errors in a schedule's text name its
    /// file and line.
    pub fn schedule(&self, name_or_path: &str) -> Result<Schedule, String> {
        if let Some(bundled) = self.schedules.iter().find(|s| s.name == name_or_path) {
            return bundled.parse();
        }
        let path = Path::new(name_or_path);
        if path.exists() {
            return Schedule::load(path);
        }
        let names = self.schedule_names();
        let listed = if names.is_empty() {
            "it bundles none".to_string()
        } else {
            format!("its schedules: {}", names.join(", "))
        };
        Err(format!(
            "lesson {} has no schedule `{name_or_path}` and there is no such file; {listed}",
            self.slug()
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Catalog;

    const TOML: &str = "slug = \"tiny\"\ntitle = { en = \"Tiny\", zh = \"小\" }\n\
                        summary = { en = \"A tiny lesson\", zh = \"一个小课\" }\n";

    /// A lessons folder with one lesson holding `files` (name, text).
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("01-tiny");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("lesson.toml"), TOML).unwrap();
        std::fs::write(dir.join("main.py"), "print('hi')\n").unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        root
    }

    #[test]
    fn every_schedule_file_of_a_folder_is_named_by_its_stem() {
        let root = folder(&[
            ("race.schedule", "MainProcess start Process-1\n"),
            ("calm.schedule", "# nothing\n"),
            ("notes.txt", "not a schedule"),
        ]);
        let catalog = Catalog::from_dir(root.path()).unwrap();
        let lesson = catalog.find("tiny").unwrap();
        assert_eq!(lesson.schedule_names(), ["calm", "race"]);
        let race = lesson.schedule("race").unwrap();
        assert_eq!(race.steps.len(), 1);
        assert_eq!(race.steps[0].obj.as_deref(), Some("Process-1"));
    }

    #[test]
    fn a_bundled_name_wins_then_a_path_then_an_error_listing_the_names() {
        // Tests run in the crate's folder, where `Cargo.toml` is a file:
        // the bundled schedule of that name is taken, not the file.
        let root = folder(&[
            ("race.schedule", "Process-1 read 'count'\n"),
            ("Cargo.toml.schedule", "Process-1 read 'count'\n"),
        ]);
        let catalog = Catalog::from_dir(root.path()).unwrap();
        let lesson = catalog.find("tiny").unwrap();
        assert!(Path::new("Cargo.toml").is_file());
        assert_eq!(lesson.schedule("Cargo.toml").unwrap().steps.len(), 1);
        let other = root.path().join("other.schedule");
        std::fs::write(&other, "A x\nB y\n").unwrap();
        assert_eq!(
            lesson
                .schedule(other.to_str().unwrap())
                .unwrap()
                .steps
                .len(),
            2
        );
        let err = lesson.schedule("nosuch").unwrap_err();
        assert!(
            err.contains("no schedule `nosuch`") && err.contains("its schedules: Cargo.toml, race"),
            "{err}"
        );
        let bare = folder(&[]);
        let catalog = Catalog::from_dir(bare.path()).unwrap();
        let err = catalog.find("tiny").unwrap().schedule("race").unwrap_err();
        assert!(err.contains("it bundles none"), "{err}");
    }

    #[test]
    fn a_bundled_schedule_that_does_not_parse_names_its_file_and_line() {
        let root = folder(&[("race.schedule", "# ok\nProcess-1 read\nProcess-2\n")]);
        // The other lessons and this one still load.
        let catalog = Catalog::from_dir(root.path()).unwrap();
        let err = catalog.find("tiny").unwrap().schedule("race").unwrap_err();
        let file = root.path().join("01-tiny/race.schedule");
        assert!(err.starts_with(&format!("{}:3:", file.display())), "{err}");
    }

    #[test]
    fn the_embedded_lessons_bundled_schedules_all_parse() {
        let catalog = Catalog::embedded().unwrap();
        for lesson in &catalog.lessons {
            for s in &lesson.schedules {
                assert!(s.origin.starts_with(&format!("lessons/{}/", lesson.folder)));
                let parsed = s.parse().unwrap_or_else(|e| panic!("{e}"));
                assert!(!parsed.steps.is_empty(), "{}: no steps", s.origin);
            }
        }
        for slug in [
            "lock-vs-garbled",
            "semaphore-producer-consumer",
            "manager-dict",
        ] {
            let lesson = catalog.find(slug).unwrap();
            assert_eq!(lesson.schedule_names(), ["race"], "{slug}");
        }
    }
}
