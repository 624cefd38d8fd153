//! The host's side: chat, poll votes as they change, big screens, and taking control with a
//! session (a minted key per device).

use super::state::{Effect, Effects, Room, Target, Write};
use super::tests::{answer, errors, host, room_with, sent, skip_question, HOST};
use crate::secret::secret_hash;
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, GameId, Mode, PlayerId, ServerMsg};
use std::time::{Duration, Instant};

const SCREEN: u64 = 2000;

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
