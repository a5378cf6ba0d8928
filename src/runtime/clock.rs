//! The run's clock: how long forklore has held the run.
//!
//! While forklore holds a run — its processes stopped (space, a narration
//! beat, a question) or, in step mode, waiting for a choice —
//! the wall clock runs on, and a program that sleeps or waits with a
//! timeout would find its time up when it goes on. So the program measures
//! **run time**: CLOCK_MONOTONIC minus the time the run was held. This is
//! the bookkeeping (pure: every moment is given); the run's control file
//! (`control.rs`) carries it to the processes, and the shim's `clock.py`
//! reads it there.

/// Why forklore holds a run. Holds may overlap (a pause in step mode);
/// the run's time stands still while any is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// Every process is stopped (SIGSTOP): space, a beat, a question.
    Paused,
    /// Step mode waits for a choice (the learner's, a schedule's, the
    /// explorer's): see `Scheduler::waits_for_choice`.
    Choice,
}

/// How long a run has been held, in CLOCK_MONOTONIC nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunClock {
    paused: bool,
    choice: bool,
    /// The time of the holds that have ended.
    total: u64,
    /// When the hold going on began.
    since: Option<u64>,
}

impl RunClock {
    /// Hold the run for `why` (`on`), or stop holding it for that reason,
    /// at `now`. True when the run's time starts or stops standing still
    /// (what the processes read must change).
    pub fn set(&mut self, why: Hold, on: bool, now: u64) -> bool {
        let was = self.is_held();
        match why {
            Hold::Paused => self.paused = on,
            Hold::Choice => self.choice = on,
        }
        match (was, self.is_held()) {
            (false, true) => {
                // 0 means "running" in the control file.
                self.since = Some(now.max(1));
                true
            }
            (true, false) => {
                let since = self.since.take().unwrap_or(now);
                self.total += now.saturating_sub(since);
                true
            }
            _ => false,
        }
    }

    pub fn is_held(&self) -> bool {
        self.paused || self.choice
    }

    /// The time of the holds that have ended.
    pub fn frozen_total(&self) -> u64 {
        self.total
    }

    /// When the hold going on began; 0 while the run runs.
    pub fn frozen_since(&self) -> u64 {
        self.since.unwrap_or(0)
    }

    /// The run's time at `now`: what the program's `time.monotonic_ns()`
    /// says (it stands still while the run is held).
    pub fn run_time(&self, now: u64) -> u64 {
        self.since
            .unwrap_or(now)
            .min(now)
            .saturating_sub(self.total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_time_is_the_monotonic_clock_until_the_first_hold() {
        let clock = RunClock::default();
        assert_eq!(clock.run_time(5_000), 5_000);
        assert_eq!((clock.frozen_total(), clock.frozen_since()), (0, 0));
    }

    #[test]
    fn a_pause_stands_the_run_time_still_and_resuming_goes_on_from_there() {
        let mut clock = RunClock::default();
        assert!(clock.set(Hold::Paused, true, 1_000));
        assert_eq!(clock.frozen_since(), 1_000);
        assert_eq!(clock.run_time(1_000), 1_000);
        assert_eq!(clock.run_time(9_000), 1_000, "still while held");
        assert!(clock.set(Hold::Paused, false, 4_000));
        assert_eq!((clock.frozen_total(), clock.frozen_since()), (3_000, 0));
        assert_eq!(clock.run_time(4_000), 1_000, "no jump on resuming");
        assert_eq!(clock.run_time(4_500), 1_500);
    }

    #[test]
    fn holds_add_up_and_overlapping_holds_count_once() {
        let mut clock = RunClock::default();
        clock.set(Hold::Paused, true, 100);
        clock.set(Hold::Paused, false, 300); // 200 held
        assert!(clock.set(Hold::Choice, true, 1_000));
        // A pause while waiting for a choice: held already, unchanged.
        assert!(!clock.set(Hold::Paused, true, 1_500));
        assert!(!clock.set(Hold::Choice, false, 2_000), "still paused");
        assert!(clock.is_held());
        assert!(clock.set(Hold::Paused, false, 2_500)); // 1_500 held
        assert_eq!(clock.frozen_total(), 1_700);
        assert_eq!(clock.run_time(3_000), 1_300);
    }

    #[test]
    fn saying_the_same_twice_changes_nothing() {
        let mut clock = RunClock::default();
        assert!(!clock.set(Hold::Choice, false, 10));
        assert!(clock.set(Hold::Choice, true, 20));
        assert!(!clock.set(Hold::Choice, true, 30), "the hold began at 20");
        assert_eq!(clock.frozen_since(), 20);
        clock.set(Hold::Choice, false, 50);
        assert_eq!(clock.frozen_total(), 30);
    }

    #[test]
    fn a_clock_that_went_back_never_makes_time_negative() {
        let mut clock = RunClock::default();
        clock.set(Hold::Paused, true, 500);
        clock.set(Hold::Paused, false, 400);
        assert_eq!(clock.frozen_total(), 0);
        assert_eq!(clock.run_time(0), 0);
    }
}
