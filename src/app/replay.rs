//! Replay keys: play and pause, step one event, jump between narration
//! beats, seek by tenths, change the playing speed. Stepping pauses;
//! seeking keeps playing or paused as it was.

use std::time::Instant;

use super::App;
use crate::keys::Command;

impl App {
    /// Take in every replayed event whose time has come.
    pub(super) fn play_due(&mut self) {
        let now = Instant::now();
        while self
            .session
            .player_mut()
            .and_then(|p| p.due())
            .is_some_and(|due| due <= now)
        {
            self.session.step();
        }
        if let Some(player) = self.session.player_mut() {
            if player.replay.at_end() {
                player.set_playing(false);
            }
        }
    }

    pub(super) fn toggle_playing(&mut self) {
        let at_end = self.session.player().is_some_and(|p| p.replay.at_end());
        if at_end {
            self.session.seek(0);
        }
        if let Some(player) = self.session.player_mut() {
            let playing = !player.playing;
            player.set_playing(playing);
        }
    }

    pub(super) fn replay_from_start(&mut self) {
        self.session.seek(0);
        if let Some(player) = self.session.player_mut() {
            player.set_playing(true);
        }
    }

    pub(super) fn replay_command(&mut self, command: Command) {
        let Some(player) = self.session.player_mut() else {
            return;
        };
        let (pos, len) = (player.replay.pos(), player.replay.len());
        let tenth = (len / 10).max(1);
        match command {
            Command::StepForward => {
                player.set_playing(false);
                self.session.step();
            }
            Command::StepBack => {
                player.set_playing(false);
                self.session.seek(pos.saturating_sub(1));
            }
            Command::NextBeat => match player.replay.next_beat() {
                Some(p) => self.session.seek(p),
                None => self.ui.message = Some("no narration beat after this point".into()),
            },
            Command::PrevBeat => {
                let p = player.replay.prev_beat();
                self.session.seek(p);
            }
            Command::SeekForward => self.session.seek((pos + tenth).min(len)),
            Command::SeekBack => self.session.seek(pos.saturating_sub(tenth)),
            Command::PlayFaster => player.set_speed(player.speed * 2.0),
            Command::PlaySlower => player.set_speed(player.speed / 2.0),
            Command::ToggleLang => player.lang = player.lang.toggled(),
            _ => self.ui.message = Some("that key is for lessons".into()),
        }
    }
}
