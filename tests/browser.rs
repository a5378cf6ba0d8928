//! The web page in a real browser: headless chromium loads the exported
//! file, plays it (in virtual time: its timers run without waiting), and
//! its DOM is read back. What it shows must be the very screens forklore
//! rendered: the last one after playing, a beat's one after jumping to
//! that chapter.
//!
//! Needs chromium. CI installs it and sets FORKLORE_REQUIRE_BROWSER=1, so
//! these tests fail there without it; elsewhere they are skipped, saying so.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use forklore::export::frames::{self, cell_width, BeatMark, FrameOptions};
use forklore::lesson::{Catalog, Lang};
use forklore::protocol::Body;
use forklore::replay::Replay;
use forklore::session::Session;
use ratatui::buffer::Buffer;

const COLS: u16 = 100;
const ROWS: u16 = 30;

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("FORKLORE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        assert!(
            std::env::var_os("FORKLORE_REQUIRE_BROWSER").is_none(),
            "FORKLORE_REQUIRE_BROWSER is set but no chromium was found"
        );
        // Written past the test harness's capture, so `cargo test` shows it.
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED browser test: chromium not found (install it, or set FORKLORE_CHROMIUM)"
        );
    }
    found
}

/// The page's DOM after `budget_ms` of virtual time.
fn dump_dom(chromium: &Path, url: &str, budget_ms: u32) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--virtual-time-budget={budget_ms}"))
        .arg(url)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the DOM is UTF-8")
}

/// A lesson run recorded for real and exported as a page.
struct Exported {
    _dir: tempfile::TempDir,
    page: PathBuf,
    session: Session,
    pids: Vec<i32>,
}

fn exported(slug: &str, sets: &[&str]) -> Exported {
    let run = run_lesson(slug, sets);
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("run.jsonl");
    std::fs::write(&rec, &run.recording).unwrap();
    let page = dir.path().join("page.html");
    let out = forklore()
        .arg("export")
        .arg(&rec)
        .args([
            "--html",
            "--lang",
            "en",
            "--size",
            &format!("{COLS}x{ROWS}"),
            "-o",
        ])
        .arg(&page)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pids = run
        .events
        .iter()
        .filter(|e| matches!(e.body, Body::ProcStart { .. }))
        .map(|e| e.pid)
        .collect();
    // The same replay the export made, narrated the same way.
    let lesson = Catalog::embedded().unwrap().find(slug).unwrap().clone();
    let mut session = Session::replay(Replay::new(run.events, lesson.manifest.beats.clone()));
    session.player_mut().unwrap().watch = lesson.manifest.watch.clone();
    Exported {
        _dir: dir,
        page,
        session,
        pids,
    }
}

/// Every screen forklore rendered, as text rows, with the beats reached.
fn screens(session: &mut Session) -> Vec<(Vec<String>, Vec<BeatMark>)> {
    let opts = FrameOptions {
        width: COLS,
        height: ROWS,
        lang: Lang::En,
        interval: 0.0,
    };
    let mut all = Vec::new();
    frames::render(session, &opts, |f| {
        all.push((rows_of(f.buffer), f.beats));
        Ok(())
    })
    .unwrap();
    all
}

/// A buffer's rows as the page draws them: a wide character's hidden
/// cell left out.
fn rows_of(buffer: &Buffer) -> Vec<String> {
    (0..buffer.area.height)
        .map(|y| {
            let (mut row, mut skip) = (String::new(), 0);
            for x in 0..buffer.area.width {
                let symbol = buffer[(x, y)].symbol();
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                skip = cell_width(symbol) - 1;
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

/// The screen's rows in the DOM, as text.
fn dom_rows(dom: &str) -> Vec<String> {
    dom.split(r#"<div class="row">"#)
        .skip(1)
        .map(|rest| text_of(&rest[..rest.find("</div>").expect("a row ends")]))
        .collect()
}

fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// `data-NAME` of the player's element.
fn player_attr(dom: &str, name: &str) -> String {
    let main = &dom[dom.find(r#"<main id="forklore""#).expect("the player")..];
    let main = &main[..main.find('>').unwrap()];
    let key = format!("data-{name}=\"");
    let at = main
        .find(&key)
        .unwrap_or_else(|| panic!("no data-{name} in {main}"))
        + key.len();
    main[at..at + main[at..].find('"').unwrap()].to_string()
}

#[test]
fn the_page_plays_the_run_to_its_last_screen() {
    let Some(chromium) = chromium() else { return };
    let mut run = exported("chunked-map", &["items=200", "work_ms=2"]);
    let screens = screens(&mut run.session);
    let url = format!("file://{}", run.page.display());
    let dom = dump_dom(&chromium, &url, 120_000);
    assert_eq!(player_attr(&dom, "state"), "ended", "it played to the end");
    let shown = dom_rows(&dom);
    assert_eq!(
        shown,
        screens.last().unwrap().0,
        "the last screen, cell for cell"
    );
    let text = shown.join("\n");
    for pid in &run.pids {
        assert!(
            text.contains(&pid.to_string()),
            "pid {pid} on the screen:\n{text}"
        );
    }
    let (_, beats) = screens
        .iter()
        .rev()
        .find(|(_, beats)| !beats.is_empty())
        .unwrap();
    let words = first_words(&beats.last().unwrap().text);
    assert!(
        text.contains(&words),
        "the last beat's words {words:?} on the screen:\n{text}"
    );
}

/// The start of a narration text, whole words, short enough to sit on the
/// panel's first line.
fn first_words(text: &str) -> String {
    let mut words = String::new();
    for word in text.split_whitespace() {
        if words.len() + word.len() > 30 {
            break;
        }
        if !words.is_empty() {
            words.push(' ');
        }
        words.push_str(word);
    }
    words
}

#[test]
fn a_chapter_shows_the_screen_of_its_beat() {
    let Some(chromium) = chromium() else { return };
    let mut run = exported("chunked-map", &["items=200", "work_ms=2"]);
    let screens = screens(&mut run.session);
    // A beat reached after the start, whose screen is not the last.
    let (at, beat) = screens
        .iter()
        .enumerate()
        .find_map(|(i, (_, beats))| beats.iter().find(|b| b.number >= 2).map(|b| (i, b)))
        .expect("a second beat");
    let (beat, words) = (beat.number, first_words(&beat.text));
    assert!(at + 1 < screens.len());
    let url = format!("file://{}#chapter={beat}&paused", run.page.display());
    let dom = dump_dom(&chromium, &url, 5_000);
    assert_eq!(player_attr(&dom, "state"), "paused");
    assert_eq!(player_attr(&dom, "chapter"), beat.to_string());
    assert_eq!(
        dom_rows(&dom),
        screens[at].0,
        "the screen when beat {beat} was reached"
    );
    let text = dom_rows(&dom).join("\n");
    assert!(text.contains(&format!("Narration · {beat}/")), "{text}");
    assert!(
        text.contains(&words),
        "the beat's words {words:?} on the screen:\n{text}"
    );
    let current = &dom[..dom
        .find(r#"aria-current="true""#)
        .expect("a current chapter")];
    let button = &current[current.rfind("<button").unwrap()..];
    assert!(
        button.contains(&format!(r#"data-chapter="{beat}""#)),
        "{button}"
    );
}
