//! What a drawn screen shows: a row as text, and whether the narration
//! panel shows every line it should, whole.

use ratatui::layout::Rect;

/// The first of `lines` the panel at `area` does not show whole.
pub fn cut_text(buffer: &ratatui::buffer::Buffer, area: Rect, lines: &[String]) -> Option<String> {
    let mut inside = String::new();
    for y in area.top() + 1..area.bottom().saturating_sub(1) {
        inside.push_str(&row_text(buffer, y, area.left() + 1, area.right() - 1));
    }
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let inside = squeeze(&inside);
    let title: String = (area.left()..area.right())
        .map(|x| buffer[(x, area.top())].symbol().to_string())
        .collect();
    if title.contains("enlarge") || title.contains("放大") {
        let rows: Vec<String> = (area.top()..area.bottom())
            .map(|y| row_text(buffer, y, area.left(), area.right()))
            .collect();
        return Some(format!("the title says it is cut:\n{}", rows.join("\n")));
    }
    lines
        .iter()
        .find(|l| !inside.contains(&squeeze(l)))
        .cloned()
}

/// Row `y` from column `from` to `to` as text: a double-width character
/// covers the cell after it.
pub fn row_text(buffer: &ratatui::buffer::Buffer, y: u16, from: u16, to: u16) -> String {
    let mut text = String::new();
    let mut x = from;
    while x < to {
        let symbol = buffer[(x, y)].symbol();
        text.push_str(symbol);
        x += u16::try_from(ratatui::text::Span::raw(symbol).width().max(1)).unwrap_or(1);
    }
    text
}
