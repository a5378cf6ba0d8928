//! asciicast v2 export: a replay's frames (`export::frames`) written into a
//! file asciinema's player plays. Frames are written as the terminal bytes
//! that turn the previous frame into the next (cursor moves + SGR + text).

use std::fmt::Write as _;
use std::io::{self, Write};

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};

use crate::export::frames::{self, FrameOptions};

/// The header line of an asciicast v2 file.
pub fn header(width: u16, height: u16, title: &str) -> String {
    serde_json::json!({
        "version": 2,
        "width": width,
        "height": height,
        "title": title,
        "env": { "TERM": "xterm-256color" },
    })
    .to_string()
}

/// Writes `[time, "o", data]` and `[time, "m", label]` events.
pub struct CastWriter<W: Write> {
    out: W,
    last_t: f64,
}

impl<W: Write> CastWriter<W> {
    pub fn new(mut out: W, width: u16, height: u16, title: &str) -> io::Result<Self> {
        writeln!(out, "{}", header(width, height, title))?;
        Ok(CastWriter { out, last_t: 0.0 })
    }

    fn event(&mut self, t: f64, code: &str, data: &str) -> io::Result<()> {
        // Timestamps never go back, whatever the caller's clock did.
        let t = t.max(self.last_t);
        self.last_t = t;
        writeln!(self.out, "{}", serde_json::json!([round(t), code, data]))
    }

    pub fn output(&mut self, t: f64, data: &str) -> io::Result<()> {
        self.event(t, "o", data)
    }

    pub fn marker(&mut self, t: f64, label: &str) -> io::Result<()> {
        self.event(t, "m", label)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn round(t: f64) -> f64 {
    (t * 1e6).round() / 1e6
}

/// Terminal bytes that turn `prev` (None: a blank screen) into `next`.
pub fn frame_diff(prev: Option<&Buffer>, next: &Buffer) -> String {
    let blank;
    let (prev, mut out) = match prev {
        Some(p) => (p, String::new()),
        None => {
            blank = Buffer::empty(next.area);
            (&blank, String::from("\x1b[0m\x1b[2J\x1b[H"))
        }
    };
    // ratatui's own diff: changed cells only, wide characters handled.
    let mut cursor: Option<(u16, u16)> = None;
    let mut style: Option<(Color, Color, Modifier)> = None;
    for (x, y, cell) in prev.diff(next) {
        if cursor != Some((x, y)) {
            let _ = write!(out, "\x1b[{};{}H", y + 1, x + 1);
        }
        let wanted = (cell.fg, cell.bg, cell.modifier);
        if style != Some(wanted) {
            out.push_str(&sgr(cell));
            style = Some(wanted);
        }
        out.push_str(cell.symbol());
        cursor = Some((x + frames::cell_width(cell.symbol()), y));
    }
    if style.is_some() {
        out.push_str("\x1b[0m");
    }
    out
}

/// The SGR sequence for a cell's style (reset first: no state carried).
fn sgr(cell: &Cell) -> String {
    let mut codes: Vec<String> = vec!["0".into()];
    let m = cell.modifier;
    for (flag, code) in [
        (Modifier::BOLD, "1"),
        (Modifier::DIM, "2"),
        (Modifier::ITALIC, "3"),
        (Modifier::UNDERLINED, "4"),
        (Modifier::REVERSED, "7"),
        (Modifier::CROSSED_OUT, "9"),
    ] {
        if m.contains(flag) {
            codes.push(code.into());
        }
    }
    if let Some(c) = color_code(cell.fg, false) {
        codes.push(c);
    }
    if let Some(c) = color_code(cell.bg, true) {
        codes.push(c);
    }
    format!("\x1b[{}m", codes.join(";"))
}

fn color_code(color: Color, bg: bool) -> Option<String> {
    let base = if bg { 40 } else { 30 };
    let bright = if bg { 100 } else { 90 };
    let n = match color {
        Color::Reset => return None,
        Color::Black => base,
        Color::Red => base + 1,
        Color::Green => base + 2,
        Color::Yellow => base + 3,
        Color::Blue => base + 4,
        Color::Magenta => base + 5,
        Color::Cyan => base + 6,
        Color::Gray => base + 7,
        Color::DarkGray => bright,
        Color::LightRed => bright + 1,
        Color::LightGreen => bright + 2,
        Color::LightYellow => bright + 3,
        Color::LightBlue => bright + 4,
        Color::LightMagenta => bright + 5,
        Color::LightCyan => bright + 6,
        Color::White => bright + 7,
        Color::Indexed(i) => return Some(format!("{};5;{i}", if bg { 48 } else { 38 })),
        Color::Rgb(r, g, b) => return Some(format!("{};2;{r};{g};{b}", if bg { 48 } else { 38 })),
    };
    Some(n.to_string())
}

/// Options of `forklore cast`.
#[derive(Clone, Debug)]
pub struct CastOptions {
    pub width: u16,
    pub height: u16,
    /// Playback speed: 2.0 plays the recording twice as fast.
    pub speed: f64,
    pub lang: crate::lesson::Lang,
}

/// Frames per second of playback at most.
const FPS: f64 = 15.0;

/// Render the replay `session` from its start into asciicast v2 on `out`.
/// Narration beats become markers.
pub fn export<W: Write>(
    session: &mut crate::session::Session,
    opts: &CastOptions,
    out: W,
) -> io::Result<W> {
    let Some(player) = session.player() else {
        return Err(io::Error::other("cast needs a recording"));
    };
    let title = player.replay.meta.title.clone();
    let mut cast = CastWriter::new(out, opts.width, opts.height, &title)?;
    let speed = opts.speed.max(1e-6);
    let frames = FrameOptions {
        width: opts.width,
        height: opts.height,
        lang: opts.lang,
        interval: speed / FPS,
    };
    let mut prev: Option<Buffer> = None;
    frames::render(session, &frames, |frame| {
        let t = frame.t / speed;
        for beat in &frame.beats {
            cast.marker(t, &beat.text)?;
        }
        let data = frame_diff(prev.as_ref(), frame.buffer);
        if !data.is_empty() {
            cast.output(t, &data)?;
        }
        prev = Some(frame.buffer.clone());
        Ok(())
    })?;
    cast.finish()
}
