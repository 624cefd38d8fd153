//! A cluster under fire, as processes: each test starts its own PostgreSQL, three `quizrace`
//! nodes and HAProxy on loopback (tests/src/cluster.rs), plays through HAProxy's one address,
//! and then kills, pauses or restarts something mid-game:
//!
//! - node loss: the room's node gets SIGKILL at a seeded random moment; the room resumes on
//!   another node and plays to a consistent podium with no acknowledged answer lost;
//! - paused owner: SIGSTOP past the lease; another node claims the room; after SIGCONT the old
//!   owner stores nothing more (answer rows by epoch) and its clients are moved;
//! - database restart: answers sent while PostgreSQL is down are not acknowledged, and all are
//!   once it is back, in order; no node exits;
//! - rolling restart: SIGTERM and restart of every node in turn during one game.
//!
//! `QUIZRACE_CLUSTER_SEED` replays a run (the seed is printed); `QUIZRACE_CLUSTER_ROUNDS`
//! sets the node-loss rounds (3 by default; the long run is 10).

use quizrace_protocol::{AnswerValue, ClientMsg, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::cluster::Cluster;
use quizrace_tests::cluster_game::{check_report, first_question_after, GameSpec, LiveGame};
use quizrace_tests::server::ADMIN_PASSWORD;
use quizrace_tests::{Bot, Host};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One cluster at a time: four clusters (twelve nodes) at once on a small machine would delay
/// lease renewals and fail rooms over that no test touched.
static ONE_CLUSTER_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn seed() -> u64 {
    std::env::var("QUIZRACE_CLUSTER_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| fastrand::u64(..))
}

/// Answer rows of a game per epoch: the epoch that wrote them tells which owner did.
async fn rows_by_epoch(db: &tokio_postgres::Client, game_id: i64) -> BTreeMap<i64, i64> {
    db.query(
        "SELECT epoch, count(*) FROM answers WHERE game_id = $1 GROUP BY epoch",
        &[&game_id],
    )
    .await
    .expect("answers by epoch")
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

async fn game_epoch(db: &tokio_postgres::Client, game_id: i64) -> i64 {
    db.query_one("SELECT epoch FROM games WHERE id = $1", &[&game_id])
        .await
        .expect("game epoch")
        .get(0)
}

/// A one-question room through the proxy with `n` players joined and the question open on
/// every socket. Returns the host, the players and the game id.
async fn one_question_open(cluster: &Cluster, n: usize) -> (Host, Vec<Bot>, i64) {
    let http = cluster.http();
    let token = http.login("admin", ADMIN_PASSWORD).await.expect("login");
    // Answering opens at once (`read_s` 0): the bots answer the moment the question arrives.
    let quiz = json!({"title": "One", "read_s": 0, "questions": [
        {"kind":"choice","text":"2 + 2?","choices":["3","4"],"correct":[1],"time_limit_s":120}
    ]});
    let quiz_id = http.create_quiz(&token, &quiz).await.expect("quiz");
    let mut host = Host::create(&cluster.ws_url(), &token, quiz_id, RoomOptions::default())
        .await
        .expect("room");
    host.bot.deadline = Duration::from_secs(30);
    let mut bots = Vec::new();
    for i in 0..n {
        let mut bot = Bot::joined(&cluster.ws_url(), &host.pin, &format!("p{i}"))
            .await
            .expect("joined");
        bot.deadline = Duration::from_secs(30);
        bots.push(bot);
    }
    host.await_players(n as u32).await.expect("all joined");
    host.send(&ClientMsg::Start).await.expect("start");
    for bot in &mut bots {
        bot.next_question().await.expect("question");
    }
    let game_id = host.game_id.0;
    (host, bots, game_id)
}

const RIGHT: AnswerValue = AnswerValue::Choice(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_plays_on_after_its_node_is_killed() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let seed = seed();
    let rounds: usize = std::env::var("QUIZRACE_CLUSTER_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    println!("node loss: seed {seed} (replay with QUIZRACE_CLUSTER_SEED={seed}), {rounds} rounds");
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let mut cluster = Cluster::start(3, &[]).await.expect("cluster starts");
    let db = cluster.pg.client().await.expect("db");
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut slowest = Duration::ZERO;
    for round in 0..rounds {
        let fail = |e: anyhow::Error| format!("seed {seed}, round {round}: {e:#}");
        let spec = GameSpec {
            bots: 50,
            questions: 5,
            time_limit_s: 10,
            host_pause: Duration::from_millis(500),
            max_answer_delay: Duration::from_millis(1500),
            seed: rng.u64(..),
        };
        let mut game = LiveGame::start(&cluster.http(), &cluster.ws_url(), &spec)
            .await
            .unwrap_or_else(|e| panic!("{}", fail(e)));
        // The game takes about 15 s; the kill lands in its first part.
        let kill_after = Duration::from_millis(rng.u64(300..6000));
        tokio::time::sleep(kill_after).await;
        let owner = cluster
            .owner_of(&db, game.game_id)
            .await
            .unwrap_or_else(|e| panic!("{}", fail(e)))
            .expect("a running game has an owner");
        let over_first = game.progress.borrow().over;
        let killed_at = Instant::now();
        cluster.node(&owner).expect("owner").kill9();

        let done = game
            .finish(Duration::from_secs(120))
            .await
            .unwrap_or_else(|e| panic!("{}", fail(e)));
        check_report(&cluster.http(), &game, &done)
            .await
            .unwrap_or_else(|e| panic!("{}", fail(e)));
        let back = first_question_after(&done.seen, killed_at);
        if !over_first {
            let now = cluster.owner_of(&db, game.game_id).await.expect("owner");
            assert_ne!(
                now.as_deref(),
                Some(owner.as_str()),
                "round {round}: not claimed"
            );
            slowest = slowest.max(back.unwrap_or_default());
        }
        let acked: usize = done.seen.iter().map(|s| s.acked.len()).sum();
        let resumed = done.seen.iter().filter(|s| s.reconnects > 0).count();
        let moved: u32 = done.seen.iter().map(|s| s.moved).sum();
        println!(
            "round {round}: killed {owner} {} ms after start{}; first question served again {} after the kill; {acked} acked answers kept, {resumed} bots resumed, {moved} moved followed",
            kill_after.as_millis(),
            if over_first { " (game already over)" } else { "" },
            back.map_or("never".into(), |d| format!("{} ms", d.as_millis())),
        );
        cluster
            .node(&owner)
            .expect("owner")
            .restart()
            .await
            .unwrap_or_else(|e| panic!("{}", fail(e)));
        // HAProxy takes it back after two good checks a second apart.
        tokio::time::sleep(Duration::from_millis(2500)).await;
    }
    println!(
        "node loss: {rounds} rounds, 0 acknowledged answers lost; slowest kill to first question {} ms (goal 10000)",
        slowest.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_owner_stores_nothing_once_another_node_claimed_its_room() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(3, &[]).await.expect("cluster starts");
    let db = cluster.pg.client().await.expect("db");
    let (mut host, mut bots, game_id) = one_question_open(&cluster, 10).await;
    // Half answer while the owner runs: stored, acknowledged, epoch 1.
    for bot in &mut bots[..5] {
        bot.answer(0, RIGHT).await.expect("answer");
        assert!(bot.ack().await.expect("ack").is_ok(), "refused");
    }
    let owner = cluster
        .owner_of(&db, game_id)
        .await
        .expect("owner")
        .expect("owned");
    let first_epoch = game_epoch(&db, game_id).await;
    assert_eq!(
        rows_by_epoch(&db, game_id).await,
        BTreeMap::from([(first_epoch, 5)])
    );

    cluster
        .node(&owner)
        .expect("owner")
        .stop()
        .expect("SIGSTOP");
    // The other half answer into the frozen node's sockets.
    for bot in &mut bots[5..] {
        bot.answer(0, RIGHT)
            .await
            .expect("answer into the frozen node");
    }
    // Past the lease (5 s) and a claim scan (1 s), another node owns the room, one epoch on.
    let until = Instant::now() + Duration::from_secs(20);
    let claimer = loop {
        let now = cluster.owner_of(&db, game_id).await.expect("owner");
        if let Some(other) = now.filter(|n| *n != owner) {
            break other;
        }
        assert!(
            Instant::now() < until,
            "no node claimed the room within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        game_epoch(&db, game_id).await,
        first_epoch + 1,
        "claimed by {claimer}"
    );
    let before = rows_by_epoch(&db, game_id).await;

    cluster
        .node(&owner)
        .expect("owner")
        .cont()
        .expect("SIGCONT");
    // Its clients are moved (Bot::recv follows `moved` and resumes), and no answer sent to
    // the frozen node is acknowledged by it: the welcome from the new owner comes first.
    for (i, bot) in bots.iter_mut().enumerate() {
        let welcome = bot
            .expect("a welcome from the new owner", |m| match m {
                ServerMsg::Welcome { question, .. } => Some(question.clone()),
                ServerMsg::AnswerAck { .. } => {
                    panic!("p{i}: an answer was acknowledged by the fenced owner")
                }
                _ => None,
            })
            .await
            .expect("moved to the new owner");
        assert!(bot.moved >= 1, "p{i} was not moved");
        let open = welcome.expect("the question is still open");
        assert_eq!(open.answered, Some(i < 5), "p{i}: the stored answer state");
    }
    // Whatever the old owner still had in flight, it stored none of it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rows_by_epoch(&db, game_id).await;
    assert_eq!(after, before, "rows by epoch changed after SIGCONT");
    assert_eq!(after.get(&first_epoch), Some(&5));
    assert!(
        cluster.node(&owner).expect("owner").running(),
        "the old owner exited"
    );

    // The host is moved too, and takes the room back on the new owner before the question
    // closes there (a reveal sent before it is back would be missed).
    let phase = host
        .bot
        .expect("room_state from the new owner", |m| match m {
            ServerMsg::RoomState { phase, .. } => Some(*phase),
            _ => None,
        })
        .await
        .expect("the host is moved to the new owner");
    assert_eq!(phase, quizrace_protocol::PhaseName::Question);
    assert!(host.bot.moved >= 1, "the host was not moved");

    // The late half answer again on the new owner; the game ends with all ten stored.
    for bot in &mut bots[5..] {
        bot.answer(0, RIGHT).await.expect("answer again");
        assert!(bot.ack().await.expect("ack").is_ok(), "refused");
    }
    host.advance_through(1).await.expect("host moved along");
    let final_rows = rows_by_epoch(&db, game_id).await;
    assert_eq!(
        final_rows,
        BTreeMap::from([(first_epoch, 5), (first_epoch + 1, 5)])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_sent_while_the_database_is_down_are_acknowledged_in_order_once_it_is_back() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let mut cluster = Cluster::start(3, &[]).await.expect("cluster starts");
    let (mut host, mut bots, game_id) = one_question_open(&cluster, 10).await;
    for bot in &mut bots[..3] {
        bot.answer(0, RIGHT).await.expect("answer");
        assert!(bot.ack().await.expect("ack").is_ok(), "refused");
    }
    tokio::task::block_in_place(|| cluster.pg.stop()).expect("PostgreSQL stops");
    let down_at = Instant::now();
    for bot in &mut bots[3..] {
        bot.answer(0, RIGHT).await.expect("answer");
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    // Kept short: a lease (5 s) must not run out, or the room would fail over as well.
    for (i, bot) in bots[3..].iter_mut().enumerate() {
        loop {
            let left = Duration::from_millis(1500).saturating_sub(down_at.elapsed());
            let Ok(msg) = bot.recv_within(left.max(Duration::from_millis(10))).await else {
                break;
            };
            assert!(
                !matches!(msg, ServerMsg::AnswerAck { .. }),
                "p{}: acknowledged while the database was down",
                i + 3
            );
        }
    }
    tokio::task::block_in_place(|| cluster.pg.start_again()).expect("PostgreSQL starts again");
    let mut elapsed = Vec::new();
    for (i, bot) in bots[3..].iter_mut().enumerate() {
        let ack = bot.ack().await.expect("an ack once the database is back");
        elapsed.push(ack.unwrap_or_else(|code| panic!("p{}: refused {code:?}", i + 3)));
    }
    // The answers were sent 30 ms apart: the room took them, and the writer acknowledged
    // them, in that order.
    assert!(
        elapsed.windows(2).all(|w| w[0] < w[1]),
        "acks out of order: {elapsed:?}"
    );
    for node in &mut cluster.nodes {
        assert!(
            node.running(),
            "{} exited while the database was down",
            node.name
        );
    }
    host.advance_through(1).await.expect("the game goes on");
    let report = cluster
        .http()
        .game(
            &cluster
                .http()
                .login("admin", ADMIN_PASSWORD)
                .await
                .expect("login"),
            game_id,
        )
        .await
        .expect("report");
    assert_eq!(report["status"], "finished");
    assert_eq!(
        report["answers"].as_array().map(Vec::len),
        Some(10),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_game_survives_a_rolling_restart_of_every_node() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let _one = ONE_CLUSTER_AT_A_TIME.lock().await;
    let seed = seed();
    println!("rolling restart: seed {seed} (replay with QUIZRACE_CLUSTER_SEED={seed})");
    let mut cluster = Cluster::start(3, &[]).await.expect("cluster starts");
    let spec = GameSpec {
        bots: 30,
        questions: 10,
        time_limit_s: 20,
        host_pause: Duration::from_millis(1000),
        max_answer_delay: Duration::from_millis(1000),
        seed,
    };
    let mut game = LiveGame::start(&cluster.http(), &cluster.ws_url(), &spec)
        .await
        .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
    for name in ["node1", "node2", "node3"] {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(
            !game.progress.borrow().over,
            "the game ended before {name} was restarted: make it longer"
        );
        let node = cluster.node(name).expect("node");
        let status = node.term(Duration::from_secs(15)).await.expect("SIGTERM");
        assert!(status.success(), "{name} exited with {status} on SIGTERM");
        node.restart().await.expect("restart");
        // HAProxy takes it back after two good checks a second apart.
        tokio::time::sleep(Duration::from_millis(2500)).await;
    }
    let done = game
        .finish(Duration::from_secs(180))
        .await
        .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
    check_report(&cluster.http(), &game, &done)
        .await
        .unwrap_or_else(|e| panic!("seed {seed}: {e:#}"));
    let moved: u32 = done.seen.iter().map(|s| s.moved).sum();
    assert!(
        moved > 0,
        "no player was moved: the restarts missed the room"
    );
    println!(
        "rolling restart: 3 nodes restarted, {} acked answers kept, {moved} moved followed",
        done.seen.iter().map(|s| s.acked.len()).sum::<usize>()
    );
}
