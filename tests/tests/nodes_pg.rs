//! Two in-process nodes of a cluster on one throw-away PostgreSQL database: placement, routing,
//! claims and hand-over for real (the stand-in placement of `nodes.rs` aside). Node A owns a
//! room; a bot that joins through node B is moved to A and plays there; when A stops, B claims
//! the room and the players resume on B.

use quizrace::lobby::Directory;
use quizrace::store::pg::testing::fresh_database;
use quizrace_protocol::{AnswerValue, ClientMsg, ServerMsg};
use quizrace_tests::play::test_quiz;
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, Host, TestServer};

/// Nodes A and B on one new database, and a room on A with its host.
async fn two_nodes() -> (TestServer, TestServer, Host) {
    let db = tokio::task::spawn_blocking(fresh_database)
        .await
        .expect("database");
    let a = TestServer::start_pg(&db, "a").await;
    let b = TestServer::start_pg(&db, "b").await;
    let http = a.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.expect("login");
    let quiz_id = http.create_quiz(&token, &test_quiz(2)).await.expect("quiz");
    let host = Host::create(&a.ws_url(), &token, quiz_id, Default::default())
        .await
        .expect("room on A");
    (a, b, host)
}

async fn question(bot: &mut Bot) {
    bot.expect("question", |m| {
        matches!(m, ServerMsg::Question { .. }).then_some(())
    })
    .await
    .expect("question");
}

#[tokio::test]
async fn a_bot_joining_through_another_node_is_moved_to_the_owner_and_plays() {
    let (a, b, mut host) = two_nodes().await;
    let mut ada = Bot::joined(&b.ws_url(), &host.pin, "Ada")
        .await
        .expect("Ada joins through B");
    host.await_players(1).await.expect("the host on A sees Ada");
    assert_eq!(b.app.metrics().rooms().moved.get(), 1, "B moved Ada to A");
    assert!(b.app.lobby().is_empty(), "B does not serve the room");
    host.send(&ClientMsg::Start).await.expect("start");
    question(&mut ada).await;
    ada.answer(0, AnswerValue::Choice(0)).await.expect("answer");
    assert!(ada.ack().await.expect("ack").is_ok(), "stored on A");
    drop(a);
}

#[tokio::test]
async fn when_the_owner_stops_the_other_node_claims_the_room_and_the_players_resume_there() {
    let (a, b, mut host) = two_nodes().await;
    let mut ada = Bot::joined(&a.ws_url(), &host.pin, "Ada")
        .await
        .expect("Ada joins on A");
    // Bob does not answer: the question stays open.
    let _bob = Bot::joined(&a.ws_url(), &host.pin, "Bob")
        .await
        .expect("Bob joins on A");
    host.await_players(2).await.expect("host sees both");
    host.send(&ClientMsg::Start).await.expect("start");
    question(&mut ada).await;
    ada.answer(0, AnswerValue::Choice(0)).await.expect("answer");
    assert!(ada.ack().await.expect("ack").is_ok());
    let token = ada.token();
    a.stop().await;

    // B claims the handed-over game within a second or so; until then it asks to wait.
    let mut back = Bot::connect_for(&b.ws_url(), &host.pin)
        .await
        .expect("connect to B");
    let w = back.resume(&host.pin, &token).await.expect("resumed on B");
    let q = w.question.expect("the question is open again");
    assert_eq!(
        (q.index, q.answered),
        (0, Some(true)),
        "the stored answer is kept"
    );
    assert_eq!(b.app.metrics().cluster().failovers.get(), 1);
    assert!(b.app.lobby().lookup(&host.pin).is_some());
}
