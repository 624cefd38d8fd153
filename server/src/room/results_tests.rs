//! The room's side of a game's results: ranks shared by equal scores, the reveal a host sees
//! when it takes control, the bounded `players` reply, and who holds a seat.

use super::drive::quiz;
use super::state::{Effect, Effects, PlayerStatus, Room, Target, Write};
use super::tests::{answer, host, result_for, room_with, sent, settings, skip_question, HOST};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, Mode, PlayerId, ServerMsg};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn to_json(msg: &ServerMsg) -> Value {
    serde_json::to_value(msg).expect("a message is JSON")
}

/// The personal `result` each player got in `fx`, as JSON, by player number.
fn results(fx: &Effects, players: u32) -> Vec<Value> {
    (1..=players)
        .map(|p| {
            fx.iter()
                .find_map(|e| match e {
                    Effect::Send(
                        super::state::Target::Player(id),
                        m @ ServerMsg::Result { .. },
                    ) if *id == PlayerId(p) => Some(to_json(m)),
                    _ => None,
                })
                .unwrap_or_else(|| panic!("P{p} got a result"))
        })
        .collect()
}

fn the(fx: &Effects, kind: &str) -> Value {
    sent(fx, |m| to_json(m)["type"] == kind)
        .first()
        .map(|m| to_json(m))
        .unwrap_or_else(|| panic!("a {kind} in {fx:?}"))
}

fn ranks(list: &Value) -> Vec<u64> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|s| s["rank"].as_u64().expect("a rank"))
        .collect()
}

#[test]
fn equal_scores_share_a_rank_and_ahead_names_a_strictly_higher_score() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 4, t0);
    host(&mut room, ClientMsg::Start, t0);
    let at = |ms| t0 + Duration::from_millis(ms);
    answer(&mut room, 1, 0, AnswerValue::Choice(1), at(100));
    answer(&mut room, 2, 0, AnswerValue::Choice(1), at(500));
    answer(&mut room, 3, 0, AnswerValue::Choice(1), at(500));
    let fx = answer(&mut room, 4, 0, AnswerValue::Choice(0), at(500));
    let got = results(&fx, 4);
    let rank: Vec<u64> = got.iter().map(|r| r["rank"].as_u64().unwrap()).collect();
    assert_eq!(rank, [1, 2, 2, 4]);
    let ahead: Vec<Value> = got.iter().map(|r| r["ahead"]["name"].clone()).collect();
    assert_eq!(ahead, [Value::Null, json!("P1"), json!("P1"), json!("P3")]);
    // A rank held by more than one player says so; a rank of one's own leaves the field out.
    let shared: Vec<Value> = got.iter().map(|r| r["shared"].clone()).collect();
    assert_eq!(shared, [Value::Null, json!(true), json!(true), Value::Null]);

    let fx = host(&mut room, ClientMsg::Next, at(600));
    assert_eq!(ranks(&the(&fx, "leaderboard")["top"]), [1, 2, 2, 4]);
    let fx = host(&mut room, ClientMsg::End, at(700));
    let podium = &the(&fx, "game_over")["podium"];
    assert_eq!(ranks(podium), [1, 2, 2], "at most three places: {podium}");
}

#[test]
fn everyone_on_zero_shares_first_place_and_nobody_is_ahead() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    let at = t0 + Duration::from_millis(300);
    answer(&mut room, 3, 0, AnswerValue::Choice(0), at);
    answer(&mut room, 1, 0, AnswerValue::Choice(0), at);
    let fx = answer(&mut room, 2, 0, AnswerValue::Choice(0), at);
    // Nobody is "in the lead" alone: every phone is told the lead is shared.
    for r in results(&fx, 3) {
        assert_eq!(
            (r["rank"].clone(), r["ahead"].clone(), r["shared"].clone()),
            (json!(1), Value::Null, json!(true))
        );
    }
}

#[test]
fn a_host_taking_control_during_the_reveal_gets_the_question_and_the_reveal() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 2, t0);
    host(&mut room, ClientMsg::Start, t0);
    let at = t0 + Duration::from_millis(800);
    // During the question there is no reveal yet.
    let mut fx = Effects::new();
    room.attach_host(HOST + 1, "key", false, at, &mut fx)
        .expect("host");
    assert!(the(&fx, "room_state").get("reveal").is_none());
    answer(&mut room, 1, 0, AnswerValue::Choice(1), at);
    let mut closed = Effects::new();
    room.host_msg(HOST + 1, ClientMsg::Close, at, &mut closed);
    let mut reveal = the(&closed, "question_closed");
    reveal.as_object_mut().unwrap().remove("type");

    let mut current = HOST + 1;
    for step in [None, Some(ClientMsg::Next)] {
        if let Some(msg) = step {
            room.host_msg(current, msg, at, &mut Effects::new());
        }
        current += 1;
        let mut fx = Effects::new();
        room.attach_host(current, "key", false, at, &mut fx)
            .expect("host");
        room.check_invariants();
        let state = the(&fx, "room_state");
        assert_eq!(state["reveal"], reveal, "{}", state["phase"]);
        assert_eq!(state["question"]["text"], "2+2?");
        assert_eq!(state["question"]["choices"], json!(["3", "4"]));
        assert_eq!(state["question"]["remaining_ms"], 0);
        assert!(state["question"].get("answered").is_none());
    }
}

#[test]
fn a_players_reply_names_at_most_200_and_counts_them_all() {
    let t0 = Instant::now();
    let mut s = settings(Mode::Classic);
    s.max_players = 500;
    let mut room = Room::new(s, quiz(), t0);
    for i in 1..=300 {
        join(&mut room, i, &format!("P{i}"), t0).0.expect("a seat");
    }
    let mut fx = Effects::new();
    room.player_msg(7, PlayerId(7), ClientMsg::List, t0, t0, &mut fx);
    let reply = the(&fx, "players");
    let names = reply["players"].as_array().expect("players");
    assert_eq!(names.len(), 200);
    assert_eq!(
        (names[0]["name"].clone(), names[199]["name"].clone()),
        (json!("P1"), json!("P200"))
    );
    assert_eq!(
        (reply["count"].clone(), reply["truncated"].clone()),
        (json!(300), json!(true))
    );
    let frame = serde_json::to_string(&reply).unwrap();
    assert!(frame.len() < 32 * 1024, "{} bytes", frame.len());

    let mut small = room_with(Mode::Classic, 3, t0);
    let mut fx = Effects::new();
    small.host_msg(HOST, ClientMsg::List, t0, &mut fx);
    let reply = the(&fx, "players");
    assert_eq!(reply["players"].as_array().map(Vec::len), Some(3));
    assert_eq!(reply["count"], 3);
    assert!(reply.get("truncated").is_none(), "{reply}");
}

fn join(
    room: &mut Room,
    conn: u64,
    name: &str,
    now: Instant,
) -> (Result<PlayerId, ErrorCode>, Effects) {
    let mut fx = Effects::new();
    let r = room
        .join(conn, name, format!("tok-{name}"), now, &mut fx)
        .map_err(ErrorCode::from);
    room.check_invariants();
    (r, fx)
}

fn leave(room: &mut Room, id: PlayerId, conn: u64, now: Instant) -> Effects {
    let mut fx = Effects::new();
    room.player_msg(conn, id, ClientMsg::Leave, now, now, &mut fx);
    room.check_invariants();
    fx
}

#[test]
fn a_lobby_leaver_frees_the_seat_and_a_leaver_after_the_start_keeps_it() {
    let t0 = Instant::now();
    let mut s = settings(Mode::Classic);
    s.max_players = 2;
    let mut room = Room::new(s, quiz(), t0);
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    // Join and leave, again and again: the lobby never holds more than its seats, and the
    // rows of those who left are marked removed, so no report ever lists them.
    for i in 0..50u64 {
        let name = format!("Churn{i}");
        let (id, _) = join(&mut room, 10 + i, &name, t0);
        let id = id.expect("a free seat");
        let fx = leave(&mut room, id, 10 + i, t0);
        assert!(
            fx.iter().any(|e| matches!(
                e,
                Effect::Persist(Write::PlayerStatus {
                    status: PlayerStatus::Removed,
                    ..
                })
            )),
            "{fx:?}"
        );
    }
    let (ada, _) = join(&mut room, 1, "Ada", t0);
    let (_bob, _) = join(&mut room, 2, "Bob", t0);
    assert_eq!(join(&mut room, 3, "Cy", t0).0, Err(ErrorCode::RoomFull));
    host(&mut room, ClientMsg::Start, t0);
    leave(&mut room, ada.expect("Ada joined"), 1, t0);
    // Ada's seat stays hers: churn after the start cannot fill the room beyond its seats.
    assert_eq!(join(&mut room, 4, "Dee", t0).0, Err(ErrorCode::RoomFull));
}

#[test]
fn a_vote_given_while_present_counts_in_the_reveal_after_the_voter_leaves() {
    let t0 = Instant::now();
    let mut room = room_with(Mode::Classic, 3, t0);
    host(&mut room, ClientMsg::Start, t0);
    for _ in 0..3 {
        skip_question(&mut room, t0);
    }
    // Question 3 is the poll. P3 votes and leaves; the others' votes close it.
    let at = t0 + Duration::from_millis(200);
    let mut fx = answer(&mut room, 3, 3, AnswerValue::Choice(1), at);
    fx.extend(leave(&mut room, PlayerId(3), 3, at));
    fx.extend(answer(&mut room, 1, 3, AnswerValue::Choice(0), at));
    fx.extend(answer(&mut room, 2, 3, AnswerValue::Choice(0), at));
    let mut from_rows = vec![0u32; 2];
    for e in &fx {
        if let Effect::Persist(Write::Answer {
            answer: AnswerValue::Choice(c),
            ..
        }) = e
        {
            from_rows[*c as usize] += 1;
        }
    }
    let reveal = the(&fx, "question_closed");
    assert_eq!(
        reveal["counts"],
        json!(from_rows),
        "the reveal counts the stored votes"
    );
    assert_eq!(
        (reveal["answered"].clone(), reveal["total"].clone()),
        (json!(3), json!(3))
    );
}

#[test]
fn after_a_restart_the_reveal_is_redrawn_and_a_lobby_leavers_seat_stays_free() {
    let t0 = Instant::now();
    let mut s = settings(Mode::Classic);
    s.max_players = 3;
    let mut room = Room::new(s.clone(), quiz(), t0);
    let mut db = super::restore_tests::Db::new();
    let mut fx = Effects::new();
    room.attach_host(HOST, "key", true, t0, &mut fx)
        .expect("host");
    let (gone, more) = join(&mut room, 1, "Gone", t0);
    fx.extend(more);
    fx.extend(leave(&mut room, gone.expect("a seat"), 1, t0));
    for (conn, name) in [(2, "Ada"), (3, "Bob")] {
        let (id, more) = join(&mut room, conn, name, t0);
        id.expect("a seat");
        fx.extend(more);
    }
    fx.extend(host(&mut room, ClientMsg::Start, t0));
    let at = t0 + Duration::from_millis(500);
    fx.extend(answer(&mut room, 2, 0, AnswerValue::Choice(1), at));
    fx.extend(answer(&mut room, 3, 0, AnswerValue::Choice(0), at));
    db.apply(&fx, at);
    let mut reveal = the(&fx, "question_closed");
    reveal.as_object_mut().unwrap().remove("type");

    let mut back = Room::restore(s, quiz(), db.saved(at), at).expect("restored");
    back.check_invariants();
    let mut fx = Effects::new();
    back.attach_host(HOST, "key", false, at, &mut fx)
        .expect("host");
    let state = the(&fx, "room_state");
    assert_eq!(state["reveal"], reveal);
    assert_eq!(state["question"]["remaining_ms"], 0);
    // Three seats, two taken by Ada and Bob: the removed lobby leaver holds none.
    assert!(join(&mut back, 4, "Cy", at).0.is_ok());
    assert_eq!(join(&mut back, 5, "Dee", at).0, Err(ErrorCode::RoomFull));
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
