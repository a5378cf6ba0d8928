//! The stage: what the processes share, chosen by what the run contains.
//! A Pool map shows its chunk strip; locks, queues, Manager servers and
//! watched globals each get a section; several stack. A run with none of
//! these shows each process's lifetime as a lane.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{ellipsize, panel, pid_span, procs, View};
use crate::model::{Call, Cell, Job, QueueObj, Server, SyncObj};
use crate::protocol::QueueOp;

/// Rows the chunk strip may take before chunks are folded into cells.
const MAX_STRIP_ROWS: usize = 4;
/// Widest a chunk's cell gets on a roomy stage.
const MAX_CELL_WIDTH: usize = 6;
/// Manager calls listed per server.
const RECENT_CALLS: usize = 3;

type Section = fn(&View, usize) -> Vec<Line<'static>>;

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let block = panel(view, " Stage ");
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let sections: [Section; 5] = [pool, sync_objects, queues, managers, watched];
    let mut lines: Vec<Line> = Vec::new();
    for section in sections {
        let part = section(view, width);
        if part.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.extend(part);
    }
    if lines.is_empty() {
        lines = lanes(view, width);
    }
    // Wrapped, not clipped: on a narrow stage nothing is cut off.
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn heading(view: &View, text: String) -> Line<'static> {
    Line::styled(text, view.theme.bold().patch(view.theme.text()))
}

fn label(view: &View, text: &str) -> Span<'static> {
    Span::styled(text.to_string(), view.theme.dim())
}

/// `a → b → c` (or `—`), each pid in its colour.
fn pid_list(view: &View, pids: impl IntoIterator<Item = i32>, sep: &str) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for pid in pids {
        if !spans.is_empty() {
            spans.push(Span::raw(sep.to_string()));
        }
        spans.push(pid_span(view, pid));
    }
    if spans.is_empty() {
        spans.push(label(view, "—"));
    }
    spans
}

// ---------------------------------------------------------------- Pool map

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

fn pool(view: &View, width: usize) -> Vec<Line<'static>> {
    let Some(job) = view.model.jobs.current() else {
        return Vec::new();
    };
    let workers = job
        .workers
        .map(|w| format!(" · {w} workers"))
        .unwrap_or_default();
    let title = if job.streaming {
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
    let cell_w = (width / cells.len().max(1)).clamp(1, MAX_CELL_WIDTH);
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
    let divisor = u64::from(workers) * 4;
    let (size, extra) = (job.items / divisor, job.items % divisor);
    let computed = size + u64::from(extra > 0);
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

// ------------------------------------------------- Locks and semaphores

fn sync_objects(view: &View, _width: usize) -> Vec<Line<'static>> {
    let objs = view.model.sync.in_order();
    if objs.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading(view, "Locks & semaphores".to_string())];
    lines.extend(objs.into_iter().flat_map(|o| sync_rows(view, o)));
    lines
}

/// One line for the object and who holds it; a second, when someone
/// waits, with the waiters in the order they began waiting.
fn sync_rows(view: &View, obj: &SyncObj) -> Vec<Line<'static>> {
    let mut spans = vec![
        Span::raw("  "),
        Span::styled(obj.label(), view.theme.bold()),
        label(view, &format!(" {}", obj.kind)),
    ];
    if let Some(value) = obj.value {
        spans.push(Span::raw(format!("  value {value}")));
    }
    spans.push(label(view, "  held by "));
    if obj.holders.is_empty() {
        spans.push(Span::styled("nobody", view.theme.good()));
    } else {
        spans.extend(pid_list(view, obj.holders.iter().copied(), ", "));
    }
    let mut lines = vec![Line::from(spans)];
    if !obj.waiters.is_empty() {
        let mut waiting = vec![Span::styled("    ⧗ waiting ", view.theme.warn())];
        waiting.extend(pid_list(view, obj.waiters.iter().copied(), " → "));
        lines.push(Line::from(waiting));
    }
    lines
}

// ------------------------------------------------------------------ Queues

fn queues(view: &View, width: usize) -> Vec<Line<'static>> {
    let all = view.model.queues.in_order();
    if all.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading(view, "Queues".to_string())];
    for q in all {
        lines.push(queue_row(view, q, width));
        if let Some(last) = &q.last {
            lines.push(last_move(view, last));
        }
    }
    lines
}

fn queue_row(view: &View, q: &QueueObj, width: usize) -> Line<'static> {
    let count = q.size.unwrap_or(q.items.len() as i64);
    let head = format!("  {} ", q.label());
    let counts = format!("  {count} in queue · {} put · {} got", q.puts, q.gets);
    let room = width.saturating_sub(head.chars().count() + counts.chars().count() + 2);
    let items = if q.items.is_empty() {
        "empty".to_string()
    } else {
        q.items.iter().cloned().collect::<Vec<_>>().join(" ")
    };
    Line::from(vec![
        Span::styled(head, view.theme.bold()),
        Span::raw(format!("[{}]", ellipsize(&items, room))),
        label(view, &counts),
    ])
}

fn last_move(view: &View, (pid, op, item): &(i32, QueueOp, String)) -> Line<'static> {
    let verb = match op {
        QueueOp::Put => "put",
        QueueOp::Get => "got",
        _ => "touched",
    };
    Line::from(vec![
        label(view, "    last: "),
        pid_span(view, *pid),
        Span::raw(format!(" {verb} {item}")),
    ])
}

// --------------------------------------------------------- Manager servers

fn managers(view: &View, width: usize) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for server in view.model.managers.servers.values() {
        lines.extend(server_lines(view, server, width));
    }
    lines
}

fn server_lines(view: &View, server: &Server, width: usize) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled("Manager server ", view.theme.bold()),
        pid_span(view, server.pid),
        label(view, &format!("  {} calls", server.calls)),
    ])];
    for (id, obj) in &server.objects {
        let entries: Vec<String> = obj
            .entries
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        let head = format!("  {} {}: ", obj.typeid, short_id(id));
        let room = width.saturating_sub(head.chars().count());
        lines.push(Line::from(vec![
            label(view, &head),
            Span::styled(
                ellipsize(&format!("{{{}}}", entries.join(", ")), room),
                view.theme.text(),
            ),
        ]));
        let writes: u64 = obj.counters.values().map(|c| c.writes).sum();
        if writes > 0 {
            // A value written twice: two clients read the same old value.
            let lost = obj.lost_updates();
            let style = if lost > 0 {
                view.theme.bad()
            } else {
                view.theme.good()
            };
            lines.push(Line::from(vec![
                label(view, &format!("    {writes} writes · ")),
                Span::styled(
                    format!("{lost} lost updates"),
                    style.patch(view.theme.bold()),
                ),
                label(view, " (read-modify-write races)"),
            ]));
        }
    }
    let skip = server.recent.len().saturating_sub(RECENT_CALLS);
    for call in server.recent.iter().skip(skip) {
        lines.push(Line::from(vec![
            Span::raw("    "),
            pid_span(view, call.client),
            Span::raw(format!(" {}", call_text(call))),
        ]));
    }
    lines
}

/// Proxy object ids are long hex addresses; the tail tells them apart.
fn short_id(id: &str) -> String {
    let tail: String = id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

/// A call as Python would have written it: `d[k] = v`, `d[k] → 3`, `d.keys()`.
fn call_text(call: &Call) -> String {
    let args = &call.args;
    match (call.method.as_str(), args.as_slice()) {
        ("__setitem__", [k, v, ..]) => format!("d[{k}] = {v}"),
        ("__getitem__", [k, ..]) => format!("d[{k}] → {}", call.result),
        ("__delitem__", [k, ..]) => format!("del d[{k}]"),
        (method, _) => format!("d.{method}({}) → {}", args.join(", "), call.result),
    }
}

// --------------------------------------------------------- Watched globals

fn watched(view: &View, _width: usize) -> Vec<Line<'static>> {
    let procs: Vec<_> = view
        .model
        .procs
        .in_order()
        .into_iter()
        .filter(|p| !p.vars.is_empty())
        .collect();
    if procs.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![heading(
        view,
        "Watched globals (each process has its own copy)".to_string(),
    )];
    for p in procs {
        for (name, value) in &p.vars {
            let shown = match (value.len, &value.first, &value.last) {
                (Some(len), Some(first), Some(last)) => format!("len {len}  [{first} … {last}]"),
                (Some(len), _, _) => format!("len {len}  {}", value.repr),
                _ => value.repr.clone(),
            };
            lines.push(Line::from(vec![
                Span::raw("  "),
                pid_span(view, p.pid),
                Span::styled(format!("  {name}"), view.theme.bold()),
                Span::raw(format!(" = {shown}")),
            ]));
        }
    }
    lines
}

// --------------------------------------------------- Fallback: process lanes

/// Each process's lifetime on one time axis, from the run's first event to
/// its latest: who overlapped whom, when each waited (┄: a lock, a queue,
/// a join), and the moment the main script's own code ended (▲).
fn lanes(view: &View, width: usize) -> Vec<Line<'static>> {
    let model = view.model;
    let rows = model.procs.tree();
    if rows.is_empty() {
        return vec![Line::styled(
            "Waiting for the script's first event…",
            view.theme.dim(),
        )];
    }
    let mut lines = vec![heading(view, "Process lifetimes (time →)".to_string())];
    let first = model.first_t.unwrap_or(0);
    let span = model.last_t.saturating_sub(first).max(1) as f64;
    let label_w = rows
        .iter()
        .map(|(_, p)| p.pid.to_string().len())
        .max()
        .unwrap_or(1)
        + 1;
    let bar_w = width.saturating_sub(label_w + 3).max(1);
    let col =
        |t: u64| ((t.saturating_sub(first) as f64 / span) * (bar_w - 1) as f64).round() as usize;
    for (_, p) in rows {
        let start = col(p.started_t);
        let end = col(p.ended_t.unwrap_or(model.last_t)).max(start);
        let mut bar: Vec<char> = vec!['━'; end - start];
        for (from, until) in &p.waits {
            let (a, b) = (
                col(*from).max(start),
                col(until.unwrap_or(model.last_t)).min(end),
            );
            for c in bar.iter_mut().take(b.saturating_sub(start)).skip(a - start) {
                *c = '┄';
            }
        }
        let end_glyph = procs::glyph(&p.state, model.is_paused());
        let mut spans = vec![
            pid_span(view, p.pid),
            Span::raw(" ".repeat(label_w - p.pid.to_string().len() + start)),
        ];
        spans.extend(runs(&bar).into_iter().map(|(c, n)| {
            let style = if c == '┄' {
                view.theme.dim()
            } else {
                view.theme.pid(model, p.pid)
            };
            Span::styled(c.to_string().repeat(n), style)
        }));
        spans.push(Span::styled(
            end_glyph,
            view.theme.state(&p.state, model.is_paused()),
        ));
        lines.push(Line::from(spans));
    }
    if let Some(t) = model.script_end_t {
        // The caret sits under the moment; its words go where they fit.
        let at = label_w + col(t);
        let (pad, text) = if at + 20 <= width {
            (at, "▲ main's code ended".to_string())
        } else {
            (at.saturating_sub(18), "main's code ended ▲".to_string())
        };
        lines.push(Line::from(vec![
            Span::raw(" ".repeat(pad)),
            Span::styled(text, view.theme.bold()),
        ]));
    }
    lines.push(Line::styled(
        "━ running  ┄ waiting (lock, queue, join)",
        view.theme.dim(),
    ));
    lines
}

/// Runs of equal characters: "━━┄┄┄━" → [('━', 2), ('┄', 3), ('━', 1)].
fn runs(chars: &[char]) -> Vec<(char, usize)> {
    let mut out: Vec<(char, usize)> = Vec::new();
    for &c in chars {
        match out.last_mut() {
            Some((last, n)) if *last == c => *n += 1,
            _ => out.push((c, 1)),
        }
    }
    out
}
