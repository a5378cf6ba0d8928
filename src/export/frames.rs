//! A replay rendered headless, frame by frame, exactly as the screen drew
//! it: `ui::draw` into ratatui's `TestBackend`, with the lesson's narration
//! when the recording is a lesson's. The asciicast and HTML exports are
//! both made of these frames, so they show the same screens.

use std::io;

use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::Terminal;

use crate::lesson::Lang;
use crate::session::Session;
use crate::ui::{self, LessonView, Theme, ThemeName, UiState, View};

/// How to render: the screen's size, the narration's language and how
/// often a frame is taken.
#[derive(Clone, Debug)]
pub struct FrameOptions {
    pub width: u16,
    pub height: u16,
    pub lang: Lang,
    /// Seconds of recorded time between two frames, at least. Beats and
    /// the last event always get a frame of their own.
    pub interval: f64,
}

/// A narration beat reached at a frame: its number (1 = the lesson's
/// first beat) and its words as the narration panel shows them.
#[derive(Clone, Debug, PartialEq)]
pub struct BeatMark {
    pub number: usize,
    pub text: String,
}

/// One rendered frame.
pub struct Frame<'a> {
    /// Seconds of recorded time since the recording's first event.
    pub t: f64,
    pub buffer: &'a Buffer,
    /// Beats reached since the previous frame (the first frame also has
    /// the beats reached before any event, such as a `start` beat).
    pub beats: Vec<BeatMark>,
}

/// Replay `session` from its start and hand every frame to `each`, in
/// order. Fails if the session is not a replay.
pub fn render<F>(session: &mut Session, opts: &FrameOptions, mut each: F) -> io::Result<()>
where
    F: FnMut(Frame) -> io::Result<()>,
{
    let Some(player) = session.player() else {
        return Err(io::Error::other("only a recording can be exported"));
    };
    let title = player.replay.meta.title.clone();
    let source = ui::source_lines(&player.replay.meta.source);
    let t0 = player.replay.start_t();
    let mut terminal =
        Terminal::new(TestBackend::new(opts.width, opts.height)).map_err(io::Error::other)?;
    let ui_state = UiState::new(1.0);
    let mut last_frame = f64::NEG_INFINITY;
    let mut beats_seen = 0;
    session.seek(0);
    while session.step() {
        let replay = &session.player().expect("a replay").replay;
        let t = replay.t_at(replay.pos() - 1).saturating_sub(t0) as f64 / 1e9;
        let at_end = replay.at_end();
        let reached = session.narration.reached();
        if !(t - last_frame >= opts.interval || reached > beats_seen || at_end) {
            continue;
        }
        let view = view(session, &ui_state, &source, &title, opts.lang);
        let beats = new_beats(&view, beats_seen);
        terminal
            .draw(|f| {
                ui::draw(f, &view);
            })
            .map_err(io::Error::other)?;
        each(Frame {
            t,
            buffer: terminal.backend().buffer(),
            beats,
        })?;
        beats_seen = reached;
        last_frame = t;
    }
    Ok(())
}

/// The screen of a replayed run: the live screen's view, narrated when the
/// recording is a lesson's.
fn view<'a>(
    session: &'a Session,
    ui_state: &'a UiState,
    source: &'a [String],
    title: &'a str,
    lang: Lang,
) -> View<'a> {
    let mut view = View::new(
        &session.model,
        ui_state,
        Theme::new(ThemeName::Default, true),
        source,
        title,
    );
    let player = session.player().expect("a replay");
    if !session.narration.beats().is_empty() {
        view.lesson = Some(LessonView::new(
            &session.narration,
            lang,
            &player.settings,
            &player.watch,
        ));
    }
    view
}

/// The beats after the first `seen`, up to the one reached now.
fn new_beats(view: &View, seen: usize) -> Vec<BeatMark> {
    let Some(lesson) = view.lesson else {
        return Vec::new();
    };
    let narration = lesson.narration;
    (seen..narration.reached())
        .map(|i| BeatMark {
            number: i + 1,
            text: ui::narration::beat_text(&narration.beats()[i], view.model, &lesson),
        })
        .collect()
}

/// How many columns a cell's symbol covers (2 for wide characters; the
/// cells it covers after the first are not drawn).
pub fn cell_width(symbol: &str) -> u16 {
    ratatui::text::Span::raw(symbol).width().max(1) as u16
}
