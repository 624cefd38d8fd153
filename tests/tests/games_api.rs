//! Games and rooms over HTTP: the games list, the full report, private games and the public
//! leaderboard, the join URL and its QR code, and the admin's live rooms with close.

mod common;

use common::{answer_acked, game_over, send, Game};
use quizrace_protocol::{AnswerValue, ClientMsg, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::{Host, TestServer};
use serde_json::{json, Value};

fn three_kinds() -> Value {
    common::quiz(vec![
        common::choice(1),
        json!({"kind":"multi","text":"Even?","choices":["1","2","3","4"],"correct":[1,3],"time_limit_s":10}),
        json!({"kind":"type_answer","text":"Gold?","accept":["Au"],"time_limit_s":10}),
    ])
}

/// Ada answers all three questions right, Bob only the first, wrongly; the host ends.
async fn play_three(game: &Game) -> Host {
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Start).await;
    let answers = [
        AnswerValue::Choice(1),
        AnswerValue::Choices(vec![1, 3]),
        AnswerValue::Text("au".into()),
    ];
    for (i, value) in answers.into_iter().enumerate() {
        common::question(&mut bots[0]).await;
        answer_acked(&mut bots[0], i as u32, value).await;
        if i == 0 {
            answer_acked(&mut bots[1], 0, AnswerValue::Choice(0)).await;
        }
        send(&mut host.bot, ClientMsg::Close).await;
        common::reveal(&mut host.bot).await;
        if i < 2 {
            send(&mut host.bot, ClientMsg::Next).await;
            send(&mut host.bot, ClientMsg::Next).await;
        }
    }
    send(&mut host.bot, ClientMsg::End).await;
    game_over(&mut host.bot).await;
    host
}

#[tokio::test]
async fn the_report_carries_the_quiz_as_played_the_times_and_every_answer_given() {
    let game = Game::with(three_kinds()).await;
    let host = play_three(&game).await;
    let http = game.server.http();
    // Edit the quiz afterwards: the report keeps the version that was played.
    let mut edited = three_kinds();
    edited["title"] = json!("Edited later");
    let r = http
        .put(
            &format!("/api/quizzes/{}", game.quiz_id),
            Some(&game.token),
            edited,
        )
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    let report = http.game(&game.token, host.game_id.0).await.unwrap();
    assert_eq!(report["quiz"], three_kinds());
    assert_eq!(report["title"], "Scenario quiz");
    assert_eq!(report["private"], false);
    let created = report["created_at"].as_i64().unwrap();
    let finished = report["finished_at"].as_i64().unwrap();
    assert!(
        created > 1_600_000_000_000 && finished >= created,
        "{created} {finished}"
    );
    let given: Vec<(i64, i64, Value)> = report["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["index"].as_i64().unwrap(),
                a["player_id"].as_i64().unwrap(),
                a["answer"].clone(),
            )
        })
        .collect();
    let ada = host_player(&report, "Ada");
    let bob = host_player(&report, "Bob");
    for want in [
        (0, ada, json!({"choice": 1})),
        (0, bob, json!({"choice": 0})),
        (1, ada, json!({"choices": [1, 3]})),
        (2, ada, json!({"text": "au"})),
    ] {
        assert!(given.contains(&want), "{want:?} in {given:?}");
    }
    assert_eq!(given.len(), 4);
}

fn host_player(report: &Value, name: &str) -> i64 {
    report["players"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()["player_id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn the_games_list_shows_your_games_newest_first_and_never_a_host_key() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    let carol = common::host_account(&http, &game.token, "carol").await;
    assert_eq!(
        http.get("/api/games", Some(&carol))
            .await
            .unwrap()
            .json()
            .unwrap(),
        json!([])
    );

    let mut finished = game.room().await;
    let _bots = game.players(&mut finished, &["Ada"]).await;
    send(&mut finished.bot, ClientMsg::End).await;
    game_over(&mut finished.bot).await;
    let carols_quiz = http
        .create_quiz(&carol, &common::one_question())
        .await
        .unwrap();
    let running = Host::create(&game.url, &carol, carols_quiz, RoomOptions::default())
        .await
        .unwrap();

    let mine = http
        .get("/api/games", Some(&carol))
        .await
        .unwrap()
        .json()
        .unwrap();
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 1, "only her own game: {mine:?}");
    let g = &mine[0];
    let mut keys: Vec<&str> = g.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "finished_at",
            "game_id",
            "host",
            "mode",
            "pin",
            "players",
            "private",
            "quiz_id",
            "status",
            "title"
        ]
    );
    assert_eq!(
        (&g["game_id"], &g["status"], &g["host"], &g["pin"]),
        (
            &json!(running.game_id.0),
            &json!("running"),
            &json!("carol"),
            &json!(running.pin.0)
        )
    );
    assert!(
        !g.to_string().contains(&running.host_key),
        "the host key is stored only as a hash; Take control uses the session: {g}"
    );
    assert_eq!(
        (&g["players"], &g["finished_at"], &g["private"]),
        (&json!(0), &Value::Null, &json!(false))
    );

    let all = http
        .get("/api/games", Some(&game.token))
        .await
        .unwrap()
        .json()
        .unwrap();
    let all = all.as_array().unwrap();
    let ids: Vec<i64> = all.iter().map(|g| g["game_id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        [running.game_id.0, finished.game_id.0],
        "an admin sees all, newest first"
    );
    let done = &all[1];
    assert_eq!(
        (&done["status"], &done["players"], &done["host"]),
        (&json!("finished"), &json!(1), &json!("admin"))
    );
    assert_eq!(
        (&done["title"], &done["quiz_id"], &done["mode"]),
        (
            &json!("Scenario quiz"),
            &json!(game.quiz_id),
            &json!("classic")
        )
    );
    assert!(done["finished_at"].as_i64().is_some());
    assert_eq!(http.get("/api/games", None).await.unwrap().status, 401);
}

#[tokio::test]
async fn private_games_vanish_from_the_public_leaderboard() {
    let game = Game::with(three_kinds()).await;
    let http = game.server.http();
    let first = play_three(&game).await;
    let second = play_three(&game).await;
    // Newest of all, but nobody joined it: no podium to show.
    let mut empty = game.room().await;
    send(&mut empty.bot, ClientMsg::End).await;
    game_over(&mut empty.bot).await;
    let running = game.room().await;

    let board = http.get("/api/leaderboard", None).await.unwrap();
    assert_eq!(board.status, 200, "no login needed");
    let board = board.json().unwrap();
    let ids: Vec<i64> = board
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["game_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        [second.game_id.0, first.game_id.0],
        "finished games only, newest first"
    );
    let g = &board[0];
    assert_eq!(
        (&g["title"], &g["mode"], &g["players"]),
        (&json!("Scenario quiz"), &json!("classic"), &json!(2))
    );
    assert!(g["finished_at"].as_i64().is_some());
    let podium = g["podium"].as_array().unwrap();
    assert_eq!(podium.len(), 2);
    assert_eq!(
        (&podium[0]["rank"], &podium[0]["name"]),
        (&json!(1), &json!("Ada"))
    );
    assert_eq!(
        (&podium[1]["rank"], &podium[1]["name"], &podium[1]["score"]),
        (&json!(2), &json!("Bob"), &json!(0))
    );
    assert!(podium[0]["score"].as_i64().unwrap() > 0);
    // board[0] is the newer game: its podium is that game's report.
    let report = http.game(&game.token, second.game_id.0).await.unwrap();
    assert_eq!(podium[0]["score"], report["players"][0]["score"]);

    let path = format!("/api/games/{}", second.game_id.0);
    let r = http
        .patch(&path, Some(&game.token), json!({"private": true}))
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.json().unwrap()),
        (200, json!({"game_id": second.game_id.0, "private": true}))
    );
    let board = http
        .get("/api/leaderboard", None)
        .await
        .unwrap()
        .json()
        .unwrap();
    let ids: Vec<&Value> = board
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["game_id"])
        .collect();
    assert_eq!(ids, [&json!(first.game_id.0)]);
    assert_eq!(
        http.game(&game.token, second.game_id.0).await.unwrap()["private"],
        true
    );
    let r = http
        .patch(&path, Some(&game.token), json!({"private": false}))
        .await
        .unwrap();
    assert_eq!(r.json().unwrap()["private"], false);
    let board = http
        .get("/api/leaderboard", None)
        .await
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(board.as_array().unwrap().len(), 2);

    // Only the host (or an admin) may change it, and only to a boolean.
    let carol = common::host_account(&http, &game.token, "carol").await;
    let r = http
        .patch(&path, Some(&carol), json!({"private": true}))
        .await
        .unwrap();
    assert_eq!((r.status, r.code().as_str()), (404, "no_such_game"));
    let r = http
        .patch(
            "/api/games/999",
            Some(&game.token),
            json!({"private": true}),
        )
        .await
        .unwrap();
    assert_eq!((r.status, r.code().as_str()), (404, "no_such_game"));
    for body in [json!({}), json!({"private": "yes"})] {
        let r = http
            .patch(&path, Some(&game.token), body.clone())
            .await
            .unwrap();
        assert_eq!((r.status, r.code().as_str()), (400, "bad_field"), "{body}");
        assert_eq!(r.json().unwrap()["error"]["field"], "private");
    }
    // A misspelt extra member is refused whole, not half-applied.
    let r = http
        .patch(
            &path,
            Some(&game.token),
            json!({"private": true, "hidden": true}),
        )
        .await
        .unwrap();
    assert_eq!((r.status, r.code().as_str()), (400, "bad_field"));
    assert_eq!(r.json().unwrap()["error"]["field"], "hidden");
    assert_eq!(
        http.game(&game.token, second.game_id.0).await.unwrap()["private"],
        false
    );
    drop(running);
}

#[tokio::test]
async fn the_join_url_uses_the_request_host_and_the_qr_code_is_an_svg_of_it() {
    let server = TestServer::start().await;
    let http = server.http();
    let r = http.get("/api/join-url?pin=123456", None).await.unwrap();
    assert_eq!(r.status, 200, "no login needed: {}", r.body);
    assert_eq!(
        r.json().unwrap(),
        json!({"url": format!("http://{}/?pin=123456", server.addr)})
    );

    let svg = http.get("/api/qr.svg?pin=123456", None).await.unwrap();
    assert_eq!(
        (svg.status, svg.content_type.as_str()),
        (200, "image/svg+xml")
    );
    let body = svg.body.trim();
    assert!(
        body.starts_with("<?xml") && body.ends_with("</svg>"),
        "{body:.80}"
    );
    assert_eq!(body.matches("<svg").count(), 1);
    let attr = |name: &str| -> u32 {
        let at = body.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        body[at..].split('"').next().unwrap().parse().unwrap()
    };
    let (w, h) = (attr("width"), attr("height"));
    assert!(w == h && w >= 256, "a square of at least 256 px: {w}x{h}");
    assert!(body.contains(&format!("viewBox=\"0 0 {w} {h}\"")));
    assert!(body.contains("<path"), "it has dark modules");
    let other = http.get("/api/qr.svg?pin=654321", None).await.unwrap();
    assert_ne!(other.body, svg.body, "the code depends on the PIN");

    for bad in ["12345", "1234567", "12345a", ""] {
        for path in ["/api/join-url", "/api/qr.svg"] {
            let r = http.get(&format!("{path}?pin={bad}"), None).await.unwrap();
            assert_eq!(
                (r.status, r.code().as_str()),
                (400, "bad_field"),
                "{path} {bad:?}"
            );
            assert_eq!(r.json().unwrap()["error"]["field"], "pin");
        }
    }
    assert_eq!(http.get("/api/join-url", None).await.unwrap().status, 400);
}

#[tokio::test]
async fn a_public_url_replaces_the_request_host_in_join_links() {
    let server =
        TestServer::start_with(|c| c.public_url = Some("https://quiz.example.org/room".into()))
            .await;
    let r = server
        .http()
        .get("/api/join-url?pin=000042", None)
        .await
        .unwrap();
    assert_eq!(
        r.json().unwrap()["url"],
        "https://quiz.example.org/room/?pin=000042"
    );
}

#[tokio::test]
async fn the_admin_sees_live_rooms_and_closing_one_ends_its_game() {
    let game = Game::with(common::quiz(vec![common::choice(1), common::choice(2)])).await;
    let http = game.server.http();
    assert_eq!(
        http.get("/api/admin/rooms", Some(&game.token))
            .await
            .unwrap()
            .json()
            .unwrap(),
        json!([])
    );
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    send(&mut host.bot, ClientMsg::Lock { locked: true }).await;
    send(&mut host.bot, ClientMsg::Start).await;
    common::question(&mut bots[0]).await;
    answer_acked(&mut bots[0], 0, AnswerValue::Choice(1)).await;

    let rooms = http
        .get("/api/admin/rooms", Some(&game.token))
        .await
        .unwrap();
    assert_eq!(rooms.status, 200);
    let rooms = rooms.json().unwrap();
    let [room] = rooms.as_array().unwrap().as_slice() else {
        panic!("one room: {rooms}");
    };
    assert_eq!(
        (
            &room["pin"],
            &room["game_id"],
            &room["title"],
            &room["mode"],
            &room["host"]
        ),
        (
            &json!(host.pin.0),
            &json!(host.game_id.0),
            &json!("Scenario quiz"),
            &json!("classic"),
            &json!("admin")
        )
    );
    assert_eq!(
        (
            &room["phase"],
            &room["index"],
            &room["total"],
            &room["locked"],
            &room["chat"]
        ),
        (
            &json!("question"),
            &json!(0),
            &json!(2),
            &json!(true),
            &json!(true)
        )
    );
    let players = room["players"].as_array().unwrap();
    let names: Vec<&Value> = players.iter().map(|p| &p["name"]).collect();
    assert_eq!(names, [&json!("Ada"), &json!("Bob")]);
    for p in players {
        assert_eq!(p["connected"], true);
        assert!(
            p["player_id"].as_i64().is_some() && p["score"].as_i64().is_some(),
            "{p}"
        );
    }

    let close = format!("/api/admin/rooms/{}/close", host.pin.0);
    let r = http
        .post(&close, Some(&game.token), json!({}))
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.json().unwrap()),
        (200, json!({})),
        "{}",
        r.body
    );
    // Answered once the rows are stored: the report says finished straight away.
    let report = http.game(&game.token, host.game_id.0).await.unwrap();
    assert_eq!(report["status"], "finished");
    assert_eq!(report["answers"].as_array().unwrap().len(), 1);
    for bot in bots.iter_mut() {
        let podium = game_over(bot).await;
        assert_eq!(podium[0].name, "Ada", "the open question was scored first");
    }
    game_over(&mut host.bot).await;

    // A finished room closes for good on a second close, as with the host's second `end`.
    let r = http
        .post(&close, Some(&game.token), json!({}))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);
    for bot in bots.iter_mut() {
        bot.expect("room_closed", |m| {
            matches!(m, ServerMsg::RoomClosed { .. }).then_some(())
        })
        .await
        .unwrap();
    }
    let unknown = common::other_pin(&host.pin);
    let r = http
        .post(
            &format!("/api/admin/rooms/{}/close", unknown.0),
            Some(&game.token),
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!((r.status, r.code().as_str()), (404, "no_such_room"));
}
