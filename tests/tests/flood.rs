//! A flooder in a room of 200 honest bots: it is throttled (and closed, and comes back, and is
//! throttled again) while the honest players' answer acks stay within 20 % of a game without it.
//!
//! After a warm-up game, quiet and flooded games alternate on one server, two of each, each
//! with 200 bots answering every question at once (the busiest moment of a game); a game's
//! p99 is over all its 1,000 acks, and each condition keeps its better game. One slow game
//! on a shared 2-core machine (a neighbour's build) then cannot decide the test, while a
//! flooder that really slows the room slows both of its games. Millisecond p99s still jitter
//! by a few ms, so the bound allows 5 ms on top of the 20 % (docs/security.md says the same).

mod common;

use common::Game;
use quizrace_protocol::{ClientMsg, ErrorCode, Pin, ServerMsg};
use quizrace_tests::bot::{Closed, RoomOptions};
use quizrace_tests::play::{play_game, test_quiz, test_quiz_doc, Strategy};
use quizrace_tests::{Bot, Host, TestServer};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

const BOTS: u32 = 200;
const QUESTIONS: usize = 5;
/// Slack on top of the 20 %: scheduling noise on a loaded 2-core machine.
const SLACK: Duration = Duration::from_millis(5);

#[derive(Default)]
struct FloodStats {
    sent: AtomicU32,
    limited: AtomicU32,
    closed_1008: AtomicU32,
}

/// Plays one game with 200 honest bots; returns every ack latency.
async fn game(server: &TestServer, token: &str, quiz_id: i64, flood: bool) -> Vec<Duration> {
    let url = server.ws_url();
    let doc = test_quiz_doc(QUESTIONS);
    let mut host = Host::create(&url, token, quiz_id, RoomOptions::default())
        .await
        .unwrap();
    host.bot.deadline = Duration::from_secs(60);
    let mut bots = Vec::new();
    for i in 0..BOTS {
        let bot = Bot::joined(&url, &host.pin, &format!("bot{i}"))
            .await
            .unwrap();
        let (url, doc) = (url.clone(), doc.clone());
        bots.push(tokio::spawn(async move {
            play_game(bot, &url, &doc, Strategy::Right).await
        }));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(FloodStats::default());
    let flooder = flood.then(|| {
        tokio::spawn(flooder(
            url.clone(),
            host.pin.clone(),
            Arc::clone(&stop),
            Arc::clone(&stats),
        ))
    });
    let players = BOTS + u32::from(flood);
    host.await_players(players).await.unwrap();
    if flood {
        // Let the flooder reach its stride before the game starts.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    host.send(&ClientMsg::Start).await.unwrap();
    // The flooder never answers: close each question once the honest bots have all answered.
    for _ in 0..QUESTIONS {
        let mut closed = false;
        if flood {
            closed = host
                .bot
                .expect("every honest answer", |m| match m {
                    ServerMsg::AnswerCount { answered, .. } if *answered >= BOTS => Some(false),
                    ServerMsg::QuestionClosed { .. } => Some(true),
                    _ => None,
                })
                .await
                .unwrap();
            if !closed {
                host.send(&ClientMsg::Close).await.unwrap();
            }
        }
        if !closed {
            host.bot
                .expect("reveal", |m| {
                    matches!(m, ServerMsg::QuestionClosed { .. }).then_some(())
                })
                .await
                .unwrap();
        }
        host.send(&ClientMsg::Next).await.unwrap();
        host.bot
            .expect("leaderboard", |m| {
                matches!(m, ServerMsg::Leaderboard { .. }).then_some(())
            })
            .await
            .unwrap();
        // A host reads the leaderboard for a moment (in both games): the flooder keeps on.
        tokio::time::sleep(Duration::from_millis(300)).await;
        host.send(&ClientMsg::Next).await.unwrap();
    }
    let mut acks = Vec::new();
    for b in bots {
        let (_, played) = b.await.unwrap().unwrap();
        assert_eq!(played.acks, QUESTIONS as u32, "every honest answer acked");
        assert!(
            !played.refusals.contains(&ErrorCode::RateLimited),
            "an honest bot was rate limited"
        );
        acks.extend(played.ack_latency);
    }
    stop.store(true, Ordering::Relaxed);
    if let Some(f) = flooder {
        f.await.unwrap();
        let (sent, limited, closed) = (
            stats.sent.load(Ordering::Relaxed),
            stats.limited.load(Ordering::Relaxed),
            stats.closed_1008.load(Ordering::Relaxed),
        );
        println!("flooder: {sent} messages sent, {limited} answered rate_limited, closed with 1008 {closed} times");
        assert!(limited > 0, "the flooder was throttled");
        assert!(closed > 0, "the flooder that kept on was closed with 1008");
    }
    acks
}

/// Joins, spends its whole burst at once, then sends at the highest allowed pace (10 a
/// second) plus a refused burst of 4 every 300 ms; when closed for it, resumes and starts over.
async fn flooder(url: String, pin: Pin, stop: Arc<AtomicBool>, stats: Arc<FloodStats>) {
    let mut bot = Bot::joined(&url, &pin, "Flood").await.unwrap();
    let token = bot.token();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut n = 0u32;
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        n += 1;
        let burst = match (n, n % 3) {
            (1, _) => 30,
            (_, 0) => 5,
            _ => 1,
        };
        let mut open = true;
        for k in 0..burst {
            let msg = if k % 2 == 1 {
                ClientMsg::Chat {
                    text: "spam".into(),
                    to: None,
                }
            } else {
                ClientMsg::List
            };
            open &= bot.send(&msg).await.is_ok();
            stats.sent.fetch_add(1, Ordering::Relaxed);
        }
        // Read whatever came back, so the flooder is never cut off as a slow reader.
        while open {
            match bot.recv_within(Duration::from_millis(1)).await {
                Ok(ServerMsg::Error {
                    code: ErrorCode::RateLimited,
                    ..
                }) => {
                    stats.limited.fetch_add(1, Ordering::Relaxed);
                }
                Ok(_) => {}
                Err(e) => {
                    match e.chain().find_map(|c| c.downcast_ref::<Closed>()) {
                        Some(Closed(code)) => {
                            if *code == Some(1008) {
                                stats.closed_1008.fetch_add(1, Ordering::Relaxed);
                            }
                            open = false;
                        }
                        None => break, // nothing more for now
                    }
                }
            }
        }
        if !open {
            bot = Bot::connect(&url).await.unwrap();
            bot.resume(&pin, &token).await.unwrap();
            n = 0;
        }
    }
}

fn p99(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[(v.len() * 99).div_ceil(100) - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooder_is_throttled_while_200_honest_bots_keep_their_ack_p99() {
    let _ = rlimit::increase_nofile_limit(4096);
    let g = Game::with(test_quiz(QUESTIONS)).await;
    let (server, token, quiz_id) = (&g.server, &g.token, g.quiz_id);
    // A first game warms the server (database pages, allocator), so neither measured game
    // pays for a cold start.
    game(server, token, quiz_id, false).await;
    let (mut quiet, mut flooded) = (Vec::new(), Vec::new());
    for _ in 0..2 {
        let q = game(server, token, quiz_id, false).await;
        let f = game(server, token, quiz_id, true).await;
        assert_eq!(q.len(), BOTS as usize * QUESTIONS);
        assert_eq!(f.len(), BOTS as usize * QUESTIONS);
        quiet.push(p99(q));
        flooded.push(p99(f));
    }
    println!(
        "ack p99 over {} acks per game: without a flooder {quiet:?}, with a flooder {flooded:?}",
        BOTS as usize * QUESTIONS
    );
    let q = quiet.into_iter().min().expect("two quiet games");
    let f = flooded.into_iter().min().expect("two flooded games");
    println!("better game of each: without a flooder {q:?}, with a flooder {f:?}");
    let bound = q.mul_f64(1.2) + SLACK;
    assert!(f <= bound, "flooded p99 {f:?} over {bound:?} (quiet {q:?})");
}
