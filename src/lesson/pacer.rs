//! Who sets the pace of a lesson's run. Beat by beat, the run holds at
//! each narration beat until the teacher goes on (→ or Space); at a free
//! pace it only holds where a question is asked. Pure: it says whether to
//! hold or release the run ([`Go`]); the app stops and continues the
//! processes (SIGSTOP / SIGCONT of the group).
//!
//! The narration may run ahead of the pacer (several beats reached in one
//! burst of events before the processes stopped): the pacer shows one beat
//! after the other, and releases the run only once it has shown them all.

use super::predict::Quiz;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Pace {
    /// Hold at every beat until the teacher goes on.
    #[default]
    Beats,
    /// Run on; hold only where a question is asked.
    Free,
}

/// What to do with the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Go {
    /// Stop it (if it runs): a beat or a question waits for the class.
    Hold,
    /// Let it go on.
    Release,
    /// Leave it as it is.
    Stay,
}

#[derive(Clone, Debug)]
pub struct Pacer {
    pub pace: Pace,
    /// Holds go on by themselves after a while (`--autoplay`), so the
    /// screen says so instead of "waiting for →".
    pub auto: bool,
    beats: usize,
    /// The beat the run is at on screen (1-based; 0 before the first).
    shown: usize,
    held: bool,
    /// How many beats back ← has gone (0: the current one).
    back: usize,
    asking: Option<usize>,
}

impl Pacer {
    pub fn new(pace: Pace, beats: usize) -> Self {
        Pacer {
            pace,
            auto: false,
            beats,
            shown: 0,
            held: false,
            back: 0,
            asking: None,
        }
    }

    /// The beat the run is at (0 before the first was shown).
    pub fn current(&self) -> usize {
        self.shown
    }

    /// The beat on screen: the current one, or an earlier one after ←.
    pub fn shown(&self) -> usize {
        self.shown - self.back
    }

    pub fn is_held(&self) -> bool {
        self.held
    }

    pub fn is_looking_back(&self) -> bool {
        self.back > 0
    }

    /// The question waiting for an answer.
    pub fn asking(&self) -> Option<usize> {
        self.asking
    }

    /// The narration has reached `reached` beats.
    pub fn reached(&mut self, reached: usize, quiz: &Quiz) -> Go {
        if self.held || reached <= self.shown {
            return Go::Stay;
        }
        let next = match self.pace {
            Pace::Beats => self.shown + 1,
            // Run on to the newest beat, unless a question comes first.
            Pace::Free => (self.shown + 1..=reached)
                .find(|b| quiz.open_at(*b).is_some())
                .unwrap_or(reached),
        };
        self.shown = next;
        self.back = 0;
        self.asking = quiz.open_at(next);
        // After the last beat there is nothing left to wait for.
        let beat_hold = self.pace == Pace::Beats && next < self.beats;
        if self.asking.is_some() || beat_hold {
            self.held = true;
            return Go::Hold;
        }
        Go::Stay
    }

    /// → (or Space while held): back towards the current beat if ← went
    /// back; else on, past an unanswered question.
    pub fn next(&mut self, reached: usize, quiz: &mut Quiz) -> Go {
        if self.back > 0 {
            self.back -= 1;
            return Go::Stay;
        }
        if !self.held {
            return Go::Stay;
        }
        if let Some(q) = self.asking.take() {
            quiz.skip(q);
        }
        self.go_on(reached, quiz)
    }

    /// ←: the previous beat's text again (the run stays as it is).
    pub fn back(&mut self) {
        if self.shown() > 1 {
            self.back += 1;
        }
    }

    /// Choice `n` (1-based) for the question asked now; the run goes on.
    pub fn answer(&mut self, n: usize, reached: usize, quiz: &mut Quiz) -> Result<Go, String> {
        let q = self.asking.ok_or("there is no question to answer now")?;
        quiz.answer(q, n)?;
        self.asking = None;
        self.back = 0;
        Ok(self.go_on(reached, quiz))
    }

    /// Switch between beat by beat and free. Going free lets a held run
    /// go on (unless a question waits); going beat by beat holds from the
    /// next beat.
    pub fn set_pace(&mut self, pace: Pace, reached: usize, quiz: &mut Quiz) -> Go {
        self.pace = pace;
        if pace == Pace::Free && self.held && self.asking.is_none() {
            self.back = 0;
            return self.go_on(reached, quiz);
        }
        Go::Stay
    }

    /// The next question of this beat, else the beats the narration
    /// reached meanwhile, else the run goes on.
    fn go_on(&mut self, reached: usize, quiz: &Quiz) -> Go {
        if let Some(q) = quiz.open_at(self.shown) {
            self.asking = Some(q);
            return Go::Stay;
        }
        self.held = false;
        match self.reached(reached, quiz) {
            Go::Hold => Go::Hold,
            _ => Go::Release,
        }
    }
}
