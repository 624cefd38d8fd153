//! Quiz editing over HTTP: replacing and deleting a quiz (owner or admin only, never a
//! built-in sample; past games keep their results), and the CSV import the editor uses.

mod common;

use common::{game_over, host_msg, send, Game};
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, Mode};
use quizrace_tests::http::{Body, Http};
use quizrace_tests::Host;
use serde_json::{json, Value};

/// The ids of the quizzes listed for `token`: its own and the built-in samples.
async fn listed_ids(http: &Http, token: &str) -> Vec<i64> {
    let list = http
        .get("/api/quizzes", Some(token))
        .await
        .unwrap()
        .json()
        .unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_i64().unwrap())
        .collect()
}

fn capitals() -> Value {
    json!({"title":"Capitals","questions":[
        {"kind":"choice","text":"Capital of France?","choices":["Paris","Lyon","Nice","Lille"],"correct":[0],"time_limit_s":20},
        {"kind":"true_false","text":"The Rhine flows through Basel.","correct":[0],"time_limit_s":10},
        {"kind":"multi","text":"Which are prime?","choices":["2","4","5","9"],"correct":[0,2],"points":"double"},
        {"kind":"type_answer","text":"Chemical symbol of gold?","accept":["Au","au"]},
        {"kind":"poll","text":"Did you enjoy this quiz?","choices":["Yes","No"],"points":"none"}
    ]})
}

#[tokio::test]
async fn the_owner_or_an_admin_replaces_a_quiz_and_other_hosts_get_404() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let admin = &game.token;
    let carol = common::host_account(&http, admin, "carol").await;
    let dave = common::host_account(&http, admin, "dave").await;
    let mine = http
        .create_quiz(&carol, &common::one_question())
        .await
        .unwrap();
    let path = format!("/api/quizzes/{mine}");

    let r = http.put(&path, Some(&carol), capitals()).await.unwrap();
    assert_eq!(
        (r.status, r.json().unwrap()),
        (200, json!({"id": mine})),
        "{}",
        r.body
    );
    let stored = http.get(&path, Some(&carol)).await.unwrap().json().unwrap();
    assert_eq!(stored, capitals());
    let listed = http
        .get("/api/quizzes", Some(&carol))
        .await
        .unwrap()
        .json()
        .unwrap();
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == mine)
        .unwrap()
        .clone();
    assert_eq!(
        (&row["title"], &row["questions"]),
        (&json!("Capitals"), &json!(5))
    );

    let mut renamed = capitals();
    renamed["title"] = json!("Capitals, by the admin");
    let r = http.put(&path, Some(admin), renamed.clone()).await.unwrap();
    assert_eq!(r.status, 200, "an admin may edit any quiz: {}", r.body);
    assert_eq!(
        http.get(&path, Some(&carol)).await.unwrap().json().unwrap(),
        renamed
    );

    for (who, path) in [
        (&dave, path.clone()),
        (&carol, format!("/api/quizzes/{}", game.quiz_id)),
        (&carol, "/api/quizzes/9999".to_owned()),
    ] {
        let r = http.put(&path, Some(who), capitals()).await.unwrap();
        assert_eq!(
            (r.status, r.code().as_str()),
            (404, "no_such_quiz"),
            "PUT {path}: {}",
            r.body
        );
        let r = http.delete(&path, Some(who)).await.unwrap();
        assert_eq!(
            (r.status, r.code().as_str()),
            (404, "no_such_quiz"),
            "DELETE {path}: {}",
            r.body
        );
    }
    assert_eq!(
        http.get(&path, Some(&carol)).await.unwrap().json().unwrap(),
        renamed
    );
    let r = http.put(&path, None, capitals()).await.unwrap();
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn an_invalid_replacement_is_refused_like_a_new_quiz_and_changes_nothing() {
    let game = Game::with(capitals()).await;
    let http = game.server.http();
    let path = format!("/api/quizzes/{}", game.quiz_id);
    let mut bad = capitals();
    bad["questions"][2]["correct"] = json!([7]);
    let r = http.put(&path, Some(&game.token), bad).await.unwrap();
    assert_eq!(r.status, 400, "{}", r.body);
    let err = &r.json().unwrap()["error"];
    assert_eq!(
        (&err["code"], &err["index"], &err["field"]),
        (&json!("bad_field"), &json!(2), &json!("correct"))
    );
    let r = http
        .put(
            &path,
            Some(&game.token),
            json!({"title": "No questions key"}),
        )
        .await
        .unwrap();
    assert_eq!((r.status, r.code().as_str()), (400, "bad_field"));
    let r = http
        .send(
            "PUT",
            &path,
            Some(&game.token),
            Body::Text("text/plain", "{}".into()),
        )
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "bad_field"),
        "not JSON: {}",
        r.body
    );
    assert_eq!(
        http.get(&path, Some(&game.token))
            .await
            .unwrap()
            .json()
            .unwrap(),
        capitals()
    );
}

#[tokio::test]
async fn a_built_in_sample_is_read_only_for_everyone() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    // Carol has no quizzes of her own: what she sees are the samples.
    let samples = listed_ids(&http, &carol).await;
    assert!(!samples.is_empty(), "the server ships samples");
    for id in samples {
        let path = format!("/api/quizzes/{id}");
        let before = http.get(&path, Some(&carol)).await.unwrap().json().unwrap();
        for who in [&carol, &game.token] {
            let r = http.put(&path, Some(who), capitals()).await.unwrap();
            assert_eq!(
                (r.status, r.code().as_str()),
                (409, "read_only"),
                "{}",
                r.body
            );
            let r = http.delete(&path, Some(who)).await.unwrap();
            assert_eq!(
                (r.status, r.code().as_str()),
                (409, "read_only"),
                "{}",
                r.body
            );
        }
        assert_eq!(
            http.get(&path, Some(&carol)).await.unwrap().json().unwrap(),
            before
        );
    }
}

#[tokio::test]
async fn a_deleted_quiz_is_gone_but_its_games_keep_their_results() {
    let game = Game::with(common::quiz(vec![common::choice(1)])).await;
    let http = game.server.http();
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[0]).await;
    common::answer_acked(&mut bots[0], 0, quizrace_protocol::AnswerValue::Choice(1)).await;
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut host.bot).await;
    let before = http.game(&game.token, host.game_id.0).await.unwrap();

    let path = format!("/api/quizzes/{}", game.quiz_id);
    let r = http.delete(&path, Some(&game.token)).await.unwrap();
    assert_eq!(
        (r.status, r.json().unwrap()),
        (200, json!({})),
        "{}",
        r.body
    );
    let r = http.get(&path, Some(&game.token)).await.unwrap();
    assert_eq!((r.status, r.code().as_str()), (404, "no_such_quiz"));
    assert!(
        !listed_ids(&http, &game.token).await.contains(&game.quiz_id),
        "no longer listed"
    );
    for r in [
        http.delete(&path, Some(&game.token)).await.unwrap(),
        http.put(&path, Some(&game.token), capitals())
            .await
            .unwrap(),
    ] {
        assert_eq!(
            (r.status, r.code().as_str()),
            (404, "no_such_quiz"),
            "{}",
            r.body
        );
    }

    let after = http.game(&game.token, host.game_id.0).await.unwrap();
    assert_eq!(after, before, "the report is untouched");
    assert_eq!(after["quiz"]["title"], "Scenario quiz");
    assert_eq!(after["players"][0]["name"], "Ada");
    let csv = http
        .get(
            &format!("/api/games/{}/results.csv", host.game_id.0),
            Some(&game.token),
        )
        .await
        .unwrap();
    assert_eq!(csv.status, 200);
    assert!(csv.body.lines().any(|l| l.contains("Ada")), "{}", csv.body);
    let games = http
        .get("/api/games", Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(games[0]["game_id"], host.game_id.0);

    // Nobody can host it any more.
    let mut bot = game.socket().await;
    send(
        &mut bot,
        host_msg(game.token.clone(), game.quiz_id, Mode::Classic),
    )
    .await;
    assert_eq!(common::error(&mut bot).await.0, ErrorCode::NoSuchQuiz);
}

const HEADER: &str =
    "kind,question,choice1,choice2,choice3,choice4,choice5,choice6,correct,time_limit_s,points\n";

async fn import(
    http: &Http,
    token: Option<&str>,
    title: &str,
    sheet: &str,
) -> quizrace_tests::http::Reply {
    http.send(
        "POST",
        &format!("/api/quizzes/csv?title={title}"),
        token,
        Body::Text("text/csv", sheet.to_owned()),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_sheet_of_all_five_kinds_imports_saves_and_reads_back_unchanged() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let sheet = format!(
        "{HEADER}choice,Capital of France?,Paris,Lyon,Nice,Lille,,,1,20,\r\n\
         true_false,The Rhine flows through Basel.,,,,,,,TRUE,10,\r\n\
         multi,Which are prime?,2,4,5,9,,,1|3,,double\r\n\
         type_answer,Chemical symbol of gold?,,,,,,,Au | au,,\r\n\
         poll,Did you enjoy this quiz?,Yes,No,,,,,,,none\r\n\
         ,,,,,,,,,,\r\n"
    );
    let before = listed_ids(&http, &game.token).await;
    let r = import(&http, Some(&game.token), "Capitals", &sheet).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let doc = r.json().unwrap();
    assert_eq!(doc, capitals());
    assert_eq!(
        listed_ids(&http, &game.token).await,
        before,
        "an import stores nothing"
    );

    let id = http.create_quiz(&game.token, &doc).await.unwrap();
    let stored = http
        .get(&format!("/api/quizzes/{id}"), Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(stored, doc);
}

#[tokio::test]
async fn a_bad_cell_is_named_by_row_and_column_and_nothing_is_stored() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let fine = "choice,Fine,a,b,,,,,1,,\n";
    let cases = [
        ("multi,Q,a,b,c,,,,1|4,,", "correct"),
        ("true_false,Q,,,,,,,yes,,", "correct"),
        ("choice,Q,a,b,,,,,1,300,", "time_limit_s"),
        ("choice,Q,a,b,,,,,1,,lots", "points"),
        ("essay,Q,a,b,,,,,1,,", "kind"),
        ("poll,Q,a,,c,,,,,,", "choice2"),
        ("choice,,a,b,,,,,1,,", "question"),
    ];
    for (line, column) in cases {
        let sheet = format!("{HEADER}{fine}{fine}{line}\n");
        let r = import(&http, Some(&game.token), "T", &sheet).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (400, "bad_field"),
            "{line}: {}",
            r.body
        );
        let err = &r.json().unwrap()["error"];
        assert_eq!(
            (&err["row"], &err["column"]),
            (&json!(4), &json!(column)),
            "{line}: {err}"
        );
        assert!(err["message"].as_str().unwrap().contains("row 4"), "{err}");
    }
    let r = import(&http, Some(&game.token), "T", "question,answer\nQ,A\n").await;
    assert_eq!(
        r.json().unwrap()["error"]["row"],
        1,
        "an unknown column is in row 1"
    );
    let r = import(&http, Some(&game.token), "", &format!("{HEADER}{fine}")).await;
    assert_eq!(r.json().unwrap()["error"]["field"], "title");
    let r = import(&http, None, "T", &format!("{HEADER}{fine}")).await;
    assert_eq!((r.status, r.code().as_str()), (401, "unauthorized"));
}

// ---------------------------------------------------------------------------------------------
// Content bounds: what is stored is the normalised document, raw bytes bounded before trimming
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_padded_title_is_refused_and_a_trimmed_quiz_is_stored_and_served_trimmed() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let before = listed_ids(&http, &game.token).await;
    let mut padded = common::one_question();
    padded["title"] = json!(format!("Padded{}", " ".repeat(100_000)));
    let r = http
        .post("/api/quizzes", Some(&game.token), padded)
        .await
        .unwrap();
    r.assert_refused(
        400,
        "bad_field",
        Some("title"),
        "a title padded past its byte bound",
    );
    assert_eq!(
        listed_ids(&http, &game.token).await,
        before,
        "nothing stored"
    );

    // Within the bounds, the padding is trimmed from what is stored and served.
    let mut doc = common::one_question();
    doc["title"] = json!("   Padded   ");
    doc["questions"][0]["text"] = json!("  Pick one \n");
    doc["questions"][0]["choices"] = json!([" A", "B ", "C", "D"]);
    let id = http.create_quiz(&game.token, &doc).await.unwrap();
    let stored = http
        .get(&format!("/api/quizzes/{id}"), Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(stored["title"], json!("Padded"));
    assert_eq!(stored["questions"][0]["text"], json!("Pick one"));
    assert_eq!(
        stored["questions"][0]["choices"],
        json!(["A", "B", "C", "D"])
    );
    let r = http
        .put(&format!("/api/quizzes/{id}"), Some(&game.token), doc)
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    let stored = http
        .get(&format!("/api/quizzes/{id}"), Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(
        stored["title"],
        json!("Padded"),
        "a replacement is trimmed too"
    );

    // Played to the end, the public leaderboard shows the trimmed title.
    let mut host = Host::create(&game.url, &game.token, id, Default::default())
        .await
        .unwrap();
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[0]).await;
    common::answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut host.bot).await;
    let board = http
        .get("/api/leaderboard", None)
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(board[0]["title"], json!("Padded"), "{board}");
}

#[tokio::test]
async fn every_field_of_a_quiz_is_bounded_over_http_and_nothing_is_stored() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let before = listed_ids(&http, &game.token).await;
    let pad = |s: &str, n: usize| json!(format!("{s}{}", " ".repeat(n)));
    let twenty_one: Vec<String> = (0..21).map(|i| format!("a{i}")).collect();
    let cases = [
        (
            json!({"kind":"choice","text":pad("Q", 5000),"choices":["a","b"],"correct":[0]}),
            "text",
        ),
        (
            json!({"kind":"choice","text":"Q","choices":["a",pad("b", 5000)],"correct":[0]}),
            "choices",
        ),
        (
            json!({"kind":"type_answer","text":"Q","accept":[pad("Au", 5000)]}),
            "accept",
        ),
        (
            json!({"kind":"type_answer","text":"Q","accept":["x".repeat(101)]}),
            "accept",
        ),
        (
            json!({"kind":"type_answer","text":"Q","accept":twenty_one}),
            "accept",
        ),
        (
            json!({"kind":"true_false","text":"Q","choices":["Yes","No"],"correct":[0]}),
            "choices",
        ),
        (
            json!({"kind":"choice","text":"Q","choices":["a","b"],"correct":[0],"accept":["x"]}),
            "accept",
        ),
    ];
    for (question, field) in cases {
        let doc = common::quiz(vec![question.clone()]);
        let r = http
            .post("/api/quizzes", Some(&game.token), doc)
            .await
            .unwrap();
        r.assert_refused(400, "bad_field", Some(field), &question.to_string());
        assert_eq!(r.json().unwrap()["error"]["index"], json!(0), "{}", r.body);
    }
    assert_eq!(
        listed_ids(&http, &game.token).await,
        before,
        "nothing stored"
    );
}
