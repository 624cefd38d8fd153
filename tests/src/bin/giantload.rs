//! One giant room over real sockets, for figures: its own PostgreSQL, NATS, an owner and three
//! edge nodes (`--nats`), N bots spread evenly over the edges, a host on the owner, one
//! question that every bot answers right.
//!
//! ```sh
//! cargo build --release -p quizrace --bin quizrace -p quizrace-tests --bin giantload
//! target/release/giantload --bots 30000
//! ```
//!
//! Prints: the join rate, the question's fan-out (from the host's `start` to each bot reading
//! the question) p50/p99/max, answers acked, bots disconnected, and each edge's resident memory
//! (before the joins, after, and the difference per player). Exits non-zero if a bot does not
//! get through.

use anyhow::{ensure, Context, Result};
use clap::Parser;
use quizrace_protocol::{ClientMsg, QuizDoc};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::cluster::GiantCluster;
use quizrace_tests::play::right_answer;
use quizrace_tests::stats::{proc_stats, summary};
use quizrace_tests::{Bot, Host};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Barrier, Semaphore};

#[derive(Parser)]
struct Args {
    /// Bots, spread evenly over the edges.
    #[arg(long, default_value_t = 3000)]
    bots: usize,
    /// Edge nodes (besides the owner).
    #[arg(long, default_value_t = 3)]
    edges: usize,
    /// Joins under way at once.
    #[arg(long, default_value_t = 200)]
    joining: usize,
}

/// What one bot saw.
struct Seen {
    question_at: Instant,
    acked: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let n = args.bots;
    let max = (n + 10).to_string();
    let cluster = GiantCluster::start(1 + args.edges, &["--max-players", &max]).await?;
    let owner = &cluster.nodes[0];
    let http = owner.http();
    let token = http
        .login("admin", quizrace_tests::server::ADMIN_PASSWORD)
        .await?;
    let quiz = serde_json::json!({"title": "Giant", "read_s": 0, "questions": [
        {"kind": "choice", "text": "2 + 2?", "choices": ["3", "4"], "correct": [1], "time_limit_s": 120}
    ]});
    let doc: QuizDoc = serde_json::from_value(quiz.clone())?;
    let quiz_id = http.create_quiz(&token, &quiz).await?;
    let opts = RoomOptions {
        max_players: Some(u32::try_from(n + 10)?),
        ..RoomOptions::default()
    };
    let mut host = Host::create(&owner.ws_url(), &token, quiz_id, opts).await?;
    host.bot.deadline = Duration::from_secs(600);
    let pin = host.pin.clone();
    let edges: Vec<String> = (1..=args.edges)
        .map(|i| cluster.nodes[i].ws_url())
        .collect();

    let rss = |i: usize| proc_stats(cluster.nodes[i].pid()).map_or(0, |(rss, _)| rss);
    let idle: Vec<u64> = (1..=args.edges).map(rss).collect();
    // Every bot joins, then waits at the barrier (so that joining ends before the game).
    let joining = Arc::new(Semaphore::new(args.joining));
    let joined = Arc::new(Barrier::new(n + 1));
    let joined_ok = Arc::new(AtomicUsize::new(0));
    let began = Instant::now();
    let bots: Vec<_> = (0..n)
        .map(|i| {
            let (url, pin, doc) = (edges[i % edges.len()].clone(), pin.clone(), doc.clone());
            let (joining, joined) = (Arc::clone(&joining), Arc::clone(&joined));
            let joined_ok = Arc::clone(&joined_ok);
            tokio::spawn(async move {
                let bot = {
                    let _turn = joining.acquire().await?;
                    Bot::joined(&url, &pin, &format!("g{i}")).await
                };
                if bot.is_ok() {
                    joined_ok.fetch_add(1, Ordering::Relaxed);
                }
                joined.wait().await;
                play(bot?, &doc).await
            })
        })
        .collect();
    joined.wait().await;
    let join_time = began.elapsed();
    let ok = joined_ok.load(Ordering::Relaxed);
    host.await_players(u32::try_from(ok)?).await?;
    println!(
        "joins: {ok} of {n} bots over {} edges in {:.2} s, {:.0} joins/s",
        args.edges,
        join_time.as_secs_f64(),
        ok as f64 / join_time.as_secs_f64()
    );
    let memory: Vec<u64> = (1..=args.edges).map(rss).collect();

    let started = Instant::now();
    host.send(&ClientMsg::Start).await?;
    let mut fanout = Vec::new();
    let (mut acked, mut lost) = (0, 0);
    for bot in bots {
        match bot.await? {
            Ok(seen) => {
                fanout.push(seen.question_at.saturating_duration_since(started));
                acked += usize::from(seen.acked);
            }
            Err(e) => {
                lost += 1;
                if lost <= 3 {
                    eprintln!("a bot: {e:#}");
                }
            }
        }
    }
    summary("question fan-out (start → bot)", fanout);
    println!("answers acked: {acked} of {n}; bots disconnected or failed: {lost}");
    for (i, (rss, before)) in memory.iter().zip(&idle).enumerate() {
        let players = n / args.edges + usize::from(i < n % args.edges);
        println!(
            "edge {}: {} MiB resident after joins ({} MiB before), {:.1} KiB per player above that",
            i + 1,
            rss / 1024,
            before / 1024,
            rss.saturating_sub(*before) as f64 / players.max(1) as f64
        );
    }
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average: {}", load.trim());
    }
    ensure!(acked == n && lost == 0, "not every bot got through");
    Ok(())
}

/// Plays the one question: reads it, answers it right, waits for the ack.
async fn play(mut bot: Bot, doc: &QuizDoc) -> Result<Seen> {
    bot.deadline = Duration::from_secs(300);
    let q = bot.next_question().await.context("the question")?;
    let question_at = Instant::now();
    bot.answer(q.index, right_answer(doc, &q)).await?;
    let acked = bot.ack().await?.is_ok();
    Ok(Seen { question_at, acked })
}
