//! One attempt's rules, as claims.

use super::rules::{At, Attempt, Counted, RuleError};
use crate::room::scoring::classic_points;
use quizrace_protocol::{AnswerValue, Quiz, QuizDoc};

const DEADLINE: i64 = 1_000_000;

/// Three 10-second choice questions (the right choice is 1) with a 1-second get-ready time,
/// then a slide.
fn quiz() -> Quiz {
    let q = serde_json::json!({"kind":"choice","text":"?","choices":["a","b"],"correct":[1],
                               "time_limit_s":10});
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "T", "read_s": 1,
        "questions": [q, q, q, {"kind":"slide","title":"End","text":"Bye"}]
    }))
    .expect("doc");
    doc.validate().expect("valid")
}

fn right() -> AnswerValue {
    AnswerValue::Choice(1)
}

#[test]
fn the_first_next_shows_question_0_with_its_get_ready_time_ahead() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    assert_eq!(
        a.next(&quiz, 100),
        Ok(At::Open {
            index: 0,
            shown_ms: 100
        })
    );
    assert_eq!(a.time_left(&quiz, 100), Some((10_000, 1_000)));
    assert_eq!(a.time_left(&quiz, 3_100), Some((8_000, 0)));
}

#[test]
fn an_answer_scores_as_in_a_classic_live_game_and_the_streak_carries() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    a.next(&quiz, 0).unwrap();
    let first = a.answer(&quiz, "s", 0, right(), 1_000 + 5_000).unwrap();
    assert_eq!(first.elapsed_ms, 5_000);
    assert_eq!(first.points, classic_points(1000, 5_000, 10_000, 0));
    a.next(&quiz, 20_000).unwrap();
    let second = a.answer(&quiz, "s", 1, right(), 21_000).unwrap();
    assert_eq!(second.points, classic_points(1000, 0, 10_000, 1));
    assert_eq!(
        (a.score, a.streak, a.correct),
        (first.points + second.points, 2, 2)
    );
}

#[test]
fn answering_twice_is_refused_and_changes_nothing() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    a.next(&quiz, 0).unwrap();
    a.answer(&quiz, "s", 0, right(), 2_000).unwrap();
    let before = a.clone();
    assert_eq!(
        a.answer(&quiz, "s", 0, right(), 2_100),
        Err(RuleError::AlreadyAnswered)
    );
    assert_eq!(a, before);
}

#[test]
fn a_question_not_yet_shown_cannot_be_answered() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    assert_eq!(
        a.answer(&quiz, "s", 0, right(), 0),
        Err(RuleError::WrongQuestion)
    );
    a.next(&quiz, 0).unwrap();
    assert_eq!(
        a.answer(&quiz, "s", 1, right(), 2_000),
        Err(RuleError::WrongQuestion)
    );
}

#[test]
fn an_answer_in_the_get_ready_time_is_too_early() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    a.next(&quiz, 0).unwrap();
    assert_eq!(
        a.answer(&quiz, "s", 0, right(), 999),
        Err(RuleError::TooEarly)
    );
}

#[test]
fn late_answer_is_refused_after_the_personal_timer_and_its_grace() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    a.next(&quiz, 0).unwrap();
    assert_eq!(
        a.answer(&quiz, "s", 0, right(), 11_251),
        Err(RuleError::TooLate)
    );
    assert!(a.answer(&quiz, "s", 0, right(), 11_250).is_ok(), "grace");
}

#[test]
fn next_before_answering_or_the_timeout_is_refused() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    a.next(&quiz, 0).unwrap();
    assert_eq!(a.next(&quiz, 5_000), Err(RuleError::StillOpen));
}

#[test]
fn the_timer_closes_an_unanswered_question_once_and_breaks_the_streak() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    a.next(&quiz, 0).unwrap();
    a.answer(&quiz, "s", 0, right(), 1_000).unwrap();
    a.next(&quiz, 2_000).unwrap();
    assert_eq!(a.closes_at(&quiz), Some(2_000 + 11_250));
    assert_eq!(a.tick(&quiz, 13_249), None, "not yet");
    assert_eq!(a.tick(&quiz, 13_250), Some(1));
    assert_eq!(
        a.tick(&quiz, 13_251),
        None,
        "a stale wake-up changes nothing"
    );
    assert_eq!(a.streak, 0);
    assert_eq!(
        a.answer(&quiz, "s", 1, right(), 13_300),
        Err(RuleError::TooLate)
    );
    assert!(a.next(&quiz, 14_000).is_ok());
}

#[test]
fn a_slide_takes_no_answer_and_moves_on_at_once_to_the_end() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    for i in 0..3 {
        a.next(&quiz, 0).unwrap();
        a.answer(&quiz, "s", i, right(), 1_000).unwrap();
    }
    assert!(matches!(
        a.next(&quiz, 2_000),
        Ok(At::Open { index: 3, .. })
    ));
    assert_eq!(a.closes_at(&quiz), None);
    assert_eq!(
        a.answer(&quiz, "s", 3, right(), 4_000),
        Err(RuleError::Slide)
    );
    assert_eq!(a.next(&quiz, 2_001), Ok(At::Done));
    assert_eq!(a.next(&quiz, 2_002), Err(RuleError::Over));
}

#[test]
fn nothing_is_accepted_from_the_deadline_on() {
    let (quiz, mut a) = (quiz(), Attempt::new(5_000));
    a.next(&quiz, 0).unwrap();
    assert_eq!(
        a.answer(&quiz, "s", 0, right(), 5_000),
        Err(RuleError::Closed)
    );
    assert_eq!(a.next(&quiz, 5_000), Err(RuleError::Closed));
    assert_eq!(
        Attempt::new(5_000).next(&quiz, 5_000),
        Err(RuleError::Closed)
    );
}

#[test]
fn a_wrongly_shaped_answer_is_refused_and_changes_nothing() {
    let (quiz, mut a) = (quiz(), Attempt::new(DEADLINE));
    a.next(&quiz, 0).unwrap();
    let before = a.clone();
    assert!(matches!(
        a.answer(&quiz, "s", 0, AnswerValue::Choice(7), 2_000),
        Err(RuleError::Mismatch(_))
    ));
    assert_eq!(a, before);
}

#[test]
fn a_restored_attempt_has_the_score_and_streak_of_its_answers() {
    let answers = [
        Counted {
            index: 0,
            correct: Some(false),
            points: 0,
        },
        Counted {
            index: 1,
            correct: Some(true),
            points: 900,
        },
    ];
    let at = At::Open {
        index: 2,
        shown_ms: 50,
    };
    let a = Attempt::restore(DEADLINE, at, &answers);
    assert_eq!((a.score, a.streak, a.correct, a.at), (900, 1, 1, at));
}
