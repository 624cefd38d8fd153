//! One giant room over real sockets, for figures: its own PostgreSQL, NATS, an owner and three
//! edge nodes (`--nats`), N bots spread evenly over the edges, a host on the owner, one
//! question that every bot answers right.
//!
//! ```sh
//! cargo build --release -p quizrace --bin quizrace -p quizrace-tests --bin giantload
//! QUIZRACE_BIN=target/release/quizrace target/release/giantload --bots 30000
//! ```
//!
//! One process may hold only so many sockets (this machine's hard open-file limit is 20,000),
//! so the bots live in driver processes of at most `--per-driver` bots each: this program
//! runs itself again with the hidden `--driver` role for each share. The parent keeps the
//! cluster and the host; each driver joins its bots, says so, plays, and reports what each bot
//! saw with wall-clock times (the processes share one clock), from which the parent computes
//! the fan-out.
//!
//! Prints: the join rate, the question's fan-out (from the host's `start` to each bot reading
//! the question) p50/p99/max, answers acked, bots disconnected, and each edge's resident memory
//! (before the joins, after, and the difference per player). Exits non-zero if a bot does not
//! get through.

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use quizrace_protocol::{ClientMsg, QuizDoc};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::cluster::GiantCluster;
use quizrace_tests::play::right_answer;
use quizrace_tests::stats::{proc_stats, summary};
use quizrace_tests::{Bot, Host};
use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, Barrier, Semaphore};

#[derive(Parser)]
struct Args {
    /// Bots, spread evenly over the edges.
    #[arg(long, default_value_t = 3000)]
    bots: usize,
    /// Edge nodes (besides the owner).
    #[arg(long, default_value_t = 3)]
    edges: usize,
    /// Joins under way at once, per driver.
    #[arg(long, default_value_t = 200)]
    joining: usize,
    /// Bots per driver process at most (each bot is a socket, one open file).
    #[arg(long, default_value_t = 15_000)]
    per_driver: usize,
    /// The role of a child: drive bots `--first`.. (`--bots` of them) into room `PIN`
    /// through the edges' socket URLs `--urls` (comma-separated).
    #[arg(long, hide = true)]
    driver: Option<String>,
    #[arg(long, hide = true, default_value_t = 0)]
    first: usize,
    #[arg(long, hide = true, default_value = "")]
    urls: String,
}

/// What one bot saw: when it read the question (µs since the Unix epoch), and its ack.
struct Seen {
    question_at: u128,
    acked: bool,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    match &args.driver {
        Some(pin) => drive(&args, pin).await,
        None => run(&args).await,
    }
}

fn quiz() -> serde_json::Value {
    serde_json::json!({"title": "Giant", "read_s": 0, "questions": [
        {"kind": "choice", "text": "2 + 2?", "choices": ["3", "4"], "correct": [1], "time_limit_s": 120}
    ]})
}

/// The parent: the cluster, the host, the drivers, the figures.
async fn run(args: &Args) -> Result<()> {
    let n = args.bots;
    let max = (n + 10).to_string();
    let cluster = GiantCluster::start(1 + args.edges, &["--max-players", &max]).await?;
    let owner = &cluster.nodes[0];
    let http = owner.http();
    let token = http
        .login("admin", quizrace_tests::server::ADMIN_PASSWORD)
        .await?;
    let quiz_id = http.create_quiz(&token, &quiz()).await?;
    let opts = RoomOptions {
        max_players: Some(u32::try_from(n + 10)?),
        ..RoomOptions::default()
    };
    let mut host = Host::create(&owner.ws_url(), &token, quiz_id, opts).await?;
    host.bot.deadline = Duration::from_secs(600);
    let edges: Vec<String> = (1..=args.edges)
        .map(|i| cluster.nodes[i].ws_url())
        .collect();

    let rss = |i: usize| proc_stats(cluster.nodes[i].pid()).map_or(0, |(rss, _)| rss);
    let idle: Vec<u64> = (1..=args.edges).map(rss).collect();
    // Each driver takes a share of the bots; bot i goes to edge i mod edges, as before.
    let shares = n.div_ceil(args.per_driver.max(1)).max(1);
    let (lines, mut heard) = mpsc::unbounded_channel::<(usize, String)>();
    let me = std::env::current_exe()?;
    let mut children = Vec::new();
    for d in 0..shares {
        let first = d * n / shares;
        let count = (d + 1) * n / shares - first;
        let mut child = Command::new(&me)
            .args(["--driver", &host.pin.0, "--urls", &edges.join(",")])
            .args(["--first", &first.to_string(), "--bots", &count.to_string()])
            .args(["--joining", &args.joining.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .context("a driver process")?;
        let out = child.stdout.take().context("a driver's output")?;
        let lines = lines.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                let _ = lines.send((d, line));
            }
            let _ = lines.send((d, "end".to_owned()));
        });
        children.push(child);
    }
    drop(lines);
    println!(
        "{shares} driver process(es) of at most {} bots",
        args.per_driver
    );

    let began = Instant::now();
    let mut joined_ok = 0;
    let mut ready = 0;
    while ready < shares {
        let (d, line) = heard.recv().await.context("the drivers' output")?;
        ensure!(line != "end", "driver {d} ended before its bots joined");
        let Some(ok) = line.strip_prefix("joined ") else {
            continue;
        };
        joined_ok += ok
            .trim()
            .parse::<usize>()
            .with_context(|| format!("driver {d}: {line}"))?;
        ready += 1;
    }
    let join_time = began.elapsed();
    host.await_players(u32::try_from(joined_ok)?).await?;
    println!(
        "joins: {joined_ok} of {n} bots over {} edges in {:.2} s, {:.0} joins/s",
        args.edges,
        join_time.as_secs_f64(),
        joined_ok as f64 / join_time.as_secs_f64()
    );
    let memory: Vec<u64> = (1..=args.edges).map(rss).collect();

    let started = wall_micros();
    host.send(&ClientMsg::Start).await?;
    let mut fanout = Vec::new();
    let (mut acked, mut lost, mut reported) = (0, 0, 0);
    while reported < shares {
        let Some((_, line)) = heard.recv().await else {
            break;
        };
        let Some(seen) = line.strip_prefix("seen ") else {
            continue;
        };
        reported += 1;
        let mut fields = seen.split_whitespace();
        let mut next = || -> Result<usize> { Ok(fields.next().context("short report")?.parse()?) };
        acked += next()?;
        lost += next()?;
        for at in fields {
            let at: u128 = at.parse()?;
            let micros = u64::try_from(at.saturating_sub(started)).unwrap_or(u64::MAX);
            fanout.push(Duration::from_micros(micros));
        }
    }
    for mut child in children {
        let _ = child.wait();
    }
    ensure!(
        reported == shares,
        "{} of {shares} drivers reported",
        reported
    );
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

/// A driver: joins bots `first`.. into room `pin`, prints `joined K` once every join is
/// answered, plays, and prints `seen ACKED FAILED T…` (each playing bot's question time).
async fn drive(args: &Args, pin: &str) -> Result<()> {
    let edges: Vec<String> = args.urls.split(',').map(str::to_owned).collect();
    if edges.iter().any(String::is_empty) {
        bail!("--driver needs --urls");
    }
    let doc: QuizDoc = serde_json::from_value(quiz())?;
    let pin = quizrace_protocol::Pin(pin.to_owned());
    let n = args.bots;
    // Every bot joins, then waits at the barrier (so that joining ends before the game).
    let joining = Arc::new(Semaphore::new(args.joining));
    let joined = Arc::new(Barrier::new(n + 1));
    let joined_ok = Arc::new(AtomicUsize::new(0));
    let bots: Vec<_> = (args.first..args.first + n)
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
    println!("joined {}", joined_ok.load(Ordering::Relaxed));
    let (mut acked, mut lost, mut times) = (0, 0, String::new());
    for bot in bots {
        match bot.await? {
            Ok(seen) => {
                times.push_str(&format!(" {}", seen.question_at));
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
    println!("seen {acked} {lost}{times}");
    Ok(())
}

/// Plays the one question: reads it, answers it right, waits for the ack.
async fn play(mut bot: Bot, doc: &QuizDoc) -> Result<Seen> {
    bot.deadline = Duration::from_secs(300);
    let q = bot.next_question().await.context("the question")?;
    let question_at = wall_micros();
    bot.answer(q.index, right_answer(doc, &q)).await?;
    let acked = bot.ack().await?.is_ok();
    Ok(Seen { question_at, acked })
}

/// Now on the wall clock, the one the drivers and the parent share.
fn wall_micros() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}
