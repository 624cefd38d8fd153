//! The roster: joining, resuming with a token, kicks, and the token kept only as its hash.

use super::drive::quiz;
use super::state::{Effect, Effects, Room, Target, Write};
use super::tests::{answer, errors, host, room_with, sent, settings, HOST};
use crate::secret::secret_hash;
use quizrace_protocol::{
    AnswerValue, ClientMsg, CloseReason, ErrorCode, Mode, PlayerId, ServerMsg,
};
use std::time::Instant;

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
            order: None,
            value: None,
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
fn welcome_and_room_state_carry_the_quiz_language_when_it_has_one() {
    let t0 = Instant::now();
    let doc: quizrace_protocol::QuizDoc = serde_json::from_value(serde_json::json!({
        "title": "Hauptstädte",
        "lang": "de-CH",
        "questions": [{"kind":"choice","text":"Bern?","choices":["ja","nein"],"correct":[0]}],
    }))
    .expect("doc");
    let quiz = std::sync::Arc::new(doc.validate().expect("valid"));
    for (quiz, want) in [(quiz, Some("de-CH")), (super::drive::quiz(), None)] {
        let mut room = Room::new(settings(Mode::Classic), quiz, t0);
        let mut fx = Effects::new();
        room.attach_host(HOST, "key", true, t0, &mut fx)
            .expect("host");
        let Some(ServerMsg::RoomState { lang, .. }) =
            sent(&fx, |m| matches!(m, ServerMsg::RoomState { .. }))
                .first()
                .copied()
        else {
            panic!("no room_state for the host");
        };
        assert_eq!(lang.as_deref(), want, "room_state");
        let mut fx = Effects::new();
        room.join(1, "Ada", "t1".into(), t0, &mut fx).expect("join");
        let Some(ServerMsg::Welcome { lang, .. }) =
            sent(&fx, |m| matches!(m, ServerMsg::Welcome { .. }))
                .first()
                .copied()
        else {
            panic!("no welcome for the player");
        };
        assert_eq!(lang.as_deref(), want, "welcome");
    }
}
