//! The frames of the web page: the screen's cell grid as keyframes (every
//! cell) and diffs (the cells that changed), each cell's style an index
//! into a palette of CSS declarations. Most frames change a few cells (a
//! state, a counter), so a diff is small; a keyframe now and then lets the
//! player seek without replaying every diff from the start.

use std::collections::HashMap;

use ratatui::buffer::{Buffer, Cell};
use ratatui::style::{Color, Modifier};
use serde_json::{json, Value};

use crate::export::frames::cell_width;

/// Changed cells closer than this are sent as one segment: resending a
/// few unchanged cells is cheaper than a new segment's header.
const MERGE_GAP: usize = 6;

/// A keyframe comes once the diffs since the last one outweigh it this
/// many times: the file stays small, a seek replays little.
const KEYFRAME_RATIO: usize = 4;

pub struct Movie {
    styles: Vec<String>,
    style_index: HashMap<(Color, Color, Modifier), usize>,
    frames: Vec<Value>,
    /// The last frame's cells, row by row.
    prev: Option<Vec<Vec<(String, usize)>>>,
    key_bytes: usize,
    since_key: usize,
}

impl Default for Movie {
    fn default() -> Self {
        Self::new()
    }
}

impl Movie {
    pub fn new() -> Self {
        Movie {
            styles: Vec::new(),
            style_index: HashMap::new(),
            frames: Vec::new(),
            prev: None,
            key_bytes: 0,
            since_key: 0,
        }
    }

    /// Add the screen `buffer` as it was at `t` seconds; a frame that
    /// changes nothing is left out.
    pub fn frame(&mut self, t: f64, buffer: &Buffer) {
        let grid: Vec<Vec<(String, usize)>> = (0..buffer.area.height)
            .map(|y| self.row(buffer, y))
            .collect();
        let t_ms = (t * 1e6).round() / 1e3;
        let diff = self.prev.as_ref().map(|prev| diff(prev, &grid));
        let frame = match diff {
            Some(d) if d.is_empty() => return,
            Some(d) if self.since_key < KEYFRAME_RATIO * self.key_bytes => {
                let frame = json!({ "t": t_ms, "d": d });
                self.since_key += frame.to_string().len();
                frame
            }
            _ => {
                let rows: Vec<Value> = grid.iter().map(|r| Value::Array(runs(r))).collect();
                let frame = json!({ "t": t_ms, "k": rows });
                self.key_bytes = frame.to_string().len();
                self.since_key = 0;
                frame
            }
        };
        self.frames.push(frame);
        self.prev = Some(grid);
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// The palette (CSS declarations by style index) and the frames.
    pub fn into_parts(self) -> (Vec<String>, Vec<Value>) {
        (self.styles, self.frames)
    }

    /// Row `y` as cells (symbol, style); a cell hidden under the wide
    /// character before it has an empty symbol.
    fn row(&mut self, buffer: &Buffer, y: u16) -> Vec<(String, usize)> {
        let mut cells = Vec::with_capacity(usize::from(buffer.area.width));
        let mut covered = 0;
        for x in 0..buffer.area.width {
            let cell = &buffer[(x, y)];
            let style = self.style(cell);
            if covered > 0 {
                covered -= 1;
                cells.push((String::new(), style));
                continue;
            }
            covered = cell_width(cell.symbol()) - 1;
            cells.push((cell.symbol().to_string(), style));
        }
        cells
    }

    fn style(&mut self, cell: &Cell) -> usize {
        let key = (cell.fg, cell.bg, cell.modifier);
        if let Some(i) = self.style_index.get(&key) {
            return *i;
        }
        self.styles.push(css(cell.fg, cell.bg, cell.modifier));
        self.style_index.insert(key, self.styles.len() - 1);
        self.styles.len() - 1
    }
}

/// The segments `[y, x, style, text, style, text…]` that turn `prev`
/// into `next`.
fn diff(prev: &[Vec<(String, usize)>], next: &[Vec<(String, usize)>]) -> Vec<Value> {
    let mut segments = Vec::new();
    for (y, (old, new)) in prev.iter().zip(next).enumerate() {
        let changed: Vec<usize> = (0..new.len())
            .filter(|&x| old.get(x) != Some(&new[x]))
            .collect();
        let mut i = 0;
        while i < changed.len() {
            let start = changed[i];
            let mut end = start;
            while i < changed.len() && changed[i] <= end + MERGE_GAP {
                end = changed[i];
                i += 1;
            }
            // A wide character and the cells it hides travel together.
            let end = (end + 1..new.len())
                .find(|&x| !new[x].0.is_empty())
                .unwrap_or(new.len());
            let start = (0..=start)
                .rev()
                .find(|&x| !new[x].0.is_empty())
                .unwrap_or(0);
            let mut segment = vec![json!(y), json!(start)];
            segment.extend(runs(&new[start..end]));
            segments.push(Value::Array(segment));
        }
    }
    segments
}

/// Cells as `style, text` pairs, one per run of one style. The text is a
/// string when every cell holds one character (the usual case), else the
/// list of the cells' symbols ("" for a cell under a wide character).
fn runs(cells: &[(String, usize)]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < cells.len() {
        let style = cells[i].1;
        let len = cells[i..].iter().take_while(|c| c.1 == style).count();
        let run = &cells[i..i + len];
        let simple = run.iter().all(|(s, _)| s.chars().count() == 1);
        out.push(json!(style));
        out.push(if simple {
            json!(run.iter().map(|(s, _)| s.as_str()).collect::<String>())
        } else {
            json!(run.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>())
        });
        i += len;
    }
    out
}

/// CSS declarations for a cell's colours and modifiers. The 16 standard
/// colours are the page's `--c0`…`--c15` (a terminal palette).
fn css(fg: Color, bg: Color, m: Modifier) -> String {
    let (mut fg, mut bg) = (color(fg, "var(--fg)"), color(bg, "var(--bg)"));
    if m.contains(Modifier::REVERSED) {
        std::mem::swap(&mut fg, &mut bg);
    }
    let mut decls = Vec::new();
    if fg != "var(--fg)" {
        decls.push(format!("color:{fg}"));
    }
    if bg != "var(--bg)" {
        decls.push(format!("background:{bg}"));
    }
    for (flag, decl) in [
        (Modifier::BOLD, "font-weight:bold"),
        (Modifier::DIM, "opacity:.6"),
        (Modifier::ITALIC, "font-style:italic"),
        (Modifier::UNDERLINED, "text-decoration:underline"),
        (Modifier::CROSSED_OUT, "text-decoration:line-through"),
    ] {
        if m.contains(flag) {
            decls.push(decl.to_string());
        }
    }
    decls.join(";")
}

fn color(c: Color, default: &str) -> String {
    let named = |n: u8| format!("var(--c{n})");
    match c {
        Color::Reset => default.to_string(),
        Color::Black => named(0),
        Color::Red => named(1),
        Color::Green => named(2),
        Color::Yellow => named(3),
        Color::Blue => named(4),
        Color::Magenta => named(5),
        Color::Cyan => named(6),
        Color::Gray => named(7),
        Color::DarkGray => named(8),
        Color::LightRed => named(9),
        Color::LightGreen => named(10),
        Color::LightYellow => named(11),
        Color::LightBlue => named(12),
        Color::LightMagenta => named(13),
        Color::LightCyan => named(14),
        Color::White => named(15),
        Color::Indexed(i) if i < 16 => named(i),
        Color::Indexed(i) => {
            let (r, g, b) = xterm_rgb(i);
            format!("#{r:02x}{g:02x}{b:02x}")
        }
        Color::Rgb(r, g, b) => format!("#{r:02x}{g:02x}{b:02x}"),
    }
}

/// xterm's 256-colour palette above the 16 named colours: a 6×6×6 cube,
/// then 24 greys.
fn xterm_rgb(i: u8) -> (u8, u8, u8) {
    if i >= 232 {
        let v = 8 + (i - 232) * 10;
        return (v, v, v);
    }
    let level = |n: u8| if n == 0 { 0 } else { 55 + n * 40 };
    let n = i - 16;
    (level(n / 36), level(n / 6 % 6), level(n % 6))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn screen(lines: &[&str]) -> Buffer {
        let mut b = Buffer::empty(Rect::new(0, 0, 20, lines.len() as u16));
        for (y, line) in lines.iter().enumerate() {
            b.set_string(0, y as u16, line, Style::default());
        }
        b
    }

    #[test]
    fn the_first_frame_is_a_keyframe_then_only_changes_travel() {
        let mut movie = Movie::new();
        movie.frame(0.0, &screen(&["4100 running", "4101 running"]));
        movie.frame(0.5, &screen(&["4100 running", "4101 running"]));
        movie.frame(1.0, &screen(&["4100 running", "4101 exited"]));
        let (styles, frames) = movie.into_parts();
        assert_eq!(styles, [""], "one style: the default colours");
        assert_eq!(frames.len(), 2, "a frame that changes nothing is left out");
        assert_eq!(frames[0]["k"][0], json!([0, "4100 running        "]));
        assert_eq!(frames[1]["t"], 1000.0);
        assert_eq!(frames[1]["d"], json!([[1, 5, 0, "exited "]]));
    }

    #[test]
    fn a_wide_character_hides_the_cell_after_it() {
        let mut movie = Movie::new();
        movie.frame(0.0, &screen(&["进程 4100"]));
        let (_, frames) = movie.into_parts();
        let cells = frames[0]["k"][0][1].as_array().unwrap();
        let symbols: Vec<&str> = cells.iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(&symbols[..6], ["进", "", "程", "", " ", "4"]);
    }

    #[test]
    fn colours_are_the_pages_palette() {
        assert_eq!(
            css(Color::LightRed, Color::Reset, Modifier::BOLD),
            "color:var(--c9);font-weight:bold"
        );
        assert_eq!(
            css(Color::Reset, Color::Reset, Modifier::REVERSED),
            "color:var(--bg);background:var(--fg)"
        );
        assert_eq!(color(Color::Indexed(196), ""), "#ff0000");
        assert_eq!(color(Color::Indexed(244), ""), "#808080");
    }
}
