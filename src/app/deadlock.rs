//! A live run that deadlocks by itself: once every process has waited
//! for another for `DEADLOCK_SETTLE` with no event arriving, the screen
//! says so (the header, and the wait-for graph in the status bar) and the
//! run is left as it is, for inspection: q or r end it.

use std::time::Instant;

use super::App;
use crate::model::DEADLOCK_SETTLE;

impl App {
    /// After events: a run that looks deadlocked is looked at again once
    /// nothing more has arrived for a while; one that moves is not.
    pub(super) fn watch_deadlock(&mut self) {
        if self.ui.deadlock.take().is_some() {
            self.ui.message = None; // it moved after all
        }
        self.deadlock_at = self
            .session
            .model
            .deadlock()
            .map(|_| Instant::now() + DEADLOCK_SETTLE);
    }

    pub(super) fn deadlock_due(&mut self) {
        self.deadlock_at = None;
        if let Some(stuck) = self.session.model.deadlock() {
            let graph: Vec<String> = stuck.iter().map(|s| s.describe()).collect();
            self.ui.message = Some(format!("deadlock: {}", graph.join(" · ")));
            self.ui.deadlock = Some(graph);
        }
    }
}
