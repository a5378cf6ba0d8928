//! A live run that deadlocks by itself: once every process has waited
//! for another for `DEADLOCK_SETTLE` with no event arriving, the screen
//! says so (the header, and the wait-for graph in the status bar) and the
//! run is left as it is, for inspection: q or r end it. The same timer
//! looks again at a schedule being replayed once the run is quiet (it may
//! be stuck: Scheduler::when_quiet).

use std::time::Instant;

use super::App;
use crate::model::DEADLOCK_SETTLE;
use crate::session::QUIET;

impl App {
    /// After events: a run that looks deadlocked is looked at again once
    /// nothing more has arrived for a while; one that moves is not.
    pub(super) fn watch_deadlock(&mut self) {
        if self.ui.deadlock.take().is_some() {
            self.ui.message = None; // it moved after all
        }
        let now = Instant::now();
        // A schedule being replayed is looked at once the run is quiet too
        // (it may be stuck: see Scheduler::when_quiet).
        let replaying = self.session.scheduler.is_replaying();
        self.deadlock_at = match self.session.model.deadlock() {
            Some(_) => Some(now + DEADLOCK_SETTLE),
            None => replaying.then_some(now + QUIET),
        };
    }

    pub(super) fn deadlock_due(&mut self) {
        self.deadlock_at = None;
        if self.session.schedule_when_quiet().is_ok() {
            self.after_steps();
        }
        if let Some(stuck) = self.session.model.deadlock() {
            let graph: Vec<String> = stuck.iter().map(|s| s.describe()).collect();
            self.ui.message = Some(format!("deadlock: {}", graph.join(" · ")));
            self.ui.deadlock = Some(graph);
        }
    }
}
