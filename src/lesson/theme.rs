//! The picker's groups of lessons (a manifest's `theme`).

use serde::Deserialize;

use super::manifest::Text;

/// The picker's groups, in the order it lists them.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Processes,
    Sharing,
    Sync,
    Pools,
}

impl Theme {
    pub fn title(self) -> Text {
        let (en, zh) = match self {
            Theme::Processes => ("Processes", "进程"),
            Theme::Sharing => ("Sharing data", "共享数据"),
            Theme::Sync => ("Synchronisation", "同步"),
            Theme::Pools => ("Pools", "进程池"),
        };
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }
}
