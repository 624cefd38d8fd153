//! A graceful stop (what SIGTERM does): every socket, in a room or not, hears `room_closed`
//! `server_shutdown` and is closed; unfinished games stay `running` and resume at the next
//! start, finished ones stay finished, and acknowledged answers are kept. On PostgreSQL (a
//! one-node cluster) the stop hands the rooms over instead: `moved`, never `server_shutdown`.

mod common;

use common::{answer_acked, game_over, question, quiz, room_closed, send, Game};
use quizrace::store::GameStatus;
use quizrace_protocol::{AnswerValue, ClientMsg, CloseReason, ErrorCode, GameId, HostCredential};
use quizrace_tests::server::Backend;
use std::time::{Duration, Instant};

#[tokio::test]
async fn stopping_the_server_tells_every_socket_and_the_next_start_resumes_the_game() {
    let mut game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;

    // A second room whose game is already over: its result is decided and must stay so.
    let mut done = game.room().await;
    let mut done_bots = game.players(&mut done, &["Cy"]).await;
    send(&mut done.bot, ClientMsg::End).await;
    game_over(&mut done.bot).await;

    // Sockets in no room: one fresh, one whose join was refused.
    let mut idle = game.socket().await;
    let mut refused = game.socket().await;
    send(
        &mut refused,
        ClientMsg::Join {
            pin: host.pin.clone(),
            name: "!!".into(),
        },
    )
    .await;
    assert_eq!(common::error(&mut refused).await.0, ErrorCode::BadName);

    // Keep the database file past the server's drop, and a handle on its store.
    let dir = std::mem::replace(&mut game.server.dir, tempfile::tempdir().unwrap());
    let app = game.server.app.clone();
    let Game { server, .. } = game;
    let began = Instant::now();
    let stopped = tokio::spawn(server.stop());

    let ada_id = bots[0].player_id();
    let [ada, bob] = &mut bots[..] else {
        unreachable!()
    };
    // On PostgreSQL the server is a (one-node) cluster node: it hands its rooms over rather
    // than closing them, so a room's sockets are told `moved` (which the bots follow, back to
    // this stopped server, which refuses them) and the others are closed as going away.
    let cluster = Backend::current() == Backend::Postgres;
    for (who, in_room, bot) in [
        ("host", true, &mut host.bot),
        ("Ada", true, ada),
        ("Bob", true, bob),
        ("finished room's host", true, &mut done.bot),
        ("finished room's player", true, &mut done_bots[0]),
        ("idle socket", false, &mut idle),
        ("refused socket", false, &mut refused),
    ] {
        if !cluster {
            assert_eq!(room_closed(bot).await, CloseReason::ServerShutdown, "{who}");
            assert_eq!(bot.expect_close().await.unwrap(), Some(1000), "{who}");
        } else if in_room {
            let refused = bot
                .expect_close()
                .await
                .expect_err("the stopped node refuses");
            assert!(
                format!("{refused:#}").contains("following moved"),
                "{who}: {refused:#}"
            );
            assert_eq!(bot.moved, 1, "{who} was moved");
        } else {
            assert_eq!(bot.expect_close().await.unwrap(), Some(1001), "{who}");
        }
    }
    stopped.await.unwrap();
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "stopped within 5 s ({:?})",
        began.elapsed()
    );

    let store = app.store().clone();
    let (running, finished) = tokio::task::spawn_blocking(move || {
        (
            store.game_report(GameId(host.game_id.0)).unwrap().unwrap(),
            store.game_report(GameId(done.game_id.0)).unwrap().unwrap(),
        )
    })
    .await
    .unwrap();
    assert_eq!(running.status, GameStatus::Running);
    assert_eq!(finished.status, GameStatus::Finished);
    assert_eq!(running.answers.len(), 1, "the acknowledged answer is kept");
    assert_eq!(running.answers[0].player_id, ada_id);
    assert_eq!(running.players.len(), 2);
    drop(app);

    // A planned restart resumes the room: Ada's answer is still hers, Bob can still answer,
    // and the host takes the room back with its key.
    let again = quizrace_tests::TestServer::start_in(dir, |_| {}).await;
    let url = again.ws_url();
    let mut ada = quizrace_tests::Bot::connect(&url).await.unwrap();
    let w = ada.resume(&host.pin, &bots[0].token()).await.unwrap();
    let q = w.question.expect("the question is open again");
    assert_eq!((q.index, q.answered), (0, Some(true)));
    let mut bob = quizrace_tests::Bot::connect(&url).await.unwrap();
    let w = bob.resume(&host.pin, &bots[1].token()).await.unwrap();
    assert_eq!(w.question.map(|q| q.answered), Some(Some(false)));
    answer_acked(&mut bob, 0, AnswerValue::Choice(0)).await;
    let mut back = quizrace_tests::Bot::connect(&url).await.unwrap();
    send(
        &mut back,
        ClientMsg::HostResume {
            pin: host.pin.clone(),
            by: HostCredential::HostKey(host.host_key.clone()),
            view: None,
        },
    )
    .await;
    let state = back
        .expect("room_state", |m| match m {
            quizrace_protocol::ServerMsg::RoomState { players, .. } => Some(players.len()),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(state, 2);
    again.stop().await;
}

#[tokio::test]
async fn a_stopped_server_refuses_new_connections() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let url = game.url.clone();
    game.server.stop().await;
    assert!(quizrace_tests::Bot::connect(&url).await.is_err());
}

#[tokio::test]
async fn a_room_with_generated_names_still_names_its_players_after_a_restart() {
    let mut game = Game::with(quiz(vec![common::choice(1)])).await;
    let opts = quizrace_tests::bot::RoomOptions {
        names: Some(quizrace_protocol::NamePolicy::Generated),
        ..quizrace_tests::bot::RoomOptions::default()
    };
    let host = game.room_with(opts).await;
    let dir = std::mem::replace(&mut game.server.dir, tempfile::tempdir().unwrap());
    let Game { server, .. } = game;
    server.stop().await;

    let again = quizrace_tests::TestServer::start_in(dir, |_| {}).await;
    let mut bot = quizrace_tests::Bot::connect(&again.ws_url()).await.unwrap();
    let w = bot
        .join(&host.pin, "Ada")
        .await
        .expect("joined the resumed room");
    assert_ne!(w.name, "Ada", "the server still picks the names");
    again.stop().await;
}
