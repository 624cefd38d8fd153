//! Cluster routing as far as one node and its clients go: `GET /ws?pin=PIN` (the PIN is only a
//! routing hint, checked for shape before the upgrade), and bots that follow `moved` through
//! a redirector standing in for another node of the cluster.

mod common;

use common::{join_refused, one_question, Game};
use quizrace_protocol::{ClientMsg, ErrorCode, HostCredential, Pin, ServerMsg};
use quizrace_tests::bot::GaveUp;
use quizrace_tests::redirect::{Redirector, Target};
use quizrace_tests::Bot;
use serde_json::Value;
use tokio_tungstenite::tungstenite;

/// Opens `url` expecting the upgrade to be refused; the HTTP status and JSON body.
async fn refused_upgrade(url: &str) -> (u16, Value) {
    match tokio_tungstenite::connect_async(url).await {
        Ok(_) => panic!("{url}: upgraded, expected a refusal"),
        Err(tungstenite::Error::Http(resp)) => {
            let body = resp.body().clone().unwrap_or_default();
            let json = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{url}: body is not JSON ({e}): {body:?}"));
            (resp.status().as_u16(), json)
        }
        Err(e) => panic!("{url}: failed otherwise: {e}"),
    }
}

#[tokio::test]
async fn a_socket_opened_with_its_rooms_pin_joins_as_usual() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let url = format!("{}?pin={}", game.url, host.pin);
    let mut bot = Bot::connect(&url).await.expect("upgraded");
    bot.join(&host.pin, "Ada").await.expect("joined");
    host.await_players(1).await.expect("host sees Ada");
}

#[tokio::test]
async fn a_well_formed_pin_of_no_room_upgrades_and_the_join_gets_no_such_room() {
    let game = Game::with(one_question()).await;
    let _host = game.room().await;
    let mut bot = Bot::connect(&format!("{}?pin=000000", game.url))
        .await
        .expect("upgraded");
    let pin = Pin("000000".into());
    assert_eq!(
        join_refused(&mut bot, &pin, "Ada").await,
        ErrorCode::NoSuchRoom
    );
}

#[tokio::test]
async fn the_query_pin_is_only_a_hint_and_the_joins_own_pin_decides() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let elsewhere = common::other_pin(&host.pin);
    let url = format!("{}?pin={elsewhere}", game.url);
    let mut bot = Bot::connect(&url).await.expect("upgraded");
    let welcome = bot.join(&host.pin, "Ada").await.expect("joined");
    assert_eq!(welcome.pin, host.pin);
    host.await_players(1).await.expect("host sees Ada");
}

#[tokio::test]
async fn a_malformed_pin_query_is_refused_with_400_before_the_upgrade() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let long = "1".repeat(4000);
    let cases = [
        "pin=12345".to_owned(),
        "pin=1234567".to_owned(),
        "pin=12345a".to_owned(),
        "pin=".to_owned(),
        "pin".to_owned(),
        format!("pin={long}"),
        format!("pin={0}&pin={0}", host.pin),
        format!("pin={}&pin=000000", host.pin),
        "pin=%31%32%33%34%35%36".to_owned(),
    ];
    for query in cases {
        let url = format!("{}?{query}", game.url);
        let (status, body) = refused_upgrade(&url).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["error"]["code"], "bad_field", "{query}: {body}");
        assert_eq!(body["error"]["field"], "pin", "{query}: {body}");
        assert!(body["error"]["message"].is_string(), "{query}: {body}");
    }
    // Nothing changed: the room is there and a plain socket still joins it.
    let mut bot = Bot::connect(&game.url).await.expect("upgraded");
    bot.join(&host.pin, "Ada").await.expect("joined");
}

#[tokio::test]
async fn other_query_parameters_are_ignored() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let url = format!("{}?v=2&pin={}&x", game.url, host.pin);
    let mut bot = Bot::connect(&url).await.expect("upgraded");
    bot.join(&host.pin, "Ada").await.expect("joined");
}

#[tokio::test]
async fn a_bot_joining_through_another_node_ends_up_joined_on_the_owner() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    // The first answer asks for a wait, as during a failover; the bot waits and follows.
    let other = Redirector::start(Target::Url(game.url.clone()), Some(50)).await;
    let mut bot = Bot::connect(&other.ws_url()).await.expect("connect");
    let welcome = bot.join(&host.pin, "Ada").await.expect("joined");
    assert_eq!(welcome.pin, host.pin);
    assert_eq!(other.moved(), 1);
    host.await_players(1).await.expect("host sees Ada");
    // It plays on the owner: the socket it holds now is the real server's.
    bot.send(&ClientMsg::List).await.expect("send");
    bot.expect("players", |m| {
        matches!(m, ServerMsg::Players { count: 1, .. }).then_some(())
    })
    .await
    .expect("the owner answers");
}

#[tokio::test]
async fn a_resume_and_a_host_resume_through_another_node_reach_the_owner() {
    let game = Game::with(one_question()).await;
    let mut host = game.room().await;
    let ada = Bot::joined(&game.url, &host.pin, "Ada").await.expect("Ada");
    let token = ada.token();
    ada.close().await;
    let other = Redirector::start(Target::Url(game.url.clone()), None).await;

    let mut back = Bot::connect(&other.ws_url()).await.expect("connect");
    let welcome = back.resume(&host.pin, &token).await.expect("resumed");
    assert_eq!(welcome.name, "Ada");

    let mut control = Bot::connect(&other.ws_url()).await.expect("connect");
    control
        .send(&ClientMsg::HostResume {
            pin: host.pin.clone(),
            by: HostCredential::HostKey(host.host_key.clone()),
            view: None,
        })
        .await
        .expect("send");
    let pin = control
        .expect("room_state", |m| match m {
            ServerMsg::RoomState { pin, .. } => Some(pin.clone()),
            _ => None,
        })
        .await
        .expect("attached as the host");
    assert_eq!(pin, host.pin);
    assert_eq!(other.moved(), 2);
    // The old control connection was replaced by the one that came through the redirect.
    let replaced = host
        .bot
        .expect("replaced", |m| match m {
            ServerMsg::Error { code, .. } => Some(*code),
            _ => None,
        })
        .await
        .expect("old control told");
    assert_eq!(replaced, ErrorCode::Replaced);
}

#[tokio::test]
async fn a_moved_without_url_goes_back_to_where_the_bot_started() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let nowhere = Redirector::start(Target::Nowhere, Some(20)).await;
    let mut bot = Bot::connect(&nowhere.ws_url()).await.expect("connect");
    // The start is the redirector itself: one wait, then moves without a wait until the limit.
    let err = bot.join(&host.pin, "Ada").await.expect_err("never joins");
    assert_eq!(
        err.chain().find_map(|c| c.downcast_ref::<GaveUp>()),
        Some(&GaveUp::TooManyMoves(5)),
        "{err:#}"
    );
    assert_eq!(nowhere.moved(), 7);
}

#[tokio::test]
async fn a_redirect_loop_gives_up_after_five_moves_with_a_clear_error() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let looping = Redirector::start(Target::Itself, None).await;
    let mut bot = Bot::connect(&looping.ws_url()).await.expect("connect");
    let err = bot.join(&host.pin, "Ada").await.expect_err("never joins");
    assert_eq!(
        err.chain().find_map(|c| c.downcast_ref::<GaveUp>()),
        Some(&GaveUp::TooManyMoves(5)),
        "{err:#}"
    );
    assert!(format!("{err:#}").contains("moved"), "{err:#}");
    assert_eq!(looping.moved(), 6);
}

#[tokio::test]
async fn a_wait_beyond_the_twenty_second_budget_gives_up_at_once() {
    let game = Game::with(one_question()).await;
    let host = game.room().await;
    let failing_over = Redirector::start(Target::Url(game.url.clone()), Some(25_000)).await;
    let mut bot = Bot::connect(&failing_over.ws_url()).await.expect("connect");
    let err = bot
        .join(&host.pin, "Ada")
        .await
        .expect_err("does not wait 25 s");
    assert_eq!(
        err.chain().find_map(|c| c.downcast_ref::<GaveUp>()),
        Some(&GaveUp::TooLong),
        "{err:#}"
    );
}
