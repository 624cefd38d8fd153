//! The keep-alive contract over real sockets (with short intervals): the server pings, a client
//! that answers pings stays, a silent one is closed and its player marked disconnected.

use quizrace_protocol::{ClientMsg, ErrorCode, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::play::test_quiz;
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, Host, TestServer};
use std::time::Duration;

async fn server() -> TestServer {
    TestServer::start_with(|c| {
        c.ping_every = Duration::from_millis(200);
        c.idle_close = Duration::from_millis(1000);
    })
    .await
}

#[tokio::test]
async fn a_client_that_answers_pings_stays_connected() {
    let server = server().await;
    let mut bot = Bot::connect(&server.ws_url()).await.unwrap();
    // Reading lets the client answer each ping with a pong; nothing else is sent.
    bot.expect_silence(Duration::from_millis(2500))
        .await
        .unwrap();
    bot.send(&ClientMsg::List).await.unwrap();
    bot.expect_error(ErrorCode::NotJoined).await.unwrap();
}

#[tokio::test]
async fn a_silent_socket_is_closed_and_its_player_marked_disconnected() {
    let server = server().await;
    let http = server.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let quiz = http.create_quiz(&token, &test_quiz(1)).await.unwrap();
    let url = server.ws_url();
    let mut host = Host::create(&url, &token, quiz, RoomOptions::default())
        .await
        .unwrap();
    let mut player = Bot::joined(&url, &host.pin, "Quiet").await.unwrap();
    let id = player.player_id();
    // The player reads nothing, so it answers no ping; the host keeps reading.
    let disconnected = host
        .bot
        .expect("player_connection false", |m| match m {
            ServerMsg::PlayerConnection {
                player_id,
                connected: false,
            } if *player_id == id => Some(()),
            _ => None,
        })
        .await;
    assert!(disconnected.is_ok(), "the host saw the silent player drop");
    assert_eq!(
        player.expect_close().await.unwrap(),
        Some(1001),
        "closed as idle"
    );
}
