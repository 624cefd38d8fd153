//! Team talk: in a team game, a pause before each question's answering opens, after the
//! question's own read time. The frame says how long it is; an answer in it is `too_early`;
//! a slide has none; a restart in it waits for the rest.

use super::drive::quiz;
use super::restore_tests::Db;
use super::state::{Effect, Effects, Room, Settings};
use super::teams_tests::{join, room_of, team_settings};
use super::tests::{answer, errors, host, sent, HOST};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, Mode, QuestionKind, QuestionView, ServerMsg, TeamPlan,
};
use std::time::{Duration, Instant};

const TALK: Duration = Duration::from_secs(5);

fn talking() -> Settings {
    Settings {
        team_talk_ms: TALK.as_millis() as u64,
        ..team_settings(Mode::Classic, TeamPlan::Count(2))
    }
}

fn room(t0: Instant) -> (Room, Effects) {
    room_of(talking(), 2, t0)
}

fn question_frame(fx: &Effects) -> QuestionView {
    match sent(fx, |m| matches!(m, ServerMsg::Question(_))).first() {
        Some(ServerMsg::Question(q)) => q.clone(),
        other => panic!("no question frame: {other:?}"),
    }
}

/// Closes the open question and moves on to the next, at `now`; the next one's frame.
fn next_question(room: &mut Room, now: Instant) -> QuestionView {
    host(room, ClientMsg::Close, now);
    host(room, ClientMsg::Next, now);
    question_frame(&host(room, ClientMsg::Next, now))
}

#[test]
fn the_question_frame_says_how_long_the_team_talk_is_within_the_get_ready_time() {
    let t0 = Instant::now();
    let (mut room, _) = room(t0);
    let q = question_frame(&host(&mut room, ClientMsg::Start, t0));
    assert_eq!(
        (q.team_talk_ms, q.opens_in_ms),
        (5000, 5000),
        "no read time of its own"
    );
    let mut now = t0;
    for _ in 1..=5 {
        now += Duration::from_secs(20);
        let q = next_question(&mut room, now);
        if q.index == 5 {
            assert_eq!(
                (q.team_talk_ms, q.opens_in_ms),
                (5000, 13_000),
                "the talk follows the question's 8 s read time"
            );
        }
    }
}

#[test]
fn an_answer_in_the_team_talk_is_too_early_and_answers_are_timed_from_its_end() {
    let t0 = Instant::now();
    let (mut room, _) = room(t0);
    host(&mut room, ClientMsg::Start, t0);
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + TALK - Duration::from_millis(1),
    );
    assert_eq!(errors(&fx), [ErrorCode::TooEarly]);
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + TALK + Duration::from_millis(300),
    );
    assert!(errors(&fx).is_empty(), "{:?}", errors(&fx));
    let acked = fx.iter().find_map(|e| match e {
        Effect::Send(_, ServerMsg::AnswerAck { elapsed_ms, .. }) => Some(*elapsed_ms),
        _ => None,
    });
    assert_eq!(acked, Some(300));
}

#[test]
fn a_slide_has_no_team_talk() {
    let t0 = Instant::now();
    let (mut room, _) = room(t0);
    host(&mut room, ClientMsg::Start, t0);
    let mut q = next_question(&mut room, t0);
    while q.index < 7 {
        q = next_question(&mut room, t0);
    }
    assert_eq!(q.kind, QuestionKind::Slide, "the drive quiz's question 7");
    assert_eq!((q.team_talk_ms, q.opens_in_ms), (0, 0));
}

#[test]
fn a_room_without_teams_has_no_team_talk_whatever_its_settings_say() {
    let t0 = Instant::now();
    let mut room = Room::new(super::tests::settings(Mode::Classic), quiz(), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    join(&mut room, 1, t0, &mut fx);
    let q = question_frame(&host(&mut room, ClientMsg::Start, t0));
    assert_eq!((q.team_talk_ms, q.opens_in_ms), (0, 0));
}

#[test]
fn a_restart_in_the_team_talk_waits_for_the_rest_of_it() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let (mut room, fx) = room(t0);
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let back = t0 + Duration::from_secs(2);
    let mut restored = Room::restore(talking(), quiz(), db.saved(back), back).expect("restore");
    restored.check_invariants();
    assert_eq!(restored.digest(), room.digest());
    let mut fx = Effects::new();
    restored.resume(1, "tok1", back, &mut fx).expect("resume");
    let Some(ServerMsg::Welcome {
        question: Some(q), ..
    }) = sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }))
        .first()
        .copied()
    else {
        panic!("no welcome with the question");
    };
    assert_eq!((q.opens_in_ms, q.team_talk_ms), (3000, 5000));
    let fx = answer(
        &mut restored,
        1,
        0,
        AnswerValue::Choice(1),
        back + Duration::from_millis(2999),
    );
    assert_eq!(errors(&fx), [ErrorCode::TooEarly]);
}
