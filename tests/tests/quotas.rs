//! Quotas per account: live rooms per host, stored quizzes, and the size of one quiz document.
//! Beyond each, a clear `quota_exceeded` naming the quota, and nothing stored.

mod common;

use common::{game_over, host_msg, send, Game};
use quizrace_protocol::{ClientMsg, ErrorCode, Mode, ServerMsg};
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::Host;
use serde_json::{json, Value};

/// A quiz of one question whose text and choices are near their bounds: about 2 KiB as JSON.
fn bulky() -> Value {
    let choices: Vec<String> = (0..6).map(|i| format!("{i}{}", "c".repeat(110))).collect();
    common::quiz(vec![
        json!({"kind":"choice","text":"q".repeat(500),"choices":choices,"correct":[0]}),
        json!({"kind":"choice","text":"q".repeat(500),"choices":choices,"correct":[0]}),
    ])
}

/// The number of games stored for `token`'s account.
async fn games_of(game: &Game, token: &str) -> usize {
    let http = game.server.http();
    let list = http
        .get("/api/games", Some(token))
        .await
        .unwrap()
        .json()
        .unwrap();
    list.as_array().expect("a list").len()
}

async fn quiz_ids(game: &Game, token: &str) -> Vec<Value> {
    let http = game.server.http();
    let list = http
        .get("/api/quizzes", Some(token))
        .await
        .unwrap()
        .json()
        .unwrap();
    list.as_array()
        .expect("a list")
        .iter()
        .filter(|q| q["builtin"] == json!(false))
        .map(|q| q["id"].clone())
        .collect()
}

fn refused_quota(r: &quizrace_tests::http::Reply, quota: &str) {
    r.assert_refused(403, "quota_exceeded", None, quota);
    let message = r.json().unwrap()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains(quota),
        "the message names {quota}: {message}"
    );
}

#[tokio::test]
async fn a_host_has_at_most_max_rooms_per_host_live_rooms() {
    let game = Game::with_config(common::one_question(), |c| c.max_rooms_per_host = 2).await;
    let first = game.room().await;
    let _second = game.room().await;
    let stored = games_of(&game, &game.token).await;

    let mut third = game.socket().await;
    third
        .send(&host_msg(&game.token, game.quiz_id, Mode::Classic))
        .await
        .unwrap();
    let refusal = third.expect_error(ErrorCode::QuotaExceeded).await.unwrap();
    let ServerMsg::Error { message, .. } = refusal else {
        unreachable!()
    };
    assert!(message.contains("--max-rooms-per-host"), "{message}");
    assert_eq!(games_of(&game, &game.token).await, stored, "no game stored");
    // The refused socket is not bound to anything: it may try again.
    third.send(&ClientMsg::Start).await.unwrap();
    third.expect_error(ErrorCode::NotJoined).await.unwrap();

    // Another account has its own quota.
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    let quiz = http
        .create_quiz(&carol, &common::one_question())
        .await
        .unwrap();
    Host::create(&game.url, &carol, quiz, Default::default())
        .await
        .expect("carol's room");

    // A room that ends frees its place.
    let mut first = first;
    send(&mut first.bot, ClientMsg::End).await;
    game_over(&mut first.bot).await;
    game.room().await;
}

#[tokio::test]
async fn an_account_stores_at_most_max_quizzes_and_deleted_ones_do_not_count() {
    let game = Game::with_config(common::one_question(), |c| c.max_quizzes = 2).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    let a = http
        .create_quiz(&carol, &common::one_question())
        .await
        .unwrap();
    http.create_quiz(&carol, &common::one_question())
        .await
        .unwrap();
    let before = quiz_ids(&game, &carol).await;

    let r = http
        .post("/api/quizzes", Some(&carol), common::one_question())
        .await
        .unwrap();
    refused_quota(&r, "--max-quizzes");
    assert_eq!(quiz_ids(&game, &carol).await, before, "nothing stored");

    let r = http
        .delete(&format!("/api/quizzes/{a}"), Some(&carol))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    http.create_quiz(&carol, &common::one_question())
        .await
        .expect("room again");
}

#[tokio::test]
async fn a_quiz_document_over_max_quiz_kb_is_refused_on_create_and_replace() {
    let game = Game::with_config(common::one_question(), |c| c.max_quiz_bytes = 1024).await;
    let http = game.server.http();
    let before = quiz_ids(&game, &game.token).await;
    let r = http
        .post("/api/quizzes", Some(&game.token), bulky())
        .await
        .unwrap();
    refused_quota(&r, "--max-quiz-kb");
    assert_eq!(quiz_ids(&game, &game.token).await, before, "nothing stored");

    let path = format!("/api/quizzes/{}", game.quiz_id);
    let r = http.put(&path, Some(&game.token), bulky()).await.unwrap();
    refused_quota(&r, "--max-quiz-kb");
    let stored = http
        .get(&path, Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(stored, common::one_question(), "unchanged");
}

#[tokio::test]
async fn a_room_is_not_created_from_a_quiz_over_max_quiz_kb() {
    let game = Game::with_config(common::one_question(), |c| c.max_quiz_bytes = 1024).await;
    // Stored while the server allowed it (straight into the database, as an older server
    // with a higher limit did); the operator has lowered the limit since.
    let doc = serde_json::from_value(bulky()).unwrap();
    let id = game.server.app.store().create_quiz(1, &doc).unwrap();
    let stored = games_of(&game, &game.token).await;
    let mut host = game.socket().await;
    host.send(&host_msg(&game.token, id.0, Mode::Classic))
        .await
        .unwrap();
    let refusal = host.expect_error(ErrorCode::QuotaExceeded).await.unwrap();
    let ServerMsg::Error { message, .. } = refusal else {
        unreachable!()
    };
    assert!(message.contains("--max-quiz-kb"), "{message}");
    assert_eq!(games_of(&game, &game.token).await, stored, "no game stored");
}

#[tokio::test]
async fn a_quiz_stored_padded_by_an_older_server_is_served_played_and_copied_tidied() {
    let game = Game::with(common::one_question()).await;
    // Straight into the database, as an older server stored it: padded, with true_false
    // choices it never checked.
    let old = json!({"title": format!("  Old{}", " ".repeat(3000)), "questions": [
        {"kind":"true_false","text":"Q ","choices":["Yes","No"],"correct":[1],"time_limit_s":10}
    ]});
    let tidy = json!({"title": "Old", "questions": [
        {"kind":"true_false","text":"Q","correct":[1],"time_limit_s":10}
    ]});
    let doc = serde_json::from_value(old).unwrap();
    let id = game.server.app.store().create_quiz(1, &doc).unwrap();
    let http = game.server.http();
    let served = http
        .get(&format!("/api/quizzes/{}", id.0), Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(served, tidy);
    let host = Host::create(&game.url, &game.token, id.0, Default::default())
        .await
        .expect("it still plays");
    let report = http.game(&game.token, host.game_id.0).await.unwrap();
    assert_eq!(report["quiz"], tidy, "{report}");
}

#[tokio::test]
async fn the_admin_is_bound_by_the_same_quotas() {
    let game = Game::with_config(common::one_question(), |c| c.max_quizzes = 1).await;
    let http = game.server.http();
    let admin = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let r = http
        .post("/api/quizzes", Some(&admin), common::one_question())
        .await
        .unwrap();
    refused_quota(&r, "--max-quizzes");
}

#[tokio::test]
async fn racing_host_messages_and_creates_cannot_overshoot_a_quota() {
    let game = Game::with_config(common::one_question(), |c| {
        c.max_rooms_per_host = 2;
        c.max_quizzes = 3;
    })
    .await;
    let hosts =
        (0..6).map(|_| Host::create(&game.url, &game.token, game.quiz_id, Default::default()));
    let created = futures::future::join_all(hosts).await;
    assert_eq!(
        created.iter().filter(|h| h.is_ok()).count(),
        2,
        "two rooms of six asked"
    );
    assert_eq!(games_of(&game, &game.token).await, 2, "two games stored");

    let http = game.server.http();
    let posts =
        (0..6).map(|_| http.post("/api/quizzes", Some(&game.token), common::one_question()));
    let statuses: Vec<u16> = futures::future::join_all(posts)
        .await
        .into_iter()
        .map(|r| r.unwrap().status)
        .collect();
    // The admin stored one quiz at the start.
    assert_eq!(
        statuses.iter().filter(|&&s| s == 201).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 403).count(),
        4,
        "{statuses:?}"
    );
    assert_eq!(quiz_ids(&game, &game.token).await.len(), 3);
}
