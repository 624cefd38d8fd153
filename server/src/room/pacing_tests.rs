//! Pacing and feedback: the get-ready time before answering opens (and across a restart), the
//! explanation at the reveal, forgiven typos, partial credit on `multi` and race mode's rules.

use super::restore_tests::Db;
use super::state::{Effect, Effects, Room, Target, Write};
use super::tests::{answer, closed, errors, host, sent, settings, HOST};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, Mode, Picks, Quiz, QuizDoc, ServerMsg, ANSWER_GRACE_MS,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Read time of [`paced`]'s questions that do not set their own.
const READ: Duration = Duration::from_secs(3);
const LIMIT: Duration = Duration::from_secs(10);

/// A get-ready time of 3 s on the quiz, which the last question overrides with 0.
fn paced() -> Arc<Quiz> {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Paced",
        "read_s": 3,
        "questions": [
            {"kind":"choice","text":"Capital of Australia?","choices":["Sydney","Canberra"],
             "correct":[1],"time_limit_s":10,
             "explanation":"Canberra was built as a compromise between Sydney and Melbourne."},
            {"kind":"type_answer","text":"Capital of Australia?","accept":["Canberra"],
             "time_limit_s":10,"read_s":0},
            {"kind":"type_answer","text":"Capital of Australia, spelt right?","accept":["Canberra"],
             "time_limit_s":10,"read_s":0,"typo":"exact"},
            {"kind":"multi","text":"Which are prime?","choices":["2","3","4","5"],
             "correct":[0,1,3],"time_limit_s":10,"read_s":0,"partial":true}
        ]
    }))
    .expect("the paced quiz is a quiz document");
    Arc::new(doc.validate().expect("the paced quiz is valid"))
}

/// A room of [`paced`] in `mode` with a host and `n` players (conn ids 1..=n), in the lobby.
fn room(mode: Mode, n: u32, t0: Instant) -> (Room, Effects) {
    let mut room = Room::new(settings(mode), paced(), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    for i in 1..=n {
        room.join(
            u64::from(i),
            &format!("P{i}"),
            format!("tok{i}"),
            t0,
            &mut fx,
        )
        .expect("join");
    }
    (room, fx)
}

/// Moves from question `index`'s reveal to the next question, at `now`.
fn next_question(room: &mut Room, now: Instant) -> Effects {
    host(room, ClientMsg::Close, now);
    host(room, ClientMsg::Next, now);
    host(room, ClientMsg::Next, now)
}

fn stored_answers(fx: &Effects) -> usize {
    fx.iter()
        .filter(|e| matches!(e, Effect::Persist(Write::Answer { .. })))
        .count()
}

fn acked_elapsed(fx: &Effects) -> Option<u64> {
    fx.iter().find_map(|e| match e {
        Effect::Send(_, ServerMsg::AnswerAck { elapsed_ms, .. }) => Some(*elapsed_ms),
        _ => None,
    })
}

/// The personal result of player `p`: (correct, points, picks).
fn result_of(fx: &Effects, p: u32) -> Option<(Option<bool>, i64, Option<Picks>)> {
    fx.iter().find_map(|e| match e {
        Effect::Send(
            Target::Player(id),
            ServerMsg::Result {
                correct,
                points,
                picks,
                ..
            },
        ) if id.0 == p => Some((*correct, *points, *picks)),
        _ => None,
    })
}

fn question_frame(fx: &Effects) -> quizrace_protocol::QuestionView {
    match sent(fx, |m| matches!(m, ServerMsg::Question(_))).first() {
        Some(ServerMsg::Question(q)) => q.clone(),
        other => panic!("no question frame: {other:?}"),
    }
}

// ----- get ready -------------------------------------------------------------------------

#[test]
fn the_question_frame_says_when_answering_opens() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Classic, 1, t0);
    let q = question_frame(&host(&mut room, ClientMsg::Start, t0));
    assert_eq!(q.opens_in_ms, 3000);
    assert_eq!(
        q.remaining_ms, q.time_limit_ms,
        "the answering time is all ahead"
    );
}

#[test]
fn an_answer_in_the_get_ready_time_is_too_early_and_stores_nothing() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let early = t0 + READ - Duration::from_millis(1);
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), early);
    assert_eq!(errors(&fx), [ErrorCode::TooEarly]);
    assert_eq!(stored_answers(&fx), 0, "nothing stored");
    assert!(acked_elapsed(&fx).is_none());
    // Once answering opens, the same player answers, timed from the opening.
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + READ + Duration::from_millis(400),
    );
    assert!(errors(&fx).is_empty(), "{:?}", errors(&fx));
    assert_eq!(acked_elapsed(&fx), Some(400));
}

#[test]
fn the_answer_timer_starts_when_answering_opens() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let grace = Duration::from_millis(ANSWER_GRACE_MS);
    let mut fx = Effects::new();
    room.tick(t0 + LIMIT + grace + Duration::from_millis(1), &mut fx);
    assert!(
        !closed(&fx),
        "the get-ready time does not eat the answering time"
    );
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + READ + LIMIT - Duration::from_millis(1),
    );
    assert!(errors(&fx).is_empty(), "{:?}", errors(&fx));
    let mut fx = Effects::new();
    room.tick(t0 + READ + LIMIT + grace, &mut fx);
    assert!(closed(&fx), "the time is up a full limit after the opening");
}

#[test]
fn a_player_joining_in_the_get_ready_time_is_told_how_long_is_left() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Classic, 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    let mut fx = Effects::new();
    room.join(
        9,
        "Late",
        "tok9".into(),
        t0 + Duration::from_millis(1000),
        &mut fx,
    )
    .expect("join");
    let welcome = sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }));
    let Some(ServerMsg::Welcome {
        question: Some(q), ..
    }) = welcome.first()
    else {
        panic!("no welcome with the question: {welcome:?}");
    };
    assert_eq!(q.opens_in_ms, 2000);
    assert_eq!(q.remaining_ms, q.time_limit_ms);
}

#[test]
fn a_restart_in_the_get_ready_time_still_waits_for_answering_to_open() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let (mut room, fx) = room(Mode::Classic, 2, t0);
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    // The server stops 1 s into the 3 s get-ready time and is back at once.
    let back = t0 + Duration::from_secs(1);
    let mut restored =
        Room::restore(settings(Mode::Classic), paced(), db.saved(back), back).expect("restore");
    restored.check_invariants();
    assert_eq!(restored.digest(), room.digest());
    let mut fx = Effects::new();
    restored
        .resume(1, "tok1", back, &mut fx)
        .expect("the player resumes");
    let welcome = sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }));
    let Some(ServerMsg::Welcome {
        question: Some(q), ..
    }) = welcome.first()
    else {
        panic!("no welcome with the question: {welcome:?}");
    };
    assert_eq!(
        q.opens_in_ms, 2000,
        "the get-ready time goes on where it was"
    );
    let fx = answer(
        &mut restored,
        1,
        0,
        AnswerValue::Choice(1),
        back + Duration::from_millis(1500),
    );
    assert_eq!(errors(&fx), [ErrorCode::TooEarly]);
    let fx = answer(
        &mut restored,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + READ + Duration::from_millis(250),
    );
    assert_eq!(acked_elapsed(&fx), Some(250));
}

#[test]
fn a_race_won_just_before_a_crash_closes_on_the_first_tick_despite_its_get_ready_time() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let (mut room, fx) = room(Mode::Race, 2, t0);
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let t1 = t0 + READ + Duration::from_millis(500);
    let won = answer(&mut room, 1, 0, AnswerValue::Choice(1), t1);
    // Only the winning answer was committed: the crash came before the close's row.
    let answer_only: Effects = won
        .into_iter()
        .take_while(|e| !matches!(e, Effect::Persist(Write::Phase { .. })))
        .collect();
    db.apply(&answer_only, t1);
    // Back at once: the restored question must not wait out a get-ready time again.
    let mut back = Room::restore(settings(Mode::Race), paced(), db.saved(t1), t1).expect("restore");
    assert!(back.next_wake() <= t1, "the won race is due to close");
    let mut fx = Effects::new();
    back.tick(t1, &mut fx);
    assert!(closed(&fx), "{fx:?}");
}

#[test]
fn a_question_with_read_s_zero_opens_at_once() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Classic, 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    let t1 = t0 + READ;
    let fx = next_question(&mut room, t1);
    assert_eq!(question_frame(&fx).opens_in_ms, 0);
    let fx = answer(&mut room, 1, 1, AnswerValue::Text("Canberra".into()), t1);
    assert_eq!(acked_elapsed(&fx), Some(0));
}

// ----- explanation -----------------------------------------------------------------------

#[test]
fn the_explanation_comes_with_the_reveal_and_never_before() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Classic, 1, t0);
    let fx = host(&mut room, ClientMsg::Start, t0);
    let before = serde_json::to_string(&question_frame(&fx)).expect("json");
    assert!(!before.contains("compromise"), "{before}");
    let mut fx = Effects::new();
    room.join(2, "Late", "tok2".into(), t0, &mut fx)
        .expect("join");
    for e in &fx {
        if let Effect::Send(_, m) = e {
            let json = serde_json::to_string(m).expect("json");
            assert!(!json.contains("compromise"), "{json}");
        }
    }
    let fx = host(&mut room, ClientMsg::Close, t0 + READ);
    let closed = sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. }));
    let Some(ServerMsg::QuestionClosed { explanation, .. }) = closed.first() else {
        panic!("no question_closed");
    };
    assert_eq!(
        explanation.as_deref(),
        Some("Canberra was built as a compromise between Sydney and Melbourne.")
    );
}

// ----- typos -----------------------------------------------------------------------------

#[test]
fn a_typed_answer_with_one_typo_counts_unless_the_question_says_exact() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let t1 = t0 + READ;
    next_question(&mut room, t1);
    answer(&mut room, 1, 1, AnswerValue::Text("Canbera".into()), t1);
    let fx = answer(&mut room, 2, 1, AnswerValue::Text("Camberra".into()), t1);
    assert_eq!(result_of(&fx, 1).map(|r| r.0), Some(Some(true)), "forgiven");
    assert_eq!(result_of(&fx, 2).map(|r| r.0), Some(Some(true)), "forgiven");
    next_question(&mut room, t1);
    answer(&mut room, 1, 2, AnswerValue::Text("Canbera".into()), t1);
    let fx = answer(&mut room, 2, 2, AnswerValue::Text(" CANBERRA ".into()), t1);
    assert_eq!(result_of(&fx, 1).map(|r| r.0), Some(Some(false)), "exact");
    assert_eq!(
        result_of(&fx, 2).map(|r| r.0),
        Some(Some(true)),
        "case and spacing never count as typos"
    );
}

// ----- partial credit --------------------------------------------------------------------

#[test]
fn a_partly_right_multi_answer_earns_its_share_and_the_result_says_how_many() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Classic, 4, t0);
    host(&mut room, ClientMsg::Start, t0);
    let t1 = t0 + READ;
    next_question(&mut room, t1);
    next_question(&mut room, t1);
    next_question(&mut room, t1);
    // Correct: 2, 3, 5 (choices 0, 1, 3). All answer at once: a full answer scores 1000.
    answer(&mut room, 1, 3, AnswerValue::Choices(vec![0, 1, 3]), t1);
    answer(&mut room, 2, 3, AnswerValue::Choices(vec![0, 1]), t1);
    answer(&mut room, 3, 3, AnswerValue::Choices(vec![0, 1, 2]), t1);
    let fx = answer(&mut room, 4, 3, AnswerValue::Choices(vec![2]), t1);
    let picks = |right, wrong| {
        Some(Picks {
            right,
            wrong,
            of: 3,
        })
    };
    assert_eq!(result_of(&fx, 1), Some((Some(true), 1000, picks(3, 0))));
    // (2 − 0) ÷ 3 of 1000
    assert_eq!(result_of(&fx, 2), Some((Some(false), 667, picks(2, 0))));
    // (2 − 1) ÷ 3 of 1000
    assert_eq!(result_of(&fx, 3), Some((Some(false), 333, picks(2, 1))));
    // (0 − 1) floored at 0
    assert_eq!(result_of(&fx, 4), Some((Some(false), 0, picks(0, 1))));
}

#[test]
fn race_mode_gives_no_partial_credit() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Race, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let t1 = t0 + READ;
    next_question(&mut room, t1);
    next_question(&mut room, t1);
    next_question(&mut room, t1);
    answer(&mut room, 1, 3, AnswerValue::Choices(vec![0, 1]), t1);
    let fx = host(&mut room, ClientMsg::Close, t1);
    assert_eq!(result_of(&fx, 1).map(|r| r.1), Some(0));
}

// ----- race ------------------------------------------------------------------------------

#[test]
fn a_phone_learns_the_mode_when_it_joins() {
    let t0 = Instant::now();
    let (_, fx) = room(Mode::Race, 1, t0);
    let welcome = sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }));
    assert!(
        matches!(
            welcome.first(),
            Some(ServerMsg::Welcome {
                mode: Some(Mode::Race),
                ..
            })
        ),
        "{welcome:?}"
    );
}

#[test]
fn a_race_reveal_names_the_winner_and_their_time() {
    let t0 = Instant::now();
    let (mut room, _) = room(Mode::Race, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(
        &mut room,
        2,
        0,
        AnswerValue::Choice(0),
        t0 + READ + Duration::from_millis(100),
    );
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + READ + Duration::from_millis(1340),
    );
    let closed = sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. }));
    let Some(ServerMsg::QuestionClosed {
        first_correct: Some(w),
        ..
    }) = closed.first()
    else {
        panic!("the race is not won: {closed:?}");
    };
    assert_eq!((w.name.as_str(), w.elapsed_ms), ("P1", 1340));
}
