//! Lesson manifests: good ones load, bad ones name the file, line and field.

use forklore::lesson::manifest::parse;
use forklore::lesson::{Catalog, Lang};

const GOOD: &str = r#"slug = "demo"
title = { en = "Demo", zh = "演示" }
summary = { en = "A demo.", zh = "一个演示。" }
start_method = "spawn"
watch = ["pageList"]

[[param]]
name = "workers"
type = "int"
default = 2
min = 1
max = 16
help = { en = "Pool size", zh = "进程池大小" }

[[param]]
name = "fix"
type = "choice"
default = "none"
choices = ["none", "return"]

[[variant]]
name = { en = "fixed", zh = "修复" }
set = { fix = "return" }

[[beat]]
when = "start"
en = "Go {workers}"
zh = "开始"

[[beat]]
when = "chunk_take:3"
en = "Third chunk"
"#;

fn error_of(text: &str) -> String {
    parse("lessons/99-demo/lesson.toml", text)
        .unwrap_err()
        .to_string()
}

#[test]
fn a_good_manifest_loads() {
    let m = parse("x.toml", GOOD).unwrap();
    assert_eq!(m.slug, "demo");
    assert_eq!(m.params.len(), 2);
    assert_eq!(m.title.get(Lang::Zh), "演示");
    assert_eq!(m.beats[1].when, "chunk_take:3");
}

#[test]
fn syntax_error_names_file_and_line() {
    let bad = GOOD.replace("default = 2\n", "default = = 2\n");
    let e = error_of(&bad);
    assert!(e.starts_with("lessons/99-demo/lesson.toml:10:"), "{e}");
}

#[test]
fn missing_field_is_named() {
    let bad = GOOD.replace("slug = \"demo\"\n", "");
    let e = error_of(&bad);
    assert!(e.contains("field `slug`"), "{e}");
}

#[test]
fn default_out_of_range_names_the_param_line() {
    let bad = GOOD.replace("default = 2\n", "default = 40\n");
    let e = error_of(&bad);
    assert!(
        e.starts_with("lessons/99-demo/lesson.toml:8: field `param.workers`"),
        "{e}"
    );
    assert!(e.contains("40 is outside 1..=16"), "{e}");
}

#[test]
fn wrong_type_and_bad_choice() {
    let e = error_of(&GOOD.replace("default = 2\n", "default = \"two\"\n"));
    assert!(
        e.contains("param.workers") && e.contains("is not an integer"),
        "{e}"
    );
    let e = error_of(&GOOD.replace("set = { fix = \"return\" }", "set = { fix = \"maybe\" }"));
    assert!(
        e.contains("variant.set.fix") && e.contains("must be one of none, return"),
        "{e}"
    );
    let e = error_of(&GOOD.replace("set = { fix = \"return\" }", "set = { nope = 1 }"));
    assert!(e.contains("no parameter named `nope`"), "{e}");
}

#[test]
fn unknown_keys_and_bad_triggers_are_errors() {
    let e = error_of(&GOOD.replace("max = 16\n", "max = 16\nmaxx = 3\n"));
    assert!(e.contains("maxx"), "{e}");
    let e = error_of(&GOOD.replace("when = \"chunk_take:3\"", "when = \"chunk_taken\""));
    assert!(e.contains("field `beat.when`") && e.contains(":31:"), "{e}");
    let e = error_of(&GOOD.replace("start_method = \"spawn\"", "start_method = \"thread\""));
    assert!(e.contains(":4: field `start_method`"), "{e}");
}

#[test]
fn a_lessons_dir_with_a_bad_manifest_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let lesson = dir.path().join("01-demo");
    std::fs::create_dir(&lesson).unwrap();
    std::fs::write(lesson.join("main.py"), "print('hi')\n").unwrap();
    std::fs::write(
        lesson.join("lesson.toml"),
        GOOD.replace("default = 2\n", "default = 0\n"),
    )
    .unwrap();
    let e = Catalog::from_dir(dir.path()).unwrap_err();
    assert!(
        e.contains("01-demo/lesson.toml:8: field `param.workers`"),
        "{e}"
    );
    std::fs::write(lesson.join("lesson.toml"), GOOD).unwrap();
    let c = Catalog::from_dir(dir.path()).unwrap();
    assert_eq!(c.lessons[0].slug(), "demo");
    let s = c.lessons[0].settings_from(&["workers=3".into()]).unwrap();
    assert_eq!(s.script_args(), vec!["--fix", "none", "--workers", "3"]);
    let e = c.lessons[0]
        .settings_from(&["workers=99".into()])
        .unwrap_err();
    assert!(e.contains("workers: 99 is outside 1..=16"), "{e}");
    let e = c.lessons[0]
        .settings_from(&["threads=2".into()])
        .unwrap_err();
    assert!(
        e.contains("no parameter `threads`") && e.contains("workers (1..=16)"),
        "{e}"
    );
}

#[test]
fn embedded_lessons_all_load() {
    let c = Catalog::embedded().expect("every built-in manifest is valid");
    for l in &c.lessons {
        assert!(!l.manifest.beats.is_empty(), "{} has narration", l.slug());
        assert!(
            l.folder.ends_with(l.slug()),
            "{} lives in a folder named for it",
            l.slug()
        );
        for b in &l.manifest.beats {
            assert!(
                b.text.versions().all(|t| !t.zh.is_empty()),
                "{}: every beat (and each of its cases) has Chinese too",
                l.slug()
            );
        }
    }
}

#[test]
fn a_beat_speaks_english_or_chinese_and_its_errors_name_the_line() {
    let m = parse("x.toml", GOOD).unwrap();
    assert_eq!(m.beats[0].text.text.get(Lang::Zh), "开始");
    assert_eq!(
        m.beats[1].text.text.get(Lang::Zh),
        "Third chunk",
        "no zh: en"
    );
    let e = error_of(&GOOD.replace(
        "en = \"Third chunk\"\n",
        "en = \"Third chunk\"\nzhh = \"x\"\n",
    ));
    assert!(
        e.starts_with("lessons/99-demo/lesson.toml:33: field `zhh`")
            && e.contains("expected one of `when`, `en`, `zh`"),
        "{e}"
    );
}

#[test]
fn beats_wait_for_shim_events_not_the_supervisors() {
    let with_when =
        |when: &str| GOOD.replace("when = \"chunk_take:3\"", &format!("when = {when:?}"));
    for when in ["proc_spawn", "script_end:2", "end"] {
        assert!(parse("x.toml", &with_when(when)).is_ok(), "{when}");
    }
    for when in ["run_end", "run_paused", "run_resumed:2"] {
        let e = error_of(&with_when(when));
        assert!(e.contains("field `beat.when`"), "{when}: {e}");
    }
}

#[test]
fn every_lesson_has_a_theme_and_a_number_and_the_picker_groups_them() {
    use forklore::lesson::{Catalog, Theme};
    let catalog = Catalog::embedded().unwrap();
    let mut numbers = Vec::new();
    for l in &catalog.lessons {
        assert!(l.manifest.theme.is_some(), "{} has no theme", l.slug());
        numbers.push(l.number().expect("NN- folder"));
    }
    let mut sorted = numbers.clone();
    sorted.dedup();
    assert_eq!(sorted, numbers, "numbers are unique and in folder order");
    let themes: Vec<Theme> = catalog
        .picker_order()
        .into_iter()
        .map(|i| catalog.lessons[i].manifest.theme.unwrap())
        .collect();
    assert!(themes.windows(2).all(|w| w[0] <= w[1]), "{themes:?}");
    // Down from the last listed lesson wraps to the first, through all.
    let mut at = catalog.picker_order()[0];
    let mut seen = std::collections::HashSet::new();
    for _ in 0..catalog.lessons.len() {
        seen.insert(at);
        at = catalog.picker_step(at, true);
    }
    assert_eq!(seen.len(), catalog.lessons.len());
    assert_eq!(at, catalog.picker_order()[0]);
}

#[test]
fn an_unknown_theme_names_its_line() {
    let text =
        "slug = \"x\"\ntitle = { en = \"X\" }\nsummary = { en = \"S\" }\ntheme = \"cooking\"\n";
    let err = forklore::lesson::manifest::parse("lesson.toml", text).unwrap_err();
    assert_eq!(err.line, 4, "{err}");
    assert!(err.to_string().contains("cooking"), "{err}");
}

/// GOOD with a case on its last beat (lines 34-37).
fn with_case(guard: &str, en: &str) -> String {
    format!("{GOOD}\n[[beat.case]]\nif = \"{guard}\"\nen = \"{en}\"\nzh = \"返回了\"\n")
}

#[test]
fn a_beat_case_says_other_words_where_its_if_holds() {
    use forklore::lesson::facts::Facts;
    use forklore::lesson::say::Env;
    use forklore::lesson::Settings;
    let m = parse("x.toml", &with_case("fix == return", "Returned {workers}")).unwrap();
    let said = &m.beats[1].text;
    let settings = |fix: &str| {
        Settings(
            [
                ("fix".to_string(), toml::Value::String(fix.into())),
                ("workers".to_string(), toml::Value::Integer(3)),
            ]
            .into_iter()
            .collect(),
        )
    };
    let none = settings("none");
    let back = settings("return");
    let facts = Facts::new();
    assert_eq!(said.say(Lang::En, &Env::new(&none, &facts)), "Third chunk");
    assert_eq!(said.say(Lang::En, &Env::new(&back, &facts)), "Returned 3");
    assert_eq!(said.say(Lang::Zh, &Env::new(&back, &facts)), "返回了");
}

#[test]
fn a_bad_if_or_placeholder_names_its_line() {
    let e = error_of(&with_case("fix == retrun", "Returned"));
    assert!(
        e.starts_with("lessons/99-demo/lesson.toml:35: field `case.if`")
            && e.contains("never `retrun`"),
        "{e}"
    );
    let e = error_of(&with_case("nope > 1", "Returned"));
    assert!(
        e.contains(":35: field `case.if`") && e.contains("`nope`"),
        "{e}"
    );
    let e = error_of(&with_case("workers >", "Returned"));
    assert!(e.contains(":35: field `case.if`"), "{e}");
    let e = error_of(&with_case("lost_updates > 0", "Returned {job_chunk}"));
    assert!(
        e.starts_with("lessons/99-demo/lesson.toml:36: field `placeholder`")
            && e.contains("`{job_chunk}`"),
        "{e}"
    );
    // Braces around anything but a name are text.
    parse(
        "x.toml",
        &with_case("fix == return", "{\\\"tickets\\\": 0}"),
    )
    .unwrap();
}

#[test]
fn a_parameter_may_not_take_a_facts_name() {
    let e = error_of(
        &GOOD
            .replace("name = \"fix\"", "name = \"garbled\"")
            .replace(
                "set = { fix = \"return\" }",
                "set = { garbled = \"return\" }",
            ),
    );
    assert!(
        e.starts_with("lessons/99-demo/lesson.toml:16: field `param.name`")
            && e.contains("also a fact"),
        "{e}"
    );
}

#[test]
fn a_beat_may_wait_for_either_of_two_events() {
    let m = parse(
        "x.toml",
        &GOOD.replace("when = \"chunk_take:3\"", "when = \"callback|script_end\""),
    )
    .unwrap();
    assert_eq!(m.beats[1].when, "callback|script_end");
    let e = error_of(&GOOD.replace("when = \"chunk_take:3\"", "when = \"callback|nope\""));
    assert!(e.contains(":31: field `beat.when`"), "{e}");
}

#[test]
fn a_questions_if_names_parameters_only() {
    let question = |guard: &str| {
        format!(
            "{GOOD}\n[[predict]]\nbeat = 1\nif = \"{guard}\"\nquestion = {{ en = \"How many?\" }}\nfact = \"garbled\"\nchoices = [{{ en = \"0\", is = \"0\" }}, {{ en = \"more\", is = \"> 0\" }}]\n"
        )
    };
    let m = parse("x.toml", &question("fix == return")).unwrap();
    assert_eq!(m.predictions[0].guard.as_deref(), Some("fix == return"));
    assert!(!m.predictions[0].is_asked(&m_settings("none")));
    assert!(m.predictions[0].is_asked(&m_settings("return")));
    let e = error_of(&question("garbled > 0"));
    assert!(
        e.contains(":36: field `predict.if`") && e.contains("before the run"),
        "{e}"
    );
}

fn m_settings(fix: &str) -> forklore::lesson::Settings {
    forklore::lesson::Settings(
        [("fix".to_string(), toml::Value::String(fix.into()))]
            .into_iter()
            .collect(),
    )
}

/// `buffering` is one of the three modes (absent: the default, a
/// terminal); anything else names its line.
#[test]
fn buffering_is_a_mode_or_an_error_naming_its_line() {
    use forklore::protocol::Buffering;
    assert_eq!(parse("x.toml", GOOD).unwrap().buffering, None);
    let piped = GOOD.replace("watch = [", "buffering = \"pipe\"\nwatch = [");
    assert_eq!(
        parse("x.toml", &piped).unwrap().buffering,
        Some(Buffering::Pipe)
    );
    let e = error_of(&GOOD.replace("watch = [", "buffering = \"line\"\nwatch = ["));
    assert!(e.contains(":5: field `buffering`"), "{e}");
    assert!(e.contains("terminal") && e.contains("unbuffered"), "{e}");
}
