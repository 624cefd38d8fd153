//! The room's rules without sockets: the helpers every room test file shares, and the tests of
//! answering, closing and the phase machine. Topic files sit next to this one: `roster_tests`,
//! `host_tests` (chat, polls, screens, taking control), `results_tests`, `restore_tests`,
//! `walk_tests` (the seeded random walk) and `actor_tests` (timers on tokio's paused clock).

use super::drive::quiz;
use super::state::{Effect, Effects, GameStatus, Room, Settings, Target, Write};
use crate::secret::secret_hash;
use quizrace_protocol::{
    AnswerValue, ClientMsg, CloseReason, ErrorCode, GameId, Mode, Pin, PlayerId, QuizDoc, ServerMsg,
};
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
        teams: None,
        team_choice: Default::default(),
        team_talk_ms: 0,
        blocked_words: Default::default(),
        timing: Default::default(),
        leaderboard: Default::default(),
        shuffle_answers: false,
        media_on_phones: false,
        question_on_phones: true,
    }
}

pub(super) const HOST: u64 = 1000;

/// A room with a host attached and `n` players joined (conn ids 1..=n).
pub(super) fn room_with(mode: Mode, n: u32, t0: Instant) -> Room {
    room_and_effects(mode, n, t0).0
}

/// [`room_with`], and the effects of setting it up (the rows it stored).
pub(super) fn room_and_effects(mode: Mode, n: u32, t0: Instant) -> (Room, Effects) {
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
    let msg = ClientMsg::answer(index, value);
    let mut fx = Effects::new();
    room.player_msg(u64::from(p), PlayerId(p), msg, at, at, &mut fx);
    room.check_invariants();
    fx
}

pub(super) fn errors(fx: &Effects) -> Vec<ErrorCode> {
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

pub(super) fn closed(fx: &Effects) -> bool {
    !sent(fx, |m| matches!(m, ServerMsg::QuestionClosed { .. })).is_empty()
}

pub(super) fn result_for(fx: &Effects, p: u32) -> Option<(i64, i64, u32)> {
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
        order: None,
        value: None,
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
        "read_s": 0,
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

/// Closes the open question and moves on to the next one (reveal, leaderboard, question).
pub(super) fn skip_question(room: &mut Room, now: Instant) {
    host(room, ClientMsg::Close, now);
    host(room, ClientMsg::Next, now);
    host(room, ClientMsg::Next, now);
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
        ("123456", GameId(1), Mode::Classic, None, 9)
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
