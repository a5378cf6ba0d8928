//! A recording as one self-contained web page that plays the run exactly
//! as the screen showed it: the frames of `export::frames` as keyframes and
//! diffs of the cell grid (`movie`), played by a small inline script
//! (`player.js`) with play/pause, a seek bar, speeds and the narration
//! beats as chapters. Nothing is fetched: it plays offline, from a file, in
//! an `<iframe>`.

mod movie;

use std::io::{self, Write};

use serde_json::json;

pub use movie::Movie;

use crate::export::frames::{self, FrameOptions};
use crate::lesson::Lang;
use crate::session::Session;

const PLAYER_JS: &str = include_str!("player.js");
const PLAYER_CSS: &str = include_str!("player.css");

/// Frames per second of recorded time at most…
const FPS: f64 = 15.0;
/// …but a short run still gets about this many frames, so it can be
/// watched slowed down.
const MIN_FRAMES: f64 = 300.0;

#[derive(Clone, Debug)]
pub struct HtmlOptions {
    pub width: u16,
    pub height: u16,
    /// The speed the page starts playing at.
    pub speed: f64,
    pub lang: Lang,
}

/// Render the replay `session` into a web page on `out`.
pub fn write<W: Write>(session: &mut Session, opts: &HtmlOptions, mut out: W) -> io::Result<W> {
    let Some(player) = session.player() else {
        return Err(io::Error::other("only a recording can be exported"));
    };
    let replay = &player.replay;
    let title = replay.meta.title.clone();
    let duration = replay.t_at(replay.len()).saturating_sub(replay.start_t()) as f64 / 1e9;
    let frame_opts = FrameOptions {
        width: opts.width,
        height: opts.height,
        lang: opts.lang,
        interval: (duration / MIN_FRAMES).min(1.0 / FPS),
    };
    let mut movie = Movie::new();
    let mut chapters = Vec::new();
    frames::render(session, &frame_opts, |frame| {
        for beat in frame.beats {
            let t_ms = (frame.t * 1e6).round() / 1e3;
            chapters.push(json!({ "t": t_ms, "n": beat.number, "text": beat.text }));
        }
        movie.frame(frame.t, frame.buffer);
        Ok(())
    })?;
    let (styles, frames) = movie.into_parts();
    let data = json!({
        "title": title,
        "cols": opts.width,
        "rows": opts.height,
        "speed": opts.speed,
        "duration": (duration * 1e6).round() / 1e3,
        "styles": styles,
        "frames": frames,
        "chapters": chapters,
    });
    write_page(&mut out, &title, opts, &data)?;
    Ok(out)
}

fn write_page<W: Write>(
    out: &mut W,
    title: &str,
    opts: &HtmlOptions,
    data: &serde_json::Value,
) -> io::Result<()> {
    let lang = match opts.lang {
        Lang::Zh => "zh",
        _ => "en",
    };
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"forklore {version}\">\n\
         <title>{title}</title>\n<style>\n{css}</style>\n</head>\n<body>\n\
         <main id=\"forklore\" style=\"--cols:{cols}\" data-state=\"loading\">\n\
         <h1>{title}</h1>\n<noscript>This recording plays with JavaScript.</noscript>\n</main>\n\
         <script type=\"application/json\" id=\"forklore-movie\">{json}</script>\n\
         <script>\n{js}</script>\n</body>\n</html>\n",
        version = env!("CARGO_PKG_VERSION"),
        title = escape(title),
        css = PLAYER_CSS,
        cols = opts.width,
        json = script_safe(&data.to_string()),
        js = PLAYER_JS,
    )
}

/// Text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// JSON inside a `<script>` element: no `<` at all, so neither
/// `</script>` nor `<!--` in a recorded string can end or confuse it
/// (`\u003c` is the same character to JSON.parse).
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_text_cannot_end_the_script_element() {
        let data = json!({ "text": "print('</script><!-- &')" });
        let safe = script_safe(&data.to_string());
        assert!(!safe.contains('<'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, data);
        assert_eq!(escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
