//! Assignments on a cluster: two in-process nodes on one throw-away PostgreSQL database. An
//! attempt begun on node A is taken up on node B at the same question with its answer kept,
//! goes on there, and A's socket, replaced, is refused its next step.

use quizrace::store::pg::testing::fresh_database;
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode};
use quizrace_tests::assignment as a;
use quizrace_tests::play::test_quiz;
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, TestServer};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn any_node_serves_any_attempt_and_the_first_socket_is_replaced() {
    let db = tokio::task::spawn_blocking(fresh_database)
        .await
        .expect("database");
    let na = TestServer::start_pg(&db, "a").await;
    let nb = TestServer::start_pg(&db, "b").await;
    let http = na.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.expect("login");
    let quiz_id = http.create_quiz(&token, &test_quiz(3)).await.expect("quiz");
    let m = a::create(&http, &token, quiz_id, Duration::from_secs(120), json!({}))
        .await
        .expect("assignment made on A");

    let mut on_a = Bot::connect(&na.ws_url()).await.expect("connect to A");
    let w = a::join(&mut on_a, &m.code, "Ada", None)
        .await
        .expect("reply")
        .expect("joined on A");
    a::question(&mut on_a).await.expect("question 0");
    let (_, first) = a::answer(&mut on_a, 0, AnswerValue::Choice(0))
        .await
        .expect("reply")
        .expect("answered on A");
    on_a.send(&ClientMsg::AssignmentNext).await.expect("next");
    a::question(&mut on_a).await.expect("question 1 on A");

    let mut on_b = Bot::connect(&nb.ws_url()).await.expect("connect to B");
    let again = a::resume(&mut on_b, &m.code, &w.token)
        .await
        .expect("reply")
        .expect("taken up on B");
    assert_eq!((again.index, again.score), (Some(1), first.score));
    let q = a::question(&mut on_b).await.expect("question 1 on B");
    assert_eq!(q.index, 1);
    assert!(q.remaining_ms > 0 && q.remaining_ms < q.time_limit_ms + 1);
    a::answer(&mut on_b, 1, AnswerValue::Choice(0))
        .await
        .expect("reply")
        .expect("answered on B");
    on_a.send(&ClientMsg::answer(1, AnswerValue::Choice(1)))
        .await
        .expect("send");
    on_a.expect_error(ErrorCode::Replaced)
        .await
        .expect("A's socket was replaced");
    let view = nb
        .http()
        .get(&format!("/api/assignments/{}", m.id), Some(&token))
        .await
        .expect("view on B")
        .json()
        .expect("json");
    assert_eq!(view["started"], 1);
    let report = nb
        .http()
        .get(&format!("/api/games/{}", m.id), Some(&token))
        .await
        .expect("report")
        .json()
        .expect("json");
    assert_eq!(report["answers"].as_array().expect("answers").len(), 2);
}
