//! "Take control" from another device: `host_resume` with the host's session token instead of
//! a host key. The room mints a key for that device (sent only to it, in `room_state`), which
//! works after a restart; a stranger's, a logged-out or a missing credential changes nothing.
//! And nothing a client holds as a secret is in the database file in the clear.

mod common;

use common::{send, Game};
use quizrace_protocol::{ClientMsg, ErrorCode, HostCredential, Pin, ServerMsg};
use quizrace_tests::{Bot, TestServer};
use serde_json::json;

/// `host_resume` with a session token; the key the room sent back in `room_state`.
async fn take_control(url: &str, pin: &Pin, token: &str) -> (Bot, String) {
    let mut bot = Bot::connect(url).await.expect("connect");
    bot.send_raw(json!({"type":"host_resume","pin":pin,"token":token}).to_string())
        .await
        .expect("send");
    let key = bot
        .expect("room_state", |m| match m {
            ServerMsg::RoomState { host_key, .. } => Some(host_key.clone()),
            ServerMsg::Error { code, message, .. } => panic!("refused: {code:?} {message}"),
            _ => None,
        })
        .await
        .expect("room_state");
    (bot, key.expect("room_state carries the new host key"))
}

async fn refused(url: &str, frame: serde_json::Value, code: ErrorCode) -> ServerMsg {
    let mut bot = Bot::connect(url).await.expect("connect");
    bot.send_raw(frame.to_string()).await.expect("send");
    bot.expect_error(code)
        .await
        .unwrap_or_else(|e| panic!("{e:#}"))
}

#[tokio::test]
async fn the_host_takes_control_with_a_session_and_the_minted_key_survives_a_restart() {
    let mut game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    let dave = common::host_account(&http, &game.token, "dave").await;
    let quiz = http
        .create_quiz(&carol, &common::one_question())
        .await
        .expect("quiz");
    let mut host = quizrace_tests::Host::create(&game.url, &carol, quiz, Default::default())
        .await
        .expect("room");
    let pin = host.pin.clone();
    let ada = Bot::joined(&game.url, &pin, "Ada").await.expect("join");

    let (mut tablet, key) = take_control(&game.url, &pin, &carol).await;
    assert_ne!(key, host.host_key, "a new key for the new device");
    host.bot
        .expect_error(ErrorCode::Replaced)
        .await
        .expect("the old control connection is replaced");
    send(&mut tablet, ClientMsg::Start).await;
    tablet
        .expect("question", |m| {
            matches!(m, ServerMsg::Question(_)).then_some(())
        })
        .await
        .expect("the tablet commands the room");
    let (_admin, _) = take_control(&game.url, &pin, &game.token).await;

    // Refusals: another host's session, a logged-out one, both credentials, neither.
    let stranger = json!({"type":"host_resume","pin":pin,"token":dave});
    refused(&game.url, stranger, ErrorCode::Unauthorized).await;
    let gone = http.login("carol", "host-password").await.expect("login");
    let reply = http
        .post("/api/logout", Some(&gone), json!({}))
        .await
        .expect("logout");
    assert_eq!(reply.status, 200);
    let logged_out = json!({"type":"host_resume","pin":pin,"token":gone});
    refused(&game.url, logged_out, ErrorCode::Unauthorized).await;
    let both = json!({"type":"host_resume","pin":pin,"token":carol,"host_key":key});
    let ServerMsg::Error { field, .. } = refused(&game.url, both, ErrorCode::BadField).await else {
        unreachable!()
    };
    assert_eq!(field.as_deref(), Some("token"));
    let neither = json!({"type":"host_resume","pin":pin});
    let ServerMsg::Error { field, .. } = refused(&game.url, neither, ErrorCode::BadField).await
    else {
        unreachable!()
    };
    assert_eq!(field.as_deref(), Some("host_key"));

    // A restart: the minted key, the first key and Ada's token all still work.
    let secrets = [
        ada.token(),
        host.host_key.clone(),
        key.clone(),
        carol.clone(),
        game.token.clone(),
    ];
    let dir = std::mem::replace(&mut game.server.dir, tempfile::tempdir().expect("dir"));
    let Game { server, .. } = game;
    server.stop().await;
    let mut stored = Vec::new();
    for name in ["quizrace.db", "quizrace.db-wal"] {
        if let Ok(bytes) = std::fs::read(dir.path().join(name)) {
            stored.push((
                name.to_owned(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    if let Some(url) = quizrace_tests::server::postgres_url(dir.path()) {
        let rows = quizrace_tests::server::postgres_dump(&url)
            .await
            .expect("read the database");
        stored.push(("the PostgreSQL database".to_owned(), rows));
    }
    assert!(!stored.is_empty(), "found the stored database");
    for (name, text) in &stored {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{name} holds {secret} in the clear"
            );
        }
    }
    let again = TestServer::start_in(dir, |_| {}).await;
    let url = again.ws_url();
    for k in [&key, &host.host_key] {
        let mut back = Bot::connect(&url).await.expect("connect");
        send(
            &mut back,
            ClientMsg::HostResume {
                pin: pin.clone(),
                by: HostCredential::HostKey(k.clone()),
                view: None,
            },
        )
        .await;
        back.expect("room_state", |m| {
            matches!(m, ServerMsg::RoomState { host_key: None, .. }).then_some(())
        })
        .await
        .expect("the key works after the restart");
    }
    let mut ada_again = Bot::connect(&url).await.expect("connect");
    ada_again
        .resume(&pin, &ada.token())
        .await
        .expect("Ada resumes with her token");
    let (_, _) = take_control(&url, &pin, &carol).await;
    again.stop().await;
}

/// With a one-second idle lifetime a token left alone for two seconds has expired: the API
/// answers 401, `host` and a Take control `unauthorized`, and the room is untouched.
#[tokio::test]
async fn an_expired_session_is_unauthorized_on_the_api_and_the_socket() {
    let game = Game::with_config(common::one_question(), |c| {
        c.sessions.idle = std::time::Duration::from_secs(1);
    })
    .await;
    let mut host = game.room().await;
    let _ada = game.players(&mut host, &["Ada"]).await;
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let http = game.server.http();
    let me = http.get("/api/me", Some(&game.token)).await.expect("me");
    assert_eq!(me.status, 401);
    let take = json!({"type":"host_resume","pin":host.pin,"token":game.token});
    refused(&game.url, take, ErrorCode::Unauthorized).await;
    let create = common::host_msg(
        game.token.clone(),
        game.quiz_id,
        quizrace_protocol::Mode::Classic,
    );
    let mut bot = Bot::connect(&game.url).await.expect("connect");
    send(&mut bot, create).await;
    bot.expect_error(ErrorCode::Unauthorized)
        .await
        .expect("host refused");
    send(&mut host.bot, ClientMsg::Start).await;
    host.bot
        .expect("question", |m| {
            matches!(m, ServerMsg::Question(_)).then_some(())
        })
        .await
        .expect("the host's own connection still runs the room");
}
