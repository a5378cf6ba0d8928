//! The two languages of the narration, and a text in both.

use serde::Deserialize;

/// English and Chinese versions of a text.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Text {
    pub en: String,
    #[serde(default)]
    pub zh: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh if !self.zh.is_empty() => &self.zh,
            _ => &self.en,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// Chinese when the locale says so (LANG / LC_ALL starting with "zh").
    pub fn from_env() -> Lang {
        let zh = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .is_some_and(|v| v.starts_with("zh"));
        if zh {
            Lang::Zh
        } else {
            Lang::En
        }
    }

    pub fn toggled(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }
}
