//! A recording played back: at its recorded pace (times a speed), paused,
//! stepped or sought. The session folds what it hands out.

use std::time::{Duration, Instant};

use crate::lesson::{Lang, Settings};
use crate::replay::Replay;
use crate::ui::Progress;

pub struct Player {
    pub replay: Replay,
    /// What the narration's placeholders need: the lesson's watched
    /// globals and the recorded run's parameters.
    pub watch: Vec<String>,
    pub settings: Settings,
    pub playing: bool,
    pub speed: f64,
    /// Narration language (`l` switches it).
    pub lang: Lang,
    /// Wall time and recorded time that coincide while playing.
    anchor: Option<(Instant, u64)>,
}

impl Player {
    /// Play `replay` from where it stands, at its recorded pace.
    pub fn new(replay: Replay) -> Self {
        let settings = Settings::from_params(&replay.meta.params);
        Player {
            replay,
            watch: Vec::new(),
            settings,
            playing: true,
            speed: 1.0,
            lang: Lang::from_env(),
            anchor: None,
        }
    }

    /// When the next event is due, if playing.
    pub fn due(&mut self) -> Option<Instant> {
        if !self.playing || self.replay.at_end() {
            return None;
        }
        let (wall, t) = *self
            .anchor
            .get_or_insert((Instant::now(), self.replay.t_at(self.replay.pos())));
        let ahead = self.replay.t_at(self.replay.pos()).saturating_sub(t) as f64 / self.speed;
        Some(wall + Duration::from_nanos(ahead as u64))
    }

    pub fn set_playing(&mut self, playing: bool) {
        self.playing = playing && !self.replay.at_end();
        self.anchor = None;
    }

    /// The pace is measured again from the current position.
    pub fn anchor_here(&mut self) {
        self.anchor = None;
    }

    pub fn set_speed(&mut self, speed: f64) {
        self.speed = speed.clamp(1.0 / 64.0, 64.0);
        self.anchor = None;
    }

    pub fn progress(&self) -> Progress {
        let t0 = self.replay.start_t();
        let secs = |t: u64| t.saturating_sub(t0) as f64 / 1e9;
        let pos = self.replay.pos();
        Progress {
            pos,
            len: self.replay.len(),
            elapsed_s: if pos == 0 {
                0.0
            } else {
                secs(self.replay.t_at(pos - 1))
            },
            total_s: secs(self.replay.t_at(self.replay.len())),
            playing: self.playing,
            speed: self.speed,
        }
    }
}
