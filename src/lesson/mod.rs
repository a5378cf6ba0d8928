//! Lessons: a plain Python script plus a manifest (`lesson.toml`) with its
//! parameters, variants and narration. Embedded in the binary; `--lessons
//! DIR` loads another folder. See docs/lessons.md.

pub mod facts;
pub mod manifest;
pub mod narration;
pub mod session;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{include_dir, Dir};

pub use manifest::{Lang, Manifest, ManifestError, Param, ParamType};
pub use narration::Narration;
pub use session::LessonSession;

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/lessons");

/// One lesson: where it lives, its manifest and its script's text.
#[derive(Clone, Debug)]
pub struct Lesson {
    /// Folder name, e.g. `02-chunked-map`.
    pub folder: String,
    pub manifest: Manifest,
    pub script: String,
}

impl Lesson {
    pub fn slug(&self) -> &str {
        &self.manifest.slug
    }

    /// Default values of every parameter.
    pub fn defaults(&self) -> Settings {
        Settings(
            self.manifest
                .params
                .iter()
                .map(|p| (p.name.clone(), p.default.clone()))
                .collect(),
        )
    }

    pub fn param(&self, name: &str) -> Option<&Param> {
        self.manifest.params.iter().find(|p| p.name == name)
    }

    /// Apply `NAME=VALUE` overrides, each checked; the error lists what is valid.
    pub fn settings_from(&self, sets: &[String]) -> Result<Settings, String> {
        let mut settings = self.defaults();
        for set in sets {
            let (name, raw) = set
                .split_once('=')
                .ok_or_else(|| format!("--set {set}: expected NAME=VALUE"))?;
            self.set(&mut settings, name.trim(), raw)?;
        }
        Ok(settings)
    }

    pub fn set(&self, settings: &mut Settings, name: &str, raw: &str) -> Result<(), String> {
        let param = self.param(name).ok_or_else(|| {
            let names: Vec<String> = self
                .manifest
                .params
                .iter()
                .map(|p| format!("{} ({})", p.name, p.range_text()))
                .collect();
            format!(
                "lesson {} has no parameter `{name}`; its parameters: {}",
                self.slug(),
                names.join(", ")
            )
        })?;
        let value = param.parse_value(raw).map_err(|e| format!("{name}: {e}"))?;
        settings.0.insert(name.to_string(), value);
        Ok(())
    }

    /// Settings of variant `index` (defaults plus the variant's values).
    pub fn variant(&self, index: usize) -> Option<Settings> {
        let v = self.manifest.variants.get(index)?;
        let mut s = self.defaults();
        s.0.extend(v.set.clone());
        Some(s)
    }
}

/// Parameter values of one run, by name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings(pub BTreeMap<String, toml::Value>);

impl Settings {
    /// The script's command line: `--NAME VALUE` per parameter.
    pub fn script_args(&self) -> Vec<String> {
        self.0
            .iter()
            .flat_map(|(k, v)| [format!("--{k}"), manifest::value_text(v)])
            .collect()
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.0.get(name).map(manifest::value_text)
    }
}

/// Every lesson of a folder, in folder order.
#[derive(Clone, Debug, Default)]
pub struct Catalog {
    pub lessons: Vec<Lesson>,
}

impl Catalog {
    /// The lessons built into forklore.
    pub fn embedded() -> Result<Catalog, ManifestError> {
        let mut lessons = Vec::new();
        let mut dirs: Vec<&Dir<'_>> = EMBEDDED.dirs().collect();
        dirs.sort_by_key(|d| d.path().to_path_buf());
        for dir in dirs {
            let folder = dir.path().to_string_lossy().into_owned();
            let text = |name: &str| {
                dir.get_file(dir.path().join(name))
                    .and_then(|f| f.contents_utf8())
                    .map(str::to_string)
            };
            let (Some(toml), Some(script)) = (text("lesson.toml"), text("main.py")) else {
                continue;
            };
            let manifest = manifest::parse(&format!("lessons/{folder}/lesson.toml"), &toml)?;
            lessons.push(Lesson {
                folder,
                manifest,
                script,
            });
        }
        Ok(Catalog { lessons })
    }

    /// Lessons from a folder on disk (`--lessons DIR`).
    pub fn from_dir(root: &Path) -> Result<Catalog, String> {
        let entries = std::fs::read_dir(root)
            .map_err(|e| format!("cannot read lessons folder {}: {e}", root.display()))?;
        let mut folders: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        let mut lessons = Vec::new();
        for dir in folders {
            let toml_path = dir.join("lesson.toml");
            let Ok(toml) = std::fs::read_to_string(&toml_path) else {
                continue;
            };
            let script = std::fs::read_to_string(dir.join("main.py"))
                .map_err(|e| format!("{}: {e}", dir.join("main.py").display()))?;
            let manifest = manifest::parse(&toml_path.display().to_string(), &toml)
                .map_err(|e| e.to_string())?;
            let folder = dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            lessons.push(Lesson {
                folder,
                manifest,
                script,
            });
        }
        if lessons.is_empty() {
            return Err(format!(
                "no lessons (folders with lesson.toml and main.py) in {}",
                root.display()
            ));
        }
        Ok(Catalog { lessons })
    }

    pub fn find(&self, slug: &str) -> Result<&Lesson, String> {
        self.lessons
            .iter()
            .find(|l| l.slug() == slug)
            .ok_or_else(|| {
                let slugs: Vec<&str> = self.lessons.iter().map(|l| l.slug()).collect();
                format!("no lesson `{slug}`; lessons: {}", slugs.join(", "))
            })
    }

    pub fn index_of(&self, slug: &str) -> Option<usize> {
        self.lessons.iter().position(|l| l.slug() == slug)
    }
}

/// Lesson scripts written to disk so python can run them (embedded lessons
/// live only in the binary). Removed when dropped.
pub struct ScriptDir {
    dir: tempfile::TempDir,
}

impl ScriptDir {
    pub fn new() -> std::io::Result<Self> {
        Ok(ScriptDir {
            dir: tempfile::Builder::new()
                .prefix("forklore-lessons-")
                .tempdir()?,
        })
    }

    /// Write the lesson's script (once) and return its path.
    pub fn script_path(&self, lesson: &Lesson) -> std::io::Result<PathBuf> {
        let folder = self.dir.path().join(&lesson.folder);
        let path = folder.join("main.py");
        if !path.exists() {
            std::fs::create_dir_all(&folder)?;
            std::fs::write(&path, &lesson.script)?;
        }
        Ok(path)
    }
}
