//! 200 bots in one room play a 5-question game in each mode, over real sockets. Every final
//! score must equal the sum of that player's awarded points, the stored report must agree with
//! what the players were told, and ranks must be a consistent ordering of the scores.

use quizrace_protocol::{ClientMsg, Mode, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::play::{play_game, test_quiz, test_quiz_doc, Played, Strategy};
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, Host, TestServer};
use std::collections::HashMap;
use std::time::Duration;

const BOTS: u32 = 200;
const QUESTIONS: usize = 5;

async fn swarm(mode: Mode) {
    let server = TestServer::start().await;
    let http = server.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.unwrap();
    let quiz_id = http
        .create_quiz(&token, &test_quiz(QUESTIONS))
        .await
        .unwrap();
    let doc = test_quiz_doc(QUESTIONS);
    let url = server.ws_url();
    let opts = RoomOptions {
        mode,
        ..RoomOptions::default()
    };
    let mut host = Host::create(&url, &token, quiz_id, opts).await.unwrap();
    host.bot.deadline = Duration::from_secs(60);

    let mut games = Vec::new();
    for i in 0..BOTS {
        let bot = Bot::joined(&url, &host.pin, &format!("bot{i}"))
            .await
            .unwrap();
        // Most answer at random moments, right or wrong; every tenth drops and resumes.
        let strategy = if i % 10 == 9 {
            Strategy::DropsAndResumes
        } else {
            Strategy::Random {
                seed: u64::from(i),
                max_delay: Duration::from_millis(400),
            }
        };
        let (url, doc) = (url.clone(), doc.clone());
        games.push(tokio::spawn(async move {
            play_game(bot, &url, &doc, strategy).await
        }));
    }
    host.await_players(BOTS).await.unwrap();
    host.send(&ClientMsg::Start).await.unwrap();
    host.advance_through(QUESTIONS).await.unwrap();
    host.bot
        .expect("game over", |m| {
            matches!(m, ServerMsg::GameOver { .. }).then_some(())
        })
        .await
        .unwrap();

    let mut played: Vec<Played> = Vec::new();
    for g in games {
        played.push(g.await.unwrap().unwrap().1);
    }
    let report = http.game(&token, host.game_id.0).await.unwrap();
    let stored: HashMap<u64, (i64, u64)> = report["players"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["player_id"].as_u64().unwrap(),
                (p["score"].as_i64().unwrap(), p["rank"].as_u64().unwrap()),
            )
        })
        .collect();
    assert_eq!(stored.len(), BOTS as usize);

    let mut finals = Vec::new();
    for (i, p) in played.iter().enumerate() {
        let last = p.last.as_ref().expect("final result");
        let id = i as u64 + 1;
        assert_eq!(
            stored[&id],
            (last.score, u64::from(last.rank)),
            "bot {i}: stored score and rank match what it was told"
        );
        if i % 10 != 9 {
            let sum: i64 = p.results.iter().map(|r| r.points).sum();
            assert_eq!(
                last.score, sum,
                "bot {i}: final score is the sum of its points"
            );
            assert_eq!(
                p.results.len(),
                QUESTIONS,
                "bot {i} got a result for every question"
            );
        }
        if mode == Mode::Classic {
            assert_eq!(
                p.acks as usize, QUESTIONS,
                "bot {i}: every answer was acknowledged"
            );
        }
        // Nothing acknowledged is lost: each acked answer is in the stored report.
        for index in &p.acked {
            let stored = report["answers"].as_array().unwrap().iter().any(|a| {
                a["player_id"].as_u64() == Some(id)
                    && a["index"].as_u64() == Some(u64::from(*index))
            });
            assert!(
                stored,
                "bot {i}: acked answer to question {index} is not stored"
            );
        }
        finals.push((last.rank, last.score));
    }
    // Competition ranking (1, 2, 2, 4): equal scores share a rank, any other player's rank is
    // one more than the number of players ahead, and a better rank never has a lower score.
    finals.sort();
    for (i, &(rank, score)) in finals.iter().enumerate() {
        let expected = match i.checked_sub(1).map(|j| finals[j]) {
            Some((r, s)) if s == score => r,
            _ => i as u32 + 1,
        };
        assert_eq!(rank, expected, "competition ranks from 1: {finals:?}");
    }
    assert!(
        finals
            .windows(2)
            .all(|w| w[0].1 > w[1].1 || w[0].0 == w[1].0),
        "ranks follow scores, and only equal scores share one"
    );

    // Stored answers: at most one per player and question; in race, one winner per question.
    let answers = report["answers"].as_array().unwrap();
    let mut seen = std::collections::HashSet::new();
    for a in answers {
        assert!(
            seen.insert((a["index"].as_u64(), a["player_id"].as_u64())),
            "an answer stored twice"
        );
    }
    if mode == Mode::Race {
        for q in 0..QUESTIONS as u64 {
            let winners = answers
                .iter()
                .filter(|a| a["index"].as_u64() == Some(q) && a["points"].as_i64() > Some(0))
                .count();
            assert!(winners <= 1, "question {q} has {winners} winners");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_bots_play_classic_and_scores_add_up() {
    swarm(Mode::Classic).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_bots_play_race_with_one_winner_per_question() {
    swarm(Mode::Race).await;
}
