//! Scale check of a cluster: R rooms × P bots (default 100 × 100: 10,000 sockets) over the
//! nodes through HAProxy, one game each, every room's questions opened at the same moment.
//! Prints the join rate, question fan-out p50/p99 and answer-ack p99 per node (the node that
//! owns the room), commits per second on PostgreSQL (`pg_stat_database.xact_commit`) and the
//! nodes' own commit counters (`/metrics`), and with `--kill-one` the failover time: SIGKILL
//! of one node while a question is open, to the first question served again in its rooms.
//!
//! By default it starts the cluster itself (tests/src/cluster.rs: a throw-away PostgreSQL,
//! `--nodes` release nodes, HAProxy); with `--url` it drives a running one.
//!
//!     cargo build --release -p quizrace -p quizrace-tests
//!     target/release/clusterload --rooms 100 --players 100 [--kill-one]
//!
//! Bots are raw sockets read by their frame's head, 64 to a task as in `loadtest`; they follow
//! `moved` and resume with their token when their node dies.

use anyhow::{bail, Context, Result};
use clap::Parser;
use futures::stream::{FuturesUnordered, SelectAll};
use futures::{SinkExt, StreamExt};
use quizrace_protocol::{ClientMsg, HostCredential, PhaseName, Pin, ServerMsg};
use quizrace_tests::bot::{Host, RoomOptions, Ws};
use quizrace_tests::cluster::Cluster;
use quizrace_tests::cluster_game::reconnect;
use quizrace_tests::stats::{ms, Spread};
use quizrace_tests::{Bot, Http};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Debug)]
#[command(about = "Drive R rooms of P bots through a quizrace cluster and print per-node figures")]
struct Args {
    #[arg(long, default_value_t = 100)]
    rooms: u32,
    /// Players per room.
    #[arg(long, default_value_t = 100)]
    players: u32,
    #[arg(long, default_value_t = 3)]
    questions: u32,
    /// Nodes to start (without --url).
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// Aim at a running cluster: HAProxy's address (`http://127.0.0.1:8080`).
    #[arg(long)]
    url: Option<String>,
    /// With --url: each node's address, for its /metrics (repeat or comma-separate).
    #[arg(long = "node", value_delimiter = ',')]
    node_urls: Vec<String>,
    /// With --url: the cluster's database (`postgres://…`), for commits and room owners.
    #[arg(long)]
    pg_url: Option<String>,
    #[arg(long, default_value = quizrace_tests::server::ADMIN_PASSWORD)]
    admin_password: String,
    /// SIGKILL one node (the owner of the most rooms) while question 2 is open, and measure
    /// the failover. Needs the cluster started here.
    #[arg(long)]
    kill_one: bool,
    /// Connections opened at once while joining.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// The hosts wait this long before each step, so each figure starts from a quiet cluster.
    #[arg(long, default_value_t = 1500)]
    settle_ms: u64,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 900)]
    timeout_s: u64,
    /// Allow --url to point somewhere other than loopback.
    #[arg(long)]
    allow_remote: bool,
}

/// Bots per task (as in loadtest): one task joins its group and plays them from one loop.
const GROUP: u32 = 64;
/// How long a bot keeps trying to get back into its room.
const BACK_WITHIN: Duration = Duration::from_secs(40);

/// The fields of a server frame a bot acts on; the rest is skipped, not decoded.
#[derive(serde::Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
    index: Option<u32>,
    url: Option<String>,
    retry_after_ms: Option<u64>,
    question: Option<QuestionHead>,
}

#[derive(serde::Deserialize)]
struct QuestionHead {
    index: u32,
    answered: Option<bool>,
}

/// What one bot measured.
#[derive(Debug, Clone)]
struct BotTimes {
    room: usize,
    join: Option<Duration>,
    question_at: Vec<Option<Instant>>,
    ack_latency: Vec<Option<Duration>>,
    /// Every moment a question reached the bot (a `question`, or a `welcome` carrying one)
    /// on a socket it reopened (after a `moved` or a dead node): served by the new owner,
    /// not a frame in flight from the old one.
    served: Vec<Instant>,
    resumes: u32,
    failed: Option<String>,
}

/// One bot's socket state in a group.
struct Seat {
    pin: Pin,
    token: String,
    sink: Option<futures::stream::SplitSink<Ws, Message>>,
    /// Bumped at each reconnect: frames of an older socket are ignored.
    generation: u32,
    sent_at: Vec<Option<Instant>>,
    done: bool,
    /// Since when the bot has been trying to get back (None: connected).
    away_since: Option<Instant>,
}

type Frame = (
    usize,
    u32,
    Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
);

fn watch(
    k: usize,
    generation: u32,
    stream: futures::stream::SplitStream<Ws>,
) -> std::pin::Pin<Box<dyn futures::Stream<Item = Frame> + Send>> {
    Box::pin(
        stream
            .map(move |m| (k, generation, Some(m)))
            .chain(futures::stream::once(async move { (k, generation, None) })),
    )
}

/// After `wait`, opens `url` and sends `resume`: bot `k`'s way back (its `generation`th
/// socket) after a `moved` or a dead node.
async fn back(
    k: usize,
    generation: u32,
    url: String,
    resume: String,
    wait: Duration,
) -> (usize, u32, Result<Ws>) {
    tokio::time::sleep(wait).await;
    let socket = async {
        let mut bot = Bot::connect(&url).await?;
        bot.send_raw(resume).await?;
        Ok(bot.into_socket())
    };
    (k, generation, socket.await)
}

/// Joins bots `ids` of room `room` and plays them to `game_over`: each answers choice 0 (the
/// right one) as soon as its question lands.
async fn run_group(
    proxy_ws: String,
    room: usize,
    pin: Pin,
    ids: std::ops::Range<u32>,
    questions: usize,
    gate: Arc<Semaphore>,
) -> Vec<BotTimes> {
    let joins = ids.map(|i| {
        let (url, pin, gate) = (proxy_ws.clone(), pin.clone(), Arc::clone(&gate));
        async move {
            let start = Instant::now();
            let _permit = gate.acquire().await;
            let bot = Bot::joined(&url, &pin, &format!("r{room}b{i}")).await;
            (bot, start.elapsed())
        }
    });
    let mut times = Vec::new();
    let mut seats = Vec::new();
    let mut frames = SelectAll::new();
    for (k, (joined, took)) in futures::future::join_all(joins)
        .await
        .into_iter()
        .enumerate()
    {
        let mut t = BotTimes {
            room,
            join: None,
            question_at: vec![None; questions],
            ack_latency: vec![None; questions],
            served: Vec::new(),
            resumes: 0,
            failed: None,
        };
        let mut seat = Seat {
            pin: pin.clone(),
            token: String::new(),
            sink: None,
            generation: 0,
            sent_at: vec![None; questions],
            done: true,
            away_since: None,
        };
        match joined {
            Ok(bot) => {
                t.join = Some(took);
                seat.token = bot.token();
                let (sink, stream) = bot.into_socket().split();
                seat.sink = Some(sink);
                seat.done = false;
                frames.push(watch(k, 0, stream));
            }
            Err(e) => t.failed = Some(format!("join: {e:#}")),
        }
        times.push(t);
        seats.push(seat);
    }
    let mut live = seats.iter().filter(|s| !s.done).count();
    let mut returning = FuturesUnordered::new();
    let give_up = tokio::time::sleep(Duration::from_secs(600));
    tokio::pin!(give_up);
    let proxy_for = |pin: &Pin| format!("{proxy_ws}?pin={pin}");
    while live > 0 {
        tokio::select! {
            Some((k, generation, frame)) = frames.next() => {
                if generation != seats[k].generation || seats[k].done {
                    continue;
                }
                let now = Instant::now();
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => {
                        // The node died or closed: back through the proxy with the token.
                        let seat = &mut seats[k];
                        seat.sink = None;
                        seat.generation += 1;
                        let since = *seat.away_since.get_or_insert(now);
                        if now - since > BACK_WITHIN {
                            times[k].failed = Some("could not get back into the room".into());
                            seat.done = true;
                            live -= 1;
                            continue;
                        }
                        let resume = resume_text(&seat.pin, &seat.token);
                        let url = proxy_for(&seat.pin);
                        let generation = seat.generation;
                        returning.push(back(k, generation, url, resume, Duration::from_millis(200)));
                        continue;
                    }
                    Some(Ok(_)) => continue,
                };
                let Ok(head) = serde_json::from_str::<Head>(&text) else {
                    times[k].failed = Some(format!("unparsable frame: {text}"));
                    continue;
                };
                let answer = match (head.kind.as_str(), head.index) {
                    ("question", Some(i)) if (i as usize) < questions => {
                        if seats[k].generation > 0 {
                            times[k].served.push(now);
                        }
                        times[k].question_at[i as usize].get_or_insert(now);
                        Some(i)
                    }
                    ("welcome", _) => {
                        seats[k].away_since = None;
                        match head.question {
                            Some(q) if (q.index as usize) < questions => {
                                if seats[k].generation > 0 {
                                    times[k].served.push(now);
                                }
                                times[k].question_at[q.index as usize].get_or_insert(now);
                                (q.answered == Some(false)).then_some(q.index)
                            }
                            _ => None,
                        }
                    }
                    ("answer_ack", Some(i)) if (i as usize) < questions => {
                        let i = i as usize;
                        times[k].ack_latency[i] = seats[k].sent_at[i].map(|s| now - s);
                        None
                    }
                    ("moved", _) => {
                        let seat = &mut seats[k];
                        seat.sink = None;
                        seat.generation += 1;
                        seat.away_since.get_or_insert(now);
                        let url = head.url.unwrap_or_else(|| proxy_for(&seat.pin));
                        let wait = Duration::from_millis(head.retry_after_ms.unwrap_or(0));
                        let (resume, generation) = (resume_text(&seat.pin, &seat.token), seat.generation);
                        returning.push(back(k, generation, url, resume, wait));
                        None
                    }
                    ("game_over", _) => {
                        seats[k].done = true;
                        live -= 1;
                        None
                    }
                    ("error", _) => {
                        times[k].failed = Some(format!("error: {text}"));
                        None
                    }
                    _ => None,
                };
                let seat = &mut seats[k];
                if let (Some(i), Some(sink)) = (answer, seat.sink.as_mut()) {
                    seat.sent_at[i as usize] = Some(Instant::now());
                    let text = format!(r#"{{"type":"answer","index":{i},"choice":0}}"#);
                    // A send into a dead socket shows up as its end next.
                    let _ = sink.send(Message::text(text)).await;
                }
            }
            Some((k, generation, socket)) = returning.next(), if !returning.is_empty() => {
                let seat = &mut seats[k];
                if generation != seat.generation || seat.done {
                    continue;
                }
                match socket {
                    Ok(ws) => {
                        times[k].resumes += 1;
                        let (sink, stream) = ws.split();
                        seat.sink = Some(sink);
                        frames.push(watch(k, generation, stream));
                    }
                    Err(_) if seat.away_since.is_some_and(|s| s.elapsed() < BACK_WITHIN) => {
                        let resume = resume_text(&seat.pin, &seat.token);
                        let url = proxy_for(&seat.pin);
                        returning.push(back(k, generation, url, resume, Duration::from_millis(250)));
                    }
                    Err(e) => {
                        times[k].failed = Some(format!("could not get back: {e:#}"));
                        seat.done = true;
                        live -= 1;
                    }
                }
            }
            () = &mut give_up => {
                for (k, t) in times.iter_mut().enumerate() {
                    if !seats[k].done {
                        t.failed = Some("no game_over within 600 s".into());
                    }
                }
                break;
            }
        }
    }
    times
}

fn resume_text(pin: &Pin, token: &str) -> String {
    serde_json::to_string(&ClientMsg::Resume {
        pin: pin.clone(),
        token: token.to_owned(),
    })
    .unwrap_or_default()
}

/// What a room's host task is told to do next.
enum Step {
    /// Send `start` or `next` and report when sent; then report the reveal.
    Question(oneshot::Sender<Instant>, oneshot::Sender<()>),
    /// Send `next` (to the leaderboard, or after the last one to game_over) and report it.
    Next(oneshot::Sender<()>),
}

/// One room's host: does what it is told, taking the room back with its key through the
/// proxy whenever its socket dies (a killed node) or it is moved.
async fn host_task(
    proxy_ws: String,
    mut host: Host,
    mut steps: mpsc::Receiver<Step>,
) -> Result<()> {
    let resume = ClientMsg::HostResume {
        pin: host.pin.clone(),
        by: HostCredential::HostKey(host.host_key.clone()),
        view: None,
    };
    let mut first = true;
    while let Some(step) = steps.recv().await {
        let (msg, sent, want_reveal, done) = match step {
            Step::Question(sent, revealed) => {
                let msg = if first {
                    ClientMsg::Start
                } else {
                    ClientMsg::Next
                };
                first = false;
                (msg, Some(sent), true, revealed)
            }
            Step::Next(done) => (ClientMsg::Next, None, false, done),
        };
        let _ = host.send(&msg).await;
        if let Some(sent) = sent {
            let _ = sent.send(Instant::now());
        }
        loop {
            let got = match host.bot.recv().await {
                Ok(m) => m,
                Err(_) => {
                    host.bot = reconnect(&proxy_ws, &host.pin, &resume, BACK_WITHIN).await?;
                    host.bot.deadline = Duration::from_secs(300);
                    continue;
                }
            };
            let reached = match &got {
                ServerMsg::QuestionClosed { .. } => want_reveal,
                ServerMsg::Leaderboard { .. } | ServerMsg::GameOver { .. } => !want_reveal,
                // After a failover the snapshot says where the room is; a step sent into the
                // dead socket is sent again.
                ServerMsg::RoomState { phase, .. } => match (phase, want_reveal) {
                    (PhaseName::Reveal, true) => true,
                    (PhaseName::Leaderboard | PhaseName::Finished, false) => true,
                    (PhaseName::Lobby, _) => {
                        let _ = host.send(&ClientMsg::Start).await;
                        false
                    }
                    (PhaseName::Reveal, false) | (PhaseName::Leaderboard, true) => {
                        let _ = host.send(&ClientMsg::Next).await;
                        false
                    }
                    _ => false,
                },
                _ => false,
            };
            if reached {
                break;
            }
        }
        let _ = done.send(());
    }
    Ok(())
}

/// `quizrace_db_commits_total` of one node, from its /metrics.
async fn node_commits(base: &str) -> Option<f64> {
    let text = Http::new(base.to_owned())
        .get("/metrics", None)
        .await
        .ok()?
        .body;
    text.lines()
        .find(|l| l.starts_with("quizrace_db_commits_total "))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

async fn xact_commit(db: &tokio_postgres::Client) -> Option<i64> {
    db.query_one(
        "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()",
        &[],
    )
    .await
    .ok()
    .map(|r| r.get(0))
}

fn spread_line(name: &str, v: Vec<Duration>) {
    match Spread::of(v) {
        Some(s) => println!(
            "{name:<44} n={:<6} p50 {:>10}  p99 {:>10}  max {:>10}",
            s.n,
            ms(s.p50),
            ms(s.p99),
            ms(s.max)
        ),
        None => println!("{name:<44} (no samples)"),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    // Every bot is a socket, and the nodes started here inherit the limit.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    if std::env::var_os("QUIZRACE_NODE_LOG").is_none() {
        std::env::set_var("QUIZRACE_NODE_LOG", "quizrace=warn");
    }
    let deadline = Duration::from_secs(args.timeout_s);
    tokio::time::timeout(deadline, drive(&args))
        .await
        .context("the scale check timed out")?
}

async fn drive(args: &Args) -> Result<()> {
    let mut cluster = None;
    let (base, node_urls, db) = match &args.url {
        Some(url) => {
            let loopback =
                url.contains("://127.") || url.contains("://localhost") || url.contains("://[::1]");
            if !loopback && !args.allow_remote {
                bail!("--url must be a loopback address (pass --allow-remote to override)");
            }
            if args.kill_one {
                bail!("--kill-one needs the cluster started here (leave out --url)");
            }
            let db = match &args.pg_url {
                Some(pg) => {
                    let (client, conn) = tokio_postgres::connect(pg, tokio_postgres::NoTls).await?;
                    tokio::spawn(conn);
                    Some(client)
                }
                None => None,
            };
            let nodes: Vec<(String, String)> = args
                .node_urls
                .iter()
                .map(|u| (u.clone(), u.trim_end_matches('/').to_owned()))
                .collect();
            (url.trim_end_matches('/').to_owned(), nodes, db)
        }
        None => {
            let max_players = (args.players + 10).to_string();
            let max_rooms = (args.rooms + 10).to_string();
            let maxconn = 2 * args.rooms * (args.players + 1) + 1000;
            println!("starting PostgreSQL, {} nodes and HAProxy", args.nodes);
            let c = Cluster::start_with(
                args.nodes,
                &[
                    "--max-players",
                    &max_players,
                    "--max-rooms-per-host",
                    &max_rooms,
                ],
                maxconn,
            )
            .await?;
            let db = c.pg.client().await?;
            let nodes = c
                .nodes
                .iter()
                .map(|n| (n.name.clone(), n.http_url()))
                .collect();
            let base = c.proxy.http_url();
            cluster = Some(c);
            (base, nodes, Some(db))
        }
    };
    let http = Http::new(base.clone());
    let proxy_ws = format!("{}/ws", base.replacen("http", "ws", 1));
    let token = http.login("admin", &args.admin_password).await?;
    let questions: Vec<_> = (0..args.questions)
        .map(|i| json!({"kind": "choice", "text": format!("Cluster load question {i}"),
                         "choices": ["right", "wrong", "also wrong", "no"], "correct": [0], "time_limit_s": 120}))
        .collect();
    let quiz_id = http
        .create_quiz(
            &token,
            &json!({"title": "Cluster load", "read_s": 0, "questions": questions}),
        )
        .await?;
    println!(
        "quizrace cluster load: {} rooms × {} players, {} questions, {} nodes",
        args.rooms,
        args.players,
        args.questions,
        node_urls.len()
    );

    // Rooms, through the proxy: round robin spreads them over the nodes.
    let opts = RoomOptions {
        max_players: Some(args.players),
        ..RoomOptions::default()
    };
    let mut hosts = Vec::new();
    for _ in 0..args.rooms {
        let mut host = Host::create(&proxy_ws, &token, quiz_id, opts.clone()).await?;
        host.bot.deadline = Duration::from_secs(300);
        hosts.push(host);
    }
    let mut owner: Vec<String> = vec!["cluster".into(); hosts.len()];
    if let Some(db) = &db {
        for (r, host) in hosts.iter().enumerate() {
            let row = db
                .query_one(
                    "SELECT owner_node FROM games WHERE id = $1",
                    &[&host.game_id.0],
                )
                .await?;
            owner[r] = row.get::<_, Option<String>>(0).unwrap_or_default();
        }
    }

    // Joins.
    let gate = Arc::new(Semaphore::new(args.connect_concurrency));
    let join_start = Instant::now();
    let mut groups = Vec::new();
    for (r, host) in hosts.iter().enumerate() {
        for first in (0..args.players).step_by(GROUP as usize) {
            groups.push(tokio::spawn(run_group(
                proxy_ws.clone(),
                r,
                host.pin.clone(),
                first..(first + GROUP).min(args.players),
                args.questions as usize,
                Arc::clone(&gate),
            )));
        }
    }
    for host in &mut hosts {
        host.await_players(args.players)
            .await
            .context("a host did not see every player join")?;
    }
    let join_time = join_start.elapsed();

    // One host task per room, stepped together.
    let mut steppers = Vec::new();
    let mut host_tasks = Vec::new();
    for host in hosts {
        let (tx, rx) = mpsc::channel(4);
        steppers.push(tx);
        host_tasks.push(tokio::spawn(host_task(proxy_ws.clone(), host, rx)));
    }
    let settle = Duration::from_millis(args.settle_ms);
    let mut sent_at: Vec<Vec<Instant>> = vec![Vec::new(); steppers.len()];
    let commits_before = xact_commit_opt(&db).await;
    let mut node_before = Vec::new();
    for (_, url) in &node_urls {
        node_before.push(node_commits(url).await);
    }
    let busy_start = Instant::now();
    let mut killed: Option<(String, Instant)> = None;
    let kill_question = 1.min(args.questions.saturating_sub(1)) as usize;
    for q in 0..args.questions {
        tokio::time::sleep(settle).await;
        let mut sent_rx = Vec::new();
        let mut revealed = Vec::new();
        for tx in &steppers {
            let (s_tx, s_rx) = oneshot::channel();
            let (r_tx, r_rx) = oneshot::channel();
            tx.send(Step::Question(s_tx, r_tx)).await?;
            sent_rx.push(s_rx);
            revealed.push(r_rx);
        }
        for (r, rx) in sent_rx.into_iter().enumerate() {
            sent_at[r].push(rx.await.context("a host stopped")?);
        }
        if args.kill_one && q as usize == kill_question && killed.is_none() {
            if let Some(c) = cluster.as_mut() {
                // The owner of the most rooms, while its questions are open.
                let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                for o in &owner {
                    *counts.entry(o.as_str()).or_default() += 1;
                }
                let victim = counts
                    .iter()
                    .max_by_key(|(_, n)| **n)
                    .map(|(name, _)| (*name).to_owned())
                    .context("no owners")?;
                tokio::time::sleep(Duration::from_millis(100)).await;
                c.node(&victim)?.kill9();
                println!("killed {victim} (SIGKILL) while question {q} was open");
                killed = Some((victim, Instant::now()));
            }
        }
        eprintln!("question {q} open in {} rooms", steppers.len());
        for rx in revealed {
            rx.await.context("a host stopped")?;
        }
        eprintln!("question {q} revealed in every room");
        tokio::time::sleep(settle).await;
        let mut boards = Vec::new();
        for tx in &steppers {
            let (d_tx, d_rx) = oneshot::channel();
            tx.send(Step::Next(d_tx)).await?;
            boards.push(d_rx);
        }
        for rx in boards {
            rx.await.context("a host stopped")?;
        }
    }
    let busy = busy_start.elapsed();
    let commits_after = xact_commit_opt(&db).await;
    let mut node_after = Vec::new();
    for (_, url) in &node_urls {
        node_after.push(node_commits(url).await);
    }
    // The last `next`: game_over.
    let mut ends = Vec::new();
    for tx in &steppers {
        let (d_tx, d_rx) = oneshot::channel();
        tx.send(Step::Next(d_tx)).await?;
        ends.push(d_rx);
    }
    for rx in ends {
        rx.await.context("a host stopped")?;
    }
    drop(steppers);
    for task in host_tasks {
        task.await??;
    }
    let mut results: Vec<BotTimes> = Vec::new();
    for g in groups {
        results.extend(g.await?);
    }

    // ---- report ----
    let joined = results.iter().filter(|r| r.join.is_some()).count();
    println!();
    println!(
        "joined {joined} of {} in {:.2} s ({:.0} joins/s)",
        args.rooms * args.players,
        join_time.as_secs_f64(),
        joined as f64 / join_time.as_secs_f64()
    );
    let mut by_node: BTreeMap<&str, Vec<&BotTimes>> = BTreeMap::new();
    for r in &results {
        by_node.entry(owner[r.room].as_str()).or_default().push(r);
    }
    for (node, bots) in &by_node {
        let rooms = owner.iter().filter(|o| o.as_str() == *node).count();
        let fanout: Vec<Duration> = bots
            .iter()
            .flat_map(|b| {
                b.question_at.iter().enumerate().filter_map(|(q, at)| {
                    Some(
                        at.as_ref()?
                            .saturating_duration_since(*sent_at[b.room].get(q)?),
                    )
                })
            })
            .collect();
        let acks: Vec<Duration> = bots
            .iter()
            .flat_map(|b| b.ack_latency.iter().flatten().copied())
            .collect();
        spread_line(&format!("{node} ({rooms} rooms): question fan-out"), fanout);
        spread_line(&format!("{node} ({rooms} rooms): answer ack"), acks);
    }
    if let (Some(a), Some(b)) = (commits_before, commits_after) {
        println!(
            "PostgreSQL: {} commits in {:.1} s of questions ({:.0} commits/s, all sessions)",
            b - a,
            busy.as_secs_f64(),
            (b - a) as f64 / busy.as_secs_f64()
        );
    }
    for (((name, _), a), b) in node_urls.iter().zip(&node_before).zip(&node_after) {
        if let (Some(a), Some(b)) = (a, b) {
            if b < a {
                println!("{name}: writer commits not measured (the node restarted)");
                continue;
            }
            println!(
                "{name}: {} writer commits ({:.0}/s)",
                b - a,
                (b - a) / busy.as_secs_f64()
            );
        }
    }
    if let Some((victim, at)) = &killed {
        let theirs: Vec<&BotTimes> = results
            .iter()
            .filter(|r| owner[r.room] == *victim)
            .collect();
        let first_back = theirs
            .iter()
            .flat_map(|r| r.served.iter())
            .filter(|t| *t > at)
            .map(|t| *t - *at)
            .min();
        let resumed = theirs.iter().filter(|r| r.resumes > 0).count();
        println!(
            "failover: {} rooms on {victim}; first question served again {} after the kill; {resumed} bots resumed",
            owner.iter().filter(|o| *o == victim).count(),
            first_back.map_or("never".into(), |d| format!("{} ms", d.as_millis()))
        );
    }
    let failures: Vec<&String> = results.iter().filter_map(|r| r.failed.as_ref()).collect();
    println!("disconnects or failures: {}", failures.len());
    for f in failures.iter().take(5) {
        println!("  e.g. {f}");
    }
    // Behaviour, not timing: every player got every question and every answer was acked.
    // The answers in flight to the killed node may find their question closed by the time
    // their bots are back: that question's acks are not required in its rooms.
    let excused = |r: &BotTimes, q: usize| {
        killed
            .as_ref()
            .is_some_and(|(victim, _)| owner[r.room] == *victim && q == kill_question)
    };
    let mut short: HashMap<usize, usize> = HashMap::new();
    for r in &results {
        let missed_ack = r
            .ack_latency
            .iter()
            .enumerate()
            .any(|(q, a)| a.is_none() && !excused(r, q));
        if r.question_at.iter().any(Option::is_none) || missed_ack {
            *short.entry(r.room).or_default() += 1;
        }
    }
    if !failures.is_empty() || !short.is_empty() || joined != results.len() {
        bail!(
            "{} bots failed; {} rooms had players who missed a question or an ack",
            failures.len(),
            short.len()
        );
    }
    println!(
        "ok: {} players in {} rooms got all {} questions and every answer was acked",
        results.len(),
        args.rooms,
        args.questions
    );
    drop(cluster);
    Ok(())
}

async fn xact_commit_opt(db: &Option<tokio_postgres::Client>) -> Option<i64> {
    match db {
        Some(db) => xact_commit(db).await,
        None => None,
    }
}
