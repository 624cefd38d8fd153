//! The HTTP endpoints bots need: health, login, quizzes (with validation), and the stored game
//! report as JSON and CSV, readable only by the game's host or an admin.

mod common;

use common::{answer_acked, game_over, host_msg, question, quiz, send, Game};
use quizrace::store::Role;
use quizrace_protocol::{AnswerValue, ClientMsg, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Host, TestServer};
use serde_json::{json, Value};

#[tokio::test]
async fn healthz_answers_ok() {
    let server = TestServer::start().await;
    let r = server.http().get("/healthz", None).await.unwrap();
    assert_eq!((r.status, r.body.trim()), (200, "ok"));
}

#[tokio::test]
async fn login_gives_a_token_and_bad_credentials_get_401() {
    let server = TestServer::start().await;
    let http = server.http();
    let ok = http
        .post(
            "/api/login",
            None,
            json!({"username":"admin","password":ADMIN_PASSWORD}),
        )
        .await
        .unwrap();
    assert_eq!(ok.status, 200);
    let token = ok.json().unwrap()["token"].as_str().unwrap().to_owned();
    assert!(!token.is_empty());
    let me = http.get("/api/me", Some(&token)).await.unwrap();
    assert_eq!(me.status, 200);
    assert_eq!(me.json().unwrap()["username"], "admin");

    for (user, password) in [
        ("admin", "wrong"),
        ("admin", ""),
        ("nobody", ADMIN_PASSWORD),
        ("admin", "TEST-ADMIN-PASSWORD"),
    ] {
        let r = http
            .post(
                "/api/login",
                None,
                json!({"username":user,"password":password}),
            )
            .await
            .unwrap();
        assert_eq!(r.status, 401, "{user}/{password}");
        let body = r.json().unwrap();
        assert_eq!(body["error"]["code"], "bad_credentials", "{body}");
        assert!(body["error"]["message"].is_string());
        assert!(body.get("token").is_none());
    }
}

#[tokio::test]
async fn a_stored_quiz_gets_201_and_an_id_and_is_listed() {
    let server = TestServer::start().await;
    let http = server.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let doc = json!({"title":"Capitals","questions":[
        {"kind":"choice","text":"Capital of France?","choices":["Paris","Lyon","Nice","Lille"],"correct":[0],"time_limit_s":20},
        {"kind":"true_false","text":"The Rhine flows through Basel.","correct":[0],"time_limit_s":10},
        {"kind":"multi","text":"Which are prime?","choices":["2","4","5","9"],"correct":[0,2]},
        {"kind":"type_answer","text":"Chemical symbol of gold?","accept":["Au"]},
        {"kind":"poll","text":"Did you enjoy this quiz?","choices":["Yes","No"]}
    ]});
    let r = http.post("/api/quizzes", Some(&token), doc).await.unwrap();
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.json().unwrap()["id"].as_i64().expect("an id");

    let list = http.get("/api/quizzes", Some(&token)).await.unwrap();
    assert_eq!(list.status, 200);
    let list = list.json().unwrap();
    let mine = list
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == id)
        .expect("the new quiz is listed");
    assert_eq!(mine["title"], "Capitals");
    assert_eq!(mine["questions"], 5);
    assert_eq!(mine["builtin"], false);
    let samples = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["builtin"] == true)
        .count();
    assert_eq!(
        samples + 1,
        list.as_array().unwrap().len(),
        "the built-in samples are listed too, and marked: {list}"
    );
    assert!(samples >= 1, "{list}");
}

#[tokio::test]
async fn a_body_over_1_mib_is_refused_with_413_and_stores_nothing() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start().await;
    let http = server.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let before = http.get("/api/quizzes", Some(&token)).await.unwrap().body;
    // The request announces 1 MiB + 1 byte and sends the first few. The server answers from
    // the announced length, before any more arrives. (A client that writes the whole body
    // may see the connection reset once the answer is sent, so this one does not.)
    let mut s = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let head = format!(
        "POST /api/quizzes HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{{\"title\":\"",
        server.addr,
        1024 * 1024 + 1
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut reply = vec![0u8; 1024];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), s.read(&mut reply))
        .await
        .expect("answered before the body arrives")
        .unwrap();
    let reply = String::from_utf8_lossy(&reply[..n]);
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    let after = http.get("/api/quizzes", Some(&token)).await.unwrap().body;
    assert_eq!(before, after, "nothing was stored");
}

#[tokio::test]
async fn an_invalid_quiz_gets_400_naming_the_question() {
    let server = TestServer::start().await;
    let http = server.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let good = json!({"kind":"choice","text":"ok","choices":["a","b"],"correct":[0]});
    let cases = [
        json!({"kind":"choice","text":"  ","choices":["a","b"],"correct":[0]}),
        json!({"kind":"choice","text":"one choice","choices":["a"],"correct":[0]}),
        json!({"kind":"choice","text":"seven","choices":["a","b","c","d","e","f","g"],"correct":[0]}),
        json!({"kind":"choice","text":"out of range","choices":["a","b"],"correct":[2]}),
        json!({"kind":"choice","text":"nothing right","choices":["a","b"],"correct":[]}),
        json!({"kind":"multi","text":"nothing right","choices":["a","b"]}),
        json!({"kind":"poll","text":"a poll with an answer","choices":["a","b"],"correct":[0]}),
        json!({"kind":"type_answer","text":"no accept","accept":[]}),
        json!({"kind":"choice","text":"too quick","choices":["a","b"],"correct":[0],"time_limit_s":4}),
    ];
    for bad in cases {
        let doc = json!({"title":"Broken","questions":[good, good, bad]});
        let r = http.post("/api/quizzes", Some(&token), doc).await.unwrap();
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        let body = r.json().unwrap();
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains('2'),
            "the message names question 2: {message}"
        );
        assert_eq!(body["error"]["index"], 2, "{body}");
    }
    let r = http
        .post(
            "/api/quizzes",
            Some(&token),
            json!({"title":"Empty","questions":[]}),
        )
        .await
        .unwrap();
    assert_eq!(r.status, 400, "no questions");
    // Nothing of that was stored.
    let list = http
        .get("/api/quizzes", Some(&token))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["title"] != "Broken" && q["title"] != "Empty"));
}

#[tokio::test]
async fn the_api_refuses_requests_without_a_valid_token() {
    let server = TestServer::start().await;
    let http = server.http();
    for token in [None, Some("not-a-session")] {
        for path in [
            "/api/quizzes",
            "/api/me",
            "/api/games/1",
            "/api/games/1/results.csv",
            "/api/games",
            "/api/admin/accounts",
            "/api/admin/rooms",
        ] {
            let r = http.get(path, token).await.unwrap();
            assert_eq!(r.status, 401, "GET {path} with {token:?}");
            assert_eq!(r.json().unwrap()["error"]["code"], "unauthorized");
        }
        let r = http
            .post("/api/quizzes", token, common::one_question())
            .await
            .unwrap();
        assert_eq!(r.status, 401, "POST /api/quizzes with {token:?}");
    }
}

/// Plays a two-question game with Ada (right, right) and Bob (wrong, silent); returns the host.
async fn played(game: &Game) -> (Host, Vec<quizrace_tests::Bot>) {
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    answer_acked(&mut bots[1], 0, AnswerValue::Choice(0)).await;
    common::reveal(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::Next).await;
    send(&mut host.bot, ClientMsg::Next).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 1, AnswerValue::Choice(2)).await;
    send(&mut host.bot, ClientMsg::Close).await;
    common::reveal(&mut host.bot).await;
    send(&mut host.bot, ClientMsg::Next).await;
    send(&mut host.bot, ClientMsg::Next).await;
    game_over(&mut host.bot).await;
    (host, bots)
}

#[tokio::test]
async fn the_game_report_has_the_contract_shape_and_agrees_with_the_game() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let (host, mut bots) = played(&game).await;
    let mut finals = Vec::new();
    for bot in bots.iter_mut() {
        common::game_over(bot).await;
        finals.push(common::result(bot).await);
    }
    let http = game.server.http();
    let report = http.game(&game.token, host.game_id.0).await.unwrap();
    assert_eq!(report["game_id"], host.game_id.0);
    assert_eq!(report["quiz_id"], game.quiz_id);
    assert_eq!(report["mode"], "classic");
    assert_eq!(report["status"], "finished");
    let players = report["players"].as_array().unwrap();
    assert_eq!(players.len(), 2);
    for (p, bot) in players.iter().zip(&bots) {
        for key in ["player_id", "name", "score", "rank"] {
            assert!(p.get(key).is_some(), "player without {key}: {p}");
        }
        let r = &finals[bot.player_id().0 as usize - 1];
        let stored = players
            .iter()
            .find(|s| s["player_id"] == bot.player_id().0)
            .unwrap();
        assert_eq!(stored["score"], r.score);
        assert_eq!(stored["rank"], r.rank);
    }
    assert_eq!(players[0]["name"], "Ada");
    assert_eq!(players[0]["rank"], 1);
    let answers = report["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 3, "Ada twice, Bob once: {answers:?}");
    for a in answers {
        for key in ["index", "player_id", "elapsed_ms", "correct", "points"] {
            assert!(a.get(key).is_some(), "answer without {key}: {a}");
        }
    }
    let bob: Vec<&Value> = answers.iter().filter(|a| a["player_id"] == 2).collect();
    assert_eq!(bob.len(), 1);
    assert_eq!(
        (&bob[0]["correct"], &bob[0]["points"]),
        (&json!(false), &json!(0))
    );
    let ada_points: i64 = answers
        .iter()
        .filter(|a| a["player_id"] == 1)
        .map(|a| a["points"].as_i64().unwrap())
        .sum();
    assert_eq!(json!(ada_points), players[0]["score"]);

    let csv = http
        .get(
            &format!("/api/games/{}/results.csv", host.game_id.0),
            Some(&game.token),
        )
        .await
        .unwrap();
    assert_eq!(csv.status, 200);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 2 * 2,
        "a header, then players × questions: {lines:?}"
    );
    let header = lines[0];
    for column in ["player_id", "name", "question", "points"] {
        assert!(header.contains(column), "header {header:?} lacks {column}");
    }
    let width = header.split(',').count();
    assert!(lines.iter().all(|l| l.split(',').count() == width));
    assert_eq!(lines.iter().filter(|l| l.contains("Ada")).count(), 2);
    assert_eq!(lines.iter().filter(|l| l.contains("Bob")).count(), 2);
}

#[tokio::test]
async fn a_host_cannot_read_or_host_another_hosts_games_and_quizzes() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let (host, _bots) = played(&game).await;
    let store = game.server.app.store().clone();
    tokio::task::spawn_blocking(move || {
        store.create_account("carol", "carol-password", Role::Host)
    })
    .await
    .unwrap()
    .unwrap();
    let http = game.server.http();
    let carol = http.login("carol", "carol-password").await.unwrap();
    for path in [
        format!("/api/games/{}", host.game_id.0),
        format!("/api/games/{}/results.csv", host.game_id.0),
    ] {
        let r = http.get(&path, Some(&carol)).await.unwrap();
        // 404, as for a game that does not exist: another host's game is not even confirmed.
        r.assert_refused(
            404,
            "no_such_game",
            None,
            &format!("GET {path} as another host"),
        );
        assert!(!r.body.contains("Ada"), "no results leak: {}", r.body);
    }
    // The admin's own quiz is neither listed for Carol nor hostable by her.
    let list = http
        .get("/api/quizzes", Some(&carol))
        .await
        .unwrap()
        .json()
        .unwrap();
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|q| q["id"] != game.quiz_id));
    let mut bot = game.socket().await;
    send(
        &mut bot,
        host_msg(
            carol.clone(),
            game.quiz_id,
            quizrace_protocol::Mode::Classic,
        ),
    )
    .await;
    assert_eq!(
        common::error(&mut bot).await.0,
        quizrace_protocol::ErrorCode::NoSuchQuiz
    );

    // Carol's own game is hers to read, and the admin may read it too.
    let carols_quiz = http
        .create_quiz(&carol, &common::one_question())
        .await
        .unwrap();
    let mut carols = Host::create(&game.url, &carol, carols_quiz, RoomOptions::default())
        .await
        .unwrap();
    send(&mut carols.bot, ClientMsg::End).await;
    carols
        .bot
        .expect("game over", |m| {
            matches!(m, ServerMsg::GameOver { .. }).then_some(())
        })
        .await
        .unwrap();
    assert_eq!(
        http.game(&carol, carols.game_id.0).await.unwrap()["status"],
        "finished"
    );
    assert_eq!(
        http.game(&game.token, carols.game_id.0).await.unwrap()["game_id"],
        carols.game_id.0
    );
}

#[tokio::test]
async fn a_running_game_reports_running() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    assert_eq!(report["status"], "running");
    assert_eq!(report["players"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_acknowledged_answer_is_already_in_the_report() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    let elapsed = answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    // No waiting: the ack promises the row is committed.
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    let answers = report["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{report}");
    assert_eq!(answers[0]["player_id"], bots[0].player_id().0);
    assert_eq!(answers[0]["elapsed_ms"], elapsed);
    assert_eq!(answers[0]["correct"], true);
}

#[tokio::test]
async fn a_kicked_players_points_do_not_push_the_others_down_the_stored_ranking() {
    let game = Game::with(quiz(vec![common::choice(1)])).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;
    answer_acked(&mut bots[1], 0, AnswerValue::Choice(0)).await;
    common::reveal(&mut host.bot).await;
    send(
        &mut host.bot,
        ClientMsg::Kick {
            player_id: bots[0].player_id(),
        },
    )
    .await;
    send(&mut host.bot, ClientMsg::End).await;
    let podium = game_over(&mut host.bot).await;
    assert_eq!(podium.len(), 1);
    assert_eq!(
        (podium[0].player_id, podium[0].rank),
        (bots[1].player_id(), 1)
    );
    let bob = &mut bots[1];
    game_over(bob).await;
    let told = common::result(bob).await;
    assert_eq!(told.rank, 1);
    let report = game
        .server
        .http()
        .game(&game.token, host.game_id.0)
        .await
        .unwrap();
    let stored = report["players"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["player_id"] == bob.player_id().0)
        .unwrap()
        .clone();
    assert_eq!(stored["rank"], told.rank, "{report}");
}

#[tokio::test]
async fn writer_stats_count_stored_rows_and_are_for_admins_only() {
    let game = Game::with(quiz(vec![common::choice(1), common::choice(2)])).await;
    let http = game.server.http();
    let stats = |r: quizrace_tests::http::Reply| {
        let v = r.json().unwrap();
        (v["commits"].as_u64().unwrap(), v["rows"].as_u64().unwrap())
    };
    let before = stats(
        http.get("/api/admin/stats", Some(&game.token))
            .await
            .unwrap(),
    );
    let (_host, _bots) = played(&game).await;
    let after = stats(
        http.get("/api/admin/stats", Some(&game.token))
            .await
            .unwrap(),
    );
    assert!(
        after.0 > before.0 && after.1 >= before.1 + 2,
        "a played game's joins and answers are counted: {before:?} -> {after:?}"
    );

    let store = game.server.app.store().clone();
    tokio::task::spawn_blocking(move || store.create_account("dave", "dave-password", Role::Host))
        .await
        .unwrap()
        .unwrap();
    let dave = http.login("dave", "dave-password").await.unwrap();
    let r = http.get("/api/admin/stats", Some(&dave)).await.unwrap();
    assert_eq!(r.status, 401, "a host is refused: {}", r.body);
    assert_eq!(
        http.get("/api/admin/stats", None).await.unwrap().status,
        401
    );
}
