//! Playing a recording back on the screen: at its recorded pace (times a
//! speed), paused, stepped or sought, through the same model `update`.

use std::time::{Duration, Instant};

use crate::action::Action;
use crate::lesson::{Lang, Settings};
use crate::replay::Replay;
use crate::ui::{Progress, UiState};

/// A recording played back at its recorded pace (times `speed`).
pub(super) struct Player {
    pub replay: Replay,
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
    /// Start playing `replay` from its beginning at its recorded pace.
    pub fn new(replay: Replay, watch: Vec<String>, settings: Settings) -> Self {
        Player {
            replay,
            watch,
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

    pub fn seek(&mut self, pos: usize) {
        self.replay.seek(pos);
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

/// Replay keys: stepping pauses; seeking keeps playing or paused as it was.
pub(super) fn replay_action(player: &mut Player, action: Action, ui: &mut UiState) {
    let len = player.replay.len();
    let pos = player.replay.pos();
    let tenth = (len / 10).max(1);
    match action {
        Action::StepForward => {
            player.set_playing(false);
            player.replay.step();
        }
        Action::StepBack => {
            player.set_playing(false);
            player.seek(pos.saturating_sub(1));
        }
        Action::NextBeat => match player.replay.next_beat() {
            Some(p) => player.seek(p),
            None => ui.message = Some("no narration beat after this point".into()),
        },
        Action::PrevBeat => {
            let p = player.replay.prev_beat();
            player.seek(p);
        }
        Action::SeekForward => player.seek((pos + tenth).min(len)),
        Action::SeekBack => player.seek(pos.saturating_sub(tenth)),
        Action::SpeedUp => player.speed = (player.speed * 2.0).min(64.0),
        Action::SpeedDown => player.speed = (player.speed / 2.0).max(1.0 / 64.0),
        Action::ToggleLang => player.lang = player.lang.toggled(),
        _ => ui.message = Some("that key is for lessons".into()),
    }
}
