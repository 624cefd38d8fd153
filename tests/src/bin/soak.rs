//! Soak: back-to-back games of N players for M minutes against one release server, with the
//! server's RSS after each game; then it waits until every finished room has lingered out and
//! compares the server's RSS with its RSS when fresh.
//!
//! "Fresh" is the server just started, after one warm-up login (the first request builds the
//! HTTP stack and the password hash's memory; nothing of a game). The run fails if any game
//! fails (a join refused, a question missed, an answer not acked, no `game_over`) or if the
//! final RSS is above `--max-ratio` (1.2) times the fresh RSS.
//!
//! The server is started with `--room-linger-s` (`--linger-s` here, default 60 s) so that
//! finished rooms go within the run instead of after the usual ten minutes.
//!
//!     cargo build --release -p quizrace -p quizrace-tests
//!     target/release/soak --minutes 30 --players 500

use anyhow::{bail, Context, Result};
use clap::Parser;
use quizrace_protocol::{AnswerValue, ClientMsg, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::spawned::Spawned;
use quizrace_tests::{Bot, Host, Http};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Parser, Debug)]
#[command(about = "Back-to-back games against one server; prints its RSS until rooms linger out")]
struct Args {
    /// Players per game.
    #[arg(long, default_value_t = 500)]
    players: u32,
    /// Questions per game; every player answers each.
    #[arg(long, default_value_t = 3)]
    questions: u32,
    /// Start games for this long (the last one started finishes).
    #[arg(long, default_value_t = 30.0)]
    minutes: f64,
    /// The server's `--room-linger-s`: how long a finished room stays.
    #[arg(long, default_value_t = 60)]
    linger_s: u64,
    /// Fail if the final RSS is above this times the fresh RSS.
    #[arg(long, default_value_t = 1.2)]
    max_ratio: f64,
    /// The server binary to start (default: `quizrace` next to this binary).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Keep the server this long after the final figure (to look at it with other tools).
    #[arg(long, default_value_t = 0)]
    hold_s: u64,
    /// Connections opened at once while joining.
    #[arg(long, default_value_t = 128)]
    connect_concurrency: usize,
    /// Instead of games: what a departed player costs. N players join one room and leave
    /// (their sockets close), then N more do the same; the RSS the second N add, over N, is
    /// what a player whose socket is gone holds (the first round's freed connections are
    /// reused, so the allocator's caching does not count).
    #[arg(long)]
    departed: Option<u32>,
}

const ADMIN_PASSWORD: &str = "soak-admin";

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let most = 2 * args.departed.unwrap_or(0) + args.players + 10;
    let server = Spawned::start(
        args.server_bin.clone(),
        ADMIN_PASSWORD,
        &[
            "--room-linger-s".into(),
            args.linger_s.to_string(),
            "--max-players".into(),
            most.to_string(),
        ],
        None,
    )?;
    let http = Http::new(server.base.clone());
    let ws_url = format!("{}/ws", server.base.replacen("http", "ws", 1));
    let token = http.login("admin", ADMIN_PASSWORD).await?;
    // Let the login's allocations settle before the baseline.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (fresh, _) = server.rss().context("reading the server's RSS")?;
    println!(
        "soak: {} players, {} questions a game, {} min, rooms linger {} s",
        args.players, args.questions, args.minutes, args.linger_s
    );
    println!("server RSS fresh (after one warm-up login): {fresh} KiB");

    let questions: Vec<_> = (0..args.questions)
        .map(|i| json!({"kind": "choice", "text": format!("Soak question {i}"),
                         "choices": ["right", "wrong", "also wrong", "no"], "correct": [0], "time_limit_s": 120}))
        .collect();
    let quiz_id = http
        .create_quiz(
            &token,
            &json!({"title": "Soak", "read_s": 0, "questions": questions}),
        )
        .await?;

    let gate = Arc::new(Semaphore::new(args.connect_concurrency));
    if let Some(n) = args.departed {
        return departed(&server, &http, &ws_url, &token, quiz_id, n, &gate).await;
    }
    let start = Instant::now();
    let run_for = Duration::from_secs_f64(args.minutes * 60.0);
    let mut games = 0u32;
    let mut rss_after = Vec::new();
    while start.elapsed() < run_for {
        let began = Instant::now();
        let game = tokio::time::timeout(
            Duration::from_secs(300),
            play_game(&ws_url, &token, quiz_id, &args, &gate),
        )
        .await
        .context("a game took more than 300 s")?;
        games += 1;
        game.with_context(|| format!("game {games} failed"))?;
        let (rss, _) = server.rss().context("the server is gone")?;
        rss_after.push(rss);
        println!(
            "game {games:>4} ok in {:>6.2} s at {:>6.1} min: server RSS {rss} KiB",
            began.elapsed().as_secs_f64(),
            start.elapsed().as_secs_f64() / 60.0
        );
    }
    let played_for = start.elapsed();

    // Every finished room lingers `linger_s` from its end; wait until the directory is empty.
    let wait_from = Instant::now();
    let linger = Duration::from_secs(args.linger_s);
    loop {
        let rooms = http.get("/api/admin/rooms", Some(&token)).await?.json()?;
        let live = rooms.as_array().map_or(0, Vec::len);
        if live == 0 {
            break;
        }
        if wait_from.elapsed() > linger + Duration::from_secs(120) {
            bail!(
                "{live} rooms still live {} s after the last game",
                wait_from.elapsed().as_secs()
            );
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    println!(
        "every room gone {:.1} s after the last game",
        wait_from.elapsed().as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(5)).await;
    let (last, peak) = server.rss().context("the server is gone")?;
    let ratio = last as f64 / fresh as f64;
    let settled = rss_after
        .iter()
        .skip(rss_after.len() / 2)
        .max()
        .copied()
        .unwrap_or(0);
    println!();
    println!(
        "games played: {games} of {} players in {:.1} min, every answer acked",
        args.players,
        played_for.as_secs_f64() / 60.0
    );
    for (i, rss) in rss_after.iter().enumerate() {
        let n = i + 1;
        if n == 1 || n % 50 == 0 || n == rss_after.len() {
            println!("  RSS after game {n:>4}: {rss} KiB");
        }
    }
    println!(
        "server RSS fresh {fresh} KiB, peak {peak} KiB, most in the second half {settled} KiB"
    );
    println!("server RSS once rooms lingered out: {last} KiB, {ratio:.2} x fresh");
    if let Some(parts) = server.rss_parts() {
        println!("  of which {parts}");
    }
    if args.hold_s > 0 {
        println!("holding server pid {} for {} s", server.pid, args.hold_s);
        tokio::time::sleep(Duration::from_secs(args.hold_s)).await;
    }
    if ratio > args.max_ratio {
        bail!(
            "final RSS {last} KiB is {ratio:.2} x fresh {fresh} KiB (limit {:.2})",
            args.max_ratio
        );
    }
    println!("ok");
    Ok(())
}

/// One game: a room, `players` bots that join, answer every question right and leave after
/// `game_over`; fails unless every bot got every question and every answer was acked.
async fn play_game(
    ws_url: &str,
    token: &str,
    quiz_id: i64,
    args: &Args,
    gate: &Arc<Semaphore>,
) -> Result<()> {
    let opts = RoomOptions {
        max_players: Some(args.players),
        ..RoomOptions::default()
    };
    let mut host = Host::create(ws_url, token, quiz_id, opts).await?;
    host.bot.deadline = Duration::from_secs(60);
    let bots: Vec<_> = (0..args.players)
        .map(|i| {
            let (url, pin, gate) = (ws_url.to_owned(), host.pin.clone(), Arc::clone(gate));
            let questions = args.questions;
            tokio::spawn(async move {
                let permit = gate.acquire_owned().await;
                let mut bot = Bot::joined(&url, &pin, &format!("p{i}")).await?;
                drop(permit);
                bot.deadline = Duration::from_secs(60);
                play_bot(&mut bot, questions).await?;
                bot.close().await;
                anyhow::Ok(())
            })
        })
        .collect();
    host.bot
        .expect("every player joined", |m| match m {
            ServerMsg::PlayerJoined { count, .. } if *count >= args.players => Some(()),
            _ => None,
        })
        .await?;
    host.send(&ClientMsg::Start).await?;
    host.advance_through(args.questions as usize).await?;
    let mut failed = Vec::new();
    for b in bots {
        if let Err(e) = b.await? {
            failed.push(format!("{e:#}"));
        }
    }
    host.bot.close().await;
    if let Some(first) = failed.first() {
        bail!(
            "{} of {} players failed, e.g. {first}",
            failed.len(),
            args.players
        );
    }
    Ok(())
}

/// Answers each question (choice 0) and checks its ack, then waits for `game_over`.
async fn play_bot(bot: &mut Bot, questions: u32) -> Result<()> {
    for want in 0..questions {
        let q = bot.next_question().await?;
        if q.index != want {
            bail!("got question {} when {want} was due", q.index);
        }
        bot.answer(q.index, AnswerValue::Choice(0)).await?;
        if let Err(code) = bot.ack().await? {
            bail!("answer {want} refused: {code:?}");
        }
    }
    bot.expect("game_over", |m| {
        matches!(m, ServerMsg::GameOver { .. }).then_some(())
    })
    .await
}

/// `--departed N`: the server's RSS with N players connected, and what N departed players
/// hold (see the flag).
async fn departed(
    server: &Spawned,
    http: &Http,
    ws_url: &str,
    token: &str,
    quiz_id: i64,
    n: u32,
    gate: &Arc<Semaphore>,
) -> Result<()> {
    let opts = RoomOptions {
        max_players: Some(2 * n),
        ..RoomOptions::default()
    };
    let mut host = Host::create(ws_url, token, quiz_id, opts).await?;
    host.bot.deadline = Duration::from_secs(120);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (idle, _) = server.rss().context("the server is gone")?;
    println!("departed players: {n} join one room and leave, twice");
    println!("server RSS with the room open, nobody in it: {idle} KiB");
    let mut after_leaving = Vec::new();
    for round in 0..2u32 {
        let joins = (0..n).map(|i| {
            let (url, pin, gate) = (ws_url.to_owned(), host.pin.clone(), Arc::clone(gate));
            async move {
                let _permit = gate.acquire().await;
                Bot::joined(&url, &pin, &format!("r{round}p{i}")).await
            }
        });
        let bots: Vec<Bot> = futures::future::try_join_all(joins).await?;
        let want = (round + 1) * n;
        host.bot
            .expect("every player joined", |m| match m {
                ServerMsg::PlayerJoined { count, .. } if *count >= want => Some(()),
                _ => None,
            })
            .await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (joined, _) = server.rss().context("the server is gone")?;
        futures::future::join_all(bots.into_iter().map(Bot::close)).await;
        // The room has seen every socket go once none of its players is connected.
        let gone_by = Instant::now() + Duration::from_secs(120);
        loop {
            let rooms = http.get("/api/admin/rooms", Some(token)).await?.json()?;
            let connected = rooms[0]["players"]
                .as_array()
                .context("no players in the room's summary")?
                .iter()
                .filter(|p| p["connected"] == true)
                .count();
            if connected == 0 {
                break;
            }
            if Instant::now() > gone_by {
                bail!("{connected} players still connected 120 s after their sockets closed");
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
        let (left, _) = server.rss().context("the server is gone")?;
        let base = after_leaving.last().copied().unwrap_or(idle);
        println!(
            "round {}: {n} joined: RSS {joined} KiB ({:.1} KiB per connected player); all left: {left} KiB",
            round + 1,
            joined.saturating_sub(base) as f64 / f64::from(n)
        );
        after_leaving.push(left);
    }
    let per = (after_leaving[1].saturating_sub(after_leaving[0])) as f64 * 1024.0 / f64::from(n);
    println!("a departed player holds about {per:.0} bytes (second round's growth over {n})");
    if let Some(parts) = server.rss_parts() {
        println!("  server RSS now {}", parts);
    }
    host.bot.close().await;
    Ok(())
}
