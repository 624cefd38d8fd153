//! The `word_cloud` and `slide` kinds in the room: a cloud's answers checked, final and
//! unscored, revealed as counted words with blocked ones kept out; a slide shown with no
//! answers, no timer and no reveal, moved on from by the host; both through a restart.

use super::kinds_tests::{result_of, started, started_with, stored_answers};
use super::restore_tests::Db;
use super::state::{Effect, Effects, Room, Settings, Target};
use super::tests::{answer, errors, host, sent, settings, HOST};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, Mode, PhaseName, Quiz, QuizDoc, ServerMsg, WordCount,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A right-or-wrong question, a slide, a word cloud, a second question; answering opens at once.
fn lesson() -> Arc<Quiz> {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Oceans",
        "read_s": 0,
        "questions": [
            {"kind":"choice","text":"Largest ocean?","choices":["Pacific","Atlantic"],
             "correct":[0],"time_limit_s":10},
            {"kind":"slide","title":"Part 2","text":"Now the deep sea."},
            {"kind":"word_cloud","text":"One word for the sea?","time_limit_s":10},
            {"kind":"choice","text":"Deepest trench?","choices":["Mariana","Java"],
             "correct":[0],"time_limit_s":10}
        ]
    }))
    .expect("a quiz document");
    Arc::new(doc.validate().expect("valid"))
}

/// One word cloud question, answering open at once.
fn cloud_only() -> Arc<Quiz> {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Cloud", "read_s": 0,
        "questions": [{"kind":"word_cloud","text":"One word for the sea?","time_limit_s":10}]
    }))
    .expect("a quiz document");
    Arc::new(doc.validate().expect("valid"))
}

fn words(fx: &Effects) -> (Vec<(String, u32)>, u32) {
    match sent(fx, |m| matches!(m, ServerMsg::QuestionClosed { .. })).first() {
        Some(ServerMsg::QuestionClosed {
            words: Some(w),
            filtered: Some(f),
            ..
        }) => (
            w.iter()
                .map(|WordCount { text, count }| (text.clone(), *count))
                .collect(),
            *f,
        ),
        other => panic!("no word cloud reveal: {other:?}"),
    }
}

fn text(t: &str) -> AnswerValue {
    AnswerValue::Text(t.into())
}

/// Plays question 0 (everyone right at once) and moves on to the slide.
fn to_the_slide(room: &mut Room, players: u32, t: Instant) -> Effects {
    for p in 1..=players {
        answer(room, p, 0, AnswerValue::Choice(0), t);
    }
    host(room, ClientMsg::Next, t);
    host(room, ClientMsg::Next, t)
}

fn questions_sent(fx: &Effects) -> Vec<(u32, quizrace_protocol::QuestionKind)> {
    sent(fx, |m| matches!(m, ServerMsg::Question(_)))
        .into_iter()
        .filter_map(|m| match m {
            ServerMsg::Question(q) => Some((q.index, q.kind)),
            _ => None,
        })
        .collect()
}

// ----- word cloud -------------------------------------------------------------------------

#[test]
fn a_word_cloud_answer_of_more_than_three_words_or_too_long_is_refused_and_nothing_stored() {
    let t0 = Instant::now();
    let (mut room, _) = started(cloud_only(), 1, t0);
    for bad in [
        text("one two three four"),
        text("abcdefghijklmnopqrstu"),
        text(&"word ".repeat(2000)),
        text("   "),
        AnswerValue::Choice(0),
    ] {
        let fx = answer(&mut room, 1, 0, bad.clone(), t0);
        assert_eq!(errors(&fx), [ErrorCode::BadField], "{bad:?}");
        assert_eq!(stored_answers(&fx), 0, "{bad:?} stored");
    }
    let fx = answer(&mut room, 1, 0, text("  deep   blue sea "), t0);
    assert!(errors(&fx).is_empty(), "{:?}", errors(&fx));
    let stored = fx.iter().find_map(|e| match e {
        Effect::Persist(super::state::Write::Answer { answer, .. }) => Some(answer.clone()),
        _ => None,
    });
    assert_eq!(stored, Some(text("deep blue sea")), "kept tidy");
}

#[test]
fn a_word_cloud_answer_is_final_scores_nothing_and_leaves_the_streak_alone() {
    let t0 = Instant::now();
    let (mut room, _) = started(lesson(), 2, t0);
    to_the_slide(&mut room, 2, t0);
    host(&mut room, ClientMsg::Next, t0); // the word cloud
    let fx = answer(&mut room, 1, 2, text("waves"), t0);
    assert!(errors(&fx).is_empty());
    let fx = answer(&mut room, 1, 2, text("salt"), t0);
    assert_eq!(errors(&fx), [ErrorCode::AlreadyAnswered]);
    assert_eq!(stored_answers(&fx), 0);
    let fx = answer(&mut room, 2, 2, text("salt"), t0);
    assert_eq!(
        result_of(&fx, 1),
        Some((None, 0)),
        "unscored: neither right nor wrong"
    );
    assert_eq!(room.scores()[0].1, room.scores()[1].1);
    // The streak of question 0 runs on into question 3: 1000 and a bonus of 100.
    host(&mut room, ClientMsg::Next, t0);
    host(&mut room, ClientMsg::Next, t0);
    answer(&mut room, 2, 3, AnswerValue::Choice(0), t0);
    let fx = answer(&mut room, 1, 3, AnswerValue::Choice(0), t0);
    assert_eq!(result_of(&fx, 1), Some((Some(true), 1100)));
}

#[test]
fn the_cloud_counts_answers_ignoring_case_and_accents_and_keeps_blocked_ones_out() {
    let t0 = Instant::now();
    let settings = Settings {
        teams: None,
        blocked_words: vec!["darn".to_owned()].into(),
        ..settings(Mode::Classic)
    };
    let (mut room, _) = started_with(settings, cloud_only(), 5, t0);
    let given = ["Café", "cafe", "CAFÉ", "darn it", "tea"];
    let mut last = Effects::new();
    for (i, g) in given.iter().enumerate() {
        let at = t0 + Duration::from_millis(10 * i as u64);
        last = answer(&mut room, i as u32 + 1, 0, text(g), at);
        assert!(errors(&last).is_empty(), "{g}: blocked words are acked too");
    }
    let (cloud, filtered) = words(&last);
    assert_eq!(cloud, [("Café".to_owned(), 3), ("tea".to_owned(), 1)]);
    assert_eq!(filtered, 1);
    let closed = sent(&last, |m| matches!(m, ServerMsg::QuestionClosed { .. }));
    assert!(
        matches!(closed[0], ServerMsg::QuestionClosed { counts, answered: 5, .. } if counts.is_empty())
    );
}

#[test]
fn no_word_reaches_a_phone_before_the_reveal() {
    let t0 = Instant::now();
    let (mut room, mut before) = started(cloud_only(), 3, t0);
    before.extend(answer(&mut room, 1, 0, text("lighthouse"), t0));
    before.extend(answer(&mut room, 2, 0, text("lighthouse"), t0));
    for e in &before {
        if let Effect::Send(to, m) = e {
            let frame = serde_json::to_string(m).expect("serialises");
            assert!(
                !frame.contains("lighthouse") && !frame.contains("words"),
                "leaked to {to:?} before the reveal: {frame}"
            );
        }
    }
    let fx = answer(&mut room, 3, 0, text("Lighthouse"), t0);
    assert_eq!(words(&fx).0, [("lighthouse".to_owned(), 3)]);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::Send(Target::Everyone, ServerMsg::QuestionClosed { .. })
    )));
}

#[test]
fn a_word_cloud_restored_after_a_crash_reveals_the_same_cloud() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let (mut room, fx) = started(cloud_only(), 3, t0);
    db.apply(&fx, t0);
    let t1 = t0 + Duration::from_secs(1);
    db.apply(&answer(&mut room, 1, 0, text("Ocean"), t1), t1);
    db.apply(&answer(&mut room, 2, 0, text("océan"), t1), t1);
    let crash = t1 + Duration::from_millis(100);
    let mut back = Room::restore(
        settings(Mode::Classic),
        cloud_only(),
        db.saved(crash),
        crash,
    )
    .expect("restore");
    back.attach_host(HOST, "key", true, crash, &mut Effects::new())
        .expect("the host comes back");
    back.resume(1, "tok1", crash, &mut Effects::new())
        .expect("the player comes back");
    let fx = answer(&mut back, 1, 0, text("again"), crash);
    assert_eq!(errors(&fx), [ErrorCode::AlreadyAnswered], "still final");
    let restored = words(&host(&mut back, ClientMsg::Close, crash));
    let live = words(&host(&mut room, ClientMsg::Close, crash));
    assert_eq!(restored, live, "the same cloud as without the crash");
    assert_eq!(restored.0, [("Ocean".to_owned(), 2)]);
}

// ----- slide ------------------------------------------------------------------------------

#[test]
fn a_slide_takes_no_answer_and_next_opens_the_next_question_without_a_reveal() {
    let t0 = Instant::now();
    let (mut room, _) = started(lesson(), 2, t0);
    let fx = to_the_slide(&mut room, 2, t0);
    assert_eq!(
        questions_sent(&fx),
        [(1, quizrace_protocol::QuestionKind::Slide)]
    );
    let slide = sent(&fx, |m| matches!(m, ServerMsg::Question(_)));
    let ServerMsg::Question(q) = slide[0] else {
        unreachable!()
    };
    assert_eq!(
        (
            q.title.as_deref(),
            q.text.as_str(),
            q.time_limit_ms,
            q.total
        ),
        (Some("Part 2"), "Now the deep sea.", 0, 4)
    );
    assert_eq!(
        room.phase_name(),
        PhaseName::Question,
        "on the wire, a question"
    );
    for value in [AnswerValue::Choice(0), text("hello")] {
        let fx = answer(&mut room, 1, 1, value, t0);
        assert_eq!(errors(&fx), [ErrorCode::BadPhase]);
        assert_eq!(stored_answers(&fx), 0);
    }
    assert_eq!(
        errors(&host(&mut room, ClientMsg::Close, t0)),
        [ErrorCode::BadPhase],
        "nothing to close"
    );
    let fx = host(&mut room, ClientMsg::Next, t0);
    assert!(sent(&fx, |m| matches!(
        m,
        ServerMsg::QuestionClosed { .. } | ServerMsg::Result { .. } | ServerMsg::Leaderboard { .. }
    ))
    .is_empty());
    assert_eq!(
        questions_sent(&fx),
        [(2, quizrace_protocol::QuestionKind::WordCloud)]
    );
}

#[test]
fn a_slide_has_no_timer_and_waits_for_the_host() {
    let t0 = Instant::now();
    let (mut room, _) = started(lesson(), 1, t0);
    to_the_slide(&mut room, 1, t0);
    let later = t0 + Duration::from_secs(600);
    assert!(room.next_wake() > later, "nothing due but the idle timeout");
    let mut fx = Effects::new();
    room.tick(later, &mut fx);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(room.phase_name(), PhaseName::Question);
}

#[test]
fn a_slide_in_a_room_that_advances_by_itself_moves_on_by_itself() {
    let t0 = Instant::now();
    let settings = Settings {
        auto_advance_ms: Some(4000),
        ..settings(Mode::Classic)
    };
    let (mut room, _) = started_with(settings, lesson(), 1, t0);
    let fx = to_the_slide(&mut room, 1, t0);
    assert_eq!(questions_sent(&fx).len(), 1);
    let mut fx = Effects::new();
    room.tick(t0 + Duration::from_secs(4), &mut fx);
    assert_eq!(
        questions_sent(&fx),
        [(2, quizrace_protocol::QuestionKind::WordCloud)]
    );
}

#[test]
fn a_slide_last_in_the_quiz_ends_the_game_on_next() {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "T", "read_s": 0,
        "questions": [
            {"kind":"choice","text":"?","choices":["a","b"],"correct":[0],"time_limit_s":10},
            {"kind":"slide","text":"Thanks for playing!"}
        ]
    }))
    .expect("doc");
    let t0 = Instant::now();
    let (mut room, _) = started(Arc::new(doc.validate().expect("valid")), 1, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(0), t0);
    host(&mut room, ClientMsg::Next, t0);
    host(&mut room, ClientMsg::Next, t0);
    let fx = host(&mut room, ClientMsg::Next, t0);
    assert_eq!(room.phase_name(), PhaseName::Finished);
    assert_eq!(
        sent(&fx, |m| matches!(m, ServerMsg::GameOver { .. })).len(),
        1
    );
}

#[test]
fn a_player_joining_during_a_slide_is_shown_it() {
    let t0 = Instant::now();
    let (mut room, _) = started(lesson(), 1, t0);
    to_the_slide(&mut room, 1, t0);
    let mut fx = Effects::new();
    room.join(2, "Late", "tok2".into(), t0, &mut fx)
        .expect("join");
    let welcome = sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }));
    assert!(
        matches!(welcome[0], ServerMsg::Welcome { phase: PhaseName::Question, question: Some(q), .. }
            if q.kind == quizrace_protocol::QuestionKind::Slide && q.index == 1),
        "{welcome:?}"
    );
}

#[test]
fn a_restart_during_a_slide_shows_the_slide_again_with_scores_intact() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let (mut room, fx) = started(lesson(), 2, t0);
    db.apply(&fx, t0);
    db.apply(&answer(&mut room, 1, 0, AnswerValue::Choice(0), t0), t0);
    db.apply(&answer(&mut room, 2, 0, AnswerValue::Choice(1), t0), t0);
    db.apply(&host(&mut room, ClientMsg::Next, t0), t0);
    db.apply(&host(&mut room, ClientMsg::Next, t0), t0);
    let crash = t0 + Duration::from_secs(30);
    let mut back =
        Room::restore(settings(Mode::Classic), lesson(), db.saved(crash), crash).expect("restore");
    back.check_invariants();
    assert_eq!(back.digest(), room.digest());
    back.attach_host(HOST, "key", true, crash, &mut Effects::new())
        .expect("the host comes back");
    let fx = host(&mut back, ClientMsg::Next, crash);
    assert_eq!(
        questions_sent(&fx),
        [(2, quizrace_protocol::QuestionKind::WordCloud)]
    );
}
