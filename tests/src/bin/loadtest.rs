//! Load tool: N bots in one room play Q questions, everyone answering at once, and the figures
//! that matter are printed: join rate and latency, question fan-out, answer-ack latency,
//! reveal and leaderboard fan-out, disconnects, server memory and CPU, the bots' own CPU.
//! Bots are real WebSocket clients, 64 to a task (see [`GROUP`]).
//!
//! By default it starts the release server binary (next to this one) on 127.0.0.1 with a
//! temporary database, so server memory and CPU are the server's alone. With `--url` it aims
//! at a running server instead (loopback only unless `--allow-remote`).
//!
//!     cargo build --release -p quizrace -p quizrace-tests
//!     target/release/loadtest --players 1000 --questions 3 --mode classic
//!
//! With `--server-cpus` the server runs on cores of its own; the tool then goes on the others:
//!
//!     taskset -c 1 target/release/loadtest --players 10000 --questions 2 --server-cpus 0

use anyhow::{bail, Context, Result};
use clap::Parser;
use quizrace_protocol::{ClientMsg, Mode, ServerMsg};
use quizrace_tests::bot::{Bot, RoomOptions};
use quizrace_tests::spawned::Spawned;
use quizrace_tests::stats::{ms, proc_stats, summary};
use quizrace_tests::{Host, Http};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

#[derive(Parser, Debug)]
#[command(about = "Drive N bots through a quizrace game and print latency, memory and CPU figures")]
struct Args {
    #[arg(long, default_value_t = 1000)]
    players: u32,
    #[arg(long, default_value_t = 3)]
    questions: u32,
    #[arg(long, default_value = "classic")]
    mode: String,
    /// Aim at a running server (`http://127.0.0.1:8080`) instead of starting one.
    #[arg(long)]
    url: Option<String>,
    /// Admin password of the server at `--url`.
    #[arg(long, default_value = "loadtest-admin")]
    admin_password: String,
    /// PID of the server at `--url`, to report its memory and CPU.
    #[arg(long)]
    server_pid: Option<u32>,
    /// The server binary to start (default: `quizrace` next to this binary).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Start the server pinned to these CPUs (`taskset -c` syntax: `0`, `0,1`, `0-1`), for
    /// the configuration where the server and the bots run on cores of their own; run this
    /// tool itself on the others (`taskset -c 1 loadtest --server-cpus 0 ...`).
    #[arg(long)]
    server_cpus: Option<String>,
    /// Connections opened at once while joining.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout_s: u64,
    /// Each bot waits this long after its question arrives before answering. 0 (the default)
    /// is the hard case: everyone answers the moment the question lands, so the answer burst
    /// competes with the fan-out for the same cores.
    #[arg(long, default_value_t = 0)]
    answer_after_ms: u64,
    /// The host waits this long before each step (start, next), as a person reading the screen
    /// does, so each figure starts from a room that has finished the step before.
    #[arg(long, default_value_t = 1000)]
    settle_ms: u64,
    /// Allow `--url` to point somewhere other than loopback.
    #[arg(long)]
    allow_remote: bool,
}

/// What one bot measured.
#[derive(Default, Debug)]
struct BotTimes {
    join: Option<Duration>,
    question_at: Vec<Option<Instant>>,
    ack_latency: Vec<Option<Duration>>,
    acked_at: Vec<Option<Instant>>,
    reveal_at: Vec<Option<Instant>>,
    board_at: Vec<Option<Instant>>,
    /// Answers refused with `too_late`: in race mode, everyone's but the winner's.
    too_late: Vec<bool>,
    failed: Option<String>,
}

/// The server the bots play against: one this tool started, or one at `--url`.
struct Server {
    _spawned: Option<Spawned>,
    pid: Option<u32>,
    base: String,
}

fn start_server(args: &Args) -> Result<Server> {
    let extra = ["--max-players".to_owned(), (args.players + 10).to_string()];
    let spawned = Spawned::start(
        args.server_bin.clone(),
        &args.admin_password,
        &extra,
        args.server_cpus.as_deref(),
    )?;
    Ok(Server {
        pid: Some(spawned.pid),
        base: spawned.base.clone(),
        _spawned: Some(spawned),
    })
}

/// Bots per task. One task joins its group and then plays all of them from one loop, so the
/// load generator's own cost (which shares the machine with the server) stays small.
const GROUP: u32 = 64;

/// The fields of a server frame a bot acts on; the rest is skipped, not decoded.
#[derive(serde::Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    index: Option<u32>,
    #[serde(borrow)]
    code: Option<&'a str>,
}

impl BotTimes {
    fn new(questions: usize) -> BotTimes {
        BotTimes {
            question_at: vec![None; questions],
            ack_latency: vec![None; questions],
            acked_at: vec![None; questions],
            reveal_at: vec![None; questions],
            board_at: vec![None; questions],
            too_late: vec![false; questions],
            ..BotTimes::default()
        }
    }
}

/// Joins bots `ids` and plays them to `game_over`: each answers choice 0 (right, see the quiz
/// below) as soon as its question lands, or `answer_after` later.
async fn run_group(
    url: String,
    pin: quizrace_protocol::Pin,
    ids: std::ops::Range<u32>,
    questions: u32,
    answer_after: Duration,
    race: bool,
    gate: Arc<Semaphore>,
) -> Vec<BotTimes> {
    use futures::stream::{FuturesUnordered, SelectAll};
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let q = questions as usize;
    let joins = ids.map(|i| {
        let (url, pin, gate) = (url.clone(), pin.clone(), Arc::clone(&gate));
        async move {
            let start = Instant::now();
            let _permit = gate.acquire().await;
            let bot = Bot::joined(&url, &pin, &format!("b{i}")).await;
            (bot, start.elapsed())
        }
    });
    let mut times = Vec::new();
    let mut sinks = Vec::new();
    let mut sent_at: Vec<Vec<Option<Instant>>> = Vec::new();
    let mut done = Vec::new();
    let mut frames = SelectAll::new();
    for (k, (joined, took)) in futures::future::join_all(joins)
        .await
        .into_iter()
        .enumerate()
    {
        let mut t = BotTimes::new(q);
        match joined {
            Ok(bot) => {
                t.join = Some(took);
                let (sink, stream) = bot.into_socket().split();
                sinks.push(Some(sink));
                // A `None` after the last frame tells the loop this socket has ended.
                let stream = stream
                    .map(move |m| (k, Some(m)))
                    .chain(futures::stream::once(async move { (k, None) }));
                frames.push(Box::pin(stream));
                done.push(false);
            }
            Err(e) => {
                t.failed = Some(format!("join: {e:#}"));
                sinks.push(None);
                done.push(true);
            }
        }
        times.push(t);
        sent_at.push(vec![None; q]);
    }
    let mut live = done.iter().filter(|d| !**d).count();
    let mut due = FuturesUnordered::new();
    let give_up = tokio::time::sleep(Duration::from_secs(300));
    tokio::pin!(give_up);
    while live > 0 {
        let (k, index) = tokio::select! {
            Some((k, frame)) = frames.next() => {
                let now = Instant::now();
                let t = &mut times[k];
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => {
                        if !done[k] {
                            t.failed = Some("connection closed before game_over".into());
                            done[k] = true;
                            live -= 1;
                        }
                        continue;
                    }
                    Some(Ok(_)) => continue,
                };
                let Ok(head) = serde_json::from_str::<Head>(&text) else {
                    t.failed = Some(format!("server sent an unparsable frame: {text}"));
                    continue;
                };
                let i = head.index.map(|i| i as usize).filter(|i| *i < q);
                match (head.kind, i) {
                    ("question", Some(i)) => {
                        t.question_at[i] = Some(now);
                        if answer_after.is_zero() {
                            (k, i)
                        } else {
                            due.push(async move {
                                tokio::time::sleep(answer_after).await;
                                (k, i)
                            });
                            continue;
                        }
                    }
                    ("answer_ack", Some(i)) => {
                        t.acked_at[i] = Some(now);
                        t.ack_latency[i] = sent_at[k][i].map(|s| now - s);
                        continue;
                    }
                    ("question_closed", Some(i)) => {
                        t.reveal_at[i] = Some(now);
                        continue;
                    }
                    ("leaderboard", Some(i)) => {
                        t.board_at[i] = Some(now);
                        continue;
                    }
                    ("game_over", _) => {
                        if !done[k] {
                            done[k] = true;
                            live -= 1;
                        }
                        continue;
                    }
                    // Race mode: the first right answer closes the question for everyone else.
                    ("error", _) if race && head.code == Some("too_late") => {
                        if let Some(i) = sent_at[k].iter().rposition(Option::is_some) {
                            t.too_late[i] = true;
                        }
                        continue;
                    }
                    ("error", _) => {
                        t.failed = Some(format!("error: {text}"));
                        continue;
                    }
                    _ => continue,
                }
            }
            Some(answer) = due.next(), if !due.is_empty() => answer,
            () = &mut give_up => {
                for (k, t) in times.iter_mut().enumerate() {
                    if !done[k] {
                        t.failed = Some("no game_over within 300 s".into());
                    }
                }
                break;
            }
        };
        sent_at[k][index] = Some(Instant::now());
        let answer = format!(r#"{{"type":"answer","index":{index},"choice":0}}"#);
        if let Some(sink) = sinks[k].as_mut() {
            if let Err(e) = sink.send(Message::text(answer)).await {
                times[k].failed = Some(format!("send: {e}"));
            }
        }
    }
    times
}

/// The server writer's (commits, rows) so far, from the admin-only stats endpoint.
async fn writer_stats(http: &Http, token: &str) -> Option<(u64, u64)> {
    let stats = http
        .get("/api/admin/stats", Some(token))
        .await
        .ok()?
        .json()
        .ok()?;
    Some((stats["commits"].as_u64()?, stats["rows"].as_u64()?))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    // Every bot is a socket.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let mode = match args.mode.as_str() {
        "classic" => Mode::Classic,
        "race" => Mode::Race,
        other => bail!("--mode is classic or race, not {other}"),
    };
    let server = match &args.url {
        Some(url) => {
            let loopback =
                url.contains("://127.") || url.contains("://localhost") || url.contains("://[::1]");
            if !loopback && !args.allow_remote {
                bail!("--url must be a loopback address (pass --allow-remote to override)");
            }
            if args.server_cpus.is_some() {
                bail!("--server-cpus pins the server this tool starts; with --url, pin yours");
            }
            Server {
                _spawned: None,
                pid: args.server_pid,
                base: url.trim_end_matches('/').to_owned(),
            }
        }
        None => start_server(&args)?,
    };
    let deadline = Duration::from_secs(args.timeout_s);
    tokio::time::timeout(deadline, drive(&args, mode, &server))
        .await
        .context("load test timed out")?
}

async fn drive(args: &Args, mode: Mode, server: &Server) -> Result<()> {
    let http = Http::new(server.base.clone());
    let ws_url = format!("{}/ws", server.base.replacen("http", "ws", 1));
    let token = http.login("admin", &args.admin_password).await?;
    let questions: Vec<_> = (0..args.questions)
        .map(|i| json!({"kind": "choice", "text": format!("Load question {i}"),
                         "choices": ["right", "wrong", "also wrong", "no"], "correct": [0], "time_limit_s": 120}))
        .collect();
    let quiz_id = http
        .create_quiz(
            &token,
            &json!({"title": "Load test", "read_s": 0, "questions": questions}),
        )
        .await?;
    let opts = RoomOptions {
        mode,
        max_players: Some(args.players),
        ..RoomOptions::default()
    };
    let mut host = Host::create(&ws_url, &token, quiz_id, opts).await?;
    host.bot.deadline = Duration::from_secs(300);
    let idle = proc_stats(server.pid);

    println!(
        "quizrace load test: {} players, {} questions, mode {}",
        args.players,
        args.questions,
        mode.as_str()
    );
    let gate = Arc::new(Semaphore::new(args.connect_concurrency));
    let join_start = Instant::now();
    let bots: Vec<_> = (0..args.players)
        .step_by(GROUP as usize)
        .map(|first| {
            tokio::spawn(run_group(
                ws_url.clone(),
                host.pin.clone(),
                first..(first + GROUP).min(args.players),
                args.questions,
                Duration::from_millis(args.answer_after_ms),
                mode == Mode::Race,
                Arc::clone(&gate),
            ))
        })
        .collect();
    // The host counts joins; failures show up in the bots' results.
    let joined = host
        .bot
        .expect("all players joined", |m| match m {
            ServerMsg::PlayerJoined { count, .. } if *count >= args.players => Some(*count),
            _ => None,
        })
        .await;
    let join_time = join_start.elapsed();
    if let Err(e) = &joined {
        for b in &bots {
            b.abort();
        }
        bail!("the host did not see every player join: {e:#}");
    }
    let after_join = proc_stats(server.pid);

    let mut sent = Vec::new();
    let mut board_sent = Vec::new();
    let mut cpu_per_question = Vec::new();
    // The bots share the machine: what they cost is part of every figure.
    let mut bots_cpu_per_question = Vec::new();
    let mut writes_per_question = Vec::new();
    if joined.is_ok() {
        let settle = Duration::from_millis(args.settle_ms);
        for q in 0..args.questions {
            tokio::time::sleep(settle).await;
            let cpu_before = proc_stats(server.pid).map(|s| s.1);
            let bots_before = proc_stats(Some(std::process::id())).map(|s| s.1);
            let writer_before = writer_stats(&http, &token).await;
            sent.push(Instant::now());
            host.send(if q == 0 {
                &ClientMsg::Start
            } else {
                &ClientMsg::Next
            })
            .await?;
            host.bot
                .expect("question closed", |m| {
                    matches!(m, ServerMsg::QuestionClosed { .. }).then_some(())
                })
                .await?;
            if let (Some(a), Some((_, b))) = (cpu_before, proc_stats(server.pid)) {
                cpu_per_question.push(b - a);
            }
            if let (Some(a), Some((_, b))) = (bots_before, proc_stats(Some(std::process::id()))) {
                bots_cpu_per_question.push(b - a);
            }
            let open_for = sent[q as usize].elapsed();
            if let (Some(a), Some(b)) = (writer_before, writer_stats(&http, &token).await) {
                writes_per_question.push((b.0 - a.0, b.1 - a.1, open_for));
            }
            tokio::time::sleep(settle).await;
            board_sent.push(Instant::now());
            host.send(&ClientMsg::Next).await?;
            host.bot
                .expect("leaderboard", |m| {
                    matches!(m, ServerMsg::Leaderboard { .. }).then_some(())
                })
                .await?;
        }
        host.send(&ClientMsg::Next).await?;
    }
    let peak = proc_stats(server.pid);
    let mut results = Vec::new();
    for b in bots {
        results.extend(b.await?);
    }

    // ---- report ----
    let failures: Vec<&String> = results.iter().filter_map(|r| r.failed.as_ref()).collect();
    let joins: Vec<Duration> = results.iter().filter_map(|r| r.join).collect();
    println!();
    println!(
        "joined {} of {} in {:.2} s ({:.0} joins/s)",
        joins.len(),
        args.players,
        join_time.as_secs_f64(),
        joins.len() as f64 / join_time.as_secs_f64()
    );
    summary("connect + join", joins);
    for (q, t0) in sent.iter().enumerate() {
        let fanout: Vec<Duration> = results
            .iter()
            .filter_map(|r| r.question_at[q].map(|t| t - *t0))
            .collect();
        summary(&format!("question {q} fan-out"), fanout);
        let acks: Vec<Duration> = results.iter().filter_map(|r| r.ack_latency[q]).collect();
        let acked = acks.len();
        summary(&format!("question {q} answer ack"), acks);
        let last_ack = results.iter().filter_map(|r| r.acked_at[q]).max();
        if let Some(last) = last_ack {
            println!(
                "{:<34} {} acked, all within {} of the question being sent",
                format!("question {q} burst"),
                acked,
                ms(last - *t0)
            );
        }
        let first_reveal = results.iter().filter_map(|r| r.reveal_at[q]).min();
        if let Some(first) = first_reveal {
            let spread: Vec<Duration> = results
                .iter()
                .filter_map(|r| r.reveal_at[q].map(|t| t - first))
                .collect();
            summary(&format!("question {q} reveal spread"), spread);
        }
        if let Some(b0) = board_sent.get(q) {
            let board: Vec<Duration> = results
                .iter()
                .filter_map(|r| r.board_at[q].map(|t| t - *b0))
                .collect();
            summary(&format!("question {q} leaderboard fan-out"), board);
        }
    }
    let every = |pick: &dyn Fn(&BotTimes, usize) -> Option<Duration>| -> Vec<Duration> {
        (0..sent.len())
            .flat_map(|q| results.iter().filter_map(move |r| pick(r, q)))
            .collect()
    };
    summary(
        "all questions fan-out",
        every(&|r, q| r.question_at[q].map(|t| t - sent[q])),
    );
    summary("all questions answer ack", every(&|r, q| r.ack_latency[q]));
    for (q, (commits, rows, open_for)) in writes_per_question.iter().enumerate() {
        println!(
            "{:<34} {commits} commits, {rows} rows in {} open ({:.0} commits/s, {:.1} rows per commit)",
            format!("question {q} database writer"),
            ms(*open_for),
            *commits as f64 / open_for.as_secs_f64(),
            *rows as f64 / (*commits).max(1) as f64
        );
    }
    println!("disconnects or failures: {}", failures.len());
    for f in failures.iter().take(5) {
        println!("  e.g. {f}");
    }
    match (idle, after_join, peak) {
        (Some((idle_rss, _)), Some((joined_rss, _)), Some((peak_rss, cpu))) => {
            let per = (joined_rss.saturating_sub(idle_rss)) as f64 / f64::from(args.players.max(1));
            println!(
                "server RSS: idle {idle_rss} KiB, after joins {joined_rss} KiB ({per:.1} KiB per player), peak {peak_rss} KiB"
            );
            println!("server CPU: {cpu:.2} s in all");
            for (q, c) in cpu_per_question.iter().enumerate() {
                println!("server CPU for question {q} (open to reveal): {c:.2} s");
            }
            for (q, c) in bots_cpu_per_question.iter().enumerate() {
                println!("bots' CPU for question {q} (open to reveal): {c:.2} s");
            }
        }
        _ => println!("server RSS/CPU: not measured (pass --server-pid with --url)"),
    }
    if let Err(e) = joined {
        bail!("not every player joined: {e:#}");
    }
    if !failures.is_empty() {
        bail!("{} bots failed", failures.len());
    }
    // Behaviour, not timing: every player got every question, and every answer was acked
    // (race: exactly one, the winner's; everyone else was told too_late).
    for q in 0..sent.len() {
        let got = results
            .iter()
            .filter(|r| r.question_at[q].is_some())
            .count();
        let acked = results.iter().filter(|r| r.acked_at[q].is_some()).count();
        let late = results.iter().filter(|r| r.too_late[q]).count();
        let fine = match mode {
            Mode::Classic => acked == results.len(),
            Mode::Race => acked == 1 && acked + late == results.len(),
        };
        if got != results.len() || !fine {
            bail!(
                "question {q}: {got} of {} players got it, {acked} were acked, {late} too late",
                results.len()
            );
        }
    }
    println!(
        "ok: {} players got all {} questions and every answer was acked{}",
        results.len(),
        sent.len(),
        if mode == Mode::Race {
            " or, after the winner's, refused too_late"
        } else {
            ""
        }
    );
    Ok(())
}
