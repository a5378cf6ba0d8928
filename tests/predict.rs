//! `[[predict]]`: conditions on facts, manifest validation (file, line and
//! field named), and answers checked against a run's facts.

use forklore::lesson::condition::{Condition, FactExpr};
use forklore::lesson::facts::Facts;
use forklore::lesson::manifest::parse;
use forklore::lesson::predict::{Answer, Quiz};
use forklore::lesson::Settings;

const LESSON: &str = r#"slug = "demo"
title = { en = "Demo", zh = "演示" }
summary = { en = "A demo.", zh = "一个演示。" }
outcome = "garbled"

[[param]]
name = "items"
type = "int"
default = 1000

[[beat]]
when = "start"
en = "Go"

[[beat]]
when = "write"
en = "Writing"

[[beat]]
when = "end"
en = "Done"

[[predict]]
beat = 1
question = { en = "How many lines garble?", zh = "会有几行串行?" }
fact = "garbled"
choices = [
  { en = "none", zh = "没有", is = "0" },
  { en = "a few", zh = "几行", is = "1..10" },
  { en = "many", zh = "很多", is = "> 10" },
]
why = { en = "Each line is several writes.", zh = "每行分几次写出。" }

[[predict]]
beat = 2
reveal = 3
question = { en = "Does main keep them all?", zh = "主进程全都有吗?" }
fact = "parent_len"
choices = [
  { en = "nothing", zh = "什么都没有", is = "0" },
  { en = "all {items}", zh = "全部 {items} 个", is = "{items}" },
]
"#;

fn error_of(text: &str) -> String {
    parse("lessons/09-demo/lesson.toml", text)
        .unwrap_err()
        .to_string()
}

#[test]
fn a_lesson_with_questions_loads() {
    let m = parse("x.toml", LESSON).unwrap();
    assert_eq!(m.outcome.as_deref(), Some("garbled"));
    assert_eq!(m.predictions.len(), 2);
    assert_eq!(m.predictions[0].choices[2].is, "> 10");
    assert_eq!(m.predictions[1].reveal_beat(3), 3);
    assert_eq!(
        m.predictions[0].reveal_beat(3),
        3,
        "the last beat by default"
    );
}

#[test]
fn an_unknown_fact_names_file_line_and_field() {
    let bad = LESSON.replace("fact = \"parent_len\"", "fact = \"parent_length\"");
    let e = error_of(&bad);
    assert!(
        e.starts_with(
            "lessons/09-demo/lesson.toml:38: field `predict.fact`: unknown fact `parent_length`"
        ),
        "{e}"
    );
    assert!(e.contains("parent_len"), "lists the facts: {e}");
    let bad = LESSON.replace("outcome = \"garbled\"", "outcome = \"garbles\"");
    let e = error_of(&bad);
    assert!(
        e.starts_with("lessons/09-demo/lesson.toml:4: field `outcome`: unknown fact `garbles`"),
        "{e}"
    );
}

#[test]
fn bad_questions_are_located() {
    let cases = [
        (
            "beat = 2\nreveal = 3",
            "beat = 7\nreveal = 3",
            35,
            "predict.beat",
        ),
        ("reveal = 3", "reveal = 1", 36, "predict.reveal"),
        ("is = \"> 10\"", "is = \"> ten\"", 30, "predict.choices.is"),
        ("is = \"1..10\"", "is = \"10..1\"", 29, "predict.choices.is"),
        (
            "  { en = \"nothing\", zh = \"什么都没有\", is = \"0\" },\n",
            "",
            39,
            "predict.choices",
        ),
        (
            "fact = \"garbled\"",
            "fact = \"garbled >\"",
            26,
            "predict.fact",
        ),
    ];
    for (from, to, line, field) in cases {
        let bad = LESSON.replacen(from, to, 1);
        assert_ne!(bad, LESSON, "{from} is in the lesson");
        let e = error_of(&bad);
        let want = format!("lessons/09-demo/lesson.toml:{line}: field `{field}`");
        assert!(e.starts_with(&want), "{from} → {to}: {e}");
    }
    let bad = LESSON.replace("question = { en = \"Does", "questoin = { en = \"Does");
    assert!(error_of(&bad).contains("questoin"), "{}", error_of(&bad));
}

#[test]
fn conditions_hold_for_the_values_they_describe() {
    let holds = |c: &str, v: &str| Condition::parse(c).unwrap().holds(v);
    assert!(holds("0", "0") && !holds("0", "3"));
    assert!(holds("== 7", "07"), "numbers compare as numbers");
    assert!(holds("tie", "tie") && !holds("tie", "1"));
    assert!(holds("-15", "-15"));
    assert!(holds("!= 0", "3") && !holds("!= 0", "0"));
    assert!(holds("> 10", "11") && !holds("> 10", "10"));
    assert!(holds(">= 10", "10") && holds("<= 2", "2") && holds("< 2", "1"));
    assert!(holds("1..10", "1") && holds("1..10", "10") && !holds("1..10", "11"));
    assert!(!holds("> 0", "mixed"), "a text is no number");
    assert!(holds("true", "true"));
    assert!(holds("<= 1.5", "1.5") && holds("> 0", "0.5") && holds("== 5", "5.0"));
    for bad in ["", ">", "> x", "3..", "9..2", "<= inf"] {
        assert!(Condition::parse(bad).is_err(), "{bad:?} parses");
    }
}

fn facts(pairs: &[(&'static str, &str)]) -> Facts {
    pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

#[test]
fn a_fact_can_be_asked_as_yes_or_no() {
    let expr = FactExpr::parse("lost_updates > 0").unwrap();
    assert_eq!(
        expr.value(&facts(&[("lost_updates", "3")])).unwrap(),
        "true"
    );
    assert_eq!(
        expr.value(&facts(&[("lost_updates", "0")])).unwrap(),
        "false"
    );
    assert_eq!(expr.value(&facts(&[])), None, "not produced yet");
    assert_eq!(expr.label(), "Manager counter updates lost to races > 0");
}

fn quiz() -> Quiz {
    let m = parse("x.toml", LESSON).unwrap();
    Quiz::new(m.predictions, m.beats.len())
}

#[test]
fn the_runs_facts_decide_each_answer() {
    let mut settings = Settings::default();
    settings.0.insert("items".into(), toml::Value::Integer(300));
    let mut q = quiz();
    assert_eq!(q.open_at(1), Some(0));
    assert_eq!(q.open_at(2), Some(1));
    assert!(q.answer(0, 4).is_err(), "three choices");
    q.answer(0, 2).unwrap();
    assert_eq!(q.open_at(1), None, "answered");
    q.answer(1, 2).unwrap();
    // Beat 2 shown: nothing is revealed before its beat.
    q.reveal(2, &facts(&[("garbled", "4")]), &settings);
    assert_eq!(q.verdicts_at(3).count(), 0);
    // The end: 4 garbled lines (choice 2, "a few"), main holds nothing.
    let end = facts(&[("garbled", "4"), ("parent_len", "0")]);
    q.reveal(3, &end, &settings);
    let v: Vec<_> = q.verdicts_at(3).collect();
    assert_eq!(v.len(), 2);
    assert_eq!(v[0].decision.value.as_deref(), Some("4"));
    assert_eq!(v[0].decision.right, Some(1));
    assert!(v[0].is_right());
    assert_eq!(v[1].decision.right, Some(0), "0 items: `nothing`");
    assert!(!v[1].is_right());
    assert_eq!(q.score(), (1, 2));
    assert!(q.is_over());
}

#[test]
fn placeholders_in_conditions_come_from_the_run() {
    let mut settings = Settings::default();
    settings.0.insert("items".into(), toml::Value::Integer(300));
    let p = &parse("x.toml", LESSON).unwrap().predictions[1];
    let all = p.decide(&facts(&[("parent_len", "300")]), &settings);
    assert_eq!(all.right, Some(1), "{{items}} is this run's 300");
    let other = p.decide(&facts(&[("parent_len", "1000")]), &settings);
    assert_eq!(other.right, None, "no choice says 1000");
    assert_eq!(other.value.as_deref(), Some("1000"));
}

#[test]
fn skipped_and_unrevealed_questions_do_not_count() {
    let mut q = quiz();
    q.skip(0);
    q.answer(1, 1).unwrap();
    q.reveal(
        3,
        &facts(&[("garbled", "0"), ("parent_len", "0")]),
        &Settings::default(),
    );
    let answers: Vec<Answer> = q.verdicts_at(3).map(|v| v.answer).collect();
    assert_eq!(answers, vec![Answer::Skipped, Answer::Chose(0)]);
    assert_eq!(q.score(), (1, 1));
    let empty = Quiz::new(Vec::new(), 3);
    assert!(empty.is_empty() && empty.is_over());
}

/// Every question of every lesson is decided by the lesson's recorded real
/// run: at its reveal beat the fact exists and one choice is right.
#[test]
fn every_lesson_question_is_decided_by_its_recorded_run() {
    use forklore::lesson::{bundled_recording, facts::facts, Catalog};
    use forklore::replay::Replay;
    use forklore::session::Session;
    let catalog = Catalog::embedded().unwrap();
    for lesson in &catalog.lessons {
        let m = &lesson.manifest;
        assert!(m.outcome.is_some(), "{} names its outcome", lesson.slug());
        let asked: Vec<_> = m
            .predictions
            .iter()
            .filter(|p| p.is_asked(&lesson.defaults()))
            .collect();
        assert!(
            (2..=3).contains(&asked.len()),
            "{}: 2 or 3 questions with its defaults",
            lesson.slug()
        );
        let events = bundled_recording(lesson.slug()).unwrap();
        for p in &m.predictions {
            let versions = p.question.versions().chain(p.why.versions());
            assert!(versions.into_iter().all(|t| !t.zh.is_empty()), "zh");
        }
        for p in asked {
            let mut session = Session::replay(Replay::new(events.clone(), m.beats.clone()));
            let reveal = p.reveal_beat(m.beats.len());
            while session.narration.reached() < reveal && session.step() {}
            let f = facts(&session.model, &m.watch);
            let d = p.decide(&f, &lesson.defaults());
            assert!(
                d.right.is_some(),
                "{}: `{}` = {:?} matches no choice",
                lesson.slug(),
                p.fact,
                d.value
            );
        }
    }
}

/// A question with an `if` is asked only in runs whose parameters meet
/// it: the quiz keeps the others.
#[test]
fn a_quiz_keeps_only_the_questions_this_runs_parameters_ask() {
    use forklore::lesson::{Catalog, Quiz};
    let catalog = Catalog::embedded().unwrap();
    let lesson = catalog.find("chunked-map").unwrap();
    let m = &lesson.manifest;
    let asked = |sets: &[String]| {
        let settings = lesson.settings_from(sets).unwrap();
        let mut quiz = Quiz::new(m.predictions.clone(), m.beats.len());
        quiz.keep_asked(&settings);
        (0..quiz.len())
            .map(|q| quiz.question(q).unwrap().question.text.en.clone())
            .collect::<Vec<_>>()
    };
    let python_chooses = asked(&[]);
    assert_eq!(python_chooses.len(), 2);
    assert!(python_chooses[0].contains("Python chooses the chunk size"));
    let given = asked(&["chunksize=50".into()]);
    assert_eq!(given.len(), 2);
    assert!(
        given[0].contains("map is given chunksize {chunksize}"),
        "{given:?}"
    );
}
