//! Load tool for assignments: N bots each play their own attempt at one 10-question
//! assignment, all at once, answering each question the moment it lands and moving on at
//! once. Printed: join, answer-ack and next-question latencies, whole attempts, failures,
//! the server's memory and CPU, and the stored answers checked against the acks.
//!
//! It starts the server binary next to this one (release: build both first) on 127.0.0.1
//! with a temporary database:
//!
//!     cargo build --release -p quizrace -p quizrace-tests
//!     target/release/homeworkload --players 1000

use anyhow::{bail, Context, Result};
use clap::Parser;
use quizrace_protocol::{AnswerValue, ClientMsg, ErrorCode, ServerMsg};
use quizrace_tests::assignment as a;
use quizrace_tests::server::{ServerProcess, ADMIN_PASSWORD};
use quizrace_tests::stats::{proc_stats, summary};
use quizrace_tests::Bot;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Parser, Debug)]
#[command(about = "Drive N bots through one self-paced assignment at once")]
struct Args {
    #[arg(long, default_value_t = 1000)]
    players: u32,
    #[arg(long, default_value_t = 10)]
    questions: u32,
    /// Connections opened at once while joining.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// The server binary (default: `quizrace` next to this binary).
    #[arg(long)]
    server_bin: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 600)]
    timeout_s: u64,
}

/// What one bot measured.
#[derive(Default)]
struct Times {
    join: Duration,
    acks: Vec<Duration>,
    nexts: Vec<Duration>,
    whole: Duration,
    acked: u32,
    /// `assignment_next` sent again after the server's message rate refused it.
    retried: u32,
}

/// How long a bot waits before sending a refused `assignment_next` again.
const RETRY_AFTER: Duration = Duration::from_millis(200);

/// `assignment_next`, and the question (or, after the last, `assignment_done`) it brings. A
/// bot answers faster than a connection may send (10 messages a second, 20 at once): a
/// `rate_limited` refusal is waited out and the message sent again, as a player would.
async fn next(bot: &mut Bot, last: bool, retried: &mut u32) -> Result<()> {
    loop {
        bot.send(&ClientMsg::AssignmentNext).await?;
        let arrived = bot
            .expect(
                "the next question, assignment_done or rate_limited",
                |m| match m {
                    ServerMsg::Question(_) if !last => Some(true),
                    ServerMsg::AssignmentDone { .. } if last => Some(true),
                    ServerMsg::Error {
                        code: ErrorCode::RateLimited,
                        ..
                    } => Some(false),
                    _ => None,
                },
            )
            .await?;
        if arrived {
            return Ok(());
        }
        *retried += 1;
        tokio::time::sleep(RETRY_AFTER).await;
    }
}

/// One bot's attempt: join, then each question answered (right when `i % 3 != 2`) and left.
async fn attempt(
    url: String,
    code: String,
    i: u32,
    questions: u32,
    gate: Arc<Semaphore>,
) -> Result<Times> {
    let began = Instant::now();
    let mut bot = {
        let _permit = gate.acquire().await?;
        Bot::connect(&url).await?
    };
    bot.deadline = Duration::from_secs(60);
    let w = a::join(&mut bot, &code, &format!("bot{i}"), None).await?;
    if let Err(code) = w {
        bail!("join refused: {code:?}");
    }
    let mut t = Times {
        join: began.elapsed(),
        ..Times::default()
    };
    a::question(&mut bot).await?;
    for q in 0..questions {
        let sent = Instant::now();
        let choice = if (i + q) % 3 == 2 { 1 } else { 0 };
        match a::answer(&mut bot, q, AnswerValue::Choice(choice)).await? {
            Ok(_) => t.acked += 1,
            Err(code) => bail!("answer {q} refused: {code:?}"),
        }
        t.acks.push(sent.elapsed());
        let asked = Instant::now();
        next(&mut bot, q + 1 == questions, &mut t.retried).await?;
        t.nexts.push(asked.elapsed());
    }
    t.whole = began.elapsed();
    bot.close().await;
    Ok(t)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no parent dir")?
            .join("quizrace"),
    };
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("homework.db");
    let server = ServerProcess::start(&bin, &db, "127.0.0.1:0".parse()?, Duration::from_secs(10))?;
    let pid = Some(server.child.id());
    let http = server.http();
    let token = http.login("admin", ADMIN_PASSWORD).await?;
    let q = json!({"kind":"choice","text":"?","choices":["A","B","C","D"],"correct":[0],"time_limit_s":20});
    let quiz = json!({"title":"Load","read_s":0,"questions": vec![q; args.questions as usize]});
    let quiz_id = http.create_quiz(&token, &quiz).await?;
    let m = a::create(&http, &token, quiz_id, Duration::from_secs(3600), json!({})).await?;
    let idle = proc_stats(pid);
    println!(
        "homeworkload: {} bots, one {}-question assignment, every bot at once",
        args.players, args.questions
    );
    let gate = Arc::new(Semaphore::new(args.connect_concurrency));
    let began = Instant::now();
    let tasks: Vec<_> = (0..args.players)
        .map(|i| {
            tokio::spawn(attempt(
                server.ws_url(),
                m.code.clone(),
                i,
                args.questions,
                Arc::clone(&gate),
            ))
        })
        .collect();
    let mut peak_rss = 0;
    let all = futures::future::join_all(tasks);
    let results;
    tokio::pin!(all);
    let limit = tokio::time::sleep(Duration::from_secs(args.timeout_s));
    tokio::pin!(limit);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            done = &mut all => { results = done; break; }
            _ = tick.tick() => {
                if let Some((rss, _)) = proc_stats(pid) { peak_rss = peak_rss.max(rss); }
            }
            () = &mut limit => { bail!("not done within {} s", args.timeout_s); }
        }
    }
    let wall = began.elapsed();
    let end = proc_stats(pid);
    let (mut joins, mut acks, mut nexts, mut wholes, mut failed, mut acked, mut retried) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        0u64,
        0u32,
    );
    for r in results {
        match r {
            Ok(Ok(t)) => {
                joins.push(t.join);
                acks.extend(t.acks);
                nexts.extend(t.nexts);
                wholes.push(t.whole);
                acked += u64::from(t.acked);
                retried += t.retried;
            }
            Ok(Err(e)) => failed.push(format!("{e:#}")),
            Err(e) => failed.push(e.to_string()),
        }
    }
    summary("connect + assignment_join", joins);
    summary("answer -> answer_ack (+ result)", acks);
    summary("assignment_next -> question", nexts);
    summary("whole attempt", wholes);
    let view = http
        .get(&format!("/api/assignments/{}", m.id), Some(&token))
        .await?
        .json()?;
    let report = http
        .get(&format!("/api/games/{}", m.id), Some(&token))
        .await?
        .json()?;
    let stored = report["answers"].as_array().map_or(0, Vec::len) as u64;
    println!(
        "attempts finished {} of {}, failed {}; answers acked {acked}, stored {stored}",
        view["finished"],
        args.players,
        failed.len()
    );
    println!("assignment_next refused by the message rate and sent again: {retried}");
    println!(
        "wall {:.1} s, {:.0} answers/s",
        wall.as_secs_f64(),
        acked as f64 / wall.as_secs_f64()
    );
    if let (Some((idle_rss, idle_cpu)), Some((_, end_cpu))) = (idle, end) {
        println!(
            "server RSS idle {} MiB, peak {} MiB; CPU {:.1} s over the run",
            idle_rss / 1024,
            peak_rss / 1024,
            end_cpu - idle_cpu
        );
    }
    for f in failed.iter().take(5) {
        println!("failure: {f}");
    }
    server.kill();
    if !failed.is_empty() || acked != stored {
        bail!(
            "{} attempts failed; {acked} acked, {stored} stored",
            failed.len()
        );
    }
    Ok(())
}
