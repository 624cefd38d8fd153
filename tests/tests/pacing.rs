//! Pacing and feedback over real sockets: the get-ready time refuses early answers and stores
//! none of them, typed answers forgive a typo, a partly right multi answer earns its share and
//! says so, race rooms explain themselves, and every new quiz field refuses bad values.

mod common;

use common::{error, quiz, send, Game, Raw};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, Mode, Picks, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn an_answer_in_the_get_ready_time_is_too_early_and_stores_nothing() {
    // One second to read (the quiz's own 0 is overridden by the question's).
    let game = Game::with(quiz(vec![json!({
        "kind":"choice","text":"Pick B","choices":["A","B"],"correct":[1],"time_limit_s":10,
        "read_s":1
    })]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    send(&mut host.bot, ClientMsg::Start).await;
    let q = common::question(ada).await;
    assert!(q.opens_in_ms > 0, "a get-ready time: {q:?}");
    assert_eq!(
        q.remaining_ms, q.time_limit_ms,
        "the answering time is all ahead"
    );

    ada.answer(0, AnswerValue::Choice(1)).await.unwrap();
    assert_eq!(ada.ack().await.unwrap(), Err(ErrorCode::TooEarly));
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    assert_eq!(report["answers"], json!([]), "nothing stored: {report}");

    tokio::time::sleep(Duration::from_millis(q.opens_in_ms + 50)).await;
    ada.answer(0, AnswerValue::Choice(1)).await.unwrap();
    let elapsed = ada
        .ack()
        .await
        .unwrap()
        .expect("acked once answering opened");
    assert!(
        elapsed < q.time_limit_ms,
        "timed from the opening: {elapsed}"
    );
    let outcome = common::result(ada).await;
    assert!(outcome.points > 0, "{outcome:?}");
}

#[tokio::test]
async fn a_typed_answer_with_a_typo_counts_and_a_partly_right_multi_answer_says_how_much() {
    let game = Game::with(quiz(vec![
        json!({"kind":"type_answer","text":"Capital of Australia?","accept":["Canberra"],
               "time_limit_s":10}),
        json!({"kind":"multi","text":"Which are prime?","choices":["2","3","4","5"],
               "correct":[0,1,3],"time_limit_s":10,"partial":true}),
    ]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    send(&mut host.bot, ClientMsg::Start).await;

    common::question(ada).await;
    common::answer_acked(ada, 0, AnswerValue::Text("canbera".into())).await;
    let outcome = common::result(ada).await;
    assert_eq!(outcome.correct, Some(true), "one typo is forgiven");
    common::host_next(&mut host).await; // to the leaderboard
    common::host_next(&mut host).await; // to the next question

    common::question(ada).await;
    common::answer_acked(ada, 1, AnswerValue::Choices(vec![0, 1])).await;
    let (correct, points, picks) = ada
        .expect("result", |m| match m {
            ServerMsg::Result {
                correct,
                points,
                picks,
                ..
            } => Some((*correct, *points, *picks)),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(correct, Some(false), "not the whole set");
    assert!(points > 0, "partial credit: {points}");
    assert_eq!(
        picks,
        Some(Picks {
            right: 2,
            wrong: 0,
            of: 3
        })
    );
}

#[tokio::test]
async fn a_race_room_tells_phones_its_rules_and_names_the_winner_at_the_reveal() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game
        .room_with(RoomOptions {
            mode: Mode::Race,
            ..RoomOptions::default()
        })
        .await;
    let mut mia = Raw::connect(&game.url).await;
    mia.send(json!({"type":"join","pin":host.pin.0,"name":"Mia"}))
        .await;
    let (_, welcome) = mia.expect("welcome").await;
    assert_eq!(welcome["mode"], "race");
    host.await_players(1).await.unwrap();
    send(&mut host.bot, ClientMsg::Start).await;
    mia.expect("question").await;
    mia.send(json!({"type":"answer","index":0,"choice":1}))
        .await;
    let (_, closed) = mia.expect("question_closed").await;
    assert_eq!(closed["first_correct"]["name"], "Mia");
    assert!(closed["first_correct"]["elapsed_ms"].is_u64(), "{closed}");
}

/// A quiz of one good question, changed by `tweak`.
fn with(tweak: impl FnOnce(&mut Value)) -> Value {
    let mut doc = quiz(vec![common::choice(1)]);
    tweak(&mut doc);
    doc
}

#[tokio::test]
async fn every_new_quiz_field_refuses_a_bad_value_and_stores_nothing() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let count = || async {
        http.get("/api/quizzes", Some(&game.token))
            .await
            .unwrap()
            .json()
            .unwrap()
            .as_array()
            .unwrap()
            .len()
    };
    let before = count().await;
    let typed = json!({"kind":"type_answer","text":"Gold?","accept":["Au"]});
    let cases: Vec<(&str, Value, Option<&str>)> = vec![
        (
            "quiz read_s out of range",
            with(|d| d["read_s"] = json!(31)),
            Some("read_s"),
        ),
        (
            "question read_s out of range",
            with(|d| d["questions"][0]["read_s"] = json!(31)),
            Some("read_s"),
        ),
        ("read_s as text", with(|d| d["read_s"] = json!("5")), None),
        (
            "read_s negative",
            with(|d| d["questions"][0]["read_s"] = json!(-1)),
            None,
        ),
        (
            "explanation too long",
            with(|d| d["questions"][0]["explanation"] = json!("x".repeat(501))),
            Some("explanation"),
        ),
        (
            "explanation padded past its byte bound",
            with(|d| d["questions"][0]["explanation"] = json!(format!("x{}", " ".repeat(2000)))),
            Some("explanation"),
        ),
        (
            "explanation not text",
            with(|d| d["questions"][0]["explanation"] = json!(["a"])),
            None,
        ),
        (
            "typo on a choice question",
            with(|d| d["questions"][0]["typo"] = json!("exact")),
            Some("typo"),
        ),
        (
            "typo unknown",
            with(|d| {
                d["questions"][0] = typed.clone();
                d["questions"][0]["typo"] = json!("fuzzy");
            }),
            None,
        ),
        (
            "partial on a choice question",
            with(|d| d["questions"][0]["partial"] = json!(true)),
            Some("partial"),
        ),
        (
            "partial not a boolean",
            with(|d| d["questions"][0]["partial"] = json!("yes")),
            None,
        ),
    ];
    for (what, doc, field) in cases {
        let r = http
            .post("/api/quizzes", Some(&game.token), doc)
            .await
            .unwrap();
        r.assert_refused(400, "bad_field", field, what);
    }
    assert_eq!(count().await, before, "nothing stored");
}

#[tokio::test]
async fn a_bad_answer_in_the_get_ready_time_changes_nothing_either() {
    // The get-ready check comes first: even a malformed answer gets `too_early`, and the
    // socket stays usable.
    let game = Game::with(quiz(vec![json!({
        "kind":"choice","text":"Pick B","choices":["A","B"],"correct":[1],"read_s":30
    })]))
    .await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    let ada = &mut bots[0];
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(ada).await;
    for _ in 0..3 {
        ada.answer(0, AnswerValue::Choice(1)).await.unwrap();
        assert_eq!(error(ada).await.0, ErrorCode::TooEarly);
    }
    ada.answer(0, AnswerValue::Choice(9)).await.unwrap();
    assert_eq!(error(ada).await.0, ErrorCode::TooEarly);
    // The host may still close the question during the get-ready time.
    send(&mut host.bot, ClientMsg::Close).await;
    let reveal = common::reveal(ada).await;
    assert_eq!(reveal.answered, 0);
}
