//! The end of a game over real sockets: every phone's `summary` agrees with the stored report,
//! and `play_again` takes the connected players into a new room of the same quiz, which then
//! plays; who may ask, and when.

mod common;

use common::{error, question, reveal, send, Game};
use quizrace_protocol::{
    AnswerValue, ClientMsg, ErrorCode, HostCredential, HostView, Mode, ServerMsg,
};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::play::{play_game, stored_answers, test_quiz, test_quiz_doc, Strategy};
use quizrace_tests::Bot;
use serde_json::Value;
use std::time::Duration;

/// A `summary`, as the fields the tests compare.
#[derive(Debug, PartialEq)]
struct Summary {
    rank: u32,
    score: i64,
    correct: u32,
    asked: u32,
    points: Vec<(u32, i64)>,
}

async fn summary(bot: &mut Bot) -> Summary {
    bot.expect("summary", |m| match m {
        ServerMsg::Summary {
            rank,
            score,
            correct,
            asked,
            questions,
            ..
        } => Some(Summary {
            rank: *rank,
            score: *score,
            correct: *correct,
            asked: *asked,
            points: questions.iter().map(|q| (q.index, q.points)).collect(),
        }),
        _ => None,
    })
    .await
    .expect("a summary")
}

/// The summary the stored report implies for `player`.
fn from_report(report: &Value, player: u32, questions: u32) -> Summary {
    let stored = stored_answers(report).expect("answers");
    let row = report["players"]
        .as_array()
        .expect("players")
        .iter()
        .find(|p| p["player_id"] == player)
        .expect("the player is in the report");
    let correct = report["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .filter(|a| a["player_id"] == player && a["correct"] == true)
        .count() as u32;
    Summary {
        rank: row["rank"].as_u64().expect("rank") as u32,
        score: row["score"].as_i64().expect("score"),
        correct,
        asked: row["asked"].as_u64().expect("asked") as u32,
        points: (0..questions)
            .map(|i| (i, stored.get(&(i, player)).copied().unwrap_or(0)))
            .collect(),
    }
}

/// `GET /api/admin/rooms`: the live rooms, as the admin sees them.
async fn live_rooms(game: &Game) -> Value {
    game.server
        .http()
        .get("/api/admin/rooms", Some(&game.token))
        .await
        .expect("rooms")
        .json()
        .expect("json")
}

#[tokio::test]
async fn every_phone_gets_a_summary_that_matches_the_stored_report() {
    const QUESTIONS: usize = 5;
    let game = Game::with(test_quiz(QUESTIONS)).await;
    let doc = test_quiz_doc(QUESTIONS);
    let mut host = game.room().await;
    let bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let strategies = [
        Strategy::Right,
        Strategy::Wrong,
        Strategy::Random {
            seed: 7,
            max_delay: Duration::from_millis(80),
        },
    ];
    let mut games = Vec::new();
    for (bot, strategy) in bots.into_iter().zip(strategies) {
        let (url, doc) = (game.url.clone(), doc.clone());
        games.push(tokio::spawn(async move {
            play_game(bot, &url, &doc, strategy).await
        }));
    }
    host.advance_through(QUESTIONS)
        .await
        .expect("the game runs");
    let mut summaries = Vec::new();
    for g in games {
        let (mut bot, played) = g.await.expect("task").expect("played");
        let last = played.last.expect("a final result");
        let s = summary(&mut bot).await;
        assert_eq!((s.rank, s.score), (last.rank, last.score));
        summaries.push((bot.player_id().0, s));
    }
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .expect("report");
    for (player, s) in &summaries {
        assert_eq!(
            s,
            &from_report(&report, *player, QUESTIONS as u32),
            "player {player}"
        );
    }
    assert_eq!(summaries[0].1.correct, 5, "Ada is always right");
    assert_eq!(summaries[1].1.correct, 0, "Bob never");
}

#[tokio::test]
async fn play_again_moves_every_connected_player_into_a_new_room_that_then_plays() {
    let game = Game::with(test_quiz(2)).await;
    let opts = RoomOptions {
        mode: Mode::Race,
        chat: Some(false),
        ..RoomOptions::default()
    };
    let mut host = game.room_with(opts).await;
    let (old_pin, old_game) = (host.pin.clone(), host.game_id);
    let mut bots = game.players(&mut host, &["Ada", "Bob", "Cy"]).await;
    let cy = bots.pop().expect("Cy");
    cy.close().await;
    send(&mut host.bot, ClientMsg::End).await;
    for bot in bots.iter_mut() {
        summary(bot).await;
    }
    host.play_again().await.expect("a new room");
    assert_ne!(host.pin, old_pin);
    assert_ne!(host.game_id, old_game);
    for bot in bots.iter_mut() {
        let name = bot.welcome.as_ref().expect("joined").name.clone();
        let w = bot.follow_play_again().await.expect("follows");
        assert_eq!((w.pin.clone(), w.name), (host.pin.clone(), name));
    }
    // Offline when it happened: Cy joins the new PIN by hand.
    let mut cy = Bot::joined(&game.url, &host.pin, "Cy").await.expect("Cy");
    host.await_players(3)
        .await
        .expect("all three in the new room");

    // The new room has the old one's settings.
    let rooms = live_rooms(&game).await;
    let new = rooms
        .as_array()
        .expect("a list")
        .iter()
        .find(|r| r["pin"] == host.pin.0.as_str())
        .expect("the new room is live");
    assert_eq!(
        (new["mode"].as_str(), new["chat"].as_bool()),
        (Some("race"), Some(false))
    );

    send(&mut host.bot, ClientMsg::Start).await;
    for bot in bots.iter_mut().chain([&mut cy]) {
        question(bot).await;
    }
    bots[0]
        .answer(0, AnswerValue::Choice(1))
        .await
        .expect("answer");
    let closed = reveal(&mut host.bot).await;
    assert_eq!(
        closed.first_correct.map(|f| f.name),
        Some("Ada".to_string()),
        "the race is played in the new room"
    );
}

#[tokio::test]
async fn play_again_is_the_hosts_once_the_game_is_over_and_only_once() {
    let game = Game::with(test_quiz(1)).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;

    // A socket in no room, a player and a big screen may not ask; nor the host before the end.
    let mut stranger = game.socket().await;
    send(&mut stranger, ClientMsg::PlayAgain).await;
    assert_eq!(error(&mut stranger).await.0, ErrorCode::NotJoined);
    send(&mut bots[0], ClientMsg::PlayAgain).await;
    assert_eq!(error(&mut bots[0]).await.0, ErrorCode::NotHost);
    let mut screen = game.socket().await;
    send(
        &mut screen,
        ClientMsg::HostResume {
            pin: host.pin.clone(),
            by: HostCredential::HostKey(host.host_key.clone()),
            view: Some(HostView::Screen),
        },
    )
    .await;
    screen
        .expect("room_state", |m| {
            matches!(m, ServerMsg::RoomState { .. }).then_some(())
        })
        .await
        .expect("the screen is in");
    send(&mut screen, ClientMsg::PlayAgain).await;
    assert_eq!(error(&mut screen).await.0, ErrorCode::NotHost);
    send(&mut host.bot, ClientMsg::PlayAgain).await;
    assert_eq!(error(&mut host.bot).await.0, ErrorCode::BadPhase);

    // Nothing changed: the game starts as ever.
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    send(&mut host.bot, ClientMsg::End).await;
    summary(&mut bots[0]).await;
    let (old_pin, old_key) = (host.pin.clone(), host.host_key.clone());
    host.play_again().await.expect("the first time");
    screen
        .expect("the screen is told", |m| match m {
            ServerMsg::PlayAgain { pin, .. } if *pin == host.pin => Some(()),
            _ => None,
        })
        .await
        .expect("play_again");

    // The old room's host, back with its key, is told where the game went; no third room.
    let mut back = game.socket().await;
    send(
        &mut back,
        ClientMsg::HostResume {
            pin: old_pin,
            by: HostCredential::HostKey(old_key),
            view: None,
        },
    )
    .await;
    send(&mut back, ClientMsg::PlayAgain).await;
    let message = back
        .expect("an error", |m| match m {
            ServerMsg::Error {
                code: ErrorCode::BadPhase,
                message,
                ..
            } => Some(message.clone()),
            _ => None,
        })
        .await
        .expect("refused");
    assert!(message.contains(&host.pin.0), "{message}");
    let rooms = live_rooms(&game).await;
    assert_eq!(rooms.as_array().map(Vec::len), Some(2), "{rooms}");
}
