//! The Pool map: the chunk strip, Python's chunksize formula with this
//! run's numbers, and each worker's tally.

use ratatui::text::{Line, Span};

use super::{heading, label};
use crate::model::{Cell, Job};
use crate::protocol::{default_chunksize, Chunking};
use crate::ui::{pid_span, View};

/// Rows the chunk strip may take before chunks are folded into cells.
const MAX_STRIP_ROWS: usize = 4;
/// Widest a chunk's cell gets on a roomy stage.
const MAX_CELL_WIDTH: usize = 6;

/// How far a chunk (or a fold of chunks) has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Progress {
    Pending,
    Taken,
    Done,
}

fn progress(taken: u32, done: u32) -> Progress {
    match (taken, done) {
        (0, _) => Progress::Pending,
        (t, d) if d >= t => Progress::Done,
        _ => Progress::Taken,
    }
}

/// Fold the job's cells into at most `slots` screen cells: (taker, progress).
fn strip(job: &Job, slots: usize) -> Vec<(i32, Progress)> {
    let per_slot = job.cells.len().div_ceil(slots.max(1)).max(1);
    job.cells
        .chunks(per_slot)
        .map(|group| {
            let taker = group.iter().rev().map(|c| c.taker).find(|t| *t != 0);
            let (taken, done) = group
                .iter()
                .fold((0, 0), |(t, d), c: &Cell| (t + c.taken, d + c.done));
            // Only a fully taken fold counts as taken or done.
            let untaken = group.iter().any(|c| c.taken == 0);
            let p = match progress(taken, done) {
                Progress::Done if untaken => Progress::Taken,
                p => p,
            };
            (taker.unwrap_or(0), p)
        })
        .collect()
}

/// The glyph of a strip cell. Without colour, the worker's letter says who
/// took it (lower case: working on it; upper case: done).
fn cell_span(view: &View, job: &Job, taker: i32, p: Progress) -> Span<'static> {
    let theme = view.theme;
    if p == Progress::Pending {
        return Span::styled("·", theme.dim());
    }
    let glyph = if theme.color {
        if p == Progress::Done { "█" } else { "▒" }.to_string()
    } else {
        worker_letter(job, taker, p == Progress::Done).to_string()
    };
    Span::styled(glyph, theme.pid(view.model, taker))
}

fn worker_letter(job: &Job, pid: i32, upper: bool) -> char {
    let i = job.tallies.keys().position(|p| *p == pid).unwrap_or(25);
    let c = (b'a' + (i.min(25) as u8)) as char;
    if upper {
        c.to_ascii_uppercase()
    } else {
        c
    }
}

pub(super) fn section(view: &View, width: usize) -> Vec<Line<'static>> {
    let Some(job) = view.model.jobs.current() else {
        return Vec::new();
    };
    let workers = job
        .workers
        .map(|w| format!(" · {w} workers"))
        .unwrap_or_default();
    let title = if job.executor {
        format!(
            "ProcessPoolExecutor · {} tasks submitted{workers}",
            job.submitted
        )
    } else if job.streaming {
        format!(
            "Pool.imap · {} items so far in {} chunks of {}{workers}",
            job.items, job.chunks, job.chunksize
        )
    } else {
        format!(
            "Pool.map · {} items → {} chunks of {}{workers}",
            job.items, job.chunks, job.chunksize
        )
    };
    let mut lines = vec![heading(view, title)];
    lines.extend(strip_lines(view, job, width));
    let working = job.taken.saturating_sub(job.done);
    lines.push(Line::from(vec![
        Span::styled(format!("{} done", job.done), view.theme.good()),
        label(view, " · "),
        Span::styled(format!("{working} working"), view.theme.warn()),
        label(view, " · "),
        Span::raw(format!("{} pending", job.pending())),
    ]));
    lines.push(Line::from(label(
        view,
        if view.theme.color {
            "█ done  ▒ taken  · pending"
        } else {
            "A done  a taken (letter = worker)  · pending"
        },
    )));
    lines.extend(formula(view, job));
    if view.ui.big {
        // Fewer, larger elements: the strip and the formula are the point.
        return lines;
    }
    for (pid, tally) in &job.tallies {
        lines.push(Line::from(vec![
            Span::raw("  "),
            cell_span(view, job, *pid, Progress::Done),
            Span::raw(" "),
            pid_span(view, *pid),
            Span::raw(format!(
                "  {} taken · {} done · {} items",
                tally.chunks, tally.done, tally.items
            )),
        ]));
    }
    lines
}

/// The chunk strip, one cell per chunk. Few chunks on a wide stage get
/// wide cells (readable from the back of the room); many chunks fold into
/// at most `MAX_STRIP_ROWS` rows.
fn strip_lines(view: &View, job: &Job, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let cells = strip(job, width * MAX_STRIP_ROWS);
    let widest = if view.ui.big {
        2 * MAX_CELL_WIDTH
    } else {
        MAX_CELL_WIDTH
    };
    let cell_w = (width / cells.len().max(1)).clamp(1, widest);
    // Wide cells keep a gap so neighbouring chunks of one worker stay apart.
    let (glyphs, gap) = if cell_w >= 3 {
        (cell_w - 1, 1)
    } else {
        (cell_w, 0)
    };
    let per_row = (width / cell_w).max(1);
    let mut lines = Vec::new();
    for row in cells.chunks(per_row) {
        let mut spans = Vec::new();
        for (taker, p) in row {
            let cell = cell_span(view, job, *taker, *p);
            spans.push(Span::styled(cell.content.repeat(glyphs), cell.style));
            spans.push(Span::raw(" ".repeat(gap)));
        }
        let line = Line::from(spans);
        // Wide cells are drawn two rows high: a bigger target for the eye.
        if cell_w >= 3 {
            lines.push(line.clone());
        }
        lines.push(line);
    }
    lines
}

/// How `Pool.map` picked the chunksize, with this run's numbers: the line
/// from CPython's `Pool._map_async`.
fn formula(view: &View, job: &Job) -> Vec<Line<'static>> {
    // imap takes the chunksize it is given (1 unless told): no formula.
    let Some(workers) = job.workers.filter(|w| *w > 0 && !job.streaming) else {
        return Vec::new();
    };
    let Chunking {
        size,
        extra,
        chunksize: computed,
    } = default_chunksize(job.items, workers);
    let code = view.theme.fg(ratatui::style::Color::LightCyan);
    let mut result = format!("  → chunksize {size}, extra {extra}");
    if extra > 0 {
        result.push_str(&format!(": +1 → {computed}"));
    }
    let mut lines = vec![
        Line::styled(
            format!("chunksize, extra = divmod({}, {workers}*4)", job.items),
            code,
        ),
        Line::from(label(view, &result)),
    ];
    if computed != job.chunksize {
        lines.push(Line::from(label(
            view,
            format!("  (map was given chunksize={})", job.chunksize).as_str(),
        )));
    }
    lines
}
