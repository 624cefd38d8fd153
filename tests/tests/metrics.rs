//! `GET /metrics`: the Prometheus text an operator scrapes, checked against a game the test
//! played with bots over real sockets.

mod common;

use common::{refused, Game};
use quizrace_protocol::{ClientMsg, ErrorCode, ServerMsg};
use quizrace_tests::play::{play_game, test_quiz, test_quiz_doc, Strategy};
use std::collections::HashMap;
use std::time::Duration;

/// One scrape: every sample line (`name{labels} value`) by its series, labels included.
struct Scrape(HashMap<String, f64>);

impl Scrape {
    fn parse(text: &str) -> Scrape {
        let mut samples = HashMap::new();
        for line in text.lines() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (series, value) = line
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("a sample line has a value: {line:?}"));
            let value: f64 = value
                .parse()
                .unwrap_or_else(|_| panic!("a sample value is a number: {line:?}"));
            assert!(
                samples.insert(series.to_owned(), value).is_none(),
                "each series appears once: {line:?}"
            );
        }
        Scrape(samples)
    }

    fn get(&self, series: &str) -> f64 {
        *self
            .0
            .get(series)
            .unwrap_or_else(|| panic!("{series} is exposed; got {:?}", self.0.keys()))
    }
}

async fn scrape(game: &Game) -> Scrape {
    let reply = game.server.http().get("/metrics", None).await.unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.content_type, "text/plain; version=0.0.4; charset=utf-8",
        "the Prometheus text format"
    );
    Scrape::parse(&reply.body)
}

/// Scrapes until `series` reads `want` (the room's task ends a moment after it says so).
async fn scrape_until(game: &Game, series: &str, want: f64) -> Scrape {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let s = scrape(game).await;
        if s.get(series) == want || tokio::time::Instant::now() > deadline {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn metrics_count_a_played_game() {
    const QUESTIONS: usize = 2;
    let names = ["Ada", "Bob", "Cy"];
    let game = Game::with(test_quiz(QUESTIONS)).await;
    let before = scrape(&game).await;
    assert_eq!(before.get("quizrace_rooms"), 0.0);
    assert_eq!(before.get("quizrace_players_joined_total"), 0.0);
    // One node on SQLite: its lease is always held, it takes no room over and moves no one.
    assert_eq!(before.get("quizrace_lease_held"), 1.0);
    assert_eq!(before.get("quizrace_failovers_total"), 0.0);
    assert_eq!(before.get("quizrace_moved_total"), 0.0);

    let mut host = game.room().await;
    let bots = game.players(&mut host, &names).await;
    let during = scrape(&game).await;
    assert_eq!(during.get("quizrace_rooms"), 1.0, "one room is open");
    assert_eq!(during.get("quizrace_rooms_created_total"), 1.0);
    assert_eq!(during.get("quizrace_players_connected"), names.len() as f64);
    assert_eq!(
        during.get("quizrace_players_joined_total"),
        names.len() as f64
    );
    assert_eq!(
        during.get("quizrace_ws_connections"),
        names.len() as f64 + 1.0,
        "the players' sockets and the host's"
    );
    assert!(during.get("quizrace_connections") >= names.len() as f64 + 1.0);

    let doc = test_quiz_doc(QUESTIONS);
    let mut games = Vec::new();
    for bot in bots {
        let (url, doc) = (game.url.clone(), doc.clone());
        games.push(tokio::spawn(async move {
            play_game(bot, &url, &doc, Strategy::Right).await
        }));
    }
    host.send(&ClientMsg::Start).await.unwrap();
    host.advance_through(QUESTIONS).await.unwrap();
    host.bot
        .expect("game over", |m| {
            matches!(m, ServerMsg::GameOver { .. }).then_some(())
        })
        .await
        .unwrap();
    let mut acks: usize = 0;
    for g in games {
        let (_, played) = g.await.unwrap().unwrap();
        acks += played.acks as usize;
    }
    assert_eq!(acks, names.len() * QUESTIONS);

    let played = scrape(&game).await;
    let answers = (names.len() * QUESTIONS) as f64;
    assert_eq!(played.get("quizrace_answers_stored_total"), answers);
    assert_eq!(
        played.get("quizrace_answer_ack_seconds_count"),
        acks as f64,
        "one observation per answer acked"
    );
    assert_eq!(
        played.get("quizrace_answer_ack_seconds_bucket{le=\"+Inf\"}"),
        acks as f64
    );
    assert_eq!(
        played.get("quizrace_question_fanout_seconds_count"),
        QUESTIONS as f64,
        "one observation per question opened"
    );
    assert!(played.get("quizrace_db_commits_total") > 0.0);
    assert!(played.get("quizrace_db_commit_seconds_count") > 0.0);
    assert!(played.get("quizrace_db_rows_total") >= answers);
    assert_eq!(
        played.get("quizrace_rooms"),
        1.0,
        "the room stays for its host"
    );

    host.send(&ClientMsg::End).await.unwrap();
    let closed = scrape_until(&game, "quizrace_rooms", 0.0).await;
    assert_eq!(closed.get("quizrace_rooms"), 0.0, "the room has closed");
    let closed = scrape_until(&game, "quizrace_players_connected", 0.0).await;
    assert_eq!(closed.get("quizrace_players_connected"), 0.0);
    assert_eq!(
        closed.get("quizrace_players_joined_total"),
        names.len() as f64,
        "a counter does not go down"
    );
}

#[tokio::test]
async fn connected_players_and_sockets_follow_a_drop_and_a_resume() {
    let game = Game::with(common::one_question()).await;
    let mut host = game.room().await;
    let mut bots = game.players(&mut host, &["Ada", "Bob"]).await;
    let s = scrape(&game).await;
    assert_eq!(s.get("quizrace_players_connected"), 2.0);
    assert_eq!(s.get("quizrace_ws_connections"), 3.0);

    let bob = bots.pop().expect("Bob");
    let token = bob.token();
    bob.close().await;
    let s = scrape_until(&game, "quizrace_players_connected", 1.0).await;
    assert_eq!(s.get("quizrace_players_connected"), 1.0, "Bob dropped");
    let s = scrape_until(&game, "quizrace_ws_connections", 2.0).await;
    assert_eq!(
        s.get("quizrace_ws_connections"),
        2.0,
        "his socket is closed"
    );

    let mut back = game.socket().await;
    back.resume(&host.pin, &token).await.unwrap();
    let s = scrape_until(&game, "quizrace_players_connected", 2.0).await;
    assert_eq!(s.get("quizrace_players_connected"), 2.0, "Bob is back");
    assert_eq!(s.get("quizrace_ws_connections"), 3.0);
    assert_eq!(
        s.get("quizrace_players_joined_total"),
        2.0,
        "a resume is not a join"
    );
}

#[tokio::test]
async fn refused_socket_messages_are_counted_by_kind() {
    let game = Game::with(common::one_question()).await;
    let mut stranger = game.socket().await;
    assert_eq!(
        refused(&mut stranger, "not json").await.0,
        ErrorCode::BadMessage
    );
    assert_eq!(
        refused(&mut stranger, r#"{"type":"list"}"#).await.0,
        ErrorCode::NotJoined
    );
    let s = scrape(&game).await;
    assert_eq!(s.get("quizrace_ws_refused_total{kind=\"error\"}"), 2.0);
    assert_eq!(
        s.get("quizrace_ws_refused_total{kind=\"rate_limited\"}"),
        0.0
    );
}

#[tokio::test]
async fn metrics_answer_only_get_and_concurrent_scrapes_agree() {
    let game = Game::with(common::one_question()).await;
    let http = game.server.http();
    for method in ["POST", "PUT", "DELETE"] {
        let reply = http.request(method, "/metrics", None, None).await.unwrap();
        assert_eq!(reply.status, 405, "{method} /metrics");
    }
    let first = scrape(&game).await;
    // Twenty scrapes at once, as a misconfigured fleet of scrapers would send them.
    let all = futures::future::join_all((0..20).map(|_| scrape(&game))).await;
    for again in all {
        assert_eq!(again.get("quizrace_rooms"), first.get("quizrace_rooms"));
        assert_eq!(
            again.get("quizrace_db_rows_total"),
            first.get("quizrace_db_rows_total"),
            "a scrape stores nothing"
        );
    }
}
