//! One giant room (`--nats`): PostgreSQL, NATS, an owner node and three edge nodes with a
//! thousand bots each. The host is on the owner; the bots join through all four nodes. Every bot gets every broadcast, every
//! answer is acked, the stored answers are exactly the acked ones, and names stay unique
//! across edges (the owner decides them). Faults mid-question (an edge killed, NATS
//! restarted, the owner killed) lose no acked answer, and the game ends with every stored
//! answer counted.

use anyhow::{bail, Context, Result};
use quizrace::giant::wire;
use quizrace_protocol::{ClientMsg, ErrorCode, Pin, ServerMsg};
use quizrace_tests::bot::RoomOptions;
use quizrace_tests::cluster::GiantCluster;
use quizrace_tests::cluster_game::{check_report, quiz, GameSpec, LiveGame};
use quizrace_tests::play::right_answer;
use quizrace_tests::{Bot, Host};
use std::collections::HashSet;
use std::time::{Duration, Instant};

/// Edges of the main test, bots on each, and a few on the owner itself.
const EDGES: usize = 3;
const PER_EDGE: usize = 1000;
const ON_OWNER: usize = 30;
const BOTS: usize = EDGES * PER_EDGE + ON_OWNER;
const QUESTIONS: usize = 2;
const DEADLINE: Duration = Duration::from_secs(30);

/// One bot: joins through `url`, answers each question right, and reports the questions
/// whose answer was acked, and the broadcasts it saw.
async fn play(
    url: String,
    pin: Pin,
    name: String,
    doc: quizrace_protocol::QuizDoc,
) -> Result<(u32, Vec<u32>)> {
    let mut bot = Bot::joined(&url, &pin, &name)
        .await
        .with_context(|| format!("{name} joins"))?;
    bot.deadline = DEADLINE;
    let mut acked = Vec::new();
    for _ in 0..QUESTIONS {
        let q = bot
            .next_question()
            .await
            .with_context(|| format!("{name}: question"))?;
        bot.answer(q.index, right_answer(&doc, &q)).await?;
        match bot.ack().await? {
            Ok(_) => acked.push(q.index),
            Err(code) => bail!("{name}: answer {} refused: {code:?}", q.index),
        }
        bot.expect("the reveal", |m| {
            matches!(m, ServerMsg::QuestionClosed { index, .. } if *index == q.index).then_some(())
        })
        .await
        .with_context(|| format!("{name}: reveal"))?;
    }
    bot.expect("game_over", |m| {
        matches!(m, ServerMsg::GameOver { .. }).then_some(())
    })
    .await
    .with_context(|| format!("{name}: game_over"))?;
    // Served where it connected: an edge relayed it, nobody sent it to the owner.
    anyhow::ensure!(bot.moved == 0, "{name} was moved {} times", bot.moved);
    Ok((bot.player_id().0, acked))
}

#[tokio::test]
async fn a_room_served_through_three_edges_acks_stores_and_broadcasts_everything() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let began = Instant::now();
    // A socket each for 3,000 bots, beyond a default soft limit of 1,024.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let cluster = GiantCluster::start(1 + EDGES, &["--max-players", "5000"])
        .await
        .expect("PostgreSQL, NATS and four nodes start");
    let owner = cluster.nodes[0].ws_url();
    let edges: Vec<String> = (1..=EDGES).map(|i| cluster.nodes[i].ws_url()).collect();
    let http = cluster.nodes[0].http();
    let token = http
        .login("admin", quizrace_tests::server::ADMIN_PASSWORD)
        .await
        .expect("login");
    let spec = GameSpec {
        bots: BOTS,
        questions: QUESTIONS,
        time_limit_s: 20,
        host_pause: Duration::ZERO,
        max_answer_delay: Duration::ZERO,
        seed: 12,
    };
    let doc_json = quiz(&spec);
    let doc: quizrace_protocol::QuizDoc = serde_json::from_value(doc_json.clone()).expect("quiz");
    let quiz_id = http
        .create_quiz(&token, &doc_json)
        .await
        .expect("quiz stored");
    let mut host = Host::create(&owner, &token, quiz_id, RoomOptions::default())
        .await
        .expect("the host opens a room on the owner");
    host.bot.deadline = DEADLINE;
    let pin = host.pin.clone();

    // A few on the owner itself, the rest spread over the edges.
    let node_of = |i: usize| match i.checked_sub(ON_OWNER) {
        None => owner.clone(),
        Some(n) => edges[n % EDGES].clone(),
    };
    let joins_began = Instant::now();
    let bots: Vec<_> = (0..BOTS)
        .map(|i| tokio::spawn(play(node_of(i), pin.clone(), format!("b{i}"), doc.clone())))
        .collect();
    host.await_players(BOTS as u32)
        .await
        .expect("every bot joins");
    let joined_in = joins_began.elapsed();

    // The first bot past the owner's is on the first edge; its name asked on the second edge
    // is taken.
    let mut twin = Bot::connect_for(&edges[1], &pin).await.expect("connect");
    twin.send(&ClientMsg::Join {
        pin: pin.clone(),
        name: format!("b{ON_OWNER}"),
    })
    .await
    .expect("send");
    twin.expect_error(ErrorCode::NameTaken)
        .await
        .expect("a name taken on another edge is taken here too");
    assert_eq!(twin.moved, 0, "the edge answered, not the owner");
    twin.close().await;

    host.send(&ClientMsg::Start).await.expect("start");
    host.advance_through(QUESTIONS)
        .await
        .expect("the host drives both questions");
    host.bot
        .expect("game_over", |m| {
            matches!(m, ServerMsg::GameOver { .. }).then_some(())
        })
        .await
        .expect("game over");

    let mut acked = HashSet::new();
    for bot in bots {
        let (player, questions) = bot.await.expect("task").expect("a bot saw the whole game");
        assert_eq!(
            questions.len(),
            QUESTIONS,
            "every answer of b{player} acked"
        );
        acked.extend(questions.into_iter().map(|q| (q, player)));
    }
    let db = cluster.pg.client().await.expect("connect");
    let rows = db
        .query(
            "SELECT question_index, player_id FROM answers WHERE game_id = $1",
            &[&host.game_id.0],
        )
        .await
        .expect("answers");
    let stored: HashSet<(u32, u32)> = rows
        .iter()
        .map(|r| (r.get::<_, i64>(0) as u32, r.get::<_, i64>(1) as u32))
        .collect();
    assert_eq!(rows.len(), stored.len());
    assert_eq!(stored, acked, "the stored answers are the acked ones");
    eprintln!(
        "giant room: {BOTS} bots joined in {joined_in:?}, whole test {:?}",
        began.elapsed()
    );
}

/// A game of `bots` bots on a giant room: the host on node1 (the owner), the bots alternating
/// between node2 and node3, each coming back through the other when its socket dies.
async fn spread_game(cluster: &GiantCluster, bots: usize) -> LiveGame {
    let spec = GameSpec {
        bots,
        questions: 3,
        time_limit_s: 8,
        host_pause: Duration::from_millis(300),
        max_answer_delay: Duration::from_secs(3),
        seed: 7,
    };
    let (owner, edges) = (
        cluster.nodes[0].ws_url(),
        [cluster.nodes[1].ws_url(), cluster.nodes[2].ws_url()],
    );
    let bot_ws = |i: usize| (edges[i % 2].clone(), edges[(i + 1) % 2].clone());
    // The host comes back through an edge, which sends it to the owner of the moment.
    let host_ws = (owner, edges[1].clone());
    LiveGame::start_spread(&cluster.nodes[0].http(), host_ws, bot_ws, &spec)
        .await
        .expect("the game starts")
}

/// Plays a spread game of 60 bots and applies `fault` 1.5 s into its first question; the
/// game must end with nothing acked lost, nothing stored twice and the scores as told.
/// Returns how many times bots resumed after losing their socket.
async fn survives(fault: impl FnOnce(&mut GiantCluster)) -> u32 {
    let mut cluster = GiantCluster::start(3, &[])
        .await
        .expect("the cluster starts");
    let mut game = spread_game(&cluster, 60).await;
    game.question_open(None, DEADLINE)
        .await
        .expect("question 1 opens");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    fault(&mut cluster);
    let done = game
        .finish(Duration::from_secs(90))
        .await
        .expect("the game ends");
    let alive = (0..cluster.nodes.len())
        .find(|&i| cluster.nodes[i].running())
        .expect("a node runs");
    check_report(&cluster.nodes[alive].http(), &game, &done)
        .await
        .expect("nothing acked lost, nothing twice, scores as told");
    done.seen.iter().map(|s| s.reconnects).sum()
}

#[tokio::test]
async fn an_edge_killed_mid_question_loses_no_acked_answer_and_its_players_resume_elsewhere() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let back = survives(|cluster| cluster.nodes[1].kill9()).await;
    assert!(
        back >= 30,
        "the killed edge's bots resumed elsewhere: {back}"
    );
}

#[tokio::test]
async fn nats_restarted_mid_question_loses_no_acked_answer_and_the_game_ends() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    // Blocks this test's thread briefly: a kill, and a start on the same port.
    survives(|cluster| cluster.nats.start_again().expect("NATS starts again")).await;
}

#[test]
fn nats_on_a_single_sqlite_node_is_refused_at_start_with_a_reason() {
    let bin = quizrace_tests::server::ServerProcess::binary().expect("the server builds");
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(bin)
        .arg("--db")
        .arg(dir.path().join("one.db"))
        .args(["--bind", "127.0.0.1:0", "--nats", "nats://127.0.0.1:1"])
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started: {stderr}");
    assert!(stderr.contains("--nats needs a cluster"), "{stderr}");
}

/// Asks the owner of `pin` to take `payload` on its inbound subject; `None` without a reply.
async fn ask(nats: &async_nats::Client, pin: &Pin, payload: Vec<u8>) -> Option<wire::InAck> {
    let asked = nats.request(wire::in_subject(pin), payload.into());
    let reply = tokio::time::timeout(Duration::from_secs(3), asked)
        .await
        .ok()?
        .ok()?;
    serde_json::from_slice(&reply.payload).ok()
}

#[tokio::test]
async fn the_owner_ignores_garbage_applies_a_resent_batch_once_and_obeys_no_stranger() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let cluster = GiantCluster::start(1, &[])
        .await
        .expect("the cluster starts");
    let (mut host, _) = open_room(&cluster, 1, 20, RoomOptions::default()).await;
    let pin = host.pin.clone();
    let nats = async_nats::connect(cluster.nats.url()).await.expect("NATS");

    // Not JSON, and JSON of the wrong shape: no reply, nothing changes.
    assert!(ask(&nats, &pin, b"not json".to_vec()).await.is_none());
    assert!(ask(&nats, &pin, br#"{"edge": "x", "items": 5}"#.to_vec())
        .await
        .is_none());

    // A stranger's messages and departures for sockets the owner never saw: acked, obeyed
    // by nobody.
    let stranger = wire::InBatch {
        edge: "stranger".into(),
        batch: 1,
        items: vec![
            wire::InItem::Msg {
                conn: 9,
                msg: ClientMsg::Start,
                elapsed_ms: None,
            },
            wire::InItem::Gone { conn: 9 },
        ],
    };
    let ack = ask(&nats, &pin, serde_json::to_vec(&stranger).expect("json"))
        .await
        .expect("acked");
    assert!(ack.outcomes.is_empty());
    assert!(ack.epoch >= 1, "the ack carries the owner's epoch");

    // Beats: garbage gets no reply; a stranger's beat is answered, and it was never lost.
    let beat = |payload: Vec<u8>| {
        let asked = nats.request(wire::alive_subject(&pin), payload.into());
        async move {
            let reply = tokio::time::timeout(Duration::from_secs(3), asked).await;
            reply.ok()?.ok().map(|r| r.payload)
        }
    };
    assert!(beat(b"{".to_vec()).await.is_none());
    let alive = serde_json::to_vec(&wire::Alive {
        edge: "stranger".into(),
    })
    .expect("json");
    let reply = beat(alive).await.expect("a beat is answered");
    let reply: wire::AliveAck = serde_json::from_slice(&reply).expect("json");
    assert!(!reply.lost && reply.epoch >= 1, "{reply:?}");
    assert!(!reply.owner.is_empty(), "the reply names the owner's run");

    // One join, sent again under its number after as many later batches as an edge may have
    // in flight (they overtook it): one player, the same answer twice.
    let join = wire::InBatch {
        edge: "e1".into(),
        batch: 1,
        items: vec![wire::InItem::Join {
            conn: 1,
            name: "Ada".into(),
            token: "00112233445566778899aabbccddeeff".into(),
        }],
    };
    let payload = serde_json::to_vec(&join).expect("json");
    let first = ask(&nats, &pin, payload.clone()).await.expect("acked");
    for batch in 2..=wire::IN_FLIGHT as u64 {
        let later = wire::InBatch {
            edge: "e1".into(),
            batch,
            items: vec![wire::InItem::Gone { conn: 99 }],
        };
        ask(&nats, &pin, serde_json::to_vec(&later).expect("json"))
            .await
            .expect("a later batch is acked");
    }
    let again = ask(&nats, &pin, payload).await.expect("acked again");
    assert_eq!(first, again);
    assert!(first.outcomes[0].player.is_some(), "{first:?}");
    host.await_players(1).await.expect("Ada joined");
    host.send(&ClientMsg::List).await.expect("list");
    let count = host
        .bot
        .expect("the player list", |m| match m {
            ServerMsg::Players { players, .. } => Some(players.len()),
            _ => None,
        })
        .await
        .expect("players");
    assert_eq!(count, 1, "the resent batch joined nobody twice");
}

#[tokio::test]
async fn the_owner_killed_mid_question_fails_over_and_its_edges_follow_the_new_owner() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    survives(|cluster| cluster.nodes[0].kill9()).await;
}

/// Logs in on the owner (node 1) and opens a room there for a quiz of `questions` questions
/// of `time_limit_s` each; returns the host and the quiz.
async fn open_room(
    cluster: &GiantCluster,
    questions: usize,
    time_limit_s: u32,
    opts: RoomOptions,
) -> (Host, quizrace_protocol::QuizDoc) {
    let owner = &cluster.nodes[0];
    let http = owner.http();
    let token = http
        .login("admin", quizrace_tests::server::ADMIN_PASSWORD)
        .await
        .expect("login");
    let json = quiz(&GameSpec {
        bots: 1,
        questions,
        time_limit_s,
        host_pause: Duration::ZERO,
        max_answer_delay: Duration::ZERO,
        seed: 1,
    });
    let doc = serde_json::from_value(json.clone()).expect("quiz");
    let quiz_id = http.create_quiz(&token, &json).await.expect("quiz");
    let mut host = Host::create(&owner.ws_url(), &token, quiz_id, opts)
        .await
        .expect("the host opens a room on the owner");
    host.bot.deadline = DEADLINE;
    (host, doc)
}

/// A frame no player ever gets (it is for the host): a bot that reads it read a forgery.
fn marker(player_id: u32) -> String {
    serde_json::to_string(&ServerMsg::PlayerConnection {
        player_id: quizrace_protocol::PlayerId(player_id),
        connected: true,
    })
    .expect("json")
}

/// Publishes `frame` as broadcast `seq` of run `owner` at `epoch`, as an owner would.
async fn broadcast(
    nats: &async_nats::Client,
    pin: &Pin,
    epoch: i64,
    owner: &str,
    seq: u64,
    frame: String,
) {
    let b = wire::Broadcast {
        epoch,
        owner: owner.into(),
        seq,
        frame: Some(frame),
        question: false,
        race: false,
        close: false,
    };
    let payload = serde_json::to_vec(&b).expect("json");
    nats.publish(wire::out_subject(pin), payload.into())
        .await
        .expect("publish");
    nats.flush().await.expect("flush");
}

/// Reads frames until `until` picks one; fails on the stale owner's marker (player 424242).
async fn read_until(bot: &mut Bot, what: &str, until: impl Fn(&ServerMsg) -> bool) -> Result<()> {
    loop {
        let msg = bot.recv().await.with_context(|| what.to_owned())?;
        if let ServerMsg::PlayerConnection { player_id, .. } = &msg {
            anyhow::ensure!(
                player_id.0 != 424_242,
                "a fenced owner's frame reached a bot"
            );
        }
        if until(&msg) {
            return Ok(());
        }
    }
}

#[tokio::test]
async fn an_edge_drops_frames_from_an_owner_with_a_lower_epoch() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let cluster = GiantCluster::start(2, &[])
        .await
        .expect("the cluster starts");
    let (mut host, doc) = open_room(&cluster, 1, 20, RoomOptions::default()).await;
    let pin = host.pin.clone();
    let nats = async_nats::connect(cluster.nats.url()).await.expect("NATS");
    let mut out = nats.subscribe(wire::out_subject(&pin)).await.expect("sub");
    let mut personal = nats
        .subscribe(format!("quizrace.room.{}.edge.*", pin.0))
        .await
        .expect("sub");

    let edge = cluster.nodes[1].ws_url();
    let mut bots = Vec::new();
    for i in 0..10 {
        let mut bot = Bot::joined(&edge, &pin, &format!("f{i}"))
            .await
            .expect("join");
        bot.deadline = DEADLINE;
        bots.push(bot);
    }
    host.await_players(10).await.expect("joined");

    // The owner's own numbers, as the edge sees them.
    let first = tokio::time::timeout(DEADLINE, futures::StreamExt::next(&mut personal))
        .await
        .expect("a personal batch")
        .expect("sub");
    let mine: wire::ToEdge = serde_json::from_slice(&first.payload).expect("json");
    assert!(mine.epoch >= 1, "the owner's epoch travels: {}", mine.epoch);
    let stale = mine.epoch - 1;
    let conns: Vec<u64> = mine.items.iter().map(|p| p.conn).collect();
    // A fenced owner's broadcast and personal frames, numbered as the edge expects next.
    broadcast(&nats, &pin, stale, "fenced", 1_000, marker(424_242)).await;
    let forged = wire::ToEdge {
        epoch: stale,
        owner: "fenced".into(),
        seq: mine.seq + 1,
        after: mine.after,
        items: conns
            .iter()
            .map(|&conn| wire::Personal {
                conn,
                frame: Some(marker(424_242)),
                error: false,
                close: true,
            })
            .collect(),
    };
    nats.publish(
        first.subject.clone(),
        serde_json::to_vec(&forged).expect("json").into(),
    )
    .await
    .expect("publish");
    nats.flush().await.expect("flush");

    // The game goes on as if nothing came: a question, every answer acked, game over.
    host.send(&ClientMsg::Start).await.expect("start");
    let mut last_seq = 0;
    for bot in &mut bots {
        let q = bot.next_question().await.expect("the question");
        bot.answer(q.index, right_answer(&doc, &q))
            .await
            .expect("answer");
        read_until(bot, "the ack", |m| matches!(m, ServerMsg::AnswerAck { .. }))
            .await
            .expect("acked, and nothing forged");
    }
    host.advance_through(1)
        .await
        .expect("the host ends the game");
    for bot in &mut bots {
        read_until(bot, "game over", |m| {
            matches!(m, ServerMsg::GameOver { .. })
        })
        .await
        .expect("game over, and nothing forged");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    while let Some(Some(m)) = futures::FutureExt::now_or_never(futures::StreamExt::next(&mut out)) {
        if let Ok(b) = serde_json::from_slice::<wire::Broadcast>(&m.payload) {
            if b.owner != "fenced" {
                last_seq = b.seq;
            }
        }
    }

    // The control: the same frame at the owner's own epoch, next in its numbering, does
    // reach every bot (so what was dropped above was dropped for its epoch).
    broadcast(
        &nats,
        &pin,
        mine.epoch,
        &mine.owner,
        last_seq + 1,
        marker(7),
    )
    .await;
    for bot in &mut bots {
        read_until(
            bot,
            "the control frame",
            |m| matches!(m, ServerMsg::PlayerConnection { player_id, .. } if player_id.0 == 7),
        )
        .await
        .expect("a frame at the owner's epoch reaches the bot");
    }
}

#[tokio::test]
async fn a_race_over_two_edges_has_one_winner_acked_and_every_answer_answered() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let cluster = GiantCluster::start(3, &[])
        .await
        .expect("the cluster starts");
    let opts = RoomOptions {
        mode: quizrace_protocol::Mode::Race,
        ..RoomOptions::default()
    };
    let (mut host, doc) = open_room(&cluster, 1, 20, opts).await;
    let pin = host.pin.clone();
    let edges = [cluster.nodes[1].ws_url(), cluster.nodes[2].ws_url()];
    const RACERS: usize = 40;
    let mut bots = Vec::new();
    for i in 0..RACERS {
        let mut bot = Bot::joined(&edges[i % 2], &pin, &format!("r{i}"))
            .await
            .expect("join");
        bot.deadline = DEADLINE;
        bots.push(bot);
    }
    host.await_players(RACERS as u32).await.expect("joined");
    host.send(&ClientMsg::Start).await.expect("start");

    // Every bot answers right as soon as it sees the question: one wins, the others are late.
    let racers: Vec<_> = bots
        .into_iter()
        .map(|mut bot| {
            let doc = doc.clone();
            tokio::spawn(async move {
                let q = bot.next_question().await?;
                bot.answer(q.index, right_answer(&doc, &q)).await?;
                // The reveal may overtake a late answer's refusal: read both, in any order.
                let (mut reply, mut winner) = (None, None);
                while reply.is_none() || winner.is_none() {
                    match bot.recv().await? {
                        ServerMsg::AnswerAck { .. } => reply = Some(Ok(())),
                        ServerMsg::Error { code, .. } => reply = Some(Err(code)),
                        ServerMsg::QuestionClosed { first_correct, .. } => {
                            winner = Some(first_correct.map(|f| f.player_id))
                        }
                        _ => {}
                    }
                }
                let reply = reply.context("a reply")?;
                let winner = winner.flatten();
                anyhow::Ok((bot.player_id(), reply, winner))
            })
        })
        .collect();
    let mut acked = Vec::new();
    let mut winners = HashSet::new();
    for racer in racers {
        let (player, reply, winner) = racer.await.expect("task").expect("a racer's answer");
        match reply {
            Ok(_) => acked.push(player),
            Err(code) => assert_eq!(code, ErrorCode::TooLate, "{player:?}: {code:?}"),
        }
        winners.insert(winner);
    }
    assert_eq!(
        winners.len(),
        1,
        "every bot saw the same winner: {winners:?}"
    );
    let winner = winners.into_iter().next().flatten().expect("a winner");
    assert_eq!(acked, vec![winner], "exactly the winner's answer acked");

    let db = cluster.pg.client().await.expect("connect");
    let rows = db
        .query(
            "SELECT player_id FROM answers WHERE game_id = $1",
            &[&host.game_id.0],
        )
        .await
        .expect("answers");
    let stored: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(
        stored,
        vec![i64::from(winner.0)],
        "the winner's answer is stored"
    );
}

/// The host's view of who is connected, by the player list.
async fn connected(host: &mut Host) -> Result<std::collections::HashMap<u32, bool>> {
    host.send(&ClientMsg::List).await?;
    host.bot
        .expect("the player list", |m| match m {
            ServerMsg::Players { players, .. } => Some(
                players
                    .iter()
                    .map(|p| (p.player_id.0, p.connected))
                    .collect(),
            ),
            _ => None,
        })
        .await
}

/// Waits (at most `within`) until the host has been told that each of `players` is
/// `connected` (or not).
async fn await_connection(
    host: &mut Host,
    players: &[u32],
    connected: bool,
    within: Duration,
) -> Result<Duration> {
    let began = Instant::now();
    let mut left: HashSet<u32> = players.iter().copied().collect();
    let until = tokio::time::Instant::now() + within;
    while !left.is_empty() {
        let wait = until.saturating_duration_since(tokio::time::Instant::now());
        let msg = host.bot.recv_within(wait).await.with_context(|| {
            format!("{} players not yet seen connected={connected}", left.len())
        })?;
        if let ServerMsg::PlayerConnection {
            player_id,
            connected: c,
        } = msg
        {
            if c == connected {
                left.remove(&player_id.0);
            }
        }
    }
    Ok(began.elapsed())
}

#[tokio::test]
async fn the_owner_marks_a_silent_edges_players_offline_and_takes_them_back_when_it_returns() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let mut cluster = GiantCluster::start(3, &[])
        .await
        .expect("the cluster starts");
    let (mut host, _) = open_room(&cluster, 1, 20, RoomOptions::default()).await;
    let pin = host.pin.clone();
    let mut on = [Vec::new(), Vec::new()];
    let mut bots = Vec::new();
    for i in 0..20 {
        let bot = Bot::joined(&cluster.nodes[1 + i % 2].ws_url(), &pin, &format!("l{i}"))
            .await
            .expect("join");
        on[i % 2].push(bot.player_id().0);
        bots.push(bot);
    }
    host.await_players(20).await.expect("joined");
    // The bound: EDGE_SILENT, a sweep, and the room's turn, with room to spare on a busy box.
    let bound = quizrace::giant::liveness::EDGE_SILENT + Duration::from_secs(10);

    // Frozen (its sockets stay open): the owner stops hearing it, and says so.
    cluster.nodes[1].stop().expect("SIGSTOP");
    let took = await_connection(&mut host, &on[0], false, bound)
        .await
        .expect("a frozen edge's players shown offline");
    let list = connected(&mut host).await.expect("list");
    assert!(on[0].iter().all(|p| !list[p]), "{list:?}");
    assert!(
        on[1].iter().all(|p| list[p]),
        "the other edge's players stay: {list:?}"
    );
    // Back: told it was lost, it announces its players again.
    cluster.nodes[1].cont().expect("SIGCONT");
    await_connection(&mut host, &on[0], true, bound)
        .await
        .expect("the edge back announces its players again");

    // Killed: the same, for good.
    cluster.nodes[2].kill9();
    let killed = await_connection(&mut host, &on[1], false, bound)
        .await
        .expect("a killed edge's players shown offline");
    let list = connected(&mut host).await.expect("list");
    assert!(on[1].iter().all(|p| !list[p]), "{list:?}");
    assert!(on[0].iter().all(|p| list[p]), "{list:?}");
    eprintln!("edge silent → players offline: frozen {took:?}, killed {killed:?}");
}

#[tokio::test]
async fn in_a_room_with_generated_names_the_owner_names_players_who_join_through_an_edge() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let cluster = GiantCluster::start(2, &[])
        .await
        .expect("the cluster starts");
    let opts = RoomOptions {
        names: Some(quizrace_protocol::NamePolicy::Generated),
        ..RoomOptions::default()
    };
    let (mut host, _) = open_room(&cluster, 1, 20, opts).await;
    let edge = cluster.nodes[1].ws_url();
    let mut names = HashSet::new();
    for _ in 0..5 {
        let mut bot = Bot::connect_for(&edge, &host.pin).await.expect("connect");
        let welcome = bot.join(&host.pin, "Zed").await.expect("joined");
        assert_ne!(welcome.name, "Zed", "the server names the player");
        assert_eq!(bot.moved, 0, "served by the edge");
        names.insert(welcome.name);
    }
    assert_eq!(names.len(), 5, "five different names: {names:?}");
    host.await_players(5).await.expect("five players");
}

/// A broadcast lost with nothing after it to show the gap (here the question: no frame
/// follows it until its reveal) is found by the edge's beats, whose replies name the owner's
/// last broadcast: the edge's players resume, get the question in their `welcome` well
/// within its time limit, answer, and see the end. The edge drops it as core NATS may
/// (`--nats-test-drop`, a fault for the tests).
#[tokio::test]
async fn a_lost_broadcast_that_nothing_follows_is_found_by_the_beats() {
    if quizrace_tests::server::skip_on_postgres(quizrace_tests::server::OWN_PROCESSES) {
        return;
    }
    let drop = serde_json::to_string(&serde_json::json!({"type": "question"})).expect("json");
    let drop = drop.trim_end_matches('}');
    let cluster = GiantCluster::start(2, &["--nats-test-drop", drop])
        .await
        .expect("the cluster starts");
    let (mut host, doc) = open_room(&cluster, 1, 60, RoomOptions::default()).await;
    let pin = host.pin.clone();
    let edge = cluster.nodes[1].ws_url();
    let mut bots = Vec::new();
    for i in 0..5 {
        let mut bot = Bot::joined(&edge, &pin, &format!("l{i}"))
            .await
            .expect("join");
        bot.deadline = Duration::from_secs(8);
        bots.push(bot);
    }
    host.await_players(5).await.expect("joined");
    host.send(&ClientMsg::Start).await.expect("start");
    let began = Instant::now();
    for bot in &mut bots {
        let q = bot
            .expect("the question, in a welcome", |m| match m {
                ServerMsg::Question(q) => Some(q.clone()),
                ServerMsg::Welcome {
                    question: Some(q), ..
                } => Some(q.clone()),
                _ => None,
            })
            .await
            .expect("the lost question comes back within seconds, not at its reveal");
        bot.answer(q.index, right_answer(&doc, &q))
            .await
            .expect("answer");
        assert!(matches!(bot.ack().await, Ok(Ok(_))), "the answer is acked");
    }
    println!(
        "lost question found and answered in {:.1} s",
        began.elapsed().as_secs_f64()
    );
    host.advance_through(1)
        .await
        .expect("the host ends the game");
    for bot in &mut bots {
        bot.expect("game_over", |m| {
            matches!(m, ServerMsg::GameOver { .. }).then_some(())
        })
        .await
        .expect("the end reaches the edge's players");
    }
}
