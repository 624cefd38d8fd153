//! End to end: a host and three bots play a whole classic game over real sockets.

use quizrace_protocol::{ClientMsg, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::play::{play_game, test_quiz, test_quiz_doc, Strategy};
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, Host, TestServer};

#[tokio::test]
async fn three_bots_play_a_classic_game_to_the_podium() {
    let server = TestServer::start().await;
    let http = server.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let quiz_id = http.create_quiz(&token, &test_quiz(4)).await.unwrap();
    let doc = test_quiz_doc(4);
    let url = server.ws_url();
    let mut host = Host::create(&url, &token, quiz_id, RoomOptions::default())
        .await
        .unwrap();

    let mut games = Vec::new();
    for (name, strategy) in [
        ("Ada", Strategy::Right),
        ("Bob", Strategy::Wrong),
        ("Cy", Strategy::DropsAndResumes),
    ] {
        let bot = Bot::joined(&url, &host.pin, name).await.unwrap();
        let (url, doc) = (url.clone(), doc.clone());
        games.push(tokio::spawn(async move {
            play_game(bot, &url, &doc, strategy).await
        }));
    }
    host.await_players(3).await.unwrap();
    host.send(&ClientMsg::Start).await.unwrap();
    host.advance_through(4).await.unwrap();
    let podium = host
        .bot
        .expect("game over", |m| match m {
            ServerMsg::GameOver { podium, .. } => Some(podium.clone()),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(podium.len(), 3);
    let report = http.game(&token, host.game_id.0).await.unwrap();
    assert_eq!(report["status"], "finished");
    let stored = report["players"].as_array().unwrap().clone();
    assert_eq!(stored.len(), 3);
    let mut finals = Vec::new();
    for (i, g) in games.into_iter().enumerate() {
        let (_, played) = g.await.unwrap().unwrap();
        let last = played.last.clone().unwrap();
        let stored_score = stored
            .iter()
            .find(|p| p["player_id"] == last_id(i))
            .unwrap()["score"]
            .as_i64();
        assert_eq!(
            Some(last.score),
            stored_score,
            "the stored score is the one the player saw"
        );
        if i != 2 {
            // The dropping bot may miss a result while offline; the others see every one.
            let sum: i64 = played.results.iter().map(|r| r.points).sum();
            assert_eq!(last.score, sum, "final score is the sum of the points");
        }
        assert_eq!(played.acks, 4, "every answer acknowledged");
        finals.push(last);
    }
    assert_eq!(finals[1].score, 0, "always-wrong bot scores nothing");
    assert!(finals[0].score > 0 && finals[2].score > 0);
}

fn last_id(i: usize) -> serde_json::Value {
    serde_json::json!(i + 1)
}
