//! The host's side: taking the room back on a new socket, kicking, locking, the notices the host
//! receives, `list`, auto-advance, and ending (twice).

mod common;

use common::{
    answer_acked, error, game_over, join_refused, list, question, quiz, reveal, room_closed, send,
    Game,
};
use quizrace_protocol::{
    AnswerValue, ClientMsg, CloseReason, ErrorCode, HostCredential, HostView, PhaseName, ServerMsg,
};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::Bot;
use std::time::{Duration, Instant};

#[tokio::test]
async fn host_resume_on_a_new_socket_keeps_control_and_replaces_the_old_one() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;

    let mut new = Bot::connect(&game.url).await.unwrap();
    send(
        &mut new,
        ClientMsg::HostResume {
            pin: host.pin.clone(),
            by: HostCredential::HostKey(host.host_key.clone()),
            view: None,
        },
    )
    .await;
    let state = new
        .expect("room_state", |m| {
            matches!(m, ServerMsg::RoomState { .. }).then(|| m.clone())
        })
        .await
        .unwrap();
    let ServerMsg::RoomState {
        pin,
        game_id,
        phase,
        index,
        total,
        question: open,
        answered,
        players,
        locked,
        chat,
        ..
    } = state
    else {
        unreachable!()
    };
    assert_eq!((pin, game_id), (host.pin.clone(), host.game_id));
    assert_eq!((phase, index, total), (PhaseName::Question, Some(0), 2));
    assert_eq!(open.map(|q| q.index), Some(0));
    assert_eq!(answered, 1);
    assert_eq!(players.len(), 2);
    assert!(!locked && chat);

    assert_eq!(error(&mut host.bot).await.0, ErrorCode::Replaced);
    assert_eq!(host.bot.expect_close().await.unwrap(), Some(1000));

    // The new socket commands the room.
    send(&mut new, ClientMsg::Close).await;
    let closed = reveal(&mut new).await;
    assert_eq!(closed.answered, 1);
    send(&mut new, ClientMsg::Next).await;
    common::leaderboard(&mut bots[1]).await;
    send(&mut new, ClientMsg::Next).await;
    assert_eq!(question(&mut bots[1]).await.index, 1);
}

#[tokio::test]
async fn a_big_screen_watches_the_room_beside_the_host_and_may_not_command() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let resume = |key: &str| ClientMsg::HostResume {
        pin: host.pin.clone(),
        by: HostCredential::HostKey(key.into()),
        view: Some(HostView::Screen),
    };
    let mut stranger = Bot::connect(&game.url).await.unwrap();
    send(&mut stranger, resume("not the key")).await;
    assert_eq!(error(&mut stranger).await.0, ErrorCode::Unauthorized);

    let mut screen = Bot::connect(&game.url).await.unwrap();
    send(&mut screen, resume(&host.host_key)).await;
    screen
        .expect("room_state", |m| {
            matches!(m, ServerMsg::RoomState { .. }).then_some(())
        })
        .await
        .unwrap();
    let mut bots = game.players(&mut host, &["Ada"]).await;
    screen
        .expect("player_joined", |m| {
            matches!(m, ServerMsg::PlayerJoined { .. }).then_some(())
        })
        .await
        .unwrap();

    // The screen's commands are refused; the host, not replaced, still runs the room.
    send(&mut screen, ClientMsg::Start).await;
    assert_eq!(error(&mut screen).await.0, ErrorCode::NotHost);
    send(&mut host.bot, ClientMsg::Start).await;
    assert_eq!(question(&mut screen).await.index, 0);
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    assert_eq!(reveal(&mut screen).await.answered, 1);
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut screen).await;
}

#[tokio::test]
async fn the_room_plays_on_while_the_host_is_away() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    let (pin, key) = (host.pin.clone(), host.host_key.clone());
    host.bot.close().await;
    // A lone player's answer still closes the question without a host.
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    reveal(&mut bots[0]).await;
    let mut back = Bot::connect(&game.url).await.unwrap();
    send(
        &mut back,
        ClientMsg::HostResume {
            pin,
            by: HostCredential::HostKey(key),
            view: None,
        },
    )
    .await;
    let phase = back
        .expect("room_state", |m| match m {
            ServerMsg::RoomState { phase, .. } => Some(*phase),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(phase, PhaseName::Reveal);
    send(&mut back, ClientMsg::Next).await;
    common::leaderboard(&mut bots[0]).await;
}

#[tokio::test]
async fn a_kicked_player_is_told_closed_and_cannot_come_back_with_the_token() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let (id, token) = (bots[0].player_id(), bots[0].token());
    send(&mut host.bot, ClientMsg::Kick { player_id: id }).await;
    assert_eq!(room_closed(&mut bots[0]).await, CloseReason::Kicked);
    assert_eq!(bots[0].expect_close().await.unwrap(), Some(1000));
    let count = host
        .bot
        .expect("player_left", |m| match m {
            ServerMsg::PlayerLeft { player_id, count } if *player_id == id => Some(*count),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(count, 1);
    assert_eq!(list(&mut host.bot).await.len(), 1);

    let mut back = Bot::connect(&game.url).await.unwrap();
    send(
        &mut back,
        ClientMsg::Resume {
            pin: host.pin.clone(),
            token,
        },
    )
    .await;
    assert_eq!(error(&mut back).await.0, ErrorCode::BadToken);
    // The kicked name stays taken, so the same person cannot simply walk back in.
    assert_eq!(
        join_refused(&mut back, &host.pin, "ADA").await,
        ErrorCode::NameTaken
    );
    // Kicking the same player twice: no longer in the room.
    send(&mut host.bot, ClientMsg::Kick { player_id: id }).await;
    assert_eq!(error(&mut host.bot).await.0, ErrorCode::NoSuchPlayer);
}

#[tokio::test]
async fn kicking_the_last_player_who_had_not_answered_closes_the_question() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    send(
        &mut host.bot,
        ClientMsg::Kick {
            player_id: bots[1].player_id(),
        },
    )
    .await;
    let closed = reveal(&mut bots[0]).await;
    assert_eq!((closed.answered, closed.total), (1, 1));
}

#[tokio::test]
async fn lock_and_set_chat_show_in_the_room_state() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    send(&mut host.bot, ClientMsg::Lock { locked: true }).await;
    send(&mut host.bot, ClientMsg::SetChat { enabled: false }).await;
    list(&mut host.bot).await;
    let mut new = Bot::connect(&game.url).await.unwrap();
    send(
        &mut new,
        ClientMsg::HostResume {
            pin: host.pin.clone(),
            by: HostCredential::HostKey(host.host_key.clone()),
            view: None,
        },
    )
    .await;
    let (locked, chat) = new
        .expect("room_state", |m| match m {
            ServerMsg::RoomState { locked, chat, .. } => Some((*locked, *chat)),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!((locked, chat), (true, false));
    let mut bot = Bot::connect(&game.url).await.unwrap();
    assert_eq!(
        join_refused(&mut bot, &host.pin, "Ada").await,
        ErrorCode::RoomLocked
    );
}

#[tokio::test]
async fn the_host_hears_joins_leaves_connections_and_answer_counts() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let ada = Bot::joined(&game.url, &host.pin, "Ada").await.unwrap();
    let joined = host
        .bot
        .expect("player_joined", |m| match m {
            ServerMsg::PlayerJoined {
                player_id,
                name,
                count,
                ..
            } => Some((*player_id, name.clone(), *count)),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(joined, (ada.player_id(), "Ada".to_string(), 1));
    let mut bob = Bot::joined(&game.url, &host.pin, "Bob").await.unwrap();
    host.await_players(2).await.unwrap();
    let mut cy = Bot::joined(&game.url, &host.pin, "Cy").await.unwrap();
    host.await_players(3).await.unwrap();

    // A dropped socket and its return.
    let (ada_id, ada_token) = (ada.player_id(), ada.token());
    ada.close().await;
    let connection = |want: bool| {
        move |m: &ServerMsg| match m {
            ServerMsg::PlayerConnection {
                player_id,
                connected,
            } if *player_id == ada_id && *connected == want => Some(()),
            _ => None,
        }
    };
    host.bot
        .expect("Ada drops", connection(false))
        .await
        .unwrap();
    let listed = list(&mut host.bot).await;
    assert!(
        !listed
            .iter()
            .find(|p| p.player_id == ada_id)
            .unwrap()
            .connected
    );
    let mut ada = Bot::connect(&game.url).await.unwrap();
    ada.resume(&host.pin, &ada_token).await.unwrap();
    host.bot
        .expect("Ada is back", connection(true))
        .await
        .unwrap();

    // Answers are counted for the host.
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bob).await;
    answer_acked(&mut bob, 0, AnswerValue::Choice(0)).await;
    let count = host
        .bot
        .expect("answer_count", |m| match m {
            ServerMsg::AnswerCount {
                index,
                answered,
                total,
                ..
            } => Some((*index, *answered, *total)),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(count, (0, 1, 3));

    // Leaving is a player_left with the new count.
    let cy_id = cy.player_id();
    send(&mut cy, ClientMsg::Leave).await;
    let left = host
        .bot
        .expect("player_left", |m| match m {
            ServerMsg::PlayerLeft { player_id, count } => Some((*player_id, *count)),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(left, (cy_id, 2));
    // Cy's leaving shrinks the total; once Ada answers, everyone left has answered.
    answer_acked(&mut ada, 0, AnswerValue::Choice(1)).await;
    let closed = reveal(&mut host.bot).await;
    assert_eq!((closed.answered, closed.total), (2, 2));
}

#[tokio::test]
async fn list_returns_every_player_with_score_and_connection() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    let cy = bots.pop().unwrap();
    cy.close().await;
    host.bot
        .expect("Cy drops", |m| {
            matches!(
                m,
                ServerMsg::PlayerConnection {
                    connected: false,
                    ..
                }
            )
            .then_some(())
        })
        .await
        .unwrap();
    for players in [list(&mut host.bot).await, list(&mut bots[0]).await] {
        let seen: Vec<(u32, &str, i64, bool)> = players
            .iter()
            .map(|p| (p.player_id.0, p.name.as_str(), p.score, p.connected))
            .collect();
        assert_eq!(
            seen,
            vec![
                (1, "Ada", 0, true),
                (2, "Bob", 0, true),
                (3, "Cy", 0, false)
            ]
        );
    }
}

#[tokio::test]
async fn auto_advance_moves_from_reveal_to_the_next_question_by_itself() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game
        .room_with(RoomOptions {
            auto_advance_ms: Some(1000),
            ..RoomOptions::default()
        })
        .await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    reveal(&mut bots[0]).await;
    let revealed = Instant::now();
    common::leaderboard(&mut bots[0]).await;
    let q = question(&mut bots[0]).await;
    let took = revealed.elapsed();
    assert_eq!(q.index, 1);
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(4),
        "two auto-advances of 1 s each, took {took:?}"
    );
}

#[tokio::test]
async fn end_sends_game_over_to_everyone_and_a_second_end_closes_the_room() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    // End mid-question: the open question is closed and scored, then the game is over.
    send(&mut host.bot, ClientMsg::End).await;
    let podium = game_over(&mut host.bot).await;
    assert_eq!(podium.len(), 2);
    assert_eq!(podium[0].player_id, bots[0].player_id());
    assert!(podium[0].score > 0);
    for bot in bots.iter_mut() {
        assert_eq!(game_over(bot).await, podium);
        let r = common::result(bot).await;
        let mine = podium
            .iter()
            .find(|s| s.player_id == bot.player_id())
            .unwrap();
        assert_eq!((r.rank, r.score), (mine.rank, mine.score));
    }
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    assert_eq!(report["status"], "finished");

    send(&mut host.bot, ClientMsg::End).await;
    assert_eq!(room_closed(&mut host.bot).await, CloseReason::HostEnded);
    assert_eq!(host.bot.expect_close().await.unwrap(), Some(1000));
    for bot in bots.iter_mut() {
        assert_eq!(room_closed(bot).await, CloseReason::HostEnded);
        assert_eq!(bot.expect_close().await.unwrap(), Some(1000));
    }
    // The room is gone.
    let mut late = Bot::connect(&game.url).await.unwrap();
    assert_eq!(
        join_refused(&mut late, &host.pin, "Late").await,
        ErrorCode::NoSuchRoom
    );
}

#[tokio::test]
async fn answer_count_catches_up_with_a_burst_of_answers() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let names = ["P1", "P2", "P3", "P4", "P5", "P6"];
    let mut bots = game.players(&mut host, &names).await;
    send(&mut host.bot, ClientMsg::Start).await;
    for bot in bots.iter_mut() {
        question(bot).await;
    }
    // Five of six answer together; the throttle may swallow some counts but not the last one.
    for bot in bots.iter_mut().take(5) {
        bot.answer(0, AnswerValue::Choice(1)).await.unwrap();
    }
    let mut counts = Vec::new();
    let last = host
        .bot
        .expect("answer_count reaching 5", |m| match m {
            ServerMsg::AnswerCount {
                index,
                answered,
                total,
                ..
            } => {
                counts.push(*answered);
                (*answered == 5).then_some((*index, *total))
            }
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(last, (0, 6));
    assert!(
        counts.windows(2).all(|w| w[0] <= w[1]),
        "counts only grow: {counts:?}"
    );
    assert!(counts.len() <= 5);
}

#[tokio::test]
async fn the_host_sees_the_shared_frames_but_no_personal_result() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let q = question(&mut host.bot).await;
    assert_eq!((q.index, q.total), (0, 1));
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    let mut seen = Vec::new();
    loop {
        let m = host.bot.recv().await.unwrap();
        assert!(
            !matches!(m, ServerMsg::Result { .. } | ServerMsg::AnswerAck { .. }),
            "the host got a personal message: {m:?}"
        );
        match m {
            ServerMsg::QuestionClosed { .. } => {
                seen.push("question_closed");
                send(&mut host.bot, ClientMsg::Next).await;
            }
            ServerMsg::Leaderboard { .. } => {
                seen.push("leaderboard");
                send(&mut host.bot, ClientMsg::Next).await;
            }
            ServerMsg::GameOver { .. } => {
                seen.push("game_over");
                break;
            }
            _ => {}
        }
    }
    assert_eq!(seen, vec!["question_closed", "leaderboard", "game_over"]);
    host.bot
        .expect_silence(Duration::from_millis(200))
        .await
        .expect("no result after game_over for the host");
}

#[tokio::test]
async fn a_player_kicked_while_offline_cannot_resume() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let ada = bots.remove(0);
    let (id, token) = (ada.player_id(), ada.token());
    ada.close().await;
    host.bot
        .expect("Ada drops", |m| {
            matches!(
                m,
                ServerMsg::PlayerConnection {
                    connected: false,
                    ..
                }
            )
            .then_some(())
        })
        .await
        .unwrap();
    send(&mut host.bot, ClientMsg::Kick { player_id: id }).await;
    host.bot
        .expect("player_left", |m| {
            matches!(m, ServerMsg::PlayerLeft { player_id, .. } if *player_id == id).then_some(())
        })
        .await
        .unwrap();
    let mut back = Bot::connect(&game.url).await.unwrap();
    send(
        &mut back,
        ClientMsg::Resume {
            pin: host.pin.clone(),
            token,
        },
    )
    .await;
    assert_eq!(error(&mut back).await.0, ErrorCode::BadToken);
}

#[tokio::test]
async fn answer_count_reaches_the_host_at_most_ten_times_a_second() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let names: Vec<String> = (0..21).map(|i| format!("P{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut bots = game.players(&mut host, &names).await;
    send(&mut host.bot, ClientMsg::Start).await;
    for bot in bots.iter_mut() {
        question(bot).await;
    }
    // Twenty answers spread over about half a second; the 21st player stays silent so the
    // question stays open and the last count is not replaced by the reveal.
    let began = Instant::now();
    let answering = {
        let mut twenty: Vec<Bot> = bots.drain(..20).collect();
        tokio::spawn(async move {
            for bot in twenty.iter_mut() {
                bot.answer(0, AnswerValue::Choice(1)).await.unwrap();
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            twenty
        })
    };
    let mut seen = 0u32;
    host.bot
        .expect("answer_count reaching 20", |m| match m {
            ServerMsg::AnswerCount { answered, .. } => {
                seen += 1;
                (*answered == 20).then_some(())
            }
            _ => None,
        })
        .await
        .unwrap();
    let took = began.elapsed();
    answering.await.unwrap();
    let allowed = (took.as_millis() / 100) as u32 + 1;
    assert!(
        seen <= allowed,
        "{seen} answer_counts in {took:?}: more than one per 100 ms"
    );
    assert!(
        seen >= 2,
        "the count was updated along the way, not only at the end"
    );
}

#[tokio::test]
async fn a_new_room_is_described_by_room_created_then_room_state() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut raw = common::Raw::connect(&game.url).await;
    raw.send(serde_json::json!({
        "type":"host","token":game.token,"quiz_id":game.quiz_id,"mode":"race","chat":false
    }))
    .await;
    let (_, created) = raw.expect("room_created").await;
    let pin = created["pin"].as_str().unwrap();
    assert!(
        pin.len() == 6 && pin.bytes().all(|b| b.is_ascii_digit()),
        "{created}"
    );
    assert!(created["host_key"].as_str().is_some_and(|k| k.len() >= 16));
    assert!(created["game_id"].as_i64().is_some());
    let (_, state) = raw.expect("room_state").await;
    assert_eq!(state["pin"], created["pin"]);
    assert_eq!(state["game_id"], created["game_id"]);
    assert_eq!(state["mode"], "race");
    assert_eq!(state["title"], "Scenario quiz");
    assert_eq!(state["phase"], "lobby");
    assert_eq!(state["total"], 2);
    assert_eq!(state["players"], serde_json::json!([]));
    assert_eq!(
        (&state["locked"], &state["chat"]),
        (&serde_json::json!(false), &serde_json::json!(false))
    );
    assert!(state.get("question").is_none() && state.get("index").is_none());
    // The stored game exists from the start, running.
    let report = game
        .server
        .http()
        .game(&game.token, created["game_id"].as_i64().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (&report["status"], &report["mode"]),
        (&serde_json::json!("running"), &serde_json::json!("race"))
    );
}
