//! A stage line wider than the stage is broken between its phrases, never
//! inside one: "· 14 increments lost" stays together. A line breaks at a
//! gap of two or more spaces (between fields), before ` · ` and ` → `
//! (between items) and before ` (` (a remark); the rows after the first
//! are indented two more columns than the line. Only a phrase wider than
//! a whole row is broken inside, between its words.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// One grapheme and its style.
type Cell = (String, Style);

/// A phrase, and the cells that separate it from the one before.
struct Unit {
    gap: Vec<Cell>,
    body: Vec<Cell>,
}

/// `line` as rows no wider than `width` (the line itself if it fits).
pub fn fit(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if line.width() <= width || width < 8 {
        return vec![line];
    }
    let cells: Vec<Cell> = line
        .spans
        .iter()
        .flat_map(|s| s.styled_graphemes(line.style))
        .map(|g| (g.symbol.to_string(), g.style))
        .collect();
    let lead = cells.iter().take_while(|(s, _)| s == " ").count();
    let indent = (lead + 2).min(width / 2);
    let mut rows: Vec<Vec<Cell>> = vec![cells[..lead].to_vec()];
    for unit in units(&cells[lead..]) {
        place(&mut rows, unit, width, indent);
    }
    rows.into_iter().map(to_line).collect()
}

/// Split the cells into phrases at the break points.
fn units(cells: &[Cell]) -> Vec<Unit> {
    let sym = |i: usize| cells.get(i).map_or("", |c| c.0.as_str());
    let mut units = vec![Unit {
        gap: Vec::new(),
        body: Vec::new(),
    }];
    let mut i = 0;
    while i < cells.len() {
        let end = (i..cells.len())
            .find(|j| sym(*j) != " ")
            .unwrap_or(cells.len());
        let spaces = end - i;
        let next = sym(end);
        let separator =
            spaces == 1 && (next == "(" || (matches!(next, "·" | "→") && sym(end + 1) == " "));
        // Never a phrase of a separator alone ("· → where").
        let has_words = units.last().is_some_and(|u| {
            u.body
                .iter()
                .any(|(s, _)| !matches!(s.as_str(), " " | "·" | "→"))
        });
        if (spaces >= 2 || separator) && has_words && end < cells.len() {
            units.push(Unit {
                gap: cells[i..end].to_vec(),
                body: Vec::new(),
            });
            i = end;
        } else {
            let upto = end.max(i + 1);
            if let Some(u) = units.last_mut() {
                u.body.extend_from_slice(&cells[i..upto]);
            }
            i = upto;
        }
    }
    units
}

fn width_of(cells: &[Cell]) -> usize {
    cells
        .iter()
        .map(|(s, _)| Span::raw(s.as_str()).width())
        .sum()
}

fn is_blank(row: &[Cell]) -> bool {
    row.iter().all(|(s, _)| s == " ")
}

/// Put a phrase on the last row, or else on a new indented row; a phrase
/// wider than a whole row goes word by word.
fn place(rows: &mut Vec<Vec<Cell>>, unit: Unit, width: usize, indent: usize) {
    let row = rows.last_mut().expect("a row");
    let gap = if is_blank(row) {
        0
    } else {
        width_of(&unit.gap)
    };
    if width_of(row) + gap + width_of(&unit.body) <= width {
        if gap > 0 {
            row.extend(unit.gap);
        }
        row.extend(unit.body);
        return;
    }
    if !is_blank(row) {
        rows.push(pad(indent));
    }
    for word in unit.body.split(|(s, _)| s == " ").filter(|w| !w.is_empty()) {
        let row = rows.last_mut().expect("a row");
        if !is_blank(row) && width_of(row) + 1 + width_of(word) > width {
            rows.push(pad(indent));
        }
        let row = rows.last_mut().expect("a row");
        if !is_blank(row) {
            row.push((" ".into(), word[0].1));
        }
        // A word wider than the row is left to the paragraph to break.
        row.extend_from_slice(word);
    }
}

fn pad(indent: usize) -> Vec<Cell> {
    vec![(" ".to_string(), Style::default()); indent]
}

/// Cells back into a line: neighbours of one style make one span.
fn to_line(cells: Vec<Cell>) -> Line<'static> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    for (symbol, style) in cells {
        match spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(&symbol),
            _ => spans.push(Span::styled(symbol, style)),
        }
    }
    Line::from(spans)
}
