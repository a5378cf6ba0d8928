//! The lesson's narration: the beat on screen with this run's numbers
//! filled in, where it stands among the lesson's beats, and the lesson's
//! questions: the one asked now with its choices, and at a question's
//! reveal beat the verdict (right or wrong, the real value and why), then
//! the score.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::{panel, LessonView, View};
use crate::lesson::facts::facts;
use crate::lesson::manifest::Beat;
use crate::lesson::predict::{Answer, Prediction, Verdict};
use crate::lesson::say::Env;
use crate::lesson::turn::Turn;
use crate::lesson::{Lang, Pace};
use crate::model::{Model, RunState};

pub fn render(frame: &mut Frame, area: Rect, view: &View) {
    let Some(lesson) = view.lesson else { return };
    let inner = (area.width.saturating_sub(2), area.height.saturating_sub(2));
    let hint = area.height > 3 && lesson_has_hint(view, &lesson);
    let mut text = lines(view, &lesson, hint);
    // The "more to come" hint gives way to the beat's own words.
    if hint && needed(&text, inner.0) > inner.1 {
        text.pop();
    }
    let mut title = title(view, &lesson);
    if needed(&text, inner.0) > inner.1 {
        // Never cut silently: the title says the text goes on.
        title.push_str(words(
            lesson.lang,
            "· cut: enlarge the window ",
            "· 未显示完:请放大窗口 ",
        ));
    }
    frame.render_widget(
        Paragraph::new(text)
            .block(panel(view, title))
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// Rows the narration needs at `width` (borders included): the beat with
/// this run's words, a question asked or the verdicts, wrapped as the
/// panel wraps them. (The "more to come" hint takes a row only when one
/// is left over.)
pub fn rows(view: &View, width: u16) -> u16 {
    let Some(lesson) = view.lesson else { return 0 };
    let text = lines(view, &lesson, false);
    let inner = width.saturating_sub(2).max(1);
    needed(&text, inner).saturating_add(2)
}

/// The panel's lines as text (without the "more to come" hint, which
/// gives way when room is short): what a screen must show whole.
pub fn texts(view: &View) -> Vec<String> {
    let Some(lesson) = view.lesson else {
        return Vec::new();
    };
    lines(view, &lesson, false)
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

/// Rows `text` takes word-wrapped at `width` columns, as ratatui wraps it.
fn needed(text: &[Line<'static>], width: u16) -> u16 {
    let para = Paragraph::new(text.to_vec()).wrap(Wrap { trim: false });
    u16::try_from(para.line_count(width.max(1))).unwrap_or(u16::MAX)
}

/// Whether the panel ends with "… more when the run gets there": beats
/// are still to come, and no question, turn or held beat is shown.
fn lesson_has_hint(view: &View, lesson: &LessonView) -> bool {
    let asking = lesson.pacer.is_some_and(|p| p.asking().is_some());
    let more = lesson.beat() < lesson.narration.beats().len();
    more && !asking && stepped(view, lesson).is_none() && lesson.pacer.is_none_or(|p| !p.is_held())
}

fn title(view: &View, lesson: &LessonView) -> String {
    if stepped(view, lesson).is_some() {
        return format!(
            " {} ",
            words(lesson.lang, "Your turn · step mode", "轮到你了 · 单步模式")
        );
    }
    let total = lesson.narration.beats().len();
    let mut title = format!(" Narration · {}/{} ", lesson.beat(), total);
    if let Some(p) = lesson.pacer {
        if p.is_looking_back() {
            let back = words(lesson.lang, "earlier beat, → back to", "前面的一段,→ 回到");
            title.push_str(&format!("· {back} {} ", p.current()));
        } else if p.pace == Pace::Beats {
            title.push_str(&format!(
                "· {} ",
                words(lesson.lang, "beat by beat", "逐段")
            ));
        }
    }
    if let Some(variant) = lesson.variant {
        title.push_str(&format!("· variant: {variant} "));
    }
    title
}

/// The panel's lines; `hint`: end with "… more when the run gets there"
/// (callers ask [`lesson_has_hint`] whether it belongs).
fn lines(view: &View, lesson: &LessonView, hint: bool) -> Vec<Line<'static>> {
    let facts = facts(view.model, lesson.watch);
    let env = Env::new(lesson.settings, &facts);
    let beat = lesson.beat();
    if let Some(turn) = stepped(view, lesson) {
        let finished = matches!(view.model.state, RunState::Finished(_));
        let text = turn.say(finished, lesson.lang, &env);
        return vec![Line::styled(text, view.theme.bold())];
    }
    let text = match lesson.narration.beats().get(beat.wrapping_sub(1)) {
        Some(b) => b.text.say(lesson.lang, &env),
        None => String::new(),
    };
    let mut lines = vec![Line::styled(text, view.theme.bold())];
    let quiz = lesson.quiz.filter(|q| !q.is_empty());
    let asking = lesson.pacer.and_then(|p| p.asking());
    let looking_back = lesson.pacer.is_some_and(|p| p.is_looking_back());
    if let (Some(quiz), Some(q), false) = (quiz, asking, looking_back) {
        if let Some(p) = quiz.question(q) {
            lines.extend(question(view, lesson, p, &env));
        }
        return lines;
    }
    if let Some(quiz) = quiz {
        for v in quiz.verdicts_at(beat) {
            if let Some(p) = quiz.question(v.question) {
                lines.extend(verdict(view, lesson, p, v, &env));
            }
        }
        let last = beat == lesson.narration.beats().len();
        if last && quiz.is_over() {
            lines.push(score(view, lesson.lang, quiz.score()));
        }
    }
    if hint {
        let note = words(
            lesson.lang,
            "… more when the run gets there",
            "…… 运行到那里时还有下文",
        );
        lines.push(Line::styled(note, view.theme.dim()));
    }
    lines
}

/// The lesson's task while its run is stepped (step mode on, or steps
/// taken in this run).
fn stepped<'a>(view: &View, lesson: &LessonView<'a>) -> Option<&'a Turn> {
    let steps = &view.model.steps;
    lesson.turn.filter(|_| steps.on || !steps.taken.is_empty())
}

/// A beat's words as the panel shows them: in the lesson's language, the
/// case and the numbers of this run (its settings, `model`'s facts).
pub fn beat_text(beat: &Beat, model: &Model, lesson: &LessonView) -> String {
    let facts = facts(model, lesson.watch);
    beat.text
        .say(lesson.lang, &Env::new(lesson.settings, &facts))
}

fn question(view: &View, lesson: &LessonView, p: &Prediction, env: &Env) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(vec![
        Span::styled("? ", view.theme.warn()),
        Span::styled(p.question.say(lesson.lang, env), view.theme.warn()),
    ])];
    for (i, c) in p.choices.iter().enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}  ", i + 1), view.theme.bold()),
            Span::styled(env.fill(c.text.get(lesson.lang)), view.theme.text()),
        ]));
    }
    let n = p.choices.len();
    let hint = match lesson.lang {
        Lang::Zh => format!("按 1–{n} 作答(→ 跳过)"),
        Lang::En => format!("press 1–{n} to answer (→ passes)"),
    };
    lines.push(Line::styled(hint, view.theme.dim()));
    lines
}

/// "✔ Right: garbled = 32 → most: more than 25", then why.
fn verdict(
    view: &View,
    lesson: &LessonView,
    p: &Prediction,
    v: &Verdict,
    env: &Env,
) -> Vec<Line<'static>> {
    let lang = lesson.lang;
    let choice = |i: usize| {
        let text = p.choices.get(i).map(|c| c.text.get(lang)).unwrap_or("");
        format!("{} “{}”", i + 1, env.fill(text))
    };
    let value = v.decision.value.as_deref().unwrap_or("?");
    let real = match v.decision.right {
        Some(r) => format!("{} = {value} → {}", p.fact, choice(r)),
        None => format!(
            "{} = {value}: {}",
            p.fact,
            words(lang, "none of the choices", "哪个选项都不对")
        ),
    };
    let (mark, style, head) = match v.answer {
        _ if v.is_right() => ("✔ ", view.theme.good(), words(lang, "Right", "答对了")),
        Answer::Chose(_) => (
            "✘ ",
            view.theme.bad(),
            words(lang, "Not this time", "没猜中"),
        ),
        _ => ("· ", view.theme.dim(), words(lang, "Passed", "跳过")),
    };
    let mut first = vec![
        Span::styled(format!("{mark}{head}: "), style.patch(view.theme.bold())),
        Span::styled(real, view.theme.text()),
    ];
    if let (Answer::Chose(c), false) = (v.answer, v.is_right()) {
        let chose = words(lang, "you chose", "你选了");
        first.push(Span::styled(
            format!(" ({chose} {})", choice(c)),
            view.theme.dim(),
        ));
    }
    let mut lines = vec![Line::from(first)];
    let why = p.why.say(lang, env);
    if !why.is_empty() {
        lines.push(Line::styled(format!("  {why}"), view.theme.dim()));
    }
    lines
}

fn score(view: &View, lang: Lang, (right, answered): (usize, usize)) -> Line<'static> {
    let text = match lang {
        Lang::Zh => format!("预测:{answered} 题中猜中 {right} 题"),
        Lang::En => format!("{right} of {answered} predicted"),
    };
    Line::styled(text, view.theme.bold().patch(view.theme.good()))
}

fn words(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}
