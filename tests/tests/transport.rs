//! The socket's own limits: garbage is tolerated up to 20 refusals in 10 s and then closed with
//! 1008; a frame over 16 KiB is closed with 1009; anything below the limits gets an answer.
//!
//! The garbage rule is tested alone here: these servers have loose message and join-failure
//! rates (the rates themselves are tested in `hostile.rs`).

mod common;

use common::{error, join_refused, list, one_question, refused, send, Game};
use quizrace::limits::Rate;
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, ServerMsg, MAX_FRAME_BYTES};
use tokio_tungstenite::tungstenite::Message;

async fn garbage_only() -> Game {
    Game::with_config(one_question(), |c| {
        c.msg_rate = Rate::new(1000.0, 1000.0);
        c.join_failures = Rate::new(1000.0, 1000.0);
    })
    .await
}

#[tokio::test]
async fn twenty_garbage_frames_are_answered_and_the_twenty_first_closes_with_1008() {
    let game = garbage_only().await;
    let host = game.room().await;
    let mut bot = game.socket().await;
    for i in 0..20 {
        assert_eq!(
            refused(&mut bot, &format!("garbage {i}")).await.0,
            ErrorCode::BadMessage
        );
    }
    // Twenty is still within the limit: the socket works.
    bot.join(&host.pin, "Ada").await.unwrap();
    assert_eq!(list(&mut bot).await.len(), 1);
    bot.send_raw("one too many").await.unwrap();
    assert_eq!(error(&mut bot).await.0, ErrorCode::BadMessage);
    assert_eq!(bot.expect_close().await.unwrap(), Some(1008));
}

#[tokio::test]
async fn binary_and_unknown_frames_count_as_garbage_too() {
    let game = garbage_only().await;
    let _host = game.room().await;
    let mut bot = game.socket().await;
    for i in 0..21 {
        if i % 2 == 0 {
            bot.send_message(Message::binary(vec![0u8; 8]))
                .await
                .unwrap();
        } else {
            bot.send_raw(r#"{"type":"teleport"}"#).await.unwrap();
        }
    }
    assert_eq!(bot.expect_close().await.unwrap(), Some(1008));
}

#[tokio::test]
async fn a_joined_player_closed_for_garbage_shows_as_disconnected_to_the_host() {
    let game = garbage_only().await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let id = bots[0].player_id();
    for _ in 0..21 {
        bots[0].send_raw("}{").await.unwrap();
    }
    assert_eq!(bots[0].expect_close().await.unwrap(), Some(1008));
    let connected = host
        .bot
        .expect("player_connection", |m| match m {
            ServerMsg::PlayerConnection {
                player_id,
                connected,
            } if *player_id == id => Some(*connected),
            _ => None,
        })
        .await
        .unwrap();
    assert!(!connected);
    let players = list(&mut host.bot).await;
    assert_eq!(players.len(), 1, "a dropped player keeps their place");
    assert!(!players[0].connected);
}

#[tokio::test]
async fn a_frame_over_16_kib_closes_the_socket_with_1009() {
    let game = garbage_only().await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let padding = "x".repeat(MAX_FRAME_BYTES);
    let big = format!(r#"{{"type":"chat","text":"{padding}"}}"#);
    assert!(big.len() > MAX_FRAME_BYTES);
    bots[0].send_raw(big).await.unwrap();
    assert_eq!(bots[0].expect_close().await.unwrap(), Some(1009));
}

#[tokio::test]
async fn a_frame_just_under_16_kib_is_read_and_answered() {
    let game = garbage_only().await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let overhead = r#"{"type":"chat","text":""}"#.len();
    let padding = "x".repeat(MAX_FRAME_BYTES - overhead);
    let frame = format!(r#"{{"type":"chat","text":"{padding}"}}"#);
    assert_eq!(frame.len(), MAX_FRAME_BYTES);
    // Too long for a chat message (280 characters), but not for the socket.
    assert_eq!(
        refused(&mut bots[0], &frame).await,
        (ErrorCode::BadField, Some("text".into()))
    );
    assert_eq!(list(&mut bots[0]).await.len(), 1);
}

#[tokio::test]
async fn guessing_pins_is_cut_off_after_twenty_misses() {
    let game = garbage_only().await;
    let host = game.room().await;
    let mut bot = game.socket().await;
    let wrong = common::other_pin(&host.pin);
    for _ in 0..20 {
        assert_eq!(
            join_refused(&mut bot, &wrong, "Guess").await,
            ErrorCode::NoSuchRoom
        );
    }
    send(
        &mut bot,
        ClientMsg::Join {
            pin: wrong,
            name: "Guess".into(),
        },
    )
    .await;
    assert_eq!(error(&mut bot).await.0, ErrorCode::NoSuchRoom);
    assert_eq!(bot.expect_close().await.unwrap(), Some(1008));
}

#[tokio::test]
async fn twenty_one_invalid_answers_close_the_socket_with_1008() {
    let game = garbage_only().await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[0]).await;
    for _ in 0..21 {
        // `choice` 99 on a four-choice question: a known type with an invalid field.
        bots[0].answer(0, AnswerValue::Choice(99)).await.unwrap();
    }
    for _ in 0..21 {
        assert_eq!(
            error(&mut bots[0]).await,
            (ErrorCode::BadField, Some("choice".into()))
        );
    }
    assert_eq!(bots[0].expect_close().await.unwrap(), Some(1008));
}
