//! The pacer, without a run: when a lesson's run holds at a beat or a
//! question, and what →, ←, an answer and `b` do.

use forklore::lesson::manifest::Text;
use forklore::lesson::predict::{Answer, Choice, Prediction};
use forklore::lesson::say::Said;
use forklore::lesson::{Go, Pace, Pacer, Quiz};

fn question(beat: usize) -> Prediction {
    let text = |s: &str| Text {
        en: s.into(),
        zh: String::new(),
    };
    let choice = |is: &str| Choice {
        text: text(is),
        is: is.into(),
    };
    Prediction {
        beat,
        reveal: None,
        guard: None,
        question: Said::plain(text("how many?")),
        fact: "garbled".into(),
        choices: vec![choice("0"), choice("> 0")],
        why: Said::plain(text("because")),
    }
}

fn no_questions() -> Quiz {
    Quiz::new(Vec::new(), 5)
}

#[test]
fn beat_by_beat_holds_at_each_beat_until_the_teacher_goes_on() {
    let mut quiz = no_questions();
    let mut p = Pacer::new(Pace::Beats, 5);
    assert_eq!(p.reached(1, &quiz), Go::Hold);
    assert_eq!((p.shown(), p.is_held()), (1, true));
    assert_eq!(p.reached(1, &quiz), Go::Stay, "nothing new");
    assert_eq!(p.next(1, &mut quiz), Go::Release);
    assert!(!p.is_held());
    assert_eq!(p.next(1, &mut quiz), Go::Stay, "→ while running: nothing");
    assert_eq!(p.reached(2, &quiz), Go::Hold);
    // Two more beats came in the same burst, before the processes stopped:
    // they are shown one by one, and the run stays stopped meanwhile.
    assert_eq!(p.reached(4, &quiz), Go::Stay);
    assert_eq!(p.shown(), 2);
    assert_eq!(p.next(4, &mut quiz), Go::Hold);
    assert_eq!(p.shown(), 3);
    assert_eq!(p.next(4, &mut quiz), Go::Hold);
    assert_eq!(p.next(4, &mut quiz), Go::Release);
    // The last beat: the run is over or ending, nothing to hold for.
    assert_eq!(p.reached(5, &quiz), Go::Stay);
    assert_eq!((p.shown(), p.is_held()), (5, false));
}

#[test]
fn left_shows_earlier_beats_and_right_comes_back() {
    let mut quiz = no_questions();
    let mut p = Pacer::new(Pace::Beats, 5);
    p.reached(1, &quiz);
    p.next(1, &mut quiz);
    p.reached(2, &quiz);
    p.next(2, &mut quiz);
    p.reached(3, &quiz);
    p.back();
    assert_eq!((p.shown(), p.current()), (2, 3));
    assert!(p.is_looking_back());
    p.back();
    p.back();
    assert_eq!(p.shown(), 1, "not before the first beat");
    assert_eq!(p.next(3, &mut quiz), Go::Stay);
    assert_eq!(p.next(3, &mut quiz), Go::Stay);
    assert_eq!(
        (p.shown(), p.is_held()),
        (3, true),
        "back at the current beat"
    );
    assert_eq!(p.next(3, &mut quiz), Go::Release);
}

#[test]
fn a_free_pace_runs_on_but_holds_for_a_question() {
    let mut quiz = Quiz::new(vec![question(4)], 5);
    let mut p = Pacer::new(Pace::Free, 5);
    assert_eq!(p.reached(1, &quiz), Go::Stay);
    assert_eq!(p.reached(3, &quiz), Go::Stay);
    assert_eq!(p.shown(), 3, "follows the narration");
    assert_eq!(p.reached(5, &quiz), Go::Hold, "beat 4 asks");
    assert_eq!((p.shown(), p.asking()), (4, Some(0)));
    assert!(p.answer(3, 5, &mut quiz).is_err(), "two choices");
    assert_eq!(p.asking(), Some(0), "still asking");
    assert_eq!(p.answer(2, 5, &mut quiz), Ok(Go::Release));
    assert_eq!(p.shown(), 5, "on to where the narration is");
    assert!(p.answer(1, 5, &mut quiz).is_err(), "nothing asked now");
}

#[test]
fn right_passes_over_a_question_and_questions_of_one_beat_come_in_turn() {
    let mut quiz = Quiz::new(vec![question(1), question(1)], 3);
    let mut p = Pacer::new(Pace::Beats, 3);
    assert_eq!(p.reached(1, &quiz), Go::Hold);
    assert_eq!(p.asking(), Some(0));
    assert_eq!(p.next(1, &mut quiz), Go::Stay, "the second question");
    assert_eq!(p.asking(), Some(1));
    assert_eq!(p.answer(1, 1, &mut quiz), Ok(Go::Release));
    quiz.reveal(3, &Default::default(), &Default::default());
    let answers: Vec<Answer> = quiz.verdicts_at(3).map(|v| v.answer).collect();
    assert_eq!(answers, vec![Answer::Skipped, Answer::Chose(0)]);
}

#[test]
fn b_switches_between_beat_by_beat_and_free() {
    let mut quiz = no_questions();
    let mut p = Pacer::new(Pace::Beats, 5);
    p.reached(1, &quiz);
    p.reached(3, &quiz);
    assert_eq!(p.set_pace(Pace::Free, 3, &mut quiz), Go::Release);
    assert_eq!((p.shown(), p.is_held()), (3, false), "caught up");
    assert_eq!(p.set_pace(Pace::Beats, 3, &mut quiz), Go::Stay);
    assert_eq!(p.reached(4, &quiz), Go::Hold, "holds from the next beat");
    // A question keeps its hold when the pace goes free.
    let mut quiz = Quiz::new(vec![question(2)], 5);
    let mut p = Pacer::new(Pace::Beats, 5);
    p.reached(1, &quiz);
    p.next(1, &mut quiz);
    p.reached(2, &quiz);
    assert_eq!(p.set_pace(Pace::Free, 2, &mut quiz), Go::Stay);
    assert_eq!(p.asking(), Some(0));
}
