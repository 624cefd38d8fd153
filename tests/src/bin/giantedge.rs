//! A synthetic edge for one giant room: it holds no sockets, but joins N players through the
//! nodes' NATS protocol (docs/protocol.md, "Inside a cluster") and answers for them, to find
//! the owner's ceiling. It starts its own PostgreSQL, NATS and one owner node (`--nats`),
//! opens a room there with a host bot, joins the players in batches of 256 (32 batches in
//! flight), lets the host start a one-question game, and answers for every player at once.
//! It beats each second as a live edge does. It exits non-zero unless every answer is acked
//! (`answer_ack`) and stored: `scripts/test.sh` runs it at 100,000 players.
//!
//! ```sh
//! cargo build --release -p quizrace -p quizrace-tests
//! target/release/giantedge --players 100000
//! ```
//!
//! Prints: join time and rate, the time from the last answer sent to every batch acked and to
//! every `answer_ack` received, the owner's CPU time and its writer's commits meanwhile (rows
//! per second into PostgreSQL), the owner's resident memory, and the rows stored.

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use futures::StreamExt;
use quizrace::giant::wire::{self, InAck, InBatch, InItem, ToEdge, BATCH_ITEMS};
use quizrace_protocol::{AnswerValue, ClientMsg, Pin, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::cluster::GiantCluster;
use quizrace_tests::stats::proc_stats;
use quizrace_tests::Host;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    /// Players the synthetic edge joins and answers for.
    #[arg(long, default_value_t = 10_000)]
    players: u64,
    /// Batches waiting for their ack at once.
    #[arg(long, default_value_t = 32)]
    in_flight: usize,
    /// Join batches waiting for their ack at once (default: `--in-flight`). The host gets a
    /// `player_joined` per join and is cut off if it falls 16,384 frames behind: fewer joins
    /// at once spare it at 1,000,000.
    #[arg(long)]
    join_in_flight: Option<usize>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let n = args.players;
    let max = n.max(10).to_string();
    let cluster = GiantCluster::start(1, &["--max-players", &max]).await?;
    let owner = &cluster.nodes[0];
    let http = owner.http();
    let token = http
        .login("admin", quizrace_tests::server::ADMIN_PASSWORD)
        .await?;
    let quiz = serde_json::json!({"title": "Giant", "read_s": 0, "questions": [
        {"kind": "choice", "text": "2 + 2?", "choices": ["3", "4"], "correct": [1], "time_limit_s": 120}
    ]});
    let quiz_id = http.create_quiz(&token, &quiz).await?;
    let opts = RoomOptions {
        max_players: Some(u32::try_from(n.max(10))?),
        ..RoomOptions::default()
    };
    let mut host = Host::create(&owner.ws_url(), &token, quiz_id, opts).await?;
    host.bot.deadline = Duration::from_secs(600);
    let pin = host.pin.clone();
    let edge = format!("synth{:06x}", fastrand::u32(..0xff_ffff));
    let nats = async_nats::ConnectOptions::new()
        .subscription_capacity(1 << 20)
        .connect(cluster.nats.url())
        .await?;

    // Everything the owner sends this edge: count the answer acks.
    let acks = Arc::new(AtomicU64::new(0));
    let mut personal = nats.subscribe(wire::edge_subject(&pin, &edge)).await?;
    let mut broadcasts = nats.subscribe(wire::out_subject(&pin)).await?;
    let counted = Arc::clone(&acks);
    tokio::spawn(async move {
        while let Some(m) = personal.next().await {
            if let Ok(batch) = serde_json::from_slice::<ToEdge>(&m.payload) {
                let n = batch
                    .items
                    .iter()
                    .filter(|p| {
                        p.frame
                            .as_deref()
                            .is_some_and(|f| f.contains("\"answer_ack\""))
                    })
                    .count();
                counted.fetch_add(n as u64, Ordering::Relaxed);
            }
        }
    });
    // A live edge beats each second, or the owner disconnects its players after 5 s.
    let beat = serde_json::to_vec(&wire::Alive { edge: edge.clone() })?;
    let (beats, subject) = (nats.clone(), wire::alive_subject(&pin));
    tokio::spawn(async move {
        let mut every = tokio::time::interval(quizrace::giant::liveness::ALIVE_EVERY);
        loop {
            every.tick().await;
            let _ = beats.request(subject.clone(), beat.clone().into()).await;
        }
    });
    // The host reads its messages as they come (a join each), or its outbox overflows.
    let host_task = tokio::spawn(async move {
        host.await_players(u32::try_from(n)?).await?;
        anyhow::Ok(host)
    });

    let began = Instant::now();
    let items: Vec<InItem> = (0..n)
        .map(|i| InItem::Join {
            conn: i,
            name: format!("p{i}"),
            token: format!("{i:032x}"),
        })
        .collect();
    let joining = args.join_in_flight.unwrap_or(args.in_flight);
    let outcomes = send_all(&nats, &pin, &edge, items, joining, 0).await?;
    let joined = outcomes
        .iter()
        .flat_map(|a| &a.outcomes)
        .filter(|o| o.player.is_some())
        .count();
    let join_time = began.elapsed();
    ensure!(joined as u64 == n, "{joined} of {n} joined");
    let mut host = host_task.await??;
    println!(
        "joins: {n} in {:.2} s, {:.0} joins/s",
        join_time.as_secs_f64(),
        n as f64 / join_time.as_secs_f64()
    );

    host.send(&ClientMsg::Start).await?;
    // The host reads on while the answers go (or, unread for a minute at 1,000,000, its
    // socket's keep-alive ends it), until the reveal.
    let reveal = tokio::spawn(async move {
        host.bot
            .expect("the reveal", |m| {
                matches!(m, ServerMsg::QuestionClosed { .. }).then_some(())
            })
            .await
    });
    // The question broadcast, as an edge sees it.
    loop {
        let m = tokio::time::timeout(Duration::from_secs(60), broadcasts.next())
            .await?
            .context("broadcasts ended")?;
        let b: wire::Broadcast = serde_json::from_slice(&m.payload)?;
        if b.question {
            break;
        }
    }
    let shown = Instant::now();
    let cpu_before = proc_stats(owner.pid()).map_or(0.0, |(_, cpu)| cpu);
    let commits_before = commits(&http).await;
    let items: Vec<InItem> = (0..n)
        .map(|i| InItem::Msg {
            conn: i,
            msg: ClientMsg::answer(0, AnswerValue::Choice(1)),
            elapsed_ms: Some(1000 + i % 1000),
        })
        .collect();
    let acked = send_all(&nats, &pin, &edge, items, args.in_flight, 1_000_000).await?;
    let batches_acked = shown.elapsed();
    ensure!(acked.len() as u64 == n.div_ceil(BATCH_ITEMS as u64));
    let until = Instant::now() + Duration::from_secs(300);
    while acks.load(Ordering::Relaxed) < n {
        if Instant::now() > until {
            bail!("{} of {n} answer_ack in time", acks.load(Ordering::Relaxed));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let all_acks = shown.elapsed();
    let cpu = proc_stats(owner.pid()).map_or(0.0, |(_, cpu)| cpu) - cpu_before;
    let commits = commits(&http).await - commits_before;
    reveal.await??;
    let rss = proc_stats(owner.pid()).map_or(0, |(rss, _)| rss);
    let db = cluster.pg.client().await?;
    let rows: i64 = db
        .query_one("SELECT count(*) FROM answers", &[])
        .await?
        .get(0);
    println!(
        "answers: {n} sent, every batch acked {:.2} s and every answer_ack received {:.2} s \
         after the question reached the edge; {rows} rows stored",
        batches_acked.as_secs_f64(),
        all_acks.as_secs_f64()
    );
    println!(
        "owner: {cpu:.2} CPU s while answering ({:.0}% of one core), {commits:.0} commits \
         ({:.0} rows each), {:.0} rows/s into PostgreSQL",
        100.0 * cpu / all_acks.as_secs_f64(),
        n as f64 / commits.max(1.0),
        n as f64 / all_acks.as_secs_f64()
    );
    println!("owner resident memory: {} MiB", rss / 1024);
    if let Ok(load) = std::fs::read_to_string("/proc/loadavg") {
        println!("load average: {}", load.trim());
    }
    ensure!(rows as u64 == n, "{rows} rows stored for {n} answers");
    Ok(())
}

/// Sends `items` in batches of [`BATCH_ITEMS`], `in_flight` at once, each resent until acked;
/// returns the acks. Batch numbers start after `first`.
async fn send_all(
    nats: &async_nats::Client,
    pin: &Pin,
    edge: &str,
    items: Vec<InItem>,
    in_flight: usize,
    first: u64,
) -> Result<Vec<InAck>> {
    let batches: Vec<InBatch> = items
        .chunks(BATCH_ITEMS)
        .enumerate()
        .map(|(i, chunk)| InBatch {
            edge: edge.to_owned(),
            batch: first + i as u64 + 1,
            items: chunk.to_vec(),
        })
        .collect();
    let subject = wire::in_subject(pin);
    futures::stream::iter(batches)
        .map(|batch| {
            let (nats, subject) = (nats.clone(), subject.clone());
            async move {
                let payload: bytes::Bytes = serde_json::to_vec(&batch)?.into();
                for _ in 0..30 {
                    let asked = nats.request(subject.clone(), payload.clone());
                    if let Ok(Ok(reply)) =
                        tokio::time::timeout(Duration::from_secs(10), asked).await
                    {
                        return Ok(serde_json::from_slice::<InAck>(&reply.payload)?);
                    }
                }
                bail!("batch {} never acked", batch.batch)
            }
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<Result<InAck>>>()
        .await
        .into_iter()
        .collect()
}

/// The owner's writer's commits so far (`quizrace_db_commits_total`; 0 if unread).
async fn commits(http: &quizrace_tests::Http) -> f64 {
    let Ok(reply) = http.get("/metrics", None).await else {
        return 0.0;
    };
    reply
        .body
        .lines()
        .find_map(|l| l.strip_prefix("quizrace_db_commits_total "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}
