//! The room's rules without sockets: plain tests on the state machine, a seeded random walk
//! that checks invariants after every step, and the actor's timers on tokio's paused clock.

use super::drive::quiz;
use super::state::{
    Effect, Effects, GameStatus, PlayerStatus, Room, Saved, SavedAnswer, SavedPhase, SavedPlayer,
    Settings, StoredPhase, Target, Write,
};
use crate::secret::secret_hash;
use quizrace_protocol::{
    AnswerValue, ClientMsg, CloseReason, ErrorCode, GameId, Mode, Pin, PlayerId, QuizDoc, ServerMsg,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(super) fn settings(mode: Mode) -> Settings {
    Settings {
        pin: Pin("123456".into()),
        game_id: GameId(1),
        mode,
        max_players: 100,
        auto_advance_ms: None,
        chat: true,
        host_key: secret_hash("key"),
        names: quizrace_protocol::NamePolicy::Free,
    }
}

pub(super) const HOST: u64 = 1000;

/// A room with a host attached and `n` players joined (conn ids 1..=n).
pub(super) fn room_with(mode: Mode, n: u32, t0: Instant) -> Room {
    room_and_effects(mode, n, t0).0
}

/// [`room_with`], and the effects of setting it up (the rows it stored).
fn room_and_effects(mode: Mode, n: u32, t0: Instant) -> (Room, Effects) {
    let mut room = Room::new(settings(mode), quiz(), t0);
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

pub(super) fn host(room: &mut Room, msg: ClientMsg, now: Instant) -> Effects {
    let mut fx = Effects::new();
    room.host_msg(HOST, msg, now, &mut fx);
    room.check_invariants();
    fx
}

pub(super) fn answer(
    room: &mut Room,
    p: u32,
    index: u32,
    value: AnswerValue,
    at: Instant,
) -> Effects {
    let (choice, choices, text) = match value {
        AnswerValue::Choice(c) => (Some(c), None, None),
        AnswerValue::Choices(c) => (None, Some(c), None),
        AnswerValue::Text(t) => (None, None, Some(t)),
    };
    let msg = ClientMsg::Answer {
        index,
        choice,
        choices,
        text,
    };
    let mut fx = Effects::new();
    room.player_msg(u64::from(p), PlayerId(p), msg, at, at, &mut fx);
    room.check_invariants();
    fx
}

fn errors(fx: &Effects) -> Vec<ErrorCode> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(_, ServerMsg::Error { code, .. }) => Some(*code),
            _ => None,
        })
        .collect()
}

pub(super) fn sent<'a>(
    fx: &'a Effects,
    pick: impl Fn(&ServerMsg) -> bool + 'a,
) -> Vec<&'a ServerMsg> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Send(_, m) if pick(m) => Some(m),
            _ => None,
        })
        .collect()
}

fn closed(fx: &Effects) -> bool {
    !sent(fx, |m| matches!(m, ServerMsg::QuestionClosed { .. })).is_empty()
}

fn result_for(fx: &Effects, p: u32) -> Option<(i64, i64, u32)> {
    fx.iter().find_map(|e| match e {
        Effect::Send(
            Target::Player(id),
            ServerMsg::Result {
                points,
                score,
                rank,
                ..
            },
        ) if *id == PlayerId(p) => Some((*points, *score, *rank)),
        _ => None,
    })
}

#[test]
fn answer_is_acked_only_after_its_row_is_persisted() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_secs(1),
    );
    let persist = fx
        .iter()
        .position(|e| matches!(e, Effect::Persist(Write::Answer { .. })));
    let ack = fx
        .iter()
        .position(|e| matches!(e, Effect::Send(_, ServerMsg::AnswerAck { .. })));
    assert!(persist.is_some() && ack.is_some());
    assert!(
        persist < ack,
        "the row comes first: the actor holds what follows it"
    );
}

#[test]
fn late_answer_is_refused_after_the_deadline() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let late = t0 + Duration::from_millis(10_000 + 251);
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), late);
    assert_eq!(errors(&fx), vec![ErrorCode::TooLate]);
}

#[test]
fn answer_in_the_grace_counts_at_half_points() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_millis(10_200),
    );
    assert!(errors(&fx).is_empty());
    assert_eq!(result_for(&fx, 1), Some((500, 500, 1)));
}

#[test]
fn timer_closes_the_question_and_later_answers_are_too_late() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let deadline = room.next_wake();
    assert_eq!(deadline, t0 + Duration::from_millis(10_250));
    let mut fx = Effects::new();
    room.tick(deadline - Duration::from_millis(1), &mut fx);
    assert!(!closed(&fx), "not before the deadline");
    room.tick(deadline, &mut fx);
    assert!(closed(&fx));
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), deadline);
    assert_eq!(errors(&fx), vec![ErrorCode::TooLate]);
    let fx = answer(&mut room, 1, 3, AnswerValue::Choice(1), deadline);
    assert_eq!(errors(&fx), vec![ErrorCode::WrongQuestion]);
}

#[test]
fn classic_closes_when_every_connected_player_answered() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    assert!(!closed(&answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(0),
        t0
    )));
    assert!(!closed(&answer(
        &mut room,
        2,
        0,
        AnswerValue::Choice(1),
        t0
    )));
    let fx = answer(&mut room, 3, 0, AnswerValue::Choice(1), t0);
    assert!(closed(&fx), "the last answer closes the question");
}

#[test]
fn a_dropped_player_holds_the_question_open_only_for_the_reconnect_grace() {
    use super::state::RECONNECT_GRACE;
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    let mut fx = Effects::new();
    room.conn_closed(3, t0, &mut fx);
    answer(&mut room, 1, 0, AnswerValue::Choice(0), t0);
    let fx = answer(&mut room, 2, 0, AnswerValue::Choice(1), t0);
    assert!(!closed(&fx), "player 3 may be reloading: wait");
    assert!(room.next_wake() <= t0 + RECONNECT_GRACE);
    let mut fx = Effects::new();
    room.tick(t0 + RECONNECT_GRACE - Duration::from_millis(1), &mut fx);
    assert!(!closed(&fx));
    room.tick(t0 + RECONNECT_GRACE, &mut fx);
    assert!(
        closed(&fx),
        "player 3 did not come back: everyone connected has answered"
    );
}

#[test]
fn a_player_who_answered_then_reloaded_closes_the_question_on_return() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    answer(&mut room, 3, 0, AnswerValue::Choice(1), t0);
    let mut fx = Effects::new();
    room.conn_closed(3, t0, &mut fx);
    let fx = answer(&mut room, 2, 0, AnswerValue::Choice(0), t0);
    assert!(!closed(&fx), "player 3 is away: the reconnect grace holds");
    let back = t0 + Duration::from_millis(400);
    let mut fx = Effects::new();
    room.resume(33, "tok3", back, &mut fx).expect("resume");
    assert!(
        closed(&fx),
        "everyone is back and has answered: nobody is left to wait for"
    );
}

#[test]
fn a_player_who_reloads_mid_question_can_still_answer() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    answer(&mut room, 2, 0, AnswerValue::Choice(1), t0);
    let mut fx = Effects::new();
    room.conn_closed(3, t0, &mut fx);
    let mut fx = Effects::new();
    room.tick(t0 + Duration::from_millis(100), &mut fx);
    assert!(!closed(&fx));
    let back = t0 + Duration::from_millis(400);
    let mut fx = Effects::new();
    room.resume(33, "tok3", back, &mut fx).expect("resume");
    let mut fx = Effects::new();
    let msg = ClientMsg::Answer {
        index: 0,
        choice: Some(1),
        choices: None,
        text: None,
    };
    room.player_msg(33, PlayerId(3), msg, back, back, &mut fx);
    assert!(errors(&fx).is_empty(), "the returning player answers");
    assert!(closed(&fx), "and that was the last answer");
}

#[test]
fn being_right_on_a_question_worth_nothing_costs_no_rank() {
    let doc: QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "t",
        "questions": [
            {"kind":"choice","text":"warm-up","choices":["a","b"],"correct":[0],"points":"none"}
        ]
    }))
    .expect("doc");
    let t0 = Instant::now();
    let mut room = Room::new(
        settings(Mode::Classic),
        Arc::new(doc.validate().expect("valid")),
        t0,
    );
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    room.join(1, "Right", "t1".into(), t0, &mut fx)
        .expect("join");
    room.join(2, "Wrong", "t2".into(), t0, &mut fx)
        .expect("join");
    host(&mut room, ClientMsg::Start, t0);
    answer(
        &mut room,
        2,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_millis(100),
    );
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(0),
        t0 + Duration::from_millis(900),
    );
    assert_eq!(result_for(&fx, 1), Some((0, 0, 1)));
    assert_eq!(
        result_for(&fx, 2),
        Some((0, 0, 1)),
        "equal scores share the rank, whatever the time"
    );
    let fx = host(&mut room, ClientMsg::Next, t0 + Duration::from_secs(1));
    let order: Vec<PlayerId> = sent(&fx, |m| matches!(m, ServerMsg::Leaderboard { .. }))
        .iter()
        .flat_map(|m| match m {
            ServerMsg::Leaderboard { top, .. } => top.iter().map(|s| s.player_id).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(
        order,
        [PlayerId(1), PlayerId(2)],
        "join order, not the time, orders the tie"
    );
}

#[test]
fn second_answer_is_refused_and_first_stands() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(0), t0);
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    assert_eq!(errors(&fx), vec![ErrorCode::AlreadyAnswered]);
    let fx = host(&mut room, ClientMsg::Close, t0);
    assert_eq!(
        result_for(&fx, 1).map(|r| r.0),
        Some(0),
        "the wrong first answer stands"
    );
}

#[test]
fn race_has_exactly_one_winner_and_closes_at_once() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Race, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    let at = t0 + Duration::from_millis(700);
    let fx = answer(&mut room, 2, 0, AnswerValue::Choice(0), at); // wrong: no close
    assert!(!closed(&fx));
    let fx = answer(&mut room, 3, 0, AnswerValue::Choice(1), at);
    assert!(closed(&fx), "the first correct answer closes the race");
    assert_eq!(
        result_for(&fx, 3).map(|r| r.0),
        Some(1000),
        "base points, no speed factor"
    );
    assert_eq!(result_for(&fx, 1).map(|r| r.0), Some(0));
    let first = sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. }));
    match first[0] {
        ServerMsg::QuestionClosed { first_correct, .. } => {
            assert_eq!(
                first_correct.as_ref().map(|f| f.player_id),
                Some(PlayerId(3))
            )
        }
        _ => unreachable!(),
    }
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), at);
    assert_eq!(errors(&fx), vec![ErrorCode::TooLate]);
}

#[test]
fn multi_is_right_only_for_the_exact_set_and_type_answer_is_loose() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    host(&mut room, ClientMsg::Close, t0);
    host(&mut room, ClientMsg::Next, t0);
    host(&mut room, ClientMsg::Next, t0); // question 1: multi
    answer(&mut room, 1, 1, AnswerValue::Choices(vec![3, 1]), t0);
    answer(&mut room, 2, 1, AnswerValue::Choices(vec![1]), t0);
    let fx = answer(&mut room, 3, 1, AnswerValue::Choices(vec![1, 2, 3]), t0);
    assert_eq!(result_for(&fx, 1).map(|r| r.0), Some(1000));
    assert_eq!(result_for(&fx, 2).map(|r| r.0), Some(0));
    assert_eq!(result_for(&fx, 3).map(|r| r.0), Some(0));
    host(&mut room, ClientMsg::Next, t0);
    host(&mut room, ClientMsg::Next, t0); // question 2: type_answer
    answer(&mut room, 1, 2, AnswerValue::Text("  au ".into()), t0);
    answer(&mut room, 2, 2, AnswerValue::Text("Ag".into()), t0);
    let fx = answer(&mut room, 3, 2, AnswerValue::Text("AU".into()), t0);
    let counts = sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. }));
    match counts[0] {
        ServerMsg::QuestionClosed { counts, accept, .. } => {
            assert_eq!(
                counts,
                &vec![2, 1],
                "type_answer counts are [correct, wrong]"
            );
            assert_eq!(accept.as_deref(), Some(&["Au".to_owned()][..]));
        }
        _ => unreachable!(),
    }
}

#[test]
fn wrong_answer_form_is_a_bad_field_and_changes_nothing() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    let fx = answer(&mut room, 1, 0, AnswerValue::Text("4".into()), t0);
    assert_eq!(errors(&fx), vec![ErrorCode::BadField]);
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(7), t0);
    assert_eq!(errors(&fx), vec![ErrorCode::BadField]);
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    assert!(errors(&fx).is_empty(), "the player can still answer");
}

#[test]
fn poll_vote_can_change_and_scores_nothing() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    for _ in 0..3 {
        host(&mut room, ClientMsg::Close, t0);
        host(&mut room, ClientMsg::Next, t0);
        host(&mut room, ClientMsg::Next, t0);
    }
    let fx = answer(&mut room, 1, 3, AnswerValue::Choice(0), t0);
    assert!(errors(&fx).is_empty());
    let fx = answer(&mut room, 1, 3, AnswerValue::Choice(1), t0);
    assert!(errors(&fx).is_empty(), "a poll vote may change");
    assert_eq!(
        sent(&fx, |m| matches!(m, ServerMsg::AnswerAck { .. })).len(),
        1
    );
    let fx = host(&mut room, ClientMsg::Close, t0);
    match sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. }))[0] {
        ServerMsg::QuestionClosed {
            counts,
            correct,
            first_correct,
            ..
        } => {
            assert_eq!(counts, &vec![0, 1], "only the last vote counts");
            assert!(correct.is_none() && first_correct.is_none());
        }
        _ => unreachable!(),
    }
    let poll_result = fx.iter().find_map(|e| match e {
        Effect::Send(
            Target::Player(PlayerId(1)),
            ServerMsg::Result {
                correct, points, ..
            },
        ) => Some((*correct, *points)),
        _ => None,
    });
    assert_eq!(poll_result, Some((None, 0)));
}

#[test]
fn streak_bonus_adds_100_per_correct_answer_in_a_row() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 1, t0);
    host(&mut room, ClientMsg::Start, t0);
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    assert_eq!(result_for(&fx, 1).map(|r| r.0), Some(1000));
    host(&mut room, ClientMsg::Next, t0);
    host(&mut room, ClientMsg::Next, t0);
    let fx = answer(&mut room, 1, 1, AnswerValue::Choices(vec![1, 3]), t0);
    assert_eq!(result_for(&fx, 1).map(|r| (r.0, r.1)), Some((1100, 2100)));
}

#[test]
fn resume_keeps_identity_score_and_answer() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    let mut fx = Effects::new();
    room.conn_closed(1, t0, &mut fx);
    let mut fx = Effects::new();
    let id = room.resume(77, "tok1", t0, &mut fx).expect("resume");
    assert_eq!(id, PlayerId(1));
    match sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }))[0] {
        ServerMsg::Welcome {
            player_id,
            name,
            question,
            ..
        } => {
            assert_eq!((*player_id, name.as_str()), (PlayerId(1), "P1"));
            assert_eq!(question.as_ref().and_then(|q| q.answered), Some(true));
        }
        _ => unreachable!(),
    }
    let mut fx = Effects::new();
    room.player_msg(
        77,
        id,
        ClientMsg::Answer {
            index: 0,
            choice: Some(0),
            choices: None,
            text: None,
        },
        t0,
        t0,
        &mut fx,
    );
    assert_eq!(
        errors(&fx),
        vec![ErrorCode::AlreadyAnswered],
        "no second vote by reconnecting"
    );
    let mut fx = Effects::new();
    assert_eq!(
        room.resume(78, "nope", t0, &mut fx),
        Err(ErrorCode::BadToken)
    );
}

#[test]
fn a_second_resume_replaces_the_first_connection() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 1, t0);
    let mut fx = Effects::new();
    room.resume(50, "tok1", t0, &mut fx).expect("resume");
    assert!(fx.contains(&Effect::Send(
        Target::Conn(1),
        ServerMsg::error_code(ErrorCode::Replaced)
    )));
    assert!(fx.contains(&Effect::Disconnect(1)));
    let mut fx = Effects::new();
    room.player_msg(1, PlayerId(1), ClientMsg::List, t0, t0, &mut fx);
    assert!(fx.is_empty(), "the replaced socket is not obeyed");
}

#[test]
fn join_rules_names_capacity_lock_and_finish() {
    let t0 = Instant::now();
    let mut s = settings(Mode::Classic);
    s.max_players = 2;
    let mut room = Room::new(s, quiz(), t0);
    let mut fx = Effects::new();
    use super::state::JoinError::*;
    assert_eq!(room.join(1, "  ", "a".into(), t0, &mut fx), Err(BadName));
    assert_eq!(
        room.join(1, "x".repeat(21).as_str(), "a".into(), t0, &mut fx),
        Err(BadName)
    );
    assert_eq!(
        room.join(1, "<script>", "a".into(), t0, &mut fx),
        Err(BadName)
    );
    assert_eq!(
        room.join(1, " Zoë O'Neil ", "a".into(), t0, &mut fx),
        Ok(PlayerId(1))
    );
    assert_eq!(
        room.join(2, "ZOË o'neil", "b".into(), t0, &mut fx),
        Err(NameTaken)
    );
    assert_eq!(room.join(2, "Bo", "b".into(), t0, &mut fx), Ok(PlayerId(2)));
    assert_eq!(room.join(3, "Cy", "c".into(), t0, &mut fx), Err(RoomFull));
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    host(&mut room, ClientMsg::Lock { locked: true }, t0);
    host(
        &mut room,
        ClientMsg::Kick {
            player_id: PlayerId(2),
        },
        t0,
    );
    assert_eq!(room.join(3, "Cy", "c".into(), t0, &mut fx), Err(RoomLocked));
    host(&mut room, ClientMsg::Lock { locked: false }, t0);
    assert_eq!(
        room.join(3, "bo", "c".into(), t0, &mut fx),
        Err(NameTaken),
        "a kicked name stays taken"
    );
    assert_eq!(room.join(3, "Cy", "c".into(), t0, &mut fx), Ok(PlayerId(3)));
    host(&mut room, ClientMsg::End, t0);
    assert_eq!(
        room.join(4, "Di", "d".into(), t0, &mut fx),
        Err(GameFinished)
    );
}

#[test]
fn kicked_player_is_told_and_cannot_resume() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    let fx = host(
        &mut room,
        ClientMsg::Kick {
            player_id: PlayerId(2),
        },
        t0,
    );
    assert!(fx.contains(&Effect::Send(
        Target::Conn(2),
        ServerMsg::RoomClosed {
            reason: CloseReason::Kicked
        }
    )));
    assert!(fx.contains(&Effect::Disconnect(2)));
    let mut fx = Effects::new();
    assert_eq!(
        room.resume(9, "tok2", t0, &mut fx),
        Err(ErrorCode::BadToken)
    );
    let fx = host(
        &mut room,
        ClientMsg::Kick {
            player_id: PlayerId(2),
        },
        t0,
    );
    assert_eq!(errors(&fx), vec![ErrorCode::NoSuchPlayer]);
}

#[test]
fn host_commands_are_checked_against_the_phase() {
    let t0 = Instant::now();
    let mut room = Room::new(settings(Mode::Classic), quiz(), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    assert_eq!(
        errors(&host(&mut room, ClientMsg::Start, t0)),
        vec![ErrorCode::NoPlayers]
    );
    room.join(1, "A", "t".into(), t0, &mut fx).expect("join");
    assert_eq!(
        errors(&host(&mut room, ClientMsg::Next, t0)),
        vec![ErrorCode::BadPhase]
    );
    assert_eq!(
        errors(&host(&mut room, ClientMsg::Close, t0)),
        vec![ErrorCode::BadPhase]
    );
    assert!(errors(&host(&mut room, ClientMsg::Start, t0)).is_empty());
    assert_eq!(
        errors(&host(&mut room, ClientMsg::Start, t0)),
        vec![ErrorCode::BadPhase]
    );
    assert_eq!(
        errors(&host(&mut room, ClientMsg::Next, t0)),
        vec![ErrorCode::BadPhase]
    );
    let mut fx = Effects::new();
    assert_eq!(
        room.attach_host(5, "wrong", false, t0, &mut fx),
        Err(ErrorCode::Unauthorized)
    );
}

#[test]
fn chat_respects_the_switch_the_limit_and_direct_targets() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    let chat = |room: &mut Room, to: Option<u32>, at: Instant| {
        let mut fx = Effects::new();
        let msg = ClientMsg::Chat {
            text: "hi".into(),
            to: to.map(PlayerId),
        };
        room.player_msg(1, PlayerId(1), msg, at, at, &mut fx);
        fx
    };
    let fx = chat(&mut room, None, t0);
    assert!(matches!(
        fx[0],
        Effect::Send(Target::Everyone, ServerMsg::Chat { .. })
    ));
    let fx = chat(&mut room, Some(2), t0);
    assert!(matches!(
        fx[0],
        Effect::Send(Target::Player(PlayerId(2)), ServerMsg::Chat { .. })
    ));
    assert!(
        matches!(fx[1], Effect::Send(Target::Conn(1), ServerMsg::Chat { .. })),
        "echo to the sender"
    );
    assert_eq!(
        errors(&chat(&mut room, Some(9), t0)),
        vec![ErrorCode::NoSuchPlayer]
    );
    chat(&mut room, None, t0);
    chat(&mut room, None, t0);
    assert_eq!(
        errors(&chat(&mut room, None, t0)),
        vec![ErrorCode::RateLimited]
    );
    assert!(
        errors(&chat(&mut room, None, t0 + Duration::from_secs(11))).is_empty(),
        "the window slides"
    );
    host(&mut room, ClientMsg::SetChat { enabled: false }, t0);
    assert_eq!(
        errors(&chat(&mut room, None, t0 + Duration::from_secs(30))),
        vec![ErrorCode::ChatDisabled]
    );
    let fx = host(
        &mut room,
        ClientMsg::Chat {
            text: "quiet please".into(),
            to: None,
        },
        t0,
    );
    assert!(errors(&fx).is_empty(), "the host may still speak");
}

#[test]
fn answer_count_reaches_the_host_at_most_ten_times_a_second() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 50, t0);
    host(&mut room, ClientMsg::Start, t0);
    let mut counts = 0;
    for p in 1..=30 {
        let fx = answer(
            &mut room,
            p,
            0,
            AnswerValue::Choice(1),
            t0 + Duration::from_millis(u64::from(p)),
        );
        counts += sent(&fx, |m| matches!(m, ServerMsg::AnswerCount { .. })).len();
    }
    assert_eq!(counts, 1, "30 answers within 30 ms give one count");
    let wake = room.next_wake();
    assert_eq!(
        wake,
        t0 + Duration::from_millis(1) + super::state::ANSWER_COUNT_EVERY
    );
    let mut fx = Effects::new();
    room.tick(wake, &mut fx);
    match sent(&fx, |m| matches!(m, ServerMsg::AnswerCount { .. }))[..] {
        [ServerMsg::AnswerCount {
            answered, total, ..
        }] => assert_eq!((*answered, *total), (30, 50)),
        ref other => panic!("expected one count, got {other:?}"),
    }
}

#[test]
fn auto_advance_moves_on_by_itself() {
    let t0 = Instant::now();
    let mut s = settings(Mode::Classic);
    s.auto_advance_ms = Some(3000);
    let mut room = Room::new(s, quiz(), t0);
    let mut fx = Effects::new();
    room.join(1, "A", "t".into(), t0, &mut fx).expect("join");
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    assert_eq!(room.next_wake(), t0 + Duration::from_secs(3));
    let mut fx = Effects::new();
    room.tick(t0 + Duration::from_secs(3), &mut fx);
    assert_eq!(
        sent(&fx, |m| matches!(m, ServerMsg::Leaderboard { .. })).len(),
        1
    );
    let mut fx = Effects::new();
    room.tick(t0 + Duration::from_secs(6), &mut fx);
    assert_eq!(
        sent(&fx, |m| matches!(m, ServerMsg::Question(q) if q.index == 1)).len(),
        1
    );
}

#[test]
fn end_finishes_then_closes_the_room() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    let fx = host(&mut room, ClientMsg::End, t0);
    assert!(closed(&fx), "the open question is closed fairly first");
    assert!(fx.contains(&Effect::Persist(Write::GameStatus {
        game: GameId(1),
        status: GameStatus::Finished
    })));
    match sent(&fx, |m| matches!(m, ServerMsg::GameOver { .. }))[0] {
        ServerMsg::GameOver { podium, .. } => {
            assert_eq!(podium[0].player_id, PlayerId(1));
            assert_eq!(podium.len(), 2);
        }
        _ => unreachable!(),
    }
    let fx = host(&mut room, ClientMsg::End, t0);
    assert!(fx.contains(&Effect::Send(
        Target::Everyone,
        ServerMsg::RoomClosed {
            reason: CloseReason::HostEnded
        }
    )));
    assert!(fx.contains(&Effect::Dissolve));
}

#[test]
fn shutdown_tells_everyone_and_leaves_the_game_running_to_resume() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    let mut fx = Effects::new();
    room.shutdown(&mut fx);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Persist(Write::GameStatus { .. }))),
        "a planned stop must not end the game: {fx:?}"
    );
    assert!(fx.contains(&Effect::Send(
        Target::Everyone,
        ServerMsg::RoomClosed {
            reason: CloseReason::ServerShutdown
        }
    )));
    for c in [1, 2, HOST] {
        assert!(fx.contains(&Effect::Disconnect(c)));
    }
}

#[test]
fn equal_scores_share_a_rank_and_a_lower_score_takes_the_rank_after_them() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    // Players 1 and 2 answer at the same moment; player 3 is slower.
    answer(
        &mut room,
        3,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_millis(400),
    );
    answer(
        &mut room,
        2,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_millis(200),
    );
    let fx = answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_millis(200),
    );
    let ranks: Vec<u32> = (1..=3)
        .map(|p| result_for(&fx, p).map_or(0, |r| r.2))
        .collect();
    // Players 1 and 2 scored the same: they share first place, and player 3 is third.
    assert_eq!(ranks, vec![1, 1, 3]);
}

/// The database as the writer would leave it after committing every row in `fx`: what a
/// restore after a crash at this moment would read.
#[derive(Default)]
pub(super) struct Db {
    players: Vec<SavedPlayer>,
    answers: HashMap<(u32, PlayerId), SavedAnswer>,
    phase: Option<(StoredPhase, u32)>,
    opened: Option<Instant>,
    locked: bool,
    chat: bool,
    finished: bool,
    host_keys: Vec<String>,
}

impl Db {
    pub(super) fn new() -> Db {
        Db {
            chat: true,
            ..Db::default()
        }
    }

    pub(super) fn apply(&mut self, fx: &Effects, now: Instant) {
        for e in fx {
            let (Effect::Persist(w) | Effect::Record(w)) = e else {
                continue;
            };
            match w {
                Write::Player {
                    player,
                    name,
                    token_hash,
                    ..
                } => self.players.push(SavedPlayer {
                    id: *player,
                    name: name.clone(),
                    token_hash: token_hash.clone(),
                    status: PlayerStatus::Active,
                }),
                Write::PlayerStatus { player, status, .. } => {
                    self.players[player.0 as usize - 1].status = *status;
                }
                Write::Answer {
                    index,
                    player,
                    elapsed_ms,
                    correct,
                    points,
                    answer,
                    ..
                } => {
                    self.answers.insert(
                        (*index, *player),
                        SavedAnswer {
                            index: *index,
                            player: *player,
                            elapsed_ms: *elapsed_ms,
                            correct: *correct,
                            points: *points,
                            value: answer.clone(),
                        },
                    );
                }
                Write::GameStatus { .. } => self.finished = true,
                Write::Phase { phase, index, .. } => {
                    self.phase = Some((*phase, *index));
                    if *phase == StoredPhase::Question {
                        self.opened = Some(now);
                    }
                }
                Write::Flags { locked, chat, .. } => (self.locked, self.chat) = (*locked, *chat),
                Write::HostKey { key_hash, .. } => self.host_keys.push(key_hash.clone()),
            }
        }
    }

    pub(super) fn saved(&self, now: Instant) -> Saved {
        let phase = match self.phase {
            None => SavedPhase::Lobby,
            Some((StoredPhase::Question, index)) => SavedPhase::Question {
                index,
                elapsed_ms: self
                    .opened
                    .map_or(0, |o| now.duration_since(o).as_millis() as u64),
            },
            Some((StoredPhase::Reveal, index)) => SavedPhase::Reveal { index },
            Some((_, index)) => SavedPhase::Leaderboard { index },
        };
        Saved {
            players: self.players.clone(),
            answers: self.answers.values().cloned().collect(),
            phase,
            locked: self.locked,
            chat: self.chat,
            host_keys: self.host_keys.clone(),
        }
    }
}

/// Restores from `db` as a restart at `now` would, and checks the room comes back the same.
fn check_restore(room: &Room, db: &Db, mode: Mode, now: Instant, what: &str) {
    if db.finished {
        return;
    }
    let restored = Room::restore(settings(mode), quiz(), db.saved(now), now)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    restored.check_invariants();
    assert_eq!(restored.digest(), room.digest(), "{what}");
}

#[test]
fn a_restored_room_equals_the_original_mid_question() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let (mut room, fx) = room_and_effects(Mode::Classic, 3, t0);
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let t1 = t0 + Duration::from_millis(1500);
    for p in 1..=3 {
        db.apply(&answer(&mut room, p, 0, AnswerValue::Choice(1), t1), t1);
    }
    db.apply(&host(&mut room, ClientMsg::Next, t1), t1);
    db.apply(&host(&mut room, ClientMsg::Next, t1), t1);
    let t2 = t1 + Duration::from_millis(2000);
    db.apply(
        &answer(&mut room, 2, 1, AnswerValue::Choices(vec![1, 3]), t2),
        t2,
    );
    let crash = t2 + Duration::from_millis(500);
    check_restore(&room, &db, Mode::Classic, crash, "mid-question");

    // After the restart, at a new clock: player 2's acked answer stands, player 1 can answer
    // with the time that was left, player 2 cannot answer twice.
    let later = crash + Duration::from_secs(3600);
    let mut back =
        Room::restore(settings(Mode::Classic), quiz(), db.saved(crash), later).expect("restore");
    let mut fx = Effects::new();
    back.resume(7, "tok2", later, &mut fx).expect("resume");
    let welcome = fx.iter().find_map(|e| match e {
        Effect::Send(
            _,
            ServerMsg::Welcome {
                question, score, ..
            },
        ) => Some((question.clone(), *score)),
        _ => None,
    });
    let (q, score) = welcome.expect("welcome");
    let q = q.expect("question open");
    assert_eq!(q.answered, Some(true));
    assert!(score > 0, "the first question's points came back");
    // 10 s limit, open 2.5 s when the server stopped.
    assert_eq!(q.remaining_ms, 7500);
    let mut fx = Effects::new();
    let twice = ClientMsg::Answer {
        index: 1,
        choice: None,
        choices: Some(vec![1, 3]),
        text: None,
    };
    back.player_msg(7, PlayerId(2), twice, later, later, &mut fx);
    assert_eq!(errors(&fx), vec![ErrorCode::AlreadyAnswered]);
    back.check_invariants();
}

#[test]
fn a_question_whose_time_ran_out_during_the_outage_closes_at_once_with_its_answers() {
    let t0 = Instant::now();
    let mut db = Db::new();
    let mut room = room_with(Mode::Classic, 2, t0);
    let mut fx = Effects::new();
    room.join(3, "P3", "tok3".into(), t0, &mut fx)
        .expect("join");
    db.players = (1..=3)
        .map(|i| SavedPlayer {
            id: PlayerId(i),
            name: format!("P{i}"),
            token_hash: secret_hash(&format!("tok{i}")),
            status: PlayerStatus::Active,
        })
        .collect();
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let t1 = t0 + Duration::from_secs(2);
    db.apply(&answer(&mut room, 1, 0, AnswerValue::Choice(1), t1), t1);
    // The heartbeat says the question had been open 10.3 s: past its limit and the grace.
    let crash = t0 + Duration::from_millis(10_300);
    let later = crash + Duration::from_secs(60);
    let mut back =
        Room::restore(settings(Mode::Classic), quiz(), db.saved(crash), later).expect("restore");
    assert!(back.next_wake() <= later, "the deadline is already due");
    let mut fx = Effects::new();
    back.tick(later, &mut fx);
    back.check_invariants();
    let closed = sent(&fx, |m| matches!(m, ServerMsg::QuestionClosed { .. }));
    match closed.first() {
        Some(ServerMsg::QuestionClosed { answered, .. }) => assert_eq!(*answered, 1),
        other => panic!("expected question_closed, got {other:?}"),
    }
    let scores: HashMap<PlayerId, i64> = back.scores().into_iter().collect();
    assert!(scores[&PlayerId(1)] > 0);
    assert_eq!(scores[&PlayerId(2)], 0);
}

#[test]
fn a_race_won_just_before_the_crash_closes_on_the_first_tick() {
    let t0 = Instant::now();
    let (mut room, fx) = room_and_effects(Mode::Race, 2, t0);
    let mut db = Db::new();
    db.apply(&fx, t0);
    db.apply(&host(&mut room, ClientMsg::Start, t0), t0);
    let t1 = t0 + Duration::from_secs(1);
    let won = answer(&mut room, 1, 0, AnswerValue::Choice(1), t1);
    // Only the winning answer was committed: the crash came before the close's row.
    let answer_only: Effects = won
        .into_iter()
        .take_while(|e| !matches!(e, Effect::Persist(Write::Phase { .. })))
        .collect();
    db.apply(&answer_only, t1);
    let later = t1 + Duration::from_secs(60);
    let mut back =
        Room::restore(settings(Mode::Race), quiz(), db.saved(t1), later).expect("restore");
    assert!(back.next_wake() <= later);
    let mut fx = Effects::new();
    back.tick(later, &mut fx);
    assert!(closed(&fx), "{fx:?}");
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::Persist(Write::Phase {
            phase: StoredPhase::Reveal,
            ..
        })
    )));
    assert_eq!(back.digest().players, room.digest().players);
}

#[test]
fn a_restore_refuses_rows_that_do_not_fit_the_quiz() {
    let t0 = Instant::now();
    let mut saved = Saved {
        chat: true,
        phase: SavedPhase::Reveal { index: 9 },
        ..Saved::default()
    };
    assert!(Room::restore(settings(Mode::Classic), quiz(), saved.clone(), t0).is_err());
    saved.phase = SavedPhase::Lobby;
    saved.answers.push(SavedAnswer {
        index: 0,
        player: PlayerId(1),
        elapsed_ms: 10,
        correct: Some(true),
        points: 990,
        value: AnswerValue::Choice(1),
    });
    assert!(
        Room::restore(settings(Mode::Classic), quiz(), saved, t0).is_err(),
        "an answer by nobody to a question that never opened"
    );
}

#[test]
fn a_restored_room_keys_names_as_a_live_room_does() {
    let t0 = Instant::now();
    let saved = Saved {
        chat: true,
        players: vec![SavedPlayer {
            id: PlayerId(1),
            name: "Straße".into(),
            token_hash: secret_hash("tok1"),
            status: PlayerStatus::Active,
        }],
        ..Saved::default()
    };
    let mut room = Room::restore(settings(Mode::Classic), quiz(), saved, t0).expect("restore");
    let mut fx = Effects::new();
    assert_eq!(
        room.join(2, "STRASSE", "tok2".into(), t0, &mut fx),
        Err(super::state::JoinError::NameTaken),
        "equal after case folding, as for a live room"
    );
}

/// SplitMix64: a tiny seeded generator, so a failing walk can be replayed from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn random_command_sequences_keep_the_invariants() {
    let mut closed = 0;
    for seed in 0..200u64 {
        for mode in [Mode::Classic, Mode::Race] {
            closed += random_walk(seed, mode);
        }
    }
    assert!(
        closed > 400,
        "the walks must reach closed questions, not only the lobby ({closed})"
    );
}

/// Returns how many questions closed, so the test knows the walk went somewhere.
fn random_walk(seed: u64, mode: Mode) -> usize {
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let mut now = t0;
    let mut room = Room::new(settings(mode), quiz(), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    let mut next_conn = 1u64;
    let mut joined: Vec<(PlayerId, String)> = Vec::new();
    let mut ledger = Ledger::default();
    let mut db = Db::new();
    db.apply(&fx, now);
    for step in 0..300 {
        let mut fx = Effects::new();
        match rng.below(10) {
            0 => {
                let name = format!("p{}", rng.below(12));
                let token = format!("t{next_conn}");
                if let Ok(id) = room.join(next_conn, &name, token.clone(), now, &mut fx) {
                    joined.push((id, token));
                }
                next_conn += 1;
            }
            1..=4 if !joined.is_empty() => {
                let (id, _) = joined[rng.below(joined.len() as u64) as usize].clone();
                let Some(conn) = room.conn_of(id) else {
                    continue;
                };
                let value = match rng.below(3) {
                    0 => AnswerValue::Choice(rng.below(3) as u32),
                    1 => AnswerValue::Choices(vec![rng.below(4) as u32, 3]),
                    _ => AnswerValue::Text(if rng.below(2) == 0 {
                        "au".into()
                    } else {
                        "x".into()
                    }),
                };
                let index = rng.below(5) as u32;
                let (choice, choices, text) = match value {
                    AnswerValue::Choice(c) => (Some(c), None, None),
                    AnswerValue::Choices(c) => (None, Some(c), None),
                    AnswerValue::Text(t) => (None, None, Some(t)),
                };
                room.player_msg(
                    conn,
                    id,
                    ClientMsg::Answer {
                        index,
                        choice,
                        choices,
                        text,
                    },
                    now,
                    now,
                    &mut fx,
                );
            }
            5 => {
                let cmd = match rng.below(6) {
                    0 => ClientMsg::Start,
                    1 => ClientMsg::Close,
                    2 | 3 => ClientMsg::Next,
                    4 => ClientMsg::Kick {
                        player_id: PlayerId(rng.below(8) as u32 + 1),
                    },
                    _ => ClientMsg::Lock {
                        locked: rng.below(2) == 0,
                    },
                };
                room.host_msg(HOST, cmd, now, &mut fx);
            }
            6 if !joined.is_empty() => {
                let (id, _) = joined[rng.below(joined.len() as u64) as usize].clone();
                if let Some(conn) = room.conn_of(id) {
                    room.conn_closed(conn, now, &mut fx);
                }
            }
            7 if !joined.is_empty() => {
                let (_, token) = joined[rng.below(joined.len() as u64) as usize].clone();
                let _ = room.resume(next_conn, &token, now, &mut fx);
                next_conn += 1;
            }
            _ => {
                now += Duration::from_millis(rng.below(6000));
                room.tick(now, &mut fx);
            }
        }
        room.check_invariants();
        check_ledger(&room, &fx, &mut ledger, mode, seed, step);
        db.apply(&fx, now);
        if step % 5 == 0 {
            let what = format!("seed {seed} {mode:?} step {step}");
            check_restore(&room, &db, mode, now, &what);
        }
    }
    ledger.closed.len()
}

/// What a walk saw: the points stored per (question, player), and which questions closed.
#[derive(Default)]
struct Ledger {
    points: HashMap<(u32, PlayerId), i64>,
    closed: std::collections::HashSet<u32>,
}

/// Scores equal the sum of stored points of closed questions; a race has at most one winner
/// per question; every personal `result` reports the score the room holds.
fn check_ledger(
    room: &Room,
    fx: &Effects,
    ledger: &mut Ledger,
    mode: Mode,
    seed: u64,
    step: usize,
) {
    for e in fx {
        match e {
            Effect::Persist(Write::Answer {
                index,
                player,
                points,
                ..
            }) => {
                ledger.points.insert((*index, *player), *points);
            }
            Effect::Send(_, ServerMsg::QuestionClosed { index, .. }) => {
                ledger.closed.insert(*index);
            }
            _ => {}
        }
    }
    let scores: HashMap<PlayerId, i64> = room.scores().into_iter().collect();
    for (id, score) in &scores {
        let sum: i64 = ledger
            .points
            .iter()
            .filter(|((index, p), _)| p == id && ledger.closed.contains(index))
            .map(|(_, pts)| pts)
            .sum();
        assert_eq!(
            *score, sum,
            "seed {seed} step {step}: score of {id} is not the sum of its points"
        );
    }
    if mode == Mode::Race {
        for index in 0..5 {
            let winners = ledger
                .points
                .iter()
                .filter(|((i, _), p)| *i == index && **p > 0)
                .count();
            assert!(
                winners <= 1,
                "seed {seed} step {step}: {winners} race winners"
            );
        }
    }
    for e in fx {
        if let Effect::Send(Target::Player(id), ServerMsg::Result { score, .. }) = e {
            if let Some(s) = scores.get(id) {
                assert_eq!(
                    s, score,
                    "seed {seed} step {step}: result score differs from room score"
                );
            }
        }
    }
}

mod actor {
    //! The room task's timers on tokio's paused clock, with channels standing in for sockets.

    use super::*;
    use crate::room::storage::InstantWriter;
    use crate::room::{spawn_room, ConnHandle, Out, RoomCmd, RoomHandle};
    use crate::room::{HOST_BACKLOG, PLAYER_BACKLOG};
    use tokio::sync::{mpsc, oneshot, Notify};

    /// A connection whose outbox holds `capacity` frames and counts as behind at `backlog`.
    fn conn_with(id: u64, capacity: usize, backlog: usize) -> (ConnHandle, mpsc::Receiver<Out>) {
        let (tx, rx) = mpsc::channel(capacity);
        let kill = Arc::new(Notify::new());
        (
            ConnHandle {
                id,
                tx,
                kill,
                backlog,
                owed: Default::default(),
            },
            rx,
        )
    }

    fn conn(id: u64) -> (ConnHandle, mpsc::Receiver<Out>) {
        conn_with(id, 64, 64)
    }

    fn open(settings: Settings) -> RoomHandle {
        let room = Room::new(settings, quiz(), tokio::time::Instant::now().into_std());
        spawn_room(
            room,
            Arc::new(InstantWriter),
            crate::metrics::RoomMetrics::default(),
            || {},
        )
    }

    async fn attach_host(handle: &RoomHandle, conn: ConnHandle) {
        let (reply, ok) = oneshot::channel();
        let key = "key".into();
        handle
            .send(RoomCmd::AttachHost {
                conn,
                by: crate::room::actor::HostAttach::Created(key),
                screen: false,
                reply,
            })
            .await;
        ok.await.expect("reply").expect("attached");
    }

    async fn join(handle: &RoomHandle, conn: ConnHandle, name: &str) -> PlayerId {
        let (reply, ok) = oneshot::channel();
        let token = format!("t-{name}");
        handle
            .send(RoomCmd::Join {
                conn,
                name: name.into(),
                token,
                reply,
            })
            .await;
        ok.await.expect("reply").expect("joined")
    }

    async fn answer_now(handle: &RoomHandle, conn: u64, player: PlayerId, choice: u32) {
        let at = tokio::time::Instant::now().into_std();
        let msg = ClientMsg::Answer {
            index: 0,
            choice: Some(choice),
            choices: None,
            text: None,
        };
        handle
            .send(RoomCmd::Player {
                conn,
                player,
                msg,
                at,
            })
            .await;
    }

    async fn host_says(handle: &RoomHandle, msg: ClientMsg) {
        handle.send(RoomCmd::Host { conn: HOST, msg }).await;
    }

    async fn next_msg(rx: &mut mpsc::Receiver<Out>) -> ServerMsg {
        loop {
            match rx.recv().await.expect("outbox open") {
                Out::Frame(text) | Out::Error(text) => {
                    return serde_json::from_str(&text).expect("valid frame")
                }
                Out::Ping => continue,
                Out::Close(code, _) => panic!("closed with {code}"),
            }
        }
    }

    async fn until(rx: &mut mpsc::Receiver<Out>, pick: impl Fn(&ServerMsg) -> bool) -> ServerMsg {
        loop {
            let m = next_msg(rx).await;
            if pick(&m) {
                return m;
            }
        }
    }

    /// A cluster's writer, after another node claimed the room: it stores nothing more here.
    struct FencingWriter;

    impl crate::room::RoomWriter for FencingWriter {
        fn write(
            &self,
            _write: Write,
            _seq: u64,
            notify: Arc<tokio::sync::watch::Sender<crate::room::Committed>>,
        ) {
            notify.send_replace(crate::room::Committed::Fenced);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_fenced_room_stops_and_never_delivers_what_waited_for_its_rows() {
        let room = Room::new(
            settings(Mode::Classic),
            quiz(),
            tokio::time::Instant::now().into_std(),
        );
        let handle = spawn_room(
            room,
            Arc::new(FencingWriter),
            crate::metrics::RoomMetrics::default(),
            || {},
        );
        let (host, _host_rx) = conn(HOST);
        attach_host(&handle, host).await;
        let (p1, mut p1_rx) = conn(1);
        assert_eq!(join(&handle, p1, "Ada").await, PlayerId(1));
        // The welcome waits for the player's row, which is never stored: the outbox closes
        // with the room instead, at once (not when the room would close for being idle).
        let drained = tokio::time::timeout(Duration::from_secs(1), async {
            while let Some(out) = p1_rx.recv().await {
                if let Out::Frame(text) = out {
                    assert!(!text.contains("\"welcome\""), "{text}");
                }
            }
        });
        drained.await.expect("the outbox closed with the room");
        assert!(!host_says_ok(&handle).await, "the room task has ended");
    }

    async fn host_says_ok(handle: &RoomHandle) -> bool {
        handle
            .send(RoomCmd::Host {
                conn: HOST,
                msg: ClientMsg::Start,
            })
            .await
    }

    #[tokio::test(start_paused = true)]
    async fn question_times_out_on_the_server_clock() {
        let handle = open(settings(Mode::Classic));
        let (host, mut host_rx) = conn(HOST);
        attach_host(&handle, host).await;
        let (p1, mut p1_rx) = conn(1);
        assert_eq!(join(&handle, p1, "Ada").await, PlayerId(1));
        assert!(matches!(
            next_msg(&mut p1_rx).await,
            ServerMsg::Welcome { .. }
        ));

        let started = tokio::time::Instant::now();
        host_says(&handle, ClientMsg::Start).await;
        until(&mut p1_rx, |m| matches!(m, ServerMsg::Question(_))).await;
        // Nobody answers: the paused clock jumps to the deadline and the room closes the question.
        until(&mut p1_rx, |m| {
            matches!(m, ServerMsg::QuestionClosed { .. })
        })
        .await;
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(10_250),
            "closed after limit + grace, not before ({waited:?})"
        );
        assert!(waited < Duration::from_millis(10_400));
        match until(&mut p1_rx, |m| matches!(m, ServerMsg::Result { .. })).await {
            ServerMsg::Result {
                answered, points, ..
            } => assert_eq!((answered, points), (false, 0)),
            _ => unreachable!(),
        }
        until(&mut host_rx, |m| {
            matches!(m, ServerMsg::QuestionClosed { .. })
        })
        .await;

        // An answer now is too late, timed by the server.
        answer_now(&handle, 1, PlayerId(1), 1).await;
        match until(&mut p1_rx, |m| matches!(m, ServerMsg::Error { .. })).await {
            ServerMsg::Error { code, .. } => assert_eq!(code, ErrorCode::TooLate),
            _ => unreachable!(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_reader_is_cut_off_without_stalling_the_room() {
        let handle = open(settings(Mode::Classic));
        let (host, mut host_rx) = conn(HOST);
        attach_host(&handle, host).await;
        // A player whose outbox holds one frame and who never reads.
        let (slow, _never_read) = conn_with(2, 1, 1);
        let kill = Arc::clone(&slow.kill);
        join(&handle, slow, "Slow").await;
        let (p1, mut p1_rx) = conn(1);
        let ada = join(&handle, p1, "Ada").await;
        host_says(&handle, ClientMsg::Start).await;
        kill.notified().await; // the room asked the slow socket to go
        until(&mut host_rx, |m| {
            matches!(
                m,
                ServerMsg::PlayerConnection {
                    connected: false,
                    ..
                }
            )
        })
        .await;
        until(&mut p1_rx, |m| matches!(m, ServerMsg::Question(_))).await;
        answer_now(&handle, 1, ada, 1).await;
        // Ada is the only connected player left, so her answer closes the question at once.
        until(&mut p1_rx, |m| {
            matches!(m, ServerMsg::QuestionClosed { .. })
        })
        .await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_joins_does_not_cut_off_a_host_that_reads_slowly() {
        // The same backlog on a player socket would be far over its limit.
        const { assert!(1000 > PLAYER_BACKLOG) };
        let mut s = settings(Mode::Classic);
        s.max_players = 5000;
        let handle = open(s);
        // A host that reads nothing while 1,000 players join: 1,000 player_joined frames queue.
        let (host, _host_unread) = conn_with(HOST, HOST_BACKLOG, PLAYER_BACKLOG);
        let host_kill = Arc::clone(&host.kill);
        attach_host(&handle, host.as_host()).await;
        let mut readers = Vec::new();
        for i in 1..=1000u64 {
            let (c, rx) = conn(i);
            readers.push(rx);
            join(&handle, c, &format!("p{i}")).await;
        }
        let cut = tokio::time::timeout(Duration::from_secs(1), host_kill.notified()).await;
        assert!(cut.is_err(), "the host was cut off by a burst of joins");
    }
}

/// Closes the open question and moves on to the next one (reveal, leaderboard, question).
pub(super) fn skip_question(room: &mut Room, now: Instant) {
    host(room, ClientMsg::Close, now);
    host(room, ClientMsg::Next, now);
    host(room, ClientMsg::Next, now);
}

#[test]
fn an_open_poll_tells_the_host_its_votes_as_they_change() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    let fx = answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    match sent(&fx, |m| matches!(m, ServerMsg::AnswerCount { .. }))[..] {
        [ServerMsg::AnswerCount { votes, .. }] => {
            assert_eq!(*votes, None, "a scored question's counts stay secret")
        }
        ref other => panic!("expected one count, got {other:?}"),
    }
    for _ in 0..3 {
        skip_question(&mut room, t0);
    }
    let votes = |fx: &Effects| match sent(fx, |m| matches!(m, ServerMsg::AnswerCount { .. }))[..] {
        [ServerMsg::AnswerCount { votes, .. }] => votes.clone(),
        ref other => panic!("expected one count, got {other:?}"),
    };
    let step = super::state::ANSWER_COUNT_EVERY;
    let fx = answer(&mut room, 1, 3, AnswerValue::Choice(0), t0);
    assert_eq!(votes(&fx), Some(vec![1, 0]));
    let fx = answer(&mut room, 2, 3, AnswerValue::Choice(1), t0 + step);
    assert_eq!(votes(&fx), Some(vec![1, 1]));
    // A changed vote moves between the bars; the count of voters stays.
    let fx = answer(&mut room, 1, 3, AnswerValue::Choice(1), t0 + step * 2);
    assert_eq!(votes(&fx), Some(vec![0, 2]));
    assert!(fx.iter().all(|e| !matches!(
        e,
        Effect::Send(
            Target::Player(_) | Target::Everyone,
            ServerMsg::AnswerCount { .. }
        )
    )));
}

#[test]
fn a_host_or_screen_arriving_mid_poll_gets_the_votes_so_far() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    // Mid scored question: the snapshot alone, no counts to chart.
    let mut fx = Effects::new();
    room.attach_screen(SCREEN, "key", t0, &mut fx)
        .expect("screen");
    assert!(
        matches!(fx[..], [Effect::Send(_, ServerMsg::RoomState { .. })]),
        "{fx:?}"
    );
    for _ in 0..3 {
        skip_question(&mut room, t0);
    }
    // Two of three vote, so the poll stays open.
    answer(&mut room, 1, 3, AnswerValue::Choice(1), t0);
    answer(&mut room, 2, 3, AnswerValue::Choice(1), t0);
    for (conn, attach) in [
        (
            SCREEN + 1,
            Room::attach_screen as fn(&mut Room, u64, &str, Instant, &mut Effects) -> _,
        ),
        (HOST + 1, |r: &mut Room, c, k: &str, t, fx: &mut Effects| {
            r.attach_host(c, k, false, t, fx)
        }),
    ] {
        let mut fx = Effects::new();
        attach(&mut room, conn, "key", t0, &mut fx).expect("attach");
        let sends: Vec<_> = fx
            .iter()
            .filter_map(|e| match e {
                // The host it replaces is told so; that is not this test's business.
                Effect::Send(_, ServerMsg::Error { .. }) => None,
                Effect::Send(t, m) => Some((room.recipients(*t), m)),
                _ => None,
            })
            .collect();
        match &sends[..] {
            [(to_state, ServerMsg::RoomState { .. }), (
                to_count,
                ServerMsg::AnswerCount {
                    votes, answered, ..
                },
            )] => {
                assert_eq!((to_state, to_count), (&vec![conn], &vec![conn]));
                assert_eq!((votes.clone(), *answered), (Some(vec![0, 2]), 2));
            }
            other => panic!("expected the snapshot and the votes, got {other:?}"),
        }
    }
}

#[test]
fn a_result_names_the_player_just_above_and_the_leader_has_nobody() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    // P2 answers first and fastest, P1 later, P3 wrong.
    answer(
        &mut room,
        2,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_secs(1),
    );
    answer(
        &mut room,
        1,
        0,
        AnswerValue::Choice(1),
        t0 + Duration::from_secs(5),
    );
    let fx = answer(
        &mut room,
        3,
        0,
        AnswerValue::Choice(0),
        t0 + Duration::from_secs(6),
    );
    let ahead = |p: u32| {
        fx.iter()
            .find_map(|e| match e {
                Effect::Send(Target::Player(id), ServerMsg::Result { ahead, .. })
                    if *id == PlayerId(p) =>
                {
                    Some(ahead.clone())
                }
                _ => None,
            })
            .expect("a result")
    };
    let (_, p2_score, rank) = result_for(&fx, 2).expect("p2 result");
    assert_eq!(rank, 1);
    assert_eq!(ahead(2), None);
    let p1 = ahead(1).expect("P1 trails P2");
    assert_eq!((p1.name.as_str(), p1.score), ("P2", p2_score));
    let (_, p1_score, _) = result_for(&fx, 1).expect("p1 result");
    let p3 = ahead(3).expect("P3 trails P1");
    assert_eq!((p3.name.as_str(), p3.score), ("P1", p1_score));
}

const SCREEN: u64 = 2000;

#[test]
fn a_screen_sees_what_the_host_sees_but_not_the_hosts_direct_messages() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    let mut fx = Effects::new();
    assert_eq!(
        room.attach_screen(SCREEN, "wrong", t0, &mut fx),
        Err(ErrorCode::Unauthorized)
    );
    room.attach_screen(SCREEN, "key", t0, &mut fx)
        .expect("screen");
    assert!(matches!(
        fx[..],
        [Effect::Send(
            Target::Conn(SCREEN),
            ServerMsg::RoomState { .. }
        )]
    ));
    let audience: Vec<_> = room.watchers().collect();
    assert_eq!(audience, [HOST, SCREEN]);
    assert!(room.everyone().any(|c| c == SCREEN), "questions reach it");
    assert_eq!(room.host_conn(), Some(HOST), "it does not replace the host");

    // The room's events reach the screen; the host's own replies do not.
    let recipients = |room: &Room, fx: &Effects, pick: fn(&ServerMsg) -> bool| -> Vec<Vec<u64>> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Send(t, m) if pick(m) => Some(room.recipients(*t)),
                _ => None,
            })
            .collect()
    };
    let mut fx = Effects::new();
    room.join(3, "P3", "tok3".into(), t0, &mut fx)
        .expect("join");
    let joined = recipients(&room, &fx, |m| matches!(m, ServerMsg::PlayerJoined { .. }));
    assert_eq!(joined, [vec![HOST, SCREEN]]);
    let mut fx = Effects::new();
    room.attach_host(HOST + 1, "key", false, t0, &mut fx)
        .expect("the host reconnects");
    let state = recipients(&room, &fx, |m| matches!(m, ServerMsg::RoomState { .. }));
    assert_eq!(state, [vec![HOST + 1]], "the snapshot is the host's answer");
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", false, t0, &mut fx)
        .expect("and back");

    // A direct message from the host echoes to the host's own connection only.
    let fx = host(
        &mut room,
        ClientMsg::Chat {
            text: "psst".into(),
            to: Some(PlayerId(1)),
        },
        t0,
    );
    let targets: Vec<Target> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Send(t, ServerMsg::Chat { .. }) => Some(*t),
            _ => None,
        })
        .collect();
    assert_eq!(targets, [Target::Player(PlayerId(1)), Target::Conn(HOST)]);

    // A screen's messages are never obeyed as the host's.
    let mut fx = Effects::new();
    room.host_msg(SCREEN, ClientMsg::Start, t0, &mut fx);
    assert!(fx.is_empty());

    let mut fx = Effects::new();
    room.conn_closed(SCREEN, t0, &mut fx);
    assert_eq!(room.watchers().collect::<Vec<_>>(), [HOST]);
    assert_eq!(room.host_conn(), Some(HOST));
    room.check_invariants();
}

#[test]
fn a_room_takes_a_bounded_number_of_screens() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 1, t0);
    let mut fx = Effects::new();
    for i in 0..super::state::MAX_SCREENS as u64 {
        room.attach_screen(SCREEN + i, "key", t0, &mut fx)
            .expect("screen");
    }
    assert_eq!(
        room.attach_screen(SCREEN + 99, "key", t0, &mut fx),
        Err(ErrorCode::RoomFull)
    );
}

#[test]
fn an_admin_end_has_exactly_the_effects_of_the_hosts_end() {
    let t0 = Instant::now();
    let at = t0 + Duration::from_millis(500);
    let (mut by_host, mut by_admin) = (
        room_with(Mode::Classic, 2, t0),
        room_with(Mode::Classic, 2, t0),
    );
    for room in [&mut by_host, &mut by_admin] {
        host(room, ClientMsg::Start, t0);
        answer(room, 1, 0, AnswerValue::Choice(1), t0);
    }
    for _ in 0..2 {
        let from_host = host(&mut by_host, ClientMsg::End, at);
        let mut from_admin = Effects::new();
        by_admin.end(at, &mut from_admin);
        by_admin.check_invariants();
        assert_eq!(from_admin, from_host);
    }
    assert_eq!(by_admin.summary(), by_host.summary());
}

#[test]
fn the_summary_shows_the_phase_the_flags_and_the_active_players() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    let s = room.summary();
    assert_eq!(
        (s.pin.0.as_str(), s.game_id, s.mode, s.index, s.total),
        ("123456", GameId(1), Mode::Classic, None, 5)
    );
    assert_eq!(s.title, "Rules");
    assert_eq!(s.phase, quizrace_protocol::PhaseName::Lobby);
    assert_eq!(s.players.len(), 3);
    host(&mut room, ClientMsg::Lock { locked: true }, t0);
    host(&mut room, ClientMsg::SetChat { enabled: false }, t0);
    host(
        &mut room,
        ClientMsg::Kick {
            player_id: PlayerId(2),
        },
        t0,
    );
    host(&mut room, ClientMsg::Start, t0);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), t0);
    let s = room.summary();
    assert_eq!(s.phase, quizrace_protocol::PhaseName::Question);
    assert_eq!(s.index, Some(0));
    assert!(s.locked && !s.chat);
    let ids: Vec<PlayerId> = s.players.iter().map(|p| p.player_id).collect();
    assert_eq!(
        ids,
        [PlayerId(1), PlayerId(3)],
        "the kicked player is not listed"
    );
    assert!(s.players.iter().all(|p| p.connected));
    host(&mut room, ClientMsg::Close, t0);
    let s = room.summary();
    assert_eq!(s.phase, quizrace_protocol::PhaseName::Reveal);
    assert!(
        s.players[0].score > 0,
        "scores once scored: {:?}",
        s.players
    );
}

// ----- secrets: the room keeps hashes of tokens and keys ----------------------------------

#[test]
fn a_players_token_is_kept_and_stored_only_as_its_hash_and_still_resumes() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 0, t0);
    let mut fx = Effects::new();
    let id = room
        .join(1, "Ada", "plain-token".into(), t0, &mut fx)
        .expect("join");
    let stored = fx.iter().find_map(|e| match e {
        Effect::Persist(Write::Player { token_hash, .. }) => Some(token_hash.clone()),
        _ => None,
    });
    assert_eq!(stored, Some(secret_hash("plain-token")));
    assert!(
        fx.iter().any(|e| matches!(e,
            Effect::Send(Target::Player(_), ServerMsg::Welcome { token, .. }) if token == "plain-token")),
        "the player gets the token itself"
    );
    assert!(
        !format!("{room:?}").contains("plain-token"),
        "nor in memory"
    );
    let mut fx = Effects::new();
    assert_eq!(
        room.resume(2, &secret_hash("plain-token"), t0, &mut fx),
        Err(ErrorCode::BadToken),
        "the hash is no token"
    );
    assert_eq!(room.resume(2, "plain-token", t0, &mut fx), Ok(id));
    assert!(fx.iter().any(|e| matches!(e,
        Effect::Send(Target::Player(_), ServerMsg::Welcome { token, .. }) if token == "plain-token")));
    room.check_invariants();
}

#[test]
fn taking_control_mints_a_key_for_that_device_only_and_keeps_eight_at_most() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 1, t0);
    let mut fx = Effects::new();
    room.take_control(2000, "minted-1", false, t0, &mut fx)
        .expect("control");
    assert!(fx.contains(&Effect::Persist(Write::HostKey {
        game: GameId(1),
        key_hash: secret_hash("minted-1"),
    })));
    let states: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Send(to, ServerMsg::RoomState { host_key, .. }) => {
                Some((*to, host_key.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(states, vec![(Target::Conn(2000), Some("minted-1".into()))]);
    assert!(
        fx.contains(&Effect::Disconnect(HOST)),
        "the old control connection is replaced"
    );
    let mut fx = Effects::new();
    room.attach_host(2001, "key", false, t0, &mut fx)
        .expect("the first key still works");
    room.attach_host(2002, "minted-1", false, t0, &mut fx)
        .expect("the minted key works");
    for i in 2..=8 {
        room.take_control(2100 + i, &format!("minted-{i}"), false, t0, &mut fx)
            .expect("control");
    }
    assert_eq!(
        room.attach_host(2200, "key", false, t0, &mut fx),
        Err(ErrorCode::Unauthorized),
        "a ninth key drops the oldest"
    );
    room.attach_host(2201, "minted-1", false, t0, &mut fx)
        .expect("the second oldest stays");
    room.check_invariants();
}

#[test]
fn a_screen_taking_control_gets_its_key_and_a_full_wall_is_refused_unchanged() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 0, t0);
    let mut fx = Effects::new();
    room.take_control(3000, "screen-key", true, t0, &mut fx)
        .expect("screen");
    assert!(fx.iter().any(|e| matches!(e,
        Effect::Send(Target::Conn(3000), ServerMsg::RoomState { host_key: Some(k), .. }) if k == "screen-key")));
    for c in 1..super::state::MAX_SCREENS as u64 {
        room.attach_screen(3000 + c, "key", t0, &mut fx)
            .expect("screen");
    }
    let mut fx = Effects::new();
    assert_eq!(
        room.take_control(3100, "one-too-many", true, t0, &mut fx),
        Err(ErrorCode::RoomFull)
    );
    assert!(fx.is_empty(), "nothing stored: {fx:?}");
    assert_eq!(
        room.attach_host(3101, "one-too-many", false, t0, &mut fx),
        Err(ErrorCode::Unauthorized)
    );
    room.check_invariants();
}

#[test]
fn a_restored_room_accepts_the_host_keys_it_had_minted() {
    let t0 = Instant::now();
    let mut db = Db::new();
    // As the store's `create_game` does: the key the room was made with is the first kept.
    db.host_keys.push(secret_hash("key"));
    let (mut room, fx) = room_and_effects(Mode::Classic, 1, t0);
    db.apply(&fx, t0);
    let mut fx = Effects::new();
    room.take_control(2000, "minted", false, t0, &mut fx)
        .expect("control");
    db.apply(&fx, t0);
    let mut back =
        Room::restore(settings(Mode::Classic), quiz(), db.saved(t0), t0).expect("restore");
    let mut fx = Effects::new();
    back.attach_host(1, "minted", false, t0, &mut fx)
        .expect("minted key");
    back.attach_host(2, "key", false, t0, &mut fx)
        .expect("first key");
    assert_eq!(back.resume(3, "tok1", t0, &mut fx).map(|p| p.0), Ok(1));
}
